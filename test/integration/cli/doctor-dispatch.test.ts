import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli';
import { composeApp } from '../../../src/main/compose';
import { logDir, LOG_FILE_NAME } from '../../../src/main/services/app/logger';

// Asking must not change the answer: doctor reports a data folder that does not exist yet as "new", so
// neither composing the app nor the doctor call may create it. And doctor is a contract call like every
// other command: it reaches the app through the dispatcher, which logs it where a folder exists.

const root = mkdtempSync(join(tmpdir(), 'fb-doctor-dispatch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from([]), env: { ...process.env, ...env }, interrupted: new Promise(() => undefined) });
  return { code, stdout: out, stderr: err };
}

describe('fieldbench doctor', () => {
  it('reports a data folder that does not exist as new, and leaves it not existing', async () => {
    const dataDir = join(root, 'Fieldbench');
    const r = await cli(['doctor', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { dataDir: unknown }).dataDir).toEqual({ path: dataDir, exists: false, writable: true });
    expect(existsSync(dataDir)).toBe(false);
    const human = await cli(['doctor', '--data-dir', dataDir]);
    expect(human.stdout).toContain(`new      ${dataDir} (created on first use)`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('goes through the dispatcher: the call is in the log of a folder that exists, with the PATH it was given', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'));
    const r = await cli(['doctor', '--json', '--data-dir', dataDir], { PATH: '' });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { tools: Array<{ found: boolean }> }).tools.every((t) => !t.found)).toBe(true);
    const lines = readFileSync(join(logDir(dataDir), LOG_FILE_NAME), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.call === 'app.doctor')).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'start')).toMatchObject({ runtime: 'cli' });
  });

  it('composing the app and dispatching app.doctor create nothing; the first thing kept creates the folder and gets the held log', async () => {
    const dataDir = join(root, 'composed', 'Fieldbench');
    const app = composeApp({ dataDir, runtime: 'loopback-host', vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
    try {
      const r = await app.dispatcher.dispatch('app.doctor', {});
      expect(r).toMatchObject({ ok: true, value: { dataDir: { exists: false } } });
      expect(existsSync(join(root, 'composed'))).toBe(false);
      expect(await app.dispatcher.dispatch('vault.create', { password: 'correct horse battery staple 42' })).toMatchObject({ ok: true });
      expect(existsSync(dataDir)).toBe(true);
      await app.dispatcher.dispatch('app.info', {});
    } finally {
      await app.dispose();
    }
    const calls = readFileSync(join(logDir(dataDir), LOG_FILE_NAME), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { call?: string; msg: string }).call ?? (JSON.parse(l) as { msg: string }).msg);
    expect(calls).toEqual(expect.arrayContaining(['start', 'app.doctor', 'vault.create', 'app.info', 'stop']));
    expect(calls.indexOf('start')).toBeLessThan(calls.indexOf('app.doctor'));
    expect(calls.indexOf('app.doctor')).toBeLessThan(calls.indexOf('vault.create'));
  });

  it('support bundle goes through the dispatcher too: one app.supportBundle call in the log, the zip the CLI wrote', async () => {
    const dataDir = mkdtempSync(join(root, 'bundle-'));
    const out = join(dataDir, 'bundle.zip');
    const r = await cli(['support', 'bundle', '--out', out, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const calls = readFileSync(join(logDir(dataDir), LOG_FILE_NAME), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { call?: string }).call);
    expect(calls.filter((c) => c === 'app.supportBundle')).toHaveLength(1);
  });
});
