import type { NodeTarget } from '@shared/contract/network-contract';
import { FieldbenchError } from '@shared/errors';
import { openDirectSsh } from '../../../src/main/services/edge/ssh-connection';
import type { NodeShell, ShellExecOptions, ShellResult, ShellConnectOptions } from '../../../src/main/services/network/node-shell';
import { ShellSource, type NodeProfiles, type OpenedShell } from '../../../src/main/services/network/shell-source';
import { SshNodeShell } from '../../../src/main/services/network/ssh-node-shell';
import type { EdgeHost } from '../edge-host/edge-host.js';

/** A direct SSH target for the edge test host: fbkey with its key file and sudo password, or fbnosudo. */
export function directTarget(host: EdgeHost, opts: { address?: string; noSudo?: boolean } = {}): NodeTarget {
  return {
    kind: 'direct',
    host: opts.address ?? host.nodeAddress,
    port: host.sshPort,
    user: opts.noSudo ? host.users.noSudo.name : host.users.key.name,
    auth: { method: 'keyFile', path: host.clientKey.privateKeyPath },
    sudoPassword: opts.noSudo ? host.users.noSudo.password : host.users.key.sudoPassword,
    hostKeyFingerprint: host.hostKeys.ed25519.fingerprint,
  };
}

const noProfiles: NodeProfiles = {
  open: () => Promise.reject(new FieldbenchError('edge.nodeNotFound', 'These tests use direct logins only.')),
};

/** Shells for direct logins through the edge area's SSH client, as the network area wires them. */
export function directShells(): ShellSource {
  return new ShellSource({ profiles: noProfiles, connectDirect: openDirectSsh });
}

/** A shell to the edge host as fbkey (sudo-capable), trusting its ed25519 host key. */
export function openEdgeShell(host: EdgeHost, address = host.nodeAddress, timeoutMs = 5000): Promise<SshNodeShell> {
  const login = {
    name: address,
    port: host.sshPort,
    user: host.users.key.name,
    auth: { method: 'key' as const, privateKey: host.clientKey.privateKey },
    sudoPassword: host.users.key.sudoPassword,
    hostKeyFingerprint: host.hostKeys.ed25519.fingerprint,
  };
  return SshNodeShell.open((h, ssh, signal) => openDirectSsh({ ...login, host: h }, ssh, signal), address, { timeoutMs });
}

/**
 * True when the node answers SSH on the address and runs commands there. Retries a few times: under a
 * loaded machine (several edge hosts at once) one handshake can take longer than one attempt allows.
 */
export async function answersOn(host: EdgeHost, address: string, attempts = 3): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    try {
      const shell = await openEdgeShell(host, address, 5000);
      try {
        if ((await shell.exec('true')).code === 0) return true;
      } finally {
        shell.close();
      }
    } catch {
      /* try again */
    }
    if (i < attempts - 1) await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** Wraps a shell and runs `beforeExec` before every command, so a test can drop the connection at a chosen step. */
export class FaultyShell implements NodeShell {
  constructor(
    private readonly inner: NodeShell,
    private readonly beforeExec: (command: string) => Promise<void>,
  ) {}
  get host() {
    return this.inner.host;
  }
  get hostKeyFingerprint() {
    return this.inner.hostKeyFingerprint;
  }
  get closed() {
    return this.inner.closed;
  }
  async exec(command: string, opts?: ShellExecOptions): Promise<ShellResult> {
    await this.beforeExec(command);
    return this.inner.exec(command, opts);
  }
  reconnect(host?: string, opts?: ShellConnectOptions): Promise<void> {
    return this.inner.reconnect(host, opts);
  }
  close(): void {
    this.inner.close();
  }
}

/** A ShellSource whose shells are wrapped by `wrap` (fault injection). */
export class WrappingShellSource extends ShellSource {
  constructor(private readonly wrap: (shell: NodeShell) => NodeShell) {
    super({ profiles: noProfiles, connectDirect: openDirectSsh });
  }
  override async open(target: NodeTarget, signal?: AbortSignal): Promise<OpenedShell> {
    const opened = await super.open(target, signal);
    return { ...opened, shell: this.wrap(opened.shell) };
  }
}

/** A second sshd inside the edge host, on its own port, whose whole log the test reads. */
export interface ExtraSshd {
  readonly port: number;
  /** Everything sshd logged (LogLevel VERBOSE: connections, auth attempts, negotiation failures). */
  log(): string;
  /**
   * The log from offset `from` on, once that part matches (sshd's per-connection process writes a moment
   * after the client gave up).
   */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the node's own OpenSSH server again on `port` with `-o` overrides (HostKeyAlgorithms, MACs…), so a
 * test can face a real server configured as an old one, or count the auth attempts one connection made.
 */
export async function startExtraSshd(host: EdgeHost, port: number, overrides: Record<string, string> = {}): Promise<ExtraSshd> {
  const args = ['-D', '-e', '-f', '/etc/ssh/sshd_config', '-p', String(port), '-o', 'PidFile=none', ...Object.entries(overrides).flatMap(([k, v]) => ['-o', `${k}=${v}`])];
  const child = host.runInNode('/usr/sbin/sshd', args);
  let text = '';
  child.stderr?.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const deadline = Date.now() + 15_000;
  while (!/Server listening on 0\.0\.0\.0 port/.test(text)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`The extra sshd on port ${port} did not start: ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    log: () => text,
    waitFor: async (pattern, from = 0, timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(text.slice(from)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return text.slice(from);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
