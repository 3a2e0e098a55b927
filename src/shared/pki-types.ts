/**
 * Plain types for what the PKI engine hands to the UI, the CLI and the contract. Summaries only: no key
 * material ever appears in these shapes. No runtime imports here.
 */

/** Key algorithms Fieldbench generates. EC P-256 is the default (step CLI's habit). */
export type KeyAlgorithm = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ed25519';

/** The family the AIO broker cares about: a client chain must not mix EC and RSA. */
export type KeyFamily = 'ec' | 'rsa' | 'ed25519' | 'other';

/** How a certificate was made: root/intermediate CAs, server or client leaves, or anything imported. */
export type CertificateRole = 'root' | 'intermediate' | 'server' | 'client' | 'leaf';

/** Status colours in the tree and the expiry overview; "expiring" means within 30 days. */
export type CertificateStatus = 'valid' | 'expiring' | 'expired' | 'not-yet-valid' | 'revoked';

/** A validity either in days or in hours (the seeds use 72000h, 2400h and 3000 days). */
export type ValidityInput = { days: number } | { hours: number };

/** Explicit start and end (ISO dates), for test certificates: back-dated, expired, not yet valid. */
export interface ValidityDates {
  notBefore?: string | undefined;
  notAfter?: string | undefined;
}

export interface SubjectInput {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  state?: string;
  locality?: string;
}

/** RFC 5280 CRL reasons the UI offers. */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'privilegeWithdrawn';

export interface RevocationInfo {
  reason: RevocationReason;
  /** ISO 8601. */
  date: string;
}

export type SanType = 'dns' | 'ip' | 'email' | 'uri' | 'other';

export interface SubjectAltName {
  type: SanType;
  value: string;
}

/** What a list row, a tree node or a detail header shows. */
export interface CertificateSummary {
  id: string;
  role: CertificateRole;
  commonName: string;
  /** OpenSSL one-line style, `CN = x, O = y`, as the AIO broker's attribute matching writes it. */
  subject: string;
  issuer: string;
  /** Id of the issuing certificate when it is in the vault (self for roots). */
  issuerId: string | null;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  /** Whole days left until notAfter (negative once expired). */
  daysLeft: number;
  status: CertificateStatus;
  isCa: boolean;
  pathLength: number | null;
  keyAlgorithm: string;
  keyFamily: KeyFamily;
  /** Whether the vault holds the matching private key (the key itself never leaves main). */
  hasPrivateKey: boolean;
  sans: SubjectAltName[];
  fingerprintSha1: string;
  fingerprintSha256: string;
  source: 'created' | 'imported';
  revoked: RevocationInfo | null;
  /** Id of the certificate this one renewed, if any. */
  renewedFrom: string | null;
  createdAt: string;
}

/** Everything a technician reads in `openssl x509 -text`, plus fingerprints in both notations. */
export interface CertificateInspection {
  version: number;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  signatureAlgorithm: string;
  publicKey: { family: KeyFamily; algorithm: string; bits: number | null; curve: string | null };
  /** The key's numbers in openssl's lowercase hex (see the contract's CertificateInspection). */
  publicNumbers: { modulusHex: string | null; exponent: number | null; pointHex: string | null; curveOid: string | null };
  signatureHex: string;
  basicConstraints: { ca: boolean; pathLength: number | null; critical: boolean } | null;
  keyUsage: string[];
  keyUsageCritical: boolean;
  extendedKeyUsage: string[];
  subjectAltNames: SubjectAltName[];
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  selfSigned: boolean;
  fingerprints: {
    /** Uppercase hex, no colons: the IoT Hub / IoT Edge thumbprint format. */
    sha1: string;
    sha256: string;
    sha1Colon: string;
    sha256Colon: string;
  };
}

export interface CertificateDetail {
  summary: CertificateSummary;
  inspection: CertificateInspection;
  validation: ChainValidation;
}

/** Named validation findings; each comes with a sentence in `message`. */
export type ValidationCode =
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'bad-signature'
  | 'path-length-exceeded'
  | 'missing-intermediate'
  | 'not-a-ca'
  | 'untrusted-root'
  | 'revoked'
  | 'ca-key-usage'
  | 'mixed-key-families';

export interface ValidationIssue {
  code: ValidationCode;
  severity: 'error' | 'warning';
  message: string;
  /** Subject of the certificate the finding is about. */
  subject: string;
  certificateId: string | null;
}

export interface ChainLink {
  id: string | null;
  subject: string;
  fingerprintSha256: string;
}

export interface ChainValidation {
  valid: boolean;
  /** Leaf first, root last (as far as it could be built). */
  chain: ChainLink[];
  issues: ValidationIssue[];
}

export interface PkiWarning {
  code: 'mixed-key-families' | 'validity-clamped' | 'no-sans';
  message: string;
}

export interface IssueResult {
  certificate: CertificateSummary;
  warnings: PkiWarning[];
}

export interface BatchIssueResult {
  certificates: CertificateSummary[];
  warnings: PkiWarning[];
}

export interface PkiTreeNode {
  certificate: CertificateSummary;
  children: PkiTreeNode[];
  /** Why the chain from this certificate to a vault root does not validate (absent when it does). */
  chainProblem?: string;
}

export interface ExpiryEntry {
  id: string;
  commonName: string;
  subject: string;
  role: CertificateRole;
  notAfter: string;
  daysLeft: number;
  status: CertificateStatus;
}

export interface ImportError {
  code: string;
  message: string;
}

export interface ImportFileResult {
  fileName: string;
  certificatesImported: number;
  keysImported: number;
  /** Certificates or keys already in the vault (same SHA-256 fingerprint or same public key). */
  duplicates: number;
  /** Keys that found their certificate (new or already stored). */
  keysMatched: number;
  /** Keys with no certificate in the vault yet; kept, and matched when the certificate arrives. */
  keysUnmatched: number;
  certificateIds: string[];
  errors: ImportError[];
  /** Things skipped on purpose (CSRs, public keys), in sentences. */
  notes: string[];
}

export interface HostCheckResult {
  host: string;
  kind: 'ip' | 'dns';
  valid: boolean;
  message: string;
  sans: SubjectAltName[];
}

export type PkiEncoding = 'pem' | 'der';

/** What a PEM export contains: the certificate alone, leaf + issuer (step's --bundle), leaf + intermediates, or up to the root. */
export type ChainExport = 'none' | 'bundle' | 'chain' | 'full';

export interface PkiDefaults {
  keyAlgorithm: KeyAlgorithm;
  validity: Record<CertificateRole, ValidityInput>;
  expiringWithinDays: number;
}
