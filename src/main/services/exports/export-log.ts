import type { ExportLogEntryT } from '@shared/contract/exports-contract';
import type { ExportLog } from './export-engine';

export const EXPORTS_SECTION = 'exports';
/** Enough for years of field work; the oldest entries go first. */
const LOG_LIMIT = 2000;

interface ExportsSection {
  version: 1;
  log: ExportLogEntryT[];
}

/** The vault's section access, as VaultSession offers it. */
export interface SectionStore {
  getSection<T>(name: string, fallback: T): Readonly<T>;
  updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R>;
}

/** The export log in the vault: which keys left, for which target, to which folder; names only, never material. */
export class VaultExportLog implements ExportLog {
  constructor(private readonly vault: SectionStore) {}

  async record(entry: ExportLogEntryT): Promise<void> {
    await this.vault.updateSection<ExportsSection, void>(EXPORTS_SECTION, { version: 1, log: [] }, (d) => {
      d.log.push(entry);
      if (d.log.length > LOG_LIMIT) d.log.splice(0, d.log.length - LOG_LIMIT);
    });
  }

  list(limit: number): ExportLogEntryT[] {
    return this.vault.getSection<ExportsSection>(EXPORTS_SECTION, { version: 1, log: [] }).log.slice(-limit);
  }
}
