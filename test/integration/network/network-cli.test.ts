import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { answersOn } from '../../support/network/edge-targets';

const availability = edgeHostAvailability({ networkd: true });
if (!availability.ok) console.warn(`[network] CLI tests skipped: ${availability.reason}`);

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(args, { stdout, stderr, stdin: new PassThrough(), env, interrupted: new Promise(() => {}) });
  return { code, stdout: out, stderr: err };
}

describe.skipIf(!availability.ok)('fieldbench net (in-process CLI) against the edge test host', () => {
  let host: EdgeHost;
  let dataDir: string;
  let login: string[];
  const env = () => ({ FIELDBENCH_SUDO_PASSWORD: host.users.key.sudoPassword });

  beforeAll(async () => {
    host = await startEdgeHost({ networkd: true });
    dataDir = mkdtempSync(join(tmpdir(), 'fb-netcli-'));
    login = ['--host', host.nodeAddress, '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--host-key', host.hostKeys.ed25519.fingerprint, '--data-dir', dataDir];
  });
  afterAll(async () => {
    await host?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the interfaces and netplan files', async () => {
    const r = await cli(['net', 'show', ...login], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`eth0 +virtual +UP +${host.nodeAddress.replace(/\./g, '\\.')}/24`));
    expect(r.stdout).toContain('/etc/netplan/01-netcfg.yaml (600; eth0)');
  });

  it('plans with a diff and the node\'s verdict; refuses a gateway outside the subnet with exit 1', async () => {
    const next = host.nodeAddress.replace(/\.2$/, '.60');
    const ok = await cli(['net', 'plan', ...login, '--iface', 'eth0', '--address', `${next}/24`, '--gateway', host.laptopAddress], env());
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`+        - ${next}/24`);
    expect(ok.stdout).toContain("The node's netplan accepts");
    const bad = await cli(['net', 'plan', ...login, '--iface', 'eth0', '--address', `${next}/24`, '--gateway', '10.99.0.1'], env());
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/error +The gateway 10\.99\.0\.1 is outside/);
  });

  it('asks for --yes and refuses --node until node profiles exist', async () => {
    const noYes = await cli(['net', 'apply', ...login, '--iface', 'eth0', '--address', `${host.nodeAddress}/24`], env());
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const node = await cli(['net', 'show', '--node', 'edge-01'], env());
    expect(node.code).toBe(2);
    expect(node.stderr).toContain('--host');
  });

  it('applies a new address on the same segment and reports each step', async () => {
    const next = host.nodeAddress.replace(/\.2$/, '.61');
    const r = await cli(['net', 'apply', ...login, '--iface', 'eth0', '--address', `${next}/24`, '--gateway', host.laptopAddress, '--rollback-seconds', '30', '--yes'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('[ok] Arm the automatic rollback');
    expect(r.stderr).toContain('[ok] Cancel the rollback');
    expect(r.stdout).toContain(`The node answers on ${next}`);
    expect(await answersOn(host, next)).toBe(true);
  });
});
