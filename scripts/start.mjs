#!/usr/bin/env node
// `npm start`: the desktop app when the Electron runtime can start here; otherwise the loopback host, with
// the reason and the URL printed, so the same command always gives the technician a working Fieldbench.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.stderr.write('The build failed; the messages above say why.\n');
  process.exit(3);
}

function electronBinary() {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

const electron = electronBinary();
let reason;
if (!electron) reason = 'the Electron runtime is not installed (its download was skipped or failed)';
else if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) reason = 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)';

if (!reason) {
  const child = spawn(electron, [join(root, 'out', 'main', 'index.js')], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(`Starting the loopback host instead of the desktop window: ${reason}.\n`);
  const args = [join(root, 'bin', 'fieldbench.js'), 'serve', ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
