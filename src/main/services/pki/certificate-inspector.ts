import type { CertificateInspection } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { ParsedCertificate, colonHex } from './parsed-certificate';

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
