import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the desktop runtime stands on this machine. Electron 42+ has no install script: `npm install` only
 * brings the package, and the binary is fetched from github.com on first start. So a machine that reaches
 * only the npm registry ends up in `not-downloaded`, and `npm start` serves the loopback host instead.
 */
export type ElectronRuntime =
  | { state: 'running'; binaryPath: string; version: string }
  | { state: 'ready'; binaryPath: string; version: string }
  | { state: 'no-display'; binaryPath?: string; version: string }
  | { state: 'not-downloaded'; version: string; downloadError?: string }
  | { state: 'no-package' };

export interface ElectronRuntimeProbe {
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** process.versions.electron: set only when this code runs inside the desktop app itself. */
  runningElectron?: string | undefined;
  execPath: string;
}

function readPackageVersion(projectRoot: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** Locates the Electron binary the desktop app would start with; absent until its first download. */
export function findElectronBinary(projectRoot: string): string | undefined {
  // electron's own index.js resolves dist/<path.txt> and, when it is missing, starts a download; read it without doing so.
  const pathFile = join(projectRoot, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const full = join(projectRoot, 'node_modules', 'electron', 'dist', rel);
  return rel && existsSync(full) ? full : undefined;
}

export function inspectElectronRuntime(probe: ElectronRuntimeProbe): ElectronRuntime {
  if (probe.runningElectron) return { state: 'running', binaryPath: probe.execPath, version: probe.runningElectron };
  const version = readPackageVersion(probe.projectRoot);
  if (!version) return { state: 'no-package' };
  const binaryPath = findElectronBinary(probe.projectRoot);
  // Electron on Linux needs an X11 or Wayland display; without one it aborts before any window exists, so a
  // headless machine is told so first and never downloads 100 MB it cannot use.
  const headless = probe.platform === 'linux' && !probe.env.DISPLAY && !probe.env.WAYLAND_DISPLAY;
  if (headless) return binaryPath ? { state: 'no-display', binaryPath, version } : { state: 'no-display', version };
  return binaryPath ? { state: 'ready', binaryPath, version } : { state: 'not-downloaded', version };
}

export interface ElectronRuntimeAdvice {
  /** Whether `npm start` opens the desktop window. */
  windowOpens: boolean;
  /** What the machine has, as a clause that completes "… because …". */
  reason: string;
  /** What to run next, as a sentence. */
  next: string;
}

const AIR_GAPPED = 'For a site without internet, carry the installer built by `npm run dist` (see the README).';

export function adviseElectronRuntime(runtime: ElectronRuntime): ElectronRuntimeAdvice {
  switch (runtime.state) {
    case 'running':
      return { windowOpens: true, reason: `this is the desktop app, running on Electron ${runtime.version}`, next: 'Nothing to do.' };
    case 'ready':
      return { windowOpens: true, reason: `Electron ${runtime.version} is installed with its runtime`, next: '`npm start` opens the desktop window.' };
    case 'no-display':
      return {
        windowOpens: false,
        reason: `Electron ${runtime.version} is installed${runtime.binaryPath ? '' : ' (its runtime not downloaded yet)'}, but there is no display here (DISPLAY and WAYLAND_DISPLAY are unset)`,
        next: `Run \`npm start\` from a desktop session for the window${runtime.binaryPath ? '' : ' (it downloads the runtime first, which needs internet once)'}; here it serves the loopback host instead.`,
      };
    case 'not-downloaded':
      return runtime.downloadError
        ? {
            windowOpens: false,
            reason: `the Electron ${runtime.version} runtime could not be downloaded from github.com (${runtime.downloadError})`,
            next: `On a machine with internet, \`npm start\` downloads it once and opens the window. ${AIR_GAPPED}`,
          }
        : {
            windowOpens: false,
            reason: `the Electron ${runtime.version} package is installed but its runtime, which Electron fetches from github.com on first start, is not downloaded yet`,
            next: `With internet, run \`npm start\` (or \`npx install-electron\`) once to download it; without internet \`npm start\` serves Fieldbench in your browser through the loopback host instead. ${AIR_GAPPED}`,
          };
    case 'no-package':
      return {
        windowOpens: false,
        reason: 'the electron package is not installed (npm install was not run here, or ran with --omit=dev)',
        next: 'Run `npm install`. Meanwhile `npx fieldbench serve` gives Fieldbench in your browser.',
      };
  }
}
