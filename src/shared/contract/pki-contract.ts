import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { CertificateId } from './primitives';
import type * as T from '../pki-types';
import { MAX_BATCH, MAX_VALIDITY_DAYS } from '../pki-rules';

// The PKI area: roots, intermediates, server and client certificates in the vault, their inspection,
// chain validation, import and public exports. Private keys never appear in any schema below: the
// renderer sees summaries, ids and fingerprints; a key leaves main only through an export the person
// confirmed (exports area), never through these calls.

/** Largest file the importer reads (matches MAX_IMPORT_BYTES of the engine; a test keeps them equal). */
export const PKI_MAX_IMPORT_BYTES = 8 * 1024 * 1024;
/** Files per import call; the UI splits larger drops. */
export const PKI_MAX_IMPORT_FILES = 50;
/** Base64 of all files in one import: stays under the loopback host's 64 MiB message limit (WS_MAX_MESSAGE_BYTES). */
export const PKI_MAX_IMPORT_BASE64_TOTAL = 24 * 1024 * 1024;
/** Client certificates per batch (matches the engine's limit). */
export const PKI_MAX_BATCH = MAX_BATCH;
/** Longest validity accepted, in days (matches the engine's limit). */
export const PKI_MAX_VALIDITY_DAYS = MAX_VALIDITY_DAYS;

const Passphrase = z.string().max(1024);

export const KeyAlgorithm = z.enum(['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519']);
export const KeyFamily = z.enum(['ec', 'rsa', 'ed25519', 'other']);
export const CertificateRole = z.enum(['root', 'intermediate', 'server', 'client', 'leaf']);
/** Tree and overview colours; "expiring" means within `expiringWithinDays` (30). */
export const CertificateStatus = z.enum(['valid', 'expiring', 'expired', 'not-yet-valid', 'revoked']);
export const RevocationReason = z.enum(['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn']);
export const SanType = z.enum(['dns', 'ip', 'email', 'uri', 'other']);
/** What a PEM export holds: the certificate, + its issuer (step's --bundle), + intermediates, or up to the root. */
export const ChainExport = z.enum(['none', 'bundle', 'chain', 'full']);
/** The four wizards. */
export const IssueProfile = z.enum(['root', 'intermediate', 'server', 'client']);

/** Days or hours; the seeds use 3000 days, 72000h and 2400h. */
export const Validity = z.union([
  z.object({ days: z.number().int('Give the validity in whole days.').min(1, 'The validity must be at least 1 day.').max(PKI_MAX_VALIDITY_DAYS, `The validity can be at most ${PKI_MAX_VALIDITY_DAYS} days.`) }).strict(),
  z.object({ hours: z.number().int('Give the validity in whole hours.').min(1, 'The validity must be at least 1 hour.').max(PKI_MAX_VALIDITY_DAYS * 24, `The validity can be at most ${PKI_MAX_VALIDITY_DAYS * 24} hours.`) }).strict(),
]);

const NamePart = z.string().max(64, 'X.509 allows at most 64 characters here.');
export const SubjectInput = z
  .object({
    commonName: z.string().trim().min(1, 'Type a common name (CN), e.g. "AIO42 Root CA".').max(64, 'X.509 allows at most 64 characters in the common name.'),
    organization: NamePart.optional(),
    organizationalUnit: NamePart.optional(),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'The country is a two-letter code such as "NL" or "US".').optional(),
    state: NamePart.optional(),
    locality: NamePart.optional(),
  })
  .strict();

export const SubjectAltName = z.object({ type: SanType, value: z.string() });
export const RevocationInfo = z.object({ reason: RevocationReason, date: z.string() });

/** A list row, tree node or detail header. Fingerprints are uppercase hex without colons (IoT Hub's format). */
export const CertificateSummary = z.object({
  id: z.string(),
  role: CertificateRole,
  commonName: z.string(),
  /** OpenSSL one-line style, `CN = x, O = y`, as the AIO broker's attribute matching writes it. */
  subject: z.string(),
  issuer: z.string(),
  /** The issuing certificate when it is in the vault (its own id for a root); null for an orphan. */
  issuerId: z.string().nullable(),
  serialHex: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  /** Whole days left (negative once expired). */
  daysLeft: z.number(),
  status: CertificateStatus,
  isCa: z.boolean(),
  pathLength: z.number().nullable(),
  /** "EC P-256", "RSA 4096", "Ed25519". */
  keyAlgorithm: z.string(),
  keyFamily: KeyFamily,
  /** Whether the vault holds the matching private key; the key itself never leaves main. */
  hasPrivateKey: z.boolean(),
  sans: z.array(SubjectAltName),
  fingerprintSha1: z.string(),
  fingerprintSha256: z.string(),
  source: z.enum(['created', 'imported']),
  revoked: RevocationInfo.nullable(),
  renewedFrom: z.string().nullable(),
  createdAt: z.string(),
});

