import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder with package.json: two levels above out/main/cli.js, or above src/cli when run from source. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

export function builtRendererDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FIELDBENCH_RENDERER_DIR ?? join(projectRoot(), 'out', 'renderer');
}
