import { X509Certificate } from 'node:crypto';
import type { BundleCertificateT } from '@shared/contract/aio-contract';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate block in a PEM text, normalised to end with a newline. */
export function splitPemCertificates(text: string): string[] {
  return (text.match(PEM_CERT) ?? []).map((b) => `${b.trim()}\n`);
}

/** Parses what it can; a block that is not a certificate is skipped rather than failing the whole bundle. */
export function parseCertificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of splitPemCertificates(text)) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // A damaged block in someone else's ConfigMap is reported by the caller as "no certificates".
    }
  }
  return out;
}

/** 'ec' | 'rsa' | 'ed25519' …: the family the broker requires to be the same across a client chain. */
export function keyFamilyOf(cert: X509Certificate): string {
  const t = cert.publicKey.asymmetricKeyType ?? 'unknown';
  return t === 'rsa-pss' ? 'rsa' : t;
}

/** OpenSSL one-line style (`CN = name, O = org`), the way the broker's attribute matching writes subjects. */
export function opensslSubject(dn: string): string {
  return dn
    .split('\n')
    .filter(Boolean)
    .map((part) => {
      const i = part.indexOf('=');
      return i < 0 ? part : `${part.slice(0, i)} = ${part.slice(i + 1)}`;
    })
    .join(', ');
}

export function fingerprint256(cert: X509Certificate): string {
  return cert.fingerprint256.replace(/:/g, '').toLowerCase();
}

export function describeBundleCertificate(cert: X509Certificate): BundleCertificateT {
  return {
    subject: opensslSubject(cert.subject),
    issuer: opensslSubject(cert.issuer),
    fingerprintSha256: fingerprint256(cert),
    notAfter: new Date(cert.validTo).toISOString(),
    isCa: cert.ca,
    selfSigned: cert.subject === cert.issuer && safeVerify(cert, cert),
    keyFamily: keyFamilyOf(cert),
  };
}

/** True when `issuer` signed `cert` (names match and the signature verifies). */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && safeVerify(cert, issuer);
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** True when some certificate of `chain` is in `trusted` or was signed by one of them. */
export function chainsTo(chain: readonly X509Certificate[], trusted: readonly X509Certificate[]): boolean {
  const prints = new Set(trusted.map(fingerprint256));
  return chain.some((c) => prints.has(fingerprint256(c)) || trusted.some((t) => issuedBy(c, t)));
}
