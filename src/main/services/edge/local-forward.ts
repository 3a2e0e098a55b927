import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SshPool } from './ssh-pool';

/**
 * A local TCP port on 127.0.0.1 that tunnels each connection to host:port as seen from the node. Every
 * new connection asks the pool for the node's current SSH connection, so after a drop the tunnel comes
 * back by itself with the next connection; sockets open during the drop end with it.
 */
export class LocalForward {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private unpin: () => void = () => {};
  private closed = false;
  private boundPort = 0;
  /** The last reason a tunnelled connection could not be opened (for diagnostics). */
  lastError: Error | undefined;

  private constructor(
    private readonly pool: SshPool,
    private readonly nodeId: string,
    readonly remoteHost: string,
    readonly remotePort: number,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on 127.0.0.1 on a free port and keeps the node's SSH connection pinned while open. */
  static async open(pool: SshPool, nodeId: string, remoteHost: string, remotePort: number): Promise<LocalForward> {
    const forward = new LocalForward(pool, nodeId, remoteHost, remotePort);
    await forward.listen();
    return forward;
  }

  get port(): number {
    return this.boundPort;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      // Loopback only: the tunnel reaches the cluster's admin API and must not be open to the site network.
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.unpin = this.pool.pin(this.nodeId);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pause();
    void this.pool
      .acquire(this.nodeId)
      .then(async (lease) => {
        if (socket.destroyed) return lease.release();
        socket.once('close', () => lease.release());
        const channel = await lease.connection.forwardOut(this.remoteHost, this.remotePort);
        if (socket.destroyed) {
          channel.destroy();
          return;
        }
        channel.on('error', () => socket.destroy());
        channel.on('close', () => socket.destroy());
        socket.on('close', () => channel.destroy());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      })
      .catch((err: unknown) => {
        this.lastError = err as Error;
        socket.destroy();
      });
  }

  /** Stops listening and ends every tunnelled connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unpin();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
