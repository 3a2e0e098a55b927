import { X509Certificate as NodeX509, createHash, type KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import { x509 } from './x509-runtime';
import { describePublicKey, keyFamilyOf, spkiDer } from './key-generator';
import { readChildren, readTlv, spkiPublicKeyBits } from './der-reader';
import type { KeyFamily, SubjectAltName } from '@shared/pki-types';

const SHORT_NAMES: Record<string, string> = { E: 'emailAddress', '1.2.840.113549.1.9.1': 'emailAddress' };

/**
 * One certificate parsed once by both parsers: node:crypto for fingerprints, signatures and host checks,
 * @peculiar/x509 for the extensions node does not expose. Everything here is public material.
 */
export class ParsedCertificate {
  readonly der: Buffer;
  readonly node: NodeX509;
  readonly x: x509.X509Certificate;
  readonly sha256Hex: string;
  readonly sha1Hex: string;
  readonly subjectLine: string;
  readonly issuerLine: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly basicConstraints: { ca: boolean; pathLength: number | null; critical: boolean } | null;
  readonly keyUsageFlags: number | null;
  readonly keyUsageCritical: boolean;
  readonly extendedKeyUsage: string[];
  readonly subjectKeyIdentifier: string | null;
  readonly authorityKeyIdentifier: string | null;
  readonly sans: SubjectAltName[];
  /** 1 or 3 (X.509 v1 certificates carry no extensions at all). */
  readonly version: number;
  private publicKeyCache: KeyObject | undefined;

  constructor(der: Uint8Array) {
    this.der = Buffer.from(der);
    this.node = new NodeX509(this.der);
    this.x = new x509.X509Certificate(this.der);
    this.sha256Hex = createHash('sha256').update(this.der).digest('hex').toUpperCase();
    this.sha1Hex = createHash('sha1').update(this.der).digest('hex').toUpperCase();
    this.subjectLine = opensslOneLine(this.x.subjectName);
    this.issuerLine = opensslOneLine(this.x.issuerName);
    this.notBefore = this.x.notBefore;
    this.notAfter = this.x.notAfter;
    const bc = this.x.getExtension(x509.BasicConstraintsExtension);
    this.basicConstraints = bc ? { ca: bc.ca, pathLength: bc.pathLength ?? null, critical: bc.critical } : null;
    const ku = this.x.getExtension(x509.KeyUsagesExtension);
    this.keyUsageFlags = ku ? ku.usages : null;
    this.keyUsageCritical = ku?.critical ?? false;
    const eku = this.x.getExtension(x509.ExtendedKeyUsageExtension);
    this.extendedKeyUsage = eku ? eku.usages.map(String) : [];
    const skid = this.x.getExtension(x509.SubjectKeyIdentifierExtension);
    this.subjectKeyIdentifier = skid ? skid.keyId.toUpperCase() : null;
    const akid = this.x.getExtension(x509.AuthorityKeyIdentifierExtension);
    this.authorityKeyIdentifier = akid?.keyId ? akid.keyId.toUpperCase() : null;
    const san = this.x.getExtension(x509.SubjectAlternativeNameExtension);
    this.sans = san ? san.names.items.map(toSan) : [];
    this.version = certificateVersion(this.der);
    // Decode the key now: a certificate whose key cannot be read is damaged, and must not enter the vault.
    this.publicKeyCache = this.node.publicKey;
  }

  static fromPem(pem: string): ParsedCertificate {
    const der = pemBody(pem);
    return new ParsedCertificate(der);
  }

  get pem(): string {
    return this.x.toString('pem') + '\n';
  }

  get publicKey(): KeyObject {
    this.publicKeyCache ??= this.node.publicKey;
    return this.publicKeyCache;
  }

  /** SHA-256 over the SPKI: the id keys are matched by. */
  get publicKeyId(): string {
    return createHash('sha256').update(spkiDer(this.publicKey)).digest('hex');
  }

  get keyFamily(): KeyFamily {
    return keyFamilyOf(this.publicKey);
  }

  get keyDescription(): ReturnType<typeof describePublicKey> {
    return describePublicKey(this.publicKey);
  }

  get isCa(): boolean {
    return this.basicConstraints?.ca === true;
  }

  get selfIssued(): boolean {
    return this.node.subject === this.node.issuer;
  }

  get commonName(): string {
    for (const rdn of this.x.subjectName.toJSON()) {
      const cn = rdn['CN'];
      if (cn && cn[0] !== undefined) return cn[0];
    }
    return this.subjectLine;
  }

  get serialHex(): string {
    return this.x.serialNumber.toUpperCase();
  }

  hasKeyUsage(flag: number): boolean {
    return this.keyUsageFlags === null || (this.keyUsageFlags & flag) !== 0;
  }
}

/** OpenSSL's one-line style ("CN = x, O = y"), which the AIO broker's attribute matching uses. */
export function opensslOneLine(name: x509.Name): string {
  return name
    .toJSON()
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([type, values]) => values.map((v) => `${SHORT_NAMES[type] ?? type} = ${escapeValue(v)}`))
        .join(' + '),
    )
    .join(', ');
}

function escapeValue(v: string): string {
  return v.replace(/([,+\\])/g, '\\$1');
}

function toSan(n: x509.GeneralName): SubjectAltName {
  switch (n.type) {
    case 'dns':
      return { type: 'dns', value: n.value };
    case 'ip':
      return { type: 'ip', value: n.value };
    case 'email':
      return { type: 'email', value: n.value };
    case 'url':
      return { type: 'uri', value: n.value };
    default:
      return { type: 'other', value: `${n.type}:${n.value}` };
  }
}

/** SHA-1 over the subjectPublicKey bit string (RFC 5280 method 1), as step and openssl compute SKIDs. */
export function subjectKeyIdentifierOf(key: KeyObject): string {
  return createHash('sha1').update(spkiPublicKeyBits(spkiDer(key))).digest('hex').toUpperCase();
}

export function pemBody(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new FieldbenchError('pki.bad-certificate', 'This text holds no PEM certificate. Paste the block from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

export function colonHex(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}

function certificateVersion(der: Uint8Array): number {
  const cert = readTlv(der, 0);
  const tbs = readChildren(der, cert)[0];
  if (!tbs) return 1;
  const first = readTlv(der, tbs.start);
  if (first.tag !== 0xa0) return 1;
  const int = readTlv(der, first.start);
  return (der[int.end - 1] ?? 0) + 1;
}
