import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './aio-constants';
import type { KubeObject } from './aio-resources';

/** A Kubernetes Status object as the API server sends it with an error. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

/** What went wrong talking to the API: an HTTP status with the server's Status, or the connection itself. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: KubeStatus | undefined,
    /** True when no answer arrived (refused, reset, dropped mid-request, timed out). */
    readonly network: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** The kinds the AIO area reads or writes. A fixed table instead of discovery: one request less per call, and a
 *  cluster without cert-manager still answers the AIO kinds. */
const TYPES: Record<string, ResourceType> = {
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Broker: { group: 'mqttbroker.iotoperations.azure.com', version: 'v1', plural: 'brokers', namespaced: true },
  BrokerListener: { group: 'mqttbroker.iotoperations.azure.com', version: 'v1', plural: 'brokerlisteners', namespaced: true },
  BrokerAuthentication: { group: 'mqttbroker.iotoperations.azure.com', version: 'v1', plural: 'brokerauthentications', namespaced: true },
  BrokerAuthorization: { group: 'mqttbroker.iotoperations.azure.com', version: 'v1', plural: 'brokerauthorizations', namespaced: true },
  Certificate: { group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespaced: true },
  CertificateRequest: { group: 'cert-manager.io', version: 'v1', plural: 'certificaterequests', namespaced: true },
  Issuer: { group: 'cert-manager.io', version: 'v1', plural: 'issuers', namespaced: true },
  ClusterIssuer: { group: 'cert-manager.io', version: 'v1', plural: 'clusterissuers', namespaced: false },
};

export function apiVersionOfKind(kind: string): string {
  const t = TYPES[kind];
  if (!t) throw new Error(`unknown kind ${kind}`);
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function isKnownKind(kind: string): boolean {
  return Object.hasOwn(TYPES, kind);
}

export interface KubeClientOptions {
  signal?: AbortSignal;
  /** Per request; a dropped tunnel must not hang an apply. Default 30 s. */
  timeoutMs?: number;
}

/**
 * A thin client over the Kubernetes REST API for the handful of kinds the AIO area uses. It takes the
 * server, CA and credentials from @kubernetes/client-node's KubeConfig (applyToHTTPSOptions) and sends the
 * requests itself, so that server-side apply goes out exactly as kubectl sends it (apply-patch content
 * type, fieldManager, force, dryRun=All) and objects come back as the server wrote them, not converted
 * into the generated model classes (which turn timestamps into Dates and would make every diff noisy).
 */
export class AioKubeClient {
  private readonly server: URL;
  private warnings: string[] = [];

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: KubeClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeApiError('The kubeconfig has no current cluster.', undefined, undefined, false);
    this.server = new URL(cluster.server);
  }

  /** The object, or undefined when it does not exist. */
  async get(kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return (await this.request('GET', this.path(kind, namespace, name))) as KubeObject;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404 && err.body?.details?.name === name) return undefined;
      throw err;
    }
  }

  /** Every object of a kind (in a namespace, or cluster-wide for namespaced kinds when namespace is omitted). */
  async list(kind: string, namespace?: string): Promise<KubeObject[]> {
    const t = this.type(kind);
    const body = (await this.request('GET', this.path(kind, t.namespaced ? namespace : undefined))) as { items?: KubeObject[] };
    const apiVersion = apiVersionOfKind(kind);
    // Lists omit each item's apiVersion/kind; put them back so items look like single reads.
    return (body.items ?? []).map((o) => ({ ...o, apiVersion, kind }));
  }

  /** Server-side apply as field manager `fieldbench`. `dryRun` asks the server to do everything but store it. */
  async apply(obj: KubeObject, opts: { dryRun?: boolean; force?: boolean } = {}): Promise<KubeObject> {
    // Strict, as kubectl sends it: a field the CRD does not declare must fail here, never vanish on the cluster.
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' });
    if (opts.force) query.set('force', 'true');
    if (opts.dryRun) query.set('dryRun', 'All');
    const path = `${this.path(obj.kind, obj.metadata.namespace, obj.metadata.name)}?${query.toString()}`;
    return (await this.request('PATCH', path, JSON.stringify(obj), 'application/apply-patch+yaml')) as KubeObject;
  }

  /** The API server's `Warning` headers since the last call (deprecations, pruned fields), in order. */
  takeWarnings(): string[] {
    const out = this.warnings;
    this.warnings = [];
    return out;
  }

  private type(kind: string): ResourceType {
    const t = TYPES[kind];
    if (!t) throw new KubeApiError(`Fieldbench does not handle ${kind} resources.`, undefined, undefined, false);
    return t;
  }

  private path(kind: string, namespace: string | undefined, name?: string): string {
    const t = this.type(kind);
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    const ns = t.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${t.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  private async request(method: string, path: string, body?: string, contentType?: string): Promise<unknown> {
    const base = this.server.pathname.replace(/\/+$/, '');
    const opts: RequestOptions = {
      method,
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[|\]$/g, ''),
      port: this.server.port || (this.server.protocol === 'https:' ? 443 : 80),
      path: `${base}${path}`,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) },
      timeout: this.options.timeoutMs ?? 30_000,
    };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    // applyToHTTPSOptions may replace headers; make sure ours survive.
    opts.headers = { ...(opts.headers ?? {}), Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) };
    const send = this.server.protocol === 'http:' ? httpRequest : httpsRequest;
    const signal = this.options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const req = send(opts, (res) => {
        this.warnings.push(...parseWarnings(res.headers['warning']));
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new KubeApiError(`The connection to the Kubernetes API dropped: ${e.message}`, undefined, undefined, true, { cause: e })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            if (parsed === undefined) return reject(new KubeApiError(`The Kubernetes API answered ${method} ${path} with something that is not JSON.`, status, undefined, false));
            return resolve(parsed);
          }
          const st = (parsed && typeof parsed === 'object' ? parsed : { message: text.slice(0, 500) }) as KubeStatus;
          reject(new KubeApiError(st.message ?? `HTTP ${status}`, status, st, false));
        });
      });
      const onAbort = (): void => void req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : e);
        reject(new KubeApiError(`The connection to the Kubernetes API failed: ${e.message}`, undefined, undefined, true, { cause: e }));
      });
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.end(body);
    });
  }
}

/** RFC 7234 warn-values as kube-apiserver sends them (`299 - "text"`, several joined by ", "). */
export function parseWarnings(header: string | string[] | undefined): string[] {
  const all = Array.isArray(header) ? header.join(', ') : (header ?? '');
  return [...all.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}
