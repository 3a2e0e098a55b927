import { connect } from 'node:net';

export interface TcpProbeResult {
  /** Something answered: it accepted or actively refused (RST) the connection. */
  answered: boolean;
  /** The port accepted the connection. */
  open: boolean;
  /** accepted, refused, timeout, unreachable… for messages. */
  detail: string;
}

/** One TCP connection attempt from this machine. Never sends data; closes at once. */
export function probeTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<TcpProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let done = false;
    const finish = (r: TcpProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ answered: false, open: false, detail: 'cancelled' });
    const timer = setTimeout(() => finish({ answered: false, open: false, detail: `no answer within ${Math.round(timeoutMs / 100) / 10} s` }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ answered: true, open: true, detail: `port ${port} accepted a connection` }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish({ answered: true, open: false, detail: `port ${port} refused the connection` });
      else if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') finish({ answered: false, open: false, detail: 'no route to the address' });
      else finish({ answered: false, open: false, detail: err.code ?? err.message });
    });
  });
}
