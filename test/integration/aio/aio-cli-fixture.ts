/** `fieldbench aio …` run in this process against a vault with one kubeconfig node and the seed 001 chains. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from '../../../src/cli/run-cli';
import { composeApp } from '../../../src/main/compose';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';

export const CLI_PASSWORD = 'long enough pw';
const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

/** Runs `fieldbench aio …` (the command is the same code the bin runs), stdin not a terminal. */
export async function aioCli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (c: Buffer) => (chunks.out += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(['aio', ...args, '--data-dir', dataDir], { stdout, stderr, stdin, env: { FIELDBENCH_VAULT_PASSWORD: CLI_PASSWORD }, interrupted: new Promise(() => {}) });
  return { code, stdout: chunks.out, stderr: chunks.err };
}

/** A vault with node edge-01 (kubeconfig access to the emulator in `dir`/cluster) and the seed 001 chains, made through the same services. */
export async function seedCliVault(dir: string, dataDir: string): Promise<void> {
  const app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
  expect(await app.dispatcher.dispatch('vault.create', { password: CLI_PASSWORD })).toMatchObject({ ok: true });
  expect(await app.dispatcher.dispatch('edge.saveNode', { name: 'edge-01', host: '127.0.0.1', user: 'technician', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: join(dir, 'cluster', 'kubeconfig.yaml') } })).toMatchObject({ ok: true });
  const pki = new PkiService({ vault: app.vault });
  const root = await pki.createRoot({ subject: { commonName: 'AIO42 Root CA' } });
  const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'AIO42 Intermediate CA 1' } });
  await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: ['127.0.0.1'] });
  await pki.createRoot({ subject: { commonName: 'Clients42 Root CA' } });
  await app.dispose();
}

/** A temp dir with the emulator (`dir`/cluster) and a seeded CLI vault, for one describe block. */
export function aioCliLab(prefix: string): { dir: string; dataDir: string; emu: KubeEmulator } {
  const lab = {} as { dir: string; dataDir: string; emu: KubeEmulator };
  beforeAll(async () => {
    lab.dir = mkdtempSync(join(tmpdir(), prefix));
    lab.dataDir = join(lab.dir, 'data');
    lab.emu = await startKubeEmulator({ dir: join(lab.dir, 'cluster') });
    await seedCliVault(lab.dir, lab.dataDir);
  });
  afterAll(async () => {
    await lab.emu?.close();
    rmSync(lab.dir, { recursive: true, force: true });
  });
  return lab;
}
