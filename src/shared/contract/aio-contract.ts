import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { CertificateId } from './primitives';

// The AIO broker area: resources of the Azure IoT Operations MQTT broker on a node's cluster, built from
// forms and vault certificates, planned (YAML, diff, server dry-run), applied with server-side apply as
// field manager `fieldbench`, read back, discovered and diagnosed. Key material never appears here:
// Secret data other than certificates is shown as a placeholder with a short fingerprint.

/** The namespace a fresh AIO install uses; every call may name another. */
export const AIO_DEFAULT_NAMESPACE = 'azure-iot-operations';

const NodeId = z.string().min(1).max(200);
/** Format checks (DNS-1123 and friends) happen in the service, which answers with sentences. */
const ResourceName = z.string().min(1).max(253);
const Namespace = z.string().min(1).max(63);

export const ServiceType = z.enum(['ClusterIp', 'NodePort', 'LoadBalancer']);
export const ListenerProtocol = z.enum(['Mqtt', 'WebSockets']);
export const PrivateKeyAlgorithm = z.enum(['Ec256', 'Ec384', 'Ec521', 'Ed25519', 'Rsa2048', 'Rsa4096', 'Rsa8192']);
export const IssuerKind = z.enum(['Issuer', 'ClusterIssuer']);

export const IssuerRef = z.object({
  name: ResourceName,
  kind: IssuerKind.default('Issuer'),
  group: z.string().min(1).max(253).default('cert-manager.io'),
});

/** cert-manager issues and renews the listener's server certificate. */
export const AutomaticTls = z
  .object({
    mode: z.literal('Automatic'),
    issuerRef: IssuerRef,
    privateKey: z.object({ algorithm: PrivateKeyAlgorithm, rotationPolicy: z.enum(['Always', 'Never']) }).strict().optional(),
    san: z.object({ dns: z.array(z.string().min(1).max(253)).max(50).default([]), ip: z.array(z.string().min(1).max(45)).max(50).default([]) }).strict().optional(),
    /** Go durations as cert-manager takes them, e.g. 2160h. */
    duration: z.string().min(1).max(40).optional(),
    renewBefore: z.string().min(1).max(40).optional(),
    secretName: ResourceName.optional(),
  })
  .strict();

/** The listener serves a kubernetes.io/tls Secret (tls.crt = leaf + intermediates) someone put there. */
export const ManualTls = z.object({ mode: z.literal('Manual'), secretName: ResourceName }).strict();
export const ListenerTls = z.discriminatedUnion('mode', [AutomaticTls, ManualTls]);

export const ListenerPortInput = z
  .object({
    port: z.number().int(),
    /** NodePort listeners only, 30000–32767. */
    nodePort: z.number().int().optional(),
    protocol: ListenerProtocol.default('Mqtt'),
    /** Absent: no authentication on this port. */
    authenticationRef: ResourceName.optional(),
    /** Absent: no authorization. Only applies when authenticationRef is set. */
    authorizationRef: ResourceName.optional(),
    /** Absent: plain TCP. */
    tls: ListenerTls.optional(),
  })
  .strict();

export const ListenerInput = z
  .object({
    name: ResourceName,
    brokerRef: ResourceName.default('default'),
    /** Defaults to the listener name on the cluster. */
    serviceName: ResourceName.optional(),
    serviceType: ServiceType,
    ports: z.array(ListenerPortInput).min(1).max(20),
  })
  .strict();

export const AttributeRule = z.object({ subject: z.string().min(1).max(1024), attributes: z.record(z.string().max(253), z.string().max(1024)) }).strict();

export const AuthenticationMethodInput = z.discriminatedUnion('method', [
  z.object({ method: z.literal('ServiceAccountToken'), audiences: z.array(z.string().min(1).max(253)).min(1).max(20) }).strict(),
  z
    .object({
      method: z.literal('X509'),
      /** ConfigMap whose every certificate is a trusted client CA. */
      trustedClientCaCert: ResourceName,
      /** Walked from the leaf up; the first matching subject (OpenSSL style `CN = name`) wins. */
      authorizationAttributes: z.record(z.string().min(1).max(253), AttributeRule).optional(),
    })
    .strict(),
  z
    .object({
      method: z.literal('Custom'),
      endpoint: z.string().min(1).max(2048),
      caCertConfigMap: ResourceName.optional(),
      x509SecretRef: ResourceName.optional(),
      headers: z.record(z.string().max(253), z.string().max(2048)).optional(),
    })
    .strict(),
]);

