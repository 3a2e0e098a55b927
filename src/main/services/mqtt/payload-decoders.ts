import { readFileSync, statSync } from 'node:fs';
import { decode as decodeCbor } from 'cbor-x';
import protobuf from 'protobufjs';
import { get as sparkplugNamespace } from 'sparkplug-payload';
// The generated module is CommonJS (`module.exports = $root`): under Node's ESM only its default export exists.
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { FieldbenchError } from '@shared/errors';
import type { DecodedPayloadT, DecoderKindT, SparkplugMessageT, SparkplugMetricT } from '@shared/contract/mqtt-contract';

// Decoding runs in main so the renderer only ever gets structures (and never has to parse protobuf or CBOR
// itself). Every decoder either returns a structure or says why it could not, with the raw bytes: a failed
// decode must never look like an empty object (MQTT Explorer shows `{}` for strings on spBv1.0 topics).

export type ConcreteDecoder = Exclude<DecoderKindT, 'auto'>;

/** What a decoder needs beyond the bytes: the Sparkplug births seen and the chosen protobuf type. */
export interface DecodeContext {
  topic: string;
  /** The latest payload seen on a topic (for the NBIRTH/DBIRTH that define aliases), if still known. */
  latestOf?(topic: string): { seq: number; payload: Uint8Array } | undefined;
  protoFile?: string | undefined;
  messageType?: string | undefined;
  protos?: ProtoCache;
}

const RAW_HEX_BYTES = 256;
const RAW_TEXT_CHARS = 1024;

const sparkplug = sparkplugNamespace('spBv1.0')!;
const RawPayload = sparkplugProto.org.eclipse.tahu.protobuf.Payload;

/** The bytes as hex and as text (invalid UTF-8 shown as U+FFFD), cut to a screenful. */
export function rawView(payload: Uint8Array): NonNullable<DecodedPayloadT['raw']> {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  const text = buf.subarray(0, RAW_TEXT_CHARS * 4).toString('utf8');
  return {
    hex: buf.subarray(0, RAW_HEX_BYTES).toString('hex').replace(/(..)(?!$)/g, '$1 '),
    text: text.length > RAW_TEXT_CHARS ? text.slice(0, RAW_TEXT_CHARS) : text,
    size: payload.length,
    truncated: payload.length > RAW_HEX_BYTES || text.length > RAW_TEXT_CHARS,
  };
}

function failed(decoder: ConcreteDecoder, chosenBy: string, payload: Uint8Array, reason: string): DecodedPayloadT {
  return { decoder, chosenBy, ok: false, reason, raw: rawView(payload) };
}

/** Sparkplug B topics: spBv1.0/{group}/{type}/{edge node}[/{device}] (Sparkplug 3.0 §4.1), or spBv1.0/STATE/{host}. */
export function parseSparkplugTopic(topic: string): { groupId: string; messageType: string; edgeNodeId: string; deviceId?: string } | undefined {
  const p = topic.split('/');
  if (p[0] !== 'spBv1.0') return undefined;
  if (p[1] === 'STATE' && p.length === 3) return { groupId: '', messageType: 'STATE', edgeNodeId: p[2]! };
  if (p.length !== 4 && p.length !== 5) return undefined;
  return { groupId: p[1]!, messageType: p[2]!, edgeNodeId: p[3]!, ...(p[4] !== undefined ? { deviceId: p[4] } : {}) };
}

interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toNumber(): number;
  toString(): string;
}

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && 'low' in v && 'high' in v && typeof (v as LongLike).toNumber === 'function';
}

/** Turns decoder output into plain JSON: 64-bit integers as numbers while exact, else decimal strings; bytes as hex. */
export function toJsonValue(v: unknown, depth = 0): unknown {
  if (depth > 64) return '[nested too deep]';
  if (v === null || v === undefined) return v ?? null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v !== 'object') return v;
  if (isLong(v)) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of v) out[typeof k === 'string' ? k : JSON.stringify(toJsonValue(k, depth + 1))] = toJsonValue(val, depth + 1);
    return out;
  }
  if (v instanceof Set) return [...v].map((x) => toJsonValue(x, depth + 1));
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1));
  // cbor-x hands unknown tags out as { tag, value }.
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (val !== undefined) out[k] = toJsonValue(val, depth + 1);
  return out;
}

