import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const pathTxt = join(ROOT, 'node_modules', 'electron', 'path.txt');
// Where the runtime was downloaded, start-online.test.ts covers what npm start does; this one needs it absent.
const downloaded = existsSync(pathTxt) && existsSync(join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim()));

// `npm start` as the README has it, on a machine where Electron's runtime cannot be fetched. The mirror points
// at a closed local port and the cache at an empty folder, so even a machine with internet takes the offline
// path instead of downloading 100 MB. DISPLAY is set so that the download, not the display, is what fails.
describe.skipIf(downloaded)('npm start without a reachable Electron download', () => {
  it('falls back to the loopback host, says why, serves the app and stops on Ctrl+C', () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: mkdtempSync(join(tmpdir(), 'fb-electron-cache-')),
      DISPLAY: ':99',
      FIELDBENCH_SMOKE_SECONDS: '200',
      // npm test builds once before the suites; run alone without a build, start.mjs builds first.
      ...(existsSync(join(ROOT, 'out', 'main', 'electron-runtime.js')) ? { FIELDBENCH_SKIP_BUILD: '1' } : {}),
    };
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'smoke-start.mjs')], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
    expect(r.stdout).toMatch(/Downloading the Electron runtime/);
    expect(r.stdout).toMatch(/Starting the loopback host instead of the desktop window: the Electron [\d.]+ runtime could not be downloaded from github\.com \(.+\)\./);
    expect(r.stdout).toMatch(/npm start smoke passed: http:\/\/127\.0\.0\.1:\d+ served the app \(200, text\/html\) and stopped on Ctrl\+C\./);
    expect(r.status).toBe(0);
  }, 250_000);
});
