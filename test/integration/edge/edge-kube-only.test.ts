import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { aioCli, CLI_PASSWORD } from '../aio/aio-cli-fixture';
import { cliInProcess } from '../../support/cli/cli-in-process';

// Issue 11: a node that is only a kubeconfig (no SSH host, user or login). Everything Kubernetes works;
// everything that needs SSH says so in a sentence.

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

/** `fieldbench node …` in this process, stdin not a terminal. */
const nodeCli = (args: string[], dataDir: string) => cliInProcess(['node', ...args, '--data-dir', dataDir], { env: { FIELDBENCH_VAULT_PASSWORD: CLI_PASSWORD } });

describe('a node that is only a kubeconfig', () => {
  let dir: string;
  let emu: KubeEmulator;
  let app: AppContext;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-kube-only-'));
    emu = await startKubeEmulator({ dir: join(dir, 'cluster') });
    kubeconfig = join(dir, 'cluster', 'kubeconfig.yaml');
    app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli', vault: { createOptions: WEAK } });
    expect(await app.dispatcher.dispatch('vault.create', { password: CLI_PASSWORD })).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await app?.dispose();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is saved without SSH details, takes its address from the kubeconfig, and passes the test on Kubernetes alone', async () => {
    const saved = await app.dispatcher.dispatch('edge.saveNode', { name: 'kube-only', kube: { mode: 'kubeconfig', path: kubeconfig } });
    expect(saved).toMatchObject({ ok: true, value: { name: 'kube-only', host: '127.0.0.1', auth: { method: 'none' }, kube: { mode: 'kubeconfig', path: kubeconfig } } });
    const nodeId = (saved as { value: { id: string } }).value.id;
    const test = await app.dispatcher.dispatch('edge.testNode', { id: nodeId }, { jobId: 'test' });
    if (!test.ok) throw new Error(test.error.message);
    const r = test.value as { ok: boolean; steps: Array<{ id: string; status: string; message: string }> };
    expect(r.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['connect:skipped', 'hostKey:skipped', 'login:skipped', 'sudo:skipped', 'kubernetes:ok', 'aio:ok']);
    expect(r.steps[0]!.message).toBe('Skipped: this node has no SSH login; Fieldbench reaches it only through its kubeconfig file.');
    expect(r.ok).toBe(true);
    // The broker area works through the kubeconfig.
    expect(await app.dispatcher.dispatch('aio.discover', { nodeId })).toMatchObject({ ok: true, value: { aioPresent: true } });
  });

  it('says in a sentence that static addresses, host checks and tunnels need SSH', async () => {
    const nodes = await app.dispatcher.dispatch('edge.listNodes', {});
    const nodeId = (nodes as { value: { nodes: Array<{ id: string; name: string }> } }).value.nodes.find((n) => n.name === 'kube-only')!.id;
    const discover = await app.dispatcher.dispatch('network.discover', { target: { kind: 'node', nodeId } });
    expect(discover).toMatchObject({ ok: false, error: { code: 'edge.noSsh' } });
    expect((discover as { error: { message: string } }).error.message).toBe(
      'kube-only is reached only through its kubeconfig and has no SSH login, so this needs SSH and cannot run: setting a static address, the host check and SSH tunnels all log in to the node. Edit kube-only and add its SSH user and login to use them.',
    );
  });

  it('without a kubeconfig, the SSH details are still required, field by field', async () => {
    const r = await app.dispatcher.dispatch('edge.saveNode', { name: 'half', kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
    const text = JSON.stringify(r);
    expect(text).toContain('Enter the node address or host name.');
    expect(text).toContain('Enter the SSH user name.');
    expect(text).toContain('Only a node reached through a kubeconfig file can do without SSH.');
  });

  it('node add --kube kubeconfig asks for no SSH details; node list and node test show it; aio works on it', async () => {
    await app.dispose();
    const dataDir = join(dir, 'data');
    const added = await nodeCli(['add', 'edge-k', '--kube', 'kubeconfig', '--kubeconfig', kubeconfig], dataDir);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added edge-k: 127.0.0.1, Kubernetes through the kubeconfig ${kubeconfig}, no SSH login.`);
    const list = await nodeCli(['list'], dataDir);
    expect(list.stdout).toMatch(/edge-k\s+127\.0\.0\.1\s+-\s+no SSH\s+kubeconfig/);
    const test = await nodeCli(['test', 'edge-k'], dataDir);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('edge-k is ready.');
    const listeners = await aioCli(['listeners', '--node', 'edge-k'], dataDir);
    expect(listeners.code, listeners.stderr).toBe(0);
    expect(listeners.stdout).toContain('default');
    // A login flag without a user is still the SSH form, and says what is missing.
    const half = await nodeCli(['add', 'edge-h', '--agent', '--kube', 'kubeconfig', '--kubeconfig', kubeconfig], dataDir);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('Give the node address with --host');
  });
});
