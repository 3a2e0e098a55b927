import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EdgeService, type SaveNodeInput } from '../../../src/main/services/edge/edge-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[edge ssh] tests skipped: ${availability.reason}`);

describe.skipIf(!availability.ok)('SSH to the edge test host', () => {
  let host: EdgeHost;
  let vault: MemoryVaultStore;
  let edge: EdgeService;
  let keyId: string;
  const activity: string[] = [];

  const keyNode = (over: Partial<SaveNodeInput> = {}): SaveNodeInput => ({
    name: 'edge-01',
    host: host.nodeAddress,
    port: host.sshPort,
    user: host.users.key.name,
    auth: { method: 'key', keyId },
    sudoPassword: host.users.key.sudoPassword,
    kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
    ...over,
  });

  /** Adds a node and trusts the host's ed25519 key the way the UI does: connect, read the fingerprint, trust it. */
  async function addTrusted(input: SaveNodeInput): Promise<string> {
    const node = await edge.saveNode(input);
    const err = await edge.exec(node.id, 'true').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'edge.hostKeyUnknown' });
    await edge.trustHostKey(node.id, edge.presentedHostKey(node.id)!.fingerprint);
    return node.id;
  }

  beforeAll(async () => {
    host = await startEdgeHost({ k3sYaml: 'apiVersion: v1\nkind: Config\n# k3s marker 91ab\n' });
    vault = new MemoryVaultStore();
    edge = new EdgeService({ vault, ssh: { readyTimeoutMs: 8000, idleMs: 60_000 }, env: {}, onActivity: (e) => activity.push(`${e.kind}: ${e.message}`) });
    keyId = (await edge.importKey(host.clientKey.privateKey)).id;
  });

  afterAll(async () => {
    await edge?.dispose();
    await host?.stop();
  });

  it('imports the key and shows its public line and fingerprint, never the private key', () => {
    const [key] = edge.listKeys();
    expect(key).toMatchObject({ id: keyId, type: 'ssh-ed25519', fingerprint: host.clientKey.fingerprint, hasPassphrase: false });
    expect(key!.publicKey.split(' ').slice(0, 2)).toEqual(host.clientKey.publicKey.split(' ').slice(0, 2));
    expect(JSON.stringify(edge.listKeys())).not.toContain('PRIVATE KEY');
  });

  it('refuses an unknown host key with its fingerprint, then connects once it is trusted', async () => {
    const node = await edge.saveNode(keyNode());
    expect(node.hostKey).toBeUndefined();
    const err = (await edge.exec(node.id, 'id -un').catch((e: unknown) => e)) as { code: string; message: string; detail: string };
    expect(err.code).toBe('edge.hostKeyUnknown');
    expect(err.message).toContain(host.hostKeys.ed25519.fingerprint);
    expect(JSON.parse(err.detail)).toEqual({ type: 'ssh-ed25519', fingerprint: host.hostKeys.ed25519.fingerprint });

    // A fingerprint other than the one presented is not accepted.
    await expect(edge.trustHostKey(node.id, host.hostKeys.rsa.fingerprint)).rejects.toMatchObject({ code: 'edge.fingerprintMismatch' });
    const trusted = await edge.trustHostKey(node.id, host.hostKeys.ed25519.fingerprint);
    expect(trusted.hostKey).toMatchObject({ type: 'ssh-ed25519', fingerprint: host.hostKeys.ed25519.fingerprint });

    const res = await edge.exec(node.id, 'id -un');
    expect(res.code).toBe(0);
    expect(res.stdout.toString().trim()).toBe('fbkey');
    expect(activity.some((a) => a.startsWith('hostKeyTrusted:') && a.includes(host.hostKeys.ed25519.fingerprint))).toBe(true);
  });

  it('logs in with a password', async () => {
    const id = await addTrusted({ ...keyNode(), name: 'edge-pw', user: host.users.password.name, auth: { method: 'password', password: host.users.password.password }, sudoPassword: undefined });
    expect((await edge.exec(id, 'id -un')).stdout.toString().trim()).toBe('fbpass');
    // Password logins reuse the login password for sudo.
    expect((await edge.sudo(id, 'id -u')).stdout.toString().trim()).toBe('0');
    expect(JSON.stringify(edge.listNodes())).not.toContain(host.users.password.password);
  });

  it('says which login failed: a wrong password, and a key the node does not know', async () => {
    const pw = await edge.saveNode({ ...keyNode(), name: 'edge-badpw', user: host.users.password.name, auth: { method: 'password', password: 'not-the-password' } });
    await edge.trustHostKey(pw.id, host.hostKeys.ed25519.fingerprint);
    const err = (await edge.exec(pw.id, 'true').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('edge.authFailed');
    expect(err.message).toMatch(/refused the login as fbpass/);
    expect(err.message).not.toContain('not-the-password');

    const stranger = await edge.generateKey('stranger');
    const k = await edge.saveNode({ ...keyNode(), name: 'edge-badkey', auth: { method: 'key', keyId: stranger.id } });
    await edge.trustHostKey(k.id, host.hostKeys.ed25519.fingerprint);
    await expect(edge.exec(k.id, 'true')).rejects.toMatchObject({ code: 'edge.authFailed', message: expect.stringContaining('authorized_keys') });
  });

  it('runs sudo with the stored password, and tells a wrong sudo password, a missing one and no sudo apart', async () => {
    const id = edge.findNodeByName('edge-01')!.id;
    const ok = await edge.sudo(id, 'id -u; cat /etc/rancher/k3s/k3s.yaml');
    expect(ok.stdout.toString()).toContain('0\n');
    expect(ok.stdout.toString()).toContain('k3s marker 91ab');
    expect(ok.stderr).not.toContain('fieldbench');

    await expect(edge.sudo(id, 'true', { password: 'wrong-sudo-pw' })).rejects.toMatchObject({ code: 'edge.sudoRefused' });

    const none = await addTrusted(keyNode({ name: 'edge-nosudopw', sudoPassword: undefined }));
    await expect(edge.sudo(none, 'true')).rejects.toMatchObject({ code: 'edge.sudoPasswordNeeded' });

    const noSudo = await addTrusted(keyNode({ name: 'edge-nosudo', user: host.users.noSudo.name, sudoPassword: host.users.noSudo.password }));
    await expect(edge.sudo(noSudo, 'true')).rejects.toMatchObject({ code: 'edge.noSudo', message: expect.stringContaining('fbnosudo may not use sudo') });
  });

  it('passes stdin to the command only after sudo started it, so the password never reaches the command', async () => {
    const id = edge.findNodeByName('edge-01')!.id;
    const res = await edge.sudo(id, 'cat', { input: 'payload-7f3\n' });
    expect(res.stdout.toString()).toBe('payload-7f3\n');
  });

  it('reads and writes files over SFTP, and root-only files with sudo', async () => {
    const id = edge.findNodeByName('edge-01')!.id;
    await edge.writeFile(id, 'notes.txt', 'hello node\n', 0o600);
    expect((await edge.readFile(id, 'notes.txt')).toString()).toBe('hello node\n');
    await expect(edge.readFile(id, '/etc/rancher/k3s/k3s.yaml')).rejects.toMatchObject({ code: 'edge.permissionDenied' });
    await expect(edge.readFile(id, '/nonexistent/file')).rejects.toMatchObject({ code: 'edge.fileNotFound' });

    await edge.sudoWriteFile(id, '/etc/netplan/99-fieldbench-test.yaml', 'network: {version: 2}\n', 0o600);
    expect(await host.readNodeFile('/etc/netplan/99-fieldbench-test.yaml')).toBe('network: {version: 2}\n');
    const st = await host.execInNode('stat', ['-c', '%a %U', '/etc/netplan/99-fieldbench-test.yaml']);
    expect(st.stdout.trim()).toBe('600 root');
    expect((await edge.sudoReadFile(id, '/etc/netplan/99-fieldbench-test.yaml')).toString()).toBe('network: {version: 2}\n');
    // No temp file is left in /tmp by the sudo write.
    expect((await edge.exec(id, 'ls -a /tmp')).stdout.toString()).not.toContain('.fieldbench-');
  });

  it('forwards a local port to a service on the node and brings the tunnel back after sshd dropped every session', async () => {
    const id = edge.findNodeByName('edge-01')!.id;
    const server = host.runInNode(process.execPath, ['-e', "require('net').createServer((s) => s.end('banner-' + process.pid)).listen(7443, '127.0.0.1', () => console.log('listening'))"]);
    await waitForLine(server, 'listening');
    const forward = await edge.forward(id, '127.0.0.1', 7443);
    try {
      expect(forward.port).toBeGreaterThan(0);
      const first = await readBanner(forward.port);
      expect(first).toMatch(/^banner-\d+$/);

      await host.stopSsh({ dropSessions: true });
      await vi.waitFor(() => expect(edge.isConnected(id)).toBe(false), { timeout: 10_000 });
      await host.startSsh();
      expect(await readBanner(forward.port)).toBe(first);
      expect(edge.isConnected(id)).toBe(true);
    } finally {
      await forward.close();
      server.kill();
    }
  });

  it('reconnects on the next call after the link went dead (keepalive notices)', async () => {
    const fast = new EdgeService({ vault, ssh: { readyTimeoutMs: 4000, keepaliveIntervalMs: 300, keepaliveCountMax: 2 }, env: {} });
    try {
      const id = edge.findNodeByName('edge-01')!.id;
      expect((await fast.exec(id, 'echo one')).stdout.toString()).toBe('one\n');
      await host.dropLink();
      try {
        const during = await fast.exec(id, 'echo two').catch((e: unknown) => e);
        expect(during).toMatchObject({ code: 'edge.connectionDropped' });
        expect(fast.isConnected(id)).toBe(false);
      } finally {
        await host.restoreLink();
      }
      expect((await fast.exec(id, 'echo three')).stdout.toString()).toBe('three\n');
    } finally {
      await fast.dispose();
    }
  });

  it('reaches a node through a jump host', async () => {
    const jumpId = edge.findNodeByName('edge-01')!.id;
    // The node is its own jump target here: 127.0.0.1 as seen from inside it.
    const id = await addTrusted(keyNode({ name: 'edge-behind', host: '127.0.0.1', jumpHostId: jumpId }));
    const res = await edge.exec(id, 'echo $SSH_CONNECTION');
    expect(res.stdout.toString()).toMatch(/^127\.0\.0\.1 /);
    expect(edge.listNodes().find((n) => n.id === id)!.jumpHost).toEqual({ id: jumpId, name: 'edge-01' });
    await expect(edge.saveNode({ ...keyNode({ name: 'edge-01', jumpHostId: id }), id: jumpId })).rejects.toMatchObject({ code: 'edge.jumpLoop' });
    await expect(edge.removeNode(jumpId)).rejects.toMatchObject({ code: 'edge.nodeInUse' });
    await edge.removeNode(id);
  });

  it('logs in through the SSH agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-agent-'));
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      await vi.waitFor(() => execFileSync('test', ['-S', sock]), { timeout: 5000 });
      execFileSync('ssh-add', [host.clientKey.privateKeyPath], { env: { SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
      const viaAgent = new EdgeService({ vault, env: { SSH_AUTH_SOCK: sock } });
      const node = await viaAgent.saveNode(keyNode({ name: 'edge-agent', auth: { method: 'agent' } }));
      await viaAgent.trustHostKey(node.id, host.hostKeys.ed25519.fingerprint);
      expect((await viaAgent.exec(node.id, 'id -un')).stdout.toString().trim()).toBe('fbkey');
      await viaAgent.dispose();

      await expect(edge.exec(node.id, 'true')).rejects.toMatchObject({ code: 'edge.noAgent' });
    } finally {
      agent.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a clear error for a refused port and for an unreachable address', async () => {
    const refused = await edge.saveNode(keyNode({ name: 'edge-refused', port: 2222 }));
    await expect(edge.exec(refused.id, 'true')).rejects.toMatchObject({ code: 'edge.unreachable', message: expect.stringContaining('nothing accepts connections on port 2222') });
    const spare = await host.addSpareSubnet({ reachable: false });
    const gone = await edge.saveNode(keyNode({ name: 'edge-gone', host: spare.nodeAddress }));
    await expect(edge.exec(gone.id, 'true')).rejects.toMatchObject({ code: 'edge.unreachable', message: expect.stringContaining(spare.nodeAddress) });
  });

  it('refuses a changed host key loudly with both fingerprints, until the new one is trusted', async () => {
    const id = edge.findNodeByName('edge-01')!.id;
    const old = host.hostKeys.ed25519.fingerprint;
    edge.disconnect(id);
    const fresh = await host.replaceHostKeys();
    const err = (await edge.exec(id, 'true').catch((e: unknown) => e)) as Error & { code: string; detail: string };
    expect(err.code).toBe('edge.hostKeyChanged');
    expect(err.message).toMatch(/^WARNING: the host key of edge-01/);
    expect(err.message).toMatch(/intercepting/);
    expect(err.message).toContain(old);
    expect(err.message).toContain(fresh.ed25519.fingerprint);
    expect(JSON.parse(err.detail)).toMatchObject({ fingerprint: fresh.ed25519.fingerprint, expected: `ssh-ed25519 ${old}` });
    // Still refused on the next try: nothing was trusted implicitly.
    await expect(edge.exec(id, 'true')).rejects.toMatchObject({ code: 'edge.hostKeyChanged' });
    await edge.trustHostKey(id, fresh.ed25519.fingerprint);
    expect((await edge.exec(id, 'echo ok')).stdout.toString()).toBe('ok\n');
    expect(edge.activity(id).at(-1)!.message).toContain(`replacing ${old}`);
  });

  it('closes idle connections when the vault locks and refuses new work until it is unlocked', async () => {
    const id = edge.findNodeByName('edge-01')!.id;
    await edge.exec(id, 'true');
    expect(edge.isConnected(id)).toBe(true);
    vault.lock();
    try {
      expect(edge.isConnected(id)).toBe(false);
      await expect(edge.exec(id, 'true')).rejects.toMatchObject({ code: 'vault.locked' });
    } finally {
      vault.unlock();
    }
    expect((await edge.exec(id, 'echo back')).stdout.toString()).toBe('back\n');
  });

  it('learns the type of a host key trusted from a typed fingerprint', async () => {
    const node = await edge.saveNode(keyNode({ name: 'edge-typed' }));
    const fresh = new EdgeService({ vault, env: {} });
    try {
      expect((await fresh.trustHostKey(node.id, host.hostKeys.ed25519.fingerprint)).hostKey?.type).toBe('unknown');
      await fresh.exec(node.id, 'true');
      await vi.waitFor(() => expect(fresh.getNode(node.id).hostKey?.type).toBe('ssh-ed25519'));
    } finally {
      await fresh.dispose();
    }
  });

  it('closes idle connections', async () => {
    const idle = new EdgeService({ vault, ssh: { idleMs: 200 }, env: {} });
    const id = edge.findNodeByName('edge-01')!.id;
    await idle.exec(id, 'true');
    expect(idle.isConnected(id)).toBe(true);
    await vi.waitFor(() => expect(idle.isConnected(id)).toBe(false), { timeout: 5000 });
    await idle.dispose();
  });
});

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes(text) && resolve());
    child.once('exit', (c) => reject(new Error(`process exited ${c} before "${text}"`)));
  });
}

async function readBanner(port: number): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.once('close', () => resolve(text));
    s.once('error', reject);
  });
}
