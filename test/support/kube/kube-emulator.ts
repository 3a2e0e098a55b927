/**
 * A Kubernetes API server stand-in for tests: HTTPS with its own cluster CA, client-certificate and
 * bearer-token authentication, discovery, Status errors, resourceVersion conflicts, server-side apply
 * with managed fields, TokenRequest/TokenReview, and the AIO + cert-manager custom resources, preloaded
 * like a fresh Azure IoT Operations install. Checked against the real kubectl and @kubernetes/client-node.
 * See docs/kube-emulator.md for what is faithful and what is simplified.
 */
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { writeFile, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import {
  deepEqual,
  isPlainObject,
  recordUpdate,
  serverSideApply,
  stripManaged,
  type JsonObject,
} from './kube-managed-fields.js';
import { jsonPatch, mergePatch } from './kube-patch.js';
import { decodeProtobuf, isProtobuf } from './kube-protobuf.js';
import { openApiV3GroupVersion, openApiV3Index } from './kube-openapi.js';
import { createRootCa, issueLeaf, type IssuedCertificate } from './kube-pki.js';
import { AIO_ROOT_CA_NAME, defaultAioPreload, type PreloadContext } from './kube-preload.js';
import { reconcileAll, type CertManagerOptions, type ReconcileStore } from './kube-reconcile.js';
import { AGE_COLUMN, AIO_GROUP, apiResourceList, findKind, findResource, groups, groupVersion, RESOURCES, type ResourceDef } from './kube-resources.js';
import { parseFieldSelector, parseLabelSelector } from './kube-selectors.js';
import {
  alreadyExists,
  badRequest,
  forbidden,
  forbiddenPath,
  invalid,
  KubeStatusError,
  methodNotAllowed,
  notFound,
  notFoundPath,
  staleConflict,
  unauthorized,
  unsupportedMediaType,
  type KubeStatus,
} from './kube-status.js';
import { API_AUDIENCE, TokenSigner } from './kube-tokens.js';
import { validateObject } from './kube-validation.js';
import { AIO_SCHEMAS } from './aio-crd-schema.js';
import { pruneAndValidate, unknownFields } from './kube-structural.js';

export type { JsonObject } from './kube-managed-fields.js';
export { defaultAioPreload, type PreloadContext } from './kube-preload.js';

export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
}

/** What a request wants to do, as RBAC sees it. */
export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** Set for non-resource URLs (/version, /api, /openapi/v3). */
  path?: string;
}

export interface KubeEmulatorOptions {
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Extra serving-certificate SANs (IPs or DNS names), besides 127.0.0.1, localhost and the host. */
  sans?: string[];
  /** Objects to start with; default {@link defaultAioPreload}. Pass `() => []` for an empty cluster. */
  preload?: (ctx: PreloadContext) => JsonObject[];
  /** Run the cert-manager/AIO-operator stand-ins after each write; default true. */
  reconcile?: boolean;
  /** Extra static bearer tokens. */
  tokens?: Array<{ token: string; user: string; groups?: string[] }>;
  /** Users allowed only get/list/watch; default ['viewer']. */
  readOnlyUsers?: string[];
  /** Replaces the built-in authorizer (system:masters may do anything; read-only users may read). */
  authorize?: (user: UserInfo, attrs: RequestAttributes) => boolean;
  /** External IP a LoadBalancer Service gets (k3s servicelb gives the node's IP); default the host. */
  loadBalancerIp?: string;
  /** gitVersion served on /version; default v1.32.4+k3s1. */
  gitVersion?: string;
  /** Called with one line per request (method, URL, user, status); the CLI prints it with --verbose. */
  log?: (line: string) => void;
  /** When set, writes DIR/kubeconfig.yaml (admin) at start. */
  dir?: string;
}

/** A fault that hits the next matching requests. */
export interface FaultRule {
  /** Which requests: default any resource request (discovery and /version are never hit unless `includeDiscovery`). */
  match?: (req: { method: string; path: string; verb: string; group: string; resource: string; name: string; namespace: string }) => boolean;
  includeDiscovery?: boolean;
  /** Let this many matching requests through first. */
  skip?: number;
  /** How many requests it hits; default 1. */
  times?: number;
  action:
    | { type: 'status'; code: number; reason?: string; message?: string }
    | { type: 'conflict' }
    /** `before`: the request is not processed; `after`: it is processed, then the connection is cut before the response. */
    | { type: 'drop'; when: 'before' | 'after' };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  user: string;
  contentType: string;
  status: number;
}

export interface KubeconfigOptions {
  /** Client-certificate user (default the admin: CN=system:admin, O=system:masters). */
  user?: string;
  groups?: string[];
  /** Use a bearer token instead of a client certificate. */
  token?: string;
  /** Neither: anonymous. */
  anonymous?: boolean;
  namespace?: string;
}

export interface KubeEmulator {
  /** https://host:port */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The cluster CA (PEM) that signs the serving and client certificates. */
  readonly caPem: string;
  /** The generated AIO root ("Azure IoT Operations Quickstart Root CA - Not for Production"). */
  readonly aioRootCa: { cert: string; key: string };
  /** Static token of a system:masters user. */
  readonly adminToken: string;
  /** Static token of the read-only user `viewer`. */
  readonly viewerToken: string;
  /** Every request served, in order (tests assert on fieldManager, dryRun, content types). */
  readonly requests: RecordedRequest[];
  readonly faults: Faults;
  /** Kubeconfig YAML for the admin or another identity. */
  kubeconfig(opts?: KubeconfigOptions): Promise<string>;
  writeKubeconfig(path: string, opts?: KubeconfigOptions): Promise<void>;
  /** A client certificate signed by the cluster CA: CN = user, O = groups. */
  issueClientCertificate(user: string, groups?: string[]): Promise<{ cert: string; key: string }>;
  /** Reads an object straight from the store (no auth); undefined when absent. */
  getObject(apiVersion: string, kind: string, namespace: string, name: string): JsonObject | undefined;
  listObjects(apiVersion: string, kind: string, namespace?: string): JsonObject[];
  /** Creates or replaces an object as a controller would (keeps status), then reconciles. */
  putObject(obj: JsonObject, manager?: string): Promise<JsonObject>;
  /** cert-manager's behaviour; `holdIssuance` keeps ready issuers from signing, as during a slow issuance. */
  readonly certManager: CertManagerOptions;
  /** Lets held requests be signed now. */
  releaseIssuance(): Promise<void>;
  deleteObject(apiVersion: string, kind: string, namespace: string, name: string): Promise<void>;
  /** Mints a ServiceAccount token as TokenRequest does. */
  createToken(namespace: string, serviceAccount: string, audiences?: string[], expirationSeconds?: number): string;
  /** Current global resourceVersion. */
  resourceVersion(): number;
  close(): Promise<void>;
}

