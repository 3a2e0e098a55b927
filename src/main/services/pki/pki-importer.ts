import { createPrivateKey, type KeyObject } from 'node:crypto';
import { FieldbenchError, toErrorInfo } from '@shared/errors';
import type { ImportError } from '@shared/pki-types';
import { ParsedCertificate } from './parsed-certificate';
import { looksLikePkcs12, readPkcs12 } from './pkcs12-codec';
import { assertEncryptedKeyBounded } from './pbe-limits';
import { readTlv } from './der-reader';

/** Largest file Fieldbench reads: a bundle of a thousand certificates is ~1.5 MB. */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;
export const MAX_PEM_BLOCKS = 5000;

export interface ParsedImport {
  certificates: ParsedCertificate[];
  keys: KeyObject[];
  errors: ImportError[];
  notes: string[];
}

export interface ImportOptions {
  /** For encrypted keys and PKCS#12 files. */
  passphrase?: string;
}

const SKIPPED_BLOCKS: Record<string, string> = {
  'EC PARAMETERS': '', // openssl ecparam -genkey writes it before the key; nothing to keep
  'PUBLIC KEY': 'A public key block was skipped (Fieldbench keeps certificates and private keys).',
  'RSA PUBLIC KEY': 'A public key block was skipped (Fieldbench keeps certificates and private keys).',
  'CERTIFICATE REQUEST': 'A certificate request (CSR) was skipped; sign it first, then import the certificate.',
  'NEW CERTIFICATE REQUEST': 'A certificate request (CSR) was skipped; sign it first, then import the certificate.',
  'X509 CRL': 'A CRL block was skipped.',
  PKCS7: 'A PKCS#7 block was skipped; export the certificates as PEM instead.',
};

const KEY_TYPES_ACCEPTED = new Set(['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448']);

/**
 * Parses one file's bytes into certificates and private keys. Never throws for content problems: each
 * problem becomes an entry in `errors` with a sentence, so a bundle with one bad block still imports the
 * rest. Key material stays in KeyObjects and never enters error text.
 */
export function parseImportFile(data: Uint8Array | string, options: ImportOptions = {}): ParsedImport {
  const out: ParsedImport = { certificates: [], keys: [], errors: [], notes: [] };
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    // Azure Key Vault keeps certificates hex-encoded (`az keyvault secret set --encoding hex`): its value saved as a file is one hex run.
    const trimmed = bytes.toString('latin1').trim();
    if (trimmed.length >= 2 && trimmed.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
    if (bytes.length === 0) throw new FieldbenchError('pki.import.empty', 'The file is empty. Choose the certificate or key file itself.');
    if (bytes.length > MAX_IMPORT_BYTES) {
      throw new FieldbenchError('pki.import.too-large', `The file is ${(bytes.length / 1048576).toFixed(1)} MB; certificate and key files are far smaller (limit ${MAX_IMPORT_BYTES / 1048576} MB). Check that you chose the right file.`);
    }
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN ')) parsePem(text, options, out);
    else if (bytes[0] === 0x30) parseDer(bytes, options, out);
    else throw new FieldbenchError('pki.import.unrecognised', 'This file is neither PEM (text with -----BEGIN lines) nor DER (binary ASN.1). Choose a certificate, key, bundle or PKCS#12 file.');
  } catch (err) {
    out.errors.push(toImportError(err));
  }
  if (out.certificates.length === 0 && out.keys.length === 0 && out.errors.length === 0) {
    out.errors.push({ code: 'pki.import.nothing-found', message: 'The file holds no certificate or private key Fieldbench can use.' });
  }
  return out;
}

