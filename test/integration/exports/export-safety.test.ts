import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed001Vault, type Seed001 } from './export-fixture';

describe('exports: keys leave only when confirmed, into files nobody prepared', () => {
  let s: Seed001;
  beforeAll(async () => {
    s = await seed001Vault();
  }, 60_000);
  afterAll(async () => s?.close());

  it('issue 10 row 5: mqtt.exportConnections refuses a pre-created 0666 key file and a symlinked CA file instead of using them', async () => {
    const saved = await s.call('mqtt.saveProfile', {
      profile: { name: 'Lab X.509', protocol: 'mqtts', host: '127.0.0.1', port: 8883, tls: { ca: { source: 'vault', certificateId: s.ids.aioRoot }, clientCertificate: { source: 'vault', certificateId: s.ids.client42a } } },
    });
    const dir = join(s.dir, 'prepared-by-someone');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const planted = join(dir, 'Lab-X.509-client.key');
    writeFileSync(planted, '');
    chmodSync(planted, 0o666);
    const rootOwned = join(s.dir, 'root-owned.conf');
    writeFileSync(rootOwned, 'keep me\n');
    symlinkSync(rootOwned, join(dir, 'Lab-X.509-ca.pem'));

    const err = await s.fail('mqtt.exportConnections', { format: 'mqttx', profileIds: [saved.id], filesDir: dir, includeKeys: true });
    expect(err.code).toBe('files.exists');
    expect(err.message).toMatch(/Choose a new, empty folder/);
    expect(readFileSync(rootOwned, 'utf8')).toBe('keep me\n');
    expect(readFileSync(planted, 'utf8')).toBe('');
    // A folder others may write into is refused before anything is looked up in it.
    const shared = join(s.dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect((await s.fail('mqtt.commandLine', { profileId: saved.id, tool: 'mosquitto_pub', topic: 't', filesDir: shared, includeKey: true })).code).toBe('files.folderShared');
    expect(readdirSync(shared)).toEqual([]);
  });

  it('refuses to write unconfirmed keys, names them, and writes nothing', async () => {
    const req = { target: 'pem' as const, certificateIds: [s.ids.client42a, s.ids.client42b], includeKey: true };
    const plan = await s.call('exports.plan', req);
    expect(plan.keys.map((k) => k.commonName)).toEqual(['client42a', 'client42b']);
    const out = join(s.dir, 'unconfirmed');
    const err = await s.fail('exports.write', { ...req, out, confirmedKeys: [s.ids.client42a] });
    expect(err).toMatchObject({ code: 'exports.keysNotConfirmed' });
    expect(err.message).toContain('client42b');
    expect(err.message).not.toContain('client42a,');
    expect(existsSync(out)).toBe(false);
    // Without --include-key no key file is planned and nothing needs confirming.
    const pub = await s.call('exports.plan', { target: 'pem', certificateIds: [s.ids.client42a] });
    expect(pub.keys).toEqual([]);
    expect(pub.files.some((f) => f.role === 'key')).toBe(false);
  });

  it('writes only into a new folder, and logs every export that carried a key', async () => {
    const existing = join(s.dir, 'already-here');
    mkdirSync(existing);
    const req = { target: 'pem' as const, certificateIds: [s.ids.client42a], includeKey: true, confirmedKeys: [s.ids.client42a] };
    expect((await s.fail('exports.write', { ...req, out: existing })).code).toBe('files.folderExists');
    expect(readdirSync(existing)).toEqual([]);
    const before = (await s.call('exports.log', {})).entries.length;
    const out = join(s.dir, 'fresh', 'client42a');
    const res = await s.call('exports.write', { ...req, out });
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'client42a.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/This folder holds the private key of client42a/);
    await s.call('exports.write', { target: 'pem', certificateIds: [s.ids.client42b], out: join(s.dir, 'public-only') });
    const log = (await s.call('exports.log', {})).entries;
    expect(log).toHaveLength(before + 1);
    expect(log.at(-1)).toMatchObject({ target: 'pem', path: res.path, keys: ['client42a'], encrypted: false });
    expect(JSON.stringify(log)).not.toMatch(/PRIVATE KEY/);
  });

  it('a zip holds the same files under one folder, keys 0600 inside, the zip itself 0600', async () => {
    const out = join(s.dir, 'zips', 'node-red.zip');
    const plan = await s.call('exports.plan', { target: 'node-red', certificateIds: [s.ids.client42a], caId: s.ids.aioRoot, includeKey: true, broker: { host: '192.168.2.196', port: 8883 } });
    await s.call('exports.write', { target: 'node-red', certificateIds: [s.ids.client42a], caId: s.ids.aioRoot, includeKey: true, broker: { host: '192.168.2.196', port: 8883 }, out, zip: true, confirmedKeys: [s.ids.client42a] });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const entries = unzipSync(readFileSync(out));
    expect(Object.keys(entries).sort()).toEqual(plan.files.map((f) => `node-red/${f.path}`).sort());
    expect((await s.fail('exports.write', { target: 'pem', certificateIds: [s.ids.client42b], out, zip: true })).code).toBe('files.exists');
  });

  it('plans say what each file is for and which keys leave, and never carry key material', async () => {
    for (const target of ['pem', 'node-red', 'mqttx', 'litmus', 'kubernetes', 'keyvault', 'mosquitto'] as const) {
      const plan = await s.call('exports.plan', { target, certificateIds: [s.ids.server, s.ids.client42a], caId: s.ids.aioRoot, includeKey: true, broker: { host: '127.0.0.1', port: 8883 } });
      expect(JSON.stringify(plan), target).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
      for (const f of plan.files) expect(f.purpose.length, `${target} ${f.path}`).toBeGreaterThan(10);
      expect(plan.files.filter((f) => f.secret).length, target).toBeGreaterThan(0);
    }
    const targets = await s.call('exports.targets', {});
    expect(targets.targets.map((t) => t.id)).toEqual(['pem', 'der', 'pkcs12', 'pkcs12-legacy', 'node-red', 'litmus', 'mqttx', 'mosquitto', 'kubernetes', 'keyvault', 'iotedge']);
    expect((await s.fail('exports.plan', { target: 'pkcs12', certificateIds: [s.ids.client42a], includeKey: true })).code).toBe('exports.passphraseRequired');
    expect((await s.fail('exports.plan', { target: 'pkcs12', certificateIds: [s.ids.client42a], passphrase: 'x' })).code).toBe('exports.keyRequired');
  });
});
