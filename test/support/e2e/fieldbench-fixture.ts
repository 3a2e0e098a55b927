import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';

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
  const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'fieldbench.js'), 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (c) => (out += c));
  const printed = await new Promise<{ address: string; token: string; launcher: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fieldbench serve did not print its URL in time:\n${out}`)), 90_000);
    child.stdout?.on('data', (c) => {
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

/** Insomnia-style fixture: every test gets its own host and data folder; traces are kept on failure by the config. */
export const test = base.extend<{ app: ServedApp }>({
  // Playwright reads a fixture's dependencies from the destructuring pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  app: async ({}, use) => {
    const served = await startServedApp();
    await use(served);
    await served.stop();
  },
});

export { expect } from '@playwright/test';