function numberOf(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (isLong(v)) return v.toNumber();
  return typeof v === 'number' ? v : undefined;
}

/** Sparkplug datatype ids (Sparkplug 3.0 §6.4.16), for metrics whose datatype comes from the birth. */
const DATATYPE_IDS: Record<string, number> = {
  Int8: 1, Int16: 2, Int32: 3, Int64: 4, UInt8: 5, UInt16: 6, UInt32: 7, UInt64: 8, Float: 9, Double: 10, Boolean: 11, String: 12, DateTime: 13, Text: 14, UUID: 15, DataSet: 16, Bytes: 17, File: 18, Template: 19,
};

interface BirthAliases {
  seq: number;
  aliases: Map<number, { name: string; datatype: string }>;
}

/**
 * Decodes Sparkplug B payloads with Eclipse Tahu's library. Data messages may carry only aliases (and, as
 * the spec recommends, no datatype): names and datatypes then come from the latest NBIRTH of the edge node
 * and DBIRTH of the device, kept here per birth topic and birth sequence number.
 */
export class SparkplugDecoder {
  private readonly births = new Map<string, BirthAliases>();

  decode(payload: Uint8Array, ctx: DecodeContext, chosenBy: string): DecodedPayloadT {
    const t = parseSparkplugTopic(ctx.topic);
    if (!t) return failed('sparkplug', chosenBy, payload, `The topic ${ctx.topic} is not a Sparkplug B topic (spBv1.0/group/type/edge-node[/device]).`);
    if (t.messageType === 'STATE') {
      // Sparkplug 3.0 §4.1.1: the host application's STATE payload is UTF-8 JSON, not protobuf.
      const json = decodeJson(payload, chosenBy);
      return json.ok ? { ...json, decoder: 'sparkplug', sparkplug: { messageType: 'STATE', groupId: '', edgeNodeId: t.edgeNodeId, metrics: [] } } : { ...json, decoder: 'sparkplug' };
    }
    if (payload.length === 0) return failed('sparkplug', chosenBy, payload, 'The payload is empty: no Sparkplug B message to decode (a cleared retained message looks like this).');
    let raw: ReturnType<typeof RawPayload.decode>;
    try {
      raw = RawPayload.decode(payload);
    } catch (err) {
      return failed('sparkplug', chosenBy, payload, `The payload is not a Sparkplug B protobuf message (${(err as Error).message}).`);
    }
    const recognised = raw.metrics.length > 0 || raw.timestamp != null || raw.seq != null || raw.uuid != null || raw.body != null;
    if (!recognised) return failed('sparkplug', chosenBy, payload, 'The payload has none of the Sparkplug B fields (timestamp, seq, metrics): it is probably not Sparkplug B.');

    const aliases = this.aliasesFor(t, ctx);
    const unknown: number[] = [];
    let patched = false;
    for (const m of raw.metrics) {
      if (m.datatype || m.alias == null) continue;
      const known = aliases.get(numberOf(m.alias)!);
      const id = known ? DATATYPE_IDS[known.datatype] : undefined;
      if (id !== undefined) {
        m.datatype = id;
        patched = true;
      }
    }
    let decoded: ReturnType<typeof sparkplug.decodePayload>;
    try {
      decoded = sparkplug.decodePayload(patched ? RawPayload.encode(raw).finish() : payload);
    } catch (err) {
      return failed('sparkplug', chosenBy, payload, `The Sparkplug B message could not be read (${(err as Error).message}).`);
    }
    const metrics: SparkplugMetricT[] = (decoded.metrics ?? []).map((m) => {
      const alias = numberOf(m.alias);
      const birth = alias !== undefined ? aliases.get(alias) : undefined;
      const name = m.name ?? birth?.name;
      if (alias !== undefined && !m.name && !birth) unknown.push(alias);
      const out: SparkplugMetricT = { value: toJsonValue(m.value) };
      if (name !== undefined) out.name = name;
      if (alias !== undefined) out.alias = alias;
      const datatype = m.type ?? birth?.datatype;
      if (datatype) out.datatype = datatype;
      const ts = numberOf(m.timestamp);
      if (ts !== undefined) out.timestamp = ts;
      if (m.isNull) out.isNull = true;
      if (!m.name && birth) out.fromBirth = true;
      return out;
    });
    if (t.messageType === 'NBIRTH' || t.messageType === 'DBIRTH') this.remember(ctx.topic, -1, metrics);
    const message: SparkplugMessageT = { messageType: t.messageType, groupId: t.groupId, edgeNodeId: t.edgeNodeId, metrics };
    if (t.deviceId !== undefined) message.deviceId = t.deviceId;
    const ts = numberOf(decoded.timestamp);
    if (ts !== undefined) message.timestamp = ts;
    const seq = numberOf(decoded.seq);
    if (seq !== undefined) message.seq = seq;
    if (decoded.uuid) message.uuid = decoded.uuid;
    if (unknown.length) message.unknownAliases = unknown;
    return { decoder: 'sparkplug', chosenBy, ok: true, sparkplug: message };
  }

