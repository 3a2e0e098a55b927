import {
  CHECK_BYTES,
  NONCE_BYTES,
  SALT_BYTES,
  TAG_BYTES,
  encryptBody,
  headerDigest,
  kdfProblem,
  passwordCheck,
  type KdfParams,
  type VaultKeys,
} from './vault-crypto';

/*
 * Vault file, format 1 (all integers big-endian):
 *
 *   offset      size  field
 *   0           8     magic "FBVAULT\0"
 *   8           2     format version (1)
 *   10          4     header length N (2 … 65536)
 *   14          N     header, UTF-8 JSON: cipher, kdf {id, version, memoryKiB, iterations, parallelism},
 *                     salt, nonce (base64), created, modified (ISO 8601)
 *   14+N        32    password check = HMAC-SHA256(checkKey, bytes [0, 14+N))
 *   46+N        32    header digest  = SHA-256(bytes [0, 46+N))
 *   78+N        L     body ciphertext: AES-256-GCM of the JSON document {version: 1, sections: {...}}
 *   end-16      16    GCM tag
 *
 * Everything before the ciphertext is the GCM associated data, so the header (KDF parameters, salt, nonce,
 * dates) cannot be altered without the tag failing. GCM alone cannot tell a wrong password from a changed
 * file, hence the two extra fields: the unkeyed digest catches damage to the header itself (a flipped bit,
 * a truncation) before any key is derived, and the keyed check value proves the password before the body is
 * touched. If the check passes and the tag fails, the body or tag was changed: "damaged", not "wrong password".
 *
 * Salt and nonce: the derived key is held while the vault is unlocked, so a save must not re-run Argon2id.
 * Each save therefore keeps the salt the held key was derived from and draws a fresh random 96-bit nonce;
 * a fresh salt (and so a fresh key) is drawn whenever the key is derived anew, on create and on a password
 * change. Random nonces under one key stay far below GCM's 2^32-message bound for any realistic number of saves.
 */

export const VAULT_MAGIC = Buffer.from('FBVAULT\0', 'latin1');
export const VAULT_FORMAT_VERSION = 1;
const FIXED_PREFIX = VAULT_MAGIC.length + 2 + 4;
const MAX_HEADER_BYTES = 64 * 1024;

export interface VaultHeader {
  cipher: 'aes-256-gcm';
  kdf: KdfParams;
  salt: Buffer;
  nonce: Buffer;
  created: string;
  modified: string;
}

export interface ParsedVaultFile {
  formatVersion: number;
  header: VaultHeader;
  /** Bytes [0, 14+N): what the password check covers. */
  headerBytes: Buffer;
  check: Buffer;
  /** Bytes before the ciphertext: the GCM associated data. */
  aad: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Why a file could not be read as a vault; the Vault turns this into a person-facing error with the path. */
export class VaultFormatError extends Error {
  constructor(
    readonly kind: 'corrupt' | 'newerFormat',
    message: string,
    readonly formatVersion?: number,
  ) {
    super(message);
    this.name = 'VaultFormatError';
  }
}

/** Parses the framing and the header; does not need the password. Throws VaultFormatError. */
export function parseVaultFile(bytes: Buffer): ParsedVaultFile {
  if (bytes.length < FIXED_PREFIX) throw corrupt(`file is ${bytes.length} bytes, shorter than the fixed prefix`);
  if (!bytes.subarray(0, VAULT_MAGIC.length).equals(VAULT_MAGIC)) throw corrupt('not a Fieldbench vault (magic mismatch)');
  const formatVersion = bytes.readUInt16BE(8);
  if (formatVersion > VAULT_FORMAT_VERSION) {
    throw new VaultFormatError('newerFormat', `format ${formatVersion} is newer than ${VAULT_FORMAT_VERSION}`, formatVersion);
  }
  if (formatVersion !== VAULT_FORMAT_VERSION) throw corrupt(`unknown format version ${formatVersion}`);
  const headerLength = bytes.readUInt32BE(10);
  if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) throw corrupt(`header length ${headerLength} out of range`);
  const headerEnd = FIXED_PREFIX + headerLength;
  const checkEnd = headerEnd + CHECK_BYTES;
  const aadEnd = checkEnd + 32;
  if (bytes.length < aadEnd + TAG_BYTES) throw corrupt(`file is ${bytes.length} bytes, too short for its header`);
  const aad = bytes.subarray(0, aadEnd);
  if (!headerDigest(bytes.subarray(0, checkEnd)).equals(bytes.subarray(checkEnd, aadEnd))) {
    throw corrupt('header digest mismatch');
  }
  const header = decodeHeader(bytes.subarray(FIXED_PREFIX, headerEnd));
  return {
    formatVersion,
    header,
    headerBytes: bytes.subarray(0, headerEnd),
    check: bytes.subarray(headerEnd, checkEnd),
    aad,
    ciphertext: bytes.subarray(aadEnd, bytes.length - TAG_BYTES),
    tag: bytes.subarray(bytes.length - TAG_BYTES),
  };
}

