import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { argon2id } from 'hash-wasm';

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

/** What a hostile header may ask for before we refuse to run the KDF (memory and time denial of service). */
export const KDF_LIMITS = {
  memoryKiB: { min: 8, max: 4 * 1024 * 1024 },
  iterations: { min: 1, max: 64 },
  parallelism: { min: 1, max: 16 },
} as const;

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
  const pw = Buffer.from(password.normalize('NFC'), 'utf8');
  let master: Uint8Array | undefined;
  try {
    master = await argon2id({
      password: pw,
      salt,
      memorySize: kdf.memoryKiB,
      iterations: kdf.iterations,
      parallelism: kdf.parallelism,
      hashLength: KEY_BYTES,
      outputType: 'binary',
    });
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
