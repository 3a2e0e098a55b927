import { randomBytes, type KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { PkiWarning, SubjectAltName, SubjectInput, ValidityInput } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { keyFamilyOf, spkiDer, toSigningCryptoKey } from './key-generator';
import { ParsedCertificate, subjectKeyIdentifierOf } from './parsed-certificate';
import {
  INTERMEDIATE_PATH_LENGTH,
  NOT_BEFORE_BACKDATE_MS,
  ROOT_PATH_LENGTH,
  classifySan,
  describeValidity,
  validityMs,
} from './certificate-profiles';

export type IssueProfile = 'root' | 'intermediate' | 'server' | 'client';

export interface IssuerMaterial {
  certificate: ParsedCertificate;
  privateKey: KeyObject;
}

export interface IssueRequest {
  profile: IssueProfile;
  subject: SubjectInput;
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
const SLIGHT_OVERSHOOT_MS = 86_400_000;

/**
 * Issues one certificate with the given profile. Refuses (never silently fixes) what a CA may not sign:
 * outside its validity, beyond its path length, or when it is not a CA.
 */
export async function issueCertificate(req: IssueRequest): Promise<IssuedCertificate> {
  const warnings: PkiWarning[] = [];
  const now = req.now ?? new Date();
  const subjectName = buildName(req.subject);
  const notBefore = new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS);
  let notAfter = new Date(now.getTime() + validityMs(req.validity));
  const isCa = req.profile === 'root' || req.profile === 'intermediate';

  if (req.profile === 'root' && req.issuer) throw new FieldbenchError('pki.bad-profile', 'A root CA signs itself; it cannot have an issuer. Create an intermediate instead.');
  if (req.profile !== 'root' && !req.issuer) throw new FieldbenchError('pki.issuer-required', 'This certificate needs an issuing CA. Choose a root or intermediate from the vault.');

  if (req.issuer) {
    const ca = req.issuer.certificate;
    const caName = ca.commonName;
    if (!ca.isCa) throw new FieldbenchError('pki.issuer-not-ca', `"${caName}" is not a CA certificate (no basicConstraints CA:TRUE), so it cannot sign. Choose a root or intermediate CA.`);
    if (!ca.hasKeyUsage(KU.keyCertSign)) throw new FieldbenchError('pki.issuer-not-ca', `"${caName}" is not allowed to sign certificates (its key usage lacks keyCertSign). Choose another CA.`);
    if (isCa && ca.basicConstraints?.pathLength === 0) {
      throw new FieldbenchError('pki.path-length', `"${caName}" has path length 0, so it can sign only end-entity certificates, not another CA. Sign the intermediate with the root instead.`);
    }
    if (ca.notAfter.getTime() <= now.getTime()) {
      throw new FieldbenchError('pki.issuer-expired', `"${caName}" expired on ${ca.notAfter.toISOString().slice(0, 10)} and can no longer sign. Renew the CA first.`);
    }
    if (ca.notBefore.getTime() > now.getTime()) {
      throw new FieldbenchError('pki.issuer-not-yet-valid', `"${caName}" is not valid before ${ca.notBefore.toISOString()}. Check the computer's clock.`);
    }
    if (notAfter.getTime() > ca.notAfter.getTime()) {
      // Same validity for CA and leaf made minutes apart (the seeds use 72000h throughout) overshoots by
      // seconds; that is not what the technician asked to refuse, so up to a day is clamped with a warning.
      const slight = notAfter.getTime() - ca.notAfter.getTime() <= SLIGHT_OVERSHOOT_MS;
      if (!req.clampToIssuer && !slight) {
        throw new FieldbenchError(
          'pki.validity-exceeds-issuer',
          `A validity of ${describeValidity(req.validity)} would outlast "${caName}", which expires on ${ca.notAfter.toISOString().slice(0, 10)}. Shorten the validity, or let Fieldbench end it on the CA's expiry date.`,
        );
      }
      notAfter = new Date(ca.notAfter.getTime());
      warnings.push({ code: 'validity-clamped', message: `The validity was shortened to end with "${caName}" on ${notAfter.toISOString().slice(0, 10)}.` });
    }
    if (notBefore.getTime() < ca.notBefore.getTime()) notBefore.setTime(ca.notBefore.getTime());
  }

  const signer = req.issuer?.privateKey ?? req.subjectKey;
  if (signer.type !== 'private') throw new FieldbenchError('pki.no-private-key', 'A root CA needs its private key to sign itself. Generate a key or import one.');

  const family = keyFamilyOf(req.subjectKey);
  const skid = subjectKeyIdentifierOf(req.subjectKey);
  const extensions: x509.Extension[] = [];
  if (isCa) {
    extensions.push(new x509.BasicConstraintsExtension(true, req.profile === 'root' ? ROOT_PATH_LENGTH : INTERMEDIATE_PATH_LENGTH, true));
    extensions.push(new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true));
  } else {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    // keyEncipherment only makes sense for RSA key transport; EC and Ed25519 leaves sign only.
    const usages = family === 'rsa' ? KU.digitalSignature | KU.keyEncipherment : KU.digitalSignature;
    extensions.push(new x509.KeyUsagesExtension(usages, true));
    // step puts serverAuth+clientAuth on every leaf; we keep each profile to its one purpose so a
    // client certificate can never stand in for the broker.
    extensions.push(new x509.ExtendedKeyUsageExtension([req.profile === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth], false));
    const sans = resolveSans(req.sans ?? [], req.subject.commonName, warnings);
    if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans.map(toGeneralName), false));
  }
  extensions.push(new x509.SubjectKeyIdentifierExtension(skid, false));
  const authorityKeyId = req.issuer ? (req.issuer.certificate.subjectKeyIdentifier ?? subjectKeyIdentifierOf(req.issuer.certificate.publicKey)) : skid;
  extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId, false));

  const { key: signingKey, algorithm } = await toSigningCryptoKey(signer);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: subjectName,
    issuer: req.issuer ? req.issuer.certificate.x.subjectName : subjectName,
    notBefore,
    notAfter,
    publicKey: spkiDer(req.subjectKey),
    signingKey,
    signingAlgorithm: algorithm,
    extensions,
  });
  return { certificate: new ParsedCertificate(Buffer.from(cert.rawData)), warnings };
}