export interface Faults {
  add(rule: FaultRule): void;
  /** The next `times` resource requests fail with `code` (a Status with `reason`/`message`). */
  failNext(times: number, code: number, opts?: { reason?: string; message?: string; match?: FaultRule['match'] }): void;
  /** The next write (PUT/PATCH/POST/DELETE on a resource) gets 409 "the object has been modified". */
  conflictNext(times?: number, match?: FaultRule['match']): void;
  /** Cuts the connection of the next matching request, `after` processing it by default, after `skip` others. */
  dropNext(opts?: { times?: number; skip?: number; when?: 'before' | 'after'; match?: FaultRule['match'] }): void;
  clear(): void;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
  410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

const READ_VERBS = new Set(['get', 'list', 'watch']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_BODY = 3 * 1024 * 1024;

interface ParsedPath {
  def: ResourceDef;
  namespace: string;
  name: string;
  subresource: string;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
  user: UserInfo;
  dropAfter: boolean;
  /** Field validation warnings, sent as `Warning: 299 - "..."` headers with the answer. */
  warnings: string[];
}

const iso = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const meta = (o: JsonObject): JsonObject => ((o['metadata'] ??= {}) as JsonObject);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Kubernetes' duration.HumanDuration, used for the Age column. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  const d = Math.floor(h / 24) % 365;
  if (h < 24 * 365 * 8) return d === 0 ? `${y}y` : `${y}y${d}d`;
  return `${y}y`;
}

/** Starts the emulator and resolves once it listens (and DIR/kubeconfig.yaml is written when `dir` is set). */
export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const clusterCa = await createRootCa('k3s-server-ca@emulator');
  const clientCa = clusterCa;
  const aioCa = await createRootCa(AIO_ROOT_CA_NAME);
  const sans = new Set(['127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', host, ...(opts.sans ?? [])]);
  const serving = await issueLeaf(clusterCa, {
    commonName: 'k3s',
    organizations: ['k3s'],
    dnsNames: [...sans].filter((s) => isIP(s) === 0),
    ipAddresses: [...sans].filter((s) => isIP(s) !== 0),
    serverAuth: true,
  });
  const emu = new Emulator(opts, host, clusterCa, clientCa, aioCa, serving);
  await emu.start();
  return emu;
}

class Emulator implements KubeEmulator {
  url = '';
  port = 0;
  readonly caPem: string;
  readonly aioRootCa: { cert: string; key: string };
  readonly adminToken = randomBytes(24).toString('hex');
  readonly viewerToken = randomBytes(24).toString('hex');
  readonly requests: RecordedRequest[] = [];
  readonly faults: Faults;

  private readonly store = new Map<string, JsonObject>();
  private rv = 1000;
  private readonly events = new EventEmitter();
  private readonly signer = new TokenSigner();
  private readonly tokens = new Map<string, UserInfo>();
  private readonly readOnly: Set<string>;
  private rules: Array<FaultRule & { seen: number; hits: number }> = [];
  private server: Server | undefined;
  private readonly sockets = new Set<TLSSocket>();
  private writeLock: Promise<unknown> = Promise.resolve();
  private clusterIpNext = 10;
  private nodePortNext = 30100;
  private readonly adminClient: Promise<IssuedCertificate>;

  constructor(
    private readonly opts: KubeEmulatorOptions,
    readonly host: string,
    private readonly clusterCa: IssuedCertificate,
    private readonly clientCa: IssuedCertificate,
    private readonly aioCa: IssuedCertificate,
    private readonly serving: IssuedCertificate,
  ) {
    this.caPem = clusterCa.cert;
    this.aioRootCa = { cert: aioCa.cert, key: aioCa.key };
    this.readOnly = new Set(opts.readOnlyUsers ?? ['viewer']);
    this.tokens.set(this.adminToken, { name: 'admin', groups: ['system:masters', 'system:authenticated'] });
    this.tokens.set(this.viewerToken, { name: 'viewer', groups: ['system:authenticated'] });
    for (const t of opts.tokens ?? []) this.tokens.set(t.token, { name: t.user, groups: [...(t.groups ?? []), 'system:authenticated'] });
    this.adminClient = issueLeaf(clientCa, { commonName: 'system:admin', organizations: ['system:masters'], serverAuth: false, clientAuth: true });
    this.events.setMaxListeners(0);
    const push = (rule: FaultRule): void => void this.rules.push({ ...rule, seen: 0, hits: 0 });
    this.faults = {
      add: push,
      failNext: (times, code, o = {}) => push({ times, ...(o.match ? { match: o.match } : {}), action: { type: 'status', code, ...(o.reason ? { reason: o.reason } : {}), ...(o.message ? { message: o.message } : {}) } }),
      conflictNext: (times = 1, match) => push({ times, match: match ?? ((r) => WRITE_METHODS.has(r.method)), action: { type: 'conflict' } }),
      dropNext: (o = {}) => push({ times: o.times ?? 1, skip: o.skip ?? 0, ...(o.match ? { match: o.match } : {}), action: { type: 'drop', when: o.when ?? 'after' } }),
      clear: () => void (this.rules = []),
    };
  }

