/**
 * A stand-in for the AIO broker operator on the edge test host: it watches the Kubernetes API emulator
 * running inside the node (BrokerListener, BrokerAuthentication, Secret, ConfigMap, Service and
 * cert-manager Certificate) and serves every listener port in the node, as the broker's frontend pods
 * behind the listener's Service would. One mosquitto carries every port, so all listeners share one bus
 * (docs: "You can have one or more BrokerListener resources for each broker" — they front the same broker);
 * K8S-SAT ports are the lab's sat-broker bridged onto that bus, because mosquitto lacks enhanced auth.
 *
 * Behaviour and where AIO documents it (learn.microsoft.com/azure/iot-operations/manage-mqtt-broker/…):
 * - howto-configure-brokerlistener: each port of a BrokerListener is exposed through the Service named
 *   `serviceName` (default the listener's name) of `serviceType` ClusterIp | NodePort | LoadBalancer; a
 *   LoadBalancer port answers on the Service's external IP (k3s servicelb: the node's address), a NodePort
 *   port on the node's address at `nodePort`, and every port on the Service's cluster IP.
 * - howto-configure-tls-manual: `tls.mode: Manual` serves `manual.secretRef`, a Secret in the listener's
 *   namespace holding tls.crt (leaf first, then intermediates) and tls.key.
 * - howto-configure-tls-auto: `tls.mode: Automatic` has cert-manager issue a Certificate from
 *   `certManagerCertificateSpec`; the broker serves the Secret that Certificate wrote, and serves the new one
 *   when cert-manager renews it. A port whose Secret does not exist yet is not served.
 * - howto-configure-authentication: "Ports that don't link a BrokerAuthentication resource have
 *   authentication disabled" (plain/anonymous here); X.509 requires a client certificate that chains to a
 *   CA in the `x509Settings.trustedClientCaCert` ConfigMap under the key `client_ca.pem`; ServiceAccountToken
 *   checks a K8S-SAT token for one of `serviceAccountTokenSettings.audiences`.
 * Where the stand-in is simpler than the operator it says so where it happens (e.g. any change restarts the
 * one mosquitto, so open connections drop; the real frontend reloads certificates in place).
 *
 * Two halves: {@link startAioOperator} runs in the test process (vitest or a Playwright worker fixture) and
 * starts `aio-operator-cli.ts` inside the node, which calls {@link runAioOperatorInNode}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { pathToFileURL } from 'node:url';
import type { EdgeLab } from '../e2e/edge-lab-fixture.js';
import { automaticCertificateName } from '../kube/kube-reconcile.js';
import { startSatBroker, type SatBroker } from './sat-broker.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const MOSQUITTO = '/usr/sbin/mosquitto';
const AIO = '/apis/mqttbroker.iotoperations.azure.com/v1';
/** The key the AIO docs name for the X.509 trusted client CA ConfigMap (howto-configure-authentication). */
export const CLIENT_CA_KEY = 'client_ca.pem';

export interface OperatorConfig {
  /** Folder the operator owns inside the node (same path outside: the node shares the file system). */
  dir: string;
  kube: { url: string; caFile: string; tokenFile: string };
  /** The node's address: where NodePort ports answer, and the LoadBalancer IP servicelb would hand out. */
  nodeAddress: string;
}

export interface ServedBind {
  host: string;
  port: number;
}

/** One listener port as the operator last reconciled it. */
export interface PortState {
  namespace: string;
  listener: string;
  port: number;
  /** Where it answers; empty when it is not served (then `problem` says why). */
  binds: ServedBind[];
  tls: boolean;
  auth: 'none' | 'x509' | 'sat';
  /** sha256 of the served leaf certificate (DER, hex), so a test can tell which certificate is served. */
  certSha256?: string;
  problem?: string;
}

export interface OperatorState {
  /** Counts completed reconciles. */
  generation: number;
  ports: PortState[];
  /** A reconcile or mosquitto failure that hit every port. */
  error?: string;
}

