import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';
import { parseDeviceList } from '@shared/pki-device-list';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { hasOpenssl, makeTempDir, openssl } from '../../support/pki/openssl-runner';

// Issue 15: a list of device ids becomes one client certificate each, checked up front, in one save.
const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

function harness() {
  const tmp = makeTempDir('fb-pki-bulk-');
  const app: AppContext = composeApp({ dataDir: tmp.dir, runtime: 'cli', vault: { createOptions: WEAK } });
  const attempt = async <N extends CallName>(name: N, req: CallRequest<N>, opts: { jobId?: string } = {}) => (await app.dispatcher.dispatch(name, req, opts)) as Result<CallResponse<N>>;
  const call = async <N extends CallName>(name: N, req: CallRequest<N>, opts: { jobId?: string } = {}): Promise<CallResponse<N>> => {
    const r = await attempt(name, req, opts);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  return { tmp, app, attempt, call };
}

const ids = (n: number, prefix = 'sensor-') => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);

describe('bulk issuance from a device list', () => {
  const h = harness();
  let root: CallResponse<'pki.createRoot'>;
  let int: CallResponse<'pki.createIntermediate'>;
  let vaultFile: string;
  beforeAll(async () => {
    await h.call('vault.create', { password: 'long enough pw' });
    root = await h.call('pki.createRoot', { subject: { commonName: 'Site Root' } });
    int = await h.call('pki.createIntermediate', { issuerId: root.certificate.id, subject: { commonName: 'Site Devices CA' } });
    await h.call('pki.createClients', { issuerId: int.certificate.id, clientIds: ['already-here'] });
    vaultFile = (await h.call('vault.status', {})).path;
  }, 60_000);
  afterAll(async () => {
    await h.app.dispose();
    h.tmp.cleanup();
  });

  it('reads plain lists and CSV with a header, quoting and per-row columns', () => {
    expect(parseDeviceList('# line 4\n\nplc-01\nplc-02\r\n').rows.map((r) => [r.line, r.deviceId])).toEqual([
      [3, 'plc-01'],
      [4, 'plc-02'],
    ]);
    const csv = parseDeviceList('device_id,sans,validity,key,iothub_device_id\nplc-01,"10.0.0.5 plc-01.plant.local",72000h,rsa-2048,Plant4-PLC01\nplc-02,,30,,\n');
    expect(csv.problems).toEqual([]);
    expect(csv.rows[0]).toEqual({ line: 2, deviceId: 'plc-01', sans: [{ type: 'ip', value: '10.0.0.5' }, { type: 'dns', value: 'plc-01.plant.local' }], validity: { hours: 72000 }, keyAlgorithm: 'rsa-2048', iothubDeviceId: 'Plant4-PLC01' });
    expect(csv.rows[1]).toEqual({ line: 3, deviceId: 'plc-02', sans: [], validity: { days: 30 } });
  });

  it('a 1,000-line list with five planted errors reports exactly those five lines and issues nothing', async () => {
    const lines = ids(1000);
    lines[99] = 'sensor-0042'; // line 100 repeats line 42
    lines[299] = 'bad id!'; // not a valid CN
    lines[499] = 'already-here'; // issued before
    lines[699] = 'sensor-0700,10.0.0.999'; // SAN that is not an address
    lines[899] = 'sensor-0900,,0'; // validity of zero days
    const list = lines.join('\n');
    const before = readFileSync(vaultFile);
    const plan = await h.call('pki.planClientList', { issuerId: int.certificate.id, list });
    expect(plan.canIssue).toBe(false);
    expect(plan.problems.map((p) => p.line)).toEqual([100, 300, 500, 700, 900]);
    expect(plan.problems[0]!.message).toMatch(/already listed on line 42/);
    expect(plan.problems[2]!.message).toMatch(/already has a client certificate in the vault/);
    expect(plan.problems[3]!.message).toMatch(/10\.0\.0\.999/);
    const r = await h.attempt('pki.createClientList', { issuerId: int.certificate.id, list });
    expect(r).toMatchObject({ ok: false, error: { code: 'pki.bad-list', message: expect.stringMatching(/^Nothing was issued: the list has 5 problems\. line 100:/) } });
    expect(readFileSync(vaultFile).equals(before)).toBe(true);
  });

  it('a cancelled batch leaves the vault byte-identical', async () => {
    const before = readFileSync(vaultFile);
    let n = 0;
    const off = h.app.hub.on('jobs.onProgress', (p) => {
      if ((p as { jobId: string }).jobId === 'bulk-cancel' && ++n === 3) void h.app.dispatcher.dispatch('jobs.cancel', { jobId: 'bulk-cancel' });
    });
    try {
      const r = await h.attempt('pki.createClientList', { issuerId: int.certificate.id, list: ids(1000, 'cancelled-').join('\n') }, { jobId: 'bulk-cancel' });
      expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    } finally {
      off();
    }
    expect(readFileSync(vaultFile).equals(before)).toBe(true);
  });

  it('a clean list issues 1,000 certificates that chain to the CA, each id once; the CSV thumbprints are openssl\'s', async () => {
    const list = ids(1000).join('\n');
    const r = await h.call('pki.createClientList', { issuerId: int.certificate.id, list });
    expect(r.issued).toHaveLength(1000);
    expect(new Set(r.issued.map((d) => d.deviceId)).size).toBe(1000);
    const intCert = new X509Certificate(await pem(int.certificate.id));
    const rootCert = new X509Certificate(await pem(root.certificate.id));
    for (const d of r.issued) {
      const c = new X509Certificate(await pem(d.certificateId));
      expect(c.subject).toBe(`CN=${d.deviceId}`);
      expect(c.checkIssued(intCert)).toBe(true);
      expect(c.verify(intCert.publicKey)).toBe(true);
      expect(c.fingerprint256.replace(/:/g, '')).toBe(d.sha256Thumbprint);
      expect(c.serialNumber).toBe(d.serialHex);
      expect(c.subjectAltName).toBe(`DNS:${d.deviceId}`);
      expect(c.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    }
    expect(intCert.checkIssued(rootCert)).toBe(true);
    const csv = r.summaryCsv.trim().split('\n');
    expect(csv[0]).toBe('device_id,serial,sha1_thumbprint,sha256_thumbprint,not_after');
    expect(csv).toHaveLength(1001);
    // The vault holds them like any other certificate: the tree lists them under their CA, chains valid.
    const tree = await h.call('pki.list', {});
    expect(tree.total).toBe(1000 + 3);
    const sample = r.issued.filter((_, i) => i % 97 === 0);
    for (const d of sample) expect((await h.call('pki.get', { id: d.certificateId })).validation.valid).toBe(true);
    if (!hasOpenssl) return;
    const dir = h.tmp.dir;
    writeFileSync(join(dir, 'root.pem'), await pem(root.certificate.id));
    writeFileSync(join(dir, 'int.pem'), await pem(int.certificate.id));
    for (const [i, d] of sample.entries()) {
      writeFileSync(join(dir, `leaf${i}.pem`), await pem(d.certificateId));
      const v = await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'int.pem', '-purpose', 'sslclient', `leaf${i}.pem`], dir);
      expect(v.stdout.trim(), v.stderr).toBe(`leaf${i}.pem: OK`);
      const row = csv[1 + r.issued.indexOf(d)]!.split(',');
      const sha1 = await openssl(['x509', '-in', `leaf${i}.pem`, '-noout', '-fingerprint', '-sha1'], dir);
      const sha256 = await openssl(['x509', '-in', `leaf${i}.pem`, '-noout', '-fingerprint', '-sha256'], dir);
      expect(row[2]).toBe(sha1.stdout.trim().split('=')[1]!.replace(/:/g, ''));
      expect(row[3]).toBe(sha256.stdout.trim().split('=')[1]!.replace(/:/g, ''));
      const text = await openssl(['x509', '-in', `leaf${i}.pem`, '-noout', '-ext', 'keyUsage,extendedKeyUsage,basicConstraints'], dir);
      expect(text.stdout).toMatch(/critical\s+CA:FALSE/);
      expect(text.stdout).toMatch(/Digital Signature/);
      expect(text.stdout).toMatch(/TLS Web Client Authentication/);
    }
    // A second run of the same list is refused line by line: every id has its certificate now.
    const again = await h.call('pki.planClientList', { issuerId: int.certificate.id, list: ids(3).join('\n') });
    expect(again.problems.map((p) => p.line)).toEqual([1, 2, 3]);
  }, 120_000);

  it.each(['ec-p384', 'rsa-2048', 'ed25519'] as const)('the DER template signs under a %s CA, with every key type and IPv6 SANs, as openssl and Node read them', async (caAlg) => {
    const r2 = await h.call('pki.createRoot', { subject: { commonName: `Root ${caAlg}` }, keyAlgorithm: caAlg });
    const i2 = await h.call('pki.createIntermediate', { issuerId: r2.certificate.id, subject: { commonName: `Int ${caAlg}` } });
    const list = ['device_id,sans,validity,key', `${caAlg}-a,"fe80::1 2001:db8::10.0.0.1 10.1.2.3 ops@plant.example",30,ec-p256`, `${caAlg}-b,,5000d,rsa-2048`, `${caAlg}-c,spiffe://plant/c,,ed25519`, `${caAlg}-d,,,`].join('\n');
    const r = await h.call('pki.createClientList', { issuerId: i2.certificate.id, list, allowMixedKeyFamilies: true, clampToIssuer: true, organization: 'Plant 4' });
    expect(r.issued.map((d) => d.deviceId)).toEqual([`${caAlg}-a`, `${caAlg}-b`, `${caAlg}-c`, `${caAlg}-d`]);
    const intCert = new X509Certificate(await pem(i2.certificate.id));
    const certs = await Promise.all(r.issued.map(async (d) => new X509Certificate(await pem(d.certificateId))));
    for (const c of certs) {
      expect(c.verify(intCert.publicKey)).toBe(true);
      expect(c.subject).toMatch(/^O=Plant 4\nCN=/);
    }
    expect(certs[0]!.subjectAltName).toBe('IP Address:FE80:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:0:A00:1, IP Address:10.1.2.3, email:ops@plant.example');
    expect(certs[0]!.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certs[1]!.publicKey.asymmetricKeyType).toBe('rsa');
    expect(certs[2]!.subjectAltName).toBe('URI:spiffe://plant/c');
    expect(certs[2]!.publicKey.asymmetricKeyType).toBe('ed25519');
    // No key type in the row or the request: the CA's own family.
    expect(certs[3]!.publicKey.asymmetricKeyType).toBe(caAlg === 'rsa-2048' ? 'rsa' : caAlg === 'ed25519' ? 'ed25519' : 'ec');
    // 5000 days under a 3650-day CA, with "shorten" asked for: ends with the CA, to the second.
    expect(r.issued[1]!.notAfter).toBe(i2.certificate.notAfter);
    expect(new Date(certs[1]!.validTo).toISOString()).toBe(i2.certificate.notAfter);
    expect(r.issued[0]!.notAfter).toBe(new Date(certs[0]!.validTo).toISOString());
    // EC and RSA rows mix with an EC or RSA chain; Ed25519 mixes with neither.
    expect(r.warnings.map((w) => w.code).sort()).toEqual(caAlg === 'ed25519' ? ['validity-clamped'] : ['mixed-key-families', 'validity-clamped']);
    if (!hasOpenssl) return;
    const dir = h.tmp.dir;
    writeFileSync(join(dir, `root-${caAlg}.pem`), await pem(r2.certificate.id));
    writeFileSync(join(dir, `int-${caAlg}.pem`), await pem(i2.certificate.id));
    for (const [i, d] of r.issued.entries()) {
      writeFileSync(join(dir, `t-${caAlg}-${i}.pem`), await pem(d.certificateId));
      const v = await openssl(['verify', '-CAfile', `root-${caAlg}.pem`, '-untrusted', `int-${caAlg}.pem`, `t-${caAlg}-${i}.pem`], dir);
      expect(v.stdout.trim(), v.stderr).toBe(`t-${caAlg}-${i}.pem: OK`);
    }
  }, 60_000);

  async function pem(id: string): Promise<string> {
    return (await h.call('pki.exportPem', { id, chain: 'none' })).pem;
  }
});
