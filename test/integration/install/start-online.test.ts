import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const built = existsSync(join(ROOT, 'out', 'main', 'electron-runtime.js'));

// The "with internet" half of `npm start`: Electron 42+ fetches its runtime on first start. A local mirror
// (ELECTRON_MIRROR, as @electron/get reads it) serves a release zip and its SHASUMS256.txt, so the real
// install.js downloads, checks and unpacks it; the "runtime" is a script that reports how it was started.
// The project is a throwaway copy, so the real node_modules/electron never gains a binary.
describe.skipIf(process.platform !== 'linux' || !built)('npm start where the Electron download works', () => {
  let server: Server;
  let mirror = '';
  const requested: string[] = [];
  const project = mkdtempSync(join(tmpdir(), 'fb-start-online-'));

  beforeAll(async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
    const zipName = `electron-v${version}-linux-${process.arch}.zip`;
    const runtime = new TextEncoder().encode('#!/bin/sh\necho "desktop runtime started with: $*"\n');
    // Unix host, mode 0755: install.js must leave an executable, as it does with the real release zip.
    const zip = zipSync({ electron: [runtime, { os: 3, attrs: (0o100755 << 16) >>> 0 }] });
    const sums = `${createHash('sha256').update(zip).digest('hex')} *${zipName}\n`;
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      const name = (req.url ?? '').split('/').pop();
      if (name === zipName) res.writeHead(200, { 'content-length': zip.length }).end(zip);
      else if (name === 'SHASUMS256.txt') res.writeHead(200).end(sums);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

    mkdirSync(join(project, 'scripts'));
    cpSync(join(ROOT, 'scripts', 'start.mjs'), join(project, 'scripts', 'start.mjs'));
    symlinkSync(join(ROOT, 'out'), join(project, 'out'));
    symlinkSync(join(ROOT, 'bin'), join(project, 'bin'));
    mkdirSync(join(project, 'node_modules'));
    cpSync(join(ROOT, 'node_modules', 'electron'), join(project, 'node_modules', 'electron'), { recursive: true, filter: (src) => !src.includes(`${join('electron', 'node_modules')}`) });
    for (const scope of ['@electron', '@electron-internal']) symlinkSync(join(ROOT, 'node_modules', scope), join(project, 'node_modules', scope));
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(project, { recursive: true, force: true });
  });

  // Asynchronous on purpose: the mirror runs in this process, and a synchronous spawn would starve it.
  const start = (env: NodeJS.ProcessEnv) =>
    new Promise<{ status: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [join(project, 'scripts', 'start.mjs')], { cwd: project, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }),
      );
    });

  it('downloads the runtime once, then starts it with the built main instead of the loopback host', async () => {
    const env = {
      ...process.env,
      ELECTRON_MIRROR: mirror,
      electron_use_remote_checksums: '1',
      electron_config_cache: mkdtempSync(join(tmpdir(), 'fb-electron-cache-')),
      DISPLAY: ':99',
      FIELDBENCH_SKIP_BUILD: '1',
    };
    const first = await start(env);
    expect(first.stdout).toMatch(/Downloading the Electron runtime/);
    expect(first.stdout).toContain(`desktop runtime started with: ${join(project, 'out', 'main', 'index.js')}`);
    expect(first.stdout).not.toMatch(/loopback host instead/);
    expect(first.status).toBe(0);
    expect(requested.some((u) => u.endsWith('.zip'))).toBe(true);
    expect(readFileSync(join(project, 'node_modules', 'electron', 'path.txt'), 'utf8')).toBe('electron');

    // The second start finds the runtime and does not download again.
    const before = requested.length;
    const second = await start(env);
    expect(second.stdout).not.toMatch(/Downloading/);
    expect(second.stdout).toMatch(/desktop runtime started with:/);
    expect(requested.length).toBe(before);
  });
});
