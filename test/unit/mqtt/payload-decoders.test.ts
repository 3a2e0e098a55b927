import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode as encodeCbor } from 'cbor-x';
import Long from 'long';
import protobuf from 'protobufjs';
import { get as sparkplugNamespace } from 'sparkplug-payload';
// The generated module is CommonJS (`module.exports = $root`): under Node's ESM only its default export exists.
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { DecoderRules } from '../../../src/main/services/mqtt/decoder-rules';
import { MessageStore } from '../../../src/main/services/mqtt/message-store';
import { ProtoCache, autoDecoder, parseSparkplugTopic } from '../../../src/main/services/mqtt/payload-decoders';

const sp = sparkplugNamespace('spBv1.0')!;
const work = mkdtempSync(join(tmpdir(), 'fb-decoders-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A store with messages appended, and rules that read births from it, as MqttService wires them. */
function setup() {
  const store = new MessageStore({ maxMessages: 10_000, maxBytes: 16 * 1024 * 1024 });
  const rules = new DecoderRules(new ProtoCache());
  const decode = (topic: string, payload: Uint8Array) =>
    rules.decode(topic, payload, (t) => {
      const e = store.topicEntry(t);
      return e ? { seq: e.lastSeq, payload: store.latestPayload(e) } : undefined;
    });
  const put = (topic: string, payload: Uint8Array) => {
    store.append(topic, payload, 0, false);
    return payload;
  };
  return { store, rules, decode, put };
}

const NBIRTH = 'spBv1.0/Plant1/NBIRTH/Edge7';
const NDATA = 'spBv1.0/Plant1/NDATA/Edge7';
const DBIRTH = 'spBv1.0/Plant1/DBIRTH/Edge7/Press3';
const DDATA = 'spBv1.0/Plant1/DDATA/Edge7/Press3';

function nbirth(): Uint8Array {
  return sp.encodePayload({
    timestamp: 1_700_000_000_000,
    seq: 0,
    metrics: [
      { name: 'bdSeq', type: 'UInt64', value: Long.fromNumber(3, true) },
      { name: 'Node Control/Rebirth', alias: 1, type: 'Boolean', value: false },
      { name: 'Line/Temperature', alias: 7, type: 'Double', value: 21.5 },
      { name: 'Line/Count', alias: 9, type: 'Int64', value: Long.fromString('9007199254740993') },
    ],
  });
}

describe('Sparkplug B decoder (Eclipse Tahu payloads)', () => {
  it('recognises spBv1.0 topics without a rule and decodes an NBIRTH to names, datatypes and values', () => {
    const { decode } = setup();
    const d = decode(NBIRTH, nbirth());
    expect(d).toMatchObject({ decoder: 'sparkplug', chosenBy: 'auto', ok: true });
    expect(d.sparkplug).toMatchObject({ messageType: 'NBIRTH', groupId: 'Plant1', edgeNodeId: 'Edge7', seq: 0, timestamp: 1_700_000_000_000 });
    expect(d.sparkplug!.metrics).toEqual([
      { name: 'bdSeq', datatype: 'UInt64', value: 3 },
      { name: 'Node Control/Rebirth', alias: 1, datatype: 'Boolean', value: false },
      { name: 'Line/Temperature', alias: 7, datatype: 'Double', value: 21.5 },
      // Beyond 2^53 a JSON number would round: the exact value comes as a decimal string.
      { name: 'Line/Count', alias: 9, datatype: 'Int64', value: '9007199254740993' },
    ]);
  });

  it('names alias-only NDATA metrics from the NBIRTH, also when the data carries no datatype (as the spec recommends)', () => {
    const { decode, put } = setup();
    put(NBIRTH, nbirth());
    const withType = sp.encodePayload({ timestamp: 1_700_000_001_000, seq: 1, metrics: [{ alias: 7, type: 'Double', value: 22.25 }] });
    expect(decode(NDATA, withType).sparkplug!.metrics).toEqual([{ name: 'Line/Temperature', alias: 7, datatype: 'Double', value: 22.25, fromBirth: true }]);

    // Sparkplug 3.0 [tck-id-payloads-metric-datatype-not-req]: data messages should leave the datatype out.
    const P = sparkplugProto.org.eclipse.tahu.protobuf.Payload;
    const bare = P.encode(P.create({ seq: Long.fromNumber(2, true), metrics: [{ alias: Long.fromNumber(7, true), doubleValue: 23.75 }, { alias: Long.fromNumber(44, true), intValue: 5 }] })).finish();
    const d = decode(NDATA, bare);
    expect(d.ok).toBe(true);
    expect(d.sparkplug!.metrics[0]).toEqual({ name: 'Line/Temperature', alias: 7, datatype: 'Double', value: 23.75, fromBirth: true });
    expect(d.sparkplug!.unknownAliases).toEqual([44]);
  });

  it('resolves DDATA aliases from the device DBIRTH and follows a rebirth', () => {
    const { decode, put } = setup();
    put(NBIRTH, nbirth());
    put(DBIRTH, sp.encodePayload({ seq: 1, metrics: [{ name: 'Pressure', alias: 100, type: 'Float', value: 1.5 }, { name: 'Mode', alias: 101, type: 'String', value: 'auto' }] }));
    const ddata = sp.encodePayload({ seq: 2, metrics: [{ alias: 100, type: 'Float', value: 2.5 }, { alias: 101, type: 'String', value: 'manual' }, { alias: 7, type: 'Double', value: 30 }] });
    expect(decode(DDATA, ddata).sparkplug!.metrics.map((m) => [m.name, m.datatype, m.value])).toEqual([
      ['Pressure', 'Float', 2.5],
      ['Mode', 'String', 'manual'],
      ['Line/Temperature', 'Double', 30],
    ]);
    // A new DBIRTH may give alias 100 another name: the latest birth wins.
    put(DBIRTH, sp.encodePayload({ seq: 3, metrics: [{ name: 'Pressure/Bar', alias: 100, type: 'Float', value: 1 }] }));
    expect(decode(DDATA, ddata).sparkplug!.metrics[0]!.name).toBe('Pressure/Bar');
    expect(decode(DDATA, ddata).sparkplug).toMatchObject({ messageType: 'DDATA', deviceId: 'Press3' });
  });

  it('shows a string published on a spBv1.0 topic raw with the reason, never as {}', () => {
    const { decode } = setup();
    for (const text of ['hello world', 'online', '{"state":"ONLINE"}']) {
      const d = decode(NDATA, Buffer.from(text));
      expect(d.ok, text).toBe(false);
      expect(d.reason, text).toMatch(/not (a )?Sparkplug B|none of the Sparkplug B fields/);
      expect(d.raw!.text).toBe(text);
      expect(d.raw!.hex).toBe(Buffer.from(text).toString('hex').replace(/(..)(?!$)/g, '$1 '));
      expect(d.sparkplug).toBeUndefined();
      expect(d.value).toBeUndefined();
    }
    expect(decode(NDATA, new Uint8Array(0))).toMatchObject({ ok: false, reason: expect.stringContaining('empty') });
  });

  it('reads STATE as JSON and parses the topic levels', () => {
    const { decode } = setup();
    expect(decode('spBv1.0/STATE/scada1', Buffer.from('{"online":true,"timestamp":1}'))).toMatchObject({ ok: true, value: { online: true }, sparkplug: { messageType: 'STATE', edgeNodeId: 'scada1' } });
    expect(parseSparkplugTopic('spBv1.0/G/NDATA')).toBeUndefined();
    expect(parseSparkplugTopic('factory/line1')).toBeUndefined();
  });
});

describe('CBOR, JSON, text, hex and base64 decoders', () => {
  it('decodes a CBOR map with nested values, byte strings and 64-bit integers', () => {
    const { rules, decode } = setup();
    rules.set([{ filter: 'sensors/cbor/#', decoder: 'cbor' }]);
    const payload = encodeCbor(new Map<unknown, unknown>([['temp', 21.5], ['ok', true], ['tags', ['a', 'b']], ['id', Buffer.from([0xde, 0xad])], [7, 'seven'], ['big', 2n ** 60n]]));
    const d = decode('sensors/cbor/s1', payload);
    expect(d).toMatchObject({ decoder: 'cbor', chosenBy: 'sensors/cbor/#', ok: true });
    expect(d.value).toEqual({ temp: 21.5, ok: true, tags: ['a', 'b'], id: 'dead', '7': 'seven', big: '1152921504606846976' });
    const bad = decode('sensors/cbor/s1', Buffer.from('hello'));
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('not valid CBOR'), raw: { text: 'hello', size: 5 } });
  });

  it('follows the first matching rule and otherwise guesses JSON, text or hex', () => {
    const { rules, decode } = setup();
    rules.set([
      { filter: 'a/hex', decoder: 'hex' },
      { filter: 'a/+', decoder: 'base64' },
      { filter: 'a/#', decoder: 'json' },
    ]);
    expect(decode('a/hex', Buffer.from('AB'))).toMatchObject({ decoder: 'hex', value: '4142' });
    expect(decode('a/b', Buffer.from('AB'))).toMatchObject({ decoder: 'base64', value: 'QUI=' });
    expect(decode('a/b/c', Buffer.from('{"x":'))).toMatchObject({ decoder: 'json', ok: false, raw: { text: '{"x":' } });
    expect(decode('other', Buffer.from('{"x":1}'))).toMatchObject({ decoder: 'json', chosenBy: 'auto', value: { x: 1 } });
    expect(decode('other', Buffer.from('21.5'))).toMatchObject({ decoder: 'json', value: 21.5 });
    expect(decode('other', Buffer.from('running'))).toMatchObject({ decoder: 'text', value: 'running' });
    expect(autoDecoder('other', Buffer.from([0, 1, 2, 0xff]))).toBe('hex');
    rules.set([{ filter: 'x', decoder: 'text' }]);
    expect(decode('x', Buffer.from([0xc3, 0x28]))).toMatchObject({ ok: false, reason: expect.stringContaining('UTF-8') });
    expect(() => rules.set([{ filter: 'a/#/b', decoder: 'json' }])).toThrow();
  });
});