export interface AioOperator {
  /** What the operator serves now (read from its state file). */
  state(): OperatorState;
  /** Waits until `pred` holds for the operator's state; throws with the state and the logs after the timeout. */
  waitFor(pred: (s: OperatorState) => boolean, opts?: { timeoutMs?: number; what?: string }): Promise<OperatorState>;
  /** Waits until the listener port is served, and returns its state. */
  waitServing(listener: string, port: number, opts?: { timeoutMs?: number; certSha256?: string }): Promise<PortState>;
  /** The operator's and mosquitto's output, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Test-process half

export async function startAioOperator(edge: EdgeLab): Promise<AioOperator> {
  const dir = join(edge.host.root, `aio-operator-${Math.random().toString(16).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const config: OperatorConfig = {
    dir,
    kube: { url: 'https://127.0.0.1:6443', caFile: join(edge.kubeDir, 'ca.crt'), tokenFile: join(edge.kubeDir, 'admin-token') },
    nodeAddress: edge.host.nodeAddress,
  };
  const cfgFile = join(dir, 'config.json');
  writeFileSync(cfgFile, JSON.stringify(config));
  // nsenter starts in /, so the loader and the script are named by absolute paths.
  const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = edge.host.runInNode(process.execPath, ['--import', tsx, join(ROOT, 'test/support/broker-lab/aio-operator-cli.ts'), cfgFile]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const stateFile = join(dir, 'state.json');
  const logs = () => `${out.slice(-6000)}\n--- mosquitto ---\n${readTail(join(dir, 'mosquitto.log'))}`;
  const state = (): OperatorState => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as OperatorState) : { generation: 0, ports: [] });
  const waitFor: AioOperator['waitFor'] = async (pred, opts = {}) => {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The AIO operator stand-in exited (${child.exitCode ?? child.signalCode}): ${logs()}`);
      const s = state();
      if (s.generation > 0 && pred(s)) return s;
      if (Date.now() > deadline) throw new Error(`The AIO operator stand-in did not reach ${opts.what ?? 'the expected state'}: ${JSON.stringify(s)}\n${logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const op: AioOperator = {
    state,
    waitFor,
    async waitServing(listener, port, opts = {}) {
      const s = await waitFor(
        (st) => st.ports.some((p) => p.listener === listener && p.port === port && p.binds.length > 0 && (!opts.certSha256 || p.certSha256 === opts.certSha256)),
        { timeoutMs: opts.timeoutMs ?? 30_000, what: `serving ${listener}:${port}${opts.certSha256 ? ` with certificate ${opts.certSha256.slice(0, 12)}` : ''}` },
      );
      return s.ports.find((p) => p.listener === listener && p.port === port)!;
    },
    logs,
    stop,
  };
  try {
    await waitFor(() => true, { timeoutMs: 60_000, what: 'its first reconcile' });
  } catch (err) {
    await stop();
    throw err;
  }
  return op;
}

function readTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// In-node half

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((n, k) => (isObj(n) ? n[k] : undefined), o);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A Secret's or ConfigMap's data entry: its keys contain dots (tls.crt, client_ca.pem), so no path lookup. */
const dataKey = (o: unknown, key: string): string => str((get(o, 'data') as Json | undefined)?.[key]);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

class KubeReader {
  private readonly ca: string;
  private readonly token: string;
  constructor(private readonly cfg: OperatorConfig['kube']) {
    this.ca = readFileSync(cfg.caFile, 'utf8');
    this.token = readFileSync(cfg.tokenFile, 'utf8').trim();
  }

