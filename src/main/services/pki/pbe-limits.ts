import { FieldbenchError } from '@shared/errors';
import { readChildren, readTlv, type Tlv } from './der-reader';

/**
 * Highest key-derivation work factor Fieldbench will run on an imported file. openssl and step write
 * 2,048 (PKCS#12, PKCS#8); OWASP-minded tools 600,000. A hostile file could ask for 2^31 iterations and
 * freeze the app, so anything above this is refused before any KDF runs.
 */
export const MAX_KDF_ITERATIONS = 2_000_000;

/**
 * scrypt (RFC 7914) in PKCS#8: memory is 128·N·r bytes and time scales with N·r·p. OpenSSL's own
 * default `-scrypt` is N=16384, r=8, p=1 (16 MiB); these allow 16 times that and no more.
 */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const MAX_SCRYPT_WORK = 16 * 16384 * 8;

const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11',
};
/** PKCS#12 PBEs (RFC 7292 appendix C) and PKCS#5 PBES1: params are SEQUENCE { salt, iterations }. */
const SALT_AND_COUNT_PBES = new Set([
  ...[1, 2, 3, 4, 5, 6].map((n) => `1.2.840.113549.1.12.1.${n}`),
  ...[1, 3, 4, 6, 10, 11].map((n) => `1.2.840.113549.1.5.${n}`),
]);

export function kdfTooCostly(what: string): FieldbenchError {
  return new FieldbenchError(
    'pki.import.kdf-too-costly',
    `${what} asks for more than ${MAX_KDF_ITERATIONS.toLocaleString('en-US')} key-derivation iterations (or an equally costly scrypt), which would freeze Fieldbench, so it was not opened. Re-export it with default settings.`,
  );
}

function damaged(what: string): FieldbenchError {
  return new FieldbenchError('pki.import.malformed', `${what} has damaged encryption parameters. Export it again.`);
}

/**
 * Checks one password-based encryption AlgorithmIdentifier (the DER of SEQUENCE { OID, params }) exactly
 * where it is about to be used: PBES2 with PBKDF2 or scrypt, the PKCS#12 PBEs and PBES1. Anything else is
 * refused, so no KDF this function has not bounded can ever run on an imported file.
 */
export function assertPbeBounded(algorithmDer: Uint8Array, what: string): void {
  const d = algorithmDer;
  try {
    const [oidTlv, params] = readChildren(d, readTlv(d, 0));
    const oid = oidTlv && oidTlv.tag === 0x06 ? decodeOid(d, oidTlv) : '';
    if (oid === OID.pbes2) {
      const [kdf] = params && params.tag === 0x30 ? readChildren(d, params) : [];
      const [kdfOid, kdfParams] = kdf && kdf.tag === 0x30 ? readChildren(d, kdf) : [];
      const kdfName = kdfOid && kdfOid.tag === 0x06 ? decodeOid(d, kdfOid) : '';
      const fields = kdfParams && kdfParams.tag === 0x30 ? readChildren(d, kdfParams) : [];
      if (kdfName === OID.pbkdf2) {
        // PBKDF2-params ::= SEQUENCE { salt, iterationCount INTEGER, keyLength INTEGER OPTIONAL, prf … }
        if (uint(d, fields[1], what) > MAX_KDF_ITERATIONS) throw kdfTooCostly(what);
        return;
      }
      if (kdfName === OID.scrypt) {
        // scrypt-params ::= SEQUENCE { salt, costParameter N, blockSize r, parallelizationParameter p, keyLength OPTIONAL }
        const n = uint(d, fields[1], what);
        const r = uint(d, fields[2], what);
        const p = uint(d, fields[3], what);
        if (128 * n * r > MAX_SCRYPT_MEMORY || n * r * p > MAX_SCRYPT_WORK) throw kdfTooCostly(what);
        return;
      }
      throw unsupported(what);
    }
    if (SALT_AND_COUNT_PBES.has(oid)) {
      const fields = params && params.tag === 0x30 ? readChildren(d, params) : [];
      if (uint(d, fields[1], what) > MAX_KDF_ITERATIONS) throw kdfTooCostly(what);
      return;
    }
    throw unsupported(what);
  } catch (err) {
    if (err instanceof FieldbenchError) throw err;
    throw damaged(what);
  }
}

/** EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING } */
export function assertEncryptedKeyBounded(encryptedPrivateKeyInfo: Uint8Array, what: string): void {
  const d = encryptedPrivateKeyInfo;
  let alg: Tlv;
  let algStart: number;
  try {
    algStart = readTlv(d, 0).start; // the first child's header begins where the outer value does
    alg = readTlv(d, algStart);
  } catch {
    throw damaged(what);
  }
  if (alg.tag !== 0x30) throw damaged(what);
  assertPbeBounded(d.subarray(algStart, alg.end), what);
}

/** A MacData iteration count (RFC 7292: PKCS#12 KDF, the same cost per iteration as the PBEs). */
export function assertMacIterationsBounded(iterations: number, what: string): void {
  if (!Number.isSafeInteger(iterations) || iterations > MAX_KDF_ITERATIONS) throw kdfTooCostly(what);
}

/**
 * Scans DER for INTEGERs that follow an OCTET STRING inside the same SEQUENCE — the shape of PBKDF2,
 * PKCS#12-PBE, scrypt and PKCS#12 MAC parameters — and refuses oversized ones, before any parsing. It
 * also looks inside OCTET STRINGs that hold DER (a PKCS#12's AuthenticatedSafe and SafeContents are
 * wrapped that way), so nested parameters are seen too. The exact checks at each KDF (assertPbeBounded,
 * assertMacIterationsBounded) are what guarantee the bound; this catches a file before any work at all.
 * Bounded by depth and by the input length, so the scan itself is cheap on any input.
 */
export function assertKdfWorkBounded(der: Uint8Array, what: string): void {
  const visit = (start: number, end: number, depth: number): void => {
    if (depth > 32) throw new FieldbenchError('pki.import.malformed', `${what} is nested too deeply to be a real key file. Check that you chose the right file.`);
    let pos = start;
    let sawOctets = false;
    while (pos < end) {
      const tlv = readTlv(der, pos);
      if (tlv.end > end) throw new RangeError('DER: child past parent');
      if (tlv.tag === 0x04) {
        sawOctets = true;
        if (der[tlv.start] === 0x30) visitEncapsulated(tlv, depth + 1);
      } else if (tlv.tag === 0x02 && sawOctets) {
        const len = tlv.end - tlv.start;
        let value = 0;
        for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + der[i]!;
        if (len > 4 || value > MAX_KDF_ITERATIONS) throw kdfTooCostly(what);
      }
      if (tlv.tag & 0x20) visit(tlv.start, tlv.end, depth + 1);
      pos = tlv.end;
    }
  };
  // An OCTET STRING that merely starts like DER (a salt, a key) is left alone when it does not parse.
  const visitEncapsulated = (tlv: Tlv, depth: number): void => {
    try {
      visit(tlv.start, tlv.end, depth);
    } catch (err) {
      if (err instanceof FieldbenchError) throw err;
    }
  };
  try {
    visit(0, der.length, 0);
  } catch (err) {
    if (err instanceof FieldbenchError) throw err;
    // Indefinite-length BER or other shapes this scanner does not read: the exact checks still apply.
  }
}

function unsupported(what: string): FieldbenchError {
  return new FieldbenchError('pki.import.unsupported', `${what} uses an encryption Fieldbench cannot read. Export it again with AES (the default of current openssl).`);
}

function uint(d: Uint8Array, tlv: Tlv | undefined, what: string): number {
  if (!tlv || tlv.tag !== 0x02 || tlv.end === tlv.start) throw damaged(what);
  if (d[tlv.start]! & 0x80) throw damaged(what); // negative
  let v = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    v = v * 256 + d[i]!;
    if (v > Number.MAX_SAFE_INTEGER / 256) return Number.MAX_SAFE_INTEGER; // far above every cap
  }
  return v;
}

function decodeOid(d: Uint8Array, tlv: Tlv): string {
  const bytes = d.subarray(tlv.start, tlv.end);
  if (bytes.length === 0 || bytes.length > 64) return '';
  const parts: number[] = [];
  let v = 0;
  for (const b of bytes) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  return [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80, ...parts].join('.');
}