/** Every field a technician reads in `openssl x509 -text`, with OpenSSL's labels, plus both fingerprint notations. */
export const CertificateInspection = z.object({
  version: z.number(),
  subject: z.string(),
  issuer: z.string(),
  serialHex: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  signatureAlgorithm: z.string(),
  publicKey: z.object({ family: KeyFamily, algorithm: z.string(), bits: z.number().nullable(), curve: z.string().nullable() }),
  /**
   * The key's numbers as openssl prints them (lowercase hex): an RSA modulus (with openssl's leading 00 when
   * the top bit is set) and exponent, an EC or Ed25519 public point, the curve's ASN.1 name (prime256v1).
   */
  publicNumbers: z.object({ modulusHex: z.string().nullable(), exponent: z.number().nullable(), pointHex: z.string().nullable(), curveOid: z.string().nullable() }),
  /** The signature bits over the certificate, lowercase hex ("Signature Value"). */
  signatureHex: z.string(),
  basicConstraints: z.object({ ca: z.boolean(), pathLength: z.number().nullable(), critical: z.boolean() }).nullable(),
  keyUsage: z.array(z.string()),
  keyUsageCritical: z.boolean(),
  extendedKeyUsage: z.array(z.string()),
  subjectAltNames: z.array(SubjectAltName),
  subjectKeyIdentifier: z.string().nullable(),
  authorityKeyIdentifier: z.string().nullable(),
  selfSigned: z.boolean(),
  fingerprints: z.object({ sha1: z.string(), sha256: z.string(), sha1Colon: z.string(), sha256Colon: z.string() }),
});

export const ValidationCode = z.enum([
  'expired',
  'not-yet-valid',
  'wrong-issuer',
  'bad-signature',
  'path-length-exceeded',
  'missing-intermediate',
  'not-a-ca',
  'untrusted-root',
  'revoked',
  'ca-key-usage',
  'mixed-key-families',
]);

/** One named problem on a chain, with a sentence saying what to do. */
export const ValidationIssue = z.object({
  code: ValidationCode,
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  subject: z.string(),
  certificateId: z.string().nullable(),
});

export const ChainLink = z.object({ id: z.string().nullable(), subject: z.string(), fingerprintSha256: z.string() });

export const ChainValidation = z.object({
  valid: z.boolean(),
  /** Leaf first, root last, as far as it could be built. */
  chain: z.array(ChainLink),
  issues: z.array(ValidationIssue),
});

export const CertificateDetail = z.object({ summary: CertificateSummary, inspection: CertificateInspection, validation: ChainValidation });

export const PkiWarning = z.object({ code: z.enum(['mixed-key-families', 'validity-clamped', 'no-sans']), message: z.string() });
export const IssueResult = z.object({ certificate: CertificateSummary, warnings: z.array(PkiWarning) });
export const BatchIssueResult = z.object({ certificates: z.array(CertificateSummary), warnings: z.array(PkiWarning) });

export interface PkiTreeNodeShape {
  certificate: z.output<typeof CertificateSummary>;
  children: PkiTreeNodeShape[];
  chainProblem?: string | undefined;
}
/** Root (or an orphan whose issuer is not in the vault) → intermediates → leaves. */
export const PkiTreeNode: z.ZodType<PkiTreeNodeShape> = z.object({
  certificate: CertificateSummary,
  get children() {
    return z.array(PkiTreeNode);
  },
  /** Why the chain to a vault root does not validate (expired CA, missing intermediate, …); absent when it does. */
  chainProblem: z.string().optional(),
});

export const ExpiryEntry = z.object({
  id: z.string(),
  commonName: z.string(),
  subject: z.string(),
  role: CertificateRole,
  notAfter: z.string(),
  daysLeft: z.number(),
  status: CertificateStatus,
});

export const ImportError = z.object({ code: z.string(), message: z.string() });