  request(method: string, path: string, body?: Json, contentType = 'application/json'): Promise<{ code: number; body: Json }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, this.cfg.url),
        {
          method,
          ca: this.ca,
          timeout: 15_000,
          headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...(data ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json });
            } catch (err) {
              reject(err as Error);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async list(path: string): Promise<Json[]> {
    const r = await this.request('GET', path);
    if (r.code !== 200) throw new Error(`GET ${path}: ${r.code} ${str(r.body['message'])}`);
    return arr(r.body['items']).filter(isObj);
  }

  async get(path: string): Promise<Json | undefined> {
    const r = await this.request('GET', path);
    if (r.code === 404) return undefined;
    if (r.code !== 200) throw new Error(`GET ${path}: ${r.code} ${str(r.body['message'])}`);
    return r.body;
  }

  /** A watch stream; calls onEvent per event line, and onEnd when the server closes it. */
  watch(path: string, onEvent: () => void, onEnd: () => void): () => void {
    const req = httpsRequest(new URL(`${path}?watch=1&timeoutSeconds=600`, this.cfg.url), { ca: this.ca, headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } }, (res) => {
      res.on('data', (c: Buffer) => {
        if (c.includes(10)) onEvent();
      });
      res.on('end', onEnd);
      res.on('error', onEnd);
    });
    req.on('error', onEnd);
    req.end();
    return () => req.destroy();
  }
}

/** What one port should look like, before it is turned into mosquitto listeners or SAT fronts. */
interface PortPlan {
  state: PortState;
  cert?: { pem: string; key: string };
  clientCaPem?: string;
  satAudience?: string;
}

const SERVICE_TYPES: Record<string, string> = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer' };

