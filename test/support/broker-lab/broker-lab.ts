import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EdgeHost } from '../edge-host/edge-host.js';
import type { Availability } from '../edge-host/edge-host-availability.js';
import { findOnPath } from '../edge-host/edge-host-availability.js';
import { cleanupStale, onProcessExit, registerProcess, unregisterProcess } from '../edge-host/lab-registry.js';
import { OutputTail, spawnLogged, waitForTcp } from '../edge-host/run-command.js';
import { generateLabPki, type LabPki } from './lab-pki.js';

export { generateLabPki } from './lab-pki.js';
export type { LabPki, LabPkiOptions } from './lab-pki.js';

export const MOSQUITTO_PATH = '/usr/sbin/mosquitto';

/** PEM material for the broker. The server chain is leaf first, then intermediates (as tls.crt). */
export interface BrokerPkiInput {
  serverChainPem: string;
  serverKeyPem: string;
  /** CA (root or intermediate) that listener C requires client certificates to chain to. */
  clientCaPem: string;
  /** Only kept for the caller's convenience (written to serverCaFile); the broker does not need it. */
  serverCaPem?: string;
}

export interface BrokerLabOptions {
  /** Run the broker inside this edge host's node and bind it to the node's address. */
  edgeHost?: EdgeHost;
  /** Address to bind. Default 127.0.0.1, or the edge host's node address. */
  bindAddress?: string;
  /** Certificates to serve. Generated with generateLabPki (SANs = serverNames) when omitted. */
  pki?: BrokerPkiInput;
  /** SANs for the generated server certificate. Default: the bind address and localhost. */
  serverNames?: string[];
  /** Adds a plain websockets listener. Debian's mosquitto 2.0.11 is built without it: check mosquittoWebsocketsAvailable(). */
  websockets?: boolean;
  /** Appended to the generated mosquitto.conf (global options only, before the listeners). */
  extraGlobalConfig?: string;
  /** Fixed ports instead of random ones, e.g. a plain port in the NodePort range (30000–32767). */
  ports?: { plain?: number; tls?: number; mtls?: number };
}

export interface BrokerListenerInfo {
  port: number;
  /** Which AIO listener shape this stands for. */
  style: 'NodePort' | 'LoadBalancer' | 'X509' | 'WebSockets';
  tls: boolean;
  clientCertificateRequired: boolean;
}

