import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageStore } from '../../../src/main/services/mqtt/message-store';
import { topicMatches } from '../../../src/main/services/mqtt/mqtt-topics';
import { buildTopicTree } from '../../../src/main/services/mqtt/topic-tree';

const buf = (s: string) => Buffer.from(s);

describe('bounded message store', () => {
  it('keeps at most maxMessages, dropping the oldest and counting them', () => {
    const s = new MessageStore({ maxMessages: 100, maxBytes: 1 << 20 });
    for (let i = 0; i < 250; i++) expect(s.append(`t/${i % 3}`, buf(`m${i}`), 0, false)).toBe(i);
    expect(s.stats()).toMatchObject({ received: 250, retained: 100, dropped: 150, firstSeq: 150, lastSeq: 249, topics: 3 });
    expect(s.get(149)).toBeUndefined();
    expect(Buffer.from(s.get(150)!.payload).toString()).toBe('m150');
    expect(Buffer.from(s.get(249)!.payload).toString()).toBe('m249');
    expect(s.page(0, 3).map((m) => m.seq)).toEqual([150, 151, 152]);
    expect(s.page(98, 10).map((m) => m.seq)).toEqual([248, 249]);
  });

  it('keeps payload bytes within maxBytes, and counts a payload larger than the whole budget as dropped', () => {
    const s = new MessageStore({ maxMessages: 1_000_000, maxBytes: 1000 });
    for (let i = 0; i < 50; i++) s.append('t', Buffer.alloc(100, i), 0, false);
    const st = s.stats();
    expect(st.retained).toBe(10);
    expect(st.retainedBytes).toBe(1000);
    expect(st.dropped).toBe(40);
    expect(s.append('t', Buffer.alloc(1001), 0, false)).toBe(-1);
    expect(s.stats()).toMatchObject({ received: 51, dropped: 41, retained: 10 });
  });

  it('survives ring growth and wrap-around with every payload intact, across segment boundaries', () => {
    const s = new MessageStore({ maxMessages: 10_000, maxBytes: 64 << 20 });
    const big = 3 * 1024 * 1024;
    for (let i = 0; i < 30_000; i++) {
      const size = i % 5000 === 0 ? big : 20 + (i % 50);
      s.append(`t/${i % 7}`, Buffer.alloc(size, i % 251), (i % 3) as 0 | 1 | 2, i % 2 === 0);
    }
    expect(s.size).toBe(10_000);
    for (const seq of [20_000, 25_000, 29_999, 27_123]) {
      const m = s.get(seq)!;
      expect(m.seq).toBe(seq);
      expect(m.topic).toBe(`t/${seq % 7}`);
      expect(m.qos).toBe(seq % 3);
      expect(m.retain).toBe(seq % 2 === 0);
      expect(m.payload.length).toBe(seq % 5000 === 0 ? big : 20 + (seq % 50));
      expect(m.payload.every((b) => b === seq % 251)).toBe(true);
    }
  });

  it('pages a filtered view by offset and after a seq, and keeps the index right while old messages leave', () => {
    const s = new MessageStore({ maxMessages: 1000, maxBytes: 1 << 20 });
    s.setSubscriptionMatcher((t) => (topicMatches('a/#', t) ? 0 : topicMatches('b/#', t) ? 1 : -1));
    for (let i = 0; i < 600; i++) s.append(i % 2 ? 'a/x' : 'b/y', buf(i % 10 === 0 ? `Alarm ${i}` : `ok ${i}`), 0, false);
    expect(s.countMatching({ topic: 'a/#' })).toBe(300);
    expect(s.countMatching({ subIndex: 1 })).toBe(300);
    expect(s.countMatching({ text: 'alarm' })).toBe(60);
    expect(s.countMatching({ text: 'B/Y' })).toBe(300);
    expect(s.page(2, 2, { text: 'alarm' }).map((m) => m.seq)).toEqual([20, 30]);
    const after = s.pageAfter(25, 3, { text: 'alarm' });
    expect(after).toMatchObject({ offset: 3 });
    expect(after.messages.map((m) => m.seq)).toEqual([30, 40, 50]);
    for (let i = 600; i < 1500; i++) s.append('a/x', buf(`ok ${i}`), 0, false);
    // Oldest 500 are gone: alarms left are 500..590 step 10.
    expect(s.countMatching({ text: 'alarm' })).toBe(10);
    expect(s.page(0, 1, { text: 'alarm' })[0]!.seq).toBe(500);
    expect(s.newest(1490, 3, { topic: 'a/#' }).map((m) => m.seq)).toEqual([1497, 1498, 1499]);
    expect(s.newest(-1, 2).map((m) => m.seq)).toEqual([1498, 1499]);
    expect(s.get(1499)!.subIndex).toBe(0);
  });

  it('builds a topic tree with counts and latest values, keeping the latest value after it left memory', () => {
    const s = new MessageStore({ maxMessages: 100, maxBytes: 1 << 20 });
    s.append('factory/line1/temp', buf('20'), 0, false);
    s.append('factory/line1/temp', buf('21'), 1, true);
    s.append('factory/line2/temp', buf('30'), 0, false);
    s.append('factory', buf('root'), 0, false);
    for (let i = 0; i < 100; i++) s.append('other', buf(`${i}`), 0, false);
    const tree = buildTopicTree(s, undefined, 3);
    const factory = tree.find((n) => n.name === 'factory')!;
    expect(factory).toMatchObject({ count: 1, totalCount: 4, childCount: 2, latest: { payload: { text: 'root' } } });
    const line1 = factory.children!.find((n) => n.name === 'line1')!;
    expect(line1.children![0]).toMatchObject({ topic: 'factory/line1/temp', count: 2, totalCount: 2, latest: { qos: 1, retain: true, payload: { text: '21' } } });
    const shallow = buildTopicTree(s, 'factory', 1);
    expect(shallow.map((n) => [n.name, n.childCount, n.children])).toEqual([
      ['line1', 1, undefined],
      ['line2', 1, undefined],
    ]);
  });

  it('forgets topics with nothing left in memory once the topic table is full', () => {
    const s = new MessageStore({ maxMessages: 10, maxBytes: 1 << 20, maxTopics: 50 });
    for (let i = 0; i < 1000; i++) s.append(`unique/${i}`, buf('x'), 0, false);
    expect(s.topicCount()).toBeLessThanOrEqual(50);
    expect(s.get(999)!.topic).toBe('unique/999');
    expect(s.get(990)!.topic).toBe('unique/990');
  });

  it('spills messages that leave memory to an NDJSON file when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-spill-'));
    try {
      const file = join(dir, 'c.ndjson');
      const s = new MessageStore({ maxMessages: 5, maxBytes: 1 << 20, spillFile: file });
      for (let i = 0; i < 12; i++) s.append('t', buf(`m${i}`), 1, false);
      s.close();
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; topic: string; qos: number; payloadBase64: string });
      expect(lines.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(lines[6]).toMatchObject({ topic: 't', qos: 1 });
      expect(Buffer.from(lines[6]!.payloadBase64, 'base64').toString()).toBe('m6');
      expect(s.stats()).toMatchObject({ dropped: 7, spilled: 7, spillFile: file });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('clears everything but keeps sequence numbers increasing', () => {
    const s = new MessageStore({ maxMessages: 10, maxBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) s.append('t', buf('x'), 0, false);
    s.clear();
    expect(s.stats()).toMatchObject({ received: 0, retained: 0, topics: 0 });
    expect(s.append('t', buf('y'), 0, false)).toBe(5);
    expect(s.page(0, 5).map((m) => m.seq)).toEqual([5]);
  });

  it('brings cleared messages back within the undo window, followed by what arrived since', () => {
    let now = 1_000;
    const s = new MessageStore({ maxMessages: 100, maxBytes: 1 << 20, now: () => now });
    for (let i = 0; i < 5; i++) s.append(`plant/line${i % 2}`, buf(`old${i}`), 1, i === 0, i === 1 ? { contentType: 'text/plain' } : undefined);
    s.clear(30_000);
    expect(s.stats()).toMatchObject({ received: 0, retained: 0, topics: 0 });
    expect(s.undoUntil).toBe(31_000);
    now = 2_000;
    expect(s.append('plant/line9', buf('new0'), 0, false)).toBe(5);
    now = 3_000;
    expect(s.undoClear()).toBe(true);
    expect(s.stats()).toMatchObject({ received: 6, retained: 6, topics: 3, firstSeq: 0, lastSeq: 5 });
    expect(s.page(0, 10).map((m) => [m.seq, m.topic, Buffer.from(m.payload).toString()])).toEqual([
      [0, 'plant/line0', 'old0'],
      [1, 'plant/line1', 'old1'],
      [2, 'plant/line0', 'old2'],
      [3, 'plant/line1', 'old3'],
      [4, 'plant/line0', 'old4'],
      [5, 'plant/line9', 'new0'],
    ]);
    expect(s.get(0)).toMatchObject({ qos: 1, retain: true });
    expect(s.get(1)?.properties).toEqual({ contentType: 'text/plain' });
    expect(s.get(5)?.receivedAt).toBe(2_000);
    expect(s.page(0, 10, { topic: 'plant/line1' }).map((m) => m.seq)).toEqual([1, 3]);
    // Once undone there is nothing left to undo, and the next message continues the sequence.
    expect(s.undoClear()).toBe(false);
    expect(s.append('plant/line0', buf('after'), 0, false)).toBe(6);
  });

  it('lets the cleared messages go once the undo window has passed', () => {
    let now = 0;
    const s = new MessageStore({ maxMessages: 100, maxBytes: 1 << 20, now: () => now });
    for (let i = 0; i < 3; i++) s.append('t', buf('x'), 0, false);
    s.clear(30_000);
    now = 30_000;
    expect(s.undoUntil).toBeUndefined();
    expect(s.undoClear()).toBe(false);
    expect(s.stats()).toMatchObject({ received: 0, retained: 0 });
    // A plain clear keeps nothing to undo.
    s.append('t', buf('y'), 0, false);
    s.clear();
    expect(s.undoClear()).toBe(false);
  });

  it('holds 300,000 small messages in well under their JS-object cost', () => {
    const s = new MessageStore({ maxMessages: 300_000, maxBytes: 1 << 30 });
    const payload = Buffer.alloc(100, 7);
    const before = process.memoryUsage();
    for (let i = 0; i < 300_000; i++) s.append('bench/topic', payload, 0, false);
    const after = process.memoryUsage();
    const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
    // Payloads are 30 MB; columns add ~9 MB. One object + Buffer per message would be > 60 MB more.
    expect(used).toBeLessThan(60 * 1024 * 1024);
    expect(s.size).toBe(300_000);
  });
});
