import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import config, { CHROMIUM } from '../../playwright.config';
import { spawnFieldbench } from '../support/cli/fieldbench-cli';
import { expect, startServedApp, test } from '../support/e2e/fieldbench-fixture';

// Issue 10 row 6, redone as it was found: the app opened in Chromium, then another service on 127.0.0.1
// visited; the browser profile searched for the token afterwards; `--open` watched on the process list.

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          if (readFileSync(p).includes(needle)) hits.push(p);
        } catch {
          /* a lock or socket file */
        }
      }
    }
  };
  walk(dir);
  return hits;
}

for (const how of ['the launcher', 'the token typed into the form'] as const) test(`opened with ${how}: no other local port receives the session, and the browser profile keeps no token`, async () => {
  const seen: IncomingHttpHeaders[] = [];
  const other = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<title>another local service</title>');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  const otherPort = (other.address() as AddressInfo).port;
  const app = await startServedApp();
  const profile = mkdtempSync(join(tmpdir(), 'fb-chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: config.use?.launchOptions?.args ?? [] });
    const page = await context.newPage();
    if (how === 'the launcher') await page.goto(app.url);
    else {
      await page.goto(app.address);
      await page.getByLabel('Access token').fill(app.token);
      await page.getByRole('button', { name: 'Open' }).click();
    }
    await expect(page).toHaveURL(`${app.origin}/`);
    await expect(page.getByText(/0\.\d+\.\d+/).first()).toBeVisible();
    // A reload in the same tab keeps the session (sessionStorage is per origin, port included).
    await page.reload();
    await expect(page.getByText(/0\.\d+\.\d+/).first()).toBeVisible();
    await expect(page.getByRole('contentinfo', { name: 'Status' }).getByText('Not connected to Fieldbench')).toHaveCount(0);

    for (const host of ['127.0.0.1', 'localhost']) {
      await page.goto(`http://${host}:${otherPort}/`);
      await expect(page).toHaveTitle('another local service');
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const headers of seen) {
      expect(headers.cookie).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(app.token);
    }
    // Let Chromium write its History, Sessions and storage databases, then read every byte of the profile.
    await page.waitForTimeout(3000);
    await context.close();
    expect(filesContaining(profile, app.token)).toEqual([]);
    expect(readdirSync(join(profile, 'Default')).includes('History')).toBe(true);
    // The host's own log saw the session and the calls, but not the token.
    const log = readFileSync(join(app.dataDir, 'logs', 'fieldbench.log'), 'utf8');
    expect(log).toMatch(/"call":"app\.info"/);
    expect(log).toMatch(/host client connected/);
    expect(log.includes(app.token)).toBe(false);
  } finally {
    await app.stop();
    other.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('`serve --open` starts the browser with the launcher file, not the token, and removes the launcher when it stops', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'fb-xdg-'));
  const record = join(bin, 'argv.json');
  // A stand-in xdg-open that writes down the command line it was given.
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nexec "${process.execPath}" -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))' "${record}" "$@"\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const dataDir = mkdtempSync(join(tmpdir(), 'fb-e2e-open-'));
  const child = spawnFieldbench(['serve', '--port', '0', '--data-dir', dataDir, '--open'], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
  child.stdin.end();
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  try {
    await expect.poll(() => existsSync(record), { timeout: 90_000 }).toBe(true);
    const token = /Access token: ([\w-]+)/.exec(out)![1]!;
    const argv = JSON.parse(readFileSync(record, 'utf8')) as string[];
    expect(argv).toHaveLength(1);
    expect(argv[0]).toMatch(/^file:\/\/.*open-fieldbench\.html$/);
    expect(argv.join(' ')).not.toContain(token);
    const launcher = fileURLToPath(argv[0]!);
    expect(statSync(launcher).mode & 0o777).toBe(0o600);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    expect(existsSync(launcher)).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(bin, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