async function planPorts(kube: KubeReader, cfg: OperatorConfig): Promise<PortPlan[]> {
  const plans: PortPlan[] = [];
  const listeners = await kube.list(`${AIO}/brokerlisteners`);
  for (const l of listeners) {
    const ns = str(get(l, 'metadata.namespace'));
    const name = str(get(l, 'metadata.name'));
    const spec = (l['spec'] ?? {}) as Json;
    const serviceName = str(spec['serviceName']) || name;
    // The operator reads enums in any case (a v1 cluster stores seed 001's `serviceType: loadBalancer`).
    const type = SERVICE_TYPES[(str(spec['serviceType']) || 'ClusterIp').toLowerCase()] ?? 'ClusterIP';
    let svc = await kube.get(`/api/v1/namespaces/${ns}/services/${serviceName}`);
    if (svc && type === 'LoadBalancer' && arr(get(svc, 'status.loadBalancer.ingress')).length === 0) {
      // k3s's servicelb gives a LoadBalancer Service the node's address; the emulator normally writes it itself.
      const r = await kube.request('PATCH', `/api/v1/namespaces/${ns}/services/${serviceName}/status`, { status: { loadBalancer: { ingress: [{ ip: cfg.nodeAddress, ipMode: 'VIP' }] } } }, 'application/merge-patch+json');
      if (r.code === 200) svc = r.body;
    }
    for (const p of arr(spec['ports']).filter(isObj)) {
      const port = Number(p['port']);
      const tlsSpec = p['tls'];
      const tlsMode = str(get(tlsSpec, 'mode')).toLowerCase();
      const state: PortState = { namespace: ns, listener: name, port, binds: [], tls: tlsMode === 'manual' || tlsMode === 'automatic', auth: 'none' };
      const plan: PortPlan = { state };
      plans.push(plan);
      const fail = (problem: string) => {
        state.problem = problem;
      };
      if (str(p['protocol']).toLowerCase() === 'websockets') {
        fail('WebSockets ports are not served: this mosquitto is built without websockets.');
        continue;
      }
      if (!svc) {
        fail(`Service ${ns}/${serviceName} does not exist (yet).`);
        continue;
      }
      // TLS: the Secret named by the listener (Manual) or written by cert-manager for it (Automatic).
      if (state.tls) {
        let secretName: string;
        if (tlsMode === 'manual') {
          secretName = str(get(tlsSpec, 'manual.secretRef'));
        } else {
          const certName = automaticCertificateName(port);
          const cert = await kube.get(`/apis/cert-manager.io/v1/namespaces/${ns}/certificates/${certName}`);
          secretName = str(get(cert, 'spec.secretName'));
          if (!cert || !secretName) {
            fail(`Certificate ${ns}/${certName} does not exist (yet).`);
            continue;
          }
        }
        const secret = await kube.get(`/api/v1/namespaces/${ns}/secrets/${secretName}`);
        const crt = Buffer.from(dataKey(secret, 'tls.crt'), 'base64').toString('utf8');
        const key = Buffer.from(dataKey(secret, 'tls.key'), 'base64').toString('utf8');
        if (!secret) {
          fail(`Secret ${ns}/${secretName} does not exist${tlsMode === 'automatic' ? ' (cert-manager has not issued it yet)' : ''}.`);
          continue;
        }
        try {
          // A mismatched pair would make mosquitto refuse its whole config; the operator keeps that to this port.
          createSecureContext({ cert: crt, key });
          state.certSha256 = sha(new X509Certificate(crt).raw);
        } catch (err) {
          fail(`Secret ${ns}/${secretName} does not hold a usable tls.crt/tls.key pair: ${(err as Error).message}`);
          continue;
        }
        plan.cert = { pem: crt, key };
      }
      // Authentication: none, X.509 against the ConfigMap's client CAs, or K8S-SAT.
      const authRef = str(p['authenticationRef']);
      if (authRef) {
        const authn = await kube.get(`${AIO}/namespaces/${ns}/brokerauthentications/${authRef}`);
        if (!authn) {
          fail(`BrokerAuthentication ${ns}/${authRef} does not exist.`);
          continue;
        }
        const methods = arr(get(authn, 'spec.authenticationMethods')).filter(isObj);
        const method = (m: string) => methods.find((x) => str(x['method']).toLowerCase() === m);
        const x509 = method('x509');
        const sat = method('serviceaccounttoken');
        // The real broker tries the methods in order on one port; mosquitto can do one, so X.509 wins here.
        if (x509) {
          const cmName = str(get(x509, 'x509Settings.trustedClientCaCert'));
          const cm = cmName ? await kube.get(`/api/v1/namespaces/${ns}/configmaps/${cmName}`) : undefined;
          const pem = dataKey(cm, CLIENT_CA_KEY);
          if (!cm || !pem) {
            fail(cm ? `ConfigMap ${ns}/${cmName} has no ${CLIENT_CA_KEY} key.` : `ConfigMap ${ns}/${cmName || '(none named)'} does not exist.`);
            continue;
          }
          try {
            new X509Certificate(pem);
          } catch {
            fail(`ConfigMap ${ns}/${cmName} ${CLIENT_CA_KEY} is not a PEM certificate.`);
            continue;
          }
          if (!plan.cert) {
            fail('X.509 authentication needs TLS on the port.');
            continue;
          }
          state.auth = 'x509';
          plan.clientCaPem = pem;
        } else if (sat) {
          const audiences = arr(get(sat, 'serviceAccountTokenSettings.audiences')).map(str).filter(Boolean);
          if (!plan.cert) {
            fail('The K8S-SAT front of this stand-in needs TLS on the port.');
            continue;
          }
          state.auth = 'sat';
          // sat-broker checks one audience; the default policy lists exactly one (aio-internal).
          plan.satAudience = audiences[0] ?? 'aio-internal';
        } else {
          fail(`BrokerAuthentication ${ns}/${authRef} has no method this stand-in serves (X509 or ServiceAccountToken).`);
          continue;
        }
      }
      // Where the port answers: the cluster IP always (kube-proxy), the node at nodePort, the LoadBalancer IP.
      const clusterIp = str(get(svc, 'spec.clusterIP'));
      if (clusterIp && clusterIp !== 'None') state.binds.push({ host: clusterIp, port });
      const svcPort = arr(get(svc, 'spec.ports')).filter(isObj).find((sp) => Number(sp['port']) === port);
      const svcType = str(get(svc, 'spec.type'));
      if ((svcType === 'NodePort' || svcType === 'LoadBalancer') && svcPort?.['nodePort']) state.binds.push({ host: cfg.nodeAddress, port: Number(svcPort['nodePort']) });
      if (svcType === 'LoadBalancer') {
        for (const ing of arr(get(svc, 'status.loadBalancer.ingress')).filter(isObj)) if (str(ing['ip'])) state.binds.push({ host: str(ing['ip']), port });
      }
    }
  }
  // Two ports on one address: the first keeps it, as a second Service's bind would fail in the node.
  const taken = new Set<string>();
  for (const p of plans) {
    p.state.binds = p.state.binds.filter((b) => {
      const k = `${b.host}:${b.port}`;
      if (taken.has(k)) {
        p.state.problem = `${k} is already served by another listener port.`;
        return false;
      }
      taken.add(k);
      return true;
    });
  }
  return plans;
}