/** A positive 128-bit serial: the top bit cleared so DER needs no sign byte, never zero. */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

export function buildName(subject: SubjectInput): x509.Name {
  const cn = subject.commonName?.trim() ?? '';
  if (cn === '') throw new FieldbenchError('pki.bad-subject', 'The common name (CN) is empty. Type a name such as "AIO42 Root CA" or "client42a".');
  if (cn.length > 64) throw new FieldbenchError('pki.bad-subject', 'The common name is longer than 64 characters, which X.509 does not allow. Shorten it.');
  const country = subject.country?.trim();
  if (country && !/^[A-Za-z]{2}$/.test(country)) throw new FieldbenchError('pki.bad-subject', 'The country must be a two-letter code such as "NL" or "US".');
  const rdns: x509.JsonName = [];
  const add = (type: string, value: string | undefined): void => {
    const v = value?.trim();
    if (v) rdns.push({ [type]: [v] });
  };
  add('C', country?.toUpperCase());
  add('ST', subject.state);
  add('L', subject.locality);
  add('O', subject.organization);
  add('OU', subject.organizationalUnit);
  add('CN', cn);
  return new x509.Name(rdns);
}

function resolveSans(input: readonly (string | SubjectAltName)[], commonName: string, warnings: PkiWarning[]): SubjectAltName[] {
  const seen = new Set<string>();
  const out: SubjectAltName[] = [];
  for (const item of input) {
    const san = typeof item === 'string' ? classifySan(item) : item.type === 'other' ? null : classifySan(item.value);
    if (!san) continue;
    const k = `${san.type}:${san.value.toLowerCase()}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(san);
    }
  }
  if (out.length > 0) return out;
  // step's habit: a leaf without SANs carries its subject as the only SAN, so modern clients that ignore
  // the CN can still match it.
  try {
    return [classifySan(commonName)];
  } catch {
    warnings.push({ code: 'no-sans', message: `The certificate has no subject alternative names and "${commonName}" cannot be one. Clients that check host names will reject it.` });
    return [];
  }
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
