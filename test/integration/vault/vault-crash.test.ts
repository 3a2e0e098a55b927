import { spawn } from 'node:child_process';
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
const MAX_DELAY_MS = 40;

const dirs: string[] = [];
let script = '';
beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'fb-vault-crash-js-'));
  dirs.push(out);
  script = await compileForNode(SOURCE, out);
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface RunOutcome {
  savedBefore: number;
  lastPrinted: number;
  onDisk: number;
}

/** Starts the save loop, kills it with SIGKILL a random few milliseconds after it is ready. */
function runAndKill(path: string, delayMs: number): Promise<{ printed: number[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, path, PASSWORD], {
      cwd: resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Extra CA certificates are parsed at every start and the child makes no TLS connection.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS')),
    });
    const printed: number[] = [];
    let stderr = '';
    let buf = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        else if (line.startsWith('saved ')) printed.push(Number(line.slice(6)));
      }
    });
    child.on('error', fail);
    child.on('close', (_code, signal) => {
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
  for (let k = 0; k < KILLS_PER_LANE; k++) {
    const { printed, signal, stderr } = await runAndKill(path, Math.floor(Math.random() * MAX_DELAY_MS));
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
    const outcomes = (await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)))).flat();
    expect(outcomes.length).toBeGreaterThanOrEqual(200);
    // The kills must really land inside the save loop, including mid-save (the file already holds the save
    // the child had not yet reported); otherwise this test would prove nothing.
    const progressed = outcomes.filter((o) => o.onDisk > o.savedBefore).length;
    const midSave = outcomes.filter((o) => o.onDisk === o.lastPrinted + 1).length;
    console.log(`vault crash test: ${outcomes.length} kills, ${progressed} after at least one save, ${midSave} with an unreported save on disk`);
    expect(progressed).toBeGreaterThan(outcomes.length / 2);
    expect(midSave).toBeGreaterThan(0);
  }, 240_000);
});
