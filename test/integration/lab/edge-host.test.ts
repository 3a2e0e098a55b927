import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { runCommand } from '../../support/edge-host/run-command.js';
import { SystemSsh } from '../../support/edge-host/system-ssh.js';

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[edge host] self-tests skipped: ${availability.reason}`);

function netnsNames(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!availability.ok)('edge test host', () => {
  let host: EdgeHost;
  let ssh: SystemSsh;
  const password = 'Fieldbench-test-pw-1';
  const k3sYaml = 'apiVersion: v1\nkind: Config\n# marker 6c1f0e\n';

  beforeAll(async () => {
    host = await startEdgeHost({ password, k3sYaml });
    ssh = new SystemSsh(host);
  });

  afterAll(async () => {
    ssh?.dispose();
    await host?.stop();
  });

  const key = () => ({ user: host.users.key.name, keyFile: host.clientKey.privateKeyPath });

  it('gives the node its own address on a private /24, the laptop .1 and the node .2', () => {
    expect(host.nodeAddress).toMatch(/^10\.231\.\d+\.2$/);
    expect(host.laptopAddress).toBe(host.nodeAddress.replace(/\.2$/, '.1'));
    expect(netnsNames()).toContain(host.name);
    expect(linkExists(host.hostInterface)).toBe(true);
  });

  it('logs fbkey in with its key over the system ssh client', async () => {
    const res = await ssh.run(key(), 'id -un');
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('fbkey');
  });

  it('refuses fbkey a password login even with the right password', async () => {
    const res = await ssh.run({ user: 'fbkey', password: host.users.key.sudoPassword }, 'id -un');
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
  });

  it('logs fbpass in with its password and refuses a wrong one', async () => {
    const ok = await ssh.run({ user: 'fbpass', password }, 'id -un');
    expect(ok.stdout.trim()).toBe('fbpass');
    const bad = await ssh.run({ user: 'fbpass', password: 'not-the-password' }, 'id -un');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Permission denied/);
  });

  it('shows the host key fingerprints a client sees on first use', async () => {
    const kh = ssh.emptyKnownHosts();
    const res = await ssh.run({ ...key(), knownHostsFile: kh, strictHostKeyChecking: 'accept-new' }, 'true');
    expect(res.code).toBe(0);
    const learned = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', kh], { encoding: 'utf8' });
    const fingerprints = Object.values(host.hostKeys).map((k) => k.fingerprint);
    const seen = /(SHA256:\S+)/.exec(learned)?.[1];
    expect(fingerprints).toContain(seen);
  });

  it('gives sudo to fbpass with its password and refuses a wrong one', async () => {
    const ok = await ssh.run({ user: 'fbpass', password, input: `${password}\n` }, "sudo -S -p '' id -u");
    expect(ok.stdout.trim()).toBe('0');
    const bad = await ssh.run({ user: 'fbpass', password, input: 'wrong\n' }, "sudo -S -p '' id -u");
    expect(bad.code).not.toBe(0);
    expect(bad.stdout.trim()).toBe('');
    expect(bad.stderr).toMatch(/incorrect password/);
  });

  it('asks fbkey for its sudo password and fails without it', async () => {
    const ok = await ssh.run({ ...key(), input: 'fbkey-sudo\n' }, "sudo -S -p '' id -u");
    expect(ok.stdout.trim()).toBe('0');
    const none = await ssh.run({ ...key(), input: '' }, "sudo -S -p '' id -u");
    expect(none.code).not.toBe(0);
    expect(none.stdout.trim()).toBe('');
  });

  it('has a user without sudo for the "no sudo" case', async () => {
    const res = await ssh.run({ ...key(), user: 'fbnosudo', input: `${host.users.noSudo.password}\n` }, "sudo -S -p '' id -u");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/not in the sudoers file/);
  });

  it('keeps k3s.yaml readable only with sudo, inside the node only', async () => {
    const plain = await ssh.run(key(), 'cat /etc/rancher/k3s/k3s.yaml');
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/Permission denied/);
    const sudo = await ssh.run({ ...key(), input: 'fbkey-sudo\n' }, "sudo -S -p '' cat /etc/rancher/k3s/k3s.yaml");
    expect(sudo.stdout).toBe(k3sYaml);
    const mode = await host.execInNode('stat', ['-c', '%a %U', '/etc/rancher/k3s/k3s.yaml']);
    expect(mode.stdout.trim()).toBe('600 root');
    // The machine's own /etc never sees the node's users or files.
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^fbkey:/m);
    if (existsSync('/etc/rancher/k3s/k3s.yaml')) expect(readFileSync('/etc/rancher/k3s/k3s.yaml', 'utf8')).not.toContain('marker 6c1f0e');
  });

  it('replaces k3s.yaml on request, still root-only', async () => {
    const next = 'apiVersion: v1\nkind: Config\n# marker 2\n';
    await host.setK3sKubeconfig(next);
    const sudo = await ssh.run({ ...key(), input: 'fbkey-sudo\n' }, "sudo -S -p '' cat /etc/rancher/k3s/k3s.yaml");
    expect(sudo.stdout).toBe(next);
    const plain = await ssh.run(key(), 'cat /etc/rancher/k3s/k3s.yaml');
    expect(plain.code).not.toBe(0);
  });

  it('runs a long-lived process in the node on 127.0.0.1, reachable through an SSH forward', async () => {
    const banner = `stand-in-api-${Math.random().toString(16).slice(2)}`;
    const script = `require('net').createServer((s) => s.end(${JSON.stringify(banner)})).listen(6443, '127.0.0.1', () => console.log('listening'))`;
    const child = host.runInNode(process.execPath, ['-e', script]);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      child.once('exit', (c) => reject(new Error(`stand-in exited ${c}`)));
    });
    const fwd = ssh.spawn({ ...key(), extraArgs: ['-W', '127.0.0.1:6443'] });
    fwd.stdin?.end();
    const out = await new Promise<string>((resolve) => {
      let text = '';
      fwd.stdout?.on('data', (d: Buffer) => (text += d.toString()));
      fwd.once('exit', () => resolve(text));
    });
    expect(out).toBe(banner);
    child.kill();
  });

  it('can make another address answer on the node\'s segment, and only inside its own subnets', async () => {
    const taken = host.nodeAddress.replace(/\.2$/, '.77');
    await host.addSegmentAddress(taken);
    // No ping on these machines: a TCP listener on the new address, reached from inside the node, proves it answers.
    const server = createServer((s) => s.end('taken'));
    await new Promise<void>((r) => server.listen(0, taken, () => r()));
    const port = (server.address() as AddressInfo).port;
    const res = await host.execInNode('bash', ['-c', `exec 3<>/dev/tcp/${taken}/${port}; cat <&3`], { timeoutMs: 10_000 });
    server.close();
    expect(res.stdout).toBe('taken');
    await expect(host.addSegmentAddress('192.168.1.10')).rejects.toThrow(/not a free address/);
  });

  it('stops and starts sshd', async () => {
    await host.stopSsh();
    const down = await ssh.run(key(), 'true');
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/Connection refused/);
    await host.startSsh();
    const up = await ssh.run(key(), 'echo back');
    expect(up.stdout.trim()).toBe('back');
  });

  it('drops and restores the link', async () => {
    await host.dropLink();
    const down = await ssh.run({ ...key(), connectTimeoutSeconds: 2 }, 'true');
    expect(down.code).not.toBe(0);
    await host.restoreLink();
    const up = await ssh.run(key(), 'echo back');
    expect(up.stdout.trim()).toBe('back');
  });

  it('makes a changed host key visible to a client that trusted the old one', async () => {
    const before = host.hostKeys.ed25519.fingerprint;
    const after = await host.replaceHostKeys();
    expect(after.ed25519.fingerprint).not.toBe(before);
    const res = await ssh.run(key(), 'true');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
    ssh.refreshKnownHosts();
    const ok = await ssh.run(key(), 'echo trusted');
    expect(ok.stdout.trim()).toBe('trusted');
  });
});

describe.skipIf(!availability.ok)('edge test host teardown', () => {
  it('removes the namespace, the veth, its processes and its folder on stop', async () => {
    const host = await startEdgeHost();
    const child = host.runInNode('sleep', ['600']);
    const exited = new Promise((r) => child.once('exit', r));
    expect(existsSync(host.root)).toBe(true);
    await host.stop();
    await exited;
    expect(netnsNames()).not.toContain(host.name);
    expect(linkExists(host.hostInterface)).toBe(false);
    expect(existsSync(host.root)).toBe(false);
    expect(existsSync(`/run/fieldbench-lab/edge/${host.name}.json`)).toBe(false);
  });

  it('cleans up after a test process that was killed with its host running', async () => {
    const child = (await import('node:child_process')).spawn(
      process.execPath,
      ['--import', 'tsx', 'test/integration/lab/fixtures/start-edge-host-and-wait.ts'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const info = await new Promise<{ name: string; root: string; hostInterface: string }>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (c) => reject(new Error(`fixture exited ${c}: ${err}`)));
    });
    expect(netnsNames()).toContain(info.name);
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    // The killed process could not clean up after itself. (A parallel test worker's start may already
    // have swept it up, which is the same code path, so no "still there" assertion.)
    const { cleanupStaleEdgeHosts } = await import('../../support/edge-host/edge-host.js');
    cleanupStaleEdgeHosts();
    expect(netnsNames()).not.toContain(info.name);
    expect(linkExists(info.hostInterface)).toBe(false);
    expect(existsSync(info.root)).toBe(false);
    const pids = await runCommand('ip', ['netns', 'pids', info.name]);
    expect(pids.stdout.trim()).toBe('');
  });
});
