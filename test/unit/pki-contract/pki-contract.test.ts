import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { calls, type CallName, type CallRequest, type CallResponse } from '@shared/contract';
import { PKI_MAX_IMPORT_BYTES, PKI_MAX_VALIDITY_DAYS, pkiCalls } from '@shared/contract/pki-contract';
import { MAX_IMPORT_BYTES } from '../../../src/main/services/pki/pki-importer';
import { MAX_VALIDITY_DAYS } from '../../../src/main/services/pki/certificate-profiles';
import type { Result } from '@shared/errors';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { hasOpenssl, makeTempDir, openssl, sh } from '../../support/pki/openssl-runner';

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const PASSWORD = 'long enough pw';
const IMPORT_PASSPHRASE = 'import-passphrase-9f3c';

/** Every answer and event the tests saw; the last test proves none of them carries key material. */
const seen: unknown[] = [];

function harness() {
  const tmp = makeTempDir('fb-pki-contract-');
  const app: AppContext = composeApp({ dataDir: tmp.dir, runtime: 'cli', vault: { createOptions: WEAK } });
  const events: { name: string; payload: unknown }[] = [];
  for (const name of ['pki.onChanged', 'jobs.onProgress'] as const) {
    app.hub.on(name, (payload) => {
      events.push({ name, payload });
      seen.push(payload);
    });
  }
  const attempt = async <N extends CallName>(name: N, req: CallRequest<N>, opts: { jobId?: string } = {}): Promise<Result<CallResponse<N>>> => {
    const r = (await app.dispatcher.dispatch(name, req, opts)) as Result<CallResponse<N>>;
    seen.push(r);
    return r;
  };
  const call = async <N extends CallName>(name: N, req: CallRequest<N>, opts: { jobId?: string } = {}): Promise<CallResponse<N>> => {
    const r = await attempt(name, req, opts);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  return {
    tmp,
    app,
    events,
    attempt,
    call,
    async close() {
      await app.dispose();
      tmp.cleanup();
    },
  };
}

type H = ReturnType<typeof harness>;

async function seed001(h: H) {
  const root = await h.call('pki.createRoot', { subject: { commonName: 'AIO42 Root CA' }, validity: { hours: 72000 } });
  const int = await h.call('pki.createIntermediate', { issuerId: root.certificate.id, subject: { commonName: 'AIO42 Intermediate CA 1' }, validity: { hours: 72000 }, clampToIssuer: true });
  const server = await h.call('pki.createServer', { issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196', 'mqtts-endpoint'], validity: { hours: 72000 }, clampToIssuer: true });
  const croot = await h.call('pki.createRoot', { subject: { commonName: 'Clients42 Root CA' }, validity: { hours: 72000 } });
  const cint = await h.call('pki.createIntermediate', { issuerId: croot.certificate.id, subject: { commonName: 'Clients42 Intermediate CA 1' }, validity: { hours: 72000 }, clampToIssuer: true });
  const clients = await h.call('pki.createClients', { issuerId: cint.certificate.id, prefix: 'client42', count: 2, validity: { hours: 72000 }, clampToIssuer: true });
  return { root, int, server, croot, cint, clients };
}

describe('pki contract: seed 001 through the dispatcher', () => {
  let h: H;
  let s: Awaited<ReturnType<typeof seed001>>;
  beforeAll(async () => {
    h = harness();
    await h.call('vault.create', { password: PASSWORD });
    s = await seed001(h);
  });
  afterAll(() => h.close());

  it('builds the tree root → intermediate → leaves with status and counts', async () => {
    const list = await h.call('pki.list', {});
    expect(list.total).toBe(7);
    expect(list.counts).toEqual({ valid: 7, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 });
    expect(list.tree.map((n) => n.certificate.commonName)).toEqual(['AIO42 Root CA', 'Clients42 Root CA']);
    const [aio, clients] = list.tree;
    expect(aio!.children[0]!.certificate.commonName).toBe('AIO42 Intermediate CA 1');
    expect(aio!.children[0]!.children.map((n) => n.certificate.commonName)).toEqual(['mqtts-endpoint']);
    expect(clients!.children[0]!.children.map((n) => n.certificate.commonName)).toEqual(['client42a', 'client42b']);
    expect(aio!.certificate).toMatchObject({ role: 'root', isCa: true, pathLength: 1, hasPrivateKey: true, keyAlgorithm: 'EC P-256', status: 'valid' });
  });

  it('inspects the server certificate with every openssl -text field and IoT Hub thumbprints', async () => {
    const d = await h.call('pki.get', { id: s.server.certificate.id });
    expect(d.summary.role).toBe('server');
    expect(d.inspection).toMatchObject({
      version: 3,
      subject: 'CN = mqtts-endpoint',
      issuer: 'CN = AIO42 Intermediate CA 1',
      signatureAlgorithm: 'ecdsa-with-SHA256',
      publicKey: { family: 'ec', curve: 'P-256', bits: 256 },
      basicConstraints: { ca: false },
      keyUsage: ['Digital Signature'],
      extendedKeyUsage: ['TLS Web Server Authentication'],
      subjectAltNames: [
        { type: 'ip', value: '192.168.2.196' },
        { type: 'dns', value: 'mqtts-endpoint' },
      ],
    });
    expect(d.inspection.fingerprints.sha1).toMatch(/^[0-9A-F]{40}$/);
    expect(d.inspection.fingerprints.sha256).toMatch(/^[0-9A-F]{64}$/);
    expect(d.inspection.authorityKeyIdentifier).toBe((await h.call('pki.get', { id: s.int.certificate.id })).inspection.subjectKeyIdentifier);
    expect(d.validation.valid).toBe(true);
    expect(d.validation.chain.map((l) => l.subject)).toEqual(['CN = mqtts-endpoint', 'CN = AIO42 Intermediate CA 1', 'CN = AIO42 Root CA']);
  });

  it('verifies by id and a presented chain, naming a missing intermediate', async () => {
    expect(await h.call('pki.verify', { id: s.clients.certificates[0]!.id })).toMatchObject({ valid: true, issues: [] });
    const leafOnly = (await h.call('pki.exportPem', { id: s.server.certificate.id, chain: 'none' })).pem;
    const presented = await h.call('pki.verify', { pem: leafOnly });
    expect(presented.valid).toBe(true); // the vault holds the intermediate
    // A chain from another PKI whose intermediate is not in the vault.
    const other = harness();
    try {
      await other.call('vault.create', { password: PASSWORD });
      const r = await other.call('pki.createRoot', { subject: { commonName: 'Elsewhere Root' } });
      const i = await other.call('pki.createIntermediate', { issuerId: r.certificate.id, subject: { commonName: 'Elsewhere Int' } });
      const leaf = await other.call('pki.createServer', { issuerId: i.certificate.id, subject: { commonName: 'x.example' } });
      const pem = (await other.call('pki.exportPem', { id: leaf.certificate.id })).pem;
      const v = await h.call('pki.verify', { pem });
      expect(v.valid).toBe(false);
      expect(v.issues.map((x) => x.code)).toContain('missing-intermediate');
    } finally {
      await other.close();
    }
  });

  it('checks hosts against SANs only', async () => {
    const id = s.server.certificate.id;
    expect(await h.call('pki.checkHost', { id, host: '192.168.2.196' })).toMatchObject({ valid: true, kind: 'ip' });
    expect(await h.call('pki.checkHost', { id, host: 'mqtts-endpoint' })).toMatchObject({ valid: true, kind: 'dns' });
    const wrong = await h.call('pki.checkHost', { id, host: '192.168.2.197' });
    expect(wrong.valid).toBe(false);
    expect(wrong.message).toMatch(/does not list 192\.168\.2\.197/);
    expect(await h.attempt('pki.checkHost', { id, host: '   ' })).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
  });

  it('lists expiry soonest first', async () => {
    const short = await h.call('pki.createServer', { issuerId: s.int.certificate.id, subject: { commonName: 'short-lived' }, validity: { days: 10 } });
    const e = await h.call('pki.expiry', {});
    expect(e.expiringWithinDays).toBe(30);
    expect(e.entries[0]).toMatchObject({ id: short.certificate.id, status: 'expiring' });
    const times = e.entries.map((x) => x.notAfter);
    expect([...times].sort()).toEqual(times);
    await h.call('pki.remove', { id: short.certificate.id });
  });

  it.skipIf(!hasOpenssl)('exports PEM chains that the real openssl verify accepts (server and clients)', async () => {
    const dir = h.tmp.dir;
    const pem = async (id: string, chain: 'none' | 'bundle' | 'chain' | 'full' = 'none') => (await h.call('pki.exportPem', { id, chain })).pem;
    writeFileSync(join(dir, 'root.pem'), await pem(s.root.certificate.id));
    writeFileSync(join(dir, 'int.pem'), await pem(s.int.certificate.id));
    const full = await h.call('pki.exportPem', { id: s.server.certificate.id, chain: 'full' });
    expect(full).toMatchObject({ count: 3, fileName: 'mqtts-endpoint-fullchain.pem' });
    const bundle = await h.call('pki.exportPem', { id: s.server.certificate.id, chain: 'bundle' });
    expect(bundle.count).toBe(2);
    writeFileSync(join(dir, 'server.pem'), bundle.pem);
    const ok = await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'int.pem', '-purpose', 'sslserver', '-verify_ip', '192.168.2.196', 'server.pem'], dir);
    expect(ok.stdout).toContain('server.pem: OK');
    expect(ok.code).toBe(0);
    // Negative control: the same file under the other root must fail.
    writeFileSync(join(dir, 'croot.pem'), await pem(s.croot.certificate.id));
    expect((await openssl(['verify', '-CAfile', 'croot.pem', '-untrusted', 'int.pem', 'server.pem'], dir)).code).not.toBe(0);

    const cchain = await h.call('pki.exportPem', { id: s.clients.certificates[1]!.id, chain: 'chain' });
    expect(cchain.count).toBe(2); // leaf + intermediate, what the broker wants from a client
    writeFileSync(join(dir, 'client.pem'), cchain.pem);
    writeFileSync(join(dir, 'cint.pem'), await pem(s.cint.certificate.id));
    const c = await openssl(['verify', '-CAfile', 'croot.pem', '-untrusted', 'cint.pem', '-purpose', 'sslclient', 'client.pem'], dir);
    expect(c.code).toBe(0);
  });

  it.skipIf(!hasOpenssl)('revokes a client and exports a CRL openssl accepts and that lists it', async () => {
    const target = await h.call('pki.createClients', { issuerId: s.cint.certificate.id, clientIds: ['client42z'] });
    const id = target.certificates[0]!.id;
    const revoked = await h.call('pki.revoke', { id, reason: 'keyCompromise' });
    expect(revoked).toMatchObject({ status: 'revoked', revoked: { reason: 'keyCompromise' } });
    const crl = await h.call('pki.crl', { caId: s.cint.certificate.id });
    expect(crl).toMatchObject({ revokedCount: 1, fileName: 'clients42_intermediate_ca_1.crl' });
    expect(crl.pem).toMatch(/^-----BEGIN X509 CRL-----/);
    writeFileSync(join(h.tmp.dir, 'c.crl'), crl.pem);
    writeFileSync(join(h.tmp.dir, 'cint.pem'), (await h.call('pki.exportPem', { id: s.cint.certificate.id })).pem);
    const out = await openssl(['crl', '-in', 'c.crl', '-CAfile', 'cint.pem', '-noout', '-text'], h.tmp.dir);
    expect(out.stderr + out.stdout).toMatch(/verify OK/);
    expect(out.stdout).toContain(target.certificates[0]!.serialHex);
    expect(await h.attempt('pki.crl', { caId: s.server.certificate.id })).toMatchObject({ ok: false, error: { code: 'pki.not-a-ca' } });
    expect((await h.call('pki.verify', { id })).issues.map((i) => i.code)).toContain('revoked');
    expect(await h.call('pki.remove', { id })).toEqual({ id, orphaned: 0 });
  });

  it('renews with a new key, keeping subject and SANs', async () => {
    const before = await h.call('pki.get', { id: s.server.certificate.id });
    const renewed = await h.call('pki.renew', { id: s.server.certificate.id, validity: { days: 400 } }, { jobId: 'renew-1' });
    expect(renewed.certificate.id).not.toBe(s.server.certificate.id);
    expect(renewed.certificate).toMatchObject({ subject: before.summary.subject, sans: before.summary.sans, renewedFrom: s.server.certificate.id, issuerId: s.int.certificate.id });
    expect(h.events.some((e) => e.name === 'jobs.onProgress' && (e.payload as { jobId: string }).jobId === 'renew-1')).toBe(true);
    await h.call('pki.remove', { id: renewed.certificate.id });
  });

  it('announces changes with pki.onChanged', async () => {
    const before = h.events.filter((e) => e.name === 'pki.onChanged').length;
    await h.call('pki.createRoot', { subject: { commonName: 'Announce Root' } }).then((r) => h.call('pki.remove', { id: r.certificate.id }));
    const changed = h.events.filter((e) => e.name === 'pki.onChanged').slice(before);
    expect(changed).toEqual([
      { name: 'pki.onChanged', payload: { reason: 'saved' } },
      { name: 'pki.onChanged', payload: { reason: 'saved' } },
    ]);
  });

  it('removing a CA reports the certificates it leaves orphaned', async () => {
    const r = await h.call('pki.createRoot', { subject: { commonName: 'Doomed Root' } });
    await h.call('pki.createIntermediate', { issuerId: r.certificate.id, subject: { commonName: 'Doomed Int' } });
    const removed = await h.call('pki.remove', { id: r.certificate.id });
    expect(removed.orphaned).toBe(1);
    const list = await h.call('pki.list', {});
    const orphan = list.tree.find((n) => n.certificate.commonName === 'Doomed Int');
    expect(orphan?.certificate.issuerId).toBeNull();
    await h.call('pki.remove', { id: orphan!.certificate.id });
    expect(await h.attempt('pki.get', { id: r.certificate.id })).toMatchObject({ ok: false, error: { code: 'pki.not-found' } });
  });

  it('refuses requests outside the contract before the engine sees them', async () => {
    // Strict schemas: a field the contract does not know (e.g. someone trying to pass a key) is refused.
    expect(await h.attempt('pki.createRoot', { subject: { commonName: 'X' }, privateKeyPem: 'x' } as never)).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
    expect(await h.attempt('pki.createRoot', { subject: { commonName: 'X' }, validity: { days: 0 } })).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
    expect(await h.attempt('pki.createRoot', { subject: { commonName: 'X', country: 'NLD' } })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/two-letter/) } });
    expect(await h.attempt('pki.createServer', { issuerId: s.server.certificate.id, subject: { commonName: 'y' } })).toMatchObject({ ok: false, error: { code: 'pki.issuer-not-ca' } });
    expect(await h.attempt('pki.createIntermediate', { issuerId: s.int.certificate.id, subject: { commonName: 'too deep' } })).toMatchObject({ ok: false, error: { code: 'pki.path-length' } });
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}.pem`, dataBase64: '' }));
    expect(await h.attempt('pki.import', { files: tooMany })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at most 50 files/) } });
  });

  it('works only while unlocked, except defaults and file inspection', async () => {
    writeFileSync(join(h.tmp.dir, 'root.pem'), (await h.call('pki.exportPem', { id: s.root.certificate.id })).pem);
    await h.call('vault.lock', {});
    try {
      expect(h.events.at(-1)).toEqual({ name: 'pki.onChanged', payload: { reason: 'locked' } });
      expect(await h.attempt('pki.list', {})).toMatchObject({ ok: false, error: { code: 'vault.locked' } });
      expect(await h.attempt('pki.import', { files: [{ name: 'x.pem', dataBase64: 'AAAA' }] })).toMatchObject({ ok: false, error: { code: 'vault.locked' } });
      const d = await h.call('pki.defaults', {});
      expect(d.keyAlgorithm).toBe('ec-p256');
      expect(d.profiles.server.extendedKeyUsage).toEqual(['TLS Web Server Authentication']);
      expect(d.keyAlgorithms.find((k) => k.id === 'rsa-4096')).toMatchObject({ slow: true, family: 'rsa' });
      const pem = readFileSync(join(h.tmp.dir, 'root.pem'), 'utf8');
      const ins = await h.call('pki.inspectFile', { name: 'root.pem', dataBase64: Buffer.from(pem).toString('base64') });
      expect(ins.certificates[0]).toMatchObject({ commonName: 'AIO42 Root CA', role: 'root', vaultId: null });
    } finally {
      await h.call('vault.unlock', { password: PASSWORD });
    }
    const pem = readFileSync(join(h.tmp.dir, 'root.pem'), 'utf8');
    const ins = await h.call('pki.inspectFile', { name: 'root.pem', dataBase64: Buffer.from(pem).toString('base64') });
    expect(ins.certificates[0]!.vaultId).toBe(s.root.certificate.id);
  });
});

describe('pki.preview agrees with what is issued', () => {
  let h: H;
  let s: Awaited<ReturnType<typeof seed001>>;
  beforeAll(async () => {
    h = harness();
    await h.call('vault.create', { password: PASSWORD });
    s = await seed001(h);
  });
  afterAll(() => h.close());

  it('previews a server certificate exactly as it is then issued', async () => {
    const req = { issuerId: s.int.certificate.id, subject: { commonName: 'broker', organization: 'Contoso' }, sans: ['192.168.2.196', 'aio-broker.local', 'ops@example.com', 'https://broker.example/x'], validity: { days: 400 } };
    const p = await h.call('pki.preview', { profile: 'server', ...req });
    expect(p).toMatchObject({ canIssue: true, problems: [], warnings: [] });
    const pc = p.certificates[0]!;
    const made = await h.call('pki.createServer', req);
    const d = await h.call('pki.get', { id: made.certificate.id });
    expect(pc.subject).toBe(d.inspection.subject);
    expect(pc.issuer).toBe(d.inspection.issuer);
    expect(pc.sans).toEqual(d.inspection.subjectAltNames);
    expect(pc.sans.map((x) => x.type)).toEqual(['ip', 'dns', 'email', 'uri']);
    expect(pc.keyUsage).toEqual(d.inspection.keyUsage);
    expect(pc.extendedKeyUsage).toEqual(d.inspection.extendedKeyUsage);
    expect(pc.isCa).toBe(false);
    expect(Math.abs(Date.parse(pc.notAfter) - Date.parse(d.inspection.notAfter))).toBeLessThan(60_000);
  });

  it('previews CA profiles, RSA usages, and client batches named like the engine names them', async () => {
    const root = await h.call('pki.preview', { profile: 'root', subject: { commonName: 'New Root', country: '' }, keyAlgorithm: 'rsa-4096' });
    expect(root.certificates[0]).toMatchObject({ subject: 'CN = New Root', issuer: 'CN = New Root', pathLength: 1, keyUsage: ['Certificate Sign', 'CRL Sign'], keyFamily: 'rsa' });
    expect(root.keyGeneration).toMatchObject({ algorithm: 'rsa-4096', slow: true, count: 1 });
    const int = await h.call('pki.preview', { profile: 'intermediate', issuerId: s.root.certificate.id, subject: { commonName: 'New Int' } });
    expect(int.certificates[0]).toMatchObject({ pathLength: 0, isCa: true, issuer: 'CN = AIO42 Root CA' });

    const batch = await h.call('pki.preview', { profile: 'client', issuerId: s.cint.certificate.id, prefix: 'client42', count: 3, keyAlgorithm: 'rsa-2048' });
    expect(batch.certificates.map((c) => c.commonName)).toEqual(['client42a', 'client42b', 'client42c']);
    expect(batch.certificates[0]).toMatchObject({ keyUsage: ['Digital Signature', 'Key Encipherment'], extendedKeyUsage: ['TLS Web Client Authentication'], sans: [{ type: 'dns', value: 'client42a' }] });
    // An RSA leaf under the EC Clients42 chain: the broker would reject it, so both refuse it unless the
    // mixed chain is allowed explicitly, and then both warn (issue 14: it used to be only a warning).
    expect(batch.canIssue).toBe(false);
    expect(batch.problems).toEqual([expect.objectContaining({ field: 'keyAlgorithm', code: 'pki.mixed-key-families', message: expect.stringMatching(/Choose an EC key type/) })]);
    expect(await h.attempt('pki.createClients', { issuerId: s.cint.certificate.id, clientIds: ['mixed0'], keyAlgorithm: 'rsa-2048' })).toMatchObject({ ok: false, error: { code: 'pki.mixed-key-families' } });
    const allowed = await h.call('pki.preview', { profile: 'client', issuerId: s.cint.certificate.id, prefix: 'client42', count: 3, keyAlgorithm: 'rsa-2048', allowMixedKeyFamilies: true });
    expect(allowed.warnings.map((w) => w.code)).toContain('mixed-key-families');
    expect(allowed.canIssue).toBe(true);
    const issued = await h.call('pki.createClients', { issuerId: s.cint.certificate.id, clientIds: ['mixed1'], keyAlgorithm: 'rsa-2048', allowMixedKeyFamilies: true });
    expect(issued.warnings.map((w) => w.code)).toContain('mixed-key-families');
    // Without a key type, a certificate from a CA gets the CA's own family.
    const rsaRoot = await h.call('pki.createRoot', { subject: { commonName: 'RSA Root' }, keyAlgorithm: 'rsa-2048' });
    const byDefault = await h.call('pki.preview', { profile: 'intermediate', issuerId: rsaRoot.certificate.id, subject: { commonName: 'RSA Int' } });
    expect(byDefault).toMatchObject({ canIssue: true, keyGeneration: { algorithm: 'rsa-2048' }, certificates: [{ keyFamily: 'rsa' }] });
  });

  it('clamps to the issuer exactly when the engine does, and refuses when it would', async () => {
    // 72000h under a 72000h CA made earlier overshoots by minutes. With "shorten" unticked this used to be
    // shortened anyway (issue 9); now preview and create both refuse it with a sentence, and clamp on request.
    const slight = await h.call('pki.preview', { profile: 'server', issuerId: s.int.certificate.id, subject: { commonName: 'm2' }, validity: { hours: 72000 } });
    expect(slight.canIssue).toBe(false);
    expect(slight.problems).toEqual([expect.objectContaining({ field: 'validity', code: 'pki.validity-exceeds-issuer', message: expect.stringMatching(/would outlast "AIO42 Intermediate CA 1" by \d+ minutes?.*--clamp/) })]);
    expect(await h.attempt('pki.createServer', { issuerId: s.int.certificate.id, subject: { commonName: 'm2' }, validity: { hours: 72000 }, clampToIssuer: false })).toMatchObject({ ok: false, error: { code: 'pki.validity-exceeds-issuer' } });
    const asked = await h.call('pki.preview', { profile: 'server', issuerId: s.int.certificate.id, subject: { commonName: 'm2' }, validity: { hours: 72000 }, clampToIssuer: true });
    expect(asked.certificates[0]).toMatchObject({ validityClamped: true, notAfter: s.int.certificate.notAfter });
    expect(asked.warnings.map((w) => w.code)).toEqual(['validity-clamped']);
    const issued = await h.call('pki.createServer', { issuerId: s.int.certificate.id, subject: { commonName: 'm2' }, validity: { hours: 72000 }, clampToIssuer: true });
    expect(issued.certificate.notAfter).toBe(s.int.certificate.notAfter);
    expect(issued.warnings.map((w) => w.code)).toEqual(['validity-clamped']);

    const far = { issuerId: s.int.certificate.id, subject: { commonName: 'm3' }, validity: { days: 20000 } };
    const refused = await h.call('pki.preview', { profile: 'server', ...far });
    expect(refused.canIssue).toBe(false);
    expect(refused.problems).toEqual([expect.objectContaining({ field: 'validity', code: 'pki.validity-exceeds-issuer' })]);
    expect(await h.attempt('pki.createServer', far)).toMatchObject({ ok: false, error: { code: 'pki.validity-exceeds-issuer' } });

    const clamped = await h.call('pki.preview', { profile: 'server', ...far, clampToIssuer: true });
    expect(clamped).toMatchObject({ canIssue: true, certificates: [{ validityClamped: true, notAfter: s.int.certificate.notAfter }] });
  });

  it('names each problem of a half-filled form under its field', async () => {
    const empty = await h.call('pki.preview', { profile: 'server' });
    expect(empty.canIssue).toBe(false);
    expect(empty.problems.map((p) => p.field).sort()).toEqual(['commonName', 'issuerId']);

    const bad = await h.call('pki.preview', { profile: 'server', issuerId: s.int.certificate.id, subject: { commonName: 'ok', country: 'NLD' }, sans: ['not a host', ''], validity: { days: -1 } });
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['country', 'sans', 'validity']);
    expect(bad.problems.find((p) => p.field === 'sans')!.message).toMatch(/"not a host" is neither an IP address nor a valid host name/);

    const deep = await h.call('pki.preview', { profile: 'intermediate', issuerId: s.int.certificate.id, subject: { commonName: 'too deep' } });
    expect(deep.problems).toEqual([expect.objectContaining({ field: 'issuerId', code: 'pki.path-length' })]);
    const leafIssuer = await h.call('pki.preview', { profile: 'client', issuerId: s.server.certificate.id, clientIds: ['a'] });
    expect(leafIssuer.problems.map((p) => p.code)).toContain('pki.issuer-not-ca');
    const gone = await h.call('pki.preview', { profile: 'client', issuerId: 'c-nothere', clientIds: ['a'] });
    expect(gone.problems).toEqual([expect.objectContaining({ field: 'issuerId', code: 'pki.not-found' })]);
    const dup = await h.call('pki.preview', { profile: 'client', issuerId: s.cint.certificate.id, clientIds: ['a', 'b', 'a'] });
    expect(dup.problems).toEqual([expect.objectContaining({ field: 'clientIds', message: expect.stringMatching(/"a" appears twice/) })]);
    expect(await h.attempt('pki.createClients', { issuerId: s.cint.certificate.id, clientIds: ['a', 'b', 'a'] })).toMatchObject({ ok: false, error: { code: 'pki.bad-batch' } });
  });
});

describe('pki.import through the contract', () => {
  let h: H;
  beforeAll(async () => {
    h = harness();
    await h.call('vault.create', { password: PASSWORD });
  });
  afterAll(() => h.close());

  it.skipIf(!hasOpenssl)('imports openssl-made files per file: keys matched, duplicates recognised, encrypted keys with a passphrase', async () => {
    const dir = h.tmp.dir;
    const made = await sh(
      [
        'openssl genrsa -out root.key 2048 2>/dev/null',
        'openssl req -x509 -new -nodes -key root.key -sha256 -days 3000 -subj "/CN=AIO42 Root CA" -out root.crt',
        'openssl genrsa -out int.key 2048 2>/dev/null',
        'openssl req -new -key int.key -subj "/CN=AIO42 Intermediate CA 1" -out int.csr',
        'printf "basicConstraints=critical,CA:TRUE,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign\\n" > ca.ext',
        'openssl x509 -req -in int.csr -CA root.crt -CAkey root.key -CAcreateserial -out int.crt -days 3000 -sha256 -extfile ca.ext 2>/dev/null',
        'openssl genrsa -out leaf.key 2048 2>/dev/null',
        'openssl req -new -key leaf.key -subj "/CN=mqtts-endpoint" -out leaf.csr',
        'printf "subjectAltName=IP:192.168.2.196\\n" > san.cnf',
        'openssl x509 -req -in leaf.csr -CA int.crt -CAkey int.key -CAcreateserial -out leaf.crt -days 3000 -sha256 -extfile san.cnf 2>/dev/null',
        `openssl pkcs8 -topk8 -in leaf.key -out leaf.enc.key -v2 aes-256-cbc -passout pass:${IMPORT_PASSPHRASE}`,
        'openssl x509 -in int.crt -outform DER -out int.der',
        'cat leaf.crt int.crt > bundle.pem',
      ].join('\n'),
      dir,
    );
    expect(made.code, made.stderr).toBe(0);
    const file = (name: string, passphrase?: string) => ({ name, dataBase64: readFileSync(join(dir, name)).toString('base64'), ...(passphrase ? { passphrase } : {}) });

    const first = await h.call('pki.import', { files: [file('root.crt'), file('root.key'), file('int.der'), file('bundle.pem'), file('leaf.enc.key')] }, { jobId: 'imp-1' });
    const by = Object.fromEntries(first.results.map((r) => [r.fileName, r]));
    expect(by['root.crt']).toMatchObject({ certificatesImported: 1, errors: [] });
    expect(by['root.key']).toMatchObject({ keysImported: 1, keysMatched: 1 });
    expect(by['int.der']).toMatchObject({ certificatesImported: 1 });
    expect(by['bundle.pem']).toMatchObject({ certificatesImported: 1, duplicates: 1 });
    expect(by['leaf.enc.key']!.errors[0]!.code).toBe('pki.import.passphrase-required');
    expect(h.events.filter((e) => e.name === 'jobs.onProgress' && (e.payload as { jobId: string }).jobId === 'imp-1').length).toBeGreaterThanOrEqual(5);

    const second = await h.call('pki.import', { files: [file('leaf.enc.key', IMPORT_PASSPHRASE), file('root.crt')] });
    expect(second.results[0]).toMatchObject({ keysImported: 1, keysMatched: 1, errors: [] });
    expect(second.results[1]).toMatchObject({ certificatesImported: 0, duplicates: 1 });
    expect(JSON.stringify(second)).not.toContain(IMPORT_PASSPHRASE);

    const list = await h.call('pki.list', {});
    expect(list.tree).toHaveLength(1);
    const leaf = list.tree[0]!.children[0]!.children[0]!.certificate;
    expect(leaf).toMatchObject({ commonName: 'mqtts-endpoint', source: 'imported', hasPrivateKey: true });
    expect(await h.call('pki.verify', { id: leaf.id })).toMatchObject({ valid: true });
  });

  it('gives a per-file error for broken, empty or foreign files and keeps going', async () => {
    const r = await h.call('pki.import', {
      files: [
        { name: 'garbage.bin', dataBase64: Buffer.from('hello, not a certificate').toString('base64') },
        { name: 'empty.pem', dataBase64: '' },
        { name: 'mangled.pem', dataBase64: '***not base64***' },
      ],
    });
    expect(r.results.map((x) => x.errors[0]?.code)).toEqual(['pki.import.unrecognised', 'pki.import.empty', 'pki.import.bad-encoding']);
    for (const x of r.results) expect(x.errors[0]!.message).toMatch(/\.\s*$|\.\s\w/);
  });

  it('refuses a file above the size limit in the request itself', async () => {
    const big = 'A'.repeat(Math.ceil((8 * 1024 * 1024) / 3) * 4 + 8);
    expect(await h.attempt('pki.import', { files: [{ name: 'big.pem', dataBase64: big }] })).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest', message: expect.stringMatching(/at most 8 MB/) } });
  });
});

describe('pki jobs can be cancelled', () => {
  let h: H;
  beforeAll(async () => {
    h = harness();
    await h.call('vault.create', { password: PASSWORD });
  });
  afterAll(() => h.close());

  it('cancels an RSA-4096 root while its key is generated; nothing is saved', async () => {
    const progress: string[] = [];
    const off = h.app.hub.on('jobs.onProgress', (p) => {
      const { jobId, message } = p as { jobId: string; message: string };
      if (jobId !== 'rsa4096') return;
      progress.push(message);
      if (progress.length === 1) void h.app.dispatcher.dispatch('jobs.cancel', { jobId });
    });
    try {
      const r = await h.attempt('pki.createRoot', { subject: { commonName: 'Slow Root' }, keyAlgorithm: 'rsa-4096' }, { jobId: 'rsa4096' });
      expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      expect(progress[0]).toMatch(/Generating the RSA 4096 key/);
      expect((await h.call('pki.list', {})).total).toBe(0);
    } finally {
      off();
    }
  });

  it('cancels a client batch midway; nothing is saved', async () => {
    const root = await h.call('pki.createRoot', { subject: { commonName: 'Batch Root' }, keyAlgorithm: 'rsa-2048' });
    let n = 0;
    const off = h.app.hub.on('jobs.onProgress', (p) => {
      if ((p as { jobId: string }).jobId === 'batch' && ++n === 2) void h.app.dispatcher.dispatch('jobs.cancel', { jobId: 'batch' });
    });
    try {
      const r = await h.attempt('pki.createClients', { issuerId: root.certificate.id, prefix: 'c', count: 5, keyAlgorithm: 'rsa-2048' }, { jobId: 'batch' });
      expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      expect((await h.call('pki.list', {})).total).toBe(1);
    } finally {
      off();
    }
  });
});

describe('the contract and the engine agree', () => {
  it('uses the engine\'s limits (src/shared cannot import them, so they are repeated there)', () => {
    expect(PKI_MAX_IMPORT_BYTES).toBe(MAX_IMPORT_BYTES);
    expect(PKI_MAX_VALIDITY_DAYS).toBe(MAX_VALIDITY_DAYS);
  });

  it('accepts a batch of exactly the contract\'s maximum in the engine (prefix + count)', async () => {
    const h = harness();
    try {
      await h.call('vault.create', { password: PASSWORD });
      const root = await h.call('pki.createRoot', { subject: { commonName: 'Batch limit root' } });
      const p = await h.call('pki.preview', { profile: 'client', issuerId: root.certificate.id, prefix: 'c', count: 200 });
      expect(p).toMatchObject({ canIssue: true, keyGeneration: { count: 200 } });
      expect(p.certificates.at(-1)!.commonName).toBe('cgr'); // a…z, aa…gr: the engine's naming
      const over = await h.call('pki.preview', { profile: 'client', issuerId: root.certificate.id, prefix: 'c', count: 201 });
      expect(over.problems.map((x) => x.code)).toEqual(['pki.bad-batch']);
    } finally {
      await h.close();
    }
  });
});

describe('no private key ever leaves main through the pki contract', () => {
  it('has no response field that could carry key material', () => {
    const suspicious = /private|pkcs8|secret|passphrase|password|keyPem|keyData/i;
    const found: string[] = [];
    const walk = (schema: z.ZodType, path: string, depth: number): void => {
      if (depth > 8) return;
      const def = (schema as unknown as { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; options?: z.ZodType[]; innerType?: z.ZodType; valueType?: z.ZodType; getter?: () => z.ZodType } }).def;
      if (def.type === 'object' && def.shape) {
        for (const [k, v] of Object.entries(def.shape)) {
          // A flag such as hasPrivateKey says where a key is, not what it is.
          const isFlag = (v as unknown as { def: { type: string } }).def.type === 'boolean';
          if (suspicious.test(k) && !isFlag) found.push(`${path}.${k}`);
          walk(v, `${path}.${k}`, depth + 1);
        }
      } else if (def.type === 'array' && def.element) walk(def.element, `${path}[]`, depth + 1);
      else if (def.type === 'union' && def.options) def.options.forEach((o, i) => walk(o, `${path}|${i}`, depth + 1));
      else if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) walk(def.innerType, path, depth + 1);
      else if (def.type === 'record' && def.valueType) walk(def.valueType, `${path}{}`, depth + 1);
    };
    // The walk must reach nested, optional and array fields, or this test could not fail.
    const canary = z.object({ a: z.array(z.object({ b: z.object({ privateKeyPem: z.string() }).nullable() })).optional() });
    walk(canary, 'canary', 0);
    expect(found).toEqual(['canary.a[].b.privateKeyPem']);
    found.length = 0;
    for (const [name, spec] of Object.entries(pkiCalls)) walk(spec.response, name, 0);
    expect(found).toEqual([]);
    expect(Object.keys(pkiCalls).every((n) => n in calls)).toBe(true);
  });

  it('no answer or event seen in these tests contains a private key or the import passphrase', () => {
    expect(seen.length).toBeGreaterThan(50);
    const text = JSON.stringify(seen);
    expect(text).toContain('BEGIN CERTIFICATE'); // the scan looked at real exports
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toContain(IMPORT_PASSPHRASE);
    expect(text).not.toContain(PASSWORD);
  });
});