export const AuthenticationInput = z.object({ name: ResourceName, methods: z.array(AuthenticationMethodInput).min(1).max(10) }).strict();

export const AuthorizationRuleInput = z
  .object({
    principals: z
      .object({
        clientIds: z.array(z.string().max(1024)).max(100).optional(),
        usernames: z.array(z.string().max(1024)).max(100).optional(),
        attributes: z.array(z.record(z.string().max(253), z.string().max(1024))).max(100).optional(),
      })
      .strict(),
    brokerResources: z
      .array(
        z
          .object({
            method: z.enum(['Connect', 'Publish', 'Subscribe']),
            clientIds: z.array(z.string().max(1024)).max(100).optional(),
            topics: z.array(z.string().max(1024)).max(100).optional(),
          })
          .strict(),
      )
      .max(50),
    stateStoreResources: z
      .array(z.object({ method: z.enum(['Read', 'Write', 'ReadWrite']), keyType: z.enum(['Pattern', 'String', 'Binary']), keys: z.array(z.string().max(1024)).max(100) }).strict())
      .max(50)
      .optional(),
  })
  .strict();

export const AuthorizationInput = z
  .object({ name: ResourceName, cache: z.enum(['Enabled', 'Disabled']).default('Enabled'), rules: z.array(AuthorizationRuleInput).max(100) })
  .strict();

/** A kubernetes.io/tls Secret from a vault server certificate: tls.crt = leaf + intermediates, tls.key. */
export const ServerSecretInput = z.object({ name: ResourceName, certificateId: CertificateId }).strict();

/** A ConfigMap for trustedClientCaCert: the CA certificates of the chosen chains, concatenated. */
export const ClientCaInput = z
  .object({
    name: ResourceName,
    /** CA certificates (or client certificates, whose CAs are taken) in the vault. */
    certificateIds: z.array(CertificateId).min(1).max(20),
    key: z.string().min(1).max(253).default('client_ca.pem'),
    /** 'chain': every CA up to and including the root (default); 'selected': only the chosen CA certificates. */
    include: z.enum(['chain', 'selected']).default('chain'),
  })
  .strict();

/** Everything one apply puts on the cluster, applied in dependency order. */
export const ApplySpec = z
  .object({
    namespace: Namespace.default(AIO_DEFAULT_NAMESPACE),
    serverSecrets: z.array(ServerSecretInput).max(10).default([]),
    clientCas: z.array(ClientCaInput).max(10).default([]),
    authentications: z.array(AuthenticationInput).max(10).default([]),
    authorizations: z.array(AuthorizationInput).max(10).default([]),
    listeners: z.array(ListenerInput).max(10).default([]),
    /** The default listener and authentication are left alone unless the person insists. */
    allowDefault: z.boolean().default(false),
  })
  .strict();

export const ResourceRef = z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() });

export const SpecIssue = z.object({
  severity: z.enum(['error', 'warning']),
  resource: ResourceRef,
  field: z.string().optional(),
  sentence: z.string(),
});

export const PlannedResource = z.object({
  ref: ResourceRef,
  apiVersion: z.string(),
  /** Exactly what is sent (Secret keys replaced by a placeholder with a fingerprint). */
  yaml: z.string(),
  action: z.enum(['create', 'update', 'unchanged']),
  /** Unified diff of the object on the cluster against the server's dry-run result. */
  diff: z.string(),
  dryRun: z.object({ ok: z.boolean(), code: z.string().optional(), message: z.string().optional() }),
  /** Other field managers that own fields this apply would change (a conflict unless forced). */
  conflictsWith: z.array(z.string()),
});

export const ApplyPlan = z.object({
  nodeId: z.string(),
  via: z.string(),
  namespace: z.string(),
  resources: z.array(PlannedResource),
  issues: z.array(SpecIssue),
  /** No error issues and every dry run passed. */
  canApply: z.boolean(),
});

export const ConditionSummary = z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() });

export const ReadBackItem = z.object({
  ref: ResourceRef,
  exists: z.boolean(),
  resourceVersion: z.string().optional(),
  managers: z.array(z.string()),
  conditions: z.array(ConditionSummary),
  /** The object as read (Secret keys replaced by a placeholder). */
  yaml: z.string().optional(),
});

export const ApplyOutcome = z.enum(['applied', 'unchanged', 'failed', 'not-attempted', 'unknown']);

