import { describe, expect, it } from 'vitest';
import { isSystemTopic, topicFilterProblem, topicMatches, topicNameProblem } from '../../../src/main/services/mqtt/mqtt-topics';

describe('MQTT topic rules', () => {
  it('accepts valid names and filters, including the spec examples', () => {
    for (const t of ['a', '/', 'a/b/c', '/leading', 'trailing/', 'a//b', '$SYS/broker/version', 'sport/tennis/player1', 'ü/日本']) expect(topicNameProblem(t), t).toBeNull();
    for (const f of ['#', '+', '+/+', '/+', 'a/#', 'a/+/c', '+/tennis/#', 'sport/+', '$SYS/#', 'a//#']) expect(topicFilterProblem(f), f).toBeNull();
  });

  it('names the rule each bad topic or filter breaks', () => {
    const cases: Array<[string, 'name' | 'filter', string]> = [
      ['', 'name', 'empty'],
      ['', 'filter', 'empty'],
      ['a/+', 'name', 'wildcardInName'],
      ['a/#', 'name', 'wildcardInName'],
      ['a+b', 'name', 'wildcardInName'],
      ['a/#/b', 'filter', 'hashNotLast'],
      ['#/a', 'filter', 'hashNotLast'],
      ['a/b#', 'filter', 'hashNotWholeLevel'],
      ['a/#b', 'filter', 'hashNotWholeLevel'],
      ['a/b+', 'filter', 'plusNotWholeLevel'],
      ['+a/b', 'filter', 'plusNotWholeLevel'],
      ['a\u0000b', 'name', 'nul'],
      ['a\u0000b', 'filter', 'nul'],
      ['x'.repeat(65_536), 'name', 'tooLong'],
      ['é'.repeat(32_768), 'filter', 'tooLong'],
    ];
    for (const [topic, kind, rule] of cases) {
      const p = kind === 'name' ? topicNameProblem(topic) : topicFilterProblem(topic);
      expect(p?.rule, `${kind} ${JSON.stringify(topic.slice(0, 12))}`).toBe(rule);
      expect(p?.message).toMatch(/\.$/);
    }
    // Exactly at the limit is fine; multi-byte characters count as bytes, not characters.
    expect(topicNameProblem('x'.repeat(65_535))).toBeNull();
    expect(topicNameProblem('é'.repeat(32_767))).toBeNull();
  });

  it('matches filters like a broker, keeping $ topics away from leading wildcards', () => {
    const yes: Array<[string, string]> = [
      ['#', 'a'],
      ['#', 'a/b/c'],
      ['a/#', 'a'],
      ['a/#', 'a/b/c'],
      ['a/+', 'a/b'],
      ['a/+', 'a/'],
      ['+/+', '/a'],
      ['+', ''],
      ['$SYS/#', '$SYS/broker/load'],
      ['$SYS/+/version', '$SYS/broker/version'],
      ['a/b', 'a/b'],
    ];
    const no: Array<[string, string]> = [
      ['#', '$SYS/broker'],
      ['+/broker', '$SYS/broker'],
      ['a/+', 'a/b/c'],
      ['a/+', 'a'],
      ['a/b', 'a/b/c'],
      ['a/#', 'b/a'],
      ['A/b', 'a/b'],
    ];
    for (const [f, t] of yes) expect(topicMatches(f, t), `${f} ~ ${t}`).toBe(true);
    for (const [f, t] of no) expect(topicMatches(f, t), `${f} !~ ${t}`).toBe(false);
  });

  it('flags $SYS and the AIO broker self-test as system topics', () => {
    expect(isSystemTopic('$SYS/broker/uptime')).toBe(true);
    expect(isSystemTopic('azedge/dmqtt/selftest/ei5LGtsu')).toBe(true);
    expect(isSystemTopic('azedge/other')).toBe(false);
    expect(isSystemTopic('factory/line1')).toBe(false);
  });
});
