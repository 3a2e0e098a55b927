import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';
import type { ReportPdfPrinter } from '../../../src/main/runbooks/report-pdf';
import { offscreenPdfPrinter, type PrintWindow } from '../../../src/main/windows/offscreen-pdf-printer';

// The desktop prints the report with Electron's webContents.printToPDF. No Electron binary can run on these
// machines (ENVIRONMENT.md), so the window is injected: the fake records what Electron would be handed and
// returns bytes, and report-print-window.ts (the only Electron-importing part) stays a thin window factory.

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const dir = mkdtempSync(join(tmpdir(), 'fb-pdf-printer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeWindow(opts: { failOn?: 'load' | 'print' } = {}) {
  const seen = { loaded: '' as string, loadedPath: '', closed: 0, opened: 0 };
  const open = (): PrintWindow => {
    seen.opened += 1;
    return {
      async loadFile(path) {
        if (opts.failOn === 'load') throw new Error('ERR_FILE_NOT_FOUND');
        seen.loadedPath = path;
        seen.loaded = readFileSync(path, 'utf8');
      },
      async printToPdf() {
        if (opts.failOn === 'print') throw new Error('Printing failed');
        return Buffer.from(`%PDF-1.7 fake of ${seen.loaded.length} chars`);
      },
      close() {
        seen.closed += 1;
      },
    };
  };
  return { open, seen };
}

describe('the desktop report printer (Electron printToPDF in an offscreen window)', () => {
  it('loads exactly the report HTML, writes the PDF it prints and closes the window and its temp page', async () => {
    const { open, seen } = fakeWindow();
    const out = join(dir, 'one.pdf');
    const html = '<!doctype html><title>Report</title><h1>Plant 7</h1>';
    expect(await offscreenPdfPrinter(open).print(html, out)).toEqual({ ok: true });
    expect(seen.loaded).toBe(html);
    expect(readFileSync(out, 'utf8')).toBe(`%PDF-1.7 fake of ${html.length} chars`);
    expect(seen.closed).toBe(1);
    expect(existsSync(dirname(seen.loadedPath))).toBe(false);
  });

  it('never overwrites a report already written, and says why in a sentence', async () => {
    const { open, seen } = fakeWindow();
    const out = join(dir, 'kept.pdf');
    writeFileSync(out, 'handed over');
    const r = await offscreenPdfPrinter(open).print('<p>new</p>', out);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/^Electron could not print the PDF: .*EEXIST/);
    expect(readFileSync(out, 'utf8')).toBe('handed over');
    expect(seen.closed).toBe(1);
  });

  it.each(['load', 'print'] as const)('a failure to %s leaves no file and closes the window', async (failOn) => {
    const { open, seen } = fakeWindow({ failOn });
    const out = join(dir, `fail-${failOn}.pdf`);
    const r = await offscreenPdfPrinter(open).print('<p>x</p>', out);
    expect(r.ok).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(seen).toMatchObject({ opened: 1, closed: 1 });
  });

  it('is the printer the app saves with: the desktop asks where (save dialog), the same HTML as runbooks.report, never over a file', async () => {
    const printed: string[] = [];
    const { open } = fakeWindow();
    const inner = offscreenPdfPrinter(open);
    const printer: ReportPdfPrinter = { name: inner.name, print: (html, out) => (printed.push(html), inner.print(html, out)) };
    const out = join(dir, 'report.pdf');
    let answer: string | null = out;
    const saveDialog = { chooseFolder: async () => null, chooseFile: async () => answer };
    const dataDir = join(dir, 'data');
    const app = composeApp({ dataDir, runtime: 'electron', vault: { createOptions: WEAK }, reportPrinter: printer, saveDialog });
    try {
      const ok = async (name: string, req: unknown) => {
        const r = await app.dispatcher.dispatch(name as never, req as never, {});
        if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
        return r.value as Record<string, unknown>;
      };
      await ok('vault.create', { password: 'long enough pw' });
      const yaml = 'name: one-root\ntitle: One root\nsteps:\n  - id: root\n    uses: pki.root\n    with: { commonName: Printer Root CA }\n';
      const run = await ok('runbooks.run', { source: { yaml }, params: {}, dryRun: false, confirm: [] });
      expect(run['state']).toBe('done');
      const runId = String(run['id']);
      const r = await ok('runbooks.savePdf', { runId, site: 'Plant 7' });
      const html = (await ok('runbooks.report', { runId, site: 'Plant 7' }))['html'];
      expect(r).toMatchObject({ made: true, savedAs: 'report.pdf', printer: 'Electron' });
      expect(r['url']).toBeUndefined();
      expect(printed).toEqual([html]);
      expect(String(html)).toContain('Printer Root CA');
      expect(readFileSync(out, 'utf8')).toMatch(/^%PDF-/);

      const again = await app.dispatcher.dispatch('runbooks.savePdf', { runId }, {});
      expect(again.ok ? '' : again.error.message).toContain('already exists. Choose a new file name');
      answer = null;
      expect(await ok('runbooks.savePdf', { runId })).toMatchObject({ made: false, reason: expect.stringContaining('cancelled') });
      expect(printed).toHaveLength(1);
      // A window cannot name a path for main to write: that is the command line's alone.
      const byPath = await app.dispatcher.dispatch('runbooks.reportPdf', { runId, out: join(dir, 'other.pdf') }, {});
      expect(byPath.ok ? '' : byPath.error.code).toBe('runbooks.pdfPathRefused');
      expect(existsSync(join(dir, 'other.pdf'))).toBe(false);
    } finally {
      await app.dispose();
    }
    expect(readdirSync(dir)).toContain('report.pdf');
  });

  it('in the loopback host the PDF is a one-time download, and the command line still writes its --pdf path', async () => {
    const { open } = fakeWindow();
    const printer = offscreenPdfPrinter(open);
    const host = composeApp({ dataDir: join(dir, 'host'), runtime: 'loopback-host', vault: { createOptions: WEAK }, reportPrinter: printer });
    const cli = composeApp({ dataDir: join(dir, 'host'), runtime: 'cli', vault: { createOptions: WEAK }, reportPrinter: printer });
    try {
      const ok = async (app: typeof host, name: string, req: unknown) => {
        const r = await app.dispatcher.dispatch(name as never, req as never, {});
        if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
        return r.value as Record<string, unknown>;
      };
      await ok(host, 'vault.create', { password: 'long enough pw' });
      const yaml = 'name: one-root\ntitle: One root\nsteps:\n  - id: root\n    uses: pki.root\n    with: { commonName: Download Root CA }\n';
      const runId = String((await ok(host, 'runbooks.run', { source: { yaml }, params: {}, dryRun: false, confirm: [] }))['id']);
      const r = await ok(host, 'runbooks.savePdf', { runId });
      expect(r).toMatchObject({ made: true, fileName: `commissioning-${runId}.pdf` });
      const id = String(r['url']).split('/').pop()!;
      const taken = host.downloads.take(id);
      expect(Buffer.from(taken!.bytes).toString('utf8')).toMatch(/^%PDF-/);
      expect(host.downloads.take(id)).toBeUndefined();

      await ok(cli, 'vault.unlock', { password: 'long enough pw' });
      const out = join(dir, 'cli-report.pdf');
      expect(await ok(cli, 'runbooks.reportPdf', { runId, out })).toMatchObject({ written: true, path: out });
      expect(readFileSync(out, 'utf8')).toMatch(/^%PDF-/);
    } finally {
      await host.dispose();
      await cli.dispose();
    }
  });
});
