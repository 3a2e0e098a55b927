import { closeSync, openSync, writeSync } from 'node:fs';
import type { MessageStatsT, ReceivedPropertiesT } from '@shared/contract/mqtt-contract';
import { isSystemTopic, topicMatches } from './mqtt-topics';

export interface MessageStoreOptions {
  maxMessages: number;
  maxBytes: number;
  /** When set, messages that leave memory are appended here as NDJSON instead of only being counted. */
  spillFile?: string;
  /** Topic table entries kept before topics with no message left in memory are forgotten. */
  maxTopics?: number;
  now?: () => number;
}

/** One message as the store hands it out; `payload` is a view into the store's memory, copy it to keep it. */
export interface StoredMessage {
  seq: number;
  receivedAt: number;
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  payload: Uint8Array;
  subIndex: number;
  properties: ReceivedPropertiesT | undefined;
}

export interface TopicEntry {
  id: number;
  topic: string;
  lower: string;
  system: boolean;
  /** Messages received on this topic since the store was created or cleared. */
  count: number;
  /** Of those, how many are still in memory. */
  inMemory: number;
  lastSeq: number;
  lastAt: number;
  lastQos: 0 | 1 | 2;
  lastRetain: boolean;
  lastSize: number;
  /** A copy of the latest payload's head, kept once the latest message itself has left memory. */
  lastHead: Uint8Array | undefined;
  /** Cached subscription match for the store's current subscription version. */
  subVersion: number;
  subIndex: number;
}

/** A filter over stored messages; `subIndex` selects messages attributed to one subscription. */
export interface StoreFilter {
  topic?: string | undefined;
  text?: string | undefined;
  subIndex?: number | undefined;
}

const SEGMENT_BYTES = 4 * 1024 * 1024;
const INITIAL_CAPACITY = 4096;
const LAST_HEAD_BYTES = 4096;
const MAX_CACHED_INDEXES = 4;
const TEXT_SEARCH_LIMIT = 64 * 1024;
const SPILL_FLUSH_BYTES = 1024 * 1024;

interface ClearedState {
  start: number;
  count: number;
  cap: number;
  ts: Float64Array<ArrayBuffer>;
  topicIds: Int32Array<ArrayBuffer>;
  segIds: Int32Array<ArrayBuffer>;
  offsets: Int32Array<ArrayBuffer>;
  lengths: Int32Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  subIdx: Int16Array<ArrayBuffer>;
  props: Map<number, ReceivedPropertiesT>;
  segBase: number;
  segments: Buffer[];
  segUsed: number;
  bytes: number;
  received: number;
  dropped: number;
  spilled: number;
  topicsByName: Map<string, TopicEntry>;
  topicsById: (TopicEntry | undefined)[];
  freeTopicIds: number[];
}

interface FilterIndex {
  seqs: number[];
  /** Index in `seqs` of the first still-retained entry (older entries are trimmed lazily). */
  head: number;
  scannedTo: number;
  topicMatch: Map<number, boolean>;
}

/**
 * Messages of one connection, kept in main within a message-count and a byte budget. Columns live in
 * typed arrays and payloads are copied into large shared segments, so a million small messages cost about
 * their payload bytes plus ~30 bytes each instead of a JS object and a Buffer each. When a budget is
 * exceeded the oldest messages leave (counted as dropped, optionally spilled to disk). Sequence numbers
 * never repeat, so a page fetched by seq stays valid while newer messages arrive.
 */
export class MessageStore {
  readonly maxMessages: number;
  readonly maxBytes: number;
  private readonly maxTopics: number;
  private readonly now: () => number;

  private cap = 0;
  private start = 0;
  private count = 0;
  private nextSeq = 0;
  private ts = new Float64Array(0);
  private topicIds = new Int32Array(0);
  private segIds = new Int32Array(0);
  private offsets = new Int32Array(0);
  private lengths = new Int32Array(0);
  private flags = new Uint8Array(0);
  private subIdx = new Int16Array(0);
  private readonly props = new Map<number, ReceivedPropertiesT>();

  private segments: Buffer[] = [];
  /** Global id of segments[0]. */
  private segBase = 0;
  private segUsed = 0;

  private bytes = 0;
  private received = 0;
  private dropped = 0;
  private spilled = 0;

