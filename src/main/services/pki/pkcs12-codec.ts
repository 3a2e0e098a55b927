import { createDecipheriv, createHash, createPrivateKey, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { FieldbenchError } from '@shared/errors';
import { ParsedCertificate } from './parsed-certificate';
import { assertEncryptedKeyBounded, assertKdfWorkBounded, assertMacIterationsBounded, assertPbeBounded } from './pbe-limits';

const { asn1, pki } = forge;
type Asn1 = forge.asn1.Asn1;

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  pbes2: '1.2.840.113549.1.5.13',
};

export interface Pkcs12Contents {
  certificates: ParsedCertificate[];
  keys: KeyObject[];
  notes: string[];
}

export const PKCS12_ITERATIONS = 2048;

function badFile(message: string, cause?: unknown): FieldbenchError {
  return new FieldbenchError('pki.import.malformed', message, { cause });
}

/** Quick structural sniff: SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data … } }. */
export function looksLikePkcs12(der: Uint8Array): boolean {
  return der.length > 8 && der[0] === 0x30 && indexOfBytes(der.subarray(0, 32), [0x02, 0x01, 0x03, 0x30]) >= 0;
}

/**
 * Reads a PKCS#12 file: modern (PBES2/AES, SHA-256 MAC) and legacy (3DES/RC2, SHA-1 MAC) alike. The MAC is
 * checked first so a wrong password is reported as such, not as corruption.
 */
export function readPkcs12(der: Uint8Array, password: string): Pkcs12Contents {
  assertKdfWorkBounded(der, 'This PKCS#12 file');
  let root: Asn1;
  try {
    root = asn1.fromDer(Buffer.from(der).toString('binary'), { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 64 } as never);
  } catch (err) {
    throw badFile('This file is not a readable PKCS#12 (.p12/.pfx) archive: it is truncated or damaged. Export it again.', err);
  }
  const top = seq(root, 'PFX');
  const authSafeInfo = seq(top[1], 'AuthenticatedSafe');
  if (oidOf(authSafeInfo[0]) !== OID.data) throw new FieldbenchError('pki.import.unsupported', 'This PKCS#12 file is protected with a public key rather than a password, which Fieldbench cannot open. Export it with a password.');
  const authSafeBytes = octets(explicit(authSafeInfo[1]));
  if (top[2]) verifyMac(top[2], authSafeBytes, password);

  const out: Pkcs12Contents = { certificates: [], keys: [], notes: [] };
  const authSafe = parseDer(authSafeBytes, 'AuthenticatedSafe');
  for (const ci of seq(authSafe, 'AuthenticatedSafe')) {
    const parts = seq(ci, 'ContentInfo');
    const type = oidOf(parts[0]);
    if (type === OID.data) {
      readSafeContents(octets(explicit(parts[1])), password, out);
    } else if (type === OID.encryptedData) {
      const encData = seq(explicit(parts[1]), 'EncryptedData');
      const eci = seq(encData[1], 'EncryptedContentInfo');
      const alg = seq(eci[1], 'AlgorithmIdentifier');
      const content = eci[2];
      if (!content) throw badFile('This PKCS#12 file has an empty encrypted section. Export it again.');
      const encrypted = octetsOfImplicit(content);
      // Every KDF is bounded where it runs: the pre-scan cannot see inside what it cannot parse.
      assertPbeBounded(Buffer.from(asn1.toDer(eci[1]!).getBytes(), 'binary'), 'This PKCS#12 file');
      readSafeContents(decrypt(oidOf(alg[0]), alg[1], encrypted, password), password, out);
    } else {
      out.notes.push('A section protected with a public key was skipped.');
    }
  }
  return out;
}

