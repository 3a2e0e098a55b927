/**
 * Loads @kubernetes/client-node for tests on this machine's Node 20.
 *
 * Why: client-node 2.0.1 depends on undici ^8, and undici 8 needs Node >= 22.19 (it crashes at import
 * on Node 20: zlib.createZstdDecompress, webidl.markAsUncloneable). client-node itself works with
 * undici 6/7, so on Node < 22 this maps its `undici` import to a Node-20-compatible undici that is
 * already installed (node-gyp's). The proper fix is an `overrides` entry in package.json (see
 * docs/kube-emulator.md); once that is in, this loader simply imports the package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type ClientNode = typeof import('@kubernetes/client-node');

const require = createRequire(import.meta.url);

function undiciMajor(pkgJson: string): number {
  return Number((JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version.split('.')[0]);
}

let registered = false;

/** Returns the module, or a reason it cannot load here (the caller skips with that reason). */
export async function loadClientNode(): Promise<{ k8s?: ClientNode; reason?: string }> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  const clientDir = dirname(require.resolve('@kubernetes/client-node/package.json'));
  const own = [join(clientDir, 'node_modules/undici/package.json'), join(clientDir, '../../undici/package.json')].find((p) => existsSync(p));
  if (nodeMajor < 22 && own && undiciMajor(own) >= 8 && !registered) {
    const fallback = [join(clientDir, '../../node-gyp/node_modules/undici'), join(clientDir, '../../undici7')].find((d) => existsSync(join(d, 'package.json')) && undiciMajor(join(d, 'package.json')) < 8);
    if (!fallback) return { reason: `@kubernetes/client-node needs undici 8, which needs Node >= 22 (this is Node ${process.versions.node}), and no older undici is installed` };
    const target = pathToFileURL(join(fallback, 'index.js')).href;
    const hook = `export async function resolve(s, c, n) { return s === 'undici' ? { url: ${JSON.stringify(target)}, format: 'commonjs', shortCircuit: true } : n(s, c); }`;
    register(`data:text/javascript,${encodeURIComponent(hook)}`);
    registered = true;
  }
  return { k8s: await import('@kubernetes/client-node') };
}