  private readonly topicsByName = new Map<string, TopicEntry>();
  private readonly topicsById: (TopicEntry | undefined)[] = [];
  private readonly freeTopicIds: number[] = [];

  /** Subscription index of the message appended last (-1 when none matched); lets callers count per subscription. */
  lastSubIndex = -1;

  private subVersion = 0;
  private subMatcher: (topic: string) => number = () => -1;

  private readonly indexes = new Map<string, FilterIndex>();
  private readonly rateSamples: { t: number; n: number }[] = [];

  private readonly spillFile: string | undefined;
  private spillFd: number | undefined;
  /** What clear() took away, kept until the undo window passes. */
  private cleared: { state: ClearedState; atSeq: number; until: number } | undefined;
  private spillBuf: string[] = [];
  private spillBufBytes = 0;

  constructor(options: MessageStoreOptions) {
    this.maxMessages = Math.max(1, Math.floor(options.maxMessages));
    this.maxBytes = Math.max(1, Math.floor(options.maxBytes));
    this.maxTopics = options.maxTopics ?? 200_000;
    this.now = options.now ?? Date.now;
    this.spillFile = options.spillFile;
  }

  /**
   * Sets how messages are attributed to subscriptions: `match(topic)` returns the subscription index or -1.
   * Attribution is cached per topic and recomputed lazily after every change.
   */
  setSubscriptionMatcher(match: (topic: string) => number): void {
    this.subMatcher = match;
    this.subVersion++;
  }

  /** Stores one message and returns its sequence number, or -1 when it is larger than the whole byte budget (counted as dropped). */
  append(topic: string, payload: Uint8Array, qos: 0 | 1 | 2, retain: boolean, properties?: ReceivedPropertiesT): number {
    const t = this.now();
    if (this.cleared && t >= this.cleared.until) this.cleared = undefined;
    return this.appendAt(t, topic, payload, qos, retain, properties);
  }

  private appendAt(t: number, topic: string, payload: Uint8Array, qos: 0 | 1 | 2, retain: boolean, properties: ReceivedPropertiesT | undefined): number {
    this.received++;
    this.sampleRate(t);
    const len = payload.length;
    if (len > this.maxBytes) {
      this.dropped++;
      const e = this.touchTopic(topic, -1, t, qos, retain, payload);
      if (e.subVersion !== this.subVersion) {
        e.subIndex = this.subMatcher(topic);
        e.subVersion = this.subVersion;
      }
      this.lastSubIndex = e.subIndex;
      return -1;
    }
    while (this.count > 0 && (this.count >= this.maxMessages || this.bytes + len > this.maxBytes)) this.evictOldest();
    if (this.count === this.cap) this.grow();

    const seq = this.nextSeq++;
    const slot = (this.start + this.count) % this.cap;
    const entry = this.touchTopic(topic, seq, t, qos, retain, payload);
    this.writePayload(slot, payload);
    this.ts[slot] = t;
    this.topicIds[slot] = entry.id;
    this.flags[slot] = qos | (retain ? 4 : 0) | (properties ? 8 : 0);
    if (entry.subVersion !== this.subVersion) {
      entry.subIndex = this.subMatcher(topic);
      entry.subVersion = this.subVersion;
    }
    this.subIdx[slot] = entry.subIndex;
    this.lastSubIndex = entry.subIndex;
    if (properties) this.props.set(seq, properties);
    this.count++;
    this.bytes += len;
    return seq;
  }

