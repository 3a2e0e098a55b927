import { z } from 'zod';
import { defineCall } from './define';

// The exports area: certificates (and, only when asked and confirmed, their keys) handed to the tool at
// the other end. Nothing below carries key material back to the caller: plans and results name files,
// roles and certificates; the bytes go to disk in main (or to a one-time download the host serves).

/** Every target, with the one line `fieldbench export --help` and the Exports screen show. */
export const EXPORT_TARGETS = {
  pem: 'PEM certificate (leaf, bundle or full chain), the CA and the key (PKCS#8, encrypted with a passphrase)',
  der: 'DER certificates and their CAs, for OPC UA trust lists',
  pkcs12: 'PKCS#12 (.p12) with key and chain: AES-256-CBC, SHA-256 MAC',
  'pkcs12-legacy': 'PKCS#12 for older devices: 3DES, SHA-1 MAC',
  'node-red': 'Node-RED flow (mqtt-broker + tls-config, test publish and subscribe) plus the PEM files',
  litmus: 'Litmus Edge "MQTT over SSL" connector files and the matching X.509 BrokerAuthentication',
  mqttx: 'MQTTX connection file (Import data → JSON) with the certificate files it points to',
  mosquitto: 'files, mosquitto_pub/mosquitto_sub lines and a mosquitto.conf listener block',
  kubernetes: 'Secret, ConfigMap, BrokerListener and BrokerAuthentication YAML with the kubectl commands',
  keyvault: 'hex-encoded secrets with the az keyvault commands and the secret store extension objects',
  iotedge: 'IoT Edge identity and edge CA files, trust bundle, config.toml sections and thumbprints',
} as const;

export const ExportTarget = z.enum(Object.keys(EXPORT_TARGETS) as [keyof typeof EXPORT_TARGETS, ...(keyof typeof EXPORT_TARGETS)[]]);
/** leaf alone; bundle = leaf + issuing intermediates (tls.crt, step --bundle); full adds the root. */
export const ExportChain = z.enum(['leaf', 'bundle', 'full']);
export const ExportFileRole = z.enum(['certificate', 'chain', 'key', 'ca', 'pkcs12', 'flow', 'config', 'commands', 'yaml', 'readme']);

/** Renderer DOM event: another area asks the Exports area to open with one certificate picked (features do not import each other). */
export const EXPORT_CERTIFICATE_EVENT = 'fieldbench:export-certificate';

/** Most certificates one export takes. */
export const EXPORT_MAX_CERTIFICATES = 50;

const CertificateRef = z.string().min(1).max(200);
const Host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'A host is a name or an IP address, e.g. 192.168.2.196 or mqtts-endpoint.');

export const ExportRequest = z
  .object({
    target: ExportTarget,
    /** Vault certificate ids, in order; the first leaf is the one a connection file is for. */
    certificateIds: z.array(CertificateRef).min(1, 'Pick at least one certificate to export.').max(EXPORT_MAX_CERTIFICATES),
    /** The CA that verifies the broker; defaults to the root of a server certificate in the selection. */
    caId: CertificateRef.optional(),
    chain: ExportChain.default('bundle'),
    /** Private keys come along only with this set, and only after the person confirmed them (see write). */
    includeKey: z.boolean().default(false),
    /** Encrypts keys (PKCS#8) and is the PKCS#12 password. Never logged, never returned. */
    passphrase: z.string().min(1).max(1024).optional(),
    /** Where the broker is reached, for targets that describe a connection. */
    broker: z.object({ host: Host, port: z.number().int().min(1).max(65_535) }).strict().optional(),
    /** TLS server name to check when the broker is reached by an address its certificate does not list. */
    servername: Host.optional(),
    /** Where the files will live on the machine that uses them (file-path variants); defaults to the folder written. */
    filesAt: z.string().min(1).max(1024).optional(),
  })
  .strict();

export const PlannedFile = z.object({
  path: z.string(),
  role: ExportFileRole,
  /** Common name of the certificate the file belongs to. */
  certificate: z.string(),
  encrypted: z.boolean(),
  /** Holds a private key (or a PKCS#12 with one): written 0600. */
  secret: z.boolean(),
  /** One sentence for the person: what the file is for at the other end. */
  purpose: z.string(),
});

export const KeyLeaving = z.object({ certificateId: z.string(), commonName: z.string() });

export const ExportPlan = z.object({
  target: ExportTarget,
  title: z.string(),
  files: z.array(PlannedFile),
  /** Keys that leave with this export: the confirm step names exactly these. */
  keys: z.array(KeyLeaving),
  /** PKCS#12 needs a passphrase; keys are encrypted when one is given. */
  passphraseRequired: z.boolean(),
  notes: z.array(z.string()),
});

export const ExportWriteRequest = ExportRequest.extend({
  /** A folder that must not exist yet (or, with zip, the .zip file to create). */
  out: z.string().min(1).max(4096),
  zip: z.boolean().default(false),
  /** Ids of the certificates whose keys the person confirmed; must name every key the plan lists. */
  confirmedKeys: z.array(CertificateRef).max(EXPORT_MAX_CERTIFICATES).default([]),
}).strict();

/** Most certificates a per-device bundle export takes: a site's sensors issued from one list. */
export const EXPORT_MAX_BULK = 5000;

