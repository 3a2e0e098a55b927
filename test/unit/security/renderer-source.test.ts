import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendererSource } from '../../../src/main/windows/renderer-source';
import { mainWindowOptions } from '../../../src/main/windows/window-options';

const source = (p: string) => readFileSync(p, 'utf8');
const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));

// Issue 10 row 9: a packaged build honoured ELECTRON_RENDERER_URL (any origin became a trusted IPC sender) and had DevTools on.
describe('packaged and development builds', () => {
  it('a packaged build ignores ELECTRON_RENDERER_URL and has no DevTools', () => {
    for (const url of ['http://localhost:5173', 'https://evil.example/', undefined]) {
      expect(rendererSource(true, { ELECTRON_RENDERER_URL: url })).toEqual({ devServerUrl: undefined, devTools: false });
    }
  });

  it('a development run trusts electron-vite’s dev server on this machine only', () => {
    expect(rendererSource(false, { ELECTRON_RENDERER_URL: 'http://localhost:5173/' })).toEqual({ devServerUrl: 'http://localhost:5173', devTools: true });
    expect(rendererSource(false, { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5174' }).devServerUrl).toBe('http://127.0.0.1:5174');
    expect(rendererSource(false, { ELECTRON_RENDERER_URL: 'http://[::1]:5173' }).devServerUrl).toBe('http://[::1]:5173');
    for (const url of ['https://evil.example/', 'http://192.0.2.7:5173', 'http://localhost.evil.example/', 'file:///tmp/index.html', 'not a url']) {
      expect(rendererSource(false, { ELECTRON_RENDERER_URL: url }).devServerUrl).toBeUndefined();
    }
    expect(rendererSource(false, {})).toEqual({ devServerUrl: undefined, devTools: true });
  });

  it('the window’s DevTools follow the decision and are off by default', () => {
    expect(mainWindowOptions('/p.cjs').webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions('/p.cjs', { devTools: false }).webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions('/p.cjs', { devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('main decides once from app.isPackaged and nothing else in main reads the dev URL', () => {
    expect(source('src/main/index.ts')).toMatch(/rendererSource\(app\.isPackaged, process\.env\)/);
    expect(source('src/main/index.ts')).toMatch(/bindContractToIpc\(context, source\.devServerUrl\)/);
    const readers = files('src/main').filter((f) => source(f).includes('ELECTRON_RENDERER_URL'));
    expect(readers).toEqual([join('src', 'main', 'windows', 'renderer-source.ts')]);
  });

  it('Electron is on a supported major (43–45) and the installed package matches the declared one', () => {
    const pkg = JSON.parse(source('package.json')) as { devDependencies: Record<string, string> };
    const declared = Number(/\d+/.exec(pkg.devDependencies.electron ?? '')?.[0]);
    expect(declared).toBeGreaterThanOrEqual(43);
    expect(declared).toBeLessThanOrEqual(45);
    const installed = (JSON.parse(source('node_modules/electron/package.json')) as { version: string }).version;
    expect(Number(installed.split('.')[0])).toBe(declared);
  });
});
