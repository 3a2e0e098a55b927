import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { encode as encodeCbor } from 'cbor-x';
import Long from 'long';
import protobuf from 'protobufjs';
import { get as sparkplugNamespace } from 'sparkplug-payload';
// The generated module is CommonJS (`module.exports = $root`): under Node's ESM only its default export exists.
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import type { CallResponse } from '@shared/contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';

// A Sparkplug B edge node (built with Eclipse Tahu's library) publishing to the broker lab; Fieldbench
// subscribes through the contract's dispatcher, as the UI and the CLI do, and reads decoded metrics back.

const avail = brokerLabAvailability();
if (!avail.ok) console.warn(`[mqtt decoders] integration tests skipped: ${avail.reason}`);
const sp = sparkplugNamespace('spBv1.0')!;
const RawPayload = sparkplugProto.org.eclipse.tahu.protobuf.Payload;
const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!avail.ok)('payload decoders through the dispatcher, against the broker lab', () => {
  let lab: BrokerLab;
  let app: AppContext;
  let dir: string;
  let connectionId: string;
  let edge: mqtt.MqttClient;

  const call = async <T>(name: string, req: unknown): Promise<T> => {
    const r = (await app.dispatcher.dispatch(name as never, req as never)) as { ok: boolean; value?: T; error?: { message: string } };
    if (!r.ok) throw new Error(`${name}: ${r.error?.message}`);
    return r.value as T;
  };
  type History = CallResponse<'mqtt.topicHistory'>;
  const history = (topic: string) => call<History>('mqtt.topicHistory', { connectionId, topic, limit: 10 });

  beforeAll(async () => {
    lab = await startBrokerLab();
    dir = mkdtempSync(join(tmpdir(), 'fb-decoders-it-'));
    app = composeApp({ dataDir: dir, runtime: 'cli', vault: { createOptions: WEAK } });
    await app.dispatcher.dispatch('vault.create', { password: 'long enough pw' });
    const c = await call<{ connectionId: string }>('mqtt.connect', { profile: { name: 'Sparkplug lab', host: lab.host, port: lab.listeners.plain.port } });
    connectionId = c.connectionId;
    await call('mqtt.subscribe', { connectionId, filter: 'spBv1.0/#', qos: 1 });
    await call('mqtt.subscribe', { connectionId, filter: 'plant/#', qos: 1 });
    edge = await mqtt.connectAsync({ host: lab.host, port: lab.listeners.plain.port, protocolVersion: 4 });
  });

  afterAll(async () => {
    await edge?.endAsync();
    await app?.dispose();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decodes NBIRTH, alias-only NDATA without datatypes, DBIRTH and DDATA to named, typed metrics', async () => {
    await edge.publishAsync(
      'spBv1.0/Augsburg/NBIRTH/edge-07',
      Buffer.from(sp.encodePayload({ timestamp: Date.now(), seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }, { name: 'Hall3/Line7/Temperature', alias: 10, type: 'Float', value: 40.5 }, { name: 'Hall3/Line7/Running', alias: 11, type: 'Boolean', value: true }] })),
      { qos: 1 },
    );
    // What real edge nodes send once born: aliases only, no names, no datatypes (Sparkplug 3.0 §6.4.2).
    const ndata = RawPayload.encode(RawPayload.create({ timestamp: Long.fromNumber(Date.now(), true), seq: Long.fromNumber(1, true), metrics: [{ alias: Long.fromNumber(10, true), floatValue: 41.25 }, { alias: Long.fromNumber(11, true), booleanValue: false }] })).finish();
    await edge.publishAsync('spBv1.0/Augsburg/NDATA/edge-07', Buffer.from(ndata), { qos: 1 });
    await edge.publishAsync('spBv1.0/Augsburg/DBIRTH/edge-07/press-3', Buffer.from(sp.encodePayload({ seq: 2, metrics: [{ name: 'Pressure', alias: 20, type: 'Double', value: 181.5 }] })), { qos: 1 });
    await edge.publishAsync('spBv1.0/Augsburg/DDATA/edge-07/press-3', Buffer.from(sp.encodePayload({ seq: 3, metrics: [{ alias: 20, type: 'Double', value: 182.25 }] })), { qos: 1 });

    const nd = await until('the NDATA', async () => (await history('spBv1.0/Augsburg/NDATA/edge-07')).entries[0]);
    expect(nd.decoded).toMatchObject({ decoder: 'sparkplug', chosenBy: 'auto', ok: true, sparkplug: { messageType: 'NDATA', groupId: 'Augsburg', edgeNodeId: 'edge-07', seq: 1 } });
    expect(nd.decoded.sparkplug!.metrics).toEqual([
      { name: 'Hall3/Line7/Temperature', alias: 10, datatype: 'Float', value: 41.25, fromBirth: true },
      { name: 'Hall3/Line7/Running', alias: 11, datatype: 'Boolean', value: false, fromBirth: true },
    ]);
    const dd = await until('the DDATA', async () => (await history('spBv1.0/Augsburg/DDATA/edge-07/press-3')).entries[0]);
    expect(dd.decoded.sparkplug).toMatchObject({ messageType: 'DDATA', deviceId: 'press-3', metrics: [{ name: 'Pressure', datatype: 'Double', value: 182.25, fromBirth: true }] });

    // The message view's detail carries the same decoded structure.
    const page = await call<CallResponse<'mqtt.messages'>>('mqtt.messages', { connectionId, offset: 0, limit: 50, filter: { topic: 'spBv1.0/+/NDATA/#' } });
    const detail = await call<CallResponse<'mqtt.message'>>('mqtt.message', { connectionId, seq: page.messages[0]!.seq });
    expect(detail.decoded?.sparkplug?.metrics[0]).toMatchObject({ name: 'Hall3/Line7/Temperature', value: 41.25 });
  });

  it('shows a string on a spBv1.0 topic raw with the reason instead of {}', async () => {
    await edge.publishAsync('spBv1.0/Augsburg/NDATA/edge-08', 'temperature=41.5', { qos: 1 });
    const e = await until('the string', async () => (await history('spBv1.0/Augsburg/NDATA/edge-08')).entries[0]);
    expect(e.decoded.ok).toBe(false);
    expect(e.decoded.reason).toMatch(/Sparkplug B/);
    expect(e.decoded.raw).toMatchObject({ text: 'temperature=41.5', size: 16 });
    expect(JSON.stringify(e.decoded)).not.toContain('{}');
  });

  it('decodes CBOR and a protobuf message type from a .proto file once rules say so', async () => {
    const protoPath = join(dir, 'press.proto');
    writeFileSync(protoPath, 'syntax = "proto3";\npackage press;\nmessage Stroke { uint32 count = 1; double force_kn = 2; string die = 3; }\n');
    expect(await call('mqtt.loadProto', { path: protoPath })).toEqual({ path: protoPath, messageTypes: ['press.Stroke'] });
    await call('mqtt.setDecoders', {
      connectionId,
      rules: [
        { filter: 'plant/+/cbor', decoder: 'cbor' },
        { filter: 'plant/+/stroke', decoder: 'protobuf', protoFile: protoPath, messageType: 'press.Stroke' },
      ],
    });
    expect(await call('mqtt.decoders', { connectionId })).toMatchObject({ rules: [{ filter: 'plant/+/cbor' }, { filter: 'plant/+/stroke', messageType: 'press.Stroke' }] });
    await edge.publishAsync('plant/p3/cbor', encodeCbor({ bar: 181.5, ok: true }), { qos: 1 });
    const Stroke = new protobuf.Root().loadSync(protoPath, { keepCase: true }).lookupType('press.Stroke');
    await edge.publishAsync('plant/p3/stroke', Buffer.from(Stroke.encode(Stroke.fromObject({ count: 1200, force_kn: 630.5, die: 'D-17' })).finish()), { qos: 1 });
    const cbor = await until('the CBOR message', async () => (await history('plant/p3/cbor')).entries[0]);
    expect(cbor.decoded).toMatchObject({ decoder: 'cbor', chosenBy: 'plant/+/cbor', ok: true, value: { bar: 181.5, ok: true } });
    const stroke = await until('the protobuf message', async () => (await history('plant/p3/stroke')).entries[0]);
    expect(stroke.decoded).toMatchObject({ decoder: 'protobuf', ok: true, value: { count: 1200, force_kn: 630.5, die: 'D-17' } });

    const refused = await app.dispatcher.dispatch('mqtt.setDecoders', { connectionId, rules: [{ filter: '#', decoder: 'protobuf', protoFile: protoPath, messageType: 'press.Nope' }] });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringContaining('Pick one of: press.Stroke') } });
  });

  it('searches the tree for a name part and counts the matching topics', async () => {
    const res = await call<CallResponse<'mqtt.topicTree'>>('mqtt.topicTree', { connectionId, search: 'EDGE-07' });
    expect(res.matches).toBe(4);
    const names: string[] = [];
    const walk = (n: { topic: string; latest?: unknown; children?: unknown[] }) => {
      if (n.latest) names.push(n.topic);
      for (const c of (n.children ?? []) as (typeof n)[]) walk(c);
    };
    res.nodes.forEach(walk);
    expect(names.sort()).toEqual(['spBv1.0/Augsburg/DBIRTH/edge-07/press-3', 'spBv1.0/Augsburg/DDATA/edge-07/press-3', 'spBv1.0/Augsburg/NBIRTH/edge-07', 'spBv1.0/Augsburg/NDATA/edge-07']);
  });
});