  /** Aliases a message on this topic may use: the edge node's NBIRTH, then (for devices) the device's DBIRTH. */
  private aliasesFor(t: NonNullable<ReturnType<typeof parseSparkplugTopic>>, ctx: DecodeContext): Map<number, { name: string; datatype: string }> {
    const out = new Map<number, { name: string; datatype: string }>();
    const topics = [`spBv1.0/${t.groupId}/NBIRTH/${t.edgeNodeId}`];
    if (t.deviceId !== undefined) topics.push(`spBv1.0/${t.groupId}/DBIRTH/${t.edgeNodeId}/${t.deviceId}`);
    for (const topic of topics) {
      const birth = this.birth(topic, ctx);
      if (birth) for (const [k, v] of birth.aliases) out.set(k, v);
    }
    return out;
  }

  private birth(topic: string, ctx: DecodeContext): BirthAliases | undefined {
    const latest = ctx.latestOf?.(topic);
    const cached = this.births.get(topic);
    if (!latest) return cached;
    if (cached && cached.seq === latest.seq) return cached;
    try {
      const b = sparkplug.decodePayload(latest.payload);
      const metrics = (b.metrics ?? []).map((m) => ({ name: m.name ?? undefined, alias: numberOf(m.alias), datatype: m.type }));
      return this.remember(topic, latest.seq, metrics);
    } catch {
      // A birth cut short in memory (only its head is kept once it leaves) cannot define aliases.
      return cached;
    }
  }

  private remember(topic: string, seq: number, metrics: { name?: string | undefined; alias?: number | undefined; datatype?: string | undefined }[]): BirthAliases {
    const aliases = new Map<number, { name: string; datatype: string }>();
    for (const m of metrics) if (m.alias !== undefined && m.name) aliases.set(m.alias, { name: m.name, datatype: m.datatype ?? '' });
    const entry = { seq, aliases };
    this.births.set(topic, entry);
    return entry;
  }
}

/** Parsed .proto files by path, re-read when the file changes. */
export class ProtoCache {
  private readonly roots = new Map<string, { mtimeMs: number; root: protobuf.Root; types: string[] }>();