export const AppliedResource = z.object({
  ref: ResourceRef,
  outcome: ApplyOutcome,
  message: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const ApplyResult = z.object({
  nodeId: z.string(),
  /** True when every resource is applied (or was already as asked). */
  complete: z.boolean(),
  dryRun: z.boolean(),
  /** One sentence for the person: what was applied, what was not, what to do. */
  summary: z.string(),
  resources: z.array(AppliedResource),
  issues: z.array(SpecIssue),
  readBack: z.array(ReadBackItem),
});

export const TlsSummary = z.object({
  mode: z.enum(['None', 'Automatic', 'Manual']),
  issuerRef: z.object({ name: z.string(), kind: z.string(), group: z.string() }).optional(),
  secretName: z.string().optional(),
  san: z.object({ dns: z.array(z.string()), ip: z.array(z.string()) }).optional(),
  privateKey: z.object({ algorithm: z.string(), rotationPolicy: z.string() }).optional(),
  duration: z.string().optional(),
  renewBefore: z.string().optional(),
});

export const ListenerSummary = z.object({
  name: z.string(),
  namespace: z.string(),
  brokerRef: z.string(),
  serviceName: z.string(),
  serviceType: z.string(),
  isDefault: z.boolean(),
  managers: z.array(z.string()),
  ports: z.array(
    z.object({
      port: z.number(),
      nodePort: z.number().optional(),
      protocol: z.string(),
      authenticationRef: z.string().optional(),
      authorizationRef: z.string().optional(),
      tls: TlsSummary,
    }),
  ),
});

export const ServiceSummary = z.object({
  name: z.string(),
  namespace: z.string(),
  type: z.string(),
  clusterIp: z.string().optional(),
  externalIps: z.array(z.string()),
  ports: z.array(z.object({ port: z.number(), nodePort: z.number().optional(), protocol: z.string() })),
  /** The BrokerListener that owns it, when one does. */
  listener: z.string().optional(),
});

export const AuthenticationSummary = z.object({
  name: z.string(),
  namespace: z.string(),
  isDefault: z.boolean(),
  methods: z.array(
    z.object({
      method: z.string(),
      audiences: z.array(z.string()).optional(),
      trustedClientCaCert: z.string().optional(),
      attributeSubjects: z.array(z.string()).optional(),
      endpoint: z.string().optional(),
    }),
  ),
});

export const AuthorizationSummary = z.object({ name: z.string(), namespace: z.string(), cache: z.string().optional(), ruleCount: z.number() });

export const CertificateResourceSummary = z.object({
  name: z.string(),
  namespace: z.string(),
  secretName: z.string(),
  issuerRef: z.object({ name: z.string(), kind: z.string() }),
  ready: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  notAfter: z.string().optional(),
  notBefore: z.string().optional(),
  /** When cert-manager renews it (status.renewalTime). */
  renewalTime: z.string().optional(),
  /** cert-manager's Issuing condition while a (re)issuance is under way or failed. */
  issuing: z.object({ status: z.enum(['True', 'False', 'Unknown']), reason: z.string().optional(), message: z.string().optional() }).optional(),
  revision: z.number().optional(),
  dnsNames: z.array(z.string()),
  ipAddresses: z.array(z.string()),
  /** The listener this Certificate serves, from its owner or its aio-broker-frontend-server-<port> name. */
  listener: z.string().optional(),
});

/** A cert-manager CertificateRequest: where cert-manager says why a Certificate is not issued. */
export const CertificateRequestSummary = z.object({
  name: z.string(),
  namespace: z.string(),
  /** The Certificate it was made for (annotation cert-manager.io/certificate-name). */
  certificate: z.string().optional(),
  revision: z.number().optional(),
  issuerRef: z.object({ name: z.string(), kind: z.string() }),
  approved: z.boolean(),
  /** Unknown while the issuer has not answered yet. */
  ready: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  created: z.string().optional(),
});

/** The install's `--trust-settings` (az iot ops create), when it named its own bundle and issuer. */
export const TrustSettingsRequest = z
  .object({ configMapName: ResourceName, configMapKey: z.string().min(1).max(253), issuerName: ResourceName, issuerKind: IssuerKind })
  .partial()
  .strict();

/** Where the install's trust bundle and issuer were found: asked (--trust-settings), read from the cluster, or derived from the namespace. */
export const TrustSettings = z.object({
  issuer: z.object({ name: z.string(), kind: IssuerKind, source: z.enum(['asked', 'default-listener', 'namespace']) }),
  bundle: z.object({ name: z.string(), key: z.string(), source: z.enum(['asked', 'cluster', 'namespace']), exists: z.boolean() }),
});

export const IssuerSummary = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  kind: IssuerKind,
  type: z.enum(['ca', 'selfSigned', 'acme', 'vault', 'other']),
  ready: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const BundleCertificate = z.object({
  subject: z.string(),
  issuer: z.string(),
  fingerprintSha256: z.string(),
  notAfter: z.string(),
  isCa: z.boolean(),
  selfSigned: z.boolean(),
  keyFamily: z.string(),
});

export const TrustBundleSummary = z.object({
  source: z.enum(['ConfigMap', 'Secret']),
  name: z.string(),
  namespace: z.string(),
  key: z.string(),
  /** 'client-trust': what clients of the default listener trust; 'internal': the broker's own CA; 'other'. */
  role: z.enum(['client-trust', 'internal', 'other']),
  certificates: z.array(BundleCertificate),
});

export const AioDiscovery = z.object({
  nodeId: z.string(),
  via: z.string(),
  description: z.string(),
  namespace: z.string(),
  /** The AIO broker API answers on this cluster. */
  aioPresent: z.boolean(),
  brokers: z.array(z.string()),
  listeners: z.array(ListenerSummary),
  services: z.array(ServiceSummary),
  authentications: z.array(AuthenticationSummary),
  authorizations: z.array(AuthorizationSummary),
  certificates: z.array(CertificateResourceSummary),
  certificateRequests: z.array(CertificateRequestSummary),
  issuers: z.array(IssuerSummary),
  trustBundles: z.array(TrustBundleSummary),
  trustSettings: TrustSettings,
  /** Parts the cluster did not let us read, as sentences. */
  warnings: z.array(z.string()),
});

export const FixAction = z.discriminatedUnion('call', [
  /** Plan it with aio.plan (to show YAML and diff), then aio.apply. */
  z.object({ call: z.literal('aio.apply'), spec: ApplySpec, force: z.boolean().optional() }),
  z.object({ call: z.literal('aio.importTrustBundle'), name: z.string(), namespace: z.string(), key: z.string(), source: z.enum(['ConfigMap', 'Secret']) }),
]);

export const Diagnostic = z.object({
  /** Stable per problem and resource, e.g. listener-issuer-missing:loadbalancer-listener:8883. */
  id: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  resource: ResourceRef,
  sentence: z.string(),
  fix: z.object({ label: z.string(), action: FixAction.optional() }),
});

export const DiagnoseRequest = z
  .object({
    nodeId: NodeId,
    namespace: Namespace.default(AIO_DEFAULT_NAMESPACE),
    /** Addresses clients use to reach the node (its static IP); server certificates must list them. */
    nodeAddresses: z.array(z.string().min(1).max(253)).max(20).default([]),
    /** Vault server certificates to check against those addresses. */
    serverCertificateIds: z.array(CertificateId).max(50).default([]),
    /** Vault client certificates to check against trustedClientCaCert; default every client certificate in the vault. */
    clientCertificateIds: z.array(CertificateId).max(200).optional(),
    /** The install's trust settings, when it was created with --trust-settings; otherwise they are discovered. */
    trust: TrustSettingsRequest.optional(),
    /** How long to wait for certificates cert-manager is still issuing before reporting them (0: do not wait). */
    issuanceWaitMs: z.number().int().min(0).max(600_000).default(0),
  })
  .strict();

export const DiagnoseResult = z.object({ nodeId: z.string(), diagnostics: z.array(Diagnostic), discovery: AioDiscovery });

export const ImportTrustBundleResult = z.object({
  source: z.object({ kind: z.enum(['ConfigMap', 'Secret']), name: z.string(), namespace: z.string(), key: z.string() }),
  certificates: z.array(z.object({ certificateId: z.string(), subject: z.string(), duplicate: z.boolean() })),
  imported: z.number(),
  duplicates: z.number(),
});

/** One check of `aio check`: az iot ops check --svc broker's, then what it misses. */
export const AioCheckItem = z.object({
  id: z.string(),
  group: z.enum(['broker', 'pods', 'listener', 'authentication', 'authorization', 'certificates', 'sans', 'clients', 'live']),
  level: z.enum(['pass', 'warn', 'fail', 'skip']),
  /** What was checked, e.g. "BrokerListener lb port 8883". */
  target: z.string(),
  sentence: z.string(),
  fix: z.string().optional(),
});

export const AioCheckRequest = z
  .object({
    nodeId: NodeId,
    namespace: Namespace.default(AIO_DEFAULT_NAMESPACE),
    /** Addresses clients use to reach the node; server certificates must list them. */
    nodeAddresses: z.array(z.string().min(1).max(253)).max(20).default([]),
    trust: TrustSettingsRequest.optional(),
    /** Connect to every listener port with TLS + MQTT (the MQTT area's listener matrix). */
    live: z.boolean().default(true),
    /** Wait this long for certificates still being issued before judging them. */
    issuanceWaitMs: z.number().int().min(0).max(600_000).default(0),
  })
  .strict();

export const AioCheckResult = z.object({
  nodeId: z.string(),
  namespace: z.string(),
  via: z.string(),
  checks: z.array(AioCheckItem),
  summary: z.object({ pass: z.number().int(), warn: z.number().int(), fail: z.number().int(), skip: z.number().int() }),
});

/** `force` plans the apply that takes over fields other managers own, so its diff and dry run can be shown first. */
const PlanRequest = z.object({ nodeId: NodeId, spec: ApplySpec, force: z.boolean().default(false) }).strict();

/**
 * No path: a renderer must not be able to make main write a file anywhere. The answer's `yaml` is redacted;
 * the exact text with keys leaves main only through aio.renderExact (CLI) or aio.renderDownload (browser).
 */
export const RenderRequest = z.object({ spec: ApplySpec }).strict();

export const RenderResult = z.object({
  /** Every object, `---` separated, in apply order; Secret keys replaced by a placeholder with a fingerprint. */
  yaml: z.string(),
  resources: z.array(ResourceRef),
  /** Offline checks only: references the spec does not satisfy itself are warnings to check on the cluster. */
  issues: z.array(SpecIssue),
  /** True when the objects hold private keys (a server Secret), so the exact text must be kept safe. */
  containsKeys: z.boolean(),
});

/** The CLI's render: the exact text, keys included, which the CLI writes to the file it was told to. */
export const RenderExactResult = RenderResult.extend({ exactYaml: z.string() });

/** The browser's render: a one-time download of the exact text, served by the loopback host. */
export const RenderDownloadResult = RenderResult.extend({ url: z.string(), fileName: z.string() });

export type ApplySpecInput = z.input<typeof ApplySpec>;
export type RenderResultT = z.output<typeof RenderResult>;
export type AioCheckItemT = z.output<typeof AioCheckItem>;
export type AioCheckRequestT = z.output<typeof AioCheckRequest>;
export type AioCheckResultT = z.output<typeof AioCheckResult>;
export type ApplySpecParsed = z.output<typeof ApplySpec>;
export type ListenerInputParsed = z.output<typeof ListenerInput>;
export type AuthenticationInputParsed = z.output<typeof AuthenticationInput>;
export type AuthorizationInputParsed = z.output<typeof AuthorizationInput>;
export type ListenerTlsParsed = z.output<typeof ListenerTls>;
export type SpecIssueT = z.output<typeof SpecIssue>;
export type ResourceRefT = z.output<typeof ResourceRef>;
export type PlannedResourceT = z.output<typeof PlannedResource>;
export type ApplyPlanT = z.output<typeof ApplyPlan>;
export type ApplyResultT = z.output<typeof ApplyResult>;
export type AppliedResourceT = z.output<typeof AppliedResource>;
export type ReadBackItemT = z.output<typeof ReadBackItem>;
export type AioDiscoveryT = z.output<typeof AioDiscovery>;
export type ListenerSummaryT = z.output<typeof ListenerSummary>;
export type TlsSummaryT = z.output<typeof TlsSummary>;
export type ServiceSummaryT = z.output<typeof ServiceSummary>;
export type CertificateResourceSummaryT = z.output<typeof CertificateResourceSummary>;
export type CertificateRequestSummaryT = z.output<typeof CertificateRequestSummary>;
export type TrustSettingsT = z.output<typeof TrustSettings>;
export type TrustSettingsRequestT = z.output<typeof TrustSettingsRequest>;
export type IssuerSummaryT = z.output<typeof IssuerSummary>;
export type TrustBundleSummaryT = z.output<typeof TrustBundleSummary>;
export type BundleCertificateT = z.output<typeof BundleCertificate>;
export type AuthenticationSummaryT = z.output<typeof AuthenticationSummary>;
export type DiagnosticT = z.output<typeof Diagnostic>;
export type DiagnoseRequestT = z.output<typeof DiagnoseRequest>;
export type DiagnoseResultT = z.output<typeof DiagnoseResult>;
export type ImportTrustBundleResultT = z.output<typeof ImportTrustBundleResult>;
export type FixActionT = z.output<typeof FixAction>;

export const aioCalls = {
  /** Listeners, Services, authentication and authorization policies, Certificates, Issuers and trust bundles on the node. */
  'aio.discover': defineCall({
    request: z.object({ nodeId: NodeId, namespace: Namespace.default(AIO_DEFAULT_NAMESPACE), trust: TrustSettingsRequest.optional() }).strict(),
    response: AioDiscovery,
    summary: 'Show the MQTT broker listeners, policies, certificates and trust bundles on a node.',
    job: true,
  }),
  /**
   * Builds the resources of a spec from the vault, checks them (sentences for every problem), and asks the
   * cluster for a server-side dry run. Nothing changes on the cluster.
   */
  'aio.plan': defineCall({ request: PlanRequest, response: ApplyPlan, summary: 'Show the exact YAML, the diff and a dry run before applying.', job: true }),
  /**
   * Applies the spec's resources in order (Secrets and ConfigMaps first) with server-side apply, reporting
   * each one, then reads them back. A failure part way lists what was and was not applied; running the same
   * spec again finishes the job. `force` takes over fields another field manager owns.
   */
  'aio.apply': defineCall({
    request: z.object({ nodeId: NodeId, spec: ApplySpec, force: z.boolean().default(false), dryRun: z.boolean().default(false) }).strict(),
    response: ApplyResult,
    summary: 'Apply broker resources to a node with server-side apply, then read them back.',
    job: true,
  }),
  /** Reads named resources back with their status conditions and field managers. */
  'aio.readBack': defineCall({
    request: z.object({ nodeId: NodeId, resources: z.array(ResourceRef).min(1).max(50) }).strict(),
    response: z.object({ nodeId: z.string(), resources: z.array(ReadBackItem) }),
    summary: 'Read broker resources back from the node.',
    job: true,
  }),
  /**
   * The exact objects aio.apply would send for a spec, built from the vault with no node and no API
   * server (YAML for review or to apply later with kubectl), with the private keys hidden.
   */
  'aio.render': defineCall({ request: RenderRequest, response: RenderResult, summary: 'Show the broker resources of a spec as YAML, without a node (keys hidden).' }),
  /** The same with the keys, for the command line only (it writes the file); refused in the window and the browser. */
  'aio.renderExact': defineCall({ request: RenderRequest, response: RenderExactResult, summary: 'Render the broker resources with their keys, for the command line to write.' }),
  /** The same as a one-time download (/download/<id>, two minutes, once) in the browser version only. */
  'aio.renderDownload': defineCall({ request: RenderRequest, response: RenderDownloadResult, summary: 'Prepare the rendered broker resources as a one-time download (loopback host).' }),
  /**
   * Every check `az iot ops check --svc broker` runs, with its pass/warn/fail level, plus certificate expiry
   * and renewal, SANs against the node and LoadBalancer addresses, client CAs against the vault's client
   * chains, EC/RSA mixes and a live TLS + MQTT connect per listener port.
   */
  'aio.check': defineCall({ request: AioCheckRequest, response: AioCheckResult, summary: 'Check the broker setup of a node, as az iot ops check does and beyond.', job: true }),
  /** Finds what is wrong with the broker setup, each with a sentence and a fix. */
  'aio.diagnose': defineCall({ request: DiagnoseRequest, response: DiagnoseResult, summary: 'Explain what is wrong with the broker setup and how to fix it.', job: true }),
  /** Imports the CA certificates of a trust bundle (default: the install's client trust bundle) into the vault as trusted CAs. */
  'aio.importTrustBundle': defineCall({
    request: z
      .object({
        nodeId: NodeId,
        namespace: Namespace.default(AIO_DEFAULT_NAMESPACE),
        source: z.enum(['ConfigMap', 'Secret']).default('ConfigMap'),
        /** Default: the bundle discovery marks as what clients trust. */
        name: ResourceName.optional(),
        key: z.string().min(1).max(253).optional(),
      })
      .strict(),
    response: ImportTrustBundleResult,
    summary: 'Import the cluster trust bundle into the vault as a trusted CA.',
    job: true,
  }),
} as const;

export const aioEvents = {
  /** One resource of a running aio.apply finished (applied, unchanged or failed). */
  'aio.onApplyProgress': defineEvent({
    payload: z.object({ nodeId: z.string(), index: z.number().int(), total: z.number().int(), resource: AppliedResource }),
    summary: 'A resource of a running apply finished.',
  }),
} as const;
