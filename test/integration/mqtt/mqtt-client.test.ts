import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttProfileInput, type ConnectionSummaryT, type MqttProfileInputT } from '@shared/contract/mqtt-contract';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import type { LabPki } from '../../support/broker-lab/lab-pki.js';
import { mosquittoSub } from '../../support/broker-lab/mosquitto-clients.js';
import { findOnPath } from '../../support/edge-host/edge-host-availability.js';
import { MqttService, type MessageBatch } from '../../../src/main/services/mqtt/mqtt-service';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

const avail = brokerLabAvailability();
const clients = findOnPath('mosquitto_sub') && findOnPath('mosquitto_pub');
const reason = !avail.ok ? avail.reason : !clients ? 'mosquitto_pub/mosquitto_sub are missing (apt-get install mosquitto-clients)' : '';
if (reason) console.warn(`[mqtt client] integration tests skipped: ${reason}`);

function profile(over: Partial<MqttProfileInputT> & Pick<MqttProfileInputT, 'host' | 'port'>): MqttProfileInputT {
  return MqttProfileInput.parse({ name: 'test', connectTimeoutSeconds: 5, reconnect: { enabled: true, minDelayMs: 200, maxDelayMs: 1000 }, ...over });
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pub(args: string[], input?: string): void {
  const r = spawnSync('mosquitto_pub', args, { encoding: 'utf8', timeout: 30_000, ...(input !== undefined ? { input } : {}) });
  if (r.status !== 0) throw new Error(`mosquitto_pub failed: ${r.stderr}`);
}

describe.skipIf(reason !== '')('MQTT client in main against the broker lab', () => {
  let lab: BrokerLab;
  let labPki: LabPki;
  let vault: MemoryVaultStore;
  let pki: PkiService;
  let svc: MqttService;
  let serverCaId: string;
  let clientLeafId: string;
  const batches: MessageBatch[] = [];
  const states: ConnectionSummaryT[] = [];
  let work: string;

  beforeAll(async () => {
    // mosquitto drops QoS 0 messages for a subscriber whose queue passes 1000 by default; the flood test
    // counts our own drops, so the broker must not lose any on the way.
    lab = await startBrokerLab({ extraGlobalConfig: 'max_queued_messages 0' });
    labPki = lab.generatedPki!;
    vault = new MemoryVaultStore();
    pki = new PkiService({ vault });
    work = mkdtempSync(join(tmpdir(), 'fb-mqtt-it-'));
    const ca = await pki.importFile({ fileName: 'server-root.crt', data: labPki.serverCaPem });
    serverCaId = ca.certificateIds[0]!;
    await pki.importFile({ fileName: 'client-root.crt', data: labPki.clientCaPem });
    const chain = await pki.importFile({ fileName: 'client-chain.pem', data: labPki.clientChainPem });
    await pki.importFile({ fileName: 'client.key', data: labPki.clientKeyPem });
    clientLeafId = chain.certificateIds[0]!;
    svc = new MqttService({ vault, pki, spillDir: join(work, 'spill'), events: { messages: (b) => batches.push(b), state: (s) => states.push(s) } });
  });

  afterAll(async () => {
    await svc?.dispose();
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const plain = (over: Partial<MqttProfileInputT> = {}) => profile({ host: lab.host, port: lab.listeners.plain.port, ...over });
  const tls = (over: Partial<MqttProfileInputT> = {}) =>
    profile({ protocol: 'mqtts', host: lab.host, port: lab.listeners.tls.port, tls: { ca: { source: 'vault', certificateId: serverCaId }, verifyServer: true }, ...over });
  const mtls = (over: Partial<MqttProfileInputT> = {}) =>
    profile({
      protocol: 'mqtts',
      host: lab.host,
      port: lab.listeners.mtls.port,
      tls: { ca: { source: 'vault', certificateId: serverCaId }, clientCertificate: { source: 'vault', certificateId: clientLeafId }, verifyServer: true },
      ...over,
    });
  const topic = () => `it/${randomBytes(4).toString('hex')}`;

  it('connects to each listener kind and sees one bus: plain, TLS with the vault CA, mTLS with the vault client certificate', async () => {
    const t = topic();
    const conns = [
      await svc.connect({ profile: plain({ mqttVersion: '3.1.1' }) }),
      await svc.connect({ profile: tls() }),
      await svc.connect({ profile: mtls() }),
    ];
    for (const c of conns) {
      expect(c.state).toBe('connected');
      expect(c.insecure).toBe(false);
      const s = await svc.subscribe({ connectionId: c.connectionId, filter: `${t}/#`, qos: 1 });
      expect(s).toMatchObject({ state: 'active', grantedQos: 1 });
    }
    for (const [i, c] of conns.entries()) await svc.publish({ connectionId: c.connectionId, topic: `${t}/from${i}`, payload: { format: 'text', value: `probe ${i}` }, qos: 1, retain: false });
    for (const c of conns) {
      const got = await until('three probes', () => {
        const page = svc.messages({ connectionId: c.connectionId, offset: 0, limit: 10, previewBytes: 64, filter: { topic: `${t}/#` } });
        return page.total === 3 && page;
      });
      expect(got.messages.map((m) => m.payload.text).sort()).toEqual(['probe 0', 'probe 1', 'probe 2']);
      await svc.disconnect(c.connectionId);
    }
  });

  it('with verification on, refuses a broker whose CA it does not trust and says which CA the chain leads to', async () => {
    const err = await svc.connect({ profile: tls({ tls: { ca: { source: 'system' }, verifyServer: true } }) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'mqtt.unknownCa' });
    expect((err as Error).message).toMatch(/does not chain to the system's public CAs/);
    expect((err as Error).message).toMatch(/Fieldbench Lab Server Root CA/);
    expect((err as { detail: string }).detail).toMatch(/The server presented:\n#0 subject "CN = 127\.0\.0\.1"/);
    expect(svc.listConnections()).toHaveLength(0);
  });

  it('connects with verification explicitly off and flags the connection as insecure', async () => {
    const c = await svc.connect({ profile: tls({ tls: { ca: { source: 'system' }, verifyServer: false } }) });
    expect(c.insecure).toBe(true);
    expect(c.warnings.join(' ')).toMatch(/verification is off/);
    await svc.disconnect(c.connectionId);
  });

  it('says the name is not in the SANs when the server name does not match, listing what the certificate holds', async () => {
    const err = await svc.connect({ profile: tls({ tls: { ca: { source: 'vault', certificateId: serverCaId }, verifyServer: true, servername: 'broker.example.internal' } }) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'mqtt.nameNotInSans' });
    expect((err as Error).message).toMatch(/does not list broker\.example\.internal.*IP:127\.0\.0\.1/);
  });

  it('explains a missing client certificate on the mTLS listener, and accepts the vault one (leaf + intermediate)', async () => {
    const err = await svc.connect({ profile: mtls({ tls: { ca: { source: 'vault', certificateId: serverCaId }, verifyServer: true } }) }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toMatch(/mqtt\.(clientCertificateRequired|handshakeReset|closedBeforeConnack)/);
    expect((err as Error).message).toMatch(/client certificate/);
    const refused = await svc
      .connect({ profile: mtls({ tls: { ca: { source: 'vault', certificateId: serverCaId }, clientCertificate: { source: 'file', certPath: labPki.strangerChainFile, keyPath: labPki.strangerKeyFile }, verifyServer: true } }) })
      .catch((e: unknown) => e);
    expect((refused as { code: string }).code).toMatch(/mqtt\.(clientCertificateRefused|handshakeReset|connectionReset|closedBeforeConnack)/);
    const ok = await svc.connect({ profile: mtls() });
    expect(ok.state).toBe('connected');
    await svc.disconnect(ok.connectionId);
  });

  it('round-trips QoS 1 and 2 and MQTT 5 properties', async () => {
    const c = await svc.connect({ profile: plain() });
    const t = topic();
    await svc.subscribe({ connectionId: c.connectionId, filter: `${t}/+`, qos: 2 });
    const r1 = await svc.publish({ connectionId: c.connectionId, topic: `${t}/q1`, payload: { format: 'text', value: 'one' }, qos: 1, retain: false });
    const r2 = await svc.publish({
      connectionId: c.connectionId,
      topic: `${t}/q2`,
      payload: { format: 'json', value: '{"temp": 21.5}' },
      qos: 2,
      retain: false,
      properties: {
        contentType: 'application/json',
        responseTopic: `${t}/reply`,
        correlationDataHex: '00ff10',
        messageExpirySeconds: 300,
        payloadFormatIndicator: true,
        userProperties: [
          { key: 'site', value: 'hall 4' },
          { key: 'site', value: 'line 2' },
          { key: 'by', value: 'fieldbench' },
        ],
      },
    });
    expect(r1.messageId).toBeTypeOf('number');
    expect(r2.messageId).toBeTypeOf('number');
    const page = await until('two messages', () => {
      const p = svc.messages({ connectionId: c.connectionId, offset: 0, limit: 10, previewBytes: 512 });
      return p.total === 2 && p;
    });
    const [m1, m2] = page.messages;
    expect(m1).toMatchObject({ topic: `${t}/q1`, qos: 1, payload: { text: 'one', kind: 'text' } });
    expect(m2).toMatchObject({ topic: `${t}/q2`, qos: 2, payload: { kind: 'json' }, subscriptionId: 's1' });
    expect(m2!.properties).toMatchObject({
      contentType: 'application/json',
      responseTopic: `${t}/reply`,
      correlationDataHex: '00ff10',
      payloadFormatIndicator: true,
      userProperties: [
        { key: 'site', value: 'hall 4' },
        { key: 'site', value: 'line 2' },
        { key: 'by', value: 'fieldbench' },
      ],
    });
    expect(m2!.properties!.messageExpirySeconds).toBeGreaterThan(290);
    const whole = svc.message({ connectionId: c.connectionId, seq: m2!.seq, format: 'json' });
    expect(whole.value).toBe('{\n  "temp": 21.5\n}');
    await svc.disconnect(c.connectionId);
  });

  it('warns that MQTT 3.1.1 cannot carry properties instead of dropping them silently', async () => {
    const c = await svc.connect({ profile: plain({ mqttVersion: '3.1.1' }) });
    const r = await svc.publish({ connectionId: c.connectionId, topic: topic(), payload: { format: 'text', value: 'x' }, qos: 0, retain: false, properties: { contentType: 'text/plain' } });
    expect(r.warnings.join(' ')).toMatch(/3\.1\.1 has no message properties/);
    await svc.disconnect(c.connectionId);
  });

  it('rejects invalid topics and filters with the rule they break, before anything is sent', async () => {
    const c = await svc.connect({ profile: plain() });
    const id = c.connectionId;
    const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
      [() => svc.subscribe({ connectionId: id, filter: 'a/#/b', qos: 0 }), 'hashNotLast', /"#" may only end a filter/],
      [() => svc.subscribe({ connectionId: id, filter: 'a/b#', qos: 0 }), 'hashNotWholeLevel', /must stand alone/],
      [() => svc.subscribe({ connectionId: id, filter: 'a/b+/c', qos: 0 }), 'plusNotWholeLevel', /"\+" must be a whole level/],
      [() => svc.subscribe({ connectionId: id, filter: '', qos: 0 }), 'empty', /empty/],
      [() => svc.publish({ connectionId: id, topic: 'a/+/c', payload: { format: 'text', value: '' }, qos: 0, retain: false }), 'wildcardInName', /wildcards are only for subscriptions/],
      [() => svc.publish({ connectionId: id, topic: 'a/#', payload: { format: 'text', value: '' }, qos: 0, retain: false }), 'wildcardInName', /wildcard "#"/],
      [() => svc.publish({ connectionId: id, topic: 'a/\u0000', payload: { format: 'text', value: '' }, qos: 0, retain: false }), 'nul', /NUL/],
      [() => svc.publish({ connectionId: id, topic: 'é'.repeat(40_000), payload: { format: 'text', value: '' }, qos: 0, retain: false }), 'tooLong', /80,000 bytes.*65,535/],
      [() => svc.publish({ connectionId: id, topic: 'a', payload: { format: 'json', value: '{"a":' }, qos: 0, retain: false }), '', /not valid JSON/],
      [() => svc.publish({ connectionId: id, topic: 'a', payload: { format: 'hex', value: 'abc' }, qos: 0, retain: false }), '', /not valid hex/],
    ];
    for (const [run, rule, message] of cases) {
      const err = (await run().catch((e: unknown) => e)) as { message: string; detail?: string };
      expect(err.message, rule).toMatch(message);
      if (rule) expect(err.detail).toBe(`rule: ${rule}`);
    }
    expect(c.subscriptions).toHaveLength(0);
    await svc.disconnect(id);
  });

  it('keeps a 1 MB payload intact and previews it cut with a marker', async () => {
    const c = await svc.connect({ profile: plain() });
    const t = topic();
    await svc.subscribe({ connectionId: c.connectionId, filter: t, qos: 1 });
    const big = randomBytes(1024 * 1024);
    const file = join(work, 'big.bin');
    writeFileSync(file, big);
    pub(['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', t, '-q', '1', '-f', file]);
    const text = 'x'.repeat(1024 * 1024);
    await svc.publish({ connectionId: c.connectionId, topic: t, payload: { format: 'text', value: text }, qos: 1, retain: false });
    const page = await until('two big messages', () => {
      const p = svc.messages({ connectionId: c.connectionId, offset: 0, limit: 5, previewBytes: 300 });
      return p.total === 2 && p;
    });
    expect(page.messages[0]).toMatchObject({ size: 1024 * 1024, payload: { kind: 'binary', truncated: true } });
    expect(page.messages[0]!.payload.text).toMatch(/… \[truncated: 100 of 1,048,576 bytes shown\]$/);
    expect(page.messages[1]!.payload.text).toMatch(/^x{300} … \[truncated: 300 of 1,048,576 bytes shown\]$/);
    const whole = svc.message({ connectionId: c.connectionId, seq: page.messages[0]!.seq, format: 'base64' });
    expect(Buffer.from(whole.value, 'base64').equals(big)).toBe(true);
    expect(svc.message({ connectionId: c.connectionId, seq: page.messages[1]!.seq, format: 'text' }).value).toBe(text);
    await svc.disconnect(c.connectionId);
  });

  it('shows $SYS and the AIO self-test topics only when subscribed, flagged as system', async () => {
    const c = await svc.connect({ profile: plain() });
    await svc.subscribe({ connectionId: c.connectionId, filter: '#', qos: 0 });
    pub(['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', 'azedge/dmqtt/selftest/ei5LGtsu', '-m', 'selftest']);
    await until('the selftest message', () => svc.messages({ connectionId: c.connectionId, offset: 0, limit: 10, previewBytes: 64, filter: { topic: 'azedge/#' } }).total === 1);
    expect(svc.messages({ connectionId: c.connectionId, offset: 0, limit: 10, previewBytes: 64, filter: { topic: '$SYS/#' } }).total).toBe(0);
    await svc.subscribe({ connectionId: c.connectionId, filter: '$SYS/broker/version', qos: 0 });
    const sys = await until('$SYS/broker/version', () => svc.messages({ connectionId: c.connectionId, offset: 0, limit: 10, previewBytes: 64, filter: { topic: '$SYS/#' } }).messages[0]);
    expect(sys).toMatchObject({ system: true, subscriptionId: 's2' });
    expect(sys.payload.text).toMatch(/mosquitto/);
    const tree = svc.topicTree({ connectionId: c.connectionId, depth: 4 });
    const sysNode = tree.nodes.find((n) => n.name === '$SYS');
    expect(sysNode).toMatchObject({ system: true, totalCount: 1 });
    const selftest = tree.nodes.find((n) => n.name === 'azedge')?.children?.[0]?.children?.[0];
    expect(selftest).toMatchObject({ topic: 'azedge/dmqtt/selftest', system: true, totalCount: 1, childCount: 1 });
    await svc.disconnect(c.connectionId);
  });

  it('says plainly when the port is closed and when a port never answers as a broker', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const e1 = await svc.connect({ profile: profile({ host: '127.0.0.1', port: closed }) }).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'mqtt.portClosed' });
    expect((e1 as Error).message).toMatch(`Nothing accepts connections at 127.0.0.1:${closed}`);

    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const e2 = await svc.connect({ profile: profile({ host: '127.0.0.1', port, connectTimeoutSeconds: 1 }) }).catch((e: unknown) => e);
      expect(e2).toMatchObject({ code: 'mqtt.noConnack' });
      expect((e2 as Error).message).toMatch(/never answered as an MQTT broker within 1 s/);
      const e3 = await svc.connect({ profile: profile({ protocol: 'mqtts', host: '127.0.0.1', port: lab.listeners.plain.port, tls: { ca: { source: 'system' }, verifyServer: true } }) }).catch((e: unknown) => e);
      expect((e3 as { code: string }).code).toMatch(/mqtt\.(notTls|handshakeReset|connectionReset)/);
    } finally {
      silent.close();
    }
  });

  it('counts what a flood pushes out of memory and stays within its limits', async () => {
    const N = 200_000;
    const c = await svc.connect({ profile: plain({ store: { maxMessages: 50_000, maxBytes: 64 * 1024 * 1024, spillToDisk: false } }) });
    const t = topic();
    await svc.subscribe({ connectionId: c.connectionId, filter: `${t}/#`, qos: 0 });
    const line = 'p'.repeat(99);
    const before = process.memoryUsage();
    // Two publisher processes, as in the field a broker rarely has only one talker.
    const half = `${line}\n`.repeat(N / 2);
    await Promise.all(
      [0, 1].map(
        (i) =>
          new Promise<void>((resolve, reject) => {
            const p = spawn('mosquitto_pub', ['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', `${t}/${i}`, '-l', '-q', '0'], { stdio: ['pipe', 'ignore', 'pipe'] });
            let err = '';
            p.stderr.on('data', (d: Buffer) => (err += d.toString()));
            p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited ${code}: ${err}`))));
            p.stdin.end(half);
          }),
      ),
    );
    const stats = await until('the flood', () => {
      const s = svc.messages({ connectionId: c.connectionId, offset: 0, limit: 1, previewBytes: 16 }).stats;
      return s.received === N && s;
    }, 30_000);
    expect(stats.retained).toBe(50_000);
    expect(stats.dropped).toBe(N - 50_000);
    expect(stats.retainedBytes).toBe(50_000 * 99);
    expect(stats.firstSeq).toBe(N - 50_000);
    const heapGrowth = process.memoryUsage().heapUsed - before.heapUsed;
    // 200k messages as JS objects would cost well over 40 MB of heap; columns and segments do not.
    expect(heapGrowth).toBeLessThan(40 * 1024 * 1024);
    const last = svc.messages({ connectionId: c.connectionId, offset: 49_999, limit: 10, previewBytes: 16 });
    expect(last.messages).toHaveLength(1);
    expect(last.messages[0]!.seq).toBe(N - 1);
    const ours = () => batches.filter((x) => x.connectionId === c.connectionId);
    // The last batch leaves up to one interval after the last message.
    await until('the last batch', () => ours().reduce((sum, x) => sum + x.arrived, 0) >= N);
    const b = ours();
    expect(b.length).toBeGreaterThan(0);
    expect(b.every((x) => x.messages.length <= 100)).toBe(true);
    expect(b.reduce((sum, x) => sum + x.arrived, 0)).toBe(N);
    expect(b.reduce((sum, x) => sum + x.arrived - x.skipped, 0)).toBe(b.reduce((sum, x) => sum + x.messages.length, 0));
    const topicPage = svc.messages({ connectionId: c.connectionId, offset: 0, limit: 5, previewBytes: 16, filter: { topic: `${t}/1` } });
    expect(topicPage.total).toBeGreaterThan(0);
    expect(topicPage.total).toBeLessThan(50_000);
    expect(topicPage.messages.every((m) => m.topic === `${t}/1`)).toBe(true);
    await svc.disconnect(c.connectionId);
  });

  it('spills what leaves memory to disk when asked, and counts it', async () => {
    const c = await svc.connect({ profile: plain({ store: { maxMessages: 100, maxBytes: 64 * 1024 * 1024, spillToDisk: true } }) });
    const t = topic();
    await svc.subscribe({ connectionId: c.connectionId, filter: t, qos: 0 });
    pub(['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', t, '-l'], Array.from({ length: 300 }, (_, i) => `m${i}`).join('\n') + '\n');
    const stats = await until('300 messages', () => {
      const s = svc.messages({ connectionId: c.connectionId, offset: 0, limit: 1, previewBytes: 16 }).stats;
      return s.received === 300 && s;
    });
    expect(stats).toMatchObject({ retained: 100, dropped: 200, spilled: 200 });
    await svc.disconnect(c.connectionId);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(stats.spillFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; payloadBase64: string });
    expect(lines).toHaveLength(200);
    expect(Buffer.from(lines[199]!.payloadBase64, 'base64').toString()).toBe('m199');
  });

  it('runs the copied mosquitto_pub and mosquitto_sub command lines against the mTLS listener', async () => {
    const saved = await svc.saveProfile(mtls({ name: 'Lab X.509', clientId: '' }));
    const c = await svc.connect({ profileId: saved.id });
    const t = topic();
    await svc.subscribe({ connectionId: c.connectionId, filter: t, qos: 1 });
    const dir = join(work, 'cmd');
    const line = svc.commandLine({ profileId: saved.id, tool: 'mosquitto_pub', topic: t, message: 'from the copied command', qos: 1, filesDir: dir, includeKey: true });
    expect(line.argv).toContain('--cafile');
    expect(line.argv).toContain('--cert');
    expect(line.argv).toContain('--key');
    expect(line.argv).not.toContain('--insecure');
    expect(line.command).toMatch(/^mosquitto_pub -h 127\.0\.0\.1 -p \d+ -V mqttv5 /);
    pub(line.argv.slice(1));
    await until('the command line message', () => svc.messages({ connectionId: c.connectionId, offset: 0, limit: 5, previewBytes: 64 }).messages.find((m) => m.payload.text === 'from the copied command'));

    const subLine = svc.commandLine({ profileId: saved.id, tool: 'mosquitto_sub', topic: t, qos: 1, filesDir: dir, includeKey: true });
    const sub = await mosquittoSub([...subLine.argv.slice(1).filter((a, i, all) => !(a === '-t' || all[i - 1] === '-t' || a === '-q' || all[i - 1] === '-q' || a === '-v'))], t);
    try {
      await svc.publish({ connectionId: c.connectionId, topic: t, payload: { format: 'text', value: 'to the copied sub' }, qos: 1, retain: false });
      expect(await sub.waitFor(1)).toEqual(['to the copied sub']);
    } finally {
      sub.close();
    }
    await svc.disconnect(c.connectionId);
  });
});

describe.skipIf(reason !== '')('MQTT reconnect after a broker restart', () => {
  it('shows reconnecting with attempts, reconnects with backoff and resubscribes', async () => {
    const lab = await startBrokerLab();
    const states: ConnectionSummaryT[] = [];
    const svc = new MqttService({ vault: new MemoryVaultStore(), events: { state: (s) => states.push(s) } });
    try {
      const c = await svc.connect({ profile: profile({ host: lab.host, port: lab.listeners.plain.port, reconnect: { enabled: true, minDelayMs: 150, maxDelayMs: 600 } }) });
      const t = `restart/${randomBytes(3).toString('hex')}`;
      await svc.subscribe({ connectionId: c.connectionId, filter: `${t}/#`, qos: 1 });
      await lab.restart();
      await until('reconnected', () => svc.connection(c.connectionId).state === 'connected' && states.some((s) => s.state === 'reconnecting'), 20_000);
      const reconnecting = states.filter((s) => s.state === 'reconnecting');
      expect(reconnecting[0]).toMatchObject({ attempt: 1, lastError: { code: 'mqtt.connectionLost' } });
      expect(reconnecting[0]!.nextRetryInMs).toBeGreaterThanOrEqual(120);
      expect(reconnecting[0]!.subscriptions[0]).toMatchObject({ state: 'pending' });
      await until('resubscribed', () => svc.connection(c.connectionId).summary().subscriptions[0]?.state === 'active');
      pub(['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', `${t}/after`, '-q', '1', '-m', 'after restart']);
      await until('the message after the restart', () => svc.messages({ connectionId: c.connectionId, offset: 0, limit: 5, previewBytes: 64 }).messages.find((m) => m.payload.text === 'after restart'));

      // Broker down for a while: attempts increase and the delay grows up to the maximum.
      await lab.stop();
      await until('three failed attempts', () => states.filter((s) => s.state === 'reconnecting' && s.attempt >= 3).length > 0, 20_000);
      const delays = states.filter((s) => s.state === 'reconnecting').slice(-3).map((s) => s.nextRetryInMs!);
      expect(Math.max(...delays)).toBeLessThanOrEqual(600 * 1.2);
      const failed = states.filter((s) => s.state === 'reconnecting' && s.attempt >= 2).at(-1)!;
      expect(failed.lastError).toMatchObject({ code: 'mqtt.portClosed' });
      const closed = await svc.disconnect(c.connectionId);
      expect(closed.state).toBe('disconnected');
    } finally {
      await svc.dispose();
      await lab.stop();
    }
  });
});
