import { FieldbenchError } from '@shared/errors';

/** The rule of the MQTT spec (v5 §4.7, v3.1.1 §4.7) a topic name or filter breaks. */
export type TopicRule = 'empty' | 'tooLong' | 'nul' | 'wildcardInName' | 'hashNotLast' | 'plusNotWholeLevel' | 'hashNotWholeLevel';

export interface TopicProblem {
  rule: TopicRule;
  message: string;
}

const MAX_TOPIC_BYTES = 65_535;

/** Checks what every topic and filter must satisfy; `what` words the message ("topic", "filter"). */
function commonProblem(topic: string, what: string): TopicProblem | null {
  if (topic.length === 0) return { rule: 'empty', message: `The ${what} is empty. MQTT needs at least one character (a single "/" is allowed).` };
  if (topic.includes('\u0000')) return { rule: 'nul', message: `The ${what} contains a NUL character (U+0000), which MQTT forbids. Remove it.` };
  // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (topic.length * 3 > MAX_TOPIC_BYTES) {
    const bytes = Buffer.byteLength(topic, 'utf8');
    if (bytes > MAX_TOPIC_BYTES) return { rule: 'tooLong', message: `The ${what} is ${bytes.toLocaleString('en')} bytes long; MQTT allows at most 65,535 bytes of UTF-8. Shorten it.` };
  }
  return null;
}

/** A topic name for PUBLISH: no wildcards. Returns null when valid. */
export function topicNameProblem(topic: string): TopicProblem | null {
  const common = commonProblem(topic, 'topic');
  if (common) return common;
  const i = topic.search(/[+#]/);
  if (i >= 0) {
    return {
      rule: 'wildcardInName',
      message: `The topic "${shorten(topic)}" contains the wildcard "${topic[i]}" at position ${i + 1}; wildcards are only for subscriptions. Publish to a concrete topic.`,
    };
  }
  return null;
}

/** A topic filter for SUBSCRIBE: '#' only as the whole last level, '+' only as a whole level. */
export function topicFilterProblem(filter: string): TopicProblem | null {
  const common = commonProblem(filter, 'filter');
  if (common) return common;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#')) {
      if (level !== '#') {
        return { rule: 'hashNotWholeLevel', message: `In "${shorten(filter)}" the level "${shorten(level)}" mixes "#" with other characters; "#" must stand alone as a level ("a/#").` };
      }
      if (i !== levels.length - 1) {
        return { rule: 'hashNotLast', message: `In "${shorten(filter)}" the multi-level wildcard "#" is not the last level; "#" may only end a filter ("a/#", not "a/#/b").` };
      }
    }
    if (level.includes('+') && level !== '+') {
      return { rule: 'plusNotWholeLevel', message: `In "${shorten(filter)}" the level "${shorten(level)}" mixes "+" with other characters; "+" must be a whole level ("a/+/c", not "a/b+/c").` };
    }
  }
  return null;
}

/** Throws a FieldbenchError 'mqtt.invalidTopic' naming the rule when the topic name is invalid. */
export function assertTopicName(topic: string): void {
  const p = topicNameProblem(topic);
  if (p) throw new FieldbenchError('mqtt.invalidTopic', p.message, { detail: `rule: ${p.rule}` });
}

/** Throws a FieldbenchError 'mqtt.invalidFilter' naming the rule when the filter is invalid. */
export function assertTopicFilter(filter: string): void {
  const p = topicFilterProblem(filter);
  if (p) throw new FieldbenchError('mqtt.invalidFilter', p.message, { detail: `rule: ${p.rule}` });
}

/**
 * Whether a (valid) filter matches a topic name, including the rule that wildcards at the first level
 * do not match topics starting with '$' ($SYS is seen only when subscribed to explicitly).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === '#') return !topic.startsWith('$');
  if (!filter.includes('+') && !filter.includes('#')) return filter === topic;
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Broker housekeeping topics: shown when subscribed, flagged so the UI can dim or group them. */
export function isSystemTopic(topic: string): boolean {
  return topic.startsWith('$') || topic.startsWith('azedge/dmqtt/selftest');
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
