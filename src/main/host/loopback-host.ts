import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventName, LOOPBACK_SESSION, WS_MAX_MESSAGE_BYTES, WS_PROTOCOL, type ClientMessage, type ServerMessage } from '@shared/contract';
import { EXPORT_DOWNLOAD_PATH } from '@shared/contract/exports-contract';
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
  /** The address of the app. It carries no token: the page asks for it, or the launcher hands it over. */
  readonly url: string;
  readonly origin: string;
  /**
   * A file:// page, readable by this user only, that posts the token to the host: what `--open` gives the
   * browser, so the token is on no command line and in no address. Deleted when the host stops.
   */
  readonly launcherUrl: string;
  close(): Promise<void>;
}

/*
 * How a browser holds the session, and why (issue 10 row 6). Cookies ignore ports (RFC 6265 §8.5), so a
 * session cookie for 127.0.0.1 reaches every other local service the browser visits; and any token in a URL,
 * query or fragment, stays in the browser's history even after history.replaceState (checked against
 * Chromium's History file). A POST body is no better: Chromium keeps it in its Sessions file to replay the
 * entry (checked too). So there is no cookie, and the token is in no URL and no request body:
 *  - the page and its assets are public build output (Host and Origin are still checked);
 *  - the launcher file posts a single-use ticket to /session; the answer is the app page with the token in a
 *    meta element the bridge reads once, keeps in sessionStorage (per origin, which includes the port; gone
 *    with the tab) and removes. A ticket that a browser keeps is spent, and the file goes once it is used;
 *  - by hand (an SSH tunnel, another browser), GET /session asks for the token; its script checks it on the
 *    WebSocket and puts it in sessionStorage, without submitting a form;
 *  - the bridge presents it only on the WebSocket handshake (a `token.` subprotocol), the one door to the API.
 */
const { path: SESSION_PATH, meta: SESSION_META, tokenProtocolPrefix: TOKEN_PROTOCOL_PREFIX, storageKey: SESSION_STORAGE_KEY } = LOOPBACK_SESSION;
const SESSION_SCRIPT_PATH = `${SESSION_PATH}.js`;
const MAX_FORM_BYTES = 4096;
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

  const tokenMatches = (candidate: string | undefined | null): boolean => sameSecret(candidate, token);

  // Only headers a page cannot be made to send by another site: never a cookie or a URL.
  const presentedToken = (req: IncomingMessage): string | undefined => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7);
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    return protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
  };

  type Refusal = { status: number; reason: string };
  /** Host and Origin: the gates every request passes, the public page included. */
  const gateSite = (req: IncomingMessage, extraOrigins: readonly string[] = []): Refusal | undefined => {
    if (!allowedHosts().has(String(req.headers.host ?? ''))) return { status: 421, reason: 'This Fieldbench host only answers to 127.0.0.1 and localhost.' };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin) && !extraOrigins.includes(origin)) return { status: 403, reason: 'Requests from other web sites are refused.' };
    return undefined;
  };
  const NO_TOKEN = 'Fieldbench needs the access token that `fieldbench serve` printed. Open the launcher file it named, or paste the token here.';
  // The launcher's ticket: good for one page load, then spent (and its file deleted).
  let ticket: string | undefined = randomBytes(32).toString('base64url');
  const ticketMatches = (candidate: string | null | undefined): boolean => sameSecret(candidate, ticket);
  /** The API's gate: the site gates plus the token. */
  const gate = (req: IncomingMessage): Refusal | undefined =>
    gateSite(req) ?? (tokenMatches(presentedToken(req)) ? undefined : { status: 401, reason: NO_TOKEN });

  const log = options.context.log;
  const refuse = (res: ServerResponse, status: number, reason: string) => {
    log.warn('host refused a request', { event: 'host', status });
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${reason}\n`);
  };

  const appPage = () => readFileSync(join(rendererDir, 'index.html'), 'utf8');

  const server = createServer((req, res) => {
    // The host never redirects: no Location header, so no path trick can turn into an off-site (`//host`) one.
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === SESSION_PATH && req.method === 'POST') {
      // The launcher is a file:// page, whose form posts with `Origin: null`; a wrong or spent ticket gets nothing.
      const refusal = gateSite(req, ['null']);
      if (refusal) return refuse(res, refusal.status, refusal.reason);
      return void readForm(req, MAX_FORM_BYTES).then(
        (form) => {
          if (!ticketMatches(form?.get('ticket'))) {
            log.warn('host refused a launcher ticket', { event: 'host', status: 401 });
            return sessionForm(res, 401, 'This launcher was used already or belongs to an earlier start of Fieldbench. Paste the access token from the terminal where `fieldbench serve` runs.');
          }
          ticket = undefined;
          launcher.remove();
          res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end(appPage().replace('</head>', `<meta name="${SESSION_META}" content="${token}" />\n</head>`));
        },
        () => refuse(res, 413, 'The request is too large.'),
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here.');
    const refusal = gateSite(req);
    if (refusal) return refuse(res, refusal.status, refusal.reason);
    if (url.pathname === SESSION_PATH) return sessionForm(res, 200, NO_TOKEN);
    if (url.pathname.startsWith(EXPORT_DOWNLOAD_PATH)) return serveDownload(options.context, url.pathname.slice(EXPORT_DOWNLOAD_PATH.length), res, refuse);
    if (url.pathname === SESSION_SCRIPT_PATH) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(SESSION_SCRIPT);
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
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    log.warn('host dropped a malformed HTTP request', { event: 'host', code: err.code });
    socket.destroy();
  });
  wss.on('error', (err: NodeJS.ErrnoException) => log.warn('host WebSocket server error', { event: 'host', code: err.code }));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A browser always sends Origin on a WebSocket; a missing one is a non-browser client, which must use the token.
    const refusal = url.pathname !== '/rpc' ? { status: 404, reason: 'Not found.' } : gate(req);
    if (refusal) {
      log.warn('host refused a WebSocket', { event: 'host', status: refusal.status });
      socket.end(`HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal.reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      log.info('host client connected', { event: 'host' });
      ws.on('close', (code) => log.info('host client left', { event: 'host', closeCode: code }));
      serveClient(ws, options.context);
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, BIND_ADDRESS, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  log.info('host listening', { event: 'host', port });
  const launcher = writeLauncher(`${origin}${SESSION_PATH}`, ticket!);

  return {
    port,
    token,
    origin,
    url: `${origin}/`,
    launcherUrl: pathToFileURL(launcher.file).href,
    close: async () => {
      launcher.remove();
      for (const client of wss.clients) client.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Constant-time comparison, so the time of a refusal says nothing about how much of a guess was right. */
function sameSecret(candidate: string | null | undefined, secret: string | undefined): boolean {
  if (!candidate || !secret) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The launcher: a page that posts its ticket to /session as soon as it opens. It lives in a fresh 0700
 * folder as a 0600 file created exclusively, so only this user can read it, and a browser started with its
 * path gets nothing secret on its command line.
 */
function writeLauncher(action: string, ticket: string): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fieldbench-open-'));
  const file = join(dir, 'open-fieldbench.html');
  writeFileSync(
    file,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Opening Fieldbench…</title></head>
<body><form method="post" action="${action}" autocomplete="off"><input type="hidden" name="ticket" value="${ticket}"><noscript><button type="submit">Open Fieldbench</button></noscript></form>
<script>document.forms[0].submit();</script></body></html>\n`,
    { mode: 0o600, flag: 'wx' },
  );
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams | undefined> {
  return new Promise((resolveForm, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limit) {
        req.destroy();
        reject(new Error('too large'));
      }
    });
    req.on('end', () => resolveForm(String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : undefined));
    req.on('error', reject);
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The token form's script. It never submits the form (a POST body would stay in the browser's Sessions
 * file): it tries the token on the WebSocket, and only a token the host accepts goes to sessionStorage. The
 * field is a password field, whose value browsers do not save with the page state, and is emptied at once.
 */
