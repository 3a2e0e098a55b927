import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { test as base } from '@playwright/test';
import { startBrokerLab, type BrokerLab } from '../broker-lab/broker-lab';
import { runFieldbench, spawnFieldbench, type CliRun, type CliRunOptions } from '../cli/fieldbench-cli';
import { startEdgeHost, type EdgeHost } from '../edge-host/edge-host';
import { startKubeEmulator, type KubeEmulator } from '../kube/kube-emulator';
import { startEdgeLab, type EdgeLab } from './edge-lab-fixture';

// The Insomnia shape: the real things a spec talks to are fixtures. The app (`fieldbench serve` on a fresh
// data folder) is per test; the labs and the CLI are per worker, started the first time a test asks for one
// and stopped when the worker ends, so no spec keeps its own beforeAll and module-level variables. How to
// use them: test/support/e2e/README.md.

export interface ServedApp {
  /** The launcher `fieldbench serve` printed (a file:// page that posts the token); opening it opens the app. */
  url: string;
  /** The app's own address, which carries no token. */
  address: string;
  origin: string;
  token: string;
  dataDir: string;
  pid: number;
  stdout(): string;
}

/** Starts the real CLI's loopback host with a fresh data folder, as a person would. */
export async function startServedApp(dataDir = mkdtempSync(join(tmpdir(), 'fb-e2e-'))): Promise<ServedApp & { child: ChildProcess; stop(): Promise<void> }> {
  const child = spawnFieldbench(['serve', '--port', '0', '--data-dir', dataDir]);
  child.stdin.end();
  let out = '';
  child.stderr.on('data', (c) => (out += c));
  const printed = await new Promise<{ address: string; token: string; launcher: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fieldbench serve did not print its URL in time:\n${out}`)), 90_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)\n[^]*Access token: ([\w-]+)\n[^]*Launcher[^\n]*: (file:\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ address: m[1]!, token: m[2]!, launcher: m[3]! });
      }
    });
    child.once('exit', (code) => reject(new Error(`fieldbench serve exited with ${code}:\n${out}`)));
  });
  const u = new URL(printed.address);
  return {
    url: printed.launcher,
    address: printed.address,
    origin: u.origin,
    token: printed.token,
    dataDir,
    pid: child.pid ?? 0,
    child,
    stdout: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The built CLI for a spec: `fieldbench …` as a technician runs it, and `fieldbench serve` on a prepared folder. */
export interface FieldbenchCli {
  /** Runs one command; `env` adds to the clean environment (a vault password, say). */
  run(args: readonly string[], opts?: CliRunOptions): Promise<CliRun>;
  /** Runs one command and returns its stdout; a non-zero exit fails the test with the command's output. */
  ok(args: readonly string[], opts?: CliRunOptions): Promise<string>;
  /** `fieldbench serve` on a folder the spec prepared; stopped (and the folder removed) when the worker ends, or earlier by `stop()`. */
  serve(dataDir: string): Promise<ServedApp & { stop(): Promise<void> }>;
}

/** A Kubernetes API emulator with its folder (`dir`/cluster holds kubeconfig.yaml); `dir` is the spec's scratch space. */
export interface KubeLab {
  dir: string;
  emu: KubeEmulator;
  kubeconfig: string;
}

export interface WorkerFixtures {
  cli: FieldbenchCli;
  /** mosquitto with the plain, TLS and X.509 listeners on 127.0.0.1 (test/support/broker-lab). */
  brokerLab: BrokerLab;
  /** The edge test host with the Kubernetes API emulator inside the node, as k3s would run it. */
  edgeLab: EdgeLab;
  /** The edge test host with a standalone systemd-networkd, so `netplan apply` really moves the node. */
  networkdHost: EdgeHost;
  kubeLab: KubeLab;
}

const LAB_START = { scope: 'worker', timeout: 240_000 } as const;

export const test = base.extend<{ app: ServedApp }, WorkerFixtures>({
  // Playwright reads a fixture's dependencies from the destructuring pattern; these have none.
  // eslint-disable-next-line no-empty-pattern
  app: async ({}, use) => {
    const served = await startServedApp();
    await use(served);
    await served.stop();
  },
  cli: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const served: Array<{ stop(): Promise<void> }> = [];
      // The specs run after `electron-vite build`, so the bin must not rebuild in the middle of one.
      const run = (args: readonly string[], opts: CliRunOptions = {}) => runFieldbench(args, { ...opts, env: { FIELDBENCH_SKIP_BUILD: '1', ...opts.env } });
      await use({
        run,
        async ok(args, opts) {
          const r = await run(args, opts);
          if (r.code !== 0) throw new Error(`fieldbench ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
          return r.stdout;
        },
        async serve(dataDir) {
          const app = await startServedApp(dataDir);
          served.push(app);
          return app;
        },
      });
      for (const app of served.reverse()) await app.stop();
    },
    { scope: 'worker' },
  ],
  brokerLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startBrokerLab();
      await use(lab);
      await lab.stop();
    },
    LAB_START,
  ],
  edgeLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const lab = await startEdgeLab();
      await use(lab);
      await lab.stop();
    },
    LAB_START,
  ],
  networkdHost: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const host = await startEdgeHost({ networkd: true });
      await use(host);
      await host.stop();
    },
    LAB_START,
  ],
  kubeLab: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dir = mkdtempSync(join(tmpdir(), 'fb-e2e-kube-'));
      const emu = await startKubeEmulator({ dir: join(dir, 'cluster') });
      await use({ dir, emu, kubeconfig: join(dir, 'cluster', 'kubeconfig.yaml') });
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
    LAB_START,
  ],
});

export { expect } from '@playwright/test';
