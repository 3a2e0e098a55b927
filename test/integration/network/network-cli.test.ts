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

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  stdin.end(input ?? '');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(args, { stdout, stderr, stdin, env, interrupted: new Promise(() => {}) });
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

  it('asks for --yes; --node without a vault says how to make one', async () => {
    const noYes = await cli(['net', 'apply', ...login, '--iface', 'eth0', '--address', `${host.nodeAddress}/24`], env());
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const empty = mkdtempSync(join(tmpdir(), 'fb-netcli-empty-'));
    try {
      const node = await cli(['net', 'show', '--node', 'edge-01', '--data-dir', empty], env());
      expect(node.code).not.toBe(0);
      expect(node.stderr).toContain('fieldbench vault create');
      const both = await cli(['net', 'show', '--node', 'edge-01', ...login], env());
      expect(both.code).toBe(2);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
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

  describe('with a node profile (--node)', () => {
    const vaultEnv = { FIELDBENCH_VAULT_PASSWORD: 'a long vault password for the cli' };
    let current: string;
    let certId: string;

    beforeAll(async () => {
      current = (await answersOn(host, host.nodeAddress, 1)) ? host.nodeAddress : host.nodeAddress.replace(/\.2$/, '.61');
      const dir = ['--data-dir', dataDir];
      expect((await cli(['vault', 'create', ...dir], vaultEnv)).code).toBe(0);
      const added = await cli(
        ['node', 'add', 'edge-01', '--host', current, '--port', String(host.sshPort), '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--sudo-password-stdin', '--trust-fingerprint', host.hostKeys.ed25519.fingerprint, ...dir],
        vaultEnv,
        `${host.users.key.sudoPassword}\n`,
      );
      expect(added.code, added.stderr).toBe(0);
      expect((await cli(['pki', 'create', 'root', 'Net CLI Root', ...dir], vaultEnv)).code).toBe(0);
      const server = await cli(['pki', 'create', 'server', 'broker', '--issuer', 'Net CLI Root', '--san', current, '--san', 'mqtts-endpoint', '--json', ...dir], vaultEnv);
      expect(server.code, server.stderr).toBe(0);
      certId = /"id":\s*"([^"]+)"/.exec(server.stdout)![1]!;
    });

    it('applies through the profile, updates it, and warns about the certificate that lacks the new IP', async () => {
      const shown = await cli(['net', 'show', '--node', 'edge-01', '--data-dir', dataDir], vaultEnv);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain(`(${current})`);

      const next = host.nodeAddress.replace(/\.2$/, '.62');
      const r = await cli(['net', 'apply', '--node', 'edge-01', '--iface', 'eth0', '--address', `${next}/24`, '--gateway', host.laptopAddress, '--rollback-seconds', '30', '--yes', '--data-dir', dataDir], vaultEnv);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stderr).toContain("[ok] Update the node profile's address");
      expect(r.stdout).toContain(`The node profile now connects to ${next}`);
      expect(r.stdout).toMatch(new RegExp(`warning certificate broker \\(vault ${certId}\\): .*${next.replace(/\./g, '\\.')}`));
      expect(r.stdout).toContain(`fieldbench net reissue ${certId} --address ${next}`);
      // The edge host runs no Kubernetes: main read the node's cluster for the checks and says why it could not.
      expect(r.stderr).toMatch(/Listeners and cluster certificates were not checked: \S/);

      const list = await cli(['node', 'list', '--json', '--data-dir', dataDir], vaultEnv);
      expect(list.stdout).toContain(`"host": "${next}"`);

      const re = await cli(['net', 'reissue', certId, '--address', next, '--remove', current, '--data-dir', dataDir], vaultEnv);
      expect(re.code, re.stderr).toBe(0);
      expect(re.stdout).toContain(`IP:${next}`);
      expect(re.stdout).not.toContain(`IP:${current}`);
      const newId = /^Issued broker \(([^)]+)\)/m.exec(re.stdout)![1]!;
      const check = await cli(['net', 'check', '--address', next, '--previous', current, '--data-dir', dataDir], vaultEnv);
      // The old certificate still lists the old address (it stays until removed); the new one is fine.
      const fine = await cli(['pki', 'verify', newId, '--host', next, '--data-dir', dataDir], vaultEnv);
      expect(fine.code, fine.stdout + fine.stderr).toBe(0);
      expect(check.stdout).toContain('Checks for');
    });
  });
});