function readSafeContents(bytes: string, password: string, out: Pkcs12Contents): void {
  const contents = parseDer(bytes, 'SafeContents');
  for (const bagAsn1 of seq(contents, 'SafeContents')) {
    const bag = seq(bagAsn1, 'SafeBag');
    const bagId = oidOf(bag[0]);
    const value = explicit(bag[1]);
    if (bagId === OID.certBag) {
      const certBag = seq(value, 'CertBag');
      if (oidOf(certBag[0]) !== OID.x509Certificate) {
        out.notes.push('A non-X.509 certificate in the archive was skipped.');
        continue;
      }
      const certDer = Buffer.from(octets(explicit(certBag[1])), 'binary');
      try {
        out.certificates.push(new ParsedCertificate(certDer));
      } catch (err) {
        throw badFile('A certificate inside this PKCS#12 file is damaged. Export the archive again.', err);
      }
    } else if (bagId === OID.keyBag || bagId === OID.shroudedKeyBag) {
      const keyDer = Buffer.from(asn1.toDer(value).getBytes(), 'binary');
      if (bagId === OID.shroudedKeyBag) assertEncryptedKeyBounded(keyDer, 'The private key inside this PKCS#12 file');
      try {
        out.keys.push(
          bagId === OID.keyBag
            ? createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' })
            : createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8', passphrase: password }),
        );
      } catch (err) {
        throw new FieldbenchError('pki.import.bad-key', 'The private key inside this PKCS#12 file could not be decrypted or read. Check the password, or export the key again.', { cause: err });
      }
    } else {
      out.notes.push('An unsupported item in the archive (CRL or secret) was skipped.');
    }
  }
}

function decrypt(oid: string, params: Asn1 | undefined, encrypted: string, password: string): string {
  if (!params) throw badFile('This PKCS#12 file lacks the encryption parameters of one section. Export it again.');
  if (oid === OID.pbes2) {
    const native = decryptPbes2Natively(params, encrypted, password);
    if (native !== undefined) return native;
  }
  let cipher: forge.cipher.BlockCipher;
  try {
    // PBES2 runs PBKDF2 over the UTF-8 password; the PKCS#12 PBEs convert to BMP themselves.
    const pw = oid === OID.pbes2 ? forge.util.encodeUtf8(password) : password;
    const pbe = (pki as unknown as { pbe: { getCipher(oid: string, params: Asn1, password: string): forge.cipher.BlockCipher } }).pbe;
    cipher = pbe.getCipher(oid, params, pw);
  } catch (err) {
    throw new FieldbenchError('pki.import.unsupported', 'This PKCS#12 file uses an encryption Fieldbench cannot read. Export it again with AES (the default of current openssl).', { cause: err });
  }
  cipher.update(forge.util.createBuffer(encrypted));
  if (!cipher.finish()) throw new FieldbenchError('pki.import.bad-passphrase', 'The password does not open this PKCS#12 file. Type the export password again.');
  return cipher.output.getBytes();
}

const PBKDF2_OID = '1.2.840.113549.1.5.12';
const PRF_DIGESTS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

/**
 * PBES2 (RFC 8018) with PBKDF2 and a CBC cipher through node:crypto: the same result as forge's pure-JS
 * PBKDF2, several times faster, so even a file at the iteration cap opens within the import budget.
 * Returns undefined for a shape it does not know, which then goes to forge as before.
 */
function decryptPbes2Natively(params: Asn1, encrypted: string, password: string): string | undefined {
  let key: Buffer;
  let iv: Buffer;
  let cipherName: string;
  try {
    const [kdf, scheme] = seq(params, 'PBES2 parameters');
    const [kdfOid, kdfParams] = seq(kdf, 'PBES2 key derivation');
    const [encOid, ivNode] = seq(scheme, 'PBES2 encryption scheme');
    if (oidOf(kdfOid) !== PBKDF2_OID) return undefined;
    const cipher = PBES2_CIPHERS[oidOf(encOid)];
    if (!cipher) return undefined;
    const fields = seq(kdfParams, 'PBKDF2 parameters');
    const salt = Buffer.from(octets(fields[0]), 'binary');
    const iterations = integer(fields[1]!);
    let rest = fields.slice(2);
    let keyLength = cipher.keyLength;
    if (rest[0]?.type === asn1.Type.INTEGER) {
      keyLength = integer(rest[0]);
      rest = rest.slice(1);
    }
    const digest = rest[0] ? PRF_DIGESTS[oidOf(seq(rest[0], 'PBKDF2 PRF')[0])] : 'sha1';
    if (!digest || keyLength !== cipher.keyLength) return undefined;
    iv = Buffer.from(octets(ivNode), 'binary');
    key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, digest);
    cipherName = cipher.name;
  } catch (err) {
    if (err instanceof FieldbenchError && err.code === 'pki.import.malformed') return undefined;
    throw err;
  }
  try {
    const decipher = createDecipheriv(cipherName, key, iv);
    return Buffer.concat([decipher.update(Buffer.from(encrypted, 'binary')), decipher.final()]).toString('binary');
  } catch (err) {
    throw new FieldbenchError('pki.import.bad-passphrase', 'The password does not open this PKCS#12 file. Type the export password again.', { cause: err });
  } finally {
    key.fill(0);
  }
}

