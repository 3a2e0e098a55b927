import type { ImportFileResult } from '@shared/pki-types';
import { roleOf } from '@shared/pki-rules';
import { publicKeyId, throwIfAborted, type CancelOptions } from './key-generator';
import { parseImportFileOffThread } from './import-runner';
import { PKI_SECTION, certificateIdFor } from './pki-section';
import { addCertificate, type PkiCatalog } from './pki-catalog';

export interface ImportInput {
  fileName: string;
  data: Uint8Array | string;
  passphrase?: string;
}

/**
 * Imports files (PEM/DER certificates and bundles, PKCS#1/PKCS#8/SEC1 keys, encrypted keys, PKCS#12).
 * Each file gets its own result; a file with errors still imports what it could read. The vault is not
 * written for a file that yields nothing.
 */
export async function importFiles(catalog: PkiCatalog, files: readonly ImportInput[], op: CancelOptions = {}): Promise<ImportFileResult[]> {
  const results: ImportFileResult[] = [];
  for (const [i, file] of files.entries()) {
    throwIfAborted(op.signal, 'The import');
    op.progress?.(`Reading ${file.fileName}…`, i / files.length);
    results.push(await importFile(catalog, file, op.signal));
  }
  return results;
}

/** Imports one file; see importFiles. */
export async function importFile(catalog: PkiCatalog, file: ImportInput, signal?: AbortSignal): Promise<ImportFileResult> {
  const parsed = await parseImportFileOffThread(file.data, file.passphrase === undefined ? {} : { passphrase: file.passphrase }, { ...(signal ? { signal } : {}), what: `Reading ${file.fileName}` });
  const result: ImportFileResult = {
    fileName: file.fileName,
    certificatesImported: 0,
    keysImported: 0,
    duplicates: 0,
    keysMatched: 0,
    keysUnmatched: 0,
    certificateIds: [],
    errors: parsed.errors,
    notes: parsed.notes,
  };
  if (parsed.certificates.length === 0 && parsed.keys.length === 0) return result;
  catalog.vault.getSection(PKI_SECTION, null); // fail fast with 'vault.locked' before doing any work
  const keys = parsed.keys.map((k) => ({ id: publicKeyId(k), pkcs8Pem: k.export({ format: 'pem', type: 'pkcs8' }).toString() }));
  const createdAt = catalog.now().toISOString();
  await catalog.update((draft) => {
    const known = new Set(Object.values(draft.certificates).map((c) => c.sha256));
    for (const cert of parsed.certificates) {
      const id = certificateIdFor(cert.sha256Hex);
      if (!result.certificateIds.includes(id)) result.certificateIds.push(id);
      if (known.has(cert.sha256Hex)) {
        result.duplicates++;
        continue;
      }
      known.add(cert.sha256Hex);
      addCertificate(draft, cert, roleOf(cert), 'imported', createdAt, null, null);
      result.certificatesImported++;
    }
    const allCertKeyIds = new Set<string>();
    for (const c of Object.values(draft.certificates)) allCertKeyIds.add(catalog.parse(c).publicKeyId);
    for (const key of keys) {
      if (draft.keys[key.id]) result.duplicates++;
      else {
        draft.keys[key.id] = { id: key.id, pkcs8Pem: key.pkcs8Pem, createdAt };
        result.keysImported++;
      }
      if (allCertKeyIds.has(key.id)) result.keysMatched++;
      else result.keysUnmatched++;
    }
  });
  return result;
}