const SESSION_SCRIPT = `'use strict';
const form = document.getElementById('token-form');
const field = document.getElementById('token');
const say = document.getElementById('message');
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = field.value.trim();
  field.value = '';
  if (!/^[A-Za-z0-9_-]+$/.test(token)) { say.textContent = ${JSON.stringify('That is not an access token. Copy it from the terminal where `fieldbench serve` runs.')}; return; }
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/rpc', [${JSON.stringify(WS_PROTOCOL)}, ${JSON.stringify(TOKEN_PROTOCOL_PREFIX)} + token]);
  ws.onopen = () => { ws.close(); sessionStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY)}, token); location.replace('/'); };
  ws.onerror = () => { say.textContent = ${JSON.stringify('That is not the access token of this Fieldbench. Copy it again from the terminal where `fieldbench serve` runs; it is new at every start.')}; };
});
`;

/** The token form, plain HTML; its behaviour is SESSION_SCRIPT. */
function sessionForm(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fieldbench: access token</title><script src="${SESSION_SCRIPT_PATH}" defer></script></head>
<body><main><h1>Fieldbench</h1><p id="message" role="status">${escapeHtml(message)}</p>
<form id="token-form" autocomplete="off"><label>Access token <input id="token" type="password" required autocomplete="off" autofocus></label> <button type="submit">Open</button></form></main></body></html>\n`);
}

/**
 * An export zip, once: the random id is the capability (a navigation carries no token header), it is
 * gone after this response or two minutes, and nothing caches it.
 */
function serveDownload(context: AppContext, id: string, res: ServerResponse, refuse: (res: ServerResponse, status: number, reason: string) => void): void {
  const item = /^[\w-]{43}$/.test(id) ? context.downloads.take(id) : undefined;
  if (!item) return refuse(res, 404, 'This download was already taken or has expired. Export again from the Exports page.');
  const name = item.fileName.replace(/[^\w.-]+/g, '_');
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/zip', 'Content-Length': String(item.bytes.length), 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' });
  res.end(Buffer.from(item.bytes));
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
  ws.on('error', (err: NodeJS.ErrnoException) => {
    context.log.warn('host dropped a client after a protocol error', { event: 'host', code: err.code });
    ws.terminate();
  });
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