describe('protobuf decoder with a .proto file the person picked', () => {
  const protoPath = join(work, 'telemetry.proto');
  writeFileSync(
    protoPath,
    `syntax = "proto3";
package plant.v1;
enum Status { STATUS_UNKNOWN = 0; RUNNING = 1; STOPPED = 2; }
message Reading { string sensor_id = 1; double value = 2; int64 at_ms = 3; Status status = 4; repeated string tags = 5; }
message Batch { repeated Reading readings = 1; }
`,
  );

  it('lists the message types and decodes a message encoded from the same file', () => {
    const { rules, decode } = setup();
    expect(new ProtoCache().load(protoPath).types).toEqual(['plant.v1.Batch', 'plant.v1.Reading']);
    rules.set([{ filter: 'plant/+/batch', decoder: 'protobuf', protoFile: protoPath, messageType: 'plant.v1.Batch' }]);
    // Encoded by a separate protobufjs root, as the device's firmware would from the same file.
    const Batch = new protobuf.Root().loadSync(protoPath, { keepCase: true }).lookupType('plant.v1.Batch');
    const bytes = Batch.encode(Batch.fromObject({ readings: [{ sensor_id: 'p1', value: 4.5, at_ms: 1_700_000_000_123, status: 1, tags: ['hall3'] }] })).finish();
    const d = decode('plant/line7/batch', bytes);
    expect(d).toMatchObject({ decoder: 'protobuf', ok: true });
    expect(d.value).toEqual({ readings: [{ sensor_id: 'p1', value: 4.5, at_ms: 1_700_000_000_123, status: 'RUNNING', tags: ['hall3'] }] });
    const bad = decode('plant/line7/batch', Buffer.from([0x0a, 0xff, 0xff]));
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('not a plant.v1.Batch message'), raw: { hex: '0a ff ff' } });
  });

  it('refuses a missing file, a broken file and a type the file does not declare', () => {
    const { rules } = setup();
    expect(() => rules.set([{ filter: '#', decoder: 'protobuf', protoFile: join(work, 'nope.proto'), messageType: 'x.Y' }])).toThrow(/cannot be read.*ENOENT/);
    const broken = join(work, 'broken.proto');
    writeFileSync(broken, 'syntax = "proto3"; message { }');
    expect(() => new ProtoCache().load(broken)).toThrow(/could not be parsed/);
    expect(() => rules.set([{ filter: '#', decoder: 'protobuf', protoFile: protoPath, messageType: 'plant.v1.Nope' }])).toThrow(/has no message type plant.v1.Nope\. Pick one of: plant.v1.Batch, plant.v1.Reading/);
  });
});

describe('topic history in the message store', () => {
  it('returns the newest messages of exactly one topic, oldest first, also after older ones left memory', () => {
    const store = new MessageStore({ maxMessages: 100, maxBytes: 1024 * 1024 });
    for (let i = 0; i < 250; i++) store.append(i % 5 === 0 ? 'a/temp' : `noise/${i % 3}`, Buffer.from(String(i)), 0, false);
    const h = store.history('a/temp', 10);
    expect(h.map((m) => Buffer.from(m.payload).toString())).toEqual(['200', '205', '210', '215', '220', '225', '230', '235', '240', '245']);
    expect(store.history('a/temp', 1000)).toHaveLength(20);
    expect(store.history('a/temp/deeper', 10)).toEqual([]);
    expect(store.topicEntry('a/temp')).toMatchObject({ count: 50, inMemory: 20 });
  });
});
