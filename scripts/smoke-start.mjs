#!/usr/bin/env node
// A bounded smoke of `npm start` exactly as the README has it: start it, wait for the address it serves,
// open that address the way a browser would, then stop it with Ctrl+C. `.ci/run` runs it between
// `npm install` and `npm test`; test/integration/install/start-offline.test.ts runs it too.
// Exit 0 when the app answered, 1 otherwise, with a sentence saying what happened.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(import.meta.dirname, '..');
const budgetMs = Number(process.env.FIELDBENCH_SMOKE_SECONDS ?? 300) * 1000;
// A throwaway data folder, so the smoke never touches the technician's vault.
const dataDir = mkdtempSync(join(tmpdir(), 'fb-smoke-start-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Own process group: Ctrl+C reaches npm, scripts/start.mjs and the host together, as in a terminal.
const child = spawn(npm, ['start'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FIELDBENCH_DATA_DIR: dataDir } });
let output = '';
const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
for (const stream of [child.stdout, child.stderr]) {
  stream.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
}

function waitForUrl() {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no address within ${budgetMs / 1000} s`)), budgetMs);
    const poll = setInterval(() => {
      // The address carries no token; the launcher file `serve` names hands the browser a one-time ticket.
      const match = /serving on (http:\/\/127\.0\.0\.1:\d+\/)\n[^]*Launcher[^\n]*: (file:\S+)\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve({ url: match[1], launcher: fileURLToPath(match[2]) });
      }
    }, 100);
    void exited.then((code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`npm start exited (${code}) before serving an address`));
    });
  });
}

/** What a browser does with the launcher: post its ticket to the host, which answers with the app's page. */
async function open({ launcher }) {
  const html = readFileSync(launcher, 'utf8');
  const action = /action="([^"]+)"/.exec(html)?.[1];
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !ticket) throw new Error(`the launcher ${launcher} has no form to post`);
  const res = await fetch(action, { method: 'POST', body: new URLSearchParams({ ticket }), headers: { origin: 'null' }, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

let failure;
let origin = '';
try {
  const served = await waitForUrl();
  origin = new URL(served.url).origin;
  const page = await open(served);
  if (page.status !== 200 || !page.type.includes('text/html') || !/<div id="root"/.test(page.body)) {
    failure = `the address answered ${page.status} (${page.type}) instead of the app's page`;
  }
} catch (err) {
  failure = err.message;
}

if (child.exitCode === null) {
  process.kill(-child.pid, 'SIGINT');
  const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
  if (stopped === 'timeout') {
    process.kill(-child.pid, 'SIGKILL');
    failure ??= 'npm start did not stop within 15 s of Ctrl+C';
  }
}
rmSync(dataDir, { recursive: true, force: true });

if (failure) {
  process.stdout.write(`\nnpm start smoke FAILED: ${failure}.\n`);
  process.exit(1);
}
process.stdout.write(`\nnpm start smoke passed: ${origin} served the app (200, text/html) and stopped on Ctrl+C.\n`);
