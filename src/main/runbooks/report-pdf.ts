import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export type PdfResult = { ok: true } | { ok: false; reason: string };

/**
 * What turns the report's HTML into a PDF file. Headless Chromium on the loopback host and in the CLI;
 * Electron's own printToPDF on the desktop (src/main/windows/offscreen-pdf-printer.ts), chosen at composition.
 * `out` must not exist yet: a report already handed over is never overwritten.
 */
export interface ReportPdfPrinter {
  /** Which printer, as the person reads it ("Chromium", "Electron"). */
  readonly name: string;
  print(html: string, out: string): Promise<PdfResult>;
}

/** The printer for plain Node (CLI, loopback host): headless Chromium where one is installed. */
export function chromiumPdfPrinter(opts: { chromium?: string | undefined; timeoutMs?: number } = {}): ReportPdfPrinter {
  return { name: 'Chromium', print: (html, out) => printReportPdf(html, out, opts) };
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env['FIELDBENCH_CHROMIUM'];
  if (given && existsSync(given)) return given;
  return CHROMIUMS.find((p) => existsSync(p));
}

/**
 * Prints the report's HTML to PDF with headless Chromium, where one is installed (the desktop app uses
 * Electron's own printToPDF instead). Returns the reason when it cannot, so the caller can say why it wrote
 * HTML only.
 */
export async function printReportPdf(html: string, out: string, opts: { chromium?: string | undefined; timeoutMs?: number } = {}): Promise<PdfResult> {
  const chromium = opts.chromium ?? findChromium();
  if (!chromium) return { ok: false, reason: 'No Chromium is installed on this machine to print the PDF (looked for /usr/bin/chromium and Chrome).' };
  const dir = mkdtempSync(join(tmpdir(), 'fb-report-'));
  try {
    const page = join(dir, 'report.html');
    writeFileSync(page, html, { mode: 0o600 });
    // The flags that keep Chromium off the network and quiet on a closed machine (ENVIRONMENT.md).
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${out}`, pathToFileURL(page).href];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(chromium, args, { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', () => resolve(-1));
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0 || !existsSync(out)) return { ok: false, reason: `Chromium could not print the PDF (exit ${code}).` };
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