  /** Reads and parses the .proto file (and the files it imports, relative to it); lists its message types. */
  load(path: string): { root: protobuf.Root; types: string[] } {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch (err) {
      throw new FieldbenchError('mqtt.protoUnreadable', `The .proto file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check the path and that Fieldbench may read it.`, { cause: err });
    }
    const hit = this.roots.get(path);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    let root: protobuf.Root;
    try {
      // Read here first so an unreadable file is reported as such, not as a parse error.
      readFileSync(path);
      root = new protobuf.Root().loadSync(path, { keepCase: true });
      root.resolveAll();
    } catch (err) {
      throw new FieldbenchError('mqtt.protoInvalid', `The .proto file ${path} could not be parsed: ${(err as Error).message}. Fix the file or pick another one.`, { cause: err });
    }
    const types: string[] = [];
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const n of ns.nestedArray) {
        if (n instanceof protobuf.Type) types.push(n.fullName.replace(/^\./, ''));
        if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) walk(n);
      }
    };
    walk(root);
    if (types.length === 0) throw new FieldbenchError('mqtt.protoEmpty', `The .proto file ${path} defines no message type. Pick the file that declares the payload's message.`);
    const entry = { mtimeMs, root, types: types.sort() };
    this.roots.set(path, entry);
    return entry;
  }
}

function decodeJson(payload: Uint8Array, chosenBy: string): DecodedPayloadT {
  const text = utf8(payload);
  if (text === undefined) return failed('json', chosenBy, payload, 'The payload is not UTF-8 text, so it cannot be JSON.');
  try {
    return { decoder: 'json', chosenBy, ok: true, value: JSON.parse(text) };
  } catch (err) {
    return failed('json', chosenBy, payload, `The payload is not valid JSON: ${(err as Error).message}.`);
  }
}

function utf8(payload: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return undefined;
  }
}

/** Decodes a payload with one decoder; never throws, a failure comes back with its reason and the raw bytes. */
export function decodeWith(decoder: ConcreteDecoder, payload: Uint8Array, ctx: DecodeContext, chosenBy: string, sp: SparkplugDecoder): DecodedPayloadT {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  switch (decoder) {
    case 'json':
      return decodeJson(payload, chosenBy);
    case 'text': {
      const text = utf8(payload);
      return text === undefined ? failed('text', chosenBy, payload, 'The payload is not valid UTF-8 text.') : { decoder, chosenBy, ok: true, value: text };
    }
    case 'hex':
      return { decoder, chosenBy, ok: true, value: buf.toString('hex') };
    case 'base64':
      return { decoder, chosenBy, ok: true, value: buf.toString('base64') };
    case 'cbor': {
      if (payload.length === 0) return failed('cbor', chosenBy, payload, 'The payload is empty: there is no CBOR item to decode.');
      try {
        return { decoder, chosenBy, ok: true, value: toJsonValue(decodeCbor(buf)) };
      } catch (err) {
        return failed('cbor', chosenBy, payload, `The payload is not valid CBOR: ${(err as Error).message}.`);
      }
    }
    case 'sparkplug':
      return sp.decode(payload, ctx, chosenBy);
    case 'protobuf': {
      if (!ctx.protoFile || !ctx.messageType || !ctx.protos) return failed('protobuf', chosenBy, payload, 'No .proto file and message type are chosen for this topic. Pick them in the decoder rule.');
      let type: protobuf.Type;
      try {
        type = ctx.protos.load(ctx.protoFile).root.lookupType(ctx.messageType);
      } catch (err) {
        return failed('protobuf', chosenBy, payload, (err as Error).message);
      }
      try {
        const msg = type.decode(buf);
        return { decoder, chosenBy, ok: true, value: toJsonValue(type.toObject(msg, { enums: String, defaults: false })) };
      } catch (err) {
        return failed('protobuf', chosenBy, payload, `The payload is not a ${ctx.messageType} message: ${(err as Error).message}.`);
      }
    }
  }
}

/** What `auto` means for a payload: JSON when it parses, text when UTF-8, hex otherwise. */
export function autoDecoder(topic: string, payload: Uint8Array): ConcreteDecoder {
  if (parseSparkplugTopic(topic)) return 'sparkplug';
  const text = utf8(payload);
  if (text === undefined || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return 'hex'; // eslint-disable-line no-control-regex -- control bytes mean binary
  const first = text.trimStart()[0];
  if (first === '{' || first === '[' || first === '"' || /^-?\d/.test(text.trim()) || text.trim() === 'true' || text.trim() === 'false') {
    try {
      JSON.parse(text);
      return 'json';
    } catch {}
  }
  return 'text';
}