/** One dropped or picked file's outcome; a file with errors still imports what it could read. */
export const ImportFileResult = z.object({
  fileName: z.string(),
  certificatesImported: z.number(),
  keysImported: z.number(),
  /** Certificates or keys already in the vault. */
  duplicates: z.number(),
  /** Keys that found their certificate. */
  keysMatched: z.number(),
  /** Keys kept without a certificate yet; matched when the certificate arrives. */
  keysUnmatched: z.number(),
  certificateIds: z.array(z.string()),
  errors: z.array(ImportError),
  /** Things skipped on purpose (CSRs, public keys), in sentences. */
  notes: z.array(z.string()),
});

export const HostCheckResult = z.object({
  host: z.string(),
  kind: z.enum(['ip', 'dns']),
  valid: z.boolean(),
  message: z.string(),
  sans: z.array(SubjectAltName),
});

/** What a wizard shows for a profile before anything is issued. */
export const ProfileDefaults = z.object({
  validity: Validity,
  isCa: z.boolean(),
  pathLength: z.number().nullable(),
  /** OpenSSL labels; leaves add Key Encipherment for RSA keys. */
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
});

export const PkiDefaults = z.object({
  keyAlgorithm: KeyAlgorithm,
  keyAlgorithms: z.array(
    z.object({
      id: KeyAlgorithm,
      label: z.string(),
      family: KeyFamily,
      /** Takes seconds; the UI shows progress and a cancel button. */
      slow: z.boolean(),
    }),
  ),
  validity: z.record(CertificateRole, Validity),
  profiles: z.object({ root: ProfileDefaults, intermediate: ProfileDefaults, server: ProfileDefaults, client: ProfileDefaults }),
  expiringWithinDays: z.number(),
  maxValidityDays: z.number(),
  maxBatch: z.number(),
  maxImportBytes: z.number(),
  maxImportFiles: z.number(),
  revocationReasons: z.array(RevocationReason),
});

/** Which form field a preview problem belongs to, so the wizard can put the sentence under it. */
export const PreviewField = z.enum(['commonName', 'subject', 'country', 'issuerId', 'validity', 'sans', 'clientIds', 'keyAlgorithm']);
export const PreviewProblem = z.object({ code: z.string(), field: PreviewField, message: z.string() });

/** One certificate as it would be issued (no key is generated for a preview). */
export const PreviewCertificate = z.object({
  commonName: z.string(),
  subject: z.string(),
  issuer: z.string(),
  issuerId: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  /** The requested validity was shortened to the issuer's expiry. */
  validityClamped: z.boolean(),
  isCa: z.boolean(),
  pathLength: z.number().nullable(),
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
  /** As typed automatically: IP → IP Address, '@' → email, scheme → URI, else DNS; the CN when none. */
  sans: z.array(SubjectAltName),
  keyAlgorithm: KeyAlgorithm,
  keyAlgorithmLabel: z.string(),
  keyFamily: KeyFamily,
});

export const PreviewResult = z.object({
  profile: IssueProfile,
  /** False while any problem remains; the wizard's Create button follows it. */
  canIssue: z.boolean(),
  problems: z.array(PreviewProblem),
  warnings: z.array(PkiWarning),
  certificates: z.array(PreviewCertificate),
  keyGeneration: z.object({ algorithm: KeyAlgorithm, label: z.string(), count: z.number(), slow: z.boolean() }),
});

export const ImportFile = z
  .object({
    name: z.string().min(1).max(255),
    /** The file's bytes, Base64. Check `maxImportBytes` from pki.defaults before sending. */
    dataBase64: z.string().max(Math.ceil(PKI_MAX_IMPORT_BYTES / 3) * 4 + 4, `A file can be at most ${PKI_MAX_IMPORT_BYTES / 1048576} MB.`),
    /** For encrypted keys and PKCS#12; never echoed back or logged. */
    passphrase: Passphrase.optional(),
  })
  .strict();

export const InspectedCertificate = z.object({
  inspection: CertificateInspection,
  commonName: z.string(),
  role: CertificateRole,
  status: CertificateStatus,
  daysLeft: z.number(),
  /** The same certificate's id when it is already in the unlocked vault. */
  vaultId: z.string().nullable(),
});

/** An ISO date as typed; pki-rules parses it (parseIsoDate) so the form and the engine refuse the same text. */
const IsoDateText = z.string().min(1).max(40);
/** Explicit dates for test certificates (back-dated, expired); "not after" replaces the validity. */
const DatesCommon = { notBefore: IsoDateText.optional(), notAfter: IsoDateText.optional() };
const CreateCommon = {
  keyAlgorithm: KeyAlgorithm.optional(),
  validity: Validity.optional(),
  ...DatesCommon,
};
const SignedCommon = {
  ...CreateCommon,
  issuerId: CertificateId,
  /** Shorten the validity to the CA's expiry instead of refusing. */
  clampToIssuer: z.boolean().optional(),
  /** Issue a key family other than the CA chain's; without it a mixed EC/RSA chain is refused (the AIO broker rejects it). */
  allowMixedKeyFamilies: z.boolean().optional(),
};

