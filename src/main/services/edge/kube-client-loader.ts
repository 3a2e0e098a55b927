import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FieldbenchError } from '@shared/errors';

export type KubeClientModule = typeof import('@kubernetes/client-node');

let loading: Promise<KubeClientModule> | undefined;

function undiciMajor(pkgJson: string): number {
  try {
    return Number((JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version.split('.')[0]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Loads @kubernetes/client-node on first use instead of at startup.
 *
 * Why: client-node 2.x imports undici 8, which crashes at import on Node < 22 (no zlib zstd). Electron's
 * Node is new enough; a plain Node 20 (the CLI, `fieldbench serve`) is not. Loading lazily keeps the
 * rest of the app working there, and when an older undici (< 8, which client-node works with) is
 * installed, its import is redirected to that one before client-node is first evaluated. The lasting
 * fix is an `overrides` entry for undici in package.json (see docs/edge.md).
 */
export function loadKubeClient(): Promise<KubeClientModule> {
  loading ??= (async () => {
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    if (nodeMajor < 22) redirectUndici();
    try {
      return await import('@kubernetes/client-node');
    } catch (err) {
      loading = undefined;
      throw new FieldbenchError(
        'edge.kubeClientUnavailable',
        `The Kubernetes client library cannot load on Node ${process.versions.node}: it needs Node 22 or newer (undici 8). Run Fieldbench as the desktop app, use Node 22+, or install with an undici 7 override.`,
        { cause: err },
      );
    }
  })();
  return loading;
}

let redirected = false;

function redirectUndici(): void {
  if (redirected) return;
  const require = createRequire(import.meta.url);
  let clientDir: string;
  try {
    clientDir = dirname(require.resolve('@kubernetes/client-node/package.json'));
  } catch {
    return;
  }
  const own = [join(clientDir, 'node_modules/undici/package.json'), join(clientDir, '../../undici/package.json')].find((p) => existsSync(p));
  if (!own || !(undiciMajor(own) >= 8)) return;
  const candidates = [join(clientDir, '../../undici7'), join(clientDir, '../../node-gyp/node_modules/undici'), join(clientDir, '../../@electron/rebuild/node_modules/undici')];
  const fallback = candidates.find((d) => existsSync(join(d, 'package.json')) && undiciMajor(join(d, 'package.json')) < 8);
  if (!fallback) return;
  const target = pathToFileURL(join(fallback, 'index.js')).href;
  const hook = `export async function resolve(s, c, n) { return s === 'undici' ? { url: ${JSON.stringify(target)}, format: 'commonjs', shortCircuit: true } : n(s, c); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  redirected = true;
}