function parsePem(text: string, options: ImportOptions, out: ParsedImport): void {
  let pos = 0;
  let blocks = 0;
  // A linear scan instead of one big regex: hostile input with thousands of BEGIN lines stays O(n).
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', pos);
    if (begin < 0) break;
    const labelEnd = text.indexOf('-----', begin + 11);
    if (labelEnd < 0 || labelEnd - begin > 80) {
      out.errors.push({ code: 'pki.import.malformed', message: 'A PEM header line is broken (no closing dashes). Check the file for truncation.' });
      break;
    }
    const label = text.slice(begin + 11, labelEnd);
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, labelEnd + 5);
    if (end < 0) {
      out.errors.push({ code: 'pki.import.truncated', message: `The "${printable(label)}" block has no END line; the file is truncated. Copy the whole block including -----END ${printable(label)}-----.` });
      break;
    }
    if (++blocks > MAX_PEM_BLOCKS) {
      out.errors.push({ code: 'pki.import.too-many-blocks', message: `The file holds more than ${MAX_PEM_BLOCKS} PEM blocks; only the first ${MAX_PEM_BLOCKS} were read. Split the bundle.` });
      break;
    }
    const block = text.slice(begin, end + endMarker.length);
    const body = text.slice(labelEnd + 5, end);
    pos = end + endMarker.length;
    try {
      parsePemBlock(label, block, body, options, out);
    } catch (err) {
      out.errors.push(toImportError(err, blocks));
    }
  }
}

function parsePemBlock(label: string, block: string, body: string, options: ImportOptions, out: ParsedImport): void {
  const lines = body.split(/\r?\n/);
  const headers = lines.filter((l) => l.includes(':'));
  const b64 = lines.filter((l) => !l.includes(':')).join('').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0 || b64.length === 0) {
    throw new FieldbenchError('pki.import.bad-base64', `The "${printable(label)}" block contains characters that are not Base64, or is cut short. Copy it again without edits.`);
  }
  const der = Buffer.from(b64, 'base64');
  const encryptedLegacy = headers.some((h) => /Proc-Type:\s*4,ENCRYPTED/i.test(h));
  switch (label) {
    case 'CERTIFICATE':
    case 'X509 CERTIFICATE':
      out.certificates.push(parseCertificateDer(der));
      return;
    case 'TRUSTED CERTIFICATE': {
      // OpenSSL appends trust settings after the certificate; keep only the certificate.
      const first = readTlvSafe(der);
      out.certificates.push(parseCertificateDer(der.subarray(0, first)));
      return;
    }
    case 'PRIVATE KEY':
      out.keys.push(loadKey({ key: der, format: 'der', type: 'pkcs8' }));
      return;
    case 'ENCRYPTED PRIVATE KEY':
      assertEncryptedKeyBounded(der, 'This encrypted key');
      out.keys.push(loadKey({ key: der, format: 'der', type: 'pkcs8', passphrase: requirePassphrase(options) }, true));
      return;
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY':
      if (encryptedLegacy) out.keys.push(loadKey({ key: block, format: 'pem', passphrase: requirePassphrase(options) }, true));
      else out.keys.push(loadKey({ key: der, format: 'der', type: label === 'RSA PRIVATE KEY' ? 'pkcs1' : 'sec1' }));
      return;
    default: {
      const note = SKIPPED_BLOCKS[label];
      if (note === undefined) {
        throw new FieldbenchError('pki.import.unsupported', `A "${printable(label)}" block is not something Fieldbench imports. Import certificates, private keys or PKCS#12 files.`);
      }
      if (note) out.notes.push(note);
    }
  }
}

function parseDer(bytes: Buffer, options: ImportOptions, out: ParsedImport): void {
  const structureEnd = readTlvSafe(bytes);
  if (structureEnd !== bytes.length) {
    throw new FieldbenchError('pki.import.malformed', 'The binary file has extra or missing bytes after its ASN.1 structure; it is truncated or not DER. Export it again.');
  }
  if (tryCertificate(bytes, out)) return;
  if (looksLikePkcs12(bytes)) {
    if (options.passphrase === undefined) throw new FieldbenchError('pki.import.passphrase-required', 'This is a PKCS#12 (.p12/.pfx) file. Type its password to import it.');
    const p12 = readPkcs12(bytes, options.passphrase);
    out.certificates.push(...p12.certificates);
    for (const key of p12.keys) out.keys.push(checkKeyType(key));
    out.notes.push(...p12.notes);
    return;
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      out.keys.push(checkKeyType(createPrivateKey({ key: bytes, format: 'der', type })));
      return;
    } catch (err) {
      if (err instanceof FieldbenchError) throw err;
    }
  }
  if (isEncryptedPkcs8(bytes)) {
    assertEncryptedKeyBounded(bytes, 'This encrypted key');
    out.keys.push(loadKey({ key: bytes, format: 'der', type: 'pkcs8', passphrase: requirePassphrase(options) }, true));
    return;
  }
  throw new FieldbenchError('pki.import.unrecognised', 'This binary file is not a certificate, private key or PKCS#12 archive Fieldbench can read. Check that it is not damaged.');
}

