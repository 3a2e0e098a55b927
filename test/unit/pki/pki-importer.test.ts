import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMPORT_BYTES, parseImportFile } from '../../../src/main/services/pki/pki-importer';
import { writePkcs12 } from '../../../src/main/services/pki/pkcs12-codec';
import { issueCertificate } from '../../../src/main/services/pki/certificate-issuer';
import type { ParsedCertificate } from '../../../src/main/services/pki/parsed-certificate';
import { testKey } from '../../support/pki/test-keys';

let root: ParsedCertificate;
let leaf: ParsedCertificate;
let ecKey: ReturnType<typeof generateKeyPairSync>['privateKey'];
let rsaKey: ReturnType<typeof generateKeyPairSync>['privateKey'];

beforeAll(async () => {
  const rk = await testKey('ec-p256', 0);
  const lk = await testKey('ec-p256', 1);
  root = (await issueCertificate({ profile: 'root', subject: { commonName: 'Import Root' }, validity: { days: 10 }, subjectKey: rk.privateKey })).certificate;
  leaf = (await issueCertificate({ profile: 'client', subject: { commonName: 'client42a' }, validity: { days: 5 }, subjectKey: lk.publicKey, issuer: { certificate: root, privateKey: rk.privateKey } })).certificate;
  ecKey = lk.privateKey;
  rsaKey = (await testKey('rsa-2048', 0)).privateKey;
});

const kinds = (r: ReturnType<typeof parseImportFile>) => ({ certs: r.certificates.map((c) => c.commonName), keys: r.keys.map((k) => k.asymmetricKeyType), errors: r.errors.map((e) => e.code) });

describe('parseImportFile', () => {
  it('reads PEM and DER certificates and bundles', () => {
    expect(kinds(parseImportFile(leaf.pem + root.pem))).toEqual({ certs: ['client42a', 'Import Root'], keys: [], errors: [] });
    expect(kinds(parseImportFile(leaf.der))).toEqual({ certs: ['client42a'], keys: [], errors: [] });
    expect(kinds(parseImportFile(leaf.pem.replace(/\n/g, '\r\n')))).toEqual({ certs: ['client42a'], keys: [], errors: [] });
  });

  it('reads PKCS#8, PKCS#1 and SEC1 keys in PEM and DER', () => {
    const forms = [
      ecKey.export({ format: 'pem', type: 'pkcs8' }),
      ecKey.export({ format: 'pem', type: 'sec1' }),
      ecKey.export({ format: 'der', type: 'pkcs8' }),
      ecKey.export({ format: 'der', type: 'sec1' }),
      rsaKey.export({ format: 'pem', type: 'pkcs1' }),
      rsaKey.export({ format: 'der', type: 'pkcs1' }),
    ];
    for (const f of forms) expect(kinds(parseImportFile(f as Buffer)).keys).toHaveLength(1);
  });

  it('reads encrypted keys with the passphrase and names a missing or wrong one', () => {
    const enc8 = ecKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const encDer = ecKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' });
    const legacyRsa = rsaKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'pw' }).toString();
    for (const f of [enc8, encDer, legacyRsa]) {
      expect(kinds(parseImportFile(f, { passphrase: 'pw' })).keys).toHaveLength(1);
      expect(kinds(parseImportFile(f)).errors).toEqual(['pki.import.passphrase-required']);
      const wrong = parseImportFile(f, { passphrase: 'nope' });
      expect(wrong.errors[0]).toMatchObject({ code: 'pki.import.bad-passphrase', message: expect.stringMatching(/passphrase/) });
    }
  });

  it('reads PKCS#12 (modern and legacy) and asks for its password', () => {
    for (const legacy of [false, true]) {
      const p12 = writePkcs12(ecKey, [leaf, root], 'pw', { legacy });
      expect(kinds(parseImportFile(p12, { passphrase: 'pw' }))).toEqual({ certs: ['client42a', 'Import Root'], keys: ['ec'], errors: [] });
      expect(kinds(parseImportFile(p12)).errors).toEqual(['pki.import.passphrase-required']);
      expect(kinds(parseImportFile(p12, { passphrase: 'x' })).errors).toEqual(['pki.import.bad-passphrase']);
    }
  });

  it('keeps the good blocks of a bundle and names the bad one', () => {
    const broken = leaf.pem + '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n' + root.pem;
    const r = parseImportFile(broken);
    expect(r.certificates.map((c) => c.commonName)).toEqual(['client42a', 'Import Root']);
    expect(r.errors).toEqual([{ code: 'pki.import.bad-base64', message: expect.stringMatching(/^Block 2: .*Base64/) }]);
  });

  it('skips CSRs, public keys and EC PARAMETERS with notes, and refuses unknown blocks', () => {
    const pub = ecKey.export({ format: 'pem', type: 'pkcs8' }).toString().replace(/PRIVATE KEY/g, 'PUBLIC KEY');
    const r = parseImportFile('-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' + pub + leaf.pem);
    expect(r.certificates).toHaveLength(1);
    expect(r.notes).toEqual([expect.stringMatching(/public key block was skipped/)]);
    expect(parseImportFile('-----BEGIN SSH2 THING-----\nAAAA\n-----END SSH2 THING-----\n').errors[0]!.code).toBe('pki.import.unsupported');
  });

  it('names empty, huge, truncated and non-key files', () => {
    expect(parseImportFile('').errors[0]!.code).toBe('pki.import.empty');
    expect(parseImportFile(Buffer.alloc(MAX_IMPORT_BYTES + 1, 0x41)).errors[0]!.code).toBe('pki.import.too-large');
    expect(parseImportFile(leaf.pem.slice(0, 200)).errors[0]!.code).toBe('pki.import.truncated');
    expect(parseImportFile(leaf.der.subarray(0, 100)).errors[0]!.code).toBe('pki.import.malformed');
    expect(parseImportFile('hello world').errors[0]!.code).toBe('pki.import.unrecognised');
    const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(parseImportFile(dsa).errors[0]!.code).toBe('pki.import.unsupported-key');
  });

  it('refuses a key file that asks for an absurd number of KDF iterations before running the KDF', () => {
    const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
      const body = Buffer.concat(parts);
      const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
      return Buffer.concat([Buffer.from([tag]), len, body]);
    };
    const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
    const pbkdf2 = tlv(0x30, oid('2a864886f70d01050c'), tlv(0x30, tlv(0x04, Buffer.alloc(8, 1)), tlv(0x02, Buffer.from('7fffffff', 'hex'))));
    const aes = tlv(0x30, oid('608648016503040102'), tlv(0x04, Buffer.alloc(16, 2)));
    const der = tlv(0x30, tlv(0x30, oid('2a864886f70d01050d'), tlv(0x30, pbkdf2, aes)), tlv(0x04, Buffer.alloc(64, 3)));
    const pem = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${der.toString('base64')}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
    for (const input of [der, Buffer.from(pem)]) {
      const r = parseImportFile(input, { passphrase: 'pw' });
      expect(r.errors[0]).toMatchObject({ code: 'pki.import.kdf-too-costly', message: expect.stringMatching(/freeze/) });
    }
  });
});
