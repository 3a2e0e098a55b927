import { FieldbenchError } from '@shared/errors';
import { openSsh, type PresentedHostKey, type SshConnection, type SshEndpoint, type SshOptions } from './ssh-connection';

export interface SshPoolOptions extends SshOptions {
  /** Close a connection nobody has used for this long. */
  idleMs?: number;
  /** Sees every host key a node presents (the edge service remembers unknown ones for trustHostKey). */
  onHostKey?: (endpoint: SshEndpoint, key: PresentedHostKey, verdict: 'trusted' | 'unknown' | 'changed') => void;
}

export interface SshLease {
  readonly connection: SshConnection;
  release(): void;
}

interface Entry {
  connection?: SshConnection;
  connecting?: Promise<SshConnection>;
  leases: number;
  pins: number;
  idleTimer?: NodeJS.Timeout;
}

/**
 * One SSH connection per node, shared by every operation on it. A dropped connection is forgotten when it
 * closes, so the next operation reconnects; a connection nobody uses closes after `idleMs`. Pins (held by
 * port forwards) keep it from idling out while a tunnel is open.
 */
export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private disposed = false;

  constructor(
    /** Builds the endpoint from the profile at connect time, so edits and newly trusted keys apply. */
    private readonly resolve: (nodeId: string) => SshEndpoint,
    private readonly options: SshPoolOptions = {},
  ) {}

  private entry(nodeId: string): Entry {
    let e = this.entries.get(nodeId);
    if (!e) this.entries.set(nodeId, (e = { leases: 0, pins: 0 }));
    return e;
  }

  /** A live connection to the node (connecting or reconnecting as needed); release it when done. */
  async acquire(nodeId: string, signal?: AbortSignal): Promise<SshLease> {
    if (this.disposed) throw new FieldbenchError('edge.closed', 'Fieldbench is shutting down; the connection was not opened.');
    const e = this.entry(nodeId);
    e.leases += 1;
    this.clearIdle(e);
    try {
      const connection = await this.live(nodeId, e, signal);
      let released = false;
      return {
        connection,
        release: () => {
          if (released) return;
          released = true;
          e.leases -= 1;
          this.scheduleIdle(nodeId, e);
        },
      };
    } catch (err) {
      e.leases -= 1;
      this.scheduleIdle(nodeId, e);
      throw err;
    }
  }

  /** Runs `fn` with the node's connection. */
  async run<T>(nodeId: string, fn: (c: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lease = await this.acquire(nodeId, signal);
    try {
      return await fn(lease.connection);
    } finally {
      lease.release();
    }
  }

  /** Keeps the node's connection from idling out until the returned function is called. */
  pin(nodeId: string): () => void {
    const e = this.entry(nodeId);
    e.pins += 1;
    this.clearIdle(e);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      e.pins -= 1;
      this.scheduleIdle(nodeId, e);
    };
  }

  private async live(nodeId: string, e: Entry, signal?: AbortSignal): Promise<SshConnection> {
    if (e.connection && !e.connection.closed) return e.connection;
    if (!e.connecting) {
      const attempt = openSsh(this.resolve(nodeId), this.options, undefined, this.options.onHostKey).then(
        (c) => {
          if (e.connecting === attempt) e.connecting = undefined;
          if (this.disposed) {
            c.close();
            throw new FieldbenchError('edge.closed', 'Fieldbench is shutting down; the connection was closed.');
          }
          e.connection = c;
          c.onClose(() => {
            if (e.connection === c) e.connection = undefined;
          });
          return c;
        },
        (err: unknown) => {
          if (e.connecting === attempt) e.connecting = undefined;
          throw err;
        },
      );
      e.connecting = attempt;
    }
    const attempt = e.connecting;
    if (!signal) return attempt;
    // A cancelled caller stops waiting; the shared attempt carries on for the others (and times out itself).
    return new Promise<SshConnection>((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new FieldbenchError('cancelled', 'The operation was cancelled.'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      attempt.then(
        (c) => {
          signal.removeEventListener('abort', onAbort);
          resolve(c);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  private clearIdle(e: Entry): void {
    if (e.idleTimer) clearTimeout(e.idleTimer);
    e.idleTimer = undefined;
  }

  private scheduleIdle(nodeId: string, e: Entry): void {
    if (e.leases > 0 || e.pins > 0 || this.disposed) return;
    this.clearIdle(e);
    e.idleTimer = setTimeout(() => {
      e.idleTimer = undefined;
      if (e.leases === 0 && e.pins === 0) this.close(nodeId);
    }, this.options.idleMs ?? 60_000);
    e.idleTimer.unref();
  }

  /** Whether the node has an open connection right now (for status displays and tests). */
  isConnected(nodeId: string): boolean {
    const c = this.entries.get(nodeId)?.connection;
    return !!c && !c.closed;
  }

  /** Closes the node's connection (after a profile edit, on removal). Running operations see a drop. */
  close(nodeId: string): void {
    const e = this.entries.get(nodeId);
    if (!e) return;
    this.clearIdle(e);
    e.connection?.close();
    e.connection = undefined;
    if (e.leases === 0 && e.pins === 0 && !e.connecting) this.entries.delete(nodeId);
  }

  /** Closes every connection nobody is using right now (leased and pinned ones stay). */
  closeIdle(): void {
    for (const [id, e] of [...this.entries]) if (e.leases === 0 && e.pins === 0) this.close(id);
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.close(id);
  }

  dispose(): void {
    this.disposed = true;
    for (const e of this.entries.values()) {
      this.clearIdle(e);
      e.connection?.close();
      e.connection = undefined;
    }
    this.entries.clear();
  }
}
