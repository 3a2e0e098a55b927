import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { CaSource, ErrorSummary, MqttVersion, SatTokenSource } from './mqtt-contract';
import { Id } from './primitives';

// The listener matrix, apart from the MQTT client's contract: every listener of a broker checked at once —
// connect, TLS, auth, and cross-delivery of a probe from each listener to every other one. The result is a
// document (format + version) the commissioning report reuses.

/** How the matrix authenticates on one endpoint. */
export const MatrixAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }).strict(),
  /** X.509: a client certificate from the vault (leaf + intermediates sent, the key stays in main). */
  z.object({ method: z.literal('x509'), certificateId: Id }).strict(),
  /** K8S-SAT: the token from a file, or minted through the node's TokenRequest. */
  z.object({ method: z.literal('sat'), token: SatTokenSource }).strict(),
]);

/** How the endpoint is reached: directly, or through an SSH tunnel from a node (ClusterIp listeners). */
export const MatrixRoute = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('direct') }).strict(),
  /** host/port are as seen from the node; Fieldbench forwards a local port to them over SSH. */
  z.object({ kind: z.literal('sshTunnel'), nodeId: Id }).strict(),
]);

/** One endpoint given by hand (brokers without discovery, or extra addresses). */
export const MatrixEndpointInput = z
  .object({
    name: z.string().min(1).max(200).optional(),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    tls: z.boolean().default(false),
    /** CA the server certificate must chain to; default the system's public CAs. */
    ca: CaSource.optional(),
    /** SNI and the name checked against the certificate (for tunnels and IP addresses). */
    servername: z.string().min(1).max(253).optional(),
    auth: MatrixAuth.default({ method: 'none' }),
    mqttVersion: MqttVersion.default('5.0'),
    route: MatrixRoute.default({ kind: 'direct' }),
  })
  .strict();

/** Where the matrix gets its listeners from: a node's AIO discovery, or explicit endpoints. */
const MatrixSourceFields = {
  nodeId: Id.optional(),
  /** AIO namespace on the node. */
  namespace: z.string().min(1).max(63).default('azure-iot-operations'),
  /** Vault CA for the listeners' server certificates when discovery cannot tell (default: the cluster's trust bundle imported into the vault, if present). */
  caCertificateId: Id.optional(),
  /** Vault client certificate for X.509 listeners; default: one whose chain the listener's trustedClientCaCert trusts. */
  clientCertificateId: Id.optional(),
  /** Service account whose token is minted for SAT listeners (namespace = the AIO namespace). */
  serviceAccount: z.string().min(1).max(253).default('default'),
  endpoints: z.array(MatrixEndpointInput).max(64).optional(),
};
const oneSource = (r: { nodeId?: string | undefined; endpoints?: unknown[] | undefined }) => (r.nodeId === undefined) !== (r.endpoints === undefined);
const oneSourceMessage = 'Give either nodeId (listeners from the node\'s AIO discovery) or endpoints.';

export const MatrixPlanRequest = z.object(MatrixSourceFields).strict().refine(oneSource, oneSourceMessage);

/** One endpoint the matrix will test, resolved from discovery or from the input. */
export const MatrixTarget = z.object({
  id: z.string(),
  /** "aio-broker-lb :18884 (LoadBalancer 10.0.0.5)" */
  label: z.string(),
  listener: z.string().optional(),
  serviceType: z.string().optional(),
  host: z.string(),
  port: z.number().int(),
  tls: z.boolean(),
  ca: CaSource.optional(),
  servername: z.string().optional(),
  auth: MatrixAuth,
  mqttVersion: MqttVersion,
  route: MatrixRoute,
  /** Sentence on how the endpoint is reached and why this auth was chosen. */
  notes: z.array(z.string()),
});

export const MatrixPlan = z.object({
  nodeId: z.string().optional(),
  targets: z.array(MatrixTarget),
  /** Listener ports that cannot be tested from here, each with the reason. */
  skipped: z.array(z.object({ listener: z.string(), port: z.number().int(), reason: z.string() })),
  warnings: z.array(z.string()),
});

export const MatrixRunRequest = z
  .object({
    ...MatrixSourceFields,
    /** Per-endpoint connect timeout. */
    connectTimeoutSeconds: z.number().int().min(1).max(60).default(8),
    /** How long to wait for probes to arrive after the last publish. */
    deliveryTimeoutMs: z.number().int().min(200).max(60_000).default(3000),
  })
  .strict()
  .refine(oneSource, oneSourceMessage);

export const PresentedCertificateSummary = z.object({
  subject: z.string(),
  issuer: z.string(),
  sans: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
  fingerprint256: z.string(),
});

/** A next step the UI can offer beside a diagnosis; `action` prefills the named call. */
export const MatrixFix = z.object({
  label: z.string(),
  action: z
    .discriminatedUnion('call', [
      z.object({ call: z.literal('pki.createServer'), sans: z.array(z.string()), issuerId: z.string().optional() }),
      /** Re-issue a vault certificate; `sans` are the SANs it should list (prefilled, editable), `nodeId` the node whose listener it goes to. */
      z.object({ call: z.literal('pki.renew'), id: z.string(), sans: z.array(z.string()).optional(), nodeId: z.string().optional() }),
      /** Run again trusting this vault CA for the listeners' server certificates. */
      z.object({ call: z.literal('mqtt.useVaultCa'), caId: z.string(), name: z.string() }),
      z.object({ call: z.literal('aio.importTrustBundle'), nodeId: z.string(), name: z.string(), namespace: z.string(), key: z.string(), source: z.enum(['ConfigMap', 'Secret']) }),
      z.object({ call: z.literal('aio.diagnose'), nodeId: z.string() }),
    ])
    .optional(),
});