function tryCertificate(der: Buffer, out: ParsedImport): boolean {
  try {
    out.certificates.push(new ParsedCertificate(der));
    return true;
  } catch {
    return false;
  }
}

function parseCertificateDer(der: Buffer): ParsedCertificate {
  try {
    return new ParsedCertificate(der);
  } catch (err) {
    throw new FieldbenchError('pki.import.bad-certificate', 'A certificate in this file is damaged and cannot be read. Export it again from its source.', { cause: err });
  }
}

type KeyInput = Parameters<typeof createPrivateKey>[0];

function loadKey(input: KeyInput, encrypted = false): KeyObject {
  try {
    return checkKeyType(createPrivateKey(input));
  } catch (err) {
    if (err instanceof FieldbenchError) throw err;
    if (encrypted) throw new FieldbenchError('pki.import.bad-passphrase', 'The passphrase does not decrypt this private key, or the key is damaged. Type the passphrase again.', { cause: sanitize(err) });
    throw new FieldbenchError('pki.import.bad-key', 'A private key in this file is damaged or in a format Fieldbench cannot read. Export it again as PKCS#8 PEM.', { cause: sanitize(err) });
  }
}

function checkKeyType(key: KeyObject): KeyObject {
  if (!KEY_TYPES_ACCEPTED.has(key.asymmetricKeyType ?? '')) {
    throw new FieldbenchError('pki.import.unsupported-key', `A ${key.asymmetricKeyType ?? 'unknown'} private key was found; Fieldbench keeps RSA, EC and Ed25519 keys only.`);
  }
  return key;
}

function requirePassphrase(options: ImportOptions): string {
  if (options.passphrase === undefined || options.passphrase === '') {
    throw new FieldbenchError('pki.import.passphrase-required', 'This private key is encrypted. Type its passphrase to import it.');
  }
  return options.passphrase;
}

function isEncryptedPkcs8(der: Buffer): boolean {
  // EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID … }, OCTET STRING }
  try {
    const outer = readTlv(der, 0);
    const alg = readTlv(der, outer.start);
    if (alg.tag !== 0x30) return false;
    const oid = readTlv(der, alg.start);
    const octs = readTlv(der, alg.end);
    return oid.tag === 0x06 && octs.tag === 0x04 && octs.end === outer.end;
  } catch {
    return false;
  }
}

function readTlvSafe(der: Uint8Array): number {
  try {
    return readTlv(der, 0).end;
  } catch (err) {
    throw new FieldbenchError('pki.import.malformed', 'The data is not valid DER (its length fields do not fit). The file is truncated or damaged.', { cause: err });
  }
}

function printable(label: string): string {
  return label.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

/** OpenSSL error strings never contain key bytes, but keep only the code and reason to be sure. */
function sanitize(err: unknown): Error {
  const e = err as { code?: string; message?: string };
  return Object.assign(new Error(String(e.message ?? err).slice(0, 200)), { code: e.code });
}

function toImportError(err: unknown, block?: number): ImportError {
  const info = toErrorInfo(err);
  if (info.code === 'internal') {
    return { code: 'pki.import.failed', message: `${block ? `Block ${block}: ` : ''}The data could not be read. The file is damaged or not a certificate or key.` };
  }
  return { code: info.code, message: block ? `Block ${block}: ${info.message}` : info.message };
}
