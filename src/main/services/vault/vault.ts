import { createHash, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FieldbenchError } from '@shared/errors';
import { isAtomicWriteLeftover, writeFileAtomic } from './atomic-write';
import { SerialQueue } from './serial-queue';
import { withVaultLock } from './vault-lock';
import { openVaultFile, vaultPathState } from './vault-path';
import { systemClock, type VaultClock } from './vault-clock';
import { DEFAULT_KDF, checkMatches, decryptBody, deriveKeys, kdfProblem, newNonce, newSalt, wipeKeys, type KdfParams, type VaultKeys } from './vault-crypto';
import { vaultErrors } from './vault-errors';
import { VAULT_FORMAT_VERSION, VaultFormatError, encodeVaultFile, parseVaultFile, type ParsedVaultFile, type VaultHeader } from './vault-file';
import { VAULT_DOCUMENT_VERSION, VaultSections, type VaultDocument } from './vault-sections';
import type { VaultChangeEvent, VaultStore } from './vault-store';

/** Below this, Argon2id is no longer memory-hard enough for a file that may be lost with a laptop. */
export const MIN_KDF_MEMORY_KIB = 64 * 1024;

export interface VaultOptions {
  /** Lock after this many milliseconds without getSection/updateSection/touch; 0 or absent = never. */
  autoLockMs?: number;
  clock?: VaultClock;
  /** Receives errors thrown by change listeners, which must never break a save. */
  onListenerError?: (err: unknown) => void;
}

export interface VaultKdfOptions {
  /** Argon2id cost; defaults to DEFAULT_KDF. */
  kdf?: Partial<Pick<KdfParams, 'memoryKiB' | 'iterations' | 'parallelism'>>;
  /** Allows memory below 64 MiB. For tests only: it makes the password much cheaper to guess. */
  allowWeakKdf?: boolean;
}

export type VaultCreateOptions = VaultOptions & VaultKdfOptions;

/** What anyone may know about a vault without its password. */
export interface VaultInfo {
  path: string;
  formatVersion: number;
  kdf: KdfParams;
  created: string;
  modified: string;
  locked: boolean;
}

/**
 * SHA-256 of the file's bytes as last read or written. Content, not inode and mtime: an inode number is
 * reused once the old file is gone and mtime is coarse on some file systems, so two saves in quick
 * succession could otherwise look identical.
 */
type DiskIdentity = string;

const SECTION_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const LEFTOVER_AGE_MS = 10 * 60 * 1000;

/**
 * One encrypted vault file (see vault-file.ts for the format). A handle starts locked (`open`) or
 * unlocked (`create`); while unlocked it holds the derived key and the decrypted sections in memory.
 * Every change goes through one queue, so saves never interleave, and a change becomes visible only after
 * it is safely on disk.
 */
export class Vault implements VaultStore {
  private header: VaultHeader;
  private keys: VaultKeys | undefined;
  private sections: VaultSections | undefined;
  private disk: DiskIdentity | undefined;
  /** Bumped on every lock, so a save that finishes after a lock does not resurrect the sections. */
  private generation = 0;
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<(e: VaultChangeEvent) => void>();
  private readonly clock: VaultClock;
  private autoLockMs: number;
  private lastActivity = 0;
  private timer: unknown;
  private timerArmed = false;

  private constructor(
    readonly path: string,
    header: VaultHeader,
    private readonly options: VaultOptions,
  ) {
    this.header = header;
    this.clock = options.clock ?? systemClock;
    this.autoLockMs = options.autoLockMs ?? 0;
  }

  /**
   * Creates a new vault at `path` (its folder is created if needed) and returns it unlocked.
   * Fails with 'vault.exists' if anything is already at that path.
   */
  static async create(path: string, password: string, opts: VaultCreateOptions = {}): Promise<Vault> {
    const abs = resolve(path);
    const kdf = resolveKdf(opts);
    const state = await vaultPathState(abs).catch((err: unknown) => {
      throw err instanceof FieldbenchError ? err : vaultErrors.saveFailed(abs, err);
    });
    if (state === 'file') throw vaultErrors.exists(abs);
    await mkdir(dirname(abs), { recursive: true, mode: 0o700 });
    const clock = opts.clock ?? systemClock;
    const keys = await deriveKeys(password, newSalt(), kdf);
    const now = new Date(clock.now()).toISOString();
    const header: VaultHeader = { cipher: 'aes-256-gcm', kdf, salt: keys.salt, nonce: newNonce(), created: now, modified: now };
    const sections = new VaultSections();
    const plaintext = Buffer.from(sections.bodyJson(), 'utf8');
    const bytes = encodeVaultFile(header, keys, plaintext);
    try {
      await writeFileAtomic(abs, bytes, { exclusive: true });
    } catch (err) {
      wipeKeys(keys);
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw vaultErrors.exists(abs);
      throw vaultErrors.saveFailed(abs, err);
    }
    const vault = new Vault(abs, header, opts);
    vault.keys = keys;
    vault.sections = sections;
    vault.disk = digestOf(bytes);
    vault.touch();
    return vault;
  }

