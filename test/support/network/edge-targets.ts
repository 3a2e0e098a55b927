import type { NodeTarget } from '@shared/contract/network-contract';
import type { NodeShell, ShellExecOptions, ShellResult, ShellConnectOptions } from '../../../src/main/services/network/node-shell';
import { Ssh2NodeShell } from '../../../src/main/services/network/ssh2-node-shell';
import { ShellSource, type OpenedShell } from '../../../src/main/services/network/shell-source';
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

/** An ssh2 shell to the edge host as fbkey (sudo-capable). */
export function openEdgeShell(host: EdgeHost, address = host.nodeAddress, timeoutMs = 5000): Promise<Ssh2NodeShell> {
  return Ssh2NodeShell.open(
    {
      host: address,
      port: host.sshPort,
      user: host.users.key.name,
      auth: { method: 'key', privateKey: host.clientKey.privateKey },
      sudoPassword: host.users.key.sudoPassword,
    },
    { timeoutMs },
  );
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
    super();
  }
  override async open(target: NodeTarget, signal?: AbortSignal): Promise<OpenedShell> {
    const opened = await super.open(target, signal);
    return { ...opened, shell: this.wrap(opened.shell) };
  }
}