class NodeOperator {
  private readonly kube: KubeReader;
  private mosquitto: ChildProcess | undefined;
  private mosquittoConfig = '';
  private readonly sat = new Map<string, SatBroker>();
  private readonly loAddresses = new Set<string>();
  private busPort = 0;
  private generation = 0;
  private dirty = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly unwatch: Array<() => void> = [];

  constructor(private readonly cfg: OperatorConfig) {
    this.kube = new KubeReader(cfg.kube);
  }

  async start(): Promise<void> {
    this.busPort = 21000 + Math.floor(Math.random() * 8000);
    for (const path of [`${AIO}/brokerlisteners`, `${AIO}/brokerauthentications`, '/api/v1/secrets', '/api/v1/configmaps', '/api/v1/services', '/apis/cert-manager.io/v1/certificates']) this.watch(path);
    // A resync now and then, as an informer's would, in case an event is lost between watches.
    const timer = setInterval(() => this.kick(), 5000);
    this.unwatch.push(() => clearInterval(timer));
    this.kick();
  }

  private watch(path: string): void {
    if (this.stopped) return;
    let ended = false;
    const stop = this.kube.watch(
      path,
      () => this.kick(),
      () => {
        if (ended) return;
        ended = true;
        setTimeout(() => this.watch(path), 500);
      },
    );
    this.unwatch.push(stop);
  }

