import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

// From source (tests, `tsx`), a TypeScript entry needs tsx's loader registered inside the thread. The built
// app never takes this path, so the specifier is put together here rather than written as an import that a
// bundler or the packaging check would treat as a runtime dependency.
const TSX_LOADER = ['tsx', 'esm', 'api'].join('/');

/**
 * Starts a worker thread for one of main's worker entries: `tsEntry` (relative to `here`, the caller's
 * import.meta.url) when running from source, else the first of `builtNames` found beside the built entry
 * or one folder up (a shared chunk). Throws when the build lacks it.
 */
export function startWorkerThread(here: string, tsEntry: string, builtNames: readonly string[], options: WorkerOptions = {}): Worker {
  if (here.endsWith('.ts')) {
    const entry = new URL(tsEntry, here).href;
    const boot = `import(${JSON.stringify(TSX_LOADER)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { ...options, eval: true });
  }
  for (const name of builtNames) {
    for (const rel of [`./${name}`, `../${name}`]) {
      const url = new URL(rel, here);
      if (existsSync(fileURLToPath(url))) return new Worker(url, options);
    }
  }
  throw new Error(`${builtNames.join(' / ')} is missing from this build of Fieldbench.`);
}
