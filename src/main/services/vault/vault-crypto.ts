import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { argon2id } from 'hash-wasm';
import type { KdfJob } from './kdf-worker';
import { startWorkerThread } from '../worker-thread';

/** Argon2id settings as stored in the header, so they can be raised later without breaking old files. */
export interface KdfParams {
  id: 'argon2id';
  /** Argon2 version 0x13 (19), the only one in use. */
  version: 19;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * 96 MiB, 3 passes: about 0.5 s in hash-wasm on the reference 2-core machine, so still under 1.5 s on a
 * field laptop twice as slow, and above RFC 9106's 64 MiB floor. hash-wasm runs single-threaded, so a
 * higher parallelism would only cost time without adding memory hardness.
 */
export const DEFAULT_KDF: KdfParams = { id: 'argon2id', version: 19, memoryKiB: 96 * 1024, iterations: 3, parallelism: 1 };

/**
 * What a header may ask for. The header is read before the password is proven (it carries the salt), so
 * anyone who can write the file can set these: each is a few times what Fieldbench writes itself, and the
 * product of memory and passes — what the time actually scales with — has its own cap, so no combination
 * of individually allowed values costs more than a few seconds or more than 1 GiB.
 */
export const KDF_LIMITS = {
  memoryKiB: { min: 8, max: 1024 * 1024 },
  iterations: { min: 1, max: 16 },
  parallelism: { min: 1, max: 8 },
} as const;

/** memoryKiB × iterations: 2 GiB·passes, about 7 × the default (96 MiB × 3 passes). */
export const MAX_KDF_WORK = 2 * 1024 * 1024;

/** Checks KDF parameters against the limits; returns a reason when they are out of range. */
export function kdfProblem(kdf: KdfParams): string | undefined {
  for (const k of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const v = kdf[k];
    const { min, max } = KDF_LIMITS[k];
    if (!Number.isSafeInteger(v) || v < min || v > max) return `${k} ${String(v)} is outside ${min}…${max}`;
  }
  if (kdf.memoryKiB < 8 * kdf.parallelism) return 'memoryKiB must be at least 8 × parallelism';
  if (kdf.memoryKiB * kdf.iterations > MAX_KDF_WORK) return `memoryKiB × iterations ${kdf.memoryKiB * kdf.iterations} is above ${MAX_KDF_WORK}`;
  return undefined;
}

export const SALT_BYTES = 16;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const CHECK_BYTES = 32;
export const KEY_BYTES = 32;

/**
 * The keys held while the vault is unlocked. `salt` is the one they were derived from: saves reuse it
 * (re-running Argon2id on every save would cost ~0.5 s) and only the nonce is fresh each time.
 */
export interface VaultKeys {
  salt: Buffer;
  kdf: KdfParams;
  /** AES-256-GCM key for the body. */
  enc: Buffer;
  /** HMAC key for the password check value in the header. */
  check: Buffer;
}

/**
 * Derives the vault keys from a password. The password is NFC-normalised so the same password typed on
 * another keyboard layout or OS (composed vs decomposed accents) opens the same vault.
 */
export async function deriveKeys(password: string, salt: Buffer, kdf: KdfParams): Promise<VaultKeys> {
  // Every caller checks first and says why in its own words; this is the floor nothing can go below.
  const problem = kdfProblem(kdf);
  if (problem) throw new RangeError(`Argon2id parameters refused: ${problem}`);
  const pw = Buffer.from(password.normalize('NFC'), 'utf8');
  let master: Uint8Array | undefined;
  try {
    master = await argon2idOffThread({ password: new Uint8Array(pw), salt: new Uint8Array(salt), memoryKiB: kdf.memoryKiB, iterations: kdf.iterations, parallelism: kdf.parallelism, hashLength: KEY_BYTES });
    // Two independent keys from one Argon2id run: the check value must not reveal anything about the
    // encryption key, and HKDF with distinct labels guarantees that.
    const enc = Buffer.from(hkdfSync('sha256', master, salt, 'fieldbench vault v1 body', KEY_BYTES));
    const check = Buffer.from(hkdfSync('sha256', master, salt, 'fieldbench vault v1 password check', KEY_BYTES));
    return { salt: Buffer.from(salt), kdf: { ...kdf }, enc, check };
  } finally {
    pw.fill(0);
    master?.fill(0);
  }
}

/**
 * Argon2id in a worker thread (kdf-worker.ts), so unlocking never stalls the event loop: the loopback host,
 * the IPC of the window and the CLI's Ctrl+C keep being served. A build or runtime without worker support
 * (none known) falls back to this thread rather than leave the vault unopenable.
 */
async function argon2idOffThread(job: KdfJob): Promise<Uint8Array> {
  let worker: Worker | undefined;
  try {
    worker = startKdfWorker(job);
  } catch {
    worker = undefined;
  }
  if (!worker) {
    try {
      return await argon2id({ password: job.password, salt: job.salt, memorySize: job.memoryKiB, iterations: job.iterations, parallelism: job.parallelism, hashLength: job.hashLength, outputType: 'binary' });
    } finally {
      job.password.fill(0);
    }
  }
  // workerData was copied into the thread when it started; this side's copy is no longer needed.
  job.password.fill(0);
  const w = worker;
  return new Promise<Uint8Array>((resolve, reject) => {
    w.once('message', (m: { ok: true; master: Uint8Array } | { ok: false; message: string }) => {
      void w.terminate();
      if (m.ok) resolve(new Uint8Array(m.master));
      else reject(new Error(`Argon2id failed: ${m.message}`));
    });
    w.once('error', (err) => reject(err));
    w.once('exit', (code) => code !== 0 && reject(new Error(`The key derivation thread stopped (${code}).`)));
  });
}

/** The built app ships the worker as its own entry (out/main/vault-kdf-worker.js); from source, tsx loads the .ts. */
function startKdfWorker(job: KdfJob): Worker {
  return startWorkerThread(import.meta.url, './kdf-worker.ts', ['vault-kdf-worker.js'], { workerData: job });
}

/** Overwrites key material in place; the buffers are useless afterwards. */
export function wipeKeys(keys: VaultKeys): void {
  keys.enc.fill(0);
  keys.check.fill(0);
}

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** HMAC over the header: proves the password before the body is touched, so a failure is "wrong password". */
export function passwordCheck(keys: VaultKeys, header: Buffer): Buffer {
  return createHmac('sha256', keys.check).update(header).digest();
}

export function checkMatches(keys: VaultKeys, header: Buffer, stored: Buffer): boolean {
  const expected = passwordCheck(keys, header);
  return stored.length === expected.length && timingSafeEqual(expected, stored);
}

/** Unkeyed digest of the header: tells accidental damage apart from a wrong password, without the key. */
export function headerDigest(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

export function encryptBody(keys: VaultKeys, nonce: Buffer, aad: Buffer, plaintext: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', keys.enc, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** Returns the plaintext, or undefined when authentication fails (the caller decides what that means). */
export function decryptBody(keys: VaultKeys, nonce: Buffer, aad: Buffer, ciphertext: Buffer, tag: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', keys.enc, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}
