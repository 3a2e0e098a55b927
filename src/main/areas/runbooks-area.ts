import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { EXPORT_DOWNLOAD_PATH } from '@shared/contract/exports-contract';
import type { OneTimeDownloads } from '../services/exports/one-time-downloads';
import { FieldbenchError } from '@shared/errors';
import type { Area, AreaDeps, AreaHandlers } from '../area';
import type { Dispatcher } from '../ipc/dispatcher';
import { BUILTIN_RUNBOOKS } from '../runbooks/builtin-runbooks';
import { buildReport } from '../runbooks/commissioning-report';
import { chromiumPdfPrinter } from '../runbooks/report-pdf';
import { runbookInfo } from '../runbooks/runbook-document';
import { RunbookEngine } from '../runbooks/runbook-engine';
import { builtInSteps } from '../runbooks/step-registry';
import type { Caller } from '../runbooks/step-kind';

export type RunbooksHandlers = AreaHandlers<'runbooks'>;

/**
 * Wires the runbook engine. Its steps reach the other areas through the dispatcher, so every step call is
 * validated like a UI or CLI call and lands in the same services (and the same activity log).
 */
export function createRunbooksArea(deps: AreaDeps, getDispatcher: () => Dispatcher, downloads?: () => OneTimeDownloads): Area<RunbooksHandlers, RunbookEngine> {
  const call = (signal?: AbortSignal): Caller =>
    (async (name, request, options?: { progress?: (message: string) => void }) => {
      const r = await getDispatcher().dispatch(name, request, { ...(signal ? { signal } : {}), ...(options?.progress ? { progress: options.progress } : {}) });
      if (!r.ok) throw new FieldbenchError(r.error.code, r.error.message, r.error.detail ? { detail: r.error.detail } : {});
      return r.value;
    }) as Caller;
  let current: AbortSignal | undefined;
  const printer = deps.env.reportPrinter ?? chromiumPdfPrinter();
  const engine = new RunbookEngine({
    store: deps.vault,
    kinds: builtInSteps(),
    builtIns: BUILTIN_RUNBOOKS,
    // The running job's signal reaches the nested calls, so cancelling a run stops the step's own work.
    call: ((name, request, options) => call(current)(name, request, options)) as Caller,
    emit: (p) => deps.hub.emit('runbooks.onProgress', p),
  });
  const withSignal = async <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    const before = current;
    current = signal;
    try {
      return await work();
    } finally {
      current = before;
    }
  };
  const nodeName = async (ref: unknown) => {
    if (typeof ref !== 'string') return undefined;
    try {
      const { nodes } = await call()('edge.listNodes', {});
      return nodes.find((n) => n.id === ref || n.name === ref)?.name ?? ref;
    } catch {
      return ref;
    }
  };
  const handlers: RunbooksHandlers = {
    'runbooks.list': () => ({ runbooks: engine.list().map((r) => runbookInfo(r.runbook, r.builtIn)) }),
    'runbooks.show': (req) => {
      const r = engine.find(req.name);
      return { info: runbookInfo(r.runbook, r.builtIn), yaml: r.runbook.yaml };
    },
    'runbooks.validate': (req) => engine.validate(req.yaml),
    'runbooks.save': (req) => engine.save(req.yaml),
    'runbooks.run': (req, ctx) =>
      withSignal(ctx.signal, () =>
        engine.start(req.source, { params: req.params, dryRun: req.dryRun, confirm: req.confirm, technician: req.technician, pauseAfter: req.pauseAfter, signal: ctx.signal, progress: ctx.progress }),
      ),
    'runbooks.resume': (req, ctx) => withSignal(ctx.signal, () => engine.resume(req.runId, { confirm: req.confirm, pauseAfter: req.pauseAfter, signal: ctx.signal, progress: ctx.progress })),
    'runbooks.pause': (req) => ({ runId: req.runId, pausing: engine.pause(req.runId) }),
    'runbooks.runs': async (req) => {
      const runs = [];
      for (const r of engine.runs()) {
        const node = await nodeName(r.params['node']);
        if (req.node && node !== req.node && r.params['node'] !== req.node) continue;
        runs.push({ id: r.id, runbook: r.runbook, title: r.title, state: r.state, createdAt: r.createdAt, updatedAt: r.updatedAt, changed: r.changed, dryRun: r.dryRun, ...(node ? { node } : {}), signed: Boolean(r.signedOff) });
      }
      return { runs: runs.reverse() };
    },
    'runbooks.getRun': (req) => engine.getRun(req.runId),
    'runbooks.report': async (req) => {
      const run = engine.getRun(req.runId);
      return buildReport(run, call(), { site: req.site, nodeName: await nodeName(run.params['node']) });
    },
    'runbooks.reportPdf': async (req) => {
      // A path chosen by a page would let it make main write anywhere: the app saves through runbooks.savePdf.
      if (deps.env.runtime !== 'cli') throw new FieldbenchError('runbooks.pdfPathRefused', 'Only the command line names a PDF path (fieldbench runbook report --pdf FILE). In the app, use Save report (PDF).');
      if (!isAbsolute(req.out) || !/\.pdf$/i.test(req.out)) throw new FieldbenchError('runbooks.pdfPath', `"${req.out}" is not a full path to a .pdf file. Give one such as /home/tech/plant7-report.pdf.`);
      if (existsSync(req.out)) throw new FieldbenchError('runbooks.pdfExists', `${req.out} already exists. Choose a new file name: a report already handed over is never overwritten.`);
      const run = engine.getRun(req.runId);
      const report = await buildReport(run, call(), { site: req.site, nodeName: await nodeName(run.params['node']) });
      const r = await printer.print(report.html, req.out);
      return { written: r.ok, path: req.out, printer: printer.name, fingerprint: report.fingerprint, ...(r.ok ? {} : { reason: `${r.reason} The HTML report has the same content.` }) };
    },
    'runbooks.savePdf': async (req) => {
      const run = engine.getRun(req.runId);
      const report = await buildReport(run, call(), { site: req.site, nodeName: await nodeName(run.params['node']) });
      const fileName = `commissioning-${run.id}.pdf`;
      const base = { fileName, printer: printer.name, fingerprint: report.fingerprint };
      if (deps.env.runtime === 'electron' && deps.env.saveDialog) {
        const path = await deps.env.saveDialog.chooseFile({ title: 'Save the commissioning report', buttonLabel: 'Save PDF', defaultName: fileName });
        if (!path) return { ...base, made: false, reason: 'Nothing was saved: the save dialog was cancelled.' };
        if (existsSync(path)) throw new FieldbenchError('runbooks.pdfExists', `${path} already exists. Choose a new file name: a report already handed over is never overwritten.`);
        const r = await printer.print(report.html, path);
        return r.ok ? { ...base, made: true, savedAs: basename(path) } : { ...base, made: false, reason: `${r.reason} The HTML report has the same content.` };
      }
      const store = downloads?.();
      if (deps.env.runtime !== 'loopback-host' || !store) throw new FieldbenchError('runbooks.pdfUnavailable', 'Here the PDF is written by the command line: fieldbench runbook report --pdf FILE.');
      // Printed to a private scratch folder, handed over once, then gone: the page never holds a path or the bytes.
      const scratch = mkdtempSync(join(tmpdir(), 'fieldbench-report-'));
      try {
        const out = join(scratch, fileName);
        const r = await printer.print(report.html, out);
        if (!r.ok) return { ...base, made: false, reason: `${r.reason} Save the HTML report instead; it has the same content.` };
        const id = store.add({ fileName, bytes: new Uint8Array(readFileSync(out)), secret: false });
        return { ...base, made: true, url: `${EXPORT_DOWNLOAD_PATH}${id}` };
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    'runbooks.signOff': (req) => engine.signOff(req.runId, req.technician, req.witness),
    'runbooks.verify': (req, ctx) => withSignal(ctx.signal, () => engine.verify(req.runId, ctx.signal)),
  };
  return { handlers, service: engine };
}