/** Builds a complete vault file: header, check value, digest, encrypted body. */
export function encodeVaultFile(header: VaultHeader, keys: VaultKeys, plaintext: Buffer): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      cipher: header.cipher,
      kdf: header.kdf,
      salt: header.salt.toString('base64'),
      nonce: header.nonce.toString('base64'),
      created: header.created,
      modified: header.modified,
    }),
    'utf8',
  );
  const prefix = Buffer.alloc(FIXED_PREFIX);
  VAULT_MAGIC.copy(prefix, 0);
  prefix.writeUInt16BE(VAULT_FORMAT_VERSION, 8);
  prefix.writeUInt32BE(json.length, 10);
  const headerBytes = Buffer.concat([prefix, json]);
  const check = passwordCheck(keys, headerBytes);
  const digest = headerDigest(Buffer.concat([headerBytes, check]));
  const aad = Buffer.concat([headerBytes, check, digest]);
  const { ciphertext, tag } = encryptBody(keys, header.nonce, aad, plaintext);
  return Buffer.concat([aad, ciphertext, tag]);
}

function decodeHeader(raw: Buffer): VaultHeader {
  let h: unknown;
  try {
    h = JSON.parse(raw.toString('utf8'));
  } catch {
    throw corrupt('header is not JSON');
  }
  if (!isRecord(h)) throw corrupt('header is not an object');
  expectKeys(h, ['cipher', 'kdf', 'salt', 'nonce', 'created', 'modified'], 'header');
  if (h.cipher !== 'aes-256-gcm') throw corrupt(`unsupported cipher ${String(h.cipher)}`);
  const kdf = h.kdf;
  if (!isRecord(kdf)) throw corrupt('kdf is not an object');
  expectKeys(kdf, ['id', 'version', 'memoryKiB', 'iterations', 'parallelism'], 'kdf');
  if (kdf.id !== 'argon2id' || kdf.version !== 19) throw corrupt(`unsupported KDF ${String(kdf.id)} v${String(kdf.version)}`);
  const params = kdf as unknown as KdfParams;
  const problem = kdfProblem(params);
  if (problem) throw corrupt(`KDF parameters: ${problem}`);
  const salt = base64Field(h.salt, SALT_BYTES, 'salt');
  const nonce = base64Field(h.nonce, NONCE_BYTES, 'nonce');
  for (const k of ['created', 'modified'] as const) {
    const v = h[k];
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw corrupt(`${k} is not a date`);
  }
  return {
    cipher: 'aes-256-gcm',
    kdf: { id: 'argon2id', version: 19, memoryKiB: params.memoryKiB, iterations: params.iterations, parallelism: params.parallelism },
    salt,
    nonce,
    created: h.created as string,
    modified: h.modified as string,
  };
}

function base64Field(v: unknown, length: number, name: string): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) throw corrupt(`${name} is not base64`);
  const b = Buffer.from(v, 'base64');
  if (b.length !== length || b.toString('base64') !== v) throw corrupt(`${name} has the wrong length`);
  return b;
}

function expectKeys(o: Record<string, unknown>, keys: string[], what: string): void {
  const got = Object.keys(o).sort();
  const want = [...keys].sort();
  if (got.length !== want.length || got.some((k, i) => k !== want[i])) throw corrupt(`${what} fields are ${got.join(',')}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function corrupt(detail: string): VaultFormatError {
  return new VaultFormatError('corrupt', detail);
}
