import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN, mainWindowOptions } from './window-options';
import { isAllowedExternalUrl, isInAppNavigation } from './navigation-policy';
import type { RendererSource } from './renderer-source';

/** Applies the session-wide parts of the baseline once, before any window exists. */
export function hardenDefaultSession(): void {
  // Checklist 5: handle session permission requests from remote content — deny every permission.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
}

export function createMainWindow(preloadDir: string, source: RendererSource): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(join(preloadDir, 'index.cjs'), { devTools: source.devTools }));
  const devServer = source.devServerUrl;
  // Checklist 13: disable or limit navigation.
  win.webContents.on('will-navigate', (event, url) => {
    if (!isInAppNavigation(url, devServer)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isInAppNavigation(url, devServer)) event.preventDefault();
  });
  // Checklist 14: disable or limit creation of new windows; allowlisted links go to the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // Checklist 12: <webview> is off; refuse attachment anyway should a future change turn the tag on.
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServer ?? `${APP_ORIGIN}/index.html`);
  return win;
}
