import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../../src/main/windows/window-options';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../../src/main/security/content-security-policy';
import { isAllowedExternalUrl, isTrustedSenderUrl } from '../../../src/main/windows/navigation-policy';

const source = (p: string) => readFileSync(p, 'utf8');

describe('Electron security baseline', () => {
  const prefs = mainWindowOptions('/app/out/preload/index.cjs').webPreferences ?? {};

  it('isolates and sandboxes the renderer', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.enableBlinkFeatures ?? '').toBe('');
  });

  it('loads a bundled preload from the build folder', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(source('electron.vite.config.ts')).toMatch(/format: 'cjs'/);
    expect(source('electron.vite.config.ts')).toMatch(/externalizeDeps: false/);
  });

  it('has a strict CSP with no remote or inline sources', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => { const [k, ...v] = d.trim().split(/\s+/); return [k, v] as const; }));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    // The page carries the same policy as a meta tag, for the dev server that does not send our headers.
    const meta = source('src/renderer/index.html').match(/Content-Security-Policy" content="([^"]+)"/)?.[1] ?? '';
    expect(meta).toMatch(/default-src 'self'/);
    expect(meta).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('serves the renderer over app:// instead of file://', () => {
    expect(source('src/main/windows/app-protocol.ts')).toMatch(/registerSchemesAsPrivileged/);
    expect(source('src/main/windows/main-window.ts')).toMatch(/loadURL\(devServer \?\? `\$\{APP_ORIGIN\}/);
    expect(source('src/main/windows/main-window.ts')).not.toMatch(/loadFile|file:\/\//);
  });

  it('denies navigation, new windows and every permission', () => {
    const win = source('src/main/windows/main-window.ts');
    expect(win).toMatch(/'will-navigate'[\s\S]*?preventDefault/);
    expect(win).toMatch(/setWindowOpenHandler[\s\S]*?action: 'deny'/);
    expect(win).toMatch(/setPermissionRequestHandler\(\(_wc, _permission, callback\) => callback\(false\)\)/);
    expect(win).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    expect(isAllowedExternalUrl('https://learn.microsoft.com/azure/iot-operations/')).toBe(true);
    expect(isAllowedExternalUrl('http://learn.microsoft.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
  });

  it('checks the sender of every IPC call', () => {
    expect(isTrustedSenderUrl('app://fieldbench/index.html', undefined)).toBe(true);
    expect(isTrustedSenderUrl('https://fieldbench/index.html', undefined)).toBe(false);
    expect(isTrustedSenderUrl('file:///etc/passwd', undefined)).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/', undefined)).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    const ipc = source('src/main/ipc/electron-ipc.ts');
    const handlers = ipc.match(/ipcMain\.(handle|on)\(/g) ?? [];
    const guarded = ipc.match(/ipcMain\.(handle|on)\([^,]+, (async )?\(e[^)]*\) => \{\s+if \(!trusted\(e\)\)/g) ?? [];
    expect(handlers.length).toBeGreaterThan(0);
    expect(guarded.length).toBe(handlers.length);
  });

  it('flips the Electron fuses in the packaging config', () => {
    const builder = parse(source('electron-builder.yml')) as Record<string, unknown>;
    const fuses = builder.electronFuses as Record<string, boolean>;
    expect(fuses.runAsNode).toBe(false);
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe(false);
    expect(fuses.enableNodeCliInspectArguments).toBe(false);
    expect(fuses.enableEmbeddedAsarIntegrityValidation).toBe(true);
    expect(fuses.onlyLoadAppFromAsar).toBe(true);
    expect(builder.appId).toMatch(/^[a-z0-9.]+$/);
    const targets = (k: string) => JSON.stringify((builder[k] as { target: unknown }).target);
    expect(targets('linux')).toMatch(/AppImage/);
    expect(targets('linux')).toMatch(/deb/);
    expect(targets('win')).toMatch(/nsis/);
    expect(targets('mac')).toMatch(/dmg/);
  });
});