// Preview takes what a half-filled form holds: the engine's rules answer with sentences per field.
const LooseSubject = z
  .object({
    commonName: z.string().max(200).default(''),
    organization: z.string().max(200).optional(),
    organizationalUnit: z.string().max(200).optional(),
    country: z.string().max(20).optional(),
    state: z.string().max(200).optional(),
    locality: z.string().max(200).optional(),
  })
  .strict();
const LooseValidity = z.union([z.object({ days: z.number() }).strict(), z.object({ hours: z.number() }).strict()]);

/** A device list for bulk issuance: the pasted text or file content, and defaults for what a row leaves out. */
const ClientListRequest = z
  .object({
    issuerId: z.string().max(200),
    /** One device id per line, or CSV with device_id and optional sans, validity, key, iothub_device_id columns. */
    list: z.string().max(4 * 1024 * 1024, 'A device list can be at most 4 MB. Split it.'),
    organization: z.string().max(200).optional(),
    keyAlgorithm: KeyAlgorithm.optional(),
    validity: Validity.optional(),
    clampToIssuer: z.boolean().optional(),
    allowMixedKeyFamilies: z.boolean().optional(),
  })
  .strict();

export const LineProblem = z.object({ line: z.number(), message: z.string() });

export const PlannedDevice = z.object({
  line: z.number(),
  deviceId: z.string(),
  sans: z.array(SubjectAltName),
  keyAlgorithm: KeyAlgorithm,
  notBefore: z.string(),
  notAfter: z.string(),
  validityClamped: z.boolean(),
  iothubDeviceId: z.string().nullable(),
});

export const IssuedDevice = z.object({
  line: z.number(),
  deviceId: z.string(),
  certificateId: z.string(),
  serialHex: z.string(),
  /** Uppercase hex without colons: IoT Hub's thumbprint format. */
  sha1Thumbprint: z.string(),
  sha256Thumbprint: z.string(),
  notAfter: z.string(),
  iothubDeviceId: z.string().nullable(),
});