  async start(): Promise<void> {
    const preload = (this.opts.preload ?? defaultAioPreload)({ clusterCaPem: this.clusterCa.cert, aioRootCaPem: this.aioCa.cert, aioRootCaKeyPem: this.aioCa.key });
    for (const obj of preload) this.systemPut(structuredClone(obj), 'k3s', true);
    await this.reconcile();
    this.server = createServer(
      { cert: this.serving.cert + this.clusterCa.cert, key: this.serving.key, ca: this.clientCa.cert, requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.handle(req, res),
    );
    this.server.on('secureConnection', (s: TLSSocket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // A client that drops mid-handshake must not take the emulator down.
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `https://${isIP(this.host) === 6 ? `[${this.host}]` : this.host}:${this.port}`;
    if (this.opts.dir) {
      await mkdir(this.opts.dir, { recursive: true });
      await this.writeKubeconfig(join(this.opts.dir, 'kubeconfig.yaml'));
    }
  }

  async close(): Promise<void> {
    this.events.emit('close');
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  resourceVersion(): number {
    return this.rv;
  }

  // ---- public helpers -------------------------------------------------------------------------

  async kubeconfig(o: KubeconfigOptions = {}): Promise<string> {
    let user: JsonObject = {};
    if (o.token) user = { token: o.token };
    else if (!o.anonymous) {
      const c = o.user ? await issueLeaf(this.clientCa, { commonName: o.user, organizations: o.groups ?? [], serverAuth: false, clientAuth: true }) : await this.adminClient;
      user = { 'client-certificate-data': Buffer.from(c.cert).toString('base64'), 'client-key-data': Buffer.from(c.key).toString('base64') };
    }
    const userName = o.token ? 'token-user' : o.anonymous ? 'anonymous' : (o.user ?? 'admin');
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'emulator', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.caPem).toString('base64') } }],
      users: [{ name: userName, user }],
      contexts: [{ name: 'emulator', context: { cluster: 'emulator', user: userName, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
      'current-context': 'emulator',
      preferences: {},
    });
  }

  async writeKubeconfig(path: string, o?: KubeconfigOptions): Promise<void> {
    await writeFile(path, await this.kubeconfig(o), { mode: 0o600 });
  }

  async issueClientCertificate(user: string, groupsList: string[] = []): Promise<{ cert: string; key: string }> {
    const c = await issueLeaf(this.clientCa, { commonName: user, organizations: groupsList, serverAuth: false, clientAuth: true });
    return { cert: c.cert, key: c.key };
  }

  getObject(apiVersion: string, kind: string, namespace: string, name: string): JsonObject | undefined {
    const def = this.defOrThrow(apiVersion, kind);
    const o = this.store.get(this.key(def, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  listObjects(apiVersion: string, kind: string, namespace?: string): JsonObject[] {
    return this.listRaw(this.defOrThrow(apiVersion, kind), namespace).map((o) => structuredClone(o));
  }

  /**
   * Stores an object as a controller or another client would have written it. Broker CRs must satisfy the
   * schema from the REST spec with no unknown field, so no test builds on an object a real cluster would
   * have pruned or refused.
   */
  async putObject(obj: JsonObject, manager = 'test'): Promise<JsonObject> {
    const schema = AIO_SCHEMAS[str(obj['kind'])];
    if (schema && str(obj['apiVersion']).startsWith(`${AIO_GROUP}/`)) {
      const r = pruneAndValidate(schema, structuredClone(obj));
      const problems = [...r.unknown.map((u) => `unknown field "${u}"`), ...r.errors.map((e) => `${e.field}: ${e.type}${e.detail ? ` ${e.detail}` : ''}`)];
      if (problems.length > 0) throw new Error(`putObject: ${str(obj['kind'])} ${str(meta(obj)['name'])} does not fit the CRD schema: ${problems.join('; ')}`);
    }
    return this.locked(async () => {
      const out = this.systemPut(structuredClone(obj), manager, true);
      await this.reconcile();
      return structuredClone(out);
    });
  }

  async deleteObject(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    const def = this.defOrThrow(apiVersion, kind);
    await this.locked(async () => {
      this.remove(def, namespace, name);
      await this.reconcile();
    });
  }

  createToken(namespace: string, serviceAccount: string, audiences: string[] = [API_AUDIENCE], expirationSeconds = 3600): string {
    const sa = this.store.get(this.key(findResource('', 'v1', 'serviceaccounts')!, namespace, serviceAccount));
    if (!sa) throw new Error(`serviceaccount ${namespace}/${serviceAccount} does not exist`);
    return this.signer.mint(namespace, serviceAccount, str(meta(sa)['uid']), audiences, expirationSeconds).token;
  }

  // ---- store --------------------------------------------------------------------------------

  private defOrThrow(apiVersion: string, kind: string): ResourceDef {
    const def = findKind(apiVersion, kind);
    if (!def) throw new Error(`the emulator does not serve ${kind} ${apiVersion}`);
    return def;
  }

  private key(def: ResourceDef, namespace: string, name: string): string {
    return `${def.group}|${def.resource}|${def.namespaced ? namespace : ''}|${name}`;
  }

  private listRaw(def: ResourceDef, namespace?: string): JsonObject[] {
    const prefix = `${def.group}|${def.resource}|`;
    const out: JsonObject[] = [];
    for (const [k, v] of this.store) {
      if (!k.startsWith(prefix)) continue;
      if (def.namespaced && namespace && meta(v)['namespace'] !== namespace) continue;
      out.push(v);
    }
    return out.sort((a, b) => `${str(meta(a)['namespace'])}/${str(meta(a)['name'])}`.localeCompare(`${str(meta(b)['namespace'])}/${str(meta(b)['name'])}`));
  }

  private nextRv(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private emit(def: ResourceDef, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: JsonObject): void {
    this.events.emit('change', def, type, structuredClone(obj));
  }

  /** Writes through every step a real write takes except authz/validation; `keepStatus` for preload and controllers. */
  private systemPut(obj: JsonObject, manager: string, keepStatus: boolean): JsonObject {
    const def = this.defOrThrow(str(obj['apiVersion']), str(obj['kind']));
    const md = meta(obj);
    const ns = def.namespaced ? str(md['namespace']) || 'default' : '';
    if (def.namespaced) md['namespace'] = ns;
    const k = this.key(def, ns, str(md['name']));
    const old = this.store.get(k);
    const next = structuredClone(obj);
    this.normalize(def, next, old);
    if (old) {
      const om = meta(old);
      Object.assign(meta(next), { uid: om['uid'], creationTimestamp: om['creationTimestamp'], ...(om['generation'] !== undefined ? { generation: om['generation'] } : {}) });
      if (def.status && !keepStatus) next['status'] = old['status'];
      if (def.generation && !deepEqual(old['spec'], next['spec'])) meta(next)['generation'] = Number(om['generation'] ?? 1) + 1;
      meta(next)['resourceVersion'] = om['resourceVersion'];
      meta(next)['managedFields'] = om['managedFields'];
      if (deepEqual(stripManaged(old), stripManaged(next))) return old;
    } else {
      Object.assign(meta(next), { uid: randomUUID(), creationTimestamp: iso(), ...(def.generation ? { generation: 1 } : {}) });
    }
    recordUpdate(old, next, { manager, apiVersion: groupVersion(def) }, def.fields);
    meta(next)['resourceVersion'] = this.nextRv();
    this.store.set(k, next);
    this.emit(def, old ? 'MODIFIED' : 'ADDED', next);
    return next;
  }

  private remove(def: ResourceDef, namespace: string, name: string): JsonObject | undefined {
    const k = this.key(def, namespace, name);
    const old = this.store.get(k);
    if (!old) return undefined;
    this.store.delete(k);
    this.rv += 1;
    const gone = structuredClone(old);
    meta(gone)['resourceVersion'] = String(this.rv);
    this.emit(def, 'DELETED', gone);
    // Garbage collection: dependents go with their owner; a namespace takes its contents.
    const uid = meta(old)['uid'];
    for (const [key, v] of [...this.store]) {
      const owners = meta(v)['ownerReferences'];
      const owned = Array.isArray(owners) && owners.some((r: JsonObject) => r['uid'] === uid);
      const inNs = def.kind === 'Namespace' && meta(v)['namespace'] === name;
      if ((owned || inNs) && this.store.has(key)) {
        const [g, r] = key.split('|') as [string, string];
        const d = RESOURCES.find((x) => x.group === g && x.resource === r)!;
        this.remove(d, str(meta(v)['namespace']), str(meta(v)['name']));
      }
    }
    return gone;
  }

  /** Server-side defaulting and normalisation (stringData, Service IPs and node ports, namespace phase). */
  private normalize(def: ResourceDef, obj: JsonObject, old: JsonObject | undefined): void {
    obj['apiVersion'] = groupVersion(def);
    obj['kind'] = def.kind;
    if (def.kind === 'Secret') {
      if (isPlainObject(obj['stringData'])) {
        const data = (isPlainObject(obj['data']) ? obj['data'] : {}) as JsonObject;
        for (const [k, v] of Object.entries(obj['stringData'])) data[k] = Buffer.from(String(v)).toString('base64');
        obj['data'] = data;
        delete obj['stringData'];
      }
      obj['type'] ??= 'Opaque';
    }
    if (def.kind === 'Namespace') {
      const labels = (meta(obj)['labels'] ??= {}) as JsonObject;
      labels['kubernetes.io/metadata.name'] = meta(obj)['name'];
      obj['spec'] ??= { finalizers: ['kubernetes'] };
      obj['status'] = { phase: 'Active' };
    }
    if (def.kind === 'ServiceAccount' || def.kind === 'ConfigMap') return;
    if (def.kind === 'Service') this.defaultService(obj, old);
  }

  private defaultService(obj: JsonObject, old: JsonObject | undefined): void {
    const spec = (obj['spec'] ??= {}) as JsonObject;
    const oldSpec = (old?.['spec'] ?? {}) as JsonObject;
    spec['type'] ??= 'ClusterIP';
    if (spec['type'] !== 'ExternalName') {
      spec['clusterIP'] ??= oldSpec['clusterIP'] ?? `10.43.0.${this.clusterIpNext++}`;
      spec['clusterIPs'] ??= [spec['clusterIP']];
      spec['ipFamilies'] ??= ['IPv4'];
      spec['ipFamilyPolicy'] ??= 'SingleStack';
    }
    spec['sessionAffinity'] ??= 'None';
    spec['internalTrafficPolicy'] ??= 'Cluster';
    const oldPorts = Array.isArray(oldSpec['ports']) ? (oldSpec['ports'] as JsonObject[]) : [];
    const ports = Array.isArray(spec['ports']) ? (spec['ports'] as JsonObject[]) : [];
    for (const p of ports) {
      p['protocol'] ??= 'TCP';
      p['targetPort'] ??= p['port'];
      if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') {
        // kube-apiserver keeps an allocated nodePort when an update leaves it out.
        p['nodePort'] ??= oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === p['protocol'])?.['nodePort'] ?? this.nodePortNext++;
      } else delete p['nodePort'];
    }
    if (spec['type'] === 'LoadBalancer') {
      spec['externalTrafficPolicy'] ??= 'Cluster';
      spec['allocateLoadBalancerNodePorts'] ??= true;
      // What k3s' servicelb reports once it has placed the service on the node. Its svclb pods hold each port
      // on the node, so a port another LoadBalancer already holds leaves this one Pending with no ingress
      // (docs.k3s.io/networking/networking-services "How ServiceLB Works": "If there is no node with the
      // port available, the LB will remain Pending").
      const held = new Set(
        this.listRaw(RESOURCES.find((r) => r.kind === 'Service')!)
          .filter((o) => o !== old && !(meta(o)['namespace'] === meta(obj)['namespace'] && meta(o)['name'] === meta(obj)['name']))
          .filter((o) => Array.isArray((o['status'] as JsonObject | undefined)?.['loadBalancer'] && ((o['status'] as JsonObject)['loadBalancer'] as JsonObject)['ingress']))
          .flatMap((o) => ((((o['spec'] as JsonObject | undefined)?.['ports'] as JsonObject[] | undefined) ?? []).map((x) => `${String(x['protocol'] ?? 'TCP')}/${String(x['port'])}`))),
      );
      const free = ports.every((x) => !held.has(`${String(x['protocol'])}/${String(x['port'])}`));
      obj['status'] = free ? { loadBalancer: { ingress: [{ ip: this.opts.loadBalancerIp ?? this.host, ipMode: 'VIP' }] } } : { loadBalancer: {} };
    } else obj['status'] = { loadBalancer: {} };
  }

  private reconcileStore(): ReconcileStore {
    return {
      list: (group, resource, namespace) => {
        const def = RESOURCES.find((r) => r.group === group && r.resource === resource)!;
        return this.listRaw(def, namespace).map((o) => structuredClone(o));
      },
      get: (group, resource, namespace, name) => {
        const def = RESOURCES.find((r) => r.group === group && r.resource === resource)!;
        const o = this.store.get(this.key(def, namespace, name));
        return o ? structuredClone(o) : undefined;
      },
      upsert: (obj, manager, o = {}) => {
        const def = this.defOrThrow(str(obj['apiVersion']), str(obj['kind']));
        const md = meta(obj);
        const existing = this.store.get(this.key(def, str(md['namespace']), str(md['name'])));
        if (o.status) {
          if (!existing) return obj;
          const next = structuredClone(existing);
          next['status'] = obj['status'];
          if (deepEqual(existing['status'], next['status'])) return existing;
          return this.systemPut(next, manager, true);
        }
        const merged = existing ? (mergePatch(existing, obj) as JsonObject) : obj;
        return this.systemPut(merged, manager, def.kind === 'Service');
      },
    };
  }

  private async reconcile(): Promise<void> {
    if (this.opts.reconcile === false) return;
    await reconcileAll(this.reconcileStore(), this.certManager);
  }

  /** cert-manager's behaviour; `holdIssuance` keeps ready issuers from signing until `releaseIssuance()`. */
  readonly certManager: CertManagerOptions = {};

  /** Lets held requests be signed now, as a slow issuer finally answering. */
  async releaseIssuance(): Promise<void> {
    this.certManager.holdIssuance = false;
    await this.locked(() => this.reconcile());
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeLock.then(fn, fn);
    this.writeLock = run.catch(() => undefined);
    return run;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > MAX_BODY) throw new KubeStatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
        chunks.push(c as Buffer);
      }
    } catch (err) {
      if (err instanceof KubeStatusError) this.sendStatus(res, err.status);
      else req.socket.destroy();
      return;
    }
    const ctx: Ctx = { req, res, method: req.method ?? 'GET', path: url.pathname.replace(/\/+$/, '') || '/', query: url.searchParams, body: Buffer.concat(chunks), user: { name: '', groups: [] }, dropAfter: false, warnings: [] };
    const record: RecordedRequest = { method: ctx.method, path: ctx.path, query: Object.fromEntries(url.searchParams), user: '', contentType: str(req.headers['content-type']), status: 0 };
    this.requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
      if (this.opts.log) this.opts.log(`${ctx.method} ${req.url ?? ''} ${record.user || '-'} ${res.statusCode} ${record.contentType} accept=${str(req.headers['accept'])}`);
    });
    try {
      const user = this.authenticate(req);
      if (!user) {
        if (['/version', '/healthz', '/livez', '/readyz'].includes(ctx.path) && ctx.method === 'GET') {
          ctx.user = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
        } else throw unauthorized();
      } else ctx.user = user;
      record.user = ctx.user.name;
      await this.route(ctx);
    } catch (err) {
      if (ctx.dropAfter || req.socket.destroyed) return void req.socket.destroy();
      if (err instanceof KubeStatusError) return this.sendStatus(res, err.status);
      const message = err instanceof Error ? err.message : String(err);
      this.sendStatus(res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 });
    }
  }

  private authenticate(req: IncomingMessage): UserInfo | undefined {
    const auth = str(req.headers['authorization']);
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) {
      const token = m[1]!;
      const known = this.tokens.get(token);
      if (known) return known;
      const sa = this.reviewToken(token, []);
      if (sa.user) return sa.user;
      throw unauthorized();
    }
    const sock = req.socket as TLSSocket;
    if (sock.authorized) {
      const peer = sock.getPeerCertificate();
      const cn = peer.subject?.CN;
      const o = peer.subject?.O;
      if (typeof cn === 'string' && cn !== '') {
        const orgs = Array.isArray(o) ? o : typeof o === 'string' ? [o] : [];
        return { name: cn, groups: [...orgs, 'system:authenticated'] };
      }
    }
    return undefined;
  }

  /** TokenReview's logic, shared with bearer authentication. */
  private reviewToken(token: string, audiences: string[]): { user?: UserInfo; audiences?: string[]; error?: string } {
    const check = this.signer.check(token, audiences);
    if (!check.ok || !check.claims) return { error: check.error ?? 'invalid bearer token' };
    const k8s = check.claims['kubernetes.io'];
    const sa = this.store.get(this.key(findResource('', 'v1', 'serviceaccounts')!, k8s.namespace, k8s.serviceaccount.name));
    if (!sa || meta(sa)['uid'] !== k8s.serviceaccount.uid) {
      return { error: `[invalid bearer token, service account ${k8s.namespace}/${k8s.serviceaccount.name} has been deleted]` };
    }
    return {
      user: { name: check.claims.sub, uid: k8s.serviceaccount.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${k8s.namespace}`, 'system:authenticated'] },
      audiences: check.audiences ?? [],
    };
  }

  private authorize(user: UserInfo, attrs: RequestAttributes): boolean {
    // system:basic-user: everyone authenticated may ask what they may do.
    if (attrs.resource === 'selfsubjectaccessreviews' && attrs.verb === 'create') return true;
    if (this.opts.authorize) return this.opts.authorize(user, attrs);
    if (user.groups.includes('system:masters')) return true;
    if (attrs.path !== undefined) return attrs.verb === 'get';
    if (this.readOnly.has(user.name)) return READ_VERBS.has(attrs.verb);
    return false;
  }

  private send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', 'Audit-Id': randomUUID() });
    res.end(text);
  }

  private sendStatus(res: ServerResponse, status: KubeStatus): void {
    if (!res.headersSent) this.send(res, status.code, status);
  }

  private applyFaults(ctx: Ctx, info: { verb: string; group: string; resource: string; name: string; namespace: string }, discovery: boolean): void {
    for (const rule of this.rules) {
      if (rule.hits >= (rule.times ?? 1)) continue;
      if (discovery && !rule.includeDiscovery) continue;
      if (rule.match && !rule.match({ method: ctx.method, path: ctx.path, ...info })) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      rule.hits += 1;
      const a = rule.action;
      if (a.type === 'status') throw new KubeStatusError(a.code, a.reason ?? REASONS[a.code] ?? 'Unknown', a.message ?? `injected fault: ${a.code}`, {});
      if (a.type === 'conflict') throw staleConflict(info.group, info.resource, info.name);
      if (a.when === 'before') {
        ctx.req.socket.destroy();
        throw new KubeStatusError(0, '', 'dropped');
      }
      ctx.dropAfter = true;
      return;
    }
  }

  private async route(ctx: Ctx): Promise<void> {
    const { path, method } = ctx;
    const parts = path.split('/').filter(Boolean);
    const nonResource = (body: () => unknown): void => {
      this.applyFaults(ctx, { verb: 'get', group: '', resource: '', name: '', namespace: '' }, true);
      if (!this.authorize(ctx.user, { verb: method.toLowerCase(), group: '', resource: '', subresource: '', namespace: '', name: '', path })) throw forbiddenPath(ctx.user.name, method, path);
      if (method !== 'GET') throw methodNotAllowed();
      const b = body();
      if (b === undefined) throw notFoundPath();
      if (typeof b === 'string') {
        ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        return void ctx.res.end(b);
      }
      this.send(ctx.res, 200, b);
    };
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return nonResource(() => 'ok');
    if (path === '/version') {
      const gitVersion = this.opts.gitVersion ?? 'v1.32.4+k3s1';
      const [, major, minor] = /^v(\d+)\.(\d+)/.exec(gitVersion) ?? ['', '1', '32'];
      return nonResource(() => ({ major, minor, gitVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2025-04-01T00:00:00Z', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' }));
    }
    if (path === '/api') return nonResource(() => ({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${this.host}:${this.port}` }] }));
    if (path === '/apis') return nonResource(() => this.apiGroupList());
    if (path === '/openapi/v3') return nonResource(() => openApiV3Index());
    if (parts[0] === 'openapi' && parts[1] === 'v3') return nonResource(() => openApiV3GroupVersion(parts.slice(2).join('/')));
    // No v2 document: kubectl only falls back to it when v3 lacks the fieldValidation parameter.
    if (parts[0] === 'openapi') return nonResource(() => undefined);
    if (parts[0] === 'apis' && parts.length === 2) {
      return nonResource(() => {
        const g = (this.apiGroupList()['groups'] as JsonObject[]).find((x) => x['name'] === parts[1]);
        return g ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : undefined;
      });
    }
    if (parts[0] === 'api' && parts.length === 2) return nonResource(() => apiResourceList('', parts[1]!));
    if (parts[0] === 'apis' && parts.length === 3) return nonResource(() => apiResourceList(parts[1]!, parts[2]!));

    const parsed = this.parseResourcePath(parts);
    if (!parsed) {
      this.applyFaults(ctx, { verb: '', group: '', resource: '', name: '', namespace: '' }, true);
      throw notFoundPath();
    }
    const { def, namespace, name, subresource } = parsed;
    const verb = this.verbOf(method, name, ctx.query);
    this.applyFaults(ctx, { verb, group: def.group, resource: def.resource, name, namespace }, false);
    const attrs: RequestAttributes = { verb, group: def.group, resource: def.resource, subresource, namespace, name };
    if (!this.authorize(ctx.user, attrs)) throw forbidden(ctx.user.name, verb, def.group, def.resource, namespace, name || undefined, subresource || undefined);
    if (!def.verbs.includes(verb) && !(subresource && ['get', 'update', 'patch', 'create'].includes(verb))) throw methodNotAllowed();

    const write = WRITE_METHODS.has(method);
    const exec = async (): Promise<{ code: number; body: unknown; type?: string } | undefined> => {
      switch (method) {
        case 'GET':
          if (!name) {
            if (['true', '1'].includes(ctx.query.get('watch') ?? '')) {
              this.watch(ctx, def, namespace);
              return undefined;
            }
            return this.list(ctx, def, namespace);
          }
          return this.getOne(ctx, def, namespace, name);
        case 'POST':
          if (def.resource === 'serviceaccounts' && subresource === 'token') return this.tokenRequest(ctx, namespace, name);
          if (name) throw methodNotAllowed();
          if (def.kind === 'SelfSubjectAccessReview') return this.accessReview(ctx);
          if (def.virtual) return this.tokenReview(ctx);
          return this.create(ctx, def, namespace);
        case 'PUT':
          if (!name) throw methodNotAllowed();
          return this.update(ctx, def, namespace, name, subresource);
        case 'PATCH':
          if (!name) throw methodNotAllowed();
          return this.patch(ctx, def, namespace, name, subresource);
        case 'DELETE':
          return name ? this.deleteOne(ctx, def, namespace, name) : this.deleteCollection(ctx, def, namespace);
        default:
          throw methodNotAllowed();
      }
    };
    const result = write ? await this.locked(exec) : await exec();
    if (ctx.dropAfter) return void ctx.req.socket.destroy();
    if (result) {
      // RFC 7234 warn-code 299 with agent "-", as apiserver's warning recorder writes it; kubectl prints the text.
      if (ctx.warnings.length > 0) ctx.res.setHeader('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
      this.send(ctx.res, result.code, result.body, result.type);
    }
  }

  /**
   * `fieldValidation` as kube-apiserver honours it (KEP-2885; handlers/create.go, update.go, patch.go): Strict
   * refuses unknown fields with 400 BadRequest, Warn (the server's default) prunes them and warns, Ignore
   * prunes them silently. Only the broker CRs have a schema here; they are pruned in place.
   */
  private checkFields(ctx: Ctx, def: ResourceDef, obj: JsonObject): void {
    const schema = AIO_SCHEMAS[def.kind];
    if (def.group !== AIO_GROUP || !schema) return;
    const directive = this.fieldValidation(ctx);
    const unknown = pruneAndValidate(schema, obj).unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
    if (unknown.length === 0 || directive === 'Ignore') return;
    if (directive === 'Strict') {
      // transformDecodeError (handlers/rest.go) around runtime.StrictDecodingError.
      throw badRequest(`${def.kind} in version ${JSON.stringify(def.version)} cannot be handled as a ${def.kind}: strict decoding error: ${unknown.join(', ')}`);
    }
    ctx.warnings.push(...unknown);
  }

  private fieldValidation(ctx: Ctx): 'Strict' | 'Warn' | 'Ignore' {
    const v = ctx.query.get('fieldValidation') ?? '';
    if (v === '') return 'Warn';
    if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
    throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`);
  }

  /**
   * An apply configuration is converted to a typed object against the schema before anything else, and an
   * undeclared field fails that conversion whatever fieldValidation says (field_validation_test.go: "even prior
   * to server-side validation, unknown fields were treated as errors in apply-patch"). The error is not a
   * Status error, so apiserver answers 500 with no reason (ErrorToAPIStatus) and kubectl prints
   * "Error from server: failed to create typed patch object (...)". structured-merge-diff stops at the first
   * undeclared field of each object and joins several with "errors:\n  ".
   */
  private checkApplyConfig(ctx: Ctx, def: ResourceDef, namespace: string, name: string, config: JsonObject): void {
    const schema = AIO_SCHEMAS[def.kind];
    if (def.group !== AIO_GROUP || !schema) return;
    this.fieldValidation(ctx);
    const seenParents = new Set<string>();
    const first = unknownFields(schema, config).filter((p) => {
      const parent = p.replace(/(\.[^.[\]]+)$/, '');
      if (seenParents.has(parent)) return false;
      seenParents.add(parent);
      return true;
    });
    if (first.length === 0) return;
    const errs = first.map((p) => `.${p}: field not declared in schema`);
    const text = errs.length === 1 ? errs[0] : ['errors:', ...errs.map((e) => `  ${e}`)].join('\n');
    throw new KubeStatusError(500, '', `failed to create typed patch object (${namespace}/${name}; ${def.group}/${def.version}, Kind=${def.kind}): ${text}`);
  }

  private apiGroupList(): JsonObject {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups()].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private parseResourcePath(parts: string[]): ParsedPath | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1]!, parts.slice(2)];
    else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    else return undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const def = findResource(group, version, rest[2]!);
      if (def && def.namespaced) return rest.length <= 5 ? { def, namespace: rest[1]!, name: rest[3] ?? '', subresource: rest[4] ?? '' } : undefined;
      if (!def && group === '' && rest.length === 3) {
        const ns = findResource('', version, 'namespaces')!;
        return { def: ns, namespace: '', name: rest[1]!, subresource: rest[2]! };
      }
      return undefined;
    }
    const def = findResource(group, version, rest[0]!);
    if (!def || rest.length > 3) return undefined;
    if (def.namespaced && rest.length > 1) return undefined;
    return { def, namespace: '', name: rest[1] ?? '', subresource: rest[2] ?? '' };
  }

  private verbOf(method: string, name: string, q: URLSearchParams): string {
    switch (method) {
      case 'GET':
        if (name) return 'get';
        return ['true', '1'].includes(q.get('watch') ?? '') ? 'watch' : 'list';
      case 'POST': return 'create';
      case 'PUT': return 'update';
      case 'PATCH': return 'patch';
      case 'DELETE': return name ? 'delete' : 'deletecollection';
      default: return method.toLowerCase();
    }
  }

  private parseBody(ctx: Ctx, yaml = false): JsonObject {
    if (isProtobuf(str(ctx.req.headers['content-type']))) return decodeProtobuf(ctx.body);
    const text = ctx.body.toString('utf8');
    if (text.trim() === '') throw badRequest('the body of the request was empty');
    let v: unknown;
    try {
      v = yaml ? parseYaml(text) : JSON.parse(text);
    } catch (err) {
      throw badRequest(`error decoding request body: ${err instanceof Error ? err.message : String(err)}`);
    }
    return v as JsonObject;
  }

  private decodeObject(ctx: Ctx, def: ResourceDef, namespace: string, name: string | undefined): JsonObject {
    const obj = this.parseBody(ctx);
    if (!isPlainObject(obj)) throw badRequest("Object 'Kind' is missing in request body");
    const gv = groupVersion(def);
    if (obj['apiVersion'] !== undefined && obj['apiVersion'] !== gv) throw badRequest(`the API version in the data (${str(obj['apiVersion'])}) does not match the expected API version (${gv})`);
    if (obj['kind'] !== undefined && obj['kind'] !== def.kind) throw badRequest(`the kind in the data (${str(obj['kind'])}) does not match the expected kind (${def.kind})`);
    const md = meta(obj);
    if (def.namespaced) {
      if (md['namespace'] !== undefined && md['namespace'] !== '' && md['namespace'] !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      md['namespace'] = namespace;
    }
    if (name !== undefined && md['name'] !== undefined && md['name'] !== name) throw badRequest(`the name of the object (${str(md['name'])}) does not match the name on the URL (${name})`);
    if (name !== undefined) md['name'] = name;
    return obj;
  }

  private managerOf(ctx: Ctx): string {
    const fm = ctx.query.get('fieldManager');
    if (fm) return fm;
    const ua = str(ctx.req.headers['user-agent']);
    return ua.split('/')[0] || 'unknown';
  }

  private dryRun(ctx: Ctx): boolean {
    const d = ctx.query.getAll('dryRun');
    if (d.some((x) => x !== 'All')) throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(d.find((x) => x !== 'All'))}: supported values: "All"`);
    return d.length > 0;
  }

  private requireNamespace(def: ResourceDef, namespace: string): void {
    if (!def.namespaced) return;
    if (!this.store.has(this.key(findResource('', 'v1', 'namespaces')!, '', namespace))) throw notFound('', 'namespaces', namespace);
  }

  private out(def: ResourceDef, obj: JsonObject): JsonObject {
    const o = structuredClone(obj);
    o['apiVersion'] = groupVersion(def);
    o['kind'] = def.kind;
    return o;
  }

  private wantsTable(ctx: Ctx): boolean {
    return /as=Table/.test(str(ctx.req.headers['accept']));
  }

  private table(ctx: Ctx, def: ResourceDef, objs: JsonObject[], rv: string): JsonObject {
    const include = ctx.query.get('includeObject') ?? 'Metadata';
    const cols = def.columns.length > 0 ? def.columns : [AGE_COLUMN];
    const now = Date.now();
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: rv },
      columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type === 'date' ? 'string' : c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
      rows: objs.map((o) => ({
        cells: cols.map((c) => {
          const v = c.cell(o);
          if (c.type === 'date') return typeof v === 'string' ? humanDuration(now - Date.parse(v)) : '<unknown>';
          return v === undefined || v === null ? '<none>' : v;
        }),
        ...(include === 'None' ? {} : { object: include === 'Object' ? this.out(def, o) : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: structuredClone(meta(o)) } }),
      })),
    };
  }

  private list(ctx: Ctx, def: ResourceDef, namespace: string): { code: number; body: unknown } {
    let objs = this.listRaw(def, namespace || undefined);
    const ls = ctx.query.get('labelSelector');
    if (ls) objs = objs.filter(parseLabelSelector(ls));
    const fs = ctx.query.get('fieldSelector');
    if (fs) objs = objs.filter(parseFieldSelector(fs));
    const rv = String(this.rv);
    if (this.wantsTable(ctx)) return { code: 200, body: this.table(ctx, def, objs, rv) };
    const custom = def.group !== '' && def.group !== 'authentication.k8s.io';
    return {
      code: 200,
      body: {
        kind: `${def.kind}List`,
        apiVersion: groupVersion(def),
        metadata: { resourceVersion: rv },
        items: objs.map((o) => {
          const c = structuredClone(o);
          // Built-in lists leave kind/apiVersion off the items; custom resource lists keep them.
          if (custom) return this.out(def, c);
          delete c['kind'];
          delete c['apiVersion'];
          return c;
        }),
      },
    };
  }

  private getOne(ctx: Ctx, def: ResourceDef, namespace: string, name: string): { code: number; body: unknown } {
    const o = this.store.get(this.key(def, namespace, name));
    if (!o) throw notFound(def.group, def.resource, name);
    if (this.wantsTable(ctx)) return { code: 200, body: this.table(ctx, def, [o], str(meta(o)['resourceVersion'])) };
    return { code: 200, body: this.out(def, o) };
  }

  private watch(ctx: Ctx, def: ResourceDef, namespace: string): void {
    const { res, query } = ctx;
    const ls = query.get('labelSelector');
    const fs = query.get('fieldSelector');
    const pass = (o: JsonObject): boolean => (!namespace || meta(o)['namespace'] === namespace) && (!ls || parseLabelSelector(ls)(o)) && (!fs || parseFieldSelector(fs)(o));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // Informers wait for the response headers before they consider the watch established.
    res.flushHeaders();
    const line = (type: string, o: JsonObject): boolean => res.write(JSON.stringify({ type, object: this.out(def, o) }) + '\n');
    const since = query.get('resourceVersion');
    if (!since || since === '0') for (const o of this.listRaw(def, namespace || undefined)) if (pass(o)) line('ADDED', o);
    const onChange = (d: ResourceDef, type: string, o: JsonObject): void => {
      if (d === def && pass(o)) line(type, o);
    };
    const stop = (): void => {
      this.events.off('change', onChange);
      this.events.off('close', stop);
      clearTimeout(timer);
      res.end();
    };
    const timeout = Number(query.get('timeoutSeconds') ?? '1800');
    const timer = setTimeout(stop, Math.max(1, timeout) * 1000);
    this.events.on('change', onChange);
    this.events.on('close', stop);
    ctx.req.socket.on('close', stop);
  }

  private async create(ctx: Ctx, def: ResourceDef, namespace: string): Promise<{ code: number; body: unknown }> {
    const obj = this.decodeObject(ctx, def, namespace, undefined);
    this.checkFields(ctx, def, obj);
    const md = meta(obj);
    if (!md['name'] && typeof md['generateName'] === 'string') md['name'] = `${md['generateName']}${randomBytes(3).toString('hex').slice(0, 5)}`;
    const name = str(md['name']);
    const dry = this.dryRun(ctx);
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp']) delete md[k];
    if (def.status) delete obj['status'];
    this.normalize(def, obj, undefined);
    const errs = validateObject(def, obj);
    if (errs.length > 0) throw invalid(def.group, def.kind, name, errs);
    this.requireNamespace(def, namespace);
    if (this.store.has(this.key(def, namespace, name))) throw alreadyExists(def.group, def.resource, name);
    Object.assign(md, { uid: randomUUID(), creationTimestamp: iso(), ...(def.generation ? { generation: 1 } : {}) });
    recordUpdate(undefined, obj, { manager: this.managerOf(ctx), apiVersion: groupVersion(def) }, def.fields);
    if (dry) return { code: 201, body: this.out(def, obj) };
    md['resourceVersion'] = this.nextRv();
    this.store.set(this.key(def, namespace, name), obj);
    this.emit(def, 'ADDED', obj);
    await this.reconcile();
    return { code: 201, body: this.out(def, this.store.get(this.key(def, namespace, name)) ?? obj) };
  }

  /** Shared tail of PUT and the patch types: preconditions, status split, generation, validation, store. */
  private async commit(ctx: Ctx, def: ResourceDef, old: JsonObject, next: JsonObject, subresource: string, manager: { manager: string; apply: boolean; force?: boolean } | undefined): Promise<{ code: number; body: unknown }> {
    const om = meta(old);
    const nm = meta(next);
    const name = str(om['name']);
    const wantRv = nm['resourceVersion'];
    if (wantRv !== undefined && wantRv !== '' && wantRv !== om['resourceVersion']) throw staleConflict(def.group, def.resource, name);
    Object.assign(nm, { uid: om['uid'], creationTimestamp: om['creationTimestamp'], name, ...(def.namespaced ? { namespace: om['namespace'] } : {}) });
    if (om['generation'] !== undefined) nm['generation'] = om['generation'];
    // Apply computed managedFields itself; an update that leaves them out keeps the stored ones.
    if (nm['managedFields'] === undefined && !manager?.apply) nm['managedFields'] = om['managedFields'];
    if (subresource === 'status') {
      const status = next['status'];
      for (const k of Object.keys(next)) if (k !== 'metadata') delete next[k];
      Object.assign(next, structuredClone({ ...old, metadata: undefined }), { status });
      next['metadata'] = { ...structuredClone(om) };
    } else if (subresource) {
      throw notFoundPath();
    } else if (def.status) {
      if (old['status'] === undefined) delete next['status'];
      else next['status'] = old['status'];
    }
    if (def.generation && !deepEqual(old['spec'], next['spec'])) nm['generation'] = Number(om['generation'] ?? 1) + 1;
    this.normalize(def, next, old);
    const errs = validateObject(def, next, old);
    if (errs.length > 0) throw invalid(def.group, def.kind, name, errs);
    if (manager && !manager.apply) recordUpdate(old, next, { manager: manager.manager, apiVersion: groupVersion(def), subresource: subresource || undefined }, subresource === 'status' ? { ...def.fields, ignoredTopLevel: [] } : def.fields);
    meta(next)['resourceVersion'] = om['resourceVersion'];
    if (deepEqual(next, old)) return { code: 200, body: this.out(def, old) };
    if (this.dryRun(ctx)) return { code: 200, body: this.out(def, next) };
    meta(next)['resourceVersion'] = this.nextRv();
    this.store.set(this.key(def, str(om['namespace']), name), next);
    this.emit(def, 'MODIFIED', next);
    await this.reconcile();
    return { code: 200, body: this.out(def, this.store.get(this.key(def, str(om['namespace']), name)) ?? next) };
  }

  private existing(def: ResourceDef, namespace: string, name: string): JsonObject {
    const o = this.store.get(this.key(def, namespace, name));
    if (!o) throw notFound(def.group, def.resource, name);
    return o;
  }

  private async update(ctx: Ctx, def: ResourceDef, namespace: string, name: string, subresource: string): Promise<{ code: number; body: unknown }> {
    const next = this.decodeObject(ctx, def, namespace, name);
    this.checkFields(ctx, def, next);
    const old = this.existing(def, namespace, name);
    const rv = meta(next)['resourceVersion'];
    if ((rv === undefined || rv === '') && !def.unconditionalUpdate) {
      throw invalid(def.group, def.kind, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update' }]);
    }
    return this.commit(ctx, def, old, next, subresource, { manager: this.managerOf(ctx), apply: false });
  }

  private async patch(ctx: Ctx, def: ResourceDef, namespace: string, name: string, subresource: string): Promise<{ code: number; body: unknown }> {
    const type = str(ctx.req.headers['content-type']).split(';')[0]!.trim();
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') return this.apply(ctx, def, namespace, name, subresource);
    const old = this.existing(def, namespace, name);
    let next: JsonObject;
    if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
      const p = this.parseBody(ctx);
      // Strategic merge patch is a merge patch for every kind the emulator serves, minus the directives.
      if (type.startsWith('application/strategic') && JSON.stringify(p).includes('"$patch"')) throw badRequest('the emulator does not support strategic merge patch directives ($patch)');
      next = mergePatch(structuredClone(old), p) as JsonObject;
    } else if (type === 'application/json-patch+json') {
      next = jsonPatch(old, JSON.parse(ctx.body.toString('utf8')));
    } else throw unsupportedMediaType(type);
    this.checkFields(ctx, def, next);
    // A patch that sets metadata.resourceVersion is a precondition; one that leaves it out is not.
    if (meta(next)['resourceVersion'] === meta(old)['resourceVersion']) delete meta(next)['resourceVersion'];
    return this.commit(ctx, def, old, next, subresource, { manager: this.managerOf(ctx), apply: false });
  }

  private async apply(ctx: Ctx, def: ResourceDef, namespace: string, name: string, subresource: string): Promise<{ code: number; body: unknown }> {
    const fieldManager = ctx.query.get('fieldManager') ?? '';
    if (fieldManager === '') throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }]);
    const force = ctx.query.get('force') === 'true';
    const config = this.parseBody(ctx, true);
    if (!isPlainObject(config) || !config['kind'] || !config['apiVersion']) throw badRequest("Object 'Kind' is missing in apply configuration");
    const gv = groupVersion(def);
    if (config['apiVersion'] !== gv || config['kind'] !== def.kind) throw badRequest(`the API version in the data (${str(config['apiVersion'])}) does not match the expected API version (${gv})`);
    const cm = meta(config);
    if (cm['name'] !== undefined && cm['name'] !== name) throw badRequest(`the name of the object (${str(cm['name'])}) does not match the name on the URL (${name})`);
    if (def.namespaced && cm['namespace'] !== undefined && cm['namespace'] !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    this.checkApplyConfig(ctx, def, namespace, name, config);
    const rvPrecondition = cm['resourceVersion'];
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'name', 'namespace', 'deletionTimestamp']) delete cm[k];
    if (def.status && subresource !== 'status') delete config['status'];
    if (def.kind === 'Secret' && isPlainObject(config['stringData'])) {
      const data = (isPlainObject(config['data']) ? config['data'] : {}) as JsonObject;
      for (const [k, v] of Object.entries(config['stringData'])) data[k] = Buffer.from(String(v)).toString('base64');
      config['data'] = data;
      delete config['stringData'];
    }
    const old = this.store.get(this.key(def, namespace, name));
    const who = { manager: fieldManager, apiVersion: gv, subresource: subresource || undefined };
    const fields = subresource === 'status' ? { ...def.fields, ignoredTopLevel: [] } : def.fields;
    if (!old) {
      if (subresource) throw notFound(def.group, def.resource, name);
      const created = serverSideApply(undefined, config, who, force, fields);
      Object.assign(meta(created), { name, ...(def.namespaced ? { namespace } : {}) });
      this.normalize(def, created, undefined);
      const errs = validateObject(def, created);
      if (errs.length > 0) throw invalid(def.group, def.kind, name, errs);
      this.requireNamespace(def, namespace);
      if (rvPrecondition !== undefined) throw notFound(def.group, def.resource, name);
      Object.assign(meta(created), { uid: randomUUID(), creationTimestamp: iso(), ...(def.generation ? { generation: 1 } : {}) });
      if (this.dryRun(ctx)) return { code: 201, body: this.out(def, created) };
      meta(created)['resourceVersion'] = this.nextRv();
      this.store.set(this.key(def, namespace, name), created);
      this.emit(def, 'ADDED', created);
      await this.reconcile();
      return { code: 201, body: this.out(def, this.store.get(this.key(def, namespace, name)) ?? created) };
    }
    const next = serverSideApply(old, config, who, force, fields);
    if (rvPrecondition !== undefined) meta(next)['resourceVersion'] = rvPrecondition;
    else delete meta(next)['resourceVersion'];
    return this.commit(ctx, def, old, next, subresource, { manager: fieldManager, apply: true, force });
  }

  private parseDeleteOptions(ctx: Ctx): JsonObject {
    if (isProtobuf(str(ctx.req.headers['content-type']))) return decodeProtobuf(ctx.body);
    const text = ctx.body.toString('utf8').trim();
    if (!text) return {};
    try {
      const o = JSON.parse(text) as unknown;
      return isPlainObject(o) ? o : {};
    } catch {
      throw badRequest('error decoding DeleteOptions');
    }
  }

  private async deleteOne(ctx: Ctx, def: ResourceDef, namespace: string, name: string): Promise<{ code: number; body: unknown }> {
    const old = this.existing(def, namespace, name);
    const pre = (this.parseDeleteOptions(ctx)['preconditions'] ?? {}) as JsonObject;
    const om = meta(old);
    if (pre['uid'] !== undefined && pre['uid'] !== om['uid']) {
      throw new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${def.group ? `${def.resource}.${def.group}` : def.resource} "${name}": Precondition failed: UID in precondition: ${str(pre['uid'])}, UID in object meta: ${str(om['uid'])}`, { name, ...(def.group ? { group: def.group } : {}), kind: def.resource });
    }
    if (pre['resourceVersion'] !== undefined && pre['resourceVersion'] !== om['resourceVersion']) {
      throw new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${def.group ? `${def.resource}.${def.group}` : def.resource} "${name}": Precondition failed: ResourceVersion in precondition: ${str(pre['resourceVersion'])}, ResourceVersion in object meta: ${str(om['resourceVersion'])}`, { name, ...(def.group ? { group: def.group } : {}), kind: def.resource });
    }
    if (this.dryRun(ctx)) return { code: 200, body: this.out(def, old) };
    const gone = this.remove(def, namespace, name)!;
    await this.reconcile();
    return { code: 200, body: this.out(def, gone) };
  }

  private async deleteCollection(ctx: Ctx, def: ResourceDef, namespace: string): Promise<{ code: number; body: unknown }> {
    let objs = this.listRaw(def, namespace || undefined);
    const ls = ctx.query.get('labelSelector');
    if (ls) objs = objs.filter(parseLabelSelector(ls));
    const fs = ctx.query.get('fieldSelector');
    if (fs) objs = objs.filter(parseFieldSelector(fs));
    const dry = this.dryRun(ctx);
    const items = objs.map((o) => structuredClone(o));
    if (!dry) for (const o of objs) this.remove(def, str(meta(o)['namespace']), str(meta(o)['name']));
    if (!dry) await this.reconcile();
    return { code: 200, body: { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: String(this.rv) }, items } };
  }

  private async tokenRequest(ctx: Ctx, namespace: string, name: string): Promise<{ code: number; body: unknown }> {
    const sa = this.existing(findResource('', 'v1', 'serviceaccounts')!, namespace, name);
    const body = this.parseBody(ctx);
    const spec = (isPlainObject(body['spec']) ? body['spec'] : {}) as JsonObject;
    const audiences = Array.isArray(spec['audiences']) && spec['audiences'].length > 0 ? (spec['audiences'] as string[]) : [API_AUDIENCE];
    const exp = typeof spec['expirationSeconds'] === 'number' ? spec['expirationSeconds'] : 3600;
    if (exp < 600) {
      throw invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: exp, detail: 'may not specify a duration less than 10 minutes' }]);
    }
    if (exp > 2 ** 32) {
      throw invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'FieldValueTooLong', field: 'spec.expirationSeconds', detail: 'may not specify a duration larger than 2^32 seconds' }]);
    }
    const { token, exp: expAt } = this.signer.mint(namespace, name, str(meta(sa)['uid']), audiences, exp);
    return {
      code: 201,
      body: {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name, namespace, creationTimestamp: null },
        spec: { audiences, expirationSeconds: exp, boundObjectRef: spec['boundObjectRef'] ?? null },
        status: { token, expirationTimestamp: iso(new Date(expAt * 1000)) },
      },
    };
  }

  /** `kubectl auth can-i`: the authorizer's answer for the caller. */
  private accessReview(ctx: Ctx): { code: number; body: unknown } {
    const body = this.parseBody(ctx);
    const spec = (isPlainObject(body['spec']) ? body['spec'] : {}) as JsonObject;
    const ra = (spec['resourceAttributes'] ?? {}) as JsonObject;
    const nra = spec['nonResourceAttributes'] as JsonObject | undefined;
    const attrs: RequestAttributes = nra
      ? { verb: str(nra['verb']), group: '', resource: '', subresource: '', namespace: '', name: '', path: str(nra['path']) }
      : { verb: str(ra['verb']), group: str(ra['group']), resource: str(ra['resource']), subresource: str(ra['subresource']), namespace: str(ra['namespace']), name: str(ra['name']) };
    const allowed = this.authorize(ctx.user, attrs);
    return { code: 201, body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status: { allowed } } };
  }

  private tokenReview(ctx: Ctx): { code: number; body: unknown } {
    const body = this.parseBody(ctx);
    if (body['kind'] !== undefined && body['kind'] !== 'TokenReview') throw badRequest(`the kind in the data (${str(body['kind'])}) does not match the expected kind (TokenReview)`);
    const spec = (isPlainObject(body['spec']) ? body['spec'] : {}) as JsonObject;
    const token = str(spec['token']);
    const audiences = Array.isArray(spec['audiences']) ? (spec['audiences'] as string[]) : [];
    const out = { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { ...spec } };
    const known = this.tokens.get(token);
    if (known && audiences.length === 0) {
      return { code: 201, body: { ...out, status: { authenticated: true, user: { username: known.name, groups: known.groups }, audiences: [API_AUDIENCE] } } };
    }
    const r = this.reviewToken(token, audiences);
    if (!r.user) return { code: 201, body: { ...out, status: { user: {}, error: r.error } } };
    const jti = (() => {
      try {
        return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti?: string }).jti;
      } catch {
        return undefined;
      }
    })();
    return {
      code: 201,
      body: {
        ...out,
        status: {
          authenticated: true,
          user: { username: r.user.name, uid: r.user.uid, groups: r.user.groups, extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti ?? ''}`] } },
          audiences: r.audiences,
        },
      },
    };
  }
}

/** Verifies that `pem` was issued by the emulator's AIO root (tests and the reconcile checks use it). */
export function issuedBy(pem: string, caPem: string): boolean {
  return new X509Certificate(pem).checkIssued(new X509Certificate(caPem));
}

/** Removes a directory the CLI or a test wrote the kubeconfig into. */
export async function cleanDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
