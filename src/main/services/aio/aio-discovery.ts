import type {
  AioDiscoveryT,
  AuthenticationSummaryT,
  CertificateRequestSummaryT,
  CertificateResourceSummaryT,
  IssuerSummaryT,
  ListenerSummaryT,
  ServiceSummaryT,
  TlsSummaryT,
  TrustBundleSummaryT,
  TrustSettingsRequestT,
  TrustSettingsT,
} from '@shared/contract/aio-contract';
import {
  canonicalEnum,
  clusterIssuerNameFor,
  DEFAULT_AUTHENTICATION,
  DEFAULT_LISTENER,
  INTERNAL_CA_SECRET,
  PROTOCOLS,
  SERVICE_TYPES,
  TRUST_BUNDLE_KEY,
  trustBundleNameFor,
} from './aio-constants';
import { KubeApiError, type AioKubeClient } from './aio-kube-client';
import { describeBundleCertificate, opensslSubject, parseCertificates } from './aio-pem';
import type { KubeObject } from './aio-resources';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export const nameOf = (o: KubeObject): string => o.metadata.name;
export const namespaceOf = (o: KubeObject): string => (typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '');

/** Distinct field managers of an object, in the order the server lists them. */
export function managersOf(o: KubeObject): string[] {
  return [...new Set(arr(o.metadata['managedFields']).map((m) => str(obj(m)['manager'])).filter((m): m is string => m !== undefined))];
}