/** One bundle per certificate (a folder or zip entry named after its CN) and a summary CSV, from one request. */
export const ExportEachRequest = ExportWriteRequest.extend({
  certificateIds: z.array(CertificateRef).min(1, 'Pick at least one certificate to export.').max(EXPORT_MAX_BULK),
  confirmedKeys: z.array(CertificateRef).max(EXPORT_MAX_BULK).default([]),
}).strict();

export const ExportEachResult = z.object({
  target: ExportTarget,
  path: z.string(),
  /** Per certificate: its folder (inside `path`) and how many files it holds. */
  bundles: z.array(z.object({ certificateId: z.string(), commonName: z.string(), folder: z.string(), files: z.number().int() })),
  /** device_id, serial, SHA-1 and SHA-256 thumbprints (IoT Hub's format), not_after. */
  summary: z.string(),
  keys: z.number().int(),
});

export const ExportResult = z.object({
  target: ExportTarget,
  /** The folder or zip written. */
  path: z.string(),
  files: z.array(PlannedFile),
  keys: z.array(KeyLeaving),
  notes: z.array(z.string()),
});

/** Desktop: where the export goes is chosen in the system's dialog, so the request carries no path. */
export const ExportSaveRequest = ExportRequest.extend({
  zip: z.boolean().default(false),
  confirmedKeys: z.array(CertificateRef).max(EXPORT_MAX_CERTIFICATES).default([]),
}).strict();
/** What the window learns: whether something was written and the name of what was (never the bytes). */
export const ExportSaveResult = z.discriminatedUnion('saved', [
  z.object({ saved: z.literal(false) }),
  ExportResult.omit({ path: true }).extend({ saved: z.literal(true), displayName: z.string() }),
]);

export const ExportDownloadRequest = ExportRequest.extend({ confirmedKeys: z.array(CertificateRef).max(EXPORT_MAX_CERTIFICATES).default([]) }).strict();
/** Where the loopback host serves the zip once; the page navigates there, its script never reads the bytes. */
export const EXPORT_DOWNLOAD_PATH = '/download/';

export const ExportLogEntry = z.object({
  at: z.string(),
  target: ExportTarget,
  path: z.string(),
  certificates: z.array(z.string()),
  keys: z.array(z.string()),
  encrypted: z.boolean(),
});

export const exportsCalls = {
  /** The targets with one line each. */
  'exports.targets': defineCall({
    request: z.object({}).strict(),
    response: z.object({ targets: z.array(z.object({ id: ExportTarget, summary: z.string() })) }),
    summary: 'List the export targets.',
  }),
  /** The exact files an export would write, their roles and what each is for, and which keys would leave. Writes nothing. */
  'exports.plan': defineCall({ request: ExportRequest, response: ExportPlan, summary: 'Show the files an export would write.' }),
  /**
   * Writes the export into a new folder (or zip) with a README and manifest.json. Refuses when keys would
   * leave that `confirmedKeys` does not name. Every export with a key is added to the export log.
   */
  'exports.write': defineCall({ request: ExportWriteRequest, response: ExportResult, summary: 'Write an export to a new folder or zip.' }),
  /**
   * Loopback host only: builds the export as one zip in main and returns a one-time URL the host serves
   * it at (two minutes, once), so the bytes reach the browser's downloads without page script reading them.
   */
  'exports.download': defineCall({
    request: ExportDownloadRequest,
    response: ExportResult.extend({ url: z.string(), fileName: z.string() }),
    summary: 'Prepare an export as a one-time download (loopback host).',
  }),
  /**
   * Desktop only: main asks in the system's dialog for the folder (or, with zip, the new .zip file), writes
   * the export there as exports.write does, and returns only the display name of what it wrote.
   * Cancelling the dialog writes nothing.
   */
  'exports.saveWithDialog': defineCall({ request: ExportSaveRequest, response: ExportSaveResult, summary: 'Choose where in the system dialog, then write the export there (desktop).' }),
  /** Exports that carried keys: what left and where, newest last. */
  /** One bundle per certificate in a new folder (or one zip), plus summary.csv; keys only when confirmed, like write. */
  'exports.writeEach': defineCall({ request: ExportEachRequest, response: ExportEachResult, summary: 'Write one export per certificate (bulk), with a summary CSV.', job: true }),
  'exports.log': defineCall({
    request: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    response: z.object({ entries: z.array(ExportLogEntry) }),
    summary: 'Show which keys left the vault and where.',
  }),
} as const;

export const exportsEvents = {} as const;

export type ExportTargetT = z.output<typeof ExportTarget>;
export type ExportChainT = z.output<typeof ExportChain>;
export type ExportFileRoleT = z.output<typeof ExportFileRole>;
export type ExportRequestT = z.output<typeof ExportRequest>;
export type ExportWriteRequestT = z.output<typeof ExportWriteRequest>;
export type ExportPlanT = z.output<typeof ExportPlan>;
export type PlannedFileT = z.output<typeof PlannedFile>;
export type ExportResultT = z.output<typeof ExportResult>;
export type ExportSaveRequestT = z.output<typeof ExportSaveRequest>;
export type ExportSaveResultT = z.output<typeof ExportSaveResult>;
export type ExportLogEntryT = z.output<typeof ExportLogEntry>;
export type ExportEachRequestT = z.output<typeof ExportEachRequest>;
export type ExportEachResultT = z.output<typeof ExportEachResult>;
