import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFieldbenchSync } from '../../support/cli/fieldbench-cli';
import { runCli } from '../../../src/cli/run-cli';
import { composeApp } from '../../../src/main/compose';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[edge cli] tests skipped: ${availability.reason}`);

const VAULT_PW = 'long enough pw';
const ROOT = resolve(import.meta.dirname, '../../..');
// npm test builds once before the suites; without a build this one check skips.
const BUILT = join(ROOT, 'out', 'main', 'cli.js');
if (!existsSync(BUILT)) console.warn('[edge cli] the built-CLI check is skipped: run `npx electron-vite build` first');

/** Runs `fieldbench …` in this process with piped (non-TTY) stdio, as a script would. */
async function fieldbench(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runCli(args, {
    stdout: out,
    stderr: err,
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: opts.env ?? { FIELDBENCH_VAULT_PASSWORD: VAULT_PW },
    interrupted: new Promise(() => {}),
  });
  return { code, stdout, stderr };
}

describe.skipIf(!availability.ok)('fieldbench node against the edge test host', () => {
  let host: EdgeHost;
  let dataDir: string;
  let d: string[];

  beforeAll(async () => {
    host = await startEdgeHost();
    dataDir = mkdtempSync(join(tmpdir(), 'fb-edge-cli-'));
    d = ['--data-dir', dataDir];
    const app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
    await app.dispatcher.dispatch('vault.create', { password: VAULT_PW });
    await app.dispose();
  });

  afterAll(async () => {
    await host?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a node with a key file and the sudo password from stdin, after the vault password', async () => {
    const res = await fieldbench(['node', 'add', 'edge-01', '--host', host.nodeAddress, '--user', 'fbkey', '--key-file', host.clientKey.privateKeyPath, '--password-stdin', '--sudo-password-stdin', ...d], {
      stdin: `${VAULT_PW}\n${host.users.key.sudoPassword}\n`,
      env: {},
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Added edge-01: fbkey@10\.231\.\d+\.2:22, key login, Kubernetes through ssh\./);
    expect(res.stdout).toContain('fieldbench node test edge-01');

    const list = await fieldbench(['node', 'list', '--json', ...d]);
    const { nodes } = JSON.parse(list.stdout) as { nodes: Array<{ name: string; hasSudoPassword: boolean; hostKey?: unknown }> };
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ name: 'edge-01', hasSudoPassword: true });
    expect(nodes[0]!.hostKey).toBeUndefined();
    expect(list.stdout).not.toContain(host.users.key.sudoPassword);
  });

  it('node test stops at the unknown host key in a script, printing the fingerprint and how to trust it', async () => {
    const res = await fieldbench(['node', 'test', 'edge-01', ...d]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`ssh-ed25519 ${host.hostKeys.ed25519.fingerprint}`);
    expect(res.stderr).toContain(`--trust-fingerprint ${host.hostKeys.ed25519.fingerprint}`);
    expect(res.stdout).toMatch(/✓ Reach the node/);
    expect(res.stdout).toMatch(/✗ Host key: Fieldbench has not connected to edge-01/);
    expect(res.stdout).toMatch(/– Log in: Skipped/);
  });

  it('--trust-fingerprint trusts the key; each step is printed and a failed one makes the exit code 1', async () => {
    const res = await fieldbench(['node', 'test', 'edge-01', '--trust-fingerprint', host.hostKeys.ed25519.fingerprint, ...d]);
    expect(res.stdout).toMatch(/✓ Host key/);
    expect(res.stdout).toMatch(/✓ Log in: Logged in as fbkey/);
    expect(res.stdout).toMatch(/✓ sudo: fbkey may use sudo/);
    // The test node has k3s.yaml but no API server behind it.
    expect(res.stdout).toMatch(/✗ Kubernetes API: The Kubernetes API did not answer/);
    expect(res.code).toBe(1);
    const json = await fieldbench(['node', 'test', 'edge-01', '--json', ...d]);
    const result = JSON.parse(json.stdout) as { ok: boolean; steps: Array<{ id: string; status: string }> };
    expect(result.steps.slice(0, 4).every((s) => s.status === 'ok')).toBe(true);
    expect(json.code).toBe(1);
  });

  it('node trust --fingerprint, then list shows the trusted key', async () => {
    const res = await fieldbench(['node', 'trust', 'edge-01', '--fingerprint', host.hostKeys.ed25519.fingerprint, ...d]);
    expect(res.code).toBe(0);
    const list = await fieldbench(['node', 'list', ...d]);
    expect(list.stdout).toMatch(/^NAME\s+ADDRESS\s+USER\s+LOGIN\s+KUBERNETES\s+HOST KEY/);
    expect(list.stdout).toContain(host.hostKeys.ed25519.fingerprint);
  });

  it.skipIf(!existsSync(BUILT))('the built CLI (bin/fieldbench.js) runs node test end to end, loading the Kubernetes client', () => {
    const r = runFieldbenchSync(['node', 'test', 'edge-01', '--json', ...d], { env: { FIELDBENCH_SKIP_BUILD: '1', FIELDBENCH_VAULT_PASSWORD: VAULT_PW } });
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout) as { steps: Array<{ id: string; status: string; code?: string }> };
    expect(result.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'failed', 'skipped']);
    // The API is down on this node, but the client library itself loaded.
    expect(result.steps[4]!.code).toBe('edge.kubeUnreachable');
    expect(r.code).toBe(1);
  });

  it('generates a key and prints the line for authorized_keys; a wrong command line exits 2', async () => {
    const res = await fieldbench(['node', 'add', 'edge-02', '--host', host.nodeAddress, '--user', 'fbkey', '--generate-key', ...d]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/authorized_keys on the node:\nssh-ed25519 AAAA\S+ fieldbench-edge-02\n/);
    const none = await fieldbench(['node', 'add', 'edge-03', '--host', host.nodeAddress, '--user', 'fbkey', ...d]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Choose exactly one login/);
    const dup = await fieldbench(['node', 'add', 'EDGE-02', '--host', host.nodeAddress, '--user', 'fbkey', '--agent', ...d]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already a node called edge-02/);
  });

  it('removes a node', async () => {
    expect((await fieldbench(['node', 'remove', 'edge-02', ...d])).code).toBe(0);
    const missing = await fieldbench(['node', 'remove', 'edge-02', ...d]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no node called "edge-02"/);
  });
});
