#!/usr/bin/env node
// `npm start`: the desktop app when the Electron runtime can start here; otherwise the loopback host, with
// the reason and the URL printed, so the same command always gives the technician a working Fieldbench.
// The decision itself lives in src/main/services/app/electron-runtime.ts, shared with `fieldbench doctor`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const built = join(root, 'out', 'main', 'electron-runtime.js');
// npm test builds once up front and sets FIELDBENCH_SKIP_BUILD, so its smoke of `npm start` does not rebuild.
if (process.env.FIELDBENCH_SKIP_BUILD !== '1' || !existsSync(built)) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('The build failed; the messages above say why. Run `npm install` if dependencies are missing.\n');
    process.exit(3);
  }
}

const { adviseElectronRuntime, inspectElectronRuntime } = await import(pathToFileURL(built).href);
const probe = () => inspectElectronRuntime({ projectRoot: root, env: process.env, platform: process.platform, execPath: process.execPath });

// Electron 42+ downloads its binary on first use instead of at npm install; do that here, where a failure
// (no internet) can fall back to the loopback host instead of failing the command.
function download() {
  process.stdout.write('Downloading the Electron runtime from github.com (once, about 100 MB)…\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (r.status === 0) return undefined;
  if (r.error) return r.error.message;
  // install.js prints a stack; its first line names the cause ("TypeError: fetch failed").
  return (r.stderr ?? '').split('\n').find((line) => line.trim()) ?? `exit code ${r.status}`;
}

let runtime = probe();
if (runtime.state === 'not-downloaded') {
  const failure = download();
  runtime = probe();
  if (runtime.state === 'not-downloaded') runtime = { ...runtime, downloadError: failure ?? 'the download left no binary' };
}
const advice = adviseElectronRuntime(runtime);

if (advice.windowOpens) {
  const child = spawn(runtime.binaryPath, [join(root, 'out', 'main', 'index.js')], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(`Starting the loopback host instead of the desktop window: ${advice.reason}.\n${advice.next}\n`);
  const args = [join(root, 'bin', 'fieldbench.js'), 'serve', ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, FIELDBENCH_SKIP_BUILD: '1' } });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