function verifyMac(macDataAsn1: Asn1, authSafe: string, password: string): void {
  const macData = seq(macDataAsn1, 'MacData');
  const digestInfo = seq(macData[0], 'DigestInfo');
  const alg = seq(digestInfo[0], 'AlgorithmIdentifier');
  const expected = octets(digestInfo[1]);
  const salt = octets(macData[1]);
  const iterations = macData[2] ? integer(macData[2]) : 1;
  assertMacIterationsBounded(iterations, 'This PKCS#12 file');
  const mdName = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' }[oidOf(alg[0])];
  if (!mdName) throw new FieldbenchError('pki.import.unsupported', 'This PKCS#12 file uses a MAC algorithm Fieldbench cannot check. Export it again with SHA-256.');
  const md = (forge.md as unknown as Record<string, { create(): forge.md.MessageDigest }>)[mdName]!.create();
  const keyLen = md.digestLength;
  const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, iterations, keyLen, md);
  const hmac = forge.hmac.create();
  hmac.start((forge.md as unknown as Record<string, { create(): forge.md.MessageDigest }>)[mdName]!.create(), key);
  hmac.update(authSafe);
  if (hmac.digest().getBytes() !== expected) {
    throw new FieldbenchError('pki.import.bad-passphrase', 'The password does not open this PKCS#12 file (its integrity check failed). Type the export password again.');
  }
}

export interface Pkcs12WriteOptions {
  /** 3DES key encryption with a SHA-1 MAC for old tools; AES-256/PBES2 with a SHA-256 MAC otherwise. */
  legacy?: boolean;
  friendlyName?: string;
  iterations?: number;
}

/**
 * Writes a password-protected PKCS#12 with the key (if any) and the certificates, leaf first. The
 * certificate section is left unencrypted (public material, as `openssl pkcs12 -certpbe NONE`), which every
 * reader accepts; the key is always encrypted.
 */