export const MatrixRow = z.object({
  targetId: z.string(),
  /** Everything below passed and every other connected listener's probe arrived here. */
  ok: z.boolean(),
  connect: z.object({ ok: z.boolean(), ms: z.number().optional(), error: ErrorSummary.optional() }),
  tls: z.object({
    verdict: z.enum(['ok', 'failed', 'notUsed', 'notReached']),
    presentedChain: z.array(PresentedCertificateSummary),
    /** Which known CA (vault or cluster trust bundle) the presented chain leads to, in words. */
    chainsTo: z.string().optional(),
  }),
  auth: z.object({
    method: z.enum(['none', 'x509', 'sat']),
    verdict: z.enum(['accepted', 'refused', 'notReached']),
    /** CONNACK reason (MQTT 5) or return code (3.1.1). */
    reasonCode: z.number().int().optional(),
  }),
  subscribe: z.object({ ok: z.boolean(), reasonCode: z.number().int().optional(), error: ErrorSummary.optional() }).optional(),
  publish: z.object({ ok: z.boolean(), reasonCode: z.number().int().optional(), error: ErrorSummary.optional() }).optional(),
  /** Probes this listener received: from which target, after how long. */
  received: z.array(z.object({ fromTargetId: z.string(), latencyMs: z.number() })),
  /** Targets that published successfully but whose probe never arrived here. */
  missing: z.array(z.string()),
  diagnosis: z.object({ code: z.string(), sentence: z.string(), detail: z.string().optional(), fixes: z.array(MatrixFix) }).optional(),
});

export const MatrixResult = z.object({
  format: z.literal('fieldbench.mqtt-matrix'),
  version: z.literal(1),
  runId: z.string(),
  nodeId: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  probeTopic: z.string(),
  targets: z.array(MatrixTarget),
  rows: z.array(MatrixRow),
  skipped: MatrixPlan.shape.skipped,
  warnings: z.array(z.string()),
  summary: z.object({
    total: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    /** Every connected listener received every published probe. */
    crossDeliveryComplete: z.boolean(),
  }),
  cancelled: z.boolean(),
});

/** An endpoint row as the person typed it in the matrix setup, kept even while half filled in. */
export const MatrixEndpointDraft = z
  .object({
    name: z.string().max(200),
    host: z.string().max(253),
    port: z.string().max(5),
    tls: z.boolean(),
    x509: z.boolean(),
  })
  .strict();
export type MatrixEndpointDraftT = z.infer<typeof MatrixEndpointDraft>;
const MatrixDraftKey = z.object({ nodeId: z.string().min(1).max(64).optional() });

export const mqttMatrixCalls = {
  /** The endpoints typed for the matrix, kept in the vault per node (or for "no node"), so tabs and restarts keep them. */
  'mqtt.matrixEndpoints': defineCall({
    request: MatrixDraftKey.strict(),
    response: z.object({ endpoints: z.array(MatrixEndpointDraft) }),
    summary: 'Show the listener addresses saved for the matrix.',
  }),
  /** Replaces the endpoints kept for that node; an empty list forgets them. */
  'mqtt.saveMatrixEndpoints': defineCall({
    request: MatrixDraftKey.extend({ endpoints: z.array(MatrixEndpointDraft).max(64) }).strict(),
    response: z.object({ saved: z.number().int() }),
    summary: 'Save the listener addresses typed for the matrix.',
  }),
  /** Lists every listener the matrix can reach and how (discovery of a node, or the given endpoints). */
  'mqtt.matrixPlan': defineCall({ request: MatrixPlanRequest, response: MatrixPlan, summary: 'Plan the listener matrix: every reachable listener and its auth.', job: true }),
  /**
   * Connects to every listener, subscribes on all to one probe topic, publishes a probe from each and
   * reports per listener the connect, TLS and auth verdicts, which probes arrived and a diagnosis with
   * fixes. Progress as mqtt.onMatrixProgress; cancel stops it and disconnects everything.
   */
  'mqtt.matrixRun': defineCall({ request: MatrixRunRequest, response: MatrixResult, summary: 'Run the listener matrix.', job: true }),
} as const;

export const mqttMatrixEvents = {
  /** A step of a matrix run; `row` carries a listener's row as soon as it is known (again when it changes). */
  'mqtt.onMatrixProgress': defineEvent({
    payload: z.object({
      runId: z.string(),
      phase: z.enum(['plan', 'connect', 'subscribe', 'publish', 'collect', 'done']),
      message: z.string(),
      fraction: z.number().min(0).max(1),
      targets: z.array(MatrixTarget).optional(),
      row: MatrixRow.optional(),
    }),
    summary: 'Listener matrix progress.',
  }),
} as const;

export type MatrixEndpointInputT = z.output<typeof MatrixEndpointInput>;
export type MatrixAuthT = z.output<typeof MatrixAuth>;
export type MatrixTargetT = z.output<typeof MatrixTarget>;
export type MatrixPlanT = z.output<typeof MatrixPlan>;
export type MatrixPlanRequestT = z.output<typeof MatrixPlanRequest>;
export type MatrixRunRequestT = z.output<typeof MatrixRunRequest>;
export type MatrixRowT = z.output<typeof MatrixRow>;
export type MatrixResultT = z.output<typeof MatrixResult>;
export type MatrixFixT = z.output<typeof MatrixFix>;
