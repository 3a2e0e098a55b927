import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { x509 } from '../../../src/main/services/pki/x509-runtime';
import { PKI_SECTION } from '../../../src/main/services/pki/pki-section';
import { readPkcs12 } from '../../../src/main/services/pki/pkcs12-codec';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';

const DAY = 86_400_000;

async function seed001(vault = new MemoryVaultStore()) {
  const pki = new PkiService({ vault });
  const root = await pki.createRoot({ subject: { commonName: 'AIO42 Root CA' }, validity: { hours: 72000 } });
  const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'AIO42 Intermediate CA 1' }, validity: { hours: 72000 }, clampToIssuer: true });
  const server = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196'], validity: { hours: 72000 }, clampToIssuer: true });
  const croot = await pki.createRoot({ subject: { commonName: 'Clients42 Root CA' } });
  const cint = await pki.createIntermediate({ issuerId: croot.certificate.id, subject: { commonName: 'Clients42 Intermediate CA 1' } });
  const clients = await pki.createClients({ issuerId: cint.certificate.id, prefix: 'client42', count: 2, validity: { days: 825 } });
  return { vault, pki, root, int, server, croot, cint, clients };
}

describe('PkiService — seed 001 chains', () => {
  let s: Awaited<ReturnType<typeof seed001>>;
  beforeAll(async () => {
    s = await seed001();
  });

  it('builds the tree root → intermediate → leaves with status', () => {
    const tree = s.pki.list();
    expect(tree.map((n) => n.certificate.commonName)).toEqual(['AIO42 Root CA', 'Clients42 Root CA']);
    const aio = tree[0]!;
    expect(aio.children.map((n) => n.certificate.commonName)).toEqual(['AIO42 Intermediate CA 1']);
    expect(aio.children[0]!.children.map((n) => n.certificate.commonName)).toEqual(['mqtts-endpoint']);
    expect(tree[1]!.children[0]!.children.map((n) => n.certificate.commonName)).toEqual(['client42a', 'client42b']);
    for (const sum of s.pki.summaries()) {
      expect(sum.status).toBe('valid');
      expect(sum.hasPrivateKey).toBe(true);
      expect(sum.keyAlgorithm).toBe('EC P-256');
    }
  });

  it('issues the server certificate with the IP SAN and checks hosts', () => {
    expect(s.server.certificate.sans).toEqual([{ type: 'ip', value: '192.168.2.196' }]);
    expect(s.pki.checkHost(s.server.certificate.id, '192.168.2.196')).toMatchObject({ valid: true, kind: 'ip' });
    const no = s.pki.checkHost(s.server.certificate.id, '10.13.100.11');
    expect(no.valid).toBe(false);
    expect(no.message).toMatch(/does not list 10\.13\.100\.11.*Re-issue it with 10\.13\.100\.11/);
    expect(s.pki.checkHost(s.server.certificate.id, 'mqtts-endpoint').valid).toBe(false);
  });

  it('names clients client42a, client42b with CN = client id', () => {
    expect(s.clients.certificates.map((c) => c.subject)).toEqual(['CN = client42a', 'CN = client42b']);
    expect(s.clients.certificates.every((c) => c.role === 'client' && c.issuerId === s.cint.certificate.id)).toBe(true);
  });

  it('verifies every chain against the vault roots', () => {
    for (const sum of s.pki.summaries()) {
      const v = s.pki.verify(sum.id);
      expect(v.valid, sum.commonName).toBe(true);
      expect(v.chain.at(-1)!.subject).toMatch(/Root CA/);
    }
    const d = s.pki.get(s.server.certificate.id);
    expect(d.validation.chain.map((l) => l.id)).toEqual([s.server.certificate.id, s.int.certificate.id, s.root.certificate.id]);
    expect(d.inspection.issuer).toBe('CN = AIO42 Intermediate CA 1');
  });

  it('never puts key material in what the UI sees', () => {
    const everything = JSON.stringify([s.pki.list(), s.pki.summaries(), s.pki.expiryOverview(), s.pki.summaries().map((x) => s.pki.get(x.id)), s.clients]);
    expect(everything).not.toMatch(/PRIVATE KEY|pkcs8/i);
    // ...while the vault section does hold the keys
    expect(s.vault.snapshot(PKI_SECTION)).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('exports PEM alone, bundle (leaf + issuer), chain (no root) and full', () => {
    const id = s.server.certificate.id;
    const count = (t: string) => (t.match(/BEGIN CERTIFICATE/g) ?? []).length;
    expect(count(s.pki.exportCertificatePem(id))).toBe(1);
    expect(count(s.pki.exportCertificatePem(id, { chain: 'bundle' }))).toBe(2);
    expect(count(s.pki.exportCertificatePem(id, { chain: 'chain' }))).toBe(2);
    expect(count(s.pki.exportCertificatePem(id, { chain: 'full' }))).toBe(3);
    expect(s.pki.exportCertificatePem(s.root.certificate.id, { chain: 'full' })).toBe(s.pki.exportCertificatePem(s.root.certificate.id));
    expect(s.pki.exportCertificateDer(id)[0]).toBe(0x30);
  });

  it('exports the key as PKCS#8, encrypted when asked', () => {
    const id = s.clients.certificates[0]!.id;
    const plain = s.pki.exportKey(id);
    expect(plain).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const enc = s.pki.exportKey(id, { passphrase: 'field-pass' });
    expect(enc).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(() => createPrivateKey({ key: enc, passphrase: 'wrong' })).toThrow();
    expect(createPrivateKey({ key: enc, passphrase: 'field-pass' }).export({ format: 'pem', type: 'pkcs8' })).toBe(plain);
  });

  it('exports PKCS#12 (modern and legacy) that reads back with key and chain', () => {
    const id = s.clients.certificates[1]!.id;
    for (const legacy of [false, true]) {
      const p12 = s.pki.exportPkcs12(id, 'p12-pass', { legacy });
      const back = readPkcs12(p12, 'p12-pass');
      expect(back.certificates.map((c) => c.commonName)).toEqual(['client42b', 'Clients42 Intermediate CA 1']);
      expect(back.keys).toHaveLength(1);
      expect(() => readPkcs12(p12, 'nope')).toThrow(expect.objectContaining({ code: 'pki.import.bad-passphrase' }));
    }
    expect(() => s.pki.exportPkcs12(id, '')).toThrow(expect.objectContaining({ code: 'pki.export.password-required' }));
  });

  it('re-importing what it made finds only duplicates and leaves the vault alone', async () => {
    const before = s.vault.snapshot(PKI_SECTION);
    const bundle = s.pki.exportCertificatePem(s.server.certificate.id, { chain: 'full' }) + s.pki.exportKey(s.server.certificate.id);
    const [r] = await s.pki.importFiles([{ fileName: 'chain.pem', data: bundle }]);
    expect(r).toMatchObject({ certificatesImported: 0, keysImported: 0, duplicates: 4, keysMatched: 1, errors: [] });
    expect(r!.certificateIds).toEqual([s.server.certificate.id, s.int.certificate.id, s.root.certificate.id]);
    expect(s.vault.snapshot(PKI_SECTION)).toBe(before);
  });
});

describe('PkiService — lifecycle', () => {
  it('refuses what a CA may not sign before generating keys', async () => {
    const { pki, int, server } = await seed001();
    await expect(pki.createIntermediate({ issuerId: int.certificate.id, subject: { commonName: 'Sub' } })).rejects.toMatchObject({ code: 'pki.path-length' });
    await expect(pki.createServer({ issuerId: server.certificate.id, subject: { commonName: 'x' } })).rejects.toMatchObject({ code: 'pki.issuer-not-ca' });
    await expect(pki.createServer({ issuerId: 'c-nope', subject: { commonName: 'x' } })).rejects.toMatchObject({ code: 'pki.not-found' });
    await expect(pki.createClients({ issuerId: int.certificate.id, clientIds: ['a', 'a'] })).rejects.toMatchObject({ code: 'pki.bad-batch' });
    await expect(pki.createClients({ issuerId: int.certificate.id })).rejects.toMatchObject({ code: 'pki.bad-batch' });
  });

  it('refuses a chain that mixes EC and RSA unless allowed, then warns', async () => {
    const vault = new MemoryVaultStore();
    const pki = new PkiService({ vault });
    const root = await pki.createRoot({ subject: { commonName: 'EC Root' } });
    await expect(pki.createClients({ issuerId: root.certificate.id, clientIds: ['rsa-client'], keyAlgorithm: 'rsa-2048' })).rejects.toMatchObject({ code: 'pki.mixed-key-families' });
    const r = await pki.createClients({ issuerId: root.certificate.id, clientIds: ['rsa-client'], keyAlgorithm: 'rsa-2048', allowMixedKeyFamilies: true });
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'mixed-key-families', message: expect.stringMatching(/AIO broker rejects a client chain that mixes EC and RSA/) })]);
    expect(pki.verify(r.certificates[0]!.id).issues.map((i) => i.code)).toEqual(['mixed-key-families']);
  });

  it('renews with a new key by default, or keeps it', async () => {
    const { pki, server } = await seed001();
    const renewed = await pki.renew(server.certificate.id);
    expect(renewed.certificate.subject).toBe(server.certificate.subject);
    expect(renewed.certificate.sans).toEqual(server.certificate.sans);
    expect(renewed.certificate.issuerId).toBe(server.certificate.issuerId);
    expect(renewed.certificate.renewedFrom).toBe(server.certificate.id);
    expect(pki.exportKey(renewed.certificate.id)).not.toBe(pki.exportKey(server.certificate.id));
    const kept = await pki.renew(server.certificate.id, { keepKey: true, validity: { days: 30 } });
    expect(pki.exportKey(kept.certificate.id)).toBe(pki.exportKey(server.certificate.id));
    expect(kept.certificate.serialHex).not.toBe(server.certificate.serialHex);
    expect(kept.certificate.daysLeft).toBe(29);
  });

  it('revokes, shows it, and lists it in a CRL signed by the CA with increasing numbers', async () => {
    const { pki, clients, cint } = await seed001();
    const revoked = await pki.revoke(clients.certificates[0]!.id, 'keyCompromise', new Date('2026-01-02T03:04:05Z'));
    expect(revoked.status).toBe('revoked');
    expect(revoked.revoked).toEqual({ reason: 'keyCompromise', date: '2026-01-02T03:04:05.000Z' });
    expect(pki.verify(revoked.id).issues.map((i) => i.code)).toEqual(['revoked']);
    const pem = (await pki.crl(cint.certificate.id)) as string;
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----/);
    const crl = new x509.X509Crl(pem);
    expect(crl.entries.map((e) => e.serialNumber.toUpperCase())).toEqual([revoked.serialHex]);
    expect(crl.entries[0]!.reason).toBe(x509.X509CrlReason.keyCompromise);
    expect(await crl.verify({ publicKey: await new x509.X509Certificate(pki.exportCertificatePem(cint.certificate.id)).publicKey.export() })).toBe(true);
    const der = (await pki.crl(cint.certificate.id, { encoding: 'der' })) as Buffer;
    const n = new x509.X509Crl(der).getExtension('2.5.29.20');
    expect(Buffer.from(n!.value).toString('hex')).toBe('020102');
    await expect(pki.revoke(clients.certificates[1]!.id, 'bogus' as never)).rejects.toMatchObject({ code: 'pki.bad-reason' });
  });

  it('sorts the expiry overview by soonest expiry, with expiring/expired status', async () => {
    let now = new Date();
    const vault = new MemoryVaultStore();
    const pki = new PkiService({ vault, now: () => now });
    const root = await pki.createRoot({ subject: { commonName: 'Root' }, validity: { days: 3650 } });
    await pki.createServer({ issuerId: root.certificate.id, subject: { commonName: 'long' }, validity: { days: 400 } });
    await pki.createServer({ issuerId: root.certificate.id, subject: { commonName: 'soon' }, validity: { days: 20 } });
    await pki.createServer({ issuerId: root.certificate.id, subject: { commonName: 'short' }, validity: { hours: 2 } });
    now = new Date(now.getTime() + 1 * DAY);
    const o = pki.expiryOverview();
    expect(o.map((e) => e.commonName)).toEqual(['short', 'soon', 'long', 'Root']);
    expect(o.map((e) => e.status)).toEqual(['expired', 'expiring', 'valid', 'valid']);
    expect(pki.verify(o[0]!.id).issues.map((i) => i.code)).toEqual(['expired']);
  });

  it('throws vault.locked while locked and works again after unlock', async () => {
    const { pki, vault, root } = await seed001();
    vault.lock();
    expect(() => pki.list()).toThrow(expect.objectContaining({ code: 'vault.locked' }));
    await expect(pki.createServer({ issuerId: root.certificate.id, subject: { commonName: 'x' } })).rejects.toMatchObject({ code: 'vault.locked' });
    vault.unlock();
    expect(pki.list()).toHaveLength(2);
  });

  it('cancels an RSA-4096 root without touching the vault and reports progress', async () => {
    const vault = new MemoryVaultStore();
    const pki = new PkiService({ vault });
    const ac = new AbortController();
    const messages: string[] = [];
    const p = pki.createRoot({ subject: { commonName: 'Big Root' }, keyAlgorithm: 'rsa-4096' }, { signal: ac.signal, progress: (m) => messages.push(m) });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(messages[0]).toMatch(/RSA 4096/);
    expect(vault.saves).toBe(0);
    expect(pki.list()).toEqual([]);
  });

  it('cancels a client batch midway without saving any of it', async () => {
    const { pki, vault, cint } = await seed001();
    const before = vault.snapshot(PKI_SECTION);
    const ac = new AbortController();
    const p = pki.createClients({ issuerId: cint.certificate.id, prefix: 'c', count: 5 }, { signal: ac.signal, progress: (_m, f) => (f !== undefined && f >= 0.4 ? ac.abort() : undefined) });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(vault.snapshot(PKI_SECTION)).toBe(before);
  });

  it('imports a key before its certificate and matches them later; removes', async () => {
    const vault = new MemoryVaultStore();
    const pki = new PkiService({ vault });
    const src = await seed001();
    const id = src.clients.certificates[0]!.id;
    const [k] = await pki.importFiles([{ fileName: 'client42a.key', data: src.pki.exportKey(id) }]);
    expect(k).toMatchObject({ keysImported: 1, keysUnmatched: 1, certificatesImported: 0 });
    const [c] = await pki.importFiles([{ fileName: 'client42a.crt', data: src.pki.exportCertificatePem(id, { chain: 'full' }) }]);
    expect(c).toMatchObject({ certificatesImported: 3, duplicates: 0 });
    const sums = pki.summaries();
    expect(sums.find((x) => x.commonName === 'client42a')).toMatchObject({ hasPrivateKey: true, role: 'client', source: 'imported' });
    expect(sums.find((x) => x.commonName === 'Clients42 Root CA')).toMatchObject({ hasPrivateKey: false, role: 'root' });
    expect(pki.verify(id).valid).toBe(true);
    await pki.remove(id);
    expect(pki.summaries()).toHaveLength(2);
    const wrong = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const [w] = await pki.importFiles([{ fileName: 'other.key', data: wrong }]);
    expect(w).toMatchObject({ keysImported: 1, keysMatched: 0, keysUnmatched: 1 });
  });
});
