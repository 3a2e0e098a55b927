#!/usr/bin/env node
// Entry for `fieldbench` / `npx fieldbench`. Runs the built CLI (out/main/cli.js); in a source checkout it
// builds first when the build is missing or older than the sources, so a fresh clone works without a step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// npm test builds once up front and sets FIELDBENCH_SKIP_BUILD, so parallel test workers never rebuild at once.
const hasSources = existsSync(join(root, 'src')) && process.env.FIELDBENCH_SKIP_BUILD !== '1';
const stale = !existsSync(built) || (hasSources && newestMtime(join(root, 'src')) > statSync(built).mtimeMs);
if (stale && hasSources) {
  process.stderr.write('Building Fieldbench (first run or sources changed)…\n');
  const viteBin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [viteBin, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write('The build failed; the messages above say why. Run `npm install` if dependencies are missing.\n');
    process.exit(3);
  }
}
if (!existsSync(built)) {
  process.stderr.write(`Fieldbench is not built (${built} is missing). Run \`npm run build\`.\n`);
  process.exit(3);
}
await import(pathToFileURL(built).href);
