import type { StateCreator } from 'zustand';
import { PKI_MAX_IMPORT_BASE64_TOTAL, PKI_MAX_IMPORT_BYTES, PKI_MAX_IMPORT_FILES } from '@shared/contract/pki-contract';
import type { ImportFileResult } from '@shared/pki-types';
import { useJobsStore } from '../../core/use-jobs-store';
import type { VaultState, ImportRow, ImportSlice } from './vault-state';

const PASSPHRASE_CODES = new Set(['pki.import.passphrase-required', 'pki.import.bad-passphrase']);

// File handles (not their bytes) of rows that wait for a passphrase, so a retry reads the file again
// instead of the store holding an encrypted key. Outside zustand state on purpose.
const waitingFiles = new Map<string, File>();
let rowCounter = 0;

function toRow(result: ImportFileResult, triedPassphrase: boolean): ImportRow {
  const needsPassphrase = result.errors.some((e) => PASSPHRASE_CODES.has(e.code));
  return { ...result, key: `import-${++rowCounter}`, needsPassphrase, passphraseRejected: needsPassphrase && triedPassphrase };
}

function localFailure(fileName: string, code: string, message: string): ImportFileResult {
  return { fileName, certificatesImported: 0, keysImported: 0, duplicates: 0, keysMatched: 0, keysUnmatched: 0, certificateIds: [], errors: [{ code, message }], notes: [] };
}

/** Base64 without a data: URL round trip; chunked so a multi-megabyte file does not overflow the call stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

async function readBytes(file: File): Promise<Uint8Array> {
  if (typeof file.arrayBuffer === 'function') return new Uint8Array(await file.arrayBuffer());
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsArrayBuffer(file);
  });
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
}

interface Encoded {
  file: File;
  name: string;
  dataBase64: string;
  passphrase?: string;
}

export const createImportSlice: StateCreator<VaultState, [], [], ImportSlice> = (set, get) => {
  const send = async (batch: Encoded[], triedPassphrase: boolean): Promise<ImportRow[]> => {
    const files = batch.map((f) => ({ name: f.name, dataBase64: f.dataBase64, ...(f.passphrase === undefined ? {} : { passphrase: f.passphrase }) }));
    const result = await useJobsStore.getState().run('pki.import', { files }, 'Importing files', (jobId) => set({ importJobId: jobId }));
    const jobId = get().importJobId;
    if (jobId) useJobsStore.getState().forget(jobId);
    set({ importJobId: undefined });
    if (!result.ok) {
      const message = result.error.code === 'cancelled' ? 'Cancelled before this file was read. Import it again.' : result.error.message;
      return batch.map((f) => toRow(localFailure(f.name, result.error.code, message), false));
    }
    return result.value.results.map((r, i) => {
      const row = toRow(r, triedPassphrase);
      const source = batch[i]?.file;
      if (row.needsPassphrase && source) waitingFiles.set(row.key, source);
      return row;
    });
  };

  return {
    importing: false,
    importJobId: undefined,
    importRows: [],

    importFiles: async (files) => {
      if (files.length === 0 || get().importing) return;
      const maxBytes = get().defaults?.maxImportBytes ?? PKI_MAX_IMPORT_BYTES;
      const maxFiles = get().defaults?.maxImportFiles ?? PKI_MAX_IMPORT_FILES;
      // A new action replaces the last one's notice, so what is on screen is about what just happened.
      set({ importing: true, importRows: [], notice: undefined });
      const rows: ImportRow[] = [];
      const ready: Encoded[] = [];
      for (const file of files) {
        if (file.size === 0) rows.push(toRow(localFailure(file.name, 'local.empty', `${file.name} is empty. Check that you picked the right file.`), false));
        else if (file.size > maxBytes) rows.push(toRow(localFailure(file.name, 'local.too-large', `${file.name} is ${formatMb(file.size)}; Fieldbench imports certificate and key files up to ${formatMb(maxBytes)}. Check that you picked the right file.`), false));
        else {
          try {
            ready.push({ file, name: file.name.slice(0, 255) || 'file', dataBase64: bytesToBase64(await readBytes(file)) });
          } catch (err) {
            rows.push(toRow(localFailure(file.name, 'local.unreadable', `${file.name} could not be read (${err instanceof Error ? err.message : 'unknown reason'}). Check that the file is still there and try again.`), false));
          }
        }
      }
      // main accepts at most maxFiles files and 24 MB of Base64 per call: split bigger drops.
      let batch: Encoded[] = [];
      let batchChars = 0;
      for (const f of ready) {
        if (batch.length > 0 && (batch.length >= maxFiles || batchChars + f.dataBase64.length > PKI_MAX_IMPORT_BASE64_TOTAL)) {
          rows.push(...(await send(batch, false)));
          batch = [];
          batchChars = 0;
        }
        batch.push(f);
        batchChars += f.dataBase64.length;
      }
      if (batch.length > 0) rows.push(...(await send(batch, false)));
      set({ importing: false, importRows: rows });
      if (rows.some((r) => r.certificatesImported + r.keysImported > 0)) {
        await get().refreshPki();
        const firstId = rows.flatMap((r) => r.certificateIds)[0];
        if (firstId) await get().select(firstId);
      }
    },

    retryWithPassphrase: async (key, passphrase) => {
      const file = waitingFiles.get(key);
      if (!file || get().importing) return;
      set({ importing: true });
      let replacement: ImportRow[];
      try {
        replacement = await send([{ file, name: file.name, dataBase64: bytesToBase64(await readBytes(file)), passphrase }], true);
      } catch {
        replacement = [toRow(localFailure(file.name, 'local.unreadable', `${file.name} could not be read again. Pick it again with Import files.`), false)];
      }
      waitingFiles.delete(key);
      set((s) => ({ importing: false, importRows: s.importRows.flatMap((r) => (r.key === key ? replacement : [r])) }));
      if (replacement.some((r) => r.certificatesImported + r.keysImported > 0)) await get().refreshPki();
    },

    cancelImport: async () => {
      const jobId = get().importJobId;
      if (jobId) await useJobsStore.getState().cancel(jobId);
    },

    dismissImport: () => {
      waitingFiles.clear();
      set({ importRows: [] });
    },
  };
};
