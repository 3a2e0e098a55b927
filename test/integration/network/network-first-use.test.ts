import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli';
import { NetworkService } from '../../../src/main/services/network/network-service';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { directShells, startExtraSshd, type ExtraSshd } from '../../support/network/edge-targets';
import { noClusterRead } from '../../support/services/absent-areas';

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[network] first-use tests skipped: ${availability.reason}`);

// Issue 10 row 3: a direct target with a password and no stored fingerprint used to trust the first host key
// silently and send the password to whoever answered. The sshd here is the node's real one on its own
// port, so its log shows every connection and every authentication attempt the client made.
describe.skipIf(!availability.ok)('direct targets: first use of an unknown host key', () => {
  let host: EdgeHost;
  let sshd: ExtraSshd;
  let dataDir: string;
  const service = new NetworkService({ aio: noClusterRead, shells: directShells() });
  const passwordTarget = (over: { hostKeyFingerprint?: string } = {}) => ({
    kind: 'direct' as const,
    host: host.nodeAddress,
    port: sshd.port,
    user: host.users.password.name,
    auth: { method: 'password' as const, password: host.users.password.password },
    ...over,
  });

  beforeAll(async () => {
    host = await startEdgeHost();
    sshd = await startExtraSshd(host, 2210);
    dataDir = mkdtempSync(join(tmpdir(), 'fb-firstuse-'));
  });
  afterAll(async () => {
    await sshd?.stop();
    await host?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('network.discover refuses with the presented fingerprint and sends no password', async () => {
    const before = sshd.log().length;
    const err = (await service.discover(passwordTarget()).catch((e: unknown) => e)) as { code: string; message: string; detail: string };
    expect(err.code).toBe('edge.hostKeyUnknown');
    expect(err.message).toContain(host.hostKeys.ed25519.fingerprint);
    expect(err.message).toContain('sent no password or key');
    expect(JSON.parse(err.detail)).toEqual({ type: 'ssh-ed25519', fingerprint: host.hostKeys.ed25519.fingerprint });
    const log = await sshd.waitFor(/Connection closed by|Connection reset by|Disconnected from/, before);
    expect(log).toMatch(/Connection (closed|reset) by \S+ port \d+ \[preauth\]|Disconnected from/);
    // No authentication request reached sshd: it never learnt the user name, so no password either.
    expect(log).not.toContain(host.users.password.name);
    expect(log).not.toMatch(/Failed|Accepted|authenticating user|invalid user/);
  });

  it('with the confirmed fingerprint the same login works', async () => {
    const before = sshd.log().length;
    const snapshot = await service.discover(passwordTarget({ hostKeyFingerprint: host.hostKeys.ed25519.fingerprint }));
    expect(snapshot.hostKeyFingerprint).toBe(host.hostKeys.ed25519.fingerprint);
    expect(snapshot.interfaces.some((i) => i.addresses.some((a) => a.address === host.nodeAddress))).toBe(true);
    expect(await sshd.waitFor(/Accepted password/, before)).toMatch(new RegExp(`Accepted password for ${host.users.password.name}`));
  });

  it('fieldbench net --host without --host-key and without a terminal refuses before logging in', async () => {
    const before = sshd.log().length;
    const args = ['net', 'show', '--host', host.nodeAddress, '--port', String(sshd.port), '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--data-dir', dataDir];
    const { code, stderr: err } = await cli(args);
    expect(code).not.toBe(0);
    expect(err).toContain(`--host-key ${host.hostKeys.ed25519.fingerprint}`);
    const log = await sshd.waitFor(/Connection closed by|Connection reset by|Disconnected from/, before);
    expect(log).not.toContain(host.users.key.name);
    expect(log).not.toMatch(/Failed|Accepted|Postponed|authenticating user/);
  });

  it('fieldbench net --host takes --legacy-ssh for a node whose sshd offers only ssh-rsa and hmac-sha1', async () => {
    const old = await startExtraSshd(host, 2211, { HostKeyAlgorithms: 'ssh-rsa', MACs: 'hmac-sha1', Ciphers: 'aes128-ctr' });
    try {
      const args = ['net', 'show', '--host', host.nodeAddress, '--port', '2211', '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--host-key', host.hostKeys.rsa.fingerprint, '--data-dir', dataDir];
      const refused = await cli(args);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('--legacy-ssh');
      expect(refused.stderr).toContain('host key signature: ssh-rsa');
      const accepted = await cli([...args, '--legacy-ssh'], { FIELDBENCH_SUDO_PASSWORD: host.users.key.sudoPassword });
      expect(accepted.code, accepted.stderr).toBe(0);
      expect(accepted.stdout).toContain(`host key ${host.hostKeys.rsa.fingerprint}`);
    } finally {
      await old.stop();
    }
  });
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  stdin.end('');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(args, { stdout, stderr, stdin, env, interrupted: new Promise(() => {}) });
  return { code, stdout: out, stderr: err };
}
