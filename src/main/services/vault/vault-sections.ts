import { vaultErrors } from './vault-errors';

/** The decrypted body of a vault file. */
export interface VaultDocument {
  version: 1;
  sections: Record<string, unknown>;
}

export const VAULT_DOCUMENT_VERSION = 1;

interface SectionEntry {
  /** Exactly what is on disk for this section; drafts are parsed from it. */
  json: string;
  /** Parsed once and deep-frozen, so readers can share it without copying. */
  value: unknown;
}

/**
 * The in-memory sections of an unlocked vault. Each section is kept both as its JSON text and as a frozen
 * parsed value: saving re-serialises only the section that changed, and what a reader sees is always
 * what a later unlock would read back from disk (no Dates, Maps or undefined that JSON would drop).
 */
export class VaultSections {
  private entries = new Map<string, SectionEntry>();

  /** Builds the sections from a decrypted body; the body must already be validated. */
  static fromDocument(doc: VaultDocument): VaultSections {
    const s = new VaultSections();
    for (const [name, value] of Object.entries(doc.sections)) {
      s.entries.set(name, { json: JSON.stringify(value), value: deepFreeze(value) });
    }
    return s;
  }

  get<T>(name: string, fallback: T): Readonly<T> {
    const e = this.entries.get(name);
    return e === undefined ? fallback : (e.value as Readonly<T>);
  }

  /** A private, mutable copy of a section (or of `fallback`). */
  draft<T>(name: string, fallback: T): T {
    const e = this.entries.get(name);
    return e === undefined ? structuredClone(fallback) : (JSON.parse(e.json) as T);
  }

  /**
   * Serialises a mutated draft. Returns the new section's JSON and the full body text to encrypt; nothing
   * changes in memory until `commit`.
   */
  prepare(name: string, draft: unknown): { sectionJson: string; bodyJson: string } {
    let sectionJson: string | undefined;
    try {
      sectionJson = JSON.stringify(draft);
    } catch (err) {
      throw vaultErrors.invalidSection(name, err);
    }
    if (sectionJson === undefined) throw vaultErrors.invalidSection(name, new Error('the section is not JSON-serialisable'));
    const parts: string[] = [];
    let replaced = false;
    for (const [n, e] of this.entries) {
      if (n === name) {
        parts.push(`${JSON.stringify(n)}:${sectionJson}`);
        replaced = true;
      } else {
        parts.push(`${JSON.stringify(n)}:${e.json}`);
      }
    }
    if (!replaced) parts.push(`${JSON.stringify(name)}:${sectionJson}`);
    return { sectionJson, bodyJson: `{"version":${VAULT_DOCUMENT_VERSION},"sections":{${parts.join(',')}}}` };
  }

  /** Makes a prepared section current (call only after it is safely on disk). */
  commit(name: string, sectionJson: string): void {
    this.entries.set(name, { json: sectionJson, value: deepFreeze(JSON.parse(sectionJson)) });
  }

  /** The full body text, as written on create and on a password change. */
  bodyJson(): string {
    const parts = [...this.entries].map(([n, e]) => `${JSON.stringify(n)}:${e.json}`);
    return `{"version":${VAULT_DOCUMENT_VERSION},"sections":{${parts.join(',')}}}`;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