export function writePkcs12(key: KeyObject | null, certificates: readonly ParsedCertificate[], password: string, options: Pkcs12WriteOptions = {}): Buffer {
  if (password.length === 0) throw new FieldbenchError('pki.export.password-required', 'A PKCS#12 export needs a password. Type one; the receiving tool will ask for it.');
  const iterations = options.iterations ?? PKCS12_ITERATIONS;
  const leaf = certificates[0];
  const localKeyId = leaf ? createHash('sha1').update(leaf.der).digest().toString('binary') : randomBytes(20).toString('binary');
  const attrs = (withName: boolean): Asn1 => {
    const list: Asn1[] = [attribute(OID.localKeyId, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, localKeyId))];
    if (withName && options.friendlyName) list.unshift(attribute(OID.friendlyName, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, options.friendlyName)));
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, list);
  };

  const certBags = certificates.map((cert, i) =>
    sequence([
      oid(OID.certBag),
      ctx0([sequence([oid(OID.x509Certificate), ctx0([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, cert.der.toString('binary'))])])]),
      ...(i === 0 ? [attrs(true)] : []),
    ]),
  );
  const contentInfos: Asn1[] = [];
  if (certBags.length > 0) contentInfos.push(dataContentInfo(sequence(certBags)));
  if (key) {
    let encryptedKey: Asn1;
    if (options.legacy) {
      const pkcs8 = asn1.fromDer(key.export({ format: 'der', type: 'pkcs8' }).toString('binary'));
      encryptedKey = pki.encryptPrivateKeyInfo(pkcs8, password, { algorithm: '3des', count: iterations, saltSize: 8 });
    } else {
      // Native PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC, as `openssl pkcs12 -export` does by default.
      const der = key.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: password });
      encryptedKey = asn1.fromDer(der.toString('binary'));
    }
    contentInfos.push(dataContentInfo(sequence([sequence([oid(OID.shroudedKeyBag), ctx0([encryptedKey]), attrs(true)])])));
  }
  const authSafe = asn1.toDer(sequence(contentInfos)).getBytes();
  const mdName = options.legacy ? 'sha1' : 'sha256';
  const md = () => (mdName === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  const salt = randomBytes(options.legacy ? 8 : 16).toString('binary');
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, iterations, md().digestLength, md());
  const hmac = forge.hmac.create();
  hmac.start(md(), macKey);
  hmac.update(authSafe);
  const pfx = sequence([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    sequence([oid(OID.data), ctx0([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, authSafe)])]),
    sequence([
      sequence([sequence([oid(mdName === 'sha1' ? OID.sha1 : OID.sha256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, hmac.digest().getBytes())]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, salt),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(iterations).getBytes()),
    ]),
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

// ---- small ASN.1 helpers over forge's tree; every shape mismatch becomes a sentence ----

function seq(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value) || (node.type !== asn1.Type.SEQUENCE && node.type !== asn1.Type.SET)) {
    throw badFile(`This PKCS#12 file is damaged (its ${what} is not where it should be). Export it again.`);
  }
  return node.value as Asn1[];
}

function explicit(node: Asn1 | undefined): Asn1 {
  if (!node || node.tagClass !== asn1.Class.CONTEXT_SPECIFIC || !Array.isArray(node.value) || !node.value[0]) {
    throw badFile('This PKCS#12 file is damaged (a tagged field is missing). Export it again.');
  }
  return node.value[0] as Asn1;
}

function octets(node: Asn1 | undefined): string {
  if (!node || node.type !== asn1.Type.OCTETSTRING) throw badFile('This PKCS#12 file is damaged (an octet string is missing). Export it again.');
  if (typeof node.value === 'string') return node.value;
  // BER constructed OCTET STRING (some Windows exports): concatenate its pieces.
  return (node.value as Asn1[]).map((p) => octets(p)).join('');
}

function octetsOfImplicit(node: Asn1): string {
  if (typeof node.value === 'string') return node.value;
  return (node.value as Asn1[]).map((p) => (typeof p.value === 'string' ? p.value : octets(p))).join('');
}

function oidOf(node: Asn1 | undefined): string {
  if (!node || node.type !== asn1.Type.OID || typeof node.value !== 'string') throw badFile('This PKCS#12 file is damaged (an object identifier is missing). Export it again.');
  return asn1.derToOid(node.value);
}

function integer(node: Asn1): number {
  if (node.type !== asn1.Type.INTEGER || typeof node.value !== 'string' || node.value.length > 4) throw badFile('This PKCS#12 file has an invalid iteration count. Export it again.');
  return asn1.derToInteger(node.value);
}

function parseDer(bytes: string, what: string): Asn1 {
  try {
    return asn1.fromDer(bytes, { strict: true, decodeBitStrings: false, maxDepth: 64 } as never);
  } catch (err) {
    throw badFile(`This PKCS#12 file is damaged (its ${what} cannot be read). Export it again.`, err);
  }
}

function sequence(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function ctx0(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, items);
}

function oid(value: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

function attribute(type: string, value: Asn1): Asn1 {
  return sequence([oid(type), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [value])]);
}

function dataContentInfo(content: Asn1): Asn1 {
  return sequence([oid(OID.data), ctx0([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(content).getBytes())])]);
}

function indexOfBytes(hay: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
