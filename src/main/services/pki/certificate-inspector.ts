import type { CertificateInspection } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { ParsedCertificate, colonHex } from './parsed-certificate';
import { readChildren, readTlv, spkiPublicKeyBits } from './der-reader';
import { spkiDer } from './key-generator';

// OpenSSL's own labels, so what Fieldbench shows matches what the technician sees in `openssl x509 -text`.
const KEY_USAGE_LABELS: [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'Digital Signature'],
  [x509.KeyUsageFlags.nonRepudiation, 'Non Repudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'Key Encipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'Data Encipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'Key Agreement'],
  [x509.KeyUsageFlags.keyCertSign, 'Certificate Sign'],
  [x509.KeyUsageFlags.cRLSign, 'CRL Sign'],
  [x509.KeyUsageFlags.encipherOnly, 'Encipher Only'],
  [x509.KeyUsageFlags.decipherOnly, 'Decipher Only'],
];

const EKU_LABELS: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'TLS Web Server Authentication',
  '1.3.6.1.5.5.7.3.2': 'TLS Web Client Authentication',
  '1.3.6.1.5.5.7.3.3': 'Code Signing',
  '1.3.6.1.5.5.7.3.4': 'E-mail Protection',
  '1.3.6.1.5.5.7.3.8': 'Time Stamping',
  '1.3.6.1.5.5.7.3.9': 'OCSP Signing',
  '2.5.29.37.0': 'Any Extended Key Usage',
};

export function keyUsageLabels(flags: number | null): string[] {
  if (flags === null) return [];
  return KEY_USAGE_LABELS.filter(([flag]) => (flags & flag) !== 0).map(([, label]) => label);
}

export function extendedKeyUsageLabel(oid: string): string {
  return EKU_LABELS[oid] ?? oid;
}

/** Everything `openssl x509 -text` shows that a technician checks, plus both fingerprint notations. */
export function inspectCertificate(cert: ParsedCertificate): CertificateInspection {
  const key = cert.keyDescription;
  return {
    version: cert.version,
    subject: cert.subjectLine,
    issuer: cert.issuerLine,
    serialHex: cert.serialHex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    signatureAlgorithm: signatureAlgorithmName(cert),
    publicKey: key,
    publicNumbers: publicNumbers(cert, key.curve),
    signatureHex: signatureBits(cert.der),
    basicConstraints: cert.basicConstraints,
    keyUsage: keyUsageLabels(cert.keyUsageFlags),
    keyUsageCritical: cert.keyUsageCritical,
    extendedKeyUsage: cert.extendedKeyUsage.map(extendedKeyUsageLabel),
    subjectAltNames: cert.sans,
    subjectKeyIdentifier: cert.subjectKeyIdentifier ? colonHex(cert.subjectKeyIdentifier) : null,
    authorityKeyIdentifier: cert.authorityKeyIdentifier ? colonHex(cert.authorityKeyIdentifier) : null,
    selfSigned: cert.selfIssued && safeVerify(cert, cert),
    fingerprints: {
      sha1: cert.sha1Hex,
      sha256: cert.sha256Hex,
      sha1Colon: colonHex(cert.sha1Hex),
      sha256Colon: colonHex(cert.sha256Hex),
    },
  };
}

const ASN1_CURVE: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/** What openssl prints under "Public-Key": the RSA modulus and exponent, or the public point. */
function publicNumbers(cert: ParsedCertificate, curve: string | null): CertificateInspection['publicNumbers'] {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const jwk = key.export({ format: 'jwk' });
    const modulus = Buffer.from(jwk.n ?? '', 'base64url');
    // openssl prints the modulus as a DER INTEGER's content: a leading 00 keeps a set top bit positive.
    const hex = (modulus[0]! & 0x80 ? '00' : '') + modulus.toString('hex');
    return { modulusHex: hex, exponent: Number.parseInt(Buffer.from(jwk.e ?? '', 'base64url').toString('hex') || '0', 16), pointHex: null, curveOid: null };
  }
  const point = Buffer.from(spkiPublicKeyBits(spkiDer(key))).toString('hex');
  return { modulusHex: null, exponent: null, pointHex: point, curveOid: curve ? (ASN1_CURVE[curve] ?? null) : null };
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING } (RFC 5280 §4.1). */
function signatureBits(der: Uint8Array): string {
  const parts = readChildren(der, readTlv(der, 0));
  const bits = parts[2];
  if (!bits || bits.tag !== 0x03) return '';
  return Buffer.from(der.subarray(bits.start + 1, bits.end)).toString('hex');
}

export function signatureAlgorithmName(cert: ParsedCertificate): string {
  const alg = cert.x.signatureAlgorithm as { name?: string; hash?: { name?: string } };
  const hash = (alg.hash?.name ?? '').replace('-', '');
  switch (alg.name) {
    case 'RSASSA-PKCS1-v1_5':
      return `${hash.toLowerCase()}WithRSAEncryption`;
    case 'RSA-PSS':
      return 'rsassaPss';
    case 'ECDSA':
      return `ecdsa-with-${hash}`;
    case 'Ed25519':
      return 'ED25519';
    default:
      return alg.name ?? 'unknown';
  }
}

/** Signature check that treats a malformed or mismatched key as "does not verify". */
export function safeVerify(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return cert.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
