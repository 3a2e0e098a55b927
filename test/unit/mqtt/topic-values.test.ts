import { describe, expect, it } from 'vitest';
import type { DecodedPayloadT, TopicHistoryEntryT } from '@shared/contract/mqtt-contract';
import { MAX_SERIES, decodedText, numericFields, numericSeries, payloadDiff } from '../../../src/renderer/src/features/mqtt/topic-values';

const json = (value: unknown): DecodedPayloadT => ({ decoder: 'json', chosenBy: 'auto', ok: true, value });
const entry = (i: number, decoded: DecodedPayloadT): TopicHistoryEntryT => ({ seq: i, receivedAt: 1_700_000_000_000 + i * 100, size: 10, qos: 0, retain: false, decoded });
const sparkplug = (metrics: { name: string; datatype: string; value: unknown }[]): DecodedPayloadT => ({
  decoder: 'sparkplug',
  chosenBy: 'auto',
  ok: true,
  sparkplug: { messageType: 'NDATA', groupId: 'G', edgeNodeId: 'E', metrics },
});

describe('topic values for the detail pane', () => {
  it('finds numbers in JSON leaves, bare numbers, numeric text and Sparkplug metrics, not in hex or failures', () => {
    expect([...numericFields(json({ t: 21.5, nested: { p: 2, label: 'x' }, list: [1, 'a'] }))]).toEqual([
      ['t', 21.5],
      ['nested.p', 2],
      ['list.0', 1],
    ]);
    expect([...numericFields(json(42))]).toEqual([['value', 42]]);
    expect([...numericFields({ decoder: 'text', chosenBy: 'x', ok: true, value: ' -3.5 ' })]).toEqual([['value', -3.5]]);
    expect([...numericFields({ decoder: 'hex', chosenBy: 'x', ok: true, value: '1234' })]).toEqual([]);
    expect([...numericFields({ decoder: 'json', chosenBy: 'x', ok: false, reason: 'bad', raw: { hex: '31', text: '1', size: 1, truncated: false } })]).toEqual([]);
    expect([...numericFields(sparkplug([{ name: 'Temp', datatype: 'Double', value: 20 }, { name: 'On', datatype: 'Boolean', value: true }, { name: 'Mode', datatype: 'String', value: 'auto' }]))]).toEqual([
      ['Temp', 20],
      ['On', 1],
    ]);
  });

  it('aligns series over the history, most frequent fields first, gaps as null, at most MAX_SERIES lines', () => {
    const s = numericSeries([entry(0, json({ a: 1, b: 2 })), entry(1, json({ a: 3 })), entry(2, json({ a: 5, b: 6 }))]);
    expect(s).toEqual({ x: [1_700_000_000, 1_700_000_000.1, 1_700_000_000.2], names: ['a', 'b'], ys: [[1, 3, 5], [2, null, 6]] });
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i]));
    expect(numericSeries([entry(0, json(wide))]).names).toHaveLength(MAX_SERIES);
  });

  it('diffs the previous and the latest value line by line, Sparkplug metrics one per line', () => {
    const before = sparkplug([{ name: 'Temp', datatype: 'Double', value: 20 }, { name: 'Mode', datatype: 'String', value: 'auto' }]);
    const after = sparkplug([{ name: 'Temp', datatype: 'Double', value: 21 }, { name: 'Mode', datatype: 'String', value: 'auto' }]);
    expect(decodedText(after)).toBe('Temp [Double] = 21\nMode [String] = "auto"');
    const parts = payloadDiff(before, after);
    expect(parts.filter((p) => p.removed).map((p) => p.value)).toEqual(['Temp [Double] = 20\n']);
    expect(parts.filter((p) => p.added).map((p) => p.value)).toEqual(['Temp [Double] = 21\n']);
    expect(payloadDiff(json({ a: 1 }), json({ a: 1 })).every((p) => !p.added && !p.removed)).toBe(true);
  });
});