  /** Opens a vault file locked. Reads only the header: no password needed, and the file is never written. */
  static async open(path: string, opts: VaultOptions = {}): Promise<Vault> {
    const abs = resolve(path);
    const { parsed } = await readAndParse(abs);
    return new Vault(abs, parsed.header, opts);
  }

  /** Path, format version, KDF parameters, dates and lock state. Never anything secret. */
  info(): VaultInfo {
    return {
      path: this.path,
      formatVersion: VAULT_FORMAT_VERSION,
      kdf: { ...this.header.kdf },
      created: this.header.created,
      modified: this.header.modified,
      locked: !this.isUnlocked(),
    };
  }

  isUnlocked(): boolean {
    return this.keys !== undefined;
  }

  /**
   * Re-reads the file and decrypts it with `password`. Throws 'vault.wrongPassword', 'vault.corrupt',
   * 'vault.newerFormat' or 'vault.notFound'; in every case the file is left untouched.
   */
  unlock(password: string): Promise<void> {
    return this.queue.run(async () => {
      const { parsed, identity } = await readAndParse(this.path);
      const keys = await deriveKeys(password, parsed.header.salt, parsed.header.kdf);
      let sections: VaultSections;
      try {
        if (!checkMatches(keys, parsed.headerBytes, parsed.check)) throw vaultErrors.wrongPassword();
        const plaintext = decryptBody(keys, parsed.header.nonce, parsed.aad, parsed.ciphertext, parsed.tag);
        if (plaintext === undefined) {
          throw await corruptError(this.path, 'the password is right but the body or its tag does not authenticate');
        }
        try {
          sections = VaultSections.fromDocument(await decodeDocument(this.path, plaintext));
        } finally {
          plaintext.fill(0);
        }
      } catch (err) {
        wipeKeys(keys);
        throw err;
      }
      if (this.keys) wipeKeys(this.keys);
      this.keys = keys;
      this.sections = sections;
      this.header = parsed.header;
      this.disk = identity;
      this.touch();
      this.emit({ kind: 'unlocked' });
      void this.removeLeftovers();
    });
  }

  /** Forgets the sections and overwrites the key in memory. Saves already on disk are kept. */
  lock(): void {
    this.disarmTimer();
    if (!this.keys) return;
    wipeKeys(this.keys);
    this.keys = undefined;
    this.sections = undefined;
    this.generation++;
    this.emit({ kind: 'locked' });
  }

  /**
   * Re-encrypts the vault under a new password with a fresh salt (and, optionally, raised KDF parameters;
   * without them the current ones are kept).
   * Unlocks with `oldPassword` first if the vault is locked. Afterwards the old password opens neither the
   * vault nor its backup.
   */
  async changePassword(oldPassword: string, newPassword: string, opts: VaultKdfOptions = {}): Promise<void> {
    // Without new settings the current ones stay, whatever they are: they were accepted when the vault was made.
    const kdf = opts.kdf ? resolveKdf({ ...opts, kdf: { ...this.header.kdf, ...opts.kdf } }) : { ...this.header.kdf };
    let verified = false;
    if (!this.isUnlocked()) {
      await this.unlock(oldPassword);
      verified = true;
    }
    await this.queue.run(async () => {
      const current = this.requireKeys();
      const generation = this.generation;
      if (!verified) {
        const candidate = await deriveKeys(oldPassword, current.salt, current.kdf);
        const same = generation === this.generation && timingSafeEqual(candidate.enc, current.enc);
        wipeKeys(candidate);
        if (generation !== this.generation) throw vaultErrors.locked();
        if (!same) throw vaultErrors.wrongPassword();
      }
      const next = await deriveKeys(newPassword, newSalt(), kdf);
      let body: string;
      try {
        if (generation !== this.generation) throw vaultErrors.locked();
        body = this.requireSections().bodyJson();
        await this.persist(body, next);
      } catch (err) {
        wipeKeys(next);
        throw err;
      }
      wipeKeys(current);
      this.keys = next;
      // Save once more so the backup, which still holds the file under the old password, is rotated out:
      // after a change the old password opens nothing. If this second save fails the change still stands,
      // and the next save rotates the backup anyway.
      await this.persist(body, next).catch(() => undefined);
      this.emit({ kind: 'saved', sections: [] });
    });
  }

