#!/usr/bin/env node
// `npm test`: every test Fieldbench has, against real tools. Installs the Debian packages the suites use
// when it can (root + apt), otherwise names the suites that will skip. Ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
process.chdir(root);
const results = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const bin = (name) => join(root, 'node_modules', '.bin', name);

function step(title) {
  process.stdout.write(`\n=== ${title}\n`);
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0', FIELDBENCH_SKIP_BUILD: '1', ...opts.env }, timeout: opts.timeout ?? 30 * 60_000 });
  return { ok: r.status === 0, status: r.status, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function check(name, outcome) {
  if (outcome.ok) results.passed += 1;
  else {
    results.failed += 1;
    failures.push(name);
  }
  process.stdout.write(`${outcome.ok ? 'ok' : 'FAILED'}: ${name} (${outcome.seconds} s)\n`);
}

// 1. Debian packages the real-tool suites use.
const PACKAGES = ['chromium', 'mosquitto', 'mosquitto-clients', 'openssh-server', 'openssh-client', 'netplan.io', 'iproute2', 'sudo', 'openssl', 'poppler-utils'];
const installed = (p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed');
step('Debian packages');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-query');
if (hasApt) {
  const missing = PACKAGES.filter((p) => !installed(p));
  if (missing.length === 0) process.stdout.write('All present.\n');
  else if (isRoot) {
    process.stdout.write(`Installing ${missing.join(' ')}\n`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env, timeout: 10 * 60_000 });
    const r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, timeout: 15 * 60_000 });
    if (!r.ok) process.stdout.write('Some packages could not be installed; the suites that need them will say they skipped.\n');
  } else {
    process.stdout.write(`Not root, so not installing: ${missing.join(' ')}. Suites that need them skip and say so.\n`);
  }
} else {
  process.stdout.write('No apt here: the suites that need chromium, mosquitto, sshd or netplan skip and say so.\n');
}

rmSync(join(root, 'test-results'), { recursive: true, force: true });
mkdirSync(join(root, 'test-results'), { recursive: true });

// 2. Static checks: types per runtime, lint (per-file bans) and dependency-cruiser (the import graph's rules).
step('Typecheck (shared, node, web)');
check('typecheck src/shared (no DOM, no Node)', run(bin('tsc'), ['-p', 'tsconfig.shared.json']));
check('typecheck node side', run(bin('tsc'), ['-p', 'tsconfig.node.json']));
check('typecheck renderer', run(bin('tsc'), ['-p', 'tsconfig.web.json']));
step('Lint');
check('eslint (layer boundaries)', run(bin('eslint'), ['.', '--max-warnings', '0']));
check('dependency-cruiser (no cycles, layer and area imports)', run(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']));

// 3. Build: the e2e suite and the CLI run the built app.
step('Build (electron-vite)');
const build = run(bin('electron-vite'), ['build']);
check('electron-vite build', build);
for (const dir of ['out/main', 'out/preload', 'out/renderer']) check(`build produced ${dir}`, { ok: existsSync(join(root, dir)), seconds: '0.0' });

// 4. Vitest: unit (node + jsdom) and integration suites.
step('Vitest');
const vitestJson = join(root, 'test-results', 'vitest.json');
const vitest = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  results.passed += v.numPassedTests ?? 0;
  results.failed += v.numFailedTests ?? 0;
  results.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  if ((v.numFailedTests ?? 0) > 0 || (v.numFailedTestSuites ?? 0) > 0) failures.push('vitest');
  if ((v.numFailedTestSuites ?? 0) > 0 && (v.numFailedTests ?? 0) === 0) results.failed += v.numFailedTestSuites;
} else {
  check('vitest produced a report', { ok: false, seconds: '0.0' });
}
if (!vitest.ok && !failures.includes('vitest')) check('vitest exit status', vitest);

// 5. Playwright in Debian Chromium against `fieldbench serve`; the Electron smoke test skips with its reason.
step('Playwright (Chromium via the loopback host; Electron where installed)');
const chromium = process.env.FIELDBENCH_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  process.stdout.write(`Skipping the end-to-end suite: ${chromium} is missing (install Debian's chromium).\n`);
  results.skipped += 1;
} else if (!build.ok) {
  process.stdout.write('Skipping the end-to-end suite: the build failed.\n');
  results.skipped += 1;
} else {
  const pwJson = join(root, 'test-results', 'e2e', 'results.json');
  const pw = run(bin('playwright'), ['test']);
  if (existsSync(pwJson)) {
    const stats = JSON.parse(readFileSync(pwJson, 'utf8')).stats ?? {};
    results.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    results.failed += stats.unexpected ?? 0;
    results.skipped += stats.skipped ?? 0;
    if ((stats.unexpected ?? 0) > 0) failures.push('playwright');
  }
  if (!pw.ok && !failures.includes('playwright')) check('playwright exit status', pw);
}

step('Summary');
if (failures.length) process.stdout.write(`Failed: ${failures.join(', ')}\n`);
process.stdout.write(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped\n`);
process.exit(results.failed > 0 ? 1 : 0);
