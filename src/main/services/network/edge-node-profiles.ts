import { FieldbenchError } from '@shared/errors';
import type { NodeShell, ShellConnectOptions, ShellExecOptions, ShellResult } from './node-shell';
import type { NodeProfiles, OpenedShell } from './shell-source';

/** The little of an edge SSH connection (src/main/services/edge/ssh-connection.ts) the shell uses. */
export interface EdgeConnection {
  readonly closed: boolean;
  readonly hostKey: { fingerprint: string };
  exec(command: string, opts?: { input?: string; signal?: AbortSignal }): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
  sudo(command: string, opts?: { input?: string; signal?: AbortSignal }): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
  close(): void;
}

/** What the network area needs from the edge service: its node profiles, a connection of its own, the activity log. */
export interface EdgeNodes {
  getNode(nodeId: string): { id: string; name: string; host: string; port: number; hostKey?: { fingerprint: string } | undefined };
  openConnection(nodeId: string, opts: { host?: string; ssh?: { readyTimeoutMs?: number; keepaliveIntervalMs?: number; keepaliveCountMax?: number }; signal?: AbortSignal }): Promise<EdgeConnection>;
  /** Points the profile at the node's new address, keeping its trusted host key (it is the same machine). */
  moveNode(nodeId: string, host: string): Promise<void>;
  recordActivity(nodeId: string, entry: { area: string; kind: string; message: string; ok: boolean }): Promise<unknown>;
}

// Short keepalives: a node that moved away must be noticed in seconds, not the pool's default minute.
const KEEPALIVE = { keepaliveIntervalMs: 2_000, keepaliveCountMax: 3 };

/**
 * A NodeShell over the edge area's SSH connection to a profiled node. It keeps a connection of its own
 * (not the shared pool's), because a network change kills it on purpose and reconnects elsewhere. Sudo
 * uses the profile's sudo password and its errors keep their edge.* codes; a reconnect to the new address
 * needs the profile's trusted host key.
 */
export class EdgeNodeShell implements NodeShell {
  private connection: EdgeConnection | undefined;
  private currentHost: string;
  private fingerprint: string | undefined;

  private constructor(
    private readonly edge: EdgeNodes,
    private readonly nodeId: string,
    host: string,
  ) {
    this.currentHost = host;
  }

  /** Connects to the profile's address. Throws the edge area's errors (unknown host key, unreachable, login refused). */
  static async open(edge: EdgeNodes, nodeId: string, opts: ShellConnectOptions = {}): Promise<EdgeNodeShell> {
    const node = edge.getNode(nodeId);
    const shell = new EdgeNodeShell(edge, nodeId, node.host);
    await shell.reconnect(node.host, opts);
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
    const c = await this.edge.openConnection(this.nodeId, {
      host,
      ssh: { ...KEEPALIVE, ...(opts.timeoutMs !== undefined ? { readyTimeoutMs: opts.timeoutMs } : {}) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    // The edge connection only opens with the profile's trusted key, so this is that key on every reconnect.
    this.fingerprint ??= c.hostKey.fingerprint;
    this.connection = c;
    this.currentHost = host;
  }

  close(): void {
    this.connection?.close();
    this.connection = undefined;
  }
}

/** Node profiles for the network service, backed by the edge area. */
export class EdgeNodeProfiles implements NodeProfiles {
  constructor(private readonly edge: EdgeNodes) {}

  async open(nodeId: string, signal?: AbortSignal): Promise<OpenedShell> {
    const node = this.edge.getNode(nodeId);
    const shell = await EdgeNodeShell.open(this.edge, nodeId, signal ? { signal } : {});
    return {
      shell,
      sshPort: node.port,
      updateHost: async (host) => {
        const previous = this.edge.getNode(nodeId).host;
        if (previous === host) return false;
        await this.edge.moveNode(nodeId, host);
        await this.edge
          .recordActivity(nodeId, { area: 'network', kind: 'addressChanged', message: `Static address applied with netplan: the node moved from ${previous} to ${host}, and its profile now connects there.`, ok: true })
          .catch(() => undefined);
        return true;
      },
    };
  }
}
