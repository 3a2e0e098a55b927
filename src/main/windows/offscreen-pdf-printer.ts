import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PdfResult, ReportPdfPrinter } from '../runbooks/report-pdf';

/**
 * The part of an offscreen BrowserWindow the printer uses. report-print-window.ts makes the real one; this
 * file stays free of the `electron` import so the unit tests can drive it (no Electron binary can run here).
 */
export interface PrintWindow {
  loadFile(path: string): Promise<void>;
  printToPdf(): Promise<Uint8Array>;
  close(): void;
}

/**
 * The desktop's report printer: the same HTML the CLI hands headless Chromium, loaded into an offscreen window
 * and printed by Electron's webContents.printToPDF, so the desktop needs no Chromium of its own on the machine.
 */
export function offscreenPdfPrinter(openWindow: () => PrintWindow): ReportPdfPrinter {
  return {
    name: 'Electron',
    async print(html: string, out: string): Promise<PdfResult> {
      const dir = mkdtempSync(join(tmpdir(), 'fb-report-'));
      let win: PrintWindow | undefined;
      try {
        const page = join(dir, 'report.html');
        writeFileSync(page, html, { mode: 0o600 });
        win = openWindow();
        await win.loadFile(page);
        const pdf = await win.printToPdf();
        // 'wx': a report already handed to a customer is never overwritten by a later print.
        writeFileSync(out, pdf, { flag: 'wx', mode: 0o644 });
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: `Electron could not print the PDF: ${err instanceof Error ? err.message : String(err)}.` };
      } finally {
        win?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
