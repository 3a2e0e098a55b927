import { net, protocol } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_HOST, APP_SCHEME } from './window-options';
import { SECURITY_HEADERS } from '../security/content-security-policy';

/** Must run before app 'ready': app:// behaves like a standard secure origin (checklist 18: avoid file://). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves the built renderer from app://fieldbench with the CSP header (checklist 7: define a Content-Security-Policy). */
export function serveRendererOverAppScheme(rendererDir: string): void {
  const root = normalize(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const file = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root + sep)) return new Response('Forbidden', { status: 403 });
    const upstream = await net.fetch(pathToFileURL(file).toString()).catch(() => net.fetch(pathToFileURL(join(root, 'index.html')).toString()));
    const headers = new Headers(upstream.headers);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) headers.set(k, v);
    return new Response(upstream.body, { status: upstream.status, headers });
  });
}