export const pkiCalls = {
  /** Key types, validities and profile usages the wizards show before anything is issued. Works while locked. */
  'pki.defaults': defineCall({ request: z.object({}).strict(), response: PkiDefaults, summary: 'Show the defaults the certificate wizards start from.' }),
  /** Every certificate as a tree: roots → intermediates → leaves, with status colours. */
  'pki.list': defineCall({
    request: z.object({}).strict(),
    response: z.object({ tree: z.array(PkiTreeNode), total: z.number(), counts: z.record(CertificateStatus, z.number()) }),
    summary: 'List the certificates in the vault as a tree.',
  }),
  /**
   * A certificate as a person names it (id, common name, or a unique start of an id); `ca` looks among CAs
   * only. Two matches are refused ('ref.ambiguous') with every candidate's id; nothing found, 'ref.notFound'.
   */
  'pki.resolve': defineCall({
    request: z.object({ ref: z.string().min(1).max(256), ca: z.boolean().optional() }).strict(),
    response: CertificateSummary,
    summary: 'Find one certificate by its name or id.',
  }),
  /** Summary, `openssl x509 -text`-grade inspection and chain validation of one certificate. */
  'pki.get': defineCall({ request: z.object({ id: CertificateId }).strict(), response: CertificateDetail, summary: 'Inspect one certificate and validate its chain.' }),
  /** Self-signed root CA (pathlen 1, Certificate Sign + CRL Sign). */
  'pki.createRoot': defineCall({
    request: z.object({ subject: SubjectInput, ...CreateCommon }).strict(),
    response: IssueResult,
    summary: 'Create a root CA.',
    job: true,
  }),
  /** Intermediate CA (pathlen 0) signed by a CA in the vault. */
  'pki.createIntermediate': defineCall({
    request: z.object({ subject: SubjectInput, ...SignedCommon }).strict(),
    response: IssueResult,
    summary: 'Create an intermediate CA signed by a CA in the vault.',
    job: true,
  }),
  /** Server leaf (serverAuth); SANs typed automatically, the CN when none are given. */
  'pki.createServer': defineCall({
    request: z.object({ subject: SubjectInput, sans: z.array(z.string().min(1).max(253)).max(100).default([]), ...SignedCommon }).strict(),
    response: IssueResult,
    summary: 'Create a server certificate (e.g. for the broker listener).',
    job: true,
  }),
  /** Several client leaves (clientAuth, CN = client id) from one form: explicit ids, or a prefix and a count (client42a, client42b…). */
  'pki.createClients': defineCall({
    request: z
      .object({
        clientIds: z.array(z.string().min(1).max(64)).max(PKI_MAX_BATCH).optional(),
        prefix: z.string().min(1).max(60).optional(),
        count: z.number().int().min(1).max(PKI_MAX_BATCH).optional(),
        organization: NamePart.optional(),
        ...SignedCommon,
      })
      .strict(),
    response: BatchIssueResult,
    summary: 'Create client certificates in a batch.',
    job: true,
  }),
  /**
   * What a wizard would issue, without generating a key: subject and issuer lines, validity clamped to the
   * issuer, typed SANs, the profile's usages, warnings (mixed EC/RSA) and per-field problems.
   */
  'pki.preview': defineCall({
    request: z
      .object({
        profile: IssueProfile,
        subject: LooseSubject.optional(),
        issuerId: z.string().max(200).optional(),
        sans: z.array(z.string().max(300)).max(100).optional(),
        clientIds: z.array(z.string().max(200)).max(PKI_MAX_BATCH * 2).optional(),
        prefix: z.string().max(200).optional(),
        count: z.number().int().min(0).max(PKI_MAX_BATCH * 2).optional(),
        organization: z.string().max(200).optional(),
        keyAlgorithm: KeyAlgorithm.optional(),
        validity: LooseValidity.optional(),
        ...DatesCommon,
        clampToIssuer: z.boolean().optional(),
        allowMixedKeyFamilies: z.boolean().optional(),
      })
      .strict(),
    response: PreviewResult,
    summary: 'Preview what a wizard would issue.',
  }),
  /**
   * What a device list would issue, and every problem by line (repeats, ids that are not valid CNs, ids
   * already issued, bad SANs or validities); line 0 is the list as a whole. Generates nothing.
   */
  'pki.planClientList': defineCall({
    request: ClientListRequest,
    response: z.object({ problems: z.array(LineProblem), warnings: z.array(PkiWarning), devices: z.array(PlannedDevice), canIssue: z.boolean() }),
    summary: 'Check a device list before issuing client certificates for it.',
  }),
  /**
   * A client certificate per device of the list, under one CA, in one vault save; refused whole when any
   * line has a problem. Cancelling leaves the vault as it was. The summary CSV carries device id, serial,
   * SHA-1 and SHA-256 thumbprints and not-after.
   */
  'pki.createClientList': defineCall({
    request: ClientListRequest,
    response: z.object({ issued: z.array(IssuedDevice), warnings: z.array(PkiWarning), summaryCsv: z.string() }),
    summary: 'Issue client certificates for a list of devices.',
    job: true,
  }),
  /** PEM/DER certificates and bundles, PKCS#1/PKCS#8/SEC1 keys (encrypted with a passphrase), PKCS#12. One result per file. */
  'pki.import': defineCall({
    request: z
      .object({ files: z.array(ImportFile).min(1, 'Choose at least one file.').max(PKI_MAX_IMPORT_FILES, `Import at most ${PKI_MAX_IMPORT_FILES} files at once.`) })
      .strict()
      .refine((r) => r.files.reduce((n, f) => n + f.dataBase64.length, 0) <= PKI_MAX_IMPORT_BASE64_TOTAL, {
        message: `Import at most ${Math.floor((PKI_MAX_IMPORT_BASE64_TOTAL * 3) / 4 / 1048576)} MB at once; split the files into several imports.`,
        path: ['files'],
      }),
    response: z.object({ results: z.array(ImportFileResult) }),
    summary: 'Import certificate, key, bundle and PKCS#12 files.',
    job: true,
  }),
  /** Reads a file's certificates without storing anything; works without a vault. */
  'pki.inspectFile': defineCall({
    request: ImportFile,
    response: z.object({ fileName: z.string(), certificates: z.array(InspectedCertificate), keysFound: z.number(), errors: z.array(ImportError), notes: z.array(z.string()) }),
    summary: 'Inspect a certificate file without importing it.',
  }),
  /**
   * Re-issues with the same subject (the certificate's exact name), profile and key type; the same SANs
   * unless `sans` gives new ones (typed automatically, as for createServer); a new key unless keepKey.
   */
  'pki.renew': defineCall({
    request: z.object({ id: CertificateId, sans: z.array(z.string().min(1).max(253)).min(1, 'Give at least one SAN, or leave them out to keep the old ones.').max(100).optional(), keepKey: z.boolean().optional(), keyAlgorithm: KeyAlgorithm.optional(), validity: Validity.optional(), ...DatesCommon, clampToIssuer: z.boolean().optional(), allowMixedKeyFamilies: z.boolean().optional() }).strict(),
    response: IssueResult,
    summary: 'Renew a certificate.',
    job: true,
  }),
  /** Marks a certificate revoked; it goes into its CA's next CRL. */
  'pki.revoke': defineCall({
    request: z.object({ id: CertificateId, reason: RevocationReason.default('unspecified') }).strict(),
    response: CertificateSummary,
    summary: 'Mark a certificate revoked.',
  }),
  /** A CRL signed by the CA listing what it revoked, as PEM; the CRL number increases each time. */
  'pki.crl': defineCall({
    request: z.object({ caId: CertificateId, nextUpdateDays: z.number().int().min(1).max(3650).optional() }).strict(),
    response: z.object({ pem: z.string(), revokedCount: z.number(), fileName: z.string() }),
    summary: 'Export a CRL for a CA.',
  }),
  /** Builds and validates a chain against the vault's roots: a vault certificate by id, or a PEM chain as a TLS peer presents it (leaf first). */
  'pki.verify': defineCall({
    request: z.union([z.object({ id: CertificateId }).strict(), z.object({ pem: z.string().min(1).max(2 * 1024 * 1024) }).strict()]),
    response: ChainValidation,
    summary: 'Validate a certificate chain.',
  }),
  /** Would a TLS client accept this certificate for this IP or host name? (SANs only, as modern clients check.) */
  'pki.checkHost': defineCall({
    request: z.object({ id: CertificateId, host: z.string().trim().min(1, 'Type a host name or IP address.').max(253) }).strict(),
    response: HostCheckResult,
    summary: 'Check a certificate against an IP address or host name.',
  }),
  /** Every certificate, soonest expiry first. */
  'pki.expiry': defineCall({
    request: z.object({}).strict(),
    response: z.object({ entries: z.array(ExpiryEntry), expiringWithinDays: z.number() }),
    summary: 'Show what expires first.',
  }),
  /** The certificate or its chain as PEM. Public material only. */
  'pki.exportPem': defineCall({
    request: z.object({ id: CertificateId, chain: ChainExport.default('none') }).strict(),
    response: z.object({ pem: z.string(), count: z.number(), fileName: z.string() }),
    summary: 'Export a certificate or chain as PEM.',
  }),
  /** Removes a certificate, and its key when nothing else uses it. Certificates it issued stay, as orphans. */
  'pki.remove': defineCall({
    request: z.object({ id: CertificateId }).strict(),
    response: z.object({ id: z.string(), orphaned: z.number() }),
    summary: 'Remove a certificate from the vault.',
  }),
} as const;

