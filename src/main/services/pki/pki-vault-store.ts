/**
 * The slice of the vault the PKI engine relies on. It mirrors `VaultStore` from
 * src/main/services/vault/vault-store.ts structurally, so the real vault can be passed in as is; it lives
 * here so the engine does not depend on the vault's internals (and builds before the vault lands).
 */
export interface PkiVaultStore {
  isUnlocked(): boolean;
  /** Throws FieldbenchError 'vault.locked' when locked. */
  getSection<T>(name: string, fallback: T): Readonly<T>;
  /** Applies `mutate` to a draft and saves atomically; if `mutate` throws, nothing changes. */
  updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R>;
  onChange(listener: (e: { kind: 'saved' | 'locked' | 'unlocked'; sections?: string[] }) => void): () => void;
}
