import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { EdgeService } from '../../../src/main/services/edge/edge-service';
import { loadKubeClient } from '../../../src/main/services/edge/kube-client-loader';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[edge kube] tests skipped: ${availability.reason}`);

const ROOT = resolve(import.meta.dirname, '../../..');
const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

type Ok<T> = { ok: true; value: T };
// Results are checked field by field in each test; a loose type keeps those checks readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call<T = any>(app: AppContext, name: string, req: unknown, jobId?: string): Promise<T> {
  const res = await app.dispatcher.dispatch(name, req, jobId ? { jobId } : {});
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return (res as Ok<T>).value;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

describe.skipIf(!availability.ok)('the node test and Kubernetes through SSH (emulator inside the node)', () => {
  let host: EdgeHost;
  let emulator: ChildProcess;
  let app: AppContext;
  let dataDir: string;
  let nodeId: string;

  beforeAll(async () => {
    host = await startEdgeHost();
    const emuDir = join(host.root, 'kube');
    // nsenter starts in /, so the loader and the script are named by absolute paths.
    const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    emulator = host.runInNode(process.execPath, ['--import', tsx, join(ROOT, 'test/support/kube/kube-emulator-cli.ts'), '--host', '127.0.0.1', '--port', '6443', '--dir', emuDir]);
    let output = '';
    emulator.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    emulator.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await vi.waitFor(
      () => {
        if (emulator.exitCode !== null) return;
        expect(existsSync(join(emuDir, 'ready')), `emulator output so far: ${output}`).toBe(true);
      },
      { timeout: 90_000, interval: 100 },
    );
    if (emulator.exitCode !== null) throw new Error(`The emulator exited (${emulator.exitCode}): ${output}`);
    await host.setK3sKubeconfig(readFileSync(join(emuDir, 'kubeconfig.yaml'), 'utf8'));
    dataDir = mkdtempSync(join(tmpdir(), 'fb-edge-kube-'));
    app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
    await call(app, 'vault.create', { password: 'long enough pw' });
  });

  afterAll(async () => {
    await app?.dispose();
    emulator?.kill();
    await host?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds the node through the contract; the first test stops at the unknown host key and shows its fingerprint', async () => {
    const key = await call(app, 'edge.importKey', { privateKey: host.clientKey.privateKey });
    expect(key).toMatchObject({ type: 'ssh-ed25519', fingerprint: host.clientKey.fingerprint });
    const node = await call(app, 'edge.saveNode', {
      name: 'edge-01',
      host: host.nodeAddress,
      user: host.users.key.name,
      auth: { method: 'key', keyId: key.id },
      sudoPassword: host.users.key.sudoPassword,
    });
    nodeId = node.id;
    expect(node).toMatchObject({ port: 22, kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' }, hasSudoPassword: true, auth: { method: 'key', fingerprint: host.clientKey.fingerprint } });
    expect(JSON.stringify(node)).not.toContain(host.users.key.sudoPassword);

    const result = await call(app, 'edge.testNode', { id: nodeId });
    expect(result.ok).toBe(false);
    expect(result.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['connect:ok', 'hostKey:failed', 'login:skipped', 'sudo:skipped', 'kubernetes:skipped', 'aio:skipped']);
    expect(result.steps[1]).toMatchObject({ code: 'edge.hostKeyUnknown' });
    expect(result.hostKey).toEqual({ status: 'unknown', type: 'ssh-ed25519', fingerprint: host.hostKeys.ed25519.fingerprint });
  });

  it('after trusting the key, every step passes: login, sudo, Kubernetes version, AIO present, reported as progress', async () => {
    await call(app, 'edge.trustHostKey', { nodeId, fingerprint: host.hostKeys.ed25519.fingerprint });
    const progress: string[] = [];
    const activity: string[] = [];
    const offProgress = app.hub.on('jobs.onProgress', (p) => progress.push((p as { message: string }).message));
    const offActivity = app.hub.on('edge.onActivity', (a) => activity.push((a as { kind: string }).kind));
    const result = await call(app, 'edge.testNode', { id: nodeId }, 'test-1');
    offProgress();
    offActivity();
    expect(result.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['connect:ok', 'hostKey:ok', 'login:ok', 'sudo:ok', 'kubernetes:ok', 'aio:ok']);
    expect(result.ok).toBe(true);
    expect(result.kubernetesVersion).toMatch(/^v1\.\d+\.\d+\+k3s/);
    expect(result.aioVersions).toContain('v1');
    expect(progress).toHaveLength(6);
    expect(progress[4]).toMatch(/^Kubernetes API: Kubernetes v1.* answers through SSH to edge-01/);
    expect(activity).toEqual(['tested']);
    const log = await call(app, 'edge.activity', { nodeId });
    expect(log.entries.map((e: { kind: string }) => e.kind)).toEqual(['added', 'tested', 'hostKeyTrusted', 'tested']);
  });

  it('openKube reads k3s.yaml with sudo, tunnels the API and survives sshd dropping every session', async () => {
    // A second service over the same vault sees the same profile and trusted key (the app keeps its own private).
    const edge = new EdgeService({ vault: app.vault });
    const { VersionApi, CoreV1Api } = await loadKubeClient();
    const access = await edge.openKube(nodeId);
    expect(access.via).toBe('ssh');
    const server = new URL(access.kubeConfig.getCurrentCluster()!.server);
    expect(server.hostname).toBe('127.0.0.1');
    expect(server.port).not.toBe('6443');
    expect((await access.kubeConfig.makeApiClient(VersionApi).getCode()).gitVersion).toMatch(/k3s/);

    await host.stopSsh({ dropSessions: true });
    await host.startSsh();
    const cm = await access.kubeConfig.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'azure-iot-operations-aio-ca-trust-bundle', namespace: 'azure-iot-operations' });
    expect(cm.data?.['ca.crt']).toMatch(/BEGIN CERTIFICATE/);

    await access.release();
    expect(await portOpen(Number(server.port))).toBe(false);
    await edge.dispose();
  });

  it('a wrong sudo password stops the test at sudo and skips Kubernetes', async () => {
    const result = await call(app, 'edge.testNode', { id: nodeId, sudoPassword: 'wrong-password' });
    expect(result.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['connect:ok', 'hostKey:ok', 'login:ok', 'sudo:failed', 'kubernetes:skipped', 'aio:skipped']);
    expect(result.steps[3]).toMatchObject({ code: 'edge.sudoRefused' });
  });

  it('says when k3s.yaml is missing, and when nothing answers on the API port', async () => {
    await host.execInNode('mv', ['/etc/rancher/k3s/k3s.yaml', '/etc/rancher/k3s/k3s.yaml.bak']);
    try {
      const missing = await call(app, 'edge.testNode', { id: nodeId });
      expect(missing.steps[4]).toMatchObject({ id: 'kubernetes', status: 'failed', code: 'edge.kubeconfigMissing' });
    } finally {
      await host.execInNode('mv', ['/etc/rancher/k3s/k3s.yaml.bak', '/etc/rancher/k3s/k3s.yaml']);
    }
    emulator.kill();
    await new Promise((r) => (emulator.exitCode !== null ? r(null) : emulator.once('exit', r)));
    const down = await call(app, 'edge.testNode', { id: nodeId });
    expect(down.steps[4]).toMatchObject({ id: 'kubernetes', status: 'failed', code: 'edge.kubeUnreachable' });
    expect(down.steps[4].message).toMatch(/did not answer through SSH to edge-01/);
  });

  it('removes the node with its activity log', async () => {
    expect(await call(app, 'edge.removeNode', { id: nodeId })).toEqual({ removed: true });
    expect((await call(app, 'edge.listNodes', {})).nodes).toEqual([]);
    const err = await call(app, 'edge.activity', { nodeId }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'edge.nodeNotFound' });
  });
});
