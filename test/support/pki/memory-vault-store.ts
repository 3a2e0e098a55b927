import { FieldbenchError } from '@shared/errors';
import type { PkiVaultStore } from '../../../src/main/services/pki/pki-vault-store';

type Listener = Parameters<PkiVaultStore['onChange']>[0];

/**
 * An in-memory stand-in for the vault with the same contract: sections are JSON round-tripped (so only
 * JSON-safe data survives, as in the real file), updates work on a draft and commit only if the mutation
 * returns without throwing, and a locked store refuses reads.
 */
export class MemoryVaultStore implements PkiVaultStore {
  private sections = new Map<string, unknown>();
  private unlocked = true;
  private listeners = new Set<Listener>();
  saves = 0;

  isUnlocked(): boolean {
    return this.unlocked;
  }

  getSection<T>(name: string, fallback: T): Readonly<T> {
    if (!this.unlocked) throw new FieldbenchError('vault.locked', 'The vault is locked. Unlock it with your master password.');
    return (this.sections.get(name) as T | undefined) ?? fallback;
  }

  async updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R> {
    if (!this.unlocked) throw new FieldbenchError('vault.locked', 'The vault is locked. Unlock it with your master password.');
    const draft = JSON.parse(JSON.stringify(this.sections.get(name) ?? fallback)) as T;
    const result = mutate(draft);
    this.sections.set(name, JSON.parse(JSON.stringify(draft)));
    this.saves++;
    for (const l of this.listeners) l({ kind: 'saved', sections: [name] });
    return result;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lock(): void {
    this.unlocked = false;
    for (const l of this.listeners) l({ kind: 'locked' });
  }

  unlock(): void {
    this.unlocked = true;
    for (const l of this.listeners) l({ kind: 'unlocked' });
  }

  /** Serialized section, for "unchanged" assertions. */
  snapshot(name: string): string {
    return JSON.stringify(this.sections.get(name) ?? null);
  }
}
