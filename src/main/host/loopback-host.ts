import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventName, WS_MAX_MESSAGE_BYTES, WS_PROTOCOL, type ClientMessage, type ServerMessage } from '@shared/contract';
import type { AppContext } from '../compose';
import { SECURITY_HEADERS } from '../security/content-security-policy';
import { mimeTypeFor } from '../security/mime-types';

export interface LoopbackHostOptions {
  context: AppContext;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; by default a fresh random one per start. */
  token?: string;
}

export interface LoopbackHost {
  readonly port: number;
  readonly token: string;
  /** The URL to open: it carries the token once, the host then keeps it in a same-site cookie. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

const COOKIE = 'fieldbench_session';
// Loopback only: a host that listened on 0.0.0.0 would hand the whole vault API to the site's network.
const BIND_ADDRESS = '127.0.0.1';

/**
 * `fieldbench serve`: the built renderer plus the contract over a WebSocket, for a browser on this machine
 * (or through an SSH tunnel). Three gates guard it: the Host header (DNS rebinding), the Origin (other sites
 * in the same browser) and a per-start random token (other local users and processes).
 */
export async function startLoopbackHost(options: LoopbackHostOptions): Promise<LoopbackHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The built app is missing (${join(rendererDir, 'index.html')}). Run \`npm run build\` first.`);
  }
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const tokenMatches = (candidate: string | undefined | null): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const presentedToken = (req: IncomingMessage, url: URL): string | undefined => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7);
    const fromQuery = url.searchParams.get('token');
    if (fromQuery) return fromQuery;
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const fromProtocol = protocols.find((p) => p.startsWith('token.'));
    if (fromProtocol) return fromProtocol.slice(6);
    for (const part of String(req.headers.cookie ?? '').split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === COOKIE) return v.join('=');
    }
    return undefined;
  };

  /** Returns a refusal reason, or undefined when the request may proceed. */
  const gate = (req: IncomingMessage, url: URL): { status: number; reason: string } | undefined => {
    if (!allowedHosts().has(String(req.headers.host ?? ''))) return { status: 421, reason: 'This Fieldbench host only answers to 127.0.0.1 and localhost.' };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return { status: 403, reason: 'Requests from other web sites are refused.' };
    if (!tokenMatches(presentedToken(req, url))) return { status: 401, reason: 'Open the address that `fieldbench serve` printed: it carries the access token.' };
    return undefined;
  };

  const refuse = (res: ServerResponse, status: number, reason: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${reason}\n`);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here.');
    const refusal = gate(req, url);
    if (refusal) return refuse(res, refusal.status, refusal.reason);
    if (url.searchParams.has('token')) {
      // Trade the one-time URL token for a cookie, then drop it from the address bar and history.
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname,
        'Cache-Control': 'no-store',
      });
      return res.end();
    }
    serveStatic(rendererDir, url.pathname, req, res);
  });

  const wss = new WebSocketServer({
    noServer: true,
    // ws answers a longer frame with close 1009 on its header alone, before buffering the body.
    maxPayload: WS_MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  // Node and ws report a bad peer (malformed HTTP, an invalid frame, a reset) as an 'error' event, and an
  // 'error' event with no listener throws and ends the process: every emitter here gets a listener, so a
  // hostile client loses only its own connection.
  server.on('clientError', (_err, socket: Socket) => socket.destroy());
  wss.on('error', () => undefined);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A browser always sends Origin on a WebSocket; a missing one is a non-browser client, which must use the token.
    const refusal = url.pathname !== '/rpc' ? { status: 404, reason: 'Not found.' } : gate(req, url);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal.reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, options.context));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, BIND_ADDRESS, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): void {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  let file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, SECURITY_HEADERS).end();
    return;
  }
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  // Client-side routes fall back to the app's page; missing assets stay 404 so a broken build is visible.
  if (!isFile(file)) {
    if (rel.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(rel)) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('Not found.\n');
      return;
    }
    file = join(root, 'index.html');
  }
  const isHtml = file.endsWith('.html');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': mimeTypeFor(file),
    'Cache-Control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

function parseClientMessage(data: unknown): ClientMessage | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(String(data));
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  if (m.type === 'call' && typeof m.id === 'number' && typeof m.name === 'string' && (m.jobId === undefined || typeof m.jobId === 'string')) {
    return { type: 'call', id: m.id, name: m.name, request: m.request, ...(typeof m.jobId === 'string' ? { jobId: m.jobId } : {}) };
  }
  if ((m.type === 'subscribe' || m.type === 'unsubscribe') && typeof m.name === 'string') return { type: m.type, name: m.name };
  return undefined;
}

function serveClient(ws: WebSocket, context: AppContext): void {
  const lifetime = new AbortController();
  const subscriptions = new Map<string, () => void>();
  const send = (msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  // ws has already sent the matching close code (1002, 1007, 1009) and ends the socket after this event.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data) => {
    const msg = parseClientMessage(data);
    if (!msg) {
      ws.close(1003, 'Malformed message');
      return;
    }
    if (msg.type === 'call') {
      void context.dispatcher
        .dispatch(msg.name, msg.request, { signal: lifetime.signal, ...(msg.jobId ? { jobId: msg.jobId } : {}) })
        .then((result) => send({ type: 'result', id: msg.id, result }));
    } else if (msg.type === 'subscribe') {
      if (!isEventName(msg.name) || subscriptions.has(msg.name)) return;
      const name = msg.name;
      subscriptions.set(name, context.hub.on(name, (payload) => send({ type: 'event', name, payload })));
    } else {
      subscriptions.get(msg.name)?.();
      subscriptions.delete(msg.name);
    }
  });
  ws.on('close', () => {
    lifetime.abort();
    for (const off of subscriptions.values()) off();
    subscriptions.clear();
  });
}
