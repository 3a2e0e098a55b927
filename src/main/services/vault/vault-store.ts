/** What a section change or a lock transition looks like to a listener. */
export interface VaultChangeEvent {
  kind: 'saved' | 'locked' | 'unlocked';
  /** The sections written by the save (only on 'saved'). */
  sections?: string[];
}

/**
 * The only part of the vault other services depend on. Each service owns one section by name
 * ('pki', 'nodes', 'secrets', 'mqtt', 'settings'…) and never touches the others.
 */
export interface VaultStore {
  isUnlocked(): boolean;
  /** Read-only view of a section (or `fallback` when absent). Throws FieldbenchError code 'vault.locked' when locked. */
  getSection<T>(name: string, fallback: T): Readonly<T>;
  /** Runs `mutate` on a private copy of the section, saves the vault atomically, and only then makes the copy current. Returns mutate's result. */
  updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R>;
  /** Fires after every successful save and on lock/unlock. Returns unsubscribe. */
  onChange(listener: (e: VaultChangeEvent) => void): () => void;
}