export function readyCondition(o: KubeObject): { ready: 'True' | 'False' | 'Unknown'; reason?: string; message?: string } {
  const c = arr(obj(o['status'])['conditions']).map(obj).find((x) => x['type'] === 'Ready');
  if (!c) return { ready: 'Unknown' };
  const s = c['status'] === 'True' ? 'True' : c['status'] === 'False' ? 'False' : 'Unknown';
  const reason = str(c['reason']);
  const message = str(c['message']);
  return { ready: s, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

function conditionOf(o: KubeObject, type: string): { status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string } | undefined {
  const c = arr(obj(o['status'])['conditions']).map(obj).find((x) => x['type'] === type);
  if (!c) return undefined;
  const reason = str(c['reason']);
  const message = str(c['message']);
  return { status: c['status'] === 'True' ? 'True' : c['status'] === 'False' ? 'False' : 'Unknown', ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

function tlsSummary(tls: unknown): TlsSummaryT {
  const t = obj(tls);
  const mode = str(t['mode']);
  // Older installs and hand-written patches use lower case ("automatic", seed 001); read both.
  if (mode?.toLowerCase() === 'manual') {
    const secretName = str(obj(t['manual'])['secretRef']);
    return { mode: 'Manual', ...(secretName ? { secretName } : {}) };
  }
  if (mode?.toLowerCase() === 'automatic') {
    const cm = obj(t['certManagerCertificateSpec']);
    const ref = obj(cm['issuerRef']);
    const san = obj(cm['san']);
    const pk = obj(cm['privateKey']);
    const out: TlsSummaryT = { mode: 'Automatic' };
    if (str(ref['name'])) out.issuerRef = { name: str(ref['name'])!, kind: canonicalEnum(str(ref['kind']), ['Issuer', 'ClusterIssuer'] as const) ?? str(ref['kind']) ?? 'Issuer', group: str(ref['group']) ?? 'cert-manager.io' };
    if (Object.keys(san).length > 0) out.san = { dns: strs(san['dns']), ip: strs(san['ip']) };
    if (str(pk['algorithm'])) out.privateKey = { algorithm: str(pk['algorithm'])!, rotationPolicy: str(pk['rotationPolicy']) ?? 'Always' };
    if (str(cm['duration'])) out.duration = str(cm['duration'])!;
    if (str(cm['renewBefore'])) out.renewBefore = str(cm['renewBefore'])!;
    if (str(cm['secretName'])) out.secretName = str(cm['secretName'])!;
    return out;
  }
  return { mode: 'None' };
}

export function summarizeListener(o: KubeObject): ListenerSummaryT {
  const spec = obj(o['spec']);
  return {
    name: nameOf(o),
    namespace: namespaceOf(o),
    brokerRef: str(spec['brokerRef']) ?? 'default',
    serviceName: str(spec['serviceName']) ?? nameOf(o),
    // Read in any case (a cluster stores `loadBalancer` as given), kept as written when it is none of the three.
    serviceType: canonicalEnum(str(spec['serviceType']) ?? 'ClusterIp', SERVICE_TYPES) ?? str(spec['serviceType'])!,
    isDefault: nameOf(o) === DEFAULT_LISTENER,
    managers: managersOf(o),
    ports: arr(spec['ports']).map((raw) => {
      const p = obj(raw);
      const nodePort = num(p['nodePort']);
      const authn = str(p['authenticationRef']);
      const authz = str(p['authorizationRef']);
      return {
        port: num(p['port']) ?? 0,
        ...(nodePort !== undefined ? { nodePort } : {}),
        protocol: canonicalEnum(str(p['protocol']) ?? 'Mqtt', PROTOCOLS) ?? str(p['protocol'])!,
        ...(authn ? { authenticationRef: authn } : {}),
        ...(authz ? { authorizationRef: authz } : {}),
        tls: tlsSummary(p['tls']),
      };
    }),
  };
}

export function summarizeService(o: KubeObject): ServiceSummaryT {
  const spec = obj(o['spec']);
  const ingress = arr(obj(obj(o['status'])['loadBalancer'])['ingress']).map(obj);
  const external = [...ingress.map((i) => str(i['ip']) ?? str(i['hostname'])).filter((x): x is string => x !== undefined), ...strs(spec['externalIPs'])];
  const owner = arr(o.metadata['ownerReferences']).map(obj).find((r) => r['kind'] === 'BrokerListener');
  const clusterIp = str(spec['clusterIP']);
  return {
    name: nameOf(o),
    namespace: namespaceOf(o),
    type: str(spec['type']) ?? 'ClusterIP',
    ...(clusterIp ? { clusterIp } : {}),
    externalIps: [...new Set(external)],
    ports: arr(spec['ports']).map((raw) => {
      const p = obj(raw);
      const nodePort = num(p['nodePort']);
      return { port: num(p['port']) ?? 0, ...(nodePort !== undefined ? { nodePort } : {}), protocol: str(p['protocol']) ?? 'TCP' };
    }),
    ...(owner && str(owner['name']) ? { listener: str(owner['name'])! } : {}),
  };
}

export function summarizeAuthentication(o: KubeObject): AuthenticationSummaryT {
  return {
    name: nameOf(o),
    namespace: namespaceOf(o),
    isDefault: nameOf(o) === DEFAULT_AUTHENTICATION,
    methods: arr(obj(o['spec'])['authenticationMethods']).map((raw) => {
      const m = obj(raw);
      const method = str(m['method']) ?? 'Unknown';
      const sat = obj(m['serviceAccountTokenSettings']);
      const x509 = obj(m['x509Settings']);
      const custom = obj(m['customSettings']);
      const attrs = obj(x509['authorizationAttributes']);
      return {
        method,
        ...(method === 'ServiceAccountToken' ? { audiences: strs(sat['audiences']) } : {}),
        ...(str(x509['trustedClientCaCert']) ? { trustedClientCaCert: str(x509['trustedClientCaCert'])! } : {}),
        ...(Object.keys(attrs).length > 0 ? { attributeSubjects: Object.values(attrs).map((a) => str(obj(a)['subject']) ?? '').filter(Boolean) } : {}),
        ...(str(custom['endpoint']) ? { endpoint: str(custom['endpoint'])! } : {}),
      };
    }),
  };
}

export function summarizeCertificate(o: KubeObject, listeners: readonly ListenerSummaryT[]): CertificateResourceSummaryT {
  const spec = obj(o['spec']);
  const ref = obj(spec['issuerRef']);
  const status = obj(o['status']);
  const owner = arr(o.metadata['ownerReferences']).map(obj).find((r) => r['kind'] === 'BrokerListener');
  let listener = str(owner?.['name']);
  const m = /^aio-broker-frontend-server-(\d+)$/.exec(nameOf(o));
  if (!listener && m) listener = listeners.find((l) => l.ports.some((p) => p.port === Number(m[1])))?.name;
  const rc = readyCondition(o);
  return {
    name: nameOf(o),
    namespace: namespaceOf(o),
    secretName: str(spec['secretName']) ?? '',
    issuerRef: { name: str(ref['name']) ?? '', kind: str(ref['kind']) ?? 'Issuer' },
    ...rc,
    ...(str(status['notAfter']) ? { notAfter: str(status['notAfter'])! } : {}),
    ...(str(status['notBefore']) ? { notBefore: str(status['notBefore'])! } : {}),
    ...(str(status['renewalTime']) ? { renewalTime: str(status['renewalTime'])! } : {}),
    ...(num(status['revision']) !== undefined ? { revision: num(status['revision'])! } : {}),
    ...(conditionOf(o, 'Issuing') ? { issuing: conditionOf(o, 'Issuing')! } : {}),
    dnsNames: strs(spec['dnsNames']),
    ipAddresses: strs(spec['ipAddresses']),
    ...(listener ? { listener } : {}),
  };
}

export function summarizeCertificateRequest(o: KubeObject): CertificateRequestSummaryT {
  const spec = obj(o['spec']);
  const ref = obj(spec['issuerRef']);
  const ann = obj(o.metadata['annotations']);
  const rev = Number(str(ann['cert-manager.io/certificate-revision']) ?? NaN);
  const owner = arr(o.metadata['ownerReferences']).map(obj).find((r) => r['kind'] === 'Certificate');
  const certificate = str(ann['cert-manager.io/certificate-name']) ?? str(owner?.['name']);
  const ready = conditionOf(o, 'Ready');
  const created = str(o.metadata['creationTimestamp']);
  return {
    name: nameOf(o),
    namespace: namespaceOf(o),
    ...(certificate ? { certificate } : {}),
    ...(Number.isFinite(rev) ? { revision: rev } : {}),
    issuerRef: { name: str(ref['name']) ?? '', kind: str(ref['kind']) ?? 'Issuer' },
    approved: conditionOf(o, 'Approved')?.status === 'True',
    ready: ready?.status ?? 'Unknown',
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(ready?.message ? { message: ready.message } : {}),
    ...(created ? { created } : {}),
  };
}

export function summarizeIssuer(o: KubeObject): IssuerSummaryT {
  const spec = obj(o['spec']);
  const type = spec['ca'] !== undefined ? 'ca' : spec['selfSigned'] !== undefined ? 'selfSigned' : spec['acme'] !== undefined ? 'acme' : spec['vault'] !== undefined ? 'vault' : 'other';
  const kind = o.kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer';
  return { name: nameOf(o), ...(kind === 'Issuer' ? { namespace: namespaceOf(o) } : {}), kind, type, ...readyCondition(o) };
}

/** ConfigMaps that hold only CA certificates: the trust bundle clients need, and any other the install uses. */
export function trustBundlesFromConfigMaps(configMaps: readonly KubeObject[], clientCaNames: ReadonlySet<string>, trustBundleName: string): TrustBundleSummaryT[] {
  const out: TrustBundleSummaryT[] = [];
  for (const cm of configMaps) {
    // The cluster's own API CA, present in every namespace; not something MQTT clients trust.
    if (nameOf(cm) === 'kube-root-ca.crt') continue;
    const labels = obj(cm.metadata['labels']);
    for (const [key, value] of Object.entries(obj(cm['data']))) {
      if (typeof value !== 'string' || !value.includes('-----BEGIN CERTIFICATE-----')) continue;
      const certs = parseCertificates(value);
      if (certs.length === 0 || !certs.every((c) => c.ca)) continue;
      const isTrust = nameOf(cm) === trustBundleName || labels['trust.cert-manager.io/bundle'] !== undefined;
      out.push({
        source: 'ConfigMap',
        name: nameOf(cm),
        namespace: namespaceOf(cm),
        key,
        role: isTrust && !clientCaNames.has(nameOf(cm)) ? 'client-trust' : 'other',
        certificates: certs.map(describeBundleCertificate),
      });
    }
  }
  // The install's default bundle first: it is what clients of the default listener trust.
  return out.sort((a, b) => Number(b.name === trustBundleName) - Number(a.name === trustBundleName) || Number(b.role === 'client-trust') - Number(a.role === 'client-trust'));
}

/** Only the public ca.crt of a CA Secret is read; tls.key is never looked at. */
export function trustBundleFromSecret(secret: KubeObject): TrustBundleSummaryT | undefined {
  const data = obj(secret['data']);
  const b64 = str(data['ca.crt']);
  if (!b64) return undefined;
  const certs = parseCertificates(Buffer.from(b64, 'base64').toString('utf8'));
  if (certs.length === 0) return undefined;
  return { source: 'Secret', name: nameOf(secret), namespace: namespaceOf(secret), key: 'ca.crt', role: 'internal', certificates: certs.map(describeBundleCertificate) };
}

export interface DiscoveryContext {
  nodeId: string;
  via: string;
  description: string;
  signal?: AbortSignal;
  progress?: (message: string, fraction?: number) => void;
  /** The install's --trust-settings, when the person knows them. */
  trust?: TrustSettingsRequestT | undefined;
}

/**
 * The install's trust bundle and issuer, never assumed: what the person gave (the install's --trust-settings),
 * else what the cluster shows (the default listener's issuer is the one the install created; a ConfigMap
 * trust-manager writes is labelled trust.cert-manager.io/bundle), else the names an install without trust
 * settings derives from its namespace.
 */
export function trustSettingsOf(namespace: string, asked: TrustSettingsRequestT | undefined, listeners: readonly ListenerSummaryT[], configMaps: readonly KubeObject[]): TrustSettingsT {
  const defaultRef = listeners.find((l) => l.isDefault)?.ports.map((p) => p.tls.issuerRef).find((r) => r !== undefined);
  const issuer: TrustSettingsT['issuer'] = asked?.issuerName
    ? { name: asked.issuerName, kind: asked.issuerKind ?? 'ClusterIssuer', source: 'asked' }
    : defaultRef
      ? { name: defaultRef.name, kind: defaultRef.kind === 'Issuer' ? 'Issuer' : 'ClusterIssuer', source: 'default-listener' }
      : { name: clusterIssuerNameFor(namespace), kind: 'ClusterIssuer', source: 'namespace' };
  const byName = (n: string): KubeObject | undefined => configMaps.find((c) => nameOf(c) === n);
  const certKey = (cm: KubeObject | undefined): string | undefined => Object.entries(obj(cm?.['data'])).find(([, v]) => typeof v === 'string' && v.includes('-----BEGIN CERTIFICATE-----'))?.[0];
  let bundle: TrustSettingsT['bundle'];
  if (asked?.configMapName) {
    const cm = byName(asked.configMapName);
    bundle = { name: asked.configMapName, key: asked.configMapKey ?? certKey(cm) ?? TRUST_BUNDLE_KEY, source: 'asked', exists: cm !== undefined };
  } else {
    const derived = byName(trustBundleNameFor(namespace));
    const labelled = configMaps.find((c) => obj(c.metadata['labels'])['trust.cert-manager.io/bundle'] !== undefined);
    if (derived) bundle = { name: nameOf(derived), key: certKey(derived) ?? TRUST_BUNDLE_KEY, source: 'namespace', exists: true };
    else if (labelled) bundle = { name: nameOf(labelled), key: certKey(labelled) ?? TRUST_BUNDLE_KEY, source: 'cluster', exists: true };
    else bundle = { name: trustBundleNameFor(namespace), key: TRUST_BUNDLE_KEY, source: 'namespace', exists: false };
  }
  return { issuer, bundle };
}

/** Raw objects discovery read, for diagnostics that need more than the summaries (Secrets' certificates). */
export interface DiscoveryRaw {
  listeners: KubeObject[];
  services: KubeObject[];
  certificates: KubeObject[];
}

/**
 * Reads the broker setup of one namespace. Each part is read on its own: a cluster without cert-manager,
 * or a user who may not list Secrets, still gets the rest, with a sentence saying what was left out.
 */
export async function discoverAio(client: AioKubeClient, namespace: string, ctx: DiscoveryContext): Promise<{ discovery: AioDiscoveryT; raw: DiscoveryRaw }> {
  const warnings: string[] = [];
  const steps = 11;
  let step = 0;
  const read = async <T>(label: string, fn: () => Promise<T>, fallback: T, onMissing?: string, missing?: Set<string>): Promise<T> => {
    ctx.signal?.throwIfAborted();
    ctx.progress?.(`Reading ${label}…`, step++ / steps);
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.network || err.status === 401) throw err;
      if (err.status === 404) {
        missing?.add(label);
        if (onMissing) warnings.push(onMissing);
      } else if (err.status === 403) warnings.push(`This node's Kubernetes user may not read ${label}; they are left out.`);
      else warnings.push(`Reading ${label} failed (HTTP ${err.status ?? '?'}): ${err.body?.message ?? err.message}`);
      return fallback;
    }
  };

  const missing = new Set<string>();
  const listenersRaw = await read('broker listeners', () => client.list('BrokerListener', namespace), [] as KubeObject[], 'The AIO broker API (mqttbroker.iotoperations.azure.com/v1) is not on this cluster. Install Azure IoT Operations first.', missing);
  const aioPresent = !missing.has('broker listeners');
  const brokers = aioPresent ? await read('brokers', () => client.list('Broker', namespace), [] as KubeObject[]) : [];
  const authRaw = aioPresent ? await read('authentication policies', () => client.list('BrokerAuthentication', namespace), [] as KubeObject[]) : [];
  const authzRaw = aioPresent ? await read('authorization policies', () => client.list('BrokerAuthorization', namespace), [] as KubeObject[]) : [];
  const services = await read('services', () => client.list('Service', namespace), [] as KubeObject[]);
  const certsRaw = await read('cert-manager certificates', () => client.list('Certificate', namespace), [] as KubeObject[], 'cert-manager is not installed on this cluster (no certificates.cert-manager.io); Automatic TLS cannot work without it.', missing);
  const certManager = !missing.has('cert-manager certificates');
  const requestsRaw = certManager ? await read('certificate requests', () => client.list('CertificateRequest', namespace), [] as KubeObject[]) : [];
  const issuersRaw = certManager ? await read('issuers', () => client.list('Issuer', namespace), [] as KubeObject[]) : [];
  const clusterIssuersRaw = certManager ? await read('cluster issuers', () => client.list('ClusterIssuer'), [] as KubeObject[]) : [];
  const configMaps = await read('config maps', () => client.list('ConfigMap', namespace), [] as KubeObject[]);
  const internalCa = await read('the broker internal CA', () => client.get('Secret', INTERNAL_CA_SECRET, namespace), undefined as KubeObject | undefined);
  ctx.progress?.('Discovery finished.', 1);

  const listeners = listenersRaw.map(summarizeListener);
  // The public half of each Manual TLS Secret: which CA a client must trust on that port.
  const served = new Map<string, NonNullable<TlsSummaryT['servedChain']>>();
  for (const name of new Set(listeners.flatMap((l) => l.ports.flatMap((p) => (p.tls.mode === 'Manual' && p.tls.secretName ? [p.tls.secretName] : []))))) {
    let secret: KubeObject | undefined;
    try {
      secret = await client.get('Secret', name, namespace);
    } catch (err) {
      // Missing (diagnosis says so) or not readable by this user: the matrix then falls back to the trust bundle.
      if (!(err instanceof KubeApiError) || err.network || err.status === 401) throw err;
    }
    const crt = str(obj(secret?.['data'])['tls.crt']);
    if (!crt) continue;
    served.set(name, parseCertificates(Buffer.from(crt, 'base64').toString('utf8')).map((c) => ({ subject: opensslSubject(c.subject), issuer: opensslSubject(c.issuer), fingerprintSha256: c.fingerprint256 })));
  }
  for (const l of listeners) for (const p of l.ports) if (p.tls.mode === 'Manual' && p.tls.secretName && served.has(p.tls.secretName)) p.tls.servedChain = served.get(p.tls.secretName)!;
  const authentications = authRaw.map(summarizeAuthentication);
  const clientCaNames = new Set(authentications.flatMap((a) => a.methods.flatMap((m) => (m.trustedClientCaCert ? [m.trustedClientCaCert] : []))));
  const trustSettings = trustSettingsOf(namespace, ctx.trust, listeners, configMaps);
  const trustBundles = trustBundlesFromConfigMaps(configMaps, clientCaNames, trustSettings.bundle.name);
  const internal = internalCa ? trustBundleFromSecret(internalCa) : undefined;
  if (internal) trustBundles.push(internal);

  return {
    discovery: {
      nodeId: ctx.nodeId,
      via: ctx.via,
      description: ctx.description,
      namespace,
      aioPresent,
      brokers: brokers.map(nameOf),
      listeners,
      services: services.map(summarizeService),
      authentications,
      authorizations: authzRaw.map((o) => {
        const pol = obj(obj(o['spec'])['authorizationPolicies']);
        const cache = str(pol['cache']);
        return { name: nameOf(o), namespace: namespaceOf(o), ...(cache ? { cache } : {}), ruleCount: arr(pol['rules']).length };
      }),
      certificates: certsRaw.map((c) => summarizeCertificate(c, listeners)),
      certificateRequests: requestsRaw.map(summarizeCertificateRequest),
      issuers: [...issuersRaw, ...clusterIssuersRaw].map(summarizeIssuer),
      trustBundles,
      trustSettings,
      warnings,
    },
    raw: { listeners: listenersRaw, services, certificates: certsRaw },
  };
}
