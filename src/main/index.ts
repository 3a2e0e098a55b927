import { app, BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeApp } from './compose';
import { bindContractToIpc } from './ipc/electron-ipc';
import { createMainWindow, hardenDefaultSession } from './windows/main-window';
import { registerAppScheme, serveRendererOverAppScheme } from './windows/app-protocol';
import { rendererSource } from './windows/renderer-source';
import { offscreenPdfPrinter } from './windows/offscreen-pdf-printer';
import { openReportPrintWindow } from './windows/report-print-window';
import { electronSaveDialog } from './windows/electron-save-dialog';

// Electron's desktop entry. Everything it does beyond windows lives in services shared with the CLI and host.
const here = dirname(fileURLToPath(import.meta.url));

registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();

void app.whenReady().then(() => {
  hardenDefaultSession();
  serveRendererOverAppScheme(join(here, '../renderer'));
  const context = composeApp({ dataDir: process.env.FIELDBENCH_DATA_DIR ?? app.getPath('userData'), runtime: 'electron', projectRoot: app.getAppPath(), reportPrinter: offscreenPdfPrinter(openReportPrintWindow), saveDialog: electronSaveDialog() });
  const source = rendererSource(app.isPackaged, process.env);
  bindContractToIpc(context, source.devServerUrl);
  const preloadDir = join(here, '../preload');
  createMainWindow(preloadDir, source);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preloadDir, source);
  });
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('before-quit', () => void context.dispose());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
