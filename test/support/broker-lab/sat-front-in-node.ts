import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Availability } from '../edge-host/edge-host-availability.js';
import { edgeHostAvailability, type EdgeLab } from '../e2e/edge-lab-fixture.js';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from './broker-lab.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** What a test needs for brokers inside the edge test host: the node, mosquitto, and kubectl to read what the emulator issued. */
export function edgeBrokerAvailability(): Availability {
  const edge = edgeHostAvailability();
  if (!edge.ok) return edge;
  const broker = brokerLabAvailability();
  if (!broker.ok) return broker;
  if (!existsSync('/usr/bin/kubectl')) return { ok: false, reason: "/usr/bin/kubectl is missing (used to read the emulator's issued certificates)" };
  return { ok: true };
}

export interface SatFrontOptions {
  /** Names the config and ready files. */
  name: string;
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** The plain mosquitto listener accepted clients are bridged to. */
  upstream: { host: string; port: number };
  /** A folder of the test's for the front's config. */
  workDir: string;
}

export interface SatFront {
  child: ChildProcess;
  /** The front's verdict lines so far (never a token). */
  output(): string;
}

/**
 * The K8S-SAT front (sat-broker-cli.ts) as a process inside the node, its tokens checked by the emulator's
 * TokenReview with the admin token; resolves once it listens. The caller kills `child` when done.
 */
export async function startSatFrontInNode(edge: EdgeLab, opts: SatFrontOptions): Promise<SatFront> {
  const readyFile = join(edge.host.root, `sat-${opts.name}.ready`);
  const cfg = join(opts.workDir, `sat-${opts.name}.json`);
  writeFileSync(
    cfg,
    JSON.stringify({
      host: opts.host,
      port: opts.port,
      certFile: opts.certFile,
      keyFile: opts.keyFile,
      kube: { url: 'https://127.0.0.1:6443', caFile: join(edge.kubeDir, 'ca.crt'), tokenFile: join(edge.kubeDir, 'admin-token') },
      upstream: opts.upstream,
      readyFile,
    }),
  );
  const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = edge.host.runInNode(process.execPath, ['--import', tsx, join(ROOT, 'test/support/broker-lab/sat-broker-cli.ts'), cfg]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`The SAT front ${opts.name} did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out };
}

export interface DefaultListener {
  clusterIp: string;
  broker: BrokerLab;
  front: SatFront;
  /** The front's and the bus's output, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The default listener as a fresh install serves it: ClusterIp 18883 with K8S-SAT, on the Service's cluster IP
 * inside the node (kube-proxy's job on a real node), with the server certificate cert-manager issued into
 * Secret aio-broker-frontend-server-18883. The lab's mosquitto is the bus behind the SAT front.
 */
export async function serveDefaultListener(edge: EdgeLab, workDir: string): Promise<DefaultListener> {
  const kubectlJson = async (args: string[]) => {
    const r = await edge.kubectl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { spec: { clusterIP: string }; data: Record<string, string> };
  };
  const ns = 'azure-iot-operations';
  const clusterIp = (await kubectlJson(['get', 'service', '-n', ns, 'aio-broker'])).spec.clusterIP;
  const addr = await edge.host.execInNode('ip', ['addr', 'add', `${clusterIp}/32`, 'dev', 'lo']);
  if (addr.code !== 0) throw new Error(`ip addr add ${clusterIp}: ${addr.stderr}`);
  const secret = await kubectlJson(['get', 'secret', '-n', ns, 'aio-broker-frontend-server-18883']);
  const certFile = join(workDir, 'default-tls.crt');
  const keyFile = join(workDir, 'default-tls.key');
  writeFileSync(certFile, Buffer.from(secret.data['tls.crt']!, 'base64'));
  writeFileSync(keyFile, Buffer.from(secret.data['tls.key']!, 'base64'), { mode: 0o600 });
  const broker = await startBrokerLab({ edgeHost: edge.host });
  let front: SatFront;
  try {
    front = await startSatFrontInNode(edge, { name: 'default', host: clusterIp, port: 18883, certFile, keyFile, upstream: { host: broker.host, port: broker.listeners.plain.port }, workDir });
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return {
    clusterIp,
    broker,
    front,
    logs: () => `${front.output()}\n${broker.logs().slice(-1500)}`,
    async stop() {
      front.child.kill();
      await broker.stop();
    },
  };
}
