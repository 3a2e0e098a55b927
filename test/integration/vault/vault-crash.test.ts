import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../../src/main/services/vault/vault';
import { compileForNode } from '../../support/vault/compile-for-node';
import { crashPayload, type CrashSection } from '../../support/vault/crash-payload';

const SOURCE = resolve(__dirname, '../../support/vault/save-loop.ts');
const PASSWORD = 'crash-test password';
// Cheap KDF for this test only: each child unlocks once, and 200+ children must run in well under a minute.
const WEAK = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 }, allowWeakKdf: true } as const;
const LANES = 4;
const KILLS_PER_LANE = 52;
/** Typical time between two saves in a child, measured as the test goes; the kill window follows it, so
 * kills land inside a save whatever the machine's load. */
let saveIntervalMs = 10;

const dirs: string[] = [];
const live = new Set<ChildProcess>();
let stopped = false;
let script = '';
beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'fb-vault-crash-js-'));
  dirs.push(out);
  script = await compileForNode(SOURCE, out);
});
afterAll(async () => {
  stopped = true;
  await Promise.all([...live].map((c) => new Promise((r) => (c.once('close', r), c.kill('SIGKILL')))));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface RunOutcome {
  savedBefore: number;
  lastPrinted: number;
  onDisk: number;
}

/**
 * Starts the save loop and SIGKILLs it at a random point: after `afterSaves` completed saves (0 = as soon
 * as it is ready), plus a random delay of up to ~1.5 save durations, i.e. anywhere inside the next save.
 */
function runAndKill(path: string, afterSaves: number): Promise<{ printed: number[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, path, PASSWORD], {
      cwd: resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Extra CA certificates are parsed at every start and the child makes no TLS connection.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS')),
    });
    live.add(child);
    const printed: number[] = [];
    let stderr = '';
    let buf = '';
    let killTimer: NodeJS.Timeout | undefined;
    let last = 0;
    const armKill = () => {
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), Math.random() * 1.5 * saveIntervalMs);
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const now = performance.now();
        if (line.startsWith('saved ')) {
          printed.push(Number(line.slice(6)));
          if (printed.length > 1) saveIntervalMs = 0.8 * saveIntervalMs + 0.2 * (now - last);
        }
        last = now;
        if ((line === 'ready' && afterSaves === 0) || printed.length === afterSaves) armKill();
      }
    });
    child.on('error', fail);
    child.on('close', (_code, signal) => {
      live.delete(child);
      clearTimeout(killTimer);
      done({ printed, signal, stderr });
    });
  });
}

async function readCounter(path: string): Promise<{ n: number; payload: string; bulk: unknown }> {
  const v = await Vault.open(path);
  await v.unlock(PASSWORD);
  const c = v.getSection<CrashSection>('counter', { n: 0, payload: '' });
  const bulk = v.getSection('pki', null);
  v.lock();
  return { n: c.n, payload: c.payload, bulk };
}

async function lane(index: number): Promise<RunOutcome[]> {
  const dir = await mkdtemp(join(tmpdir(), `fb-vault-crash-${index}-`));
  dirs.push(dir);
  const path = join(dir, 'vault.fbv');
  const v = await Vault.create(path, PASSWORD, WEAK);
  const bulk = Array.from({ length: 12 }, (_, i) => ({ id: `cert-${i}`, pem: 'A'.repeat(1500), key: 'K'.repeat(250) }));
  await v.updateSection('pki', [] as unknown[], (d) => void d.push(...bulk));
  v.lock();
  const outcomes: RunOutcome[] = [];
  let known = 0;
  for (let k = 0; k < KILLS_PER_LANE && !stopped; k++) {
    const { printed, signal, stderr } = await runAndKill(path, Math.floor(Math.random() * 3));
    if (signal !== 'SIGKILL') throw new Error(`save loop ended on its own (signal ${String(signal)}): ${stderr}`);
    const lastPrinted = printed.at(-1) ?? known;
    const disk = await readCounter(path);
    // The file holds the last save the child reported, or the one it was in the middle of: nothing else.
    expect([lastPrinted, lastPrinted + 1]).toContain(disk.n);
    expect(disk.payload).toBe(disk.n === 0 ? '' : crashPayload(disk.n));
    expect(disk.bulk).toEqual(bulk);
    if (existsSync(`${path}.bak`)) {
      const bak = await readCounter(`${path}.bak`);
      expect([disk.n - 1, disk.n]).toContain(bak.n);
      expect(bak.payload).toBe(bak.n === 0 ? '' : crashPayload(bak.n));
    }
    outcomes.push({ savedBefore: known, lastPrinted, onDisk: disk.n });
    known = disk.n;
  }
  return outcomes;
}

describe('vault crash safety', () => {
  it(`SIGKILL at random points ${LANES * KILLS_PER_LANE} times: the vault always opens with the old or the new content`, async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: LANES }, (_, i) =>
        lane(i).catch((err: unknown) => {
          stopped = true; // the first failure stops the other lanes, so no child outlives the test
          throw err;
        }),
      ),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const outcomes = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(outcomes.length).toBeGreaterThanOrEqual(200);
    // The kills must land on both sides of the rename, or this test would prove nothing: some leave the
    // previous save on disk although the next one had started, some leave a save the child never reported.
    const progressed = outcomes.filter((o) => o.onDisk > o.savedBefore).length;
    const midSave = outcomes.filter((o) => o.onDisk === o.lastPrinted + 1).length;
    const beforeRename = outcomes.filter((o) => o.onDisk === o.lastPrinted).length;
    console.log(
      `vault crash test: ${outcomes.length} kills, ${progressed} after at least one save, ${midSave} with an unreported save on disk, ` +
        `${beforeRename} with the last reported save on disk (save ≈ ${saveIntervalMs.toFixed(1)} ms)`,
    );
    expect(midSave).toBeGreaterThan(0);
    expect(beforeRename).toBeGreaterThan(0);
  }, 240_000);
});
