import { FieldbenchError } from '@shared/errors';
import type { LinkOptions, NodeShell, ShellConnectOptions, ShellExecOptions, ShellResult, SshLink } from './node-shell';

/** Opens a link to the node at `host`; the link only opens with the node's trusted host key. */
export type OpenLink = (host: string, ssh: LinkOptions, signal?: AbortSignal) => Promise<SshLink>;

// Short keepalives: a node that moved away must be noticed in seconds, not the pool's default minute.
const KEEPALIVE = { keepaliveIntervalMs: 2_000, keepaliveCountMax: 3 };

/**
 * A NodeShell over the edge area's SSH client, for node profiles and direct logins alike. It keeps a
 * connection of its own (not the shared pool's), because a network change kills it on purpose and it
 * reconnects elsewhere; the opener requires the trusted host key on every reconnect, so a different
 * machine answering at the new address is refused. Sudo errors keep their edge.* codes.
 */
export class SshNodeShell implements NodeShell {
  private connection: SshLink | undefined;
  private fingerprint: string | undefined;

  private constructor(
    private readonly openLink: OpenLink,
    private currentHost: string,
  ) {}

  /** Connects to `host`. Throws the edge area's errors (unknown host key, unreachable, login refused). */
  static async open(openLink: OpenLink, host: string, opts: ShellConnectOptions = {}): Promise<SshNodeShell> {
    const shell = new SshNodeShell(openLink, host);
    await shell.reconnect(host, opts);
    return shell;
  }

  get host(): string {
    return this.currentHost;
  }

  get hostKeyFingerprint(): string | undefined {
    return this.fingerprint;
  }

  get closed(): boolean {
    return !this.connection || this.connection.closed;
  }

  async exec(command: string, opts: ShellExecOptions = {}): Promise<ShellResult> {
    const c = this.connection;
    if (!c || c.closed) throw new FieldbenchError('edge.connectionDropped', `The SSH connection to ${this.currentHost} is closed.`);
    const o = { ...(opts.stdin !== undefined ? { input: opts.stdin } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
    const res = opts.sudo ? await c.sudo(command, o) : await c.exec(command, o);
    return { code: res.code, stdout: res.stdout.toString('utf8'), stderr: res.stderr };
  }

  async reconnect(host: string = this.currentHost, opts: ShellConnectOptions = {}): Promise<void> {
    this.close();
    const c = await this.openLink(host, { ...KEEPALIVE, ...(opts.timeoutMs !== undefined ? { readyTimeoutMs: opts.timeoutMs } : {}) }, opts.signal);
    this.fingerprint ??= c.hostKey.fingerprint;
    this.connection = c;
    this.currentHost = host;
  }

  close(): void {
    this.connection?.close();
    this.connection = undefined;
  }
}
