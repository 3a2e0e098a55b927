import type { Worker } from 'node:worker_threads';
import { FieldbenchError, describeCause } from '@shared/errors';
import type { ImportJob, ImportJobResult } from './import-worker';
import { cancelledError } from './key-generator';
import { ParsedCertificate } from './parsed-certificate';
import { startWorkerThread } from '../worker-thread';
import type { ImportOptions, ParsedImport } from './pki-importer';

/**
 * Longest one file may take. Real certificate, key and PKCS#12 files open in well under a second; the
 * costliest file the iteration caps let through (2,000,000 PKCS#12-KDF iterations, run in pure JS by
 * node-forge) takes about 12 s on the reference machine, so this leaves room for a slow laptop.
 */
export const IMPORT_BUDGET_MS = 30_000;

export interface OffThreadOptions {
  /** Overrides IMPORT_BUDGET_MS (tests, and callers with a tighter deadline). */
  budgetMs?: number;
  signal?: AbortSignal;
  /** Names the file in the cancel sentence. */
  what?: string;
}

interface Pending {
  job: ImportJob;
  budgetMs: number;
  signal: AbortSignal | undefined;
  what: string;
  resolve: (r: ParsedImport) => void;
  reject: (e: unknown) => void;
}

/**
 * One worker thread for every import of this process, started on first use and replaced whenever a file
 * overruns its budget or is cancelled (terminate() stops even a tight pure-JS loop; the native KDFs are
 * bounded by the iteration caps). Files are parsed one at a time, in order; the main thread only waits.
 */
class ImportThread {
  private worker: Worker | undefined;
  private readonly queue: Pending[] = [];
  private current: (Pending & { timer: NodeJS.Timeout; onAbort: () => void }) | undefined;
  private nextId = 1;

  run(data: Uint8Array, options: ImportOptions, opts: OffThreadOptions): Promise<ParsedImport> {
    const what = opts.what ?? 'Reading the file';
    if (opts.signal?.aborted) return Promise.reject(cancelledError(what));
    return new Promise((resolve, reject) => {
      // A copy: the caller's buffer may be a view on a larger pool, and the copy can be transferred.
      const job: ImportJob = { id: this.nextId++, data: new Uint8Array(data), options };
      this.queue.push({ job, budgetMs: opts.budgetMs ?? IMPORT_BUDGET_MS, signal: opts.signal, what, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current) return;
    const next = this.queue.shift();
    if (!next) {
      this.worker?.unref(); // idle: never keep a CLI process alive
      return;
    }
    if (next.signal?.aborted) {
      next.reject(cancelledError(next.what));
      this.pump();
      return;
    }
    const worker = this.ensureWorker();
    worker.ref(); // busy: the process must wait for the answer
    const timer = setTimeout(() => this.finish(() => next.resolve(overBudget(next.budgetMs)), true), next.budgetMs);
    const onAbort = () => this.finish(() => next.reject(cancelledError(next.what)), true);
    next.signal?.addEventListener('abort', onAbort, { once: true });
    this.current = { ...next, timer, onAbort };
    worker.postMessage(next.job, [next.job.data.buffer as ArrayBuffer]);
  }

  private finish(settle: () => void, kill: boolean): void {
    const c = this.current;
    if (!c) return;
    clearTimeout(c.timer);
    c.signal?.removeEventListener('abort', c.onAbort);
    this.current = undefined;
    if (kill) this.discardWorker();
    settle();
    this.pump();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.on('message', (r: ImportJobResult) => {
      const c = this.current;
      if (!c || c.job.id !== r.id) return;
      this.finish(() => c.resolve(rebuild(r)), false);
    });
    const lost = (err: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const c = this.current;
      if (c) this.finish(() => c.resolve(failed(err)), false);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`import worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private discardWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}

const shared = new ImportThread();

/**
 * parseImportFile in a worker thread, with a time budget and cancellation. Resolves like parseImportFile
 * (problems are entries in `errors`, including an overrun budget); rejects only with 'cancelled'.
 */
export function parseImportFileOffThread(data: Uint8Array | string, options: ImportOptions = {}, opts: OffThreadOptions = {}): Promise<ParsedImport> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return shared.run(bytes, options, opts);
}

function rebuild(r: ImportJobResult): ParsedImport {
  return { certificates: r.certificates.map((der) => new ParsedCertificate(der)), keys: r.keys, errors: r.errors, notes: r.notes };
}

function overBudget(ms: number): ParsedImport {
  const seconds = Math.round(ms / 100) / 10;
  return {
    certificates: [],
    keys: [],
    notes: [],
    errors: [
      {
        code: 'pki.import.too-slow',
        message: `Reading this file took longer than ${seconds} s, so Fieldbench stopped it; certificate and key files open in well under a second. If the file is genuine, export it again with default settings.`,
      },
    ],
  };
}

function failed(err: unknown): ParsedImport {
  const detail = describeCause(err);
  return {
    certificates: [],
    keys: [],
    notes: [],
    errors: [{ code: 'pki.import.failed', message: `The file could not be read: the reader stopped unexpectedly${detail ? ` (${detail.slice(0, 120)})` : ''}. Try again; if it happens again, report it.` }],
  };
}

/**
 * The built app ships the worker as its own entry (out/main/pki-import-worker.js, next to the entry that
 * imports this module or one folder up from a shared chunk). From source (tests, tsx) the TypeScript
 * entry is loaded through tsx, which the thread must register itself.
 */
function startWorker(): Worker {
  try {
    return startWorkerThread(import.meta.url, './import-worker.ts', ['pki-import-worker.js']);
  } catch {
    throw new FieldbenchError('internal', 'The import reader (pki-import-worker.js) is missing from this build of Fieldbench. Reinstall Fieldbench.');
  }
}
