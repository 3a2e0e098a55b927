import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed001Vault, type Seed001 } from './export-fixture';

// Issue 15 "Output": one export per device (a folder each) and a summary CSV an IoT Hub or an asset list
// takes, from the same engine as every other export, keys only once confirmed.
describe('exports.writeEach: one bundle per device and a summary CSV', () => {
  let s: Seed001;
  let ids: string[];
  beforeAll(async () => {
    s = await seed001Vault();
    const batch = await s.call('pki.createClients', { prefix: 'sensor-', count: 120, issuerId: s.ids.clientsIntermediate, clampToIssuer: true });
    ids = batch.certificates.map((c) => c.id);
  }, 120_000);
  afterAll(async () => s?.close());

  it('refuses keys that were not confirmed and writes nothing', async () => {
    const out = join(s.dir, 'unconfirmed');
    const err = await s.fail('exports.writeEach', { target: 'pem', certificateIds: ids, includeKey: true, out });
    expect(err.code).toBe('exports.keysNotConfirmed');
    expect(existsSync(out)).toBe(false);
  });

  it('writes a folder per device with its key (0600), a summary whose thumbprints are openssl\'s, and logs the keys once', async () => {
    const out = join(s.dir, 'bundles');
    const r = await s.call('exports.writeEach', { target: 'pem', certificateIds: ids, includeKey: true, out, confirmedKeys: ids });
    expect(r.bundles).toHaveLength(120);
    expect(r.keys).toBe(120);
    const folders = readdirSync(out).filter((f) => f !== 'summary.csv').sort();
    expect(folders).toHaveLength(120);
    expect(new Set(folders).size).toBe(120);
    const one = r.bundles[7] as { folder: string; commonName: string };
    const manifest = JSON.parse(readFileSync(join(out, one.folder, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; role: string; certificate: string }> };
    expect(new Set(manifest.files.map((f) => f.certificate).filter((c) => c && !c.includes(',')))).toContain(one.commonName);
    const key = manifest.files.find((f) => f.role === 'key');
    const cert = manifest.files.find((f) => f.role === 'certificate' || f.role === 'chain');
    expect(statSync(join(out, one.folder, key?.path as string)).mode & 0o777).toBe(0o600);

    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('device_id,serial,sha1_thumbprint,sha256_thumbprint,not_after');
    expect(csv).toHaveLength(121);
    const line = csv.find((l) => l.startsWith(`${one.commonName},`))?.split(',') as string[];
    const fp = (alg: string) => execFileSync('openssl', ['x509', '-in', join(out, one.folder, cert?.path as string), '-noout', '-fingerprint', `-${alg}`], { encoding: 'utf8' }).split('=')[1]!.trim().replace(/:/g, '');
    expect(line[2]).toBe(fp('sha1'));
    expect(line[3]).toBe(fp('sha256'));
    const log = await s.call('exports.log', { limit: 5 });
    expect(log.entries.filter((e) => e.path === out)).toHaveLength(1);
    expect(log.entries.find((e) => e.path === out)?.keys).toHaveLength(120);
  });
});