  get firstSeq(): number {
    return this.nextSeq - this.count;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The message with this sequence number, while it is still in memory. */
  get(seq: number): StoredMessage | undefined {
    if (seq < this.firstSeq || seq > this.lastSeq) return undefined;
    const slot = this.slotOf(seq);
    const f = this.flags[slot]!;
    const topic = this.topicsById[this.topicIds[slot]!]!.topic;
    return {
      seq,
      receivedAt: this.ts[slot]!,
      topic,
      qos: (f & 3) as 0 | 1 | 2,
      retain: (f & 4) !== 0,
      payload: this.payloadAt(slot),
      subIndex: this.subIdx[slot]!,
      properties: f & 8 ? this.props.get(seq) : undefined,
    };
  }

  /** How many retained messages match the filter. */
  countMatching(filter: StoreFilter | undefined): number {
    if (!isActive(filter)) return this.count;
    const idx = this.indexFor(filter!);
    return idx.seqs.length - idx.head;
  }

  /** Up to `limit` messages from the `offset`-th retained message matching the filter, oldest first. */
  page(offset: number, limit: number, filter?: StoreFilter): StoredMessage[] {
    const out: StoredMessage[] = [];
    if (!isActive(filter)) {
      for (let seq = this.firstSeq + offset; seq <= this.lastSeq && out.length < limit; seq++) out.push(this.get(seq)!);
      return out;
    }
    const idx = this.indexFor(filter!);
    for (let i = idx.head + offset; i < idx.seqs.length && out.length < limit; i++) {
      const m = this.get(idx.seqs[i]!);
      if (m) out.push(m);
    }
    return out;
  }

  /** Up to `limit` matching messages with seq > afterSeq, oldest first, and the offset of the first one. */
  pageAfter(afterSeq: number, limit: number, filter?: StoreFilter): { offset: number; messages: StoredMessage[] } {
    if (!isActive(filter)) {
      const from = Math.max(afterSeq + 1, this.firstSeq);
      return { offset: from - this.firstSeq, messages: this.page(from - this.firstSeq, limit) };
    }
    const idx = this.indexFor(filter!);
    const i = lowerBound(idx.seqs, afterSeq + 1, idx.head);
    return { offset: i - idx.head, messages: this.page(i - idx.head, limit, filter) };
  }

  /** The newest `limit` messages with seq > sinceSeq that match the filter (for live batches), oldest first. */
  newest(sinceSeq: number, limit: number, filter?: StoreFilter): StoredMessage[] {
    const out: StoredMessage[] = [];
    const from = Math.max(sinceSeq + 1, this.firstSeq);
    const active = isActive(filter);
    const matcher = active ? this.matcherFor(filter!, new Map()) : undefined;
    for (let seq = this.lastSeq; seq >= from && out.length < limit; seq--) {
      if (matcher && !matcher(this.slotOf(seq))) continue;
      out.push(this.get(seq)!);
    }
    return out.reverse();
  }

  /** The topic table (live entries only). */
  topics(): Iterable<TopicEntry> {
    return this.topicsByName.values();
  }

  /** The topic table entry of exactly this topic, if it is known. */
  topicEntry(topic: string): TopicEntry | undefined {
    return this.topicsByName.get(topic);
  }

  /**
   * The newest `limit` messages of exactly this topic still in memory, oldest first. Uses the same
   * incremental index as a filtered page, so polling a selected topic scans each message once.
   */
  history(topic: string, limit: number): StoredMessage[] {
    const e = this.topicsByName.get(topic);
    if (!e || e.inMemory === 0) return [];
    // A topic name never holds wildcards, so as a filter it matches exactly itself.
    const filter: StoreFilter = { topic };
    const total = this.countMatching(filter);
    return this.page(Math.max(0, total - limit), limit, filter);
  }

  topicCount(): number {
    return this.topicsByName.size;
  }

  /** The head of a topic's latest payload: from memory while the message is retained, else the kept copy. */
  latestPayload(entry: TopicEntry): Uint8Array {
    const m = entry.lastSeq >= this.firstSeq ? this.get(entry.lastSeq) : undefined;
    if (m) return m.payload;
    return entry.lastHead ?? new Uint8Array(0);
  }

  stats(rateNow = this.now()): MessageStatsT {
    return {
      received: this.received,
      retained: this.count,
      retainedBytes: this.bytes,
      dropped: this.dropped,
      spilled: this.spilled,
      ratePerSecond: this.rate(rateNow),
      topics: this.topicsByName.size,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      limits: { maxMessages: this.maxMessages, maxBytes: this.maxBytes },
      ...(this.spillFile ? { spillFile: this.spillFile } : {}),
    };
  }

  /**
   * Forgets every message and topic; counters restart, sequence numbers keep increasing. With `undoForMs`
   * the messages stay in memory that long, hidden, so undoClear() can bring them back.
   */
  clear(undoForMs = 0): void {
    this.flushSpill();
    this.cleared =
      undoForMs > 0 && (this.count > 0 || this.received > 0)
        ? { state: this.snapshot(), atSeq: this.nextSeq, until: this.now() + undoForMs }
        : undefined;
    this.start = 0;
    this.count = 0;
    this.cap = 0;
    this.ts = new Float64Array(0);
    this.topicIds = new Int32Array(0);
    this.segIds = new Int32Array(0);
    this.offsets = new Int32Array(0);
    this.lengths = new Int32Array(0);
    this.flags = new Uint8Array(0);
    this.subIdx = new Int16Array(0);
    this.props.clear();
    this.segBase += this.segments.length;
    this.segments = [];
    this.segUsed = 0;
    this.bytes = 0;
    this.received = 0;
    this.dropped = 0;
    this.spilled = 0;
    this.topicsByName.clear();
    this.topicsById.length = 0;
    this.freeTopicIds.length = 0;
    this.indexes.clear();
    this.rateSamples.length = 0;
  }

  /** Until when (ms since epoch) undoClear() can still bring the cleared messages back, if it can. */
  get undoUntil(): number | undefined {
    if (this.cleared && this.now() >= this.cleared.until) this.cleared = undefined;
    return this.cleared?.until;
  }

  /**
   * Brings back what the last clear(undoForMs) took away, followed by what arrived since (with the same
   * sequence numbers and times). False when there is nothing to undo or the window has passed.
   */
  undoClear(): boolean {
    const cleared = this.cleared;
    this.cleared = undefined;
    if (!cleared || this.now() >= cleared.until) return false;
    const since: StoredMessage[] = [];
    for (let seq = Math.max(cleared.atSeq, this.firstSeq); seq <= this.lastSeq; seq++) {
      const m = this.get(seq);
      if (m) since.push({ ...m, payload: Uint8Array.prototype.slice.call(m.payload) });
    }
    this.restore(cleared.state);
    this.nextSeq = cleared.atSeq;
    for (const m of since) this.appendAt(m.receivedAt, m.topic, m.payload, m.qos, m.retain, m.properties);
    return true;
  }

  /** Writes pending spill records and closes the spill file. */
  close(): void {
    this.flushSpill();
    if (this.spillFd !== undefined) closeSync(this.spillFd);
    this.spillFd = undefined;
  }

  // --- internals -------------------------------------------------------------------------------------

  /** The state clear() resets; arrays clear() replaces are shared, maps and lists it empties are copied. */
  private snapshot(): ClearedState {
    return {
      start: this.start,
      count: this.count,
      cap: this.cap,
      ts: this.ts,
      topicIds: this.topicIds,
      segIds: this.segIds,
      offsets: this.offsets,
      lengths: this.lengths,
      flags: this.flags,
      subIdx: this.subIdx,
      props: new Map(this.props),
      segBase: this.segBase,
      segments: this.segments,
      segUsed: this.segUsed,
      bytes: this.bytes,
      received: this.received,
      dropped: this.dropped,
      spilled: this.spilled,
      topicsByName: new Map(this.topicsByName),
      topicsById: this.topicsById.slice(),
      freeTopicIds: this.freeTopicIds.slice(),
    };
  }

  private restore(c: ClearedState): void {
    this.start = c.start;
    this.count = c.count;
    this.cap = c.cap;
    this.ts = c.ts;
    this.topicIds = c.topicIds;
    this.segIds = c.segIds;
    this.offsets = c.offsets;
    this.lengths = c.lengths;
    this.flags = c.flags;
    this.subIdx = c.subIdx;
    this.props.clear();
    for (const [k, v] of c.props) this.props.set(k, v);
    this.segBase = c.segBase;
    this.segments = c.segments;
    this.segUsed = c.segUsed;
    this.bytes = c.bytes;
    this.received = c.received;
    this.dropped = c.dropped;
    this.spilled = c.spilled;
    this.topicsByName.clear();
    for (const [k, v] of c.topicsByName) this.topicsByName.set(k, v);
    this.topicsById.length = 0;
    this.topicsById.push(...c.topicsById);
    this.freeTopicIds.length = 0;
    this.freeTopicIds.push(...c.freeTopicIds);
    this.indexes.clear();
    // Subscriptions may have changed while the messages were hidden.
    this.subVersion++;
  }

  private slotOf(seq: number): number {
    return (this.start + (seq - this.firstSeq)) % this.cap;
  }

  private payloadAt(slot: number): Uint8Array {
    const seg = this.segments[this.segIds[slot]! - this.segBase]!;
    const off = this.offsets[slot]!;
    return seg.subarray(off, off + this.lengths[slot]!);
  }

  private writePayload(slot: number, payload: Uint8Array): void {
    const len = payload.length;
    let seg = this.segments[this.segments.length - 1];
    if (!seg || this.segUsed + len > seg.length) {
      // allocUnsafeSlow: a segment of its own, not a slice of Node's shared pool that could pin other memory.
      seg = Buffer.allocUnsafeSlow(Math.max(SEGMENT_BYTES, len));
      this.segments.push(seg);
      this.segUsed = 0;
    }
    seg.set(payload, this.segUsed);
    this.segIds[slot] = this.segBase + this.segments.length - 1;
    this.offsets[slot] = this.segUsed;
    this.lengths[slot] = len;
    this.segUsed += len;
  }

  private grow(): void {
    const next = Math.min(this.maxMessages, Math.max(INITIAL_CAPACITY, this.cap * 2));
    const copy = <T extends Float64Array | Int32Array | Uint8Array | Int16Array>(old: T, make: (n: number) => T): T => {
      const fresh = make(next);
      for (let i = 0; i < this.count; i++) fresh[i] = old[(this.start + i) % this.cap]!;
      return fresh;
    };
    this.ts = copy(this.ts, (n) => new Float64Array(n));
    this.topicIds = copy(this.topicIds, (n) => new Int32Array(n));
    this.segIds = copy(this.segIds, (n) => new Int32Array(n));
    this.offsets = copy(this.offsets, (n) => new Int32Array(n));
    this.lengths = copy(this.lengths, (n) => new Int32Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.subIdx = copy(this.subIdx, (n) => new Int16Array(n));
    this.start = 0;
    this.cap = next;
  }

  private evictOldest(): void {
    const seq = this.firstSeq;
    const slot = this.start;
    const entry = this.topicsById[this.topicIds[slot]!];
    const payload = this.payloadAt(slot);
    if (this.spillFile) this.spill(seq, slot, entry?.topic ?? '', payload);
    if (entry) {
      entry.inMemory--;
      if (entry.lastSeq === seq) entry.lastHead = Uint8Array.prototype.slice.call(payload, 0, LAST_HEAD_BYTES);
    }
    if (this.flags[slot]! & 8) this.props.delete(seq);
    this.bytes -= this.lengths[slot]!;
    this.start = (this.start + 1) % this.cap;
    this.count--;
    this.dropped++;
    // Segments are filled in order, so every segment before the oldest message's one is free.
    const oldestSeg = this.count > 0 ? this.segIds[this.start]! : this.segBase + this.segments.length - 1;
    const free = oldestSeg - this.segBase;
    if (free > 0) {
      this.segments.splice(0, free);
      this.segBase += free;
    }
  }

  private touchTopic(topic: string, seq: number, t: number, qos: 0 | 1 | 2, retain: boolean, payload: Uint8Array): TopicEntry {
    let e = this.topicsByName.get(topic);
    if (!e) {
      if (this.topicsByName.size >= this.maxTopics) this.pruneTopics();
      const id = this.freeTopicIds.pop() ?? this.topicsById.length;
      e = {
        id,
        topic,
        lower: topic.toLowerCase(),
        system: isSystemTopic(topic),
        count: 0,
        inMemory: 0,
        lastSeq: -1,
        lastAt: 0,
        lastQos: 0,
        lastRetain: false,
        lastSize: 0,
        lastHead: undefined,
        subVersion: -1,
        subIndex: -1,
      };
      this.topicsByName.set(topic, e);
      this.topicsById[id] = e;
    }
    e.count++;
    e.lastAt = t;
    e.lastQos = qos;
    e.lastRetain = retain;
    e.lastSize = payload.length;
    if (seq >= 0) {
      e.inMemory++;
      e.lastSeq = seq;
      e.lastHead = undefined;
    } else {
      e.lastSeq = -1;
      e.lastHead = Uint8Array.prototype.slice.call(payload, 0, LAST_HEAD_BYTES);
    }
    return e;
  }

  private pruneTopics(): void {
    // Topics with nothing left in memory are forgotten (their counts with them) so a stream of ever-new
    // topic names cannot grow the table without bound.
    for (const [name, e] of this.topicsByName) {
      if (e.inMemory > 0) continue;
      this.topicsByName.delete(name);
      this.topicsById[e.id] = undefined;
      this.freeTopicIds.push(e.id);
      for (const idx of this.indexes.values()) idx.topicMatch.delete(e.id);
    }
  }

  private sampleRate(t: number): void {
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (last && t - last.t < 100) return;
    this.rateSamples.push({ t, n: this.received - 1 });
    while (this.rateSamples.length > 0 && t - this.rateSamples[0]!.t > 1100) this.rateSamples.shift();
  }

  private rate(t: number): number {
    const first = this.rateSamples[0];
    if (!first) return 0;
    const span = Math.max(1000, t - first.t);
    if (t - (this.rateSamples[this.rateSamples.length - 1]?.t ?? 0) > 1000) return 0;
    return Math.round(((this.received - first.n) * 1000) / span);
  }

  private matcherFor(filter: StoreFilter, topicMatch: Map<number, boolean>): (slot: number) => boolean {
    const needle = filter.text?.toLowerCase();
    const needleBytes = needle ? Buffer.from(filter.text!, 'utf8') : undefined;
    return (slot) => {
      if (filter.subIndex !== undefined && this.subIdx[slot] !== filter.subIndex) return false;
      const tid = this.topicIds[slot]!;
      const entry = this.topicsById[tid];
      if (!entry) return false;
      if (filter.topic !== undefined) {
        let m = topicMatch.get(tid);
        if (m === undefined) topicMatch.set(tid, (m = topicMatches(filter.topic, entry.topic)));
        if (!m) return false;
      }
      if (needle) {
        if (entry.lower.includes(needle)) return true;
        const p = this.payloadAt(slot);
        if (p.length <= TEXT_SEARCH_LIMIT) return Buffer.from(p.buffer, p.byteOffset, p.length).toString('utf8').toLowerCase().includes(needle);
        return Buffer.from(p.buffer, p.byteOffset, p.length).includes(needleBytes!);
      }
      return true;
    };
  }

  private indexFor(filter: StoreFilter): FilterIndex {
    const key = JSON.stringify([filter.topic ?? null, filter.text ?? null, filter.subIndex ?? null]);
    let idx = this.indexes.get(key);
    if (idx) {
      // Refresh recency for the small LRU.
      this.indexes.delete(key);
      this.indexes.set(key, idx);
    } else {
      idx = { seqs: [], head: 0, scannedTo: this.firstSeq - 1, topicMatch: new Map() };
      this.indexes.set(key, idx);
      while (this.indexes.size > MAX_CACHED_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    }
    const first = this.firstSeq;
    while (idx.head < idx.seqs.length && idx.seqs[idx.head]! < first) idx.head++;
    if (idx.head > 65_536 && idx.head * 2 > idx.seqs.length) {
      idx.seqs = idx.seqs.slice(idx.head);
      idx.head = 0;
    }
    const match = this.matcherFor(filter, idx.topicMatch);
    for (let seq = Math.max(idx.scannedTo + 1, first); seq <= this.lastSeq; seq++) {
      if (match(this.slotOf(seq))) idx.seqs.push(seq);
    }
    idx.scannedTo = this.lastSeq;
    return idx;
  }

  private spill(seq: number, slot: number, topic: string, payload: Uint8Array): void {
    const f = this.flags[slot]!;
    const line = `${JSON.stringify({ seq, receivedAt: this.ts[slot], topic, qos: f & 3, retain: (f & 4) !== 0, payloadBase64: Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('base64') })}\n`;
    this.spillBuf.push(line);
    this.spillBufBytes += line.length;
    this.spilled++;
    if (this.spillBufBytes >= SPILL_FLUSH_BYTES) this.flushSpill();
  }

  private flushSpill(): void {
    if (!this.spillFile || this.spillBuf.length === 0) return;
    this.spillFd ??= openSync(this.spillFile, 'a', 0o600);
    writeSync(this.spillFd, this.spillBuf.join(''));
    this.spillBuf = [];
    this.spillBufBytes = 0;
  }
}

function isActive(filter: StoreFilter | undefined): boolean {
  return !!filter && (filter.topic !== undefined || filter.text !== undefined || filter.subIndex !== undefined);
}

function lowerBound(a: number[], value: number, from: number): number {
  let lo = from;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
