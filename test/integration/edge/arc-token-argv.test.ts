import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EdgeService } from '../../../src/main/services/edge/edge-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator.js';

// Issue 10 row 4: the Arc proxy's service-account token was on az's argv, which every local user can read
// in /proc/PID/cmdline while the proxy runs. It now goes as `--token @file`.

const ARC_DIR = resolve(import.meta.dirname, '../../support/arc');

/** Every process's argv on this machine that mentions `needle`. */
function cmdlinesContaining(needle: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (argv.includes(needle)) hits.push(`${pid}: ${argv.split('\0').join(' ')}`);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return hits;
}

describe('the Arc proxy token stays off every command line', () => {
  let emu: KubeEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-arc-token-'));
    emu = await startKubeEmulator({ dir });
    env = { ...process.env, PATH: `${ARC_DIR}:${process.env.PATH ?? ''}`, FAKE_AZ_KUBECONFIG: join(dir, 'kubeconfig.yaml'), FAKE_AZ_STATE_DIR: join(dir, 'az-state') };
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the token as @file: az uses it, no /proc/PID/cmdline holds it, and the file is gone once the proxy listens', async () => {
    const s = new EdgeService({ vault: new MemoryVaultStore(), env, arc: { readyTimeoutMs: 20_000 } });
    try {
      const node = await s.saveNode({ name: 'arc-argv', host: '127.0.0.1', port: 22, user: 'tech', auth: { method: 'agent' }, kube: { mode: 'arc', clusterName: 'aio-cluster', resourceGroup: 'rg-site', token: emu.adminToken } });
      const access = await s.openKube(node.id);
      // The stand-in read the file exactly as az does, so the token reached the kubeconfig az wrote.
      expect(access.kubeConfig.getCurrentUser()?.token).toBe(emu.adminToken);
      expect(cmdlinesContaining(emu.adminToken)).toEqual([]);
      const { kubeconfigPath } = (s as unknown as { kube: { arcs: Map<string, { proxy: { kubeconfigPath: string } }> } }).kube.arcs.get(node.id)!.proxy; // node-kube.ts keeps the proxies
      expect(readdirSync(resolve(kubeconfigPath, '..'))).toEqual(['kubeconfig']);
      await access.release();
    } finally {
      await s.dispose();
    }
  });
});

describe('the stand-in az reads @file argument values as the Azure CLI does', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let emu: KubeEmulator;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-az-atfile-'));
    emu = await startKubeEmulator({ dir });
    env = { ...process.env, FAKE_AZ_KUBECONFIG: join(dir, 'kubeconfig.yaml'), FAKE_AZ_STATE_DIR: join(dir, 'az-state') };
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the stand-in until it listens, returns the token it wrote into its kubeconfig, and stops it. */
  async function tokenSeenBy(args: string[]): Promise<string | undefined> {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}.yaml`);
    const child = spawn(join(ARC_DIR, 'az'), ['connectedk8s', 'proxy', '-n', 'c', '-g', 'g', '--port', '0', '-f', out, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((res, rej) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout.on('data', (d: Buffer) => d.toString().includes('Proxy is listening') && res());
        child.once('exit', (c) => rej(new Error(`stand-in exited ${c}: ${err}`)));
      });
      const kc = parse(readFileSync(out, 'utf8')) as { users: Array<{ user: { token?: string } }> };
      return kc.users[0]?.user.token;
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }

  it('loads the file, dropping trailing line ends (content.rstrip(os.linesep))', async () => {
    const f = join(dir, 'token');
    writeFileSync(f, 'abc.def\n\n', { mode: 0o600 });
    expect(await tokenSeenBy(['--token', `@${f}`])).toBe('abc.def');
  });

  it('accepts the --name=@file form and a UTF-8 BOM (read_file_content tries utf-8-sig first)', async () => {
    const f = join(dir, 'token-bom');
    writeFileSync(f, '\ufeffxyz', { mode: 0o600 });
    expect(await tokenSeenBy([`--token=@${f}`])).toBe('xyz');
  });

  it('keeps the literal value when the file cannot be read, and only expands a leading @', async () => {
    expect(await tokenSeenBy(['--token', `@${join(dir, 'missing')}`])).toBe(`@${join(dir, 'missing')}`);
    expect(await tokenSeenBy(['--token', 'a@b'])).toBe('a@b');
  });
});