export interface BrokerLab {
  /** Address the listeners are bound to (and that clients connect to). */
  readonly host: string;
  readonly listeners: {
    /** A: plain MQTT, no authentication (NodePort style). */
    plain: BrokerListenerInfo;
    /** B: TLS, no client authentication (LoadBalancer style). */
    tls: BrokerListenerInfo;
    /** C: TLS with required client certificates; the certificate CN becomes the username. */
    mtls: BrokerListenerInfo;
    websockets?: BrokerListenerInfo;
  };
  /** Files the broker uses (and the generated lab PKI with client material, when it was generated). */
  readonly files: { dir: string; config: string; serverChain: string; serverKey: string; clientCa: string; serverCa?: string };
  readonly generatedPki: LabPki | undefined;
  /** mosquitto's log so far (connections, TLS errors), for failure messages. */
  logs(): string;
  /** Kills the broker and starts it again on the same ports: the "broker restart" fault. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function brokerLabAvailability(): Availability {
  try {
    accessSync(MOSQUITTO_PATH, constants.X_OK);
  } catch {
    return { ok: false, reason: `${MOSQUITTO_PATH} is missing (apt-get install mosquitto)` };
  }
  if (!findOnPath('openssl')) return { ok: false, reason: '`openssl` is missing' };
  return { ok: true };
}

let wsProbe: Promise<boolean> | undefined;

/** Whether this machine's mosquitto was built with websockets (Debian 12's is not). */
export function mosquittoWebsocketsAvailable(): Promise<boolean> {
  wsProbe ??= (async () => {
    const dir = mkdtempSync('/tmp/fbbroker-wsprobe-');
    try {
      const [port] = await freeLoopbackPorts(1);
      writeFileSync(join(dir, 'ws.conf'), `listener ${port} 127.0.0.1\nprotocol websockets\n`);
      const { child, tail } = spawnLogged(MOSQUITTO_PATH, ['-c', join(dir, 'ws.conf')]);
      const exited = new Promise<boolean>((r) => child.once('exit', () => r(false)));
      const ok = await Promise.race([
        exited,
        waitForTcp('127.0.0.1', port!, { timeoutMs: 3000, isDead: () => (child.exitCode !== null ? tail.text() : undefined) }).then(
          () => true,
          () => false,
        ),
      ]);
      child.kill('SIGKILL');
      return ok;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return wsProbe;
}

async function freeLoopbackPorts(n: number): Promise<number[]> {
  // All held open at once so the n ports differ; the small race with other processes is handled by a retry.
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function freeNodePorts(host: EdgeHost, n: number): Promise<number[]> {
  const res = await host.execInNode('ss', ['-Htln']);
  const used = new Set(
    res.stdout
      .split('\n')
      .map((l) => /:(\d+)\s/.exec(l.trim().split(/\s+/).slice(3, 4).join('') + ' ')?.[1])
      .filter(Boolean)
      .map(Number),
  );
  const ports = new Set<number>();
  while (ports.size < n) {
    const p = 20000 + Math.floor(Math.random() * 40000);
    if (!used.has(p)) ports.add(p);
  }
  return [...ports];
}

function configText(opts: {
  host: string;
  ports: { plain: number; tls: number; mtls: number; websockets?: number };
  files: BrokerLab['files'];
  extra?: string;
}): string {
  const { host, ports, files } = opts;
  return [
    '# Fieldbench broker lab: one bus, listeners shaped like an AIO broker\'s.',
    // Settings are global, so allow_anonymous covers every listener; C is still closed to anyone
    // without a client certificate by require_certificate.
    'per_listener_settings false',
    'allow_anonymous true',
    'persistence false',
    // Running as root in tests; mosquitto would otherwise switch to a user that cannot read our temp files.
    'user root',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    'log_timestamp true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    opts.extra ?? '',
    '',
    `listener ${ports.plain} ${host}`,
    '',
    `listener ${ports.tls} ${host}`,
    `certfile ${files.serverChain}`,
    `keyfile ${files.serverKey}`,
    '',
    `listener ${ports.mtls} ${host}`,
    `certfile ${files.serverChain}`,
    `keyfile ${files.serverKey}`,
    `cafile ${files.clientCa}`,
    'require_certificate true',
    'use_identity_as_username true',
    '',
    ...(ports.websockets ? [`listener ${ports.websockets} ${host}`, 'protocol websockets', ''] : []),
  ].join('\n');
}

class BrokerLabImpl implements BrokerLab {
  private child: ChildProcess | undefined;
  private readonly tail = new OutputTail();
  private registration: string | undefined;
  private unregisterExit: () => void = () => {};
  private stopped = false;

  constructor(
    readonly host: string,
    readonly listeners: BrokerLab['listeners'],
    readonly files: BrokerLab['files'],
    readonly generatedPki: LabPki | undefined,
    private readonly edgeHost: EdgeHost | undefined,
  ) {}

  logs(): string {
    return this.tail.text();
  }

  private ports(): number[] {
    const l = this.listeners;
    return [l.plain.port, l.tls.port, l.mtls.port, ...(l.websockets ? [l.websockets.port] : [])];
  }

  async start(): Promise<void> {
    const args = ['-c', this.files.config];
    const child = this.edgeHost ? this.edgeHost.runInNode(MOSQUITTO_PATH, args) : spawnLogged(MOSQUITTO_PATH, args).child;
    this.tail.attach(child);
    this.child = child;
    if (child.pid) {
      this.registration = registerProcess({ ownerPid: process.pid, pid: child.pid, cmdlineMarker: this.files.config, root: this.files.dir });
    }
    this.unregisterExit();
    this.unregisterExit = onProcessExit(() => {
      child.kill('SIGKILL');
      rmSync(this.files.dir, { recursive: true, force: true });
      if (this.registration) unregisterProcess(this.registration);
    });
    const isDead = () =>
      child.exitCode !== null || child.signalCode !== null ? `mosquitto exited (${child.exitCode ?? child.signalCode}): ${this.tail.text()}` : undefined;
    for (const port of this.ports()) await waitForTcp(this.host, port, { timeoutMs: 10_000, isDead });
  }

  private async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    }
    if (this.registration) unregisterProcess(this.registration);
    this.registration = undefined;
  }

  /** Ends a start attempt that failed, keeping the folder for the next attempt. */
  async discardAttempt(): Promise<void> {
    await this.kill();
    this.unregisterExit();
  }

  async restart(): Promise<void> {
    await this.kill();
    this.tail.push('\n--- broker restarted by the test ---\n');
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.kill();
    this.unregisterExit();
    rmSync(this.files.dir, { recursive: true, force: true });
  }
}

/**
 * Starts Debian's mosquitto with three listeners on one bus, like an AIO broker: A plain (NodePort
 * style), B TLS (LoadBalancer style), C TLS with required client certificates (X.509 style), plus an
 * optional websockets listener. Loopback by default, or inside an edge host's node on its address.
 */
export async function startBrokerLab(opts: BrokerLabOptions = {}): Promise<BrokerLab> {
  const avail = brokerLabAvailability();
  if (!avail.ok) throw new Error(`The broker lab cannot start here: ${avail.reason}.`);
  if (opts.websockets && !(await mosquittoWebsocketsAvailable())) {
    throw new Error('This mosquitto was built without websockets support; check mosquittoWebsocketsAvailable() and skip.');
  }
  cleanupStale();
  const host = opts.bindAddress ?? opts.edgeHost?.nodeAddress ?? '127.0.0.1';
  const dir = mkdtempSync(`/tmp/fbbroker-${process.pid}-${randomBytes(3).toString('hex')}-`);
  try {
    let generated: LabPki | undefined;
    let input: BrokerPkiInput;
    if (opts.pki) {
      input = opts.pki;
    } else {
      generated = await generateLabPki({ dir: join(dir, 'pki'), serverNames: opts.serverNames ?? [host, 'localhost'] });
      input = {
        serverChainPem: generated.serverChainPem,
        serverKeyPem: generated.serverKeyPem,
        clientCaPem: generated.clientCaPem,
        serverCaPem: generated.serverCaPem,
      };
    }
    const files: BrokerLab['files'] = {
      dir,
      config: join(dir, 'mosquitto.conf'),
      serverChain: join(dir, 'server-chain.pem'),
      serverKey: join(dir, 'server.key'),
      clientCa: join(dir, 'client-ca.pem'),
      ...(input.serverCaPem ? { serverCa: join(dir, 'server-ca.pem') } : {}),
    };
    writeFileSync(files.serverChain, input.serverChainPem);
    writeFileSync(files.serverKey, input.serverKeyPem, { mode: 0o600 });
    writeFileSync(files.clientCa, input.clientCaPem);
    if (files.serverCa && input.serverCaPem) writeFileSync(files.serverCa, input.serverCaPem);

    for (let attempt = 0; ; attempt++) {
      const count = opts.websockets ? 4 : 3;
      const p = opts.edgeHost ? await freeNodePorts(opts.edgeHost, count) : await freeLoopbackPorts(count);
      const ports = { plain: opts.ports?.plain ?? p[0]!, tls: opts.ports?.tls ?? p[1]!, mtls: opts.ports?.mtls ?? p[2]!, ...(opts.websockets ? { websockets: p[3]! } : {}) };
      writeFileSync(files.config, configText({ host, ports, files, ...(opts.extraGlobalConfig ? { extra: opts.extraGlobalConfig } : {}) }));
      const listeners: BrokerLab['listeners'] = {
        plain: { port: ports.plain, style: 'NodePort', tls: false, clientCertificateRequired: false },
        tls: { port: ports.tls, style: 'LoadBalancer', tls: true, clientCertificateRequired: false },
        mtls: { port: ports.mtls, style: 'X509', tls: true, clientCertificateRequired: true },
        ...(ports.websockets
          ? { websockets: { port: ports.websockets, style: 'WebSockets' as const, tls: false, clientCertificateRequired: false } }
          : {}),
      };
      const lab = new BrokerLabImpl(host, listeners, files, generated, opts.edgeHost);
      try {
        await lab.start();
        return lab;
      } catch (err) {
        await lab.discardAttempt();
        // Free ports are picked before mosquitto binds them; another process may take one in between.
        if (attempt < 2 && lab.logs().includes('Address already in use')) continue;
        throw new Error(`The broker lab's mosquitto did not start: ${(err as Error).message}`, { cause: err });
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
