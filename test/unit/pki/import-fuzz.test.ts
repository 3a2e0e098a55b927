import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { writePkcs12 } from '../../../src/main/services/pki/pkcs12-codec';
import { PKI_SECTION } from '../../../src/main/services/pki/pki-section';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';

/** Deterministic PRNG so a failing input can be reproduced from its index. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('import of malformed and hostile inputs', () => {
  const vault = new MemoryVaultStore();
  const pki = new PkiService({ vault });
  const corpus: { name: string; data: Buffer }[] = [];

  beforeAll(async () => {
    const root = await pki.createRoot({ subject: { commonName: 'Fuzz Root' } });
    const leaf = await pki.createClients({ issuerId: root.certificate.id, clientIds: ['fuzz-client'] });
    const id = leaf.certificates[0]!.id;
    const keyPem = pki.exportKey(id);
    const { createPrivateKey } = await import('node:crypto');
    const key = createPrivateKey(keyPem);
    const pems = pki.exportCertificatePem(id, { chain: 'full' });
    corpus.push(
      { name: 'cert.pem', data: Buffer.from(pki.exportCertificatePem(id)) },
      { name: 'bundle.pem', data: Buffer.from(pems + keyPem) },
      { name: 'cert.der', data: pki.exportCertificateDer(id) },
      { name: 'key.pem', data: Buffer.from(keyPem) },
      { name: 'key.der', data: key.export({ format: 'der', type: 'pkcs8' }) },
      { name: 'sec1.der', data: key.export({ format: 'der', type: 'sec1' }) },
      { name: 'enc.pem', data: Buffer.from(pki.exportKey(id, { passphrase: 'pw' })) },
      // Few KDF iterations so the fuzz loop measures parsing, not PBKDF2.
      { name: 'modern.p12', data: writePkcs12(key, [], 'pw', { iterations: 1 }) },
      { name: 'legacy.p12', data: writePkcs12(key, [], 'pw', { legacy: true, iterations: 1 }) },
    );
  });

  it('gives a clear error for each of 5,000+ inputs, never crashes or hangs, and leaves the vault unchanged', async () => {
    const before = vault.snapshot(PKI_SECTION);
    const r = rng(42);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
    const inputs: Buffer[] = [];
    for (let i = 0; i < 6000; i++) {
      const base = pick(corpus).data;
      const mode = i % 10;
      let d: Buffer;
      if (mode === 0) d = base.subarray(0, Math.floor(r() * base.length)); // truncated
      else if (mode <= 3) {
        d = Buffer.from(base); // bit flips
        const flips = 1 + Math.floor(r() * 8);
        for (let f = 0; f < flips; f++) {
          const at = Math.floor(r() * d.length);
          d[at] = d[at]! ^ (1 << Math.floor(r() * 8));
        }
      } else if (mode === 4) d = Buffer.concat([Buffer.from([0x30, 0x82, Math.floor(r() * 256), Math.floor(r() * 256)]), randomBytes(Math.floor(r() * 2000))]); // random DER
      else if (mode === 5) d = Buffer.from(`-----BEGIN ${pick(['CERTIFICATE', 'PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'])}-----\n${randomBytes(Math.floor(r() * 900)).toString('base64')}\n-----END ${pick(['CERTIFICATE', 'PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'])}-----\n`); // wrong type / garbage PEM
      else if (mode === 6) {
        const s = base.toString('latin1'); // PEM relabelled or DER wrapped in a wrong label
        d = s.includes('-----BEGIN') ? Buffer.from(s.replace(/(BEGIN|END) [A-Z ]+-----/g, `$1 ${pick(['CERTIFICATE', 'PRIVATE KEY', 'X509 CRL', 'TRUSTED CERTIFICATE'])}-----`), 'latin1') : Buffer.from(`-----BEGIN PRIVATE KEY-----\n${base.toString('base64')}\n-----END PRIVATE KEY-----\n`);
      } else if (mode === 7) d = randomBytes(1 + Math.floor(r() * 4000)); // pure noise
      else if (mode === 8) d = Buffer.concat([Buffer.from('-----BEGIN CERTIFICATE-----\n'), randomBytes(Math.floor(r() * 500)), base]); // PEM with garbage
      else {
        // structural bombs: deep nesting, indefinite lengths, huge declared lengths, many BEGIN lines
        const kind = i % 40;
        if (kind < 10) d = Buffer.concat([Buffer.alloc(2 * (100 + Math.floor(r() * 5000)), 0).map((_, j) => (j % 2 === 0 ? 0x30 : 0x80))]);
        else if (kind < 20) d = Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, ...randomBytes(64)]);
        else if (kind < 30) d = Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(2000 + Math.floor(r() * 2000)));
        else d = Buffer.from(Array.from({ length: 200 }, () => '-----BEGIN X-----\nAAAA\n-----END X-----\n').join(''));
      }
      inputs.push(d);
    }
    inputs.push(Buffer.alloc(9 * 1024 * 1024, 0x30)); // huge

    let imported = 0;
    let failedWithSentence = 0;
    for (const [i, data] of inputs.entries()) {
      const res = await pki.importFile({ fileName: `fuzz-${i}`, data, passphrase: i % 3 === 0 ? 'pw' : 'wrong' });
      if (res.certificatesImported + res.keysImported + res.duplicates > 0) {
        imported++;
        continue;
      }
      expect(res.errors.length, `input ${i}`).toBeGreaterThan(0);
      for (const e of res.errors) {
        expect(e.code, `input ${i}`).toMatch(/^pki\.import\./);
        expect(e.message, `input ${i}`).toMatch(/^(Block \d+: )?[A-Z].*[.)]$/);
        expect(e.message).not.toMatch(/[A-Za-z0-9+/]{48,}/); // no base64 (key material) echoed back
      }
      failedWithSentence++;
    }
    expect(failedWithSentence + imported).toBe(inputs.length);
    expect(failedWithSentence).toBeGreaterThan(5000);
    // Bit flips that still form a valid structure (e.g. in a signature) can import as a different
    // certificate; only those may change the vault.
    if (imported === 0) expect(vault.snapshot(PKI_SECTION)).toBe(before);
    const certsNow = pki.summaries().length;
    expect(certsNow).toBeLessThanOrEqual(2 + imported);
  }, 120_000);
});
