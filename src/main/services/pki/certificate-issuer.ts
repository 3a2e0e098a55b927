import { randomBytes, type KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { KeyAlgorithm, PkiWarning, SubjectAltName, SubjectInput, ValidityInput } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { keyFamilyOf, spkiDer, toSigningCryptoKey } from './key-generator';
import { ParsedCertificate, subjectKeyIdentifierOf } from './parsed-certificate';
import { planIssue, requireIssuable, type IssueProfile, type PlanIssuer, type PlannedCertificate } from './issuance-plan';

export { buildName } from './subject-name';
export type { IssueProfile } from './issuance-plan';

export interface IssuerMaterial {
  certificate: ParsedCertificate;
  privateKey: KeyObject;
}

export interface IssueRequest {
  profile: IssueProfile;
  subject: SubjectInput;
  /**
   * The exact subject to certify, byte for byte (a renewal keeps the old certificate's name with every
   * attribute and its encoding, rather than rebuilding it from the few fields SubjectInput carries).
   */
  subjectName?: x509.Name;
  /** Raw SAN strings (typed automatically) or already typed SANs. */
  sans?: readonly (string | SubjectAltName)[];
  validity: ValidityInput;
  /** The key being certified (public or private KeyObject). */
  subjectKey: KeyObject;
  /** Absent for a self-signed root. */
  issuer?: IssuerMaterial;
  /** Shorten the validity to the issuer's notAfter instead of refusing. */
  clampToIssuer?: boolean;
  now?: Date;
}

export interface IssuedCertificate {
  certificate: ParsedCertificate;
  warnings: PkiWarning[];
}

const KU = x509.KeyUsageFlags;

/** What the plan needs to know of a CA held as a parsed certificate. */
export function planIssuerOf(ca: ParsedCertificate, state: { id: string | null; revoked: boolean; hasPrivateKey: boolean; chainFamilies?: PlanIssuer['chainFamilies'] }): PlanIssuer {
  return {
    id: state.id,
    commonName: ca.commonName,
    subjectLine: ca.subjectLine,
    isCa: ca.isCa,
    mayCertSign: ca.hasKeyUsage(KU.keyCertSign),
    pathLength: ca.basicConstraints?.pathLength ?? null,
    notBefore: ca.notBefore,
    notAfter: ca.notAfter,
    revoked: state.revoked,
    hasPrivateKey: state.hasPrivateKey,
    keyFamily: ca.keyFamily,
    chainFamilies: state.chainFamilies ?? [ca.keyFamily],
  };
}

/**
 * Issues one certificate with the given profile: the shared issuance plan (which refuses, never silently
 * fixes, what a CA may not sign), then the signature. The service plans whole requests itself and signs
 * each planned certificate with signPlanned.
 */
export async function issueCertificate(req: IssueRequest): Promise<IssuedCertificate> {
  const now = req.now ?? new Date();
  const family = keyFamilyOf(req.subjectKey);
  // Only the family matters here (key usages); the key itself exists already.
  const keyAlgorithm: KeyAlgorithm = family === 'rsa' ? 'rsa-2048' : family === 'ed25519' ? 'ed25519' : 'ec-p256';
  const issuer = req.issuer ? planIssuerOf(req.issuer.certificate, { id: null, revoked: false, hasPrivateKey: true }) : null;
  const plan = requireIssuable(
    planIssue(
      {
        profile: req.profile,
        subject: req.subject,
        subjectName: req.subjectName,
        sans: req.sans,
        validity: req.validity,
        keyAlgorithm,
        clampToIssuer: req.clampToIssuer,
        // The caller chose this key already; the service applies the chain's family rule before keygen.
        allowMixedKeyFamilies: true,
      },
      { now, issuer: req.profile === 'root' ? (req.issuer ? issuer : null) : (issuer ?? undefined) },
    ),
  );
  const planned = plan.certificates[0]!;
  const certificate = await signPlanned(planned, req.subjectKey, req.issuer ?? null);
  return { certificate, warnings: plan.warnings.filter((w) => w.code !== 'mixed-key-families') };
}

/** Signs one planned certificate: by the issuer, or by the subject's own private key for a root. */
export async function signPlanned(planned: PlannedCertificate, subjectKey: KeyObject, issuer: IssuerMaterial | null): Promise<ParsedCertificate> {
  const signer = issuer?.privateKey ?? subjectKey;
  if (signer.type !== 'private') throw new FieldbenchError('pki.no-private-key', 'A root CA needs its private key to sign itself. Generate a key or import one.');
  const skid = subjectKeyIdentifierOf(subjectKey);
  const extensions: x509.Extension[] = [];
  extensions.push(new x509.BasicConstraintsExtension(planned.isCa, planned.isCa ? (planned.pathLength ?? undefined) : undefined, true));
  extensions.push(new x509.KeyUsagesExtension(planned.keyUsage, true));
  if (planned.extendedKeyUsage.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(planned.extendedKeyUsage, false));
  if (planned.sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(planned.sans.map(toGeneralName), false));
  extensions.push(new x509.SubjectKeyIdentifierExtension(skid, false));
  const authorityKeyId = issuer ? (issuer.certificate.subjectKeyIdentifier ?? subjectKeyIdentifierOf(issuer.certificate.publicKey)) : skid;
  extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId, false));
  const { key: signingKey, algorithm } = await toSigningCryptoKey(signer);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: planned.subjectName,
    issuer: issuer ? issuer.certificate.x.subjectName : planned.subjectName,
    notBefore: planned.notBefore,
    notAfter: planned.notAfter,
    publicKey: spkiDer(subjectKey),
    signingKey,
    signingAlgorithm: algorithm,
    extensions,
  });
  return new ParsedCertificate(Buffer.from(cert.rawData));
}

/** A positive 128-bit serial: the top bit cleared so DER needs no sign byte, never zero. */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

function toGeneralName(san: SubjectAltName): x509.JsonGeneralName {
  switch (san.type) {
    case 'ip':
      return { type: 'ip', value: san.value };
    case 'email':
      return { type: 'email', value: san.value };
    case 'uri':
      return { type: 'url', value: san.value };
    default:
      return { type: 'dns', value: san.value };
  }
}