export const pkiEvents = {
  /** The tree changed (a save touched the PKI, or the vault locked or unlocked): windows re-read pki.list. */
  'pki.onChanged': defineEvent({
    payload: z.object({ reason: z.enum(['saved', 'locked', 'unlocked']) }),
    summary: 'The certificates in the vault changed.',
  }),
} as const;

// The engine's plain types and these schemas must describe the same shapes: drift fails the typecheck.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<X extends true> = X;
export type PkiContractMatchesEngine = [
  Assert<Same<z.output<typeof CertificateSummary>, T.CertificateSummary>>,
  Assert<Same<z.output<typeof CertificateInspection>, T.CertificateInspection>>,
  Assert<Same<z.output<typeof ChainValidation>, T.ChainValidation>>,
  Assert<Same<z.output<typeof ImportFileResult>, T.ImportFileResult>>,
  Assert<Same<z.output<typeof HostCheckResult>, T.HostCheckResult>>,
  Assert<Same<z.output<typeof ExpiryEntry>, T.ExpiryEntry>>,
  Assert<Same<z.output<typeof PkiWarning>, T.PkiWarning>>,
  Assert<Same<z.output<typeof KeyAlgorithm>, T.KeyAlgorithm>>,
  Assert<Same<z.output<typeof RevocationReason>, T.RevocationReason>>,
  Assert<Same<z.output<typeof ChainExport>, T.ChainExport>>,
];
