import { SerialQueue } from './serial-queue';
import { vaultErrors } from './vault-errors';
import { VaultSections } from './vault-sections';
import type { VaultChangeEvent, VaultStore } from './vault-store';

/**
 * A VaultStore kept only in memory, for other services' unit tests. It behaves like the real vault where
 * it matters to callers: sections round-trip through JSON, reads are frozen, updates are serialised and
 * become visible only when they "saved", and a locked store throws 'vault.locked'.
 */
export class MemoryVaultStore implements VaultStore {
  private sections: VaultSections | undefined;
  private locked: VaultSections | undefined;
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<(e: VaultChangeEvent) => void>();
  /** Every save, in order, for assertions: the section names written. */
  readonly saves: string[][] = [];
  /** Set to make the next save fail (e.g. to test a service's error path); cleared after it fires. */
  failNextSave: Error | undefined;

  constructor(initial: Record<string, unknown> = {}) {
    this.sections = VaultSections.fromDocument({ version: 1, sections: JSON.parse(JSON.stringify(initial)) as Record<string, unknown> });
  }

  isUnlocked(): boolean {
    return this.sections !== undefined;
  }

  getSection<T>(name: string, fallback: T): Readonly<T> {
    if (!this.sections) throw vaultErrors.locked();
    return this.sections.get(name, fallback);
  }

  updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R> {
    return this.queue.run(async () => {
      const sections = this.sections;
      if (!sections) throw vaultErrors.locked();
      const draft = sections.draft(name, fallback);
      const result = mutate(draft);
      if (typeof (result as { then?: unknown } | null)?.then === 'function') throw new Error('updateSection: mutate must be synchronous');
      const { sectionJson } = sections.prepare(name, draft);
      // Yield once like a real disk write would, so callers cannot rely on synchronous completion.
      await Promise.resolve();
      const failure = this.failNextSave;
      if (failure) {
        this.failNextSave = undefined;
        throw failure;
      }
      if (this.sections !== sections) return result;
      sections.commit(name, sectionJson);
      this.saves.push([name]);
      this.emit({ kind: 'saved', sections: [name] });
      return result;
    });
  }

  onChange(listener: (e: VaultChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Simulates locking: sections become unreadable until `unlock`. */
  lock(): void {
    if (!this.sections) return;
    this.locked = this.sections;
    this.sections = undefined;
    this.emit({ kind: 'locked' });
  }

  /** Simulates unlocking with the sections the store had when it was locked. */
  unlock(): void {
    if (this.sections) return;
    this.sections = this.locked ?? new VaultSections();
    this.locked = undefined;
    this.emit({ kind: 'unlocked' });
  }

  /** The whole document as the real vault would write it. */
  snapshot(): Record<string, unknown> {
    const s = this.sections ?? this.locked;
    return s ? ((JSON.parse(s.bodyJson()) as { sections: Record<string, unknown> }).sections) : {};
  }


  private emit(e: VaultChangeEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
