import type { CertificateRole, RevocationInfo } from '@shared/pki-types';

/** The vault section name the engine owns. */
export const PKI_SECTION = 'pki';

/** What the engine stores in the vault: PEM strings and JSON-safe values only. */
export interface PkiSection {
  version: 1;
  certificates: Record<string, StoredCertificate>;
  /** Keyed by SHA-256 of the public key's SPKI, which is how certificates find their key. */
  keys: Record<string, StoredKey>;
  /** Last CRL number issued per CA id (CRL numbers must increase). */
  crlNumbers: Record<string, number>;
}

export interface StoredCertificate {
  id: string;
  /** Uppercase hex SHA-256 of the DER, for duplicate detection without parsing. */
  sha256: string;
  pem: string;
  role: CertificateRole;
  source: 'created' | 'imported';
  createdAt: string;
  revoked: RevocationInfo | null;
  renewedFrom: string | null;
}

export interface StoredKey {
  id: string;
  /** PKCS#8 PEM, unencrypted: the vault encrypts the whole section. */
  pkcs8Pem: string;
  createdAt: string;
}

export function emptyPkiSection(): PkiSection {
  return { version: 1, certificates: {}, keys: {}, crlNumbers: {} };
}

/** Short, stable certificate id derived from the fingerprint (so re-importing finds the same id). */
export function certificateIdFor(sha256Hex: string): string {
  return `c-${sha256Hex.slice(0, 20).toLowerCase()}`;
}