  /** {@inheritDoc VaultStore.getSection} */
  getSection<T>(name: string, fallback: T): Readonly<T> {
    checkSectionName(name);
    const sections = this.requireSections();
    this.touch();
    return sections.get(name, fallback);
  }

  /**
   * {@inheritDoc VaultStore.updateSection}
   * `mutate` must be synchronous: the draft is saved as soon as it returns.
   */
  updateSection<T, R>(name: string, fallback: T, mutate: (draft: T) => R): Promise<R> {
    checkSectionName(name);
    this.touch();
    return this.queue.run(async () => {
      const sections = this.requireSections();
      const keys = this.requireKeys();
      const generation = this.generation;
      const draft = sections.draft(name, fallback);
      const result = mutate(draft);
      if (isThenable(result)) throw new Error('updateSection: mutate must be synchronous');
      const { sectionJson, bodyJson } = sections.prepare(name, draft);
      await this.persist(bodyJson, keys);
      if (generation === this.generation) {
        sections.commit(name, sectionJson);
        this.touch();
        this.emit({ kind: 'saved', sections: [name] });
      }
      return result;
    });
  }

  /** {@inheritDoc VaultStore.onChange} */
  onChange(listener: (e: VaultChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Counts as activity for auto-lock (e.g. the person is working in the Vault screen). */
  touch(): void {
    this.lastActivity = this.clock.now();
    this.armTimer();
  }

  /** Changes the idle time before auto-lock; 0 turns auto-lock off. Counts from the last activity. */
  setAutoLock(ms: number): void {
    this.autoLockMs = Math.max(0, ms);
    this.disarmTimer();
    this.armTimer();
  }

  /** Resolves when every queued save has finished (for shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Writes the body under the vault lock, after checking that the file is still the one this handle last
   * read or wrote (compare, then rename, with no other Fieldbench in between). A second writer therefore
   * gets 'vault.changedOnDisk' and the first writer's change stays; nothing is silently lost.
   */
  private async persist(bodyJson: string, keys: VaultKeys): Promise<void> {
    const header: VaultHeader = {
      ...this.header,
      kdf: keys.kdf,
      salt: keys.salt,
      nonce: newNonce(),
      modified: new Date(this.clock.now()).toISOString(),
    };
    const plaintext = Buffer.from(bodyJson, 'utf8');
    let bytes: Buffer;
    try {
      bytes = encodeVaultFile(header, keys, plaintext);
    } finally {
      plaintext.fill(0);
    }
    await withVaultLock(this.path, async () => {
      let current: DiskIdentity | undefined;
      try {
        current = await identityOf(this.path);
      } catch (err) {
        if (err instanceof FieldbenchError) throw err;
        throw vaultErrors.saveFailed(this.path, err);
      }
      if (current !== undefined && this.disk !== undefined && current !== this.disk) throw vaultErrors.changedOnDisk(this.path);
      try {
        await writeFileAtomic(this.path, bytes, { backupPath: `${this.path}.bak` });
      } catch (err) {
        throw vaultErrors.saveFailed(this.path, err);
      }
    });
    this.header = header;
    this.disk = digestOf(bytes);
  }

  private requireKeys(): VaultKeys {
    if (!this.keys) throw vaultErrors.locked();
    return this.keys;
  }

  private requireSections(): VaultSections {
    if (!this.sections) throw vaultErrors.locked();
    return this.sections;
  }

  private emit(e: VaultChangeEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.options.onListenerError?.(err);
      }
    }
  }

  private armTimer(): void {
    if (this.timerArmed || this.autoLockMs <= 0 || !this.keys) return;
    this.scheduleCheck(this.autoLockMs);
  }

