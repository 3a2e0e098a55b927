import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/**
 * Where Fieldbench keeps its vault and settings when nothing else is said. Matches Electron's
 * app.getPath('userData') for the product name, so the desktop app, the CLI and the host share one folder.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FIELDBENCH_DATA_DIR) return env.FIELDBENCH_DATA_DIR;
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Fieldbench');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Fieldbench');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Fieldbench');
  }
}

export interface DataDirState {
  path: string;
  exists: boolean;
  writable: boolean;
}

export function inspectDataDir(path: string): DataDirState {
  const exists = existsSync(path);
  let writable = false;
  try {
    accessSync(exists ? path : join(path, '..'), constants.W_OK);
    writable = true;
  } catch {
    writable = false;
  }
  return { path, exists, writable };
}

/** Creates the data folder with owner-only permissions: it will hold the encrypted vault. */
export function ensureDataDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}
