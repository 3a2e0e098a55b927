import type { BrowserWindowConstructorOptions } from 'electron';

/** The renderer's origin in the desktop app: a privileged custom scheme instead of file:// (checklist: "do not use file://"). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fieldbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Options of every Fieldbench window. Each webPreferences line names the Electron security checklist item
 * it satisfies; test/unit/security/electron-baseline.test.ts fails if any is changed.
 */
export function mainWindowOptions(preloadPath: string, options: { devTools?: boolean } = {}): BrowserWindowConstructorOptions {
  return {
    width: 1366,
    height: 860,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Fieldbench',
    backgroundColor: '#0f1720',
    autoHideMenuBar: true,
    webPreferences: {
      // Checklist 3: enable context isolation — the page cannot reach preload or Electron internals.
      contextIsolation: true,
      // Checklist 4: enable process sandboxing — the renderer runs with Chromium's OS sandbox.
      sandbox: true,
      // Checklist 2: do not enable Node.js integration for remote (or any) content.
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      // Checklist 6: do not disable webSecurity.
      webSecurity: true,
      // Checklist 8: do not set allowRunningInsecureContent to true.
      allowRunningInsecureContent: false,
      // Checklist 9: do not enable experimental features.
      experimentalFeatures: false,
      // Checklist 10: do not use enableBlinkFeatures.
      enableBlinkFeatures: '',
      // Checklist 11: do not use allowpopups / <webview>.
      webviewTag: false,
      // The only bridge: a bundled preload exposing the contract's names (checklist 20: do not expose Electron APIs).
      preload: preloadPath,
      spellcheck: false,
      // Packaged builds have no DevTools (renderer-source.ts decides); off unless asked for.
      devTools: options.devTools ?? false,
    },
  };
}
