import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EdgeService } from '../../../src/main/services/edge/edge-service';
import { loadKubeClient } from '../../../src/main/services/edge/kube-client-loader';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator.js';

const { VersionApi } = await loadKubeClient();
const ARC_DIR = resolve(import.meta.dirname, '../../support/arc');

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
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

describe('Kubernetes through the Arc proxy (stand-in az) and from a kubeconfig file', () => {
  let emu: KubeEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const services: EdgeService[] = [];

  const service = (extra: NodeJS.ProcessEnv = {}, readyTimeoutMs = 20_000) => {
    const s = new EdgeService({ vault: new MemoryVaultStore(), env: { ...env, ...extra }, arc: { readyTimeoutMs } });
    services.push(s);
    return s;
  };
  const arcNode = (s: EdgeService, name = 'arc-node', token?: string) =>
    s.saveNode({ name, host: '127.0.0.1', port: 22, user: 'tech', auth: { method: 'agent' }, kube: { mode: 'arc', clusterName: 'aio-cluster', resourceGroup: 'rg-site', ...(token ? { token } : {}) } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-arc-'));
    emu = await startKubeEmulator({ dir });
    env = { ...process.env, PATH: `${ARC_DIR}:${process.env.PATH ?? ''}`, FAKE_AZ_KUBECONFIG: join(dir, 'kubeconfig.yaml'), FAKE_AZ_STATE_DIR: join(dir, 'az-state') };
  });

  afterEach(async () => {
    for (const s of services.splice(0)) await s.dispose();
  });

  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts az connectedk8s proxy, reaches the API through it, and ends its whole process group on release', async () => {
    const s = service();
    const node = await arcNode(s);
    const access = await s.openKube(node.id);
    expect(access.via).toBe('arc');
    expect(access.description).toContain('aio-cluster');
    const server = access.kubeConfig.getCurrentCluster()!.server;
    const port = Number(new URL(server).port);
    expect(port).not.toBe(47010);
    const version = await access.kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/k3s/);

    // The proxy's kubeconfig is private to this user while it runs.
    // The Kubernetes access (node-kube.ts) keeps the running proxies.
    const proxies = (s as unknown as { kube: { arcs: Map<string, { proxy: { pid: number; kubeconfigPath: string } }> } }).kube.arcs;
    const { pid, kubeconfigPath } = proxies.get(node.id)!.proxy;
    expect(statSync(kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(groupAlive(pid)).toBe(true);
    expect(await portOpen(port)).toBe(true);

    await access.release();
    expect(groupAlive(pid)).toBe(false);
    // The listening child of az went with the group, and the kubeconfig with the temp folder.
    expect(await portOpen(port)).toBe(false);
    expect(() => statSync(kubeconfigPath)).toThrow();
    await access.release();
  });

  it('shares one proxy between borrowers of the same node and uses the service account token when given', async () => {
    const s = service();
    const node = await arcNode(s, 'arc-token', emu.adminToken);
    expect(node.kube).toEqual({ mode: 'arc', clusterName: 'aio-cluster', resourceGroup: 'rg-site', hasToken: true });
    expect(JSON.stringify(node)).not.toContain(emu.adminToken);
    const a = await s.openKube(node.id);
    const b = await s.openKube(node.id);
    expect(b.kubeConfig).toBe(a.kubeConfig);
    expect(a.kubeConfig.getCurrentUser()?.token).toBe(emu.adminToken);
    await a.release();
    expect((await b.kubeConfig.makeApiClient(VersionApi).getCode()).gitVersion).toMatch(/k3s/);
    await b.release();
  });

  it('the stand-in refuses a second proxy, and Fieldbench says another one is running', async () => {
    const first = spawn(join(ARC_DIR, 'az'), ['connectedk8s', 'proxy', '-n', 'c', '-g', 'g', '--port', '0', '-f', join(dir, 'manual.yaml')], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((res, rej) => {
        first.stdout.on('data', (d: Buffer) => d.toString().includes('Proxy is listening') && res());
        first.once('exit', (c) => rej(new Error(`stand-in exited ${c}`)));
      });
      const second = spawnSync(join(ARC_DIR, 'az'), ['connectedk8s', 'proxy', '-n', 'c', '-g', 'g', '--port', '0', '-f', join(dir, 'manual2.yaml')], { env, encoding: 'utf8' });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/^ERROR: Another instance of the proxy is already running/);

      const s = service();
      const node = await arcNode(s);
      const err = await s.openKube(node.id).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'edge.arcProxyBusy' });
      expect((err as Error).message).toMatch(/only one at a time/);
    } finally {
      process.kill(-first.pid!, 'SIGTERM');
      await new Promise((r) => first.once('exit', r));
    }
  });

  it('refuses a second Arc node while one proxy runs for another node', async () => {
    const s = service();
    const a = await arcNode(s, 'arc-a');
    const b = await arcNode(s, 'arc-b');
    const access = await s.openKube(a.id);
    await expect(s.openKube(b.id)).rejects.toMatchObject({ code: 'edge.arcProxyBusy', message: expect.stringContaining('arc-a') });
    await access.release();
    const next = await s.openKube(b.id);
    await next.release();
  });

  it('says az is missing, with how to install it', async () => {
    const s = service({ PATH: '/nonexistent-bin' });
    const node = await arcNode(s);
    const err = await s.openKube(node.id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'edge.azMissing' });
    expect((err as Error).message).toMatch(/not installed.*az extension add --name connectedk8s/s);
  });

  it('gives up after the ready timeout with the proxy output, and ends the group', async () => {
    const s = service({ FAKE_AZ_SILENT: '1' }, 1500);
    const node = await arcNode(s);
    const before = new Set(listStandIns());
    const err = await s.openKube(node.id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'edge.arcProxyTimeout' });
    const leftovers = listStandIns().filter((p) => !before.has(p));
    expect(leftovers).toEqual([]);
  });

  it('reports an az failure with its own words and hides the token', async () => {
    const s = service({ FAKE_AZ_FAIL: "Please run 'az login' to setup account." });
    const node = await arcNode(s, 'arc-login', 'secret-token-123');
    const err = await s.openKube(node.id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'edge.arcLoginNeeded' });
    expect(JSON.stringify(err)).not.toContain('secret-token-123');
  });

  it('reads a kubeconfig file with a chosen context, and names the contexts when the choice is wrong', async () => {
    const s = service();
    const file = join(dir, 'site.kubeconfig');
    writeFileSync(file, readFileSync(join(dir, 'kubeconfig.yaml'), 'utf8'));
    const ctx = (await import('yaml')).parse(readFileSync(file, 'utf8'))['current-context'] as string;
    const node = await s.saveNode({ name: 'file-node', host: '127.0.0.1', port: 22, user: 't', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: file, context: ctx } });
    const access = await s.openKube(node.id);
    expect(access.via).toBe('kubeconfig');
    expect((await access.kubeConfig.makeApiClient(VersionApi).getCode()).gitVersion).toMatch(/k3s/);
    await access.release();

    await s.saveNode({ id: node.id, name: 'file-node', host: '127.0.0.1', port: 22, user: 't', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: file, context: 'nope' } });
    await expect(s.openKube(node.id)).rejects.toMatchObject({ code: 'edge.kubeContextMissing', message: expect.stringContaining(ctx) });
    await s.saveNode({ id: node.id, name: 'file-node', host: '127.0.0.1', port: 22, user: 't', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: join(dir, 'missing.yaml') } });
    await expect(s.openKube(node.id)).rejects.toMatchObject({ code: 'edge.kubeconfigMissing' });
  });
});

/** PIDs of running stand-in az processes started from this checkout. */
function listStandIns(): string[] {
  const out = spawnSync('pgrep', ['-f', join(ARC_DIR, 'fake-az.mjs')], { encoding: 'utf8' });
  return out.stdout.split('\n').filter(Boolean);
}
