/**
 * Worker thread entry for imports: parses one file at a time with parseImportFile and posts back what it
 * found. PKCS#12 and encrypted keys run a KDF (some of it in pure JS inside node-forge), and a bundle of
 * thousands of certificates takes a while to parse; here neither can stall the main event loop, and the
 * main side can terminate the thread when a file overruns its time budget (see import-runner.ts).
 */
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { ImportError } from '@shared/pki-types';
import { parseImportFile, type ImportOptions } from './pki-importer';

export interface ImportJob {
  id: number;
  data: Uint8Array;
  options: ImportOptions;
}

export interface ImportJobResult {
  id: number;
  /** DER of each certificate: the main side rebuilds ParsedCertificate from it. */
  certificates: Uint8Array[];
  /** KeyObjects are cloned across threads by postMessage (Node ≥ 14.5), so no key is ever serialised. */
  keys: KeyObject[];
  errors: ImportError[];
  notes: string[];
}

const port = parentPort;
if (port) {
  port.on('message', (job: ImportJob) => {
    const parsed = parseImportFile(job.data, job.options);
    const result: ImportJobResult = { id: job.id, certificates: parsed.certificates.map((c) => c.der), keys: parsed.keys, errors: parsed.errors, notes: parsed.notes };
    port.postMessage(result);
  });
}
