import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviseElectronRuntime, inspectElectronRuntime, type ElectronRuntimeProbe } from '../../../src/main/services/app/electron-runtime';

// Real folders laid out the way npm and electron's install.js leave them, one per situation a machine can be in.
function project(layout: { pkg?: string; pathTxt?: string; binary?: string }): string {
  const root = mkdtempSync(join(tmpdir(), 'fb-electron-runtime-'));
  const dir = join(root, 'node_modules', 'electron');
  if (layout.pkg) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: layout.pkg }));
  }
  if (layout.pathTxt) writeFileSync(join(dir, 'path.txt'), layout.pathTxt);
  if (layout.binary) {
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist', layout.binary), '#!/bin/sh\n');
    chmodSync(join(dir, 'dist', layout.binary), 0o755);
  }
  return root;
}

const probe = (projectRoot: string, over: Partial<ElectronRuntimeProbe> = {}): ElectronRuntimeProbe => ({
  projectRoot,
  env: { DISPLAY: ':0' },
  platform: 'linux',
  execPath: '/usr/bin/node',
  ...over,
});

describe('which Electron situation a machine is in', () => {
  it('package installed without its binary (npm install on a machine that reaches only the registry)', () => {
    const runtime = inspectElectronRuntime(probe(project({ pkg: '44.11.5' })));
    expect(runtime).toEqual({ state: 'not-downloaded', version: '44.11.5' });
    const advice = adviseElectronRuntime(runtime);
    expect(advice.windowOpens).toBe(false);
    expect(advice.reason).toMatch(/Electron 44\.11\.5 package is installed but its runtime.* is not downloaded yet/);
    expect(advice.next).toMatch(/`npm start`.*once/);
    expect(advice.next).toMatch(/npm run dist/);
  });

  it('a path.txt whose binary is gone counts as not downloaded, not as ready', () => {
    expect(inspectElectronRuntime(probe(project({ pkg: '44.11.5', pathTxt: 'electron' }))).state).toBe('not-downloaded');
  });

  it('a failed download is named with its cause', () => {
    const advice = adviseElectronRuntime({ state: 'not-downloaded', version: '44.11.5', downloadError: 'TypeError: fetch failed' });
    expect(advice.windowOpens).toBe(false);
    expect(advice.reason).toBe('the Electron 44.11.5 runtime could not be downloaded from github.com (TypeError: fetch failed)');
    expect(advice.next).toMatch(/On a machine with internet, `npm start` downloads it once/);
  });

  it('binary present with a display opens the window', () => {
    const root = project({ pkg: '44.11.5', pathTxt: 'electron', binary: 'electron' });
    const runtime = inspectElectronRuntime(probe(root));
    expect(runtime).toEqual({ state: 'ready', binaryPath: join(root, 'node_modules', 'electron', 'dist', 'electron'), version: '44.11.5' });
    expect(adviseElectronRuntime(runtime).windowOpens).toBe(true);
    expect(inspectElectronRuntime(probe(root, { env: { WAYLAND_DISPLAY: 'wayland-0' } })).state).toBe('ready');
  });

  it('binary present but no display on Linux serves the loopback host instead', () => {
    const root = project({ pkg: '44.11.5', pathTxt: 'electron', binary: 'electron' });
    const runtime = inspectElectronRuntime(probe(root, { env: {} }));
    expect(runtime.state).toBe('no-display');
    const advice = adviseElectronRuntime(runtime);
    expect(advice.windowOpens).toBe(false);
    expect(advice.reason).toMatch(/no display here \(DISPLAY and WAYLAND_DISPLAY are unset\)/);
    // macOS and Windows have no DISPLAY variable and always have a desktop.
    expect(inspectElectronRuntime(probe(root, { env: {}, platform: 'darwin' })).state).toBe('ready');
  });

  it('a headless machine without the runtime is told about the display first, so npm start downloads nothing', () => {
    const runtime = inspectElectronRuntime(probe(project({ pkg: '44.11.5' }), { env: {} }));
    expect(runtime).toEqual({ state: 'no-display', version: '44.11.5' });
    const advice = adviseElectronRuntime(runtime);
    expect(advice.windowOpens).toBe(false);
    expect(advice.reason).toBe('Electron 44.11.5 is installed (its runtime not downloaded yet), but there is no display here (DISPLAY and WAYLAND_DISPLAY are unset)');
    expect(advice.next).toMatch(/downloads the runtime first/);
  });

  it('no electron package at all says to run npm install', () => {
    const runtime = inspectElectronRuntime(probe(project({})));
    expect(runtime).toEqual({ state: 'no-package' });
    expect(adviseElectronRuntime(runtime).next).toMatch(/^Run `npm install`/);
  });

  it('inside the desktop app it reports the running Electron, whatever node_modules holds', () => {
    const runtime = inspectElectronRuntime(probe(project({}), { runningElectron: '44.11.5', execPath: '/opt/Fieldbench/fieldbench' }));
    expect(runtime).toEqual({ state: 'running', binaryPath: '/opt/Fieldbench/fieldbench', version: '44.11.5' });
    expect(adviseElectronRuntime(runtime).windowOpens).toBe(true);
  });
});
