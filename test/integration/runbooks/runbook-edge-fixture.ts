import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/run-cli';
import { composeApp } from '../../../src/main/compose';
import type { EdgeLab } from '../../support/e2e/edge-lab-fixture';

export const EDGE_WEAK_KDF = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

/** `fieldbench runbook …` in this process (the same code the bin runs), stdin not a terminal. */
export async function runbookCli(args: string[], dataDir: string, password: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(['runbook', ...args, '--data-dir', dataDir], { stdout, stderr, stdin, env: { FIELDBENCH_VAULT_PASSWORD: password }, interrupted: new Promise(() => {}) });
  return { code, ...out };
}

/** A new vault with no certificate and one node profile for the edge lab: what a technician has before seed 001. */
export async function blankVaultWithNode(dataDir: string, password: string, edge: EdgeLab, name: string): Promise<void> {
  const app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: EDGE_WEAK_KDF } });
  try {
    const ok = async (call: string, req: unknown) => {
      const r = await app.dispatcher.dispatch(call as never, req as never, {});
      if (!r.ok) throw new Error(`${call}: ${r.error.message}`);
      return r.value as { id: string };
    };
    await ok('vault.create', { password });
    const key = await ok('edge.importKey', { privateKey: edge.host.clientKey.privateKey });
    const node = await ok('edge.saveNode', { name, host: edge.host.nodeAddress, user: edge.host.users.key.name, auth: { method: 'key', keyId: key.id }, sudoPassword: edge.host.users.key.sudoPassword });
    await ok('edge.trustHostKey', { nodeId: node.id, fingerprint: edge.host.hostKeys.ed25519.fingerprint });
  } finally {
    await app.dispose();
  }
}