  // One timer at a time, re-armed for the remaining idle time when it fires early: cheaper than
  // resetting a timer on every getSection.
  private scheduleCheck(ms: number): void {
    this.timerArmed = true;
    this.timer = this.clock.setTimeout(() => {
      this.timerArmed = false;
      if (!this.keys || this.autoLockMs <= 0) return;
      const idle = this.clock.now() - this.lastActivity;
      if (idle >= this.autoLockMs) this.lock();
      else this.scheduleCheck(this.autoLockMs - idle);
    }, ms);
  }

  private disarmTimer(): void {
    if (this.timerArmed) this.clock.clearTimeout(this.timer);
    this.timerArmed = false;
    this.timer = undefined;
  }

  /** Removes temp files a crashed save left next to the vault; old enough that no save can still own them. */
  private async removeLeftovers(): Promise<void> {
    try {
      const dir = dirname(this.path);
      for (const name of await readdir(dir)) {
        if (!isAtomicWriteLeftover(this.path, name)) continue;
        const p = join(dir, name);
        const s = await stat(p);
        if (this.clock.now() - s.mtimeMs > LEFTOVER_AGE_MS) await unlink(p);
      }
    } catch {
      // Best effort: a leftover is harmless.
    }
  }
}

function resolveKdf(opts: VaultKdfOptions): KdfParams {
  const kdf: KdfParams = { ...DEFAULT_KDF, ...opts.kdf, id: 'argon2id', version: 19 };
  const problem = kdfProblem(kdf);
  if (problem) throw vaultErrors.weakParameters(problem);
  if (kdf.memoryKiB < MIN_KDF_MEMORY_KIB && !opts.allowWeakKdf) {
    throw vaultErrors.weakParameters(`memory ${kdf.memoryKiB} KiB is below ${MIN_KDF_MEMORY_KIB} KiB`);
  }
  return kdf;
}

function checkSectionName(name: string): void {
  if (!SECTION_NAME.test(name)) throw new Error(`invalid vault section name ${JSON.stringify(name)}`);
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Never follows a link: a symlink or FIFO swapped in after unlock is refused, not written through. */
async function identityOf(path: string): Promise<DiskIdentity | undefined> {
  if ((await vaultPathState(path)) === 'absent') return undefined;
  let opened;
  try {
    opened = await openVaultFile(path);
  } catch (err) {
    if (err instanceof FieldbenchError && err.code === 'vault.notFound') return undefined;
    throw err;
  }
  try {
    return digestOf(await opened.fh.readFile());
  } finally {
    await opened.fh.close();
  }
}

function digestOf(bytes: Buffer): DiskIdentity {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the file through one descriptor, so the identity recorded is that of the bytes read. */
async function readAndParse(path: string): Promise<{ parsed: ParsedVaultFile; identity: DiskIdentity }> {
  const { fh } = await openVaultFile(path);
  let bytes: Buffer;
  let identity: DiskIdentity;
  try {
    bytes = await fh.readFile();
    identity = digestOf(bytes);
  } catch (err) {
    if (err instanceof FieldbenchError) throw err;
    throw vaultErrors.unreadable(path, err);
  } finally {
    await fh.close();
  }
  try {
    return { parsed: parseVaultFile(bytes), identity };
  } catch (err) {
    if (err instanceof VaultFormatError && err.kind === 'newerFormat') throw vaultErrors.newerFormat(err.formatVersion ?? 0);
    if (err instanceof VaultFormatError) throw await corruptError(path, err.message);
    throw err;
  }
}

async function decodeDocument(path: string, plaintext: Buffer): Promise<VaultDocument> {
  let doc: unknown;
  try {
    doc = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw await corruptError(path, 'the decrypted body is not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw await corruptError(path, 'the decrypted body is not an object');
  const { version, sections } = doc as { version?: unknown; sections?: unknown };
  if (typeof version === 'number' && version > VAULT_DOCUMENT_VERSION) throw vaultErrors.newerFormat(version);
  if (version !== VAULT_DOCUMENT_VERSION) throw await corruptError(path, `unknown document version ${String(version)}`);
  if (typeof sections !== 'object' || sections === null || Array.isArray(sections)) {
    throw await corruptError(path, 'the document has no sections object');
  }
  return { version: VAULT_DOCUMENT_VERSION, sections: sections as Record<string, unknown> };
}

async function corruptError(path: string, detail: string): Promise<FieldbenchError> {
  return vaultErrors.corrupt(path, detail, await exists(`${path}.bak`));
}
