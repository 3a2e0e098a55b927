import { join, resolve } from 'node:path';
import { FieldbenchError } from '@shared/errors';
import { Vault, vaultErrors, vaultPathTaken, type VaultChangeEvent, type VaultCreateOptions, type VaultInfo, type VaultStore } from '../vault';

export const DEFAULT_VAULT_FILE = 'vault.fbv';
export const DEFAULT_AUTO_LOCK_MINUTES = 15;

export interface VaultStatus {
  path: string;
  exists: boolean;
  unlocked: boolean;
  autoLockMinutes: number;
  info?: Omit<VaultInfo, 'kdf'> & { kdf: { memoryKiB: number; iterations: number; parallelism: number } };
}

export interface VaultSessionOptions {
  dataDir: string;
  /** Explicit vault file (the CLI's --vault); defaults to <dataDir>/vault.fbv. */
  path?: string;
  autoLockMinutes?: number;
  /** Test-only: cheaper KDF for fast suites. */
  createOptions?: VaultCreateOptions;
}

/**
 * The vault this app instance has open. Services depend on it as a VaultStore and never see the swap
 * when the person opens another file, locks or unlocks: while locked every read throws 'vault.locked'.
 */
export class VaultSession implements VaultStore {
  private vault: Vault | undefined;
  private path: string;
  private autoLockMinutes: number;
  private readonly listeners = new Set<(e: VaultChangeEvent & { reason?: 'auto' | 'manual' }) => void>();
  private detach: (() => void) | undefined;
  private manualLock = false;

  constructor(private readonly options: VaultSessionOptions) {
    this.path = resolve(options.path ?? join(options.dataDir, DEFAULT_VAULT_FILE));
    this.autoLockMinutes = options.autoLockMinutes ?? DEFAULT_AUTO_LOCK_MINUTES;
  }

  status(): VaultStatus {
    const base = { path: this.path, exists: vaultPathTaken(this.path), unlocked: this.isUnlocked(), autoLockMinutes: this.autoLockMinutes };
    if (!this.vault) return base;
    return { ...base, info: describeFile(this.vault.info()) };
  }

  /** The file's header (format, KDF), whether or not the vault is unlocked; no password needed. */
  async fileInfo(): Promise<NonNullable<VaultStatus['info']>> {
    if (this.vault) return describeFile(this.vault.info());
    if (!vaultPathTaken(this.path)) throw vaultErrors.notFound(this.path);
    return describeFile((await Vault.open(this.path)).info());
  }

  /** Creates a new vault (refusing to overwrite one) and leaves it unlocked. */
  async create(password: string, path?: string): Promise<VaultStatus> {
    checkNewPassword(password);
    const target = resolve(path ?? this.path);
    this.lock();
    const vault = await Vault.create(target, password, { ...this.options.createOptions, autoLockMs: this.autoLockMinutes * 60_000 });
    this.adopt(vault);
    // A new vault is born unlocked, so no 'unlocked' transition comes from the file itself.
    for (const l of [...this.listeners]) l({ kind: 'unlocked' });
    return this.status();
  }

  async unlock(password: string, path?: string): Promise<VaultStatus> {
    const target = resolve(path ?? this.path);
    if (!vaultPathTaken(target)) throw vaultErrors.notFound(target);
    if (this.vault && this.vault.path === target && this.vault.isUnlocked()) return this.status();
    const vault = this.vault && this.vault.path === target ? this.vault : await Vault.open(target, { autoLockMs: this.autoLockMinutes * 60_000 });
    this.adopt(vault);
    await vault.unlock(password);
    return this.status();
  }

  lock(): void {
    this.manualLock = true;
    this.vault?.lock();
    this.manualLock = false;
  }

  async changePassword(current: string, next: string): Promise<VaultStatus> {
    checkNewPassword(next);
    if (!this.vault) throw vaultErrors.locked();
    await this.vault.changePassword(current, next, this.options.createOptions ?? {});
    return this.status();
  }

  setAutoLock(minutes: number): VaultStatus {
    this.autoLockMinutes = minutes;
    this.vault?.setAutoLock(minutes * 60_000);
    return this.status();
  }

  private adopt(vault: Vault): void {
    if (this.vault !== vault) {
      // Only one vault is open at a time: the previous one forgets its key before the switch.
      this.lock();
      this.detach?.();
      this.vault = vault;
      this.path = vault.path;
      this.detach = vault.onChange((e) => {
        const reason = e.kind === 'locked' ? (this.manualLock ? 'manual' : 'auto') : undefined;
        for (const l of [...this.listeners]) l(reason ? { ...e, reason } : e);
      });
    }
  }

  isUnlocked(): boolean {
    return this.vault?.isUnlocked() ?? false;
  }

  getSection<T>(name: string, fallback: T): Readonly<T> {
    if (!this.vault) throw vaultErrors.locked();
    return this.vault.getSection(name, fallback);
  }

  updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R> {
    if (!this.vault) return Promise.reject(vaultErrors.locked());
    return this.vault.updateSection(name, fallback, mutate);
  }

  onChange(listener: (e: VaultChangeEvent & { reason?: 'auto' | 'manual' }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    this.lock();
    this.detach?.();
  }
}

/** A floor, not a policy: the UI shows a strength hint, but a vault on a laptop needs at least this. */
export function checkNewPassword(password: string): void {
  if (password.length < 8) throw new FieldbenchError('vault.weakPassword', 'Choose a master password of at least 8 characters; a short sentence is easiest to remember.');
}

function describeFile(info: VaultInfo): NonNullable<VaultStatus['info']> {
  return { ...info, kdf: { memoryKiB: info.kdf.memoryKiB, iterations: info.kdf.iterations, parallelism: info.kdf.parallelism } };
}
