import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Availability } from '../edge-host/edge-host-availability.js';
import { edgeHostAvailability, type EdgeLab } from '../e2e/edge-lab-fixture.js';
import { brokerLabAvailability } from './broker-lab.js';

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