  kick(): void {
    this.dirty = true;
    if (this.running || this.stopped) return;
    this.running = (async () => {
      // Events come in bursts (an apply touches several objects): settle briefly, then reconcile at the level.
      await new Promise((r) => setTimeout(r, 150));
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.reconcile();
      }
      this.running = undefined;
    })();
  }

  private async reconcile(): Promise<void> {
    let error: string | undefined;
    let plans: PortPlan[] = [];
    try {
      plans = await planPorts(this.kube, this.cfg);
      await this.ensureLoopback(plans);
      await this.applyMosquitto(plans.filter((p) => p.state.binds.length > 0 && p.state.auth !== 'sat'));
      await this.applySat(plans.filter((p) => p.state.binds.length > 0 && p.state.auth === 'sat'));
    } catch (err) {
      error = (err as Error).message;
      process.stderr.write(`aio-operator: reconcile failed: ${error}\n`);
    }
    this.generation++;
    const state: OperatorState = { generation: this.generation, ports: plans.map((p) => p.state), ...(error ? { error } : {}) };
    const file = join(this.cfg.dir, 'state.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 1));
    renameSync(`${file}.tmp`, file);
  }

  /** Cluster IPs answer inside the node, as kube-proxy would route them. */
  private async ensureLoopback(plans: PortPlan[]): Promise<void> {
    for (const p of plans) {
      for (const b of p.state.binds) {
        if (b.host === this.cfg.nodeAddress || this.loAddresses.has(b.host)) continue;
        const r = await run('ip', ['addr', 'replace', `${b.host}/32`, 'dev', 'lo']);
        if (r.code !== 0) throw new Error(`ip addr replace ${b.host}/32 dev lo: ${r.output}`);
        this.loAddresses.add(b.host);
      }
    }
  }

  private file(content: string, ext: string): string {
    const dir = join(this.cfg.dir, 'material');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Named by content, so an unchanged certificate keeps its path and the config text only changes with it.
    const path = join(dir, `${sha(content).slice(0, 16)}.${ext}`);
    if (!existsSync(path)) writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  private async applyMosquitto(plans: PortPlan[]): Promise<void> {
    const lines = [
      '# Fieldbench AIO operator stand-in: one broker, every listener port of every BrokerListener.',
      'per_listener_settings false',
      // Ports without authenticationRef are open to anyone; X.509 ports still demand a certificate (require_certificate).
      'allow_anonymous true',
      'persistence false',
      'user root',
      // Connections and TLS refusals in the log: what a failing test shows of the broker.
      'log_dest stdout',
      ...['error', 'warning', 'notice', 'information'].map((t) => `log_type ${t}`),
      'connection_messages true',
      'log_timestamp true',
      'log_timestamp_format %Y-%m-%dT%H:%M:%S',
      '',
      // The bus the K8S-SAT fronts bridge their accepted clients to; only the node's loopback reaches it.
      `listener ${this.busPort} 127.0.0.1`,
      '',
    ];
    for (const p of plans) {
      for (const b of p.state.binds) {
        lines.push(`# ${p.state.namespace}/${p.state.listener} port ${p.state.port}`, `listener ${b.port} ${b.host}`);
        if (p.cert) lines.push(`certfile ${this.file(p.cert.pem, 'crt')}`, `keyfile ${this.file(p.cert.key, 'key')}`);
        if (p.clientCaPem) lines.push(`cafile ${this.file(p.clientCaPem, 'ca')}`, 'require_certificate true', 'use_identity_as_username true');
        lines.push('');
      }
    }
    const text = lines.join('\n');
    if (text === this.mosquittoConfig && this.mosquitto && this.mosquitto.exitCode === null) return;
    // Simpler than the real frontend: a change restarts the one broker, so every open connection drops.
    await this.killMosquitto();
    const config = join(this.cfg.dir, 'mosquitto.conf');
    writeFileSync(config, text);
    const log = join(this.cfg.dir, 'mosquitto.log');
    const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (d: Buffer) => writeFileSync(log, d, { flag: 'a' });
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', (err) => append(Buffer.from(`[spawn error] ${String(err)}\n`)));
    this.mosquitto = child;
    this.mosquittoConfig = text;
    const binds = [{ host: '127.0.0.1', port: this.busPort }, ...plans.flatMap((p) => p.state.binds)];
    for (const b of binds) {
      const deadline = Date.now() + 10_000;
      while (!(await tcpOpen(b.host, b.port))) {
        if (child.exitCode !== null) {
          this.mosquittoConfig = '';
          throw new Error(`mosquitto exited (${child.exitCode}): ${readTail(log).slice(-1500)}`);
        }
        if (Date.now() > deadline) throw new Error(`mosquitto did not open ${b.host}:${b.port} in 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private async killMosquitto(): Promise<void> {
    const child = this.mosquitto;
    this.mosquitto = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }

  private async applySat(plans: PortPlan[]): Promise<void> {
    const wanted = new Map<string, { plan: PortPlan; bind: ServedBind }>();
    for (const p of plans) for (const b of p.state.binds) wanted.set(`${b.host}:${b.port}:${p.state.certSha256}:${sha(p.cert!.key).slice(0, 12)}:${p.satAudience}`, { plan: p, bind: b });
    for (const [k, front] of this.sat) {
      if (!wanted.has(k)) {
        await front.stop();
        this.sat.delete(k);
      }
    }
    for (const [k, { plan, bind }] of wanted) {
      if (this.sat.has(k)) continue;
      const front = await startSatBroker({
        host: bind.host,
        port: bind.port,
        certPem: plan.cert!.pem,
        keyPem: plan.cert!.key,
        kube: { url: this.cfg.kube.url, caPem: readFileSync(this.cfg.kube.caFile, 'utf8'), token: readFileSync(this.cfg.kube.tokenFile, 'utf8').trim() },
        audience: plan.satAudience!,
        upstream: { host: '127.0.0.1', port: this.busPort },
      });
      this.sat.set(k, front);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unwatch) u();
    await this.running;
    for (const front of this.sat.values()) await front.stop();
    this.sat.clear();
    await this.killMosquitto();
  }
}

/** Whether something accepts TCP connections on host:port now. */
export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    s.setTimeout(500, () => s.destroy());
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: -1, output: String(err) }));
    child.on('exit', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** Runs the operator inside the node until SIGTERM; see aio-operator-cli.ts. */
export async function runAioOperatorInNode(cfg: OperatorConfig): Promise<void> {
  const op = new NodeOperator(cfg);
  await op.start();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void op.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
