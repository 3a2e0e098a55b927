import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PROTOCOL, type ServerMessage } from '@shared/contract';
import { composeApp } from '../../../src/main/compose';
import { startLoopbackHost, type LoopbackHost } from '../../../src/main/host/loopback-host';

let host: LoopbackHost;

beforeAll(async () => {
  const renderer = mkdtempSync(join(tmpdir(), 'fb-renderer-'));
  mkdirSync(join(renderer, 'assets'));
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><html><head><title>Fieldbench</title></head><body></body></html>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'fb-secret.txt'), 'secret');
  const context = composeApp({ dataDir: mkdtempSync(join(tmpdir(), 'fb-data-')), runtime: 'loopback-host' });
  host = await startLoopbackHost({ context, rendererDir: renderer, port: 0 });
});
afterAll(() => host.close());

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** Raw HTTP so that Host and Origin can be set freely (fetch forbids both). */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const get = (path: string, headers: Record<string, string> = {}) => send('GET', path, headers);
const postSession = (token: string, headers: Record<string, string> = {}) =>
  send('POST', '/session', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, new URLSearchParams({ token }).toString());

function connect(opts: { token?: string | null; origin?: string; cookie?: string; path?: string; protocolToken?: string } = {}): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (opts.origin) headers.origin = opts.origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  const token = opts.token === undefined ? host.token : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const protocols = opts.protocolToken ? [WS_PROTOCOL, `token.${opts.protocolToken}`] : [WS_PROTOCOL];
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${opts.path ?? '/rpc'}`, protocols, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, name: string, request: unknown, jobId?: string): Promise<ServerMessage & { type: 'result' }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      if (msg.type === 'result' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'call', id, name, request, ...(jobId ? { jobId } : {}) }));
  });
}

describe('loopback host', () => {
  it('listens on 127.0.0.1 only, with a fresh token that is in no URL, and a launcher only this user can read', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
    const launcher = fileURLToPath(host.launcherUrl);
    expect(statSync(launcher).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(launcher)).mode & 0o777).toBe(0o700);
    const html = readFileSync(launcher, 'utf8');
    expect(html).toContain(`action="${host.origin}/session"`);
    expect(html).not.toContain(host.token);
  });

  it('serves the public page without any credential, and hands the token over once, for the launcher ticket', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.body).not.toContain(host.token);
    // The token itself is never taken in a request body: the browser would keep that body in its Sessions file.
    expect((await postSession(host.token, { origin: 'null' })).status).toBe(401);
    const launcher = fileURLToPath(host.launcherUrl);
    const ticket = /name="ticket" value="([\w-]+)"/.exec(readFileSync(launcher, 'utf8'))![1]!;
    expect(ticket).not.toBe(host.token);
    const post = (t: string, headers: Record<string, string> = {}) => send('POST', '/session', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, new URLSearchParams({ ticket: t }).toString());
    expect((await post(ticket, { origin: 'http://evil.example' })).status).toBe(403);
    // The launcher is a file:// page: its form posts with Origin "null".
    const ok = await post(ticket, { origin: 'null' });
    expect(ok.status).toBe(200);
    expect(ok.headers['set-cookie']).toBeUndefined();
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.body).toContain(`<meta name="fieldbench-session" content="${host.token}" />`);
    // Spent: the file is gone and a second use gets the form, not the token.
    expect(existsSync(launcher)).toBe(false);
    const again = await post(ticket, { origin: 'null' });
    expect(again.status).toBe(401);
    expect(again.body).not.toContain(host.token);
    const form = await get('/session');
    expect(form.status).toBe(200);
    expect(form.body).toMatch(/<script src="\/session\.js" defer>/);
    expect(form.body).not.toMatch(/method="post"|action=/);
    expect(form.body).not.toContain(host.token);
    const script = await get('/session.js');
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.body).toMatch(/preventDefault/);
  });

  it('never redirects, so no path can become a scheme-relative Location', async () => {
    for (const path of ['/.//evil.example/', `/.//evil.example/?token=${host.token}`, '//evil.example/', '/%2f%2fevil.example/', '/\\evil.example/', `/?token=${host.token}`]) {
      const r = await get(path);
      expect(r.headers.location, path).toBeUndefined();
      expect(r.status, path).not.toBeGreaterThanOrEqual(300);
    }
  });

  it('takes the token on the WebSocket handshake only: a URL or a cookie carrying it opens nothing', async () => {
    await expect(connect({ token: null, path: `/rpc?token=${host.token}` })).rejects.toThrow(/401/);
    await expect(connect({ token: null, cookie: `fieldbench_session=${host.token}` })).rejects.toThrow(/401/);
    await expect(connect({ token: null, protocolToken: 'x'.repeat(43) })).rejects.toThrow(/401/);
    const ws = await connect({ token: null, origin: host.origin, protocolToken: host.token });
    expect(ws.protocol).toBe(WS_PROTOCOL);
    expect((await call(ws, 1, 'app.info', {})).result).toMatchObject({ ok: true });
    ws.close();
  });

  it('refuses foreign Origins and foreign Host names even with the token', async () => {
    expect((await get('/', { authorization: `Bearer ${host.token}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { authorization: `Bearer ${host.token}`, host: `evil.example:${host.port}` })).status).toBe(421);
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ token: null })).rejects.toThrow(/401/);
    await expect(connect({ token: 'x'.repeat(43) })).rejects.toThrow(/401/);
  });

  it('does not serve files outside the renderer', async () => {
    const r = await get('/../fb-secret.txt', { authorization: `Bearer ${host.token}` });
    expect(r.body).not.toMatch(/secret/);
    const encoded = await get('/%2e%2e/fb-secret.txt', { authorization: `Bearer ${host.token}` });
    expect(encoded.body).not.toMatch(/secret/);
    const slash = await get('/..%2ffb-secret.txt', { authorization: `Bearer ${host.token}` });
    expect(slash.status).toBe(403);
    expect((await get('/assets/missing.js', { authorization: `Bearer ${host.token}` })).status).toBe(404);
  });

  it('carries contract calls, validates them, and returns person-readable errors', async () => {
    const ws = await connect({ origin: host.origin });
    const info = await call(ws, 1, 'app.info', {});
    expect(info.result).toMatchObject({ ok: true, value: { runtime: 'loopback-host' } });
    const bad = await call(ws, 2, 'app.selfTest', { steps: -1, stepMs: 0 });
    expect(bad.result).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
    const unknown = await call(ws, 3, 'vault.dumpKeys', {});
    expect(unknown.result).toMatchObject({ ok: false, error: { code: 'contract.unknownCall' } });
    ws.close();
  });

  it('delivers events to subscribers until they unsubscribe, and cancels jobs', async () => {
    const ws = await connect();
    const progress: unknown[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as ServerMessage;
      if (m.type === 'event' && m.name === 'jobs.onProgress') progress.push(m.payload);
    });
    ws.send(JSON.stringify({ type: 'subscribe', name: 'jobs.onProgress' }));
    const done = await call(ws, 10, 'app.selfTest', { steps: 3, stepMs: 1 }, 'job-a');
    expect(done.result).toEqual({ ok: true, value: { completedSteps: 3 } });
    expect(progress).toContainEqual({ jobId: 'job-a', message: 'Step 1 of 3', fraction: 0 });
    expect(progress).toContainEqual({ jobId: 'job-a', message: 'Done', fraction: 1 });

    const long = call(ws, 11, 'app.selfTest', { steps: 100, stepMs: 20 }, 'job-b');
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(ws, 12, 'jobs.cancel', { jobId: 'job-b' })).result).toEqual({ ok: true, value: { cancelled: true } });
    expect((await long).result).toMatchObject({ ok: false, error: { code: 'cancelled' } });

    ws.send(JSON.stringify({ type: 'unsubscribe', name: 'jobs.onProgress' }));
    const before = progress.length;
    await call(ws, 13, 'app.selfTest', { steps: 2, stepMs: 1 }, 'job-c');
    expect(progress.length).toBe(before);
    ws.close();
  });

  it('closes a connection that sends something other than the protocol', async () => {
    const ws = await connect();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
  });
});
