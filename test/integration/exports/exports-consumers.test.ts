import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRequest } from '@shared/contract';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import { mosquittoSub } from '../../support/broker-lab/mosquitto-clients.js';
import { findOnPath } from '../../support/edge-host/edge-host-availability.js';
import { seed001Vault, type Seed001 } from './export-fixture';
import { mqttxClientOptions, mqttxParse, mqttxUrl, mqttxVerify } from './mqttx-import-rules';

const lab = brokerLabAvailability();
const tools = findOnPath('mosquitto_pub') && findOnPath('mosquitto_sub') && findOnPath('openssl');
const reason = !lab.ok ? lab.reason : !tools ? 'mosquitto-clients or openssl is missing' : '';
if (reason) console.warn(`[exports] consumer tests skipped: ${reason}`);

const PASS = 'correct horse battery staple';
type WriteReq = Omit<CallRequest<'exports.write'>, 'out' | 'confirmedKeys'>;

const pemBlocks = (text: string): string[] => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => b.replace(/\r/g, ''));
const spki = (keyPem: string): string => createPublicKey(keyPem).export({ type: 'spki', format: 'der' }).toString('hex');
const openssl = (args: string[], input?: string) => spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000, ...(input === undefined ? {} : { input }) });

describe.skipIf(reason !== '')('exports, each accepted by the tool at the other end', () => {
  let s: Seed001;
  let broker: BrokerLab;
  /** Every file is written 0600 when it holds a key and 0644 otherwise. */
  const exportTo = async (req: WriteReq): Promise<string> => {
    const out = await s.exportTo(req);
    const plan = await s.call('exports.plan', req);
    for (const f of plan.files) expect(statSync(join(out, f.path)).mode & 0o777, f.path).toBe(f.secret ? 0o600 : 0o644);
    return out;
  };
  const pem = async (id: string, chain: 'none' | 'chain' | 'full' = 'none') => (await s.call('pki.exportPem', { id, chain })).pem;

  beforeAll(async () => {
    s = await seed001Vault();
    // The broker runs on what the exports hand out: the server's pem export, key included.
    const serverOut = await exportTo({ target: 'pem', certificateIds: [s.ids.server], includeKey: true, chain: 'bundle' });
    broker = await startBrokerLab({
      pki: {
        serverChainPem: readFileSync(join(serverOut, 'mqtts-endpoint.crt'), 'utf8'),
        serverKeyPem: readFileSync(join(serverOut, 'mqtts-endpoint.key'), 'utf8'),
        clientCaPem: await pem(s.ids.clientsRoot),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    await s?.close();
  });

  it('mosquitto: seed 001\'s command line with the exported files publishes on the X.509 listener; a foreign certificate is refused', async () => {
    const x509 = broker.listeners.mtls;
    const out = await exportTo({ target: 'mosquitto', certificateIds: [s.ids.client42a], caId: s.ids.aioRoot, includeKey: true, broker: { host: broker.host, port: x509.port } });
    const script = readFileSync(join(out, 'commands.sh'), 'utf8');
    const line = script.split('\n').find((l) => l.startsWith('mosquitto_pub '))!;
    // Seed 001's shape: client id, QoS 1, MQTT 5, the broker CA, the client certificate and its key.
    for (const part of ['-i client42a', '-q 1', '-V mqttv5', '--cafile aio42_root_ca.crt', '--cert client42a.crt', '--key client42a.key']) expect(line).toContain(part);
    const sub = await mosquittoSub(['-h', broker.host, '-p', String(broker.listeners.plain.port)], 'fieldbench/test/#');
    try {
      const run = spawnSync('sh', ['-c', line], { cwd: out, encoding: 'utf8', timeout: 30_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(await sub.waitFor(1)).toEqual(['example client42a measurement']);
    } finally {
      sub.close();
    }
    const foreign = await exportTo({ target: 'mosquitto', certificateIds: [s.ids.foreignClient], caId: s.ids.aioRoot, includeKey: true, broker: { host: broker.host, port: x509.port } });
    const bad = readFileSync(join(foreign, 'commands.sh'), 'utf8').split('\n').find((l) => l.startsWith('mosquitto_pub '))!;
    const refused = spawnSync('sh', ['-c', bad], { cwd: foreign, encoding: 'utf8', timeout: 30_000 });
    expect(refused.status).not.toBe(0);
  });

  it('pkcs12 and pkcs12-legacy: openssl reads both, key and chain equal the vault\'s, with the promised ciphers', async () => {
    const chain = pemBlocks(await pem(s.ids.client42a, 'chain'));
    expect(chain).toHaveLength(2);
    const vaultKey = spki(readFileSync(join(await exportTo({ target: 'pem', certificateIds: [s.ids.client42a], includeKey: true }), 'client42a.key'), 'utf8'));
    for (const legacy of [false, true]) {
      const out = await exportTo({ target: legacy ? 'pkcs12-legacy' : 'pkcs12', certificateIds: [s.ids.client42a], includeKey: true, passphrase: PASS });
      const file = join(out, 'client42a.p12');
      const info = openssl(['pkcs12', '-info', '-in', file, '-noout', '-passin', `pass:${PASS}`, ...(legacy ? ['-legacy'] : [])]);
      expect(info.status, info.stderr).toBe(0);
      const text = info.stdout + info.stderr;
      if (legacy) {
        expect(text).toMatch(/MAC: sha1/);
        expect(text).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
      } else {
        expect(text).toMatch(/MAC: sha256/);
        expect(text).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
      }
      const dump = openssl(['pkcs12', '-in', file, '-nodes', '-passin', `pass:${PASS}`, ...(legacy ? ['-legacy'] : [])]);
      expect(dump.status, dump.stderr).toBe(0);
      expect(pemBlocks(dump.stdout)).toEqual(chain);
      expect(dump.stdout).toMatch(/friendlyName: client42a/);
      const key = dump.stdout.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)![0];
      expect(spki(key)).toBe(vaultKey);
      expect(openssl(['pkcs12', '-info', '-in', file, '-noout', '-passin', 'pass:wrong', ...(legacy ? ['-legacy'] : [])]).status).not.toBe(0);
    }
  });

  it('pem with a passphrase: an encrypted PKCS#8 that openssl pkey opens with it, and only with it', async () => {
    const out = await exportTo({ target: 'pem', certificateIds: [s.ids.client42a], includeKey: true, passphrase: PASS, chain: 'full' });
    const keyFile = join(out, 'client42a.key');
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(openssl(['pkey', '-in', keyFile, '-passin', `pass:${PASS}`, '-noout']).status).toBe(0);
    expect(openssl(['pkey', '-in', keyFile, '-passin', 'pass:not it', '-noout']).status).not.toBe(0);
    expect(pemBlocks(readFileSync(join(out, 'client42a.crt'), 'utf8'))).toHaveLength(3);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { target: string; files: Array<{ path: string; role: string; certificate: string; encrypted: boolean }> };
    expect(manifest).toEqual({
      target: 'pem',
      files: [
        { path: 'client42a.crt', role: 'chain', certificate: 'client42a', encrypted: false },
        { path: 'client42a.key', role: 'key', certificate: 'client42a', encrypted: true },
        { path: 'clients42_root_ca.crt', role: 'ca', certificate: 'Clients42 Root CA', encrypted: false },
        { path: 'README.md', role: 'readme', certificate: 'client42a', encrypted: false },
      ],
    });
    const verify = openssl(['verify', '-CAfile', join(out, 'clients42_root_ca.crt'), '-untrusted', join(out, 'client42a.crt'), join(out, 'client42a.crt')]);
    expect(verify.status, verify.stderr).toBe(0);
  });

  it('mqttx: the file passes MQTTX\'s import check, and a client built as MQTTX builds it connects and publishes', async () => {
    const out = await exportTo({ target: 'mqttx', certificateIds: [s.ids.client42a], caId: s.ids.aioRoot, includeKey: true, broker: { host: broker.host, port: broker.listeners.mtls.port } });
    const records = mqttxParse(readFileSync(join(out, 'mqttx-connections.json'), 'utf8'));
    expect(mqttxVerify(records)).toEqual([]);
    expect(records[0]).toMatchObject({ clientId: 'client42a', certType: 'self', ssl: true, protocol: 'mqtts', mqttVersion: '5.0' });
    const sub = await mosquittoSub(['-h', broker.host, '-p', String(broker.listeners.plain.port)], 'fieldbench/test/#');
    const client = mqtt.connect(mqttxUrl(records[0]!), { ...mqttxClientOptions(records[0]!), reconnectPeriod: 0 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      await client.publishAsync('fieldbench/test/client42a', 'from MQTTX options', { qos: 1 });
      expect(await sub.waitFor(1)).toEqual(['from MQTTX options']);
    } finally {
      sub.close();
      await client.endAsync();
    }
  });

  it('issue 12: the MQTT area\'s MQTTX export of a vault-CA connection passes MQTTX\'s import, with or without files and keys', async () => {
    const saved = await s.call('mqtt.saveProfile', {
      profile: { name: 'Lab X.509', protocol: 'mqtts', host: broker.host, port: broker.listeners.mtls.port, tls: { ca: { source: 'vault', certificateId: s.ids.aioRoot }, clientCertificate: { source: 'vault', certificateId: s.ids.client42a } } },
    });
    // Without a folder (no CA file to point at), with files but no key, and with files and the key.
    const bare = await s.call('mqtt.exportConnections', { format: 'mqttx', profileIds: [saved.id] });
    const noKey = await s.call('mqtt.exportConnections', { format: 'mqttx', profileIds: [saved.id], filesDir: join(s.dir, 'mqttx-nokey') });
    const full = await s.call('mqtt.exportConnections', { format: 'mqttx', profileIds: [saved.id], filesDir: join(s.dir, 'mqttx-full'), includeKeys: true });
    for (const r of [bare, noKey, full]) expect(mqttxVerify(mqttxParse(r.text))).toEqual([]);
    const [b] = mqttxParse(bare.text);
    expect(b!.clientId).toMatch(/^mqttx_[0-9a-f]{8}$/);
    const [k] = mqttxParse(noKey.text);
    expect(k).toMatchObject({ certType: 'self', cert: '', key: '' });
    expect(k!.ca).not.toBe('');
    const [f] = mqttxParse(full.text);
    expect(f!.cert).not.toBe('');
    expect(f!.key).not.toBe('');
    const client = mqtt.connect(mqttxUrl(f!), { ...mqttxClientOptions(f!), reconnectPeriod: 0 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
    } finally {
      await client.endAsync();
    }
  });
});
