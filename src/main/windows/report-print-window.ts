import { BrowserWindow } from 'electron';
import type { PrintWindow } from './offscreen-pdf-printer';

/**
 * An offscreen window that only renders the report for printing. Electron-only: it cannot run on the
 * machines the tests use (no Electron binary there), so offscreen-pdf-printer.ts carries the logic the unit
 * test checks and this file only opens the window.
 */
export function openReportPrintWindow(): PrintWindow {
  const win = new BrowserWindow({
    show: false,
    // A4 at 96 dpi, so layout matches what Chromium prints in the CLI.
    width: 794,
    height: 1123,
    webPreferences: {
      offscreen: true,
      // Checklist 2–4: the report is static HTML: no Node, isolated, sandboxed, and no script at all.
      nodeIntegration: false,
      contextIsolation: true,
      sandbox: true,
      javascript: false,
      webSecurity: true,
      // Its own in-memory session: nothing the report page does touches the app's session.
      partition: 'fieldbench-report-print',
    },
  });
  // Checklist 13/14: the report page never navigates or opens windows.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  return {
    loadFile: (path) => win.loadFile(path),
    printToPdf: async () => win.webContents.printToPDF({ printBackground: true, pageSize: 'A4', displayHeaderFooter: false }),
    close: () => {
      if (!win.isDestroyed()) win.destroy();
    },
  };
}
