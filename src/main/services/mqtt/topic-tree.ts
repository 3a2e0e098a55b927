import type { TopicNodeT } from '@shared/contract/mqtt-contract';
import type { MessageStore, TopicEntry } from './message-store';
import { previewPayload } from './payload-codec';
import { isSystemTopic } from './mqtt-topics';

interface Building {
  topic: string;
  name: string;
  count: number;
  totalCount: number;
  system: boolean;
  entry: TopicEntry | undefined;
  children: Map<string, Building>;
  /** Names of children below the requested depth, only counted. */
  hiddenChildren: Set<string>;
}

const node = (topic: string, name: string, system: boolean): Building => ({ topic, name, count: 0, totalCount: 0, system, entry: undefined, children: new Map(), hiddenChildren: new Set() });

/**
 * The topics seen, as a tree below `prefix` (the whole tree when absent), `depth` levels deep. Each node
 * has its own count, the count of everything below, and the latest payload when a topic ends there.
 */
export function buildTopicTree(store: MessageStore, prefix: string | undefined, depth: number, previewBytes = 256, search?: { text: string; limit: number; matches?: number }): TopicNodeT[] {
  const root = node(prefix ?? '', '', false);
  const needle = search?.text.toLowerCase();
  if (search) search.matches = 0;
  for (const e of store.topics()) {
    if (needle !== undefined) {
      // Only the branches leading to matching topics, and at most `limit` of them so the answer stays small.
      if (!e.lower.includes(needle)) continue;
      if (search!.matches!++ >= search!.limit) continue;
    }
    let rest: string;
    if (prefix === undefined) rest = e.topic;
    else if (e.topic.startsWith(`${prefix}/`)) rest = e.topic.slice(prefix.length + 1);
    else continue;
    const levels = rest.split('/');
    let cur = root;
    for (let i = 0; i < levels.length; i++) {
      const name = levels[i]!;
      if (i >= depth) {
        cur.hiddenChildren.add(name);
        break;
      }
      const topic = prefix === undefined && i === 0 ? name : `${cur.topic}/${name}`;
      let next = cur.children.get(name);
      if (!next) cur.children.set(name, (next = node(topic, name, isSystemTopic(topic))));
      next.totalCount += e.count;
      if (i === levels.length - 1) {
        next.count += e.count;
        next.entry = e;
      }
      cur = next;
    }
  }
  const finish = (b: Building, level: number): TopicNodeT => {
    const n: TopicNodeT = {
      topic: b.topic,
      name: b.name,
      count: b.count,
      totalCount: b.totalCount,
      childCount: b.children.size + b.hiddenChildren.size,
      system: b.system,
    };
    if (b.entry) {
      const e = b.entry;
      n.latest = { receivedAt: e.lastAt, size: e.lastSize, retain: e.lastRetain, qos: e.lastQos, payload: previewPayload(store.latestPayload(e), previewBytes) };
      // The kept head of an evicted payload is shorter than the payload: say so.
      if (e.lastSize > previewBytes || store.latestPayload(e).length < e.lastSize) n.latest.payload.truncated = true;
    }
    if (level < depth && b.children.size > 0) n.children = sortNodes([...b.children.values()]).map((c) => finish(c, level + 1));
    return n;
  };
  return sortNodes([...root.children.values()]).map((c) => finish(c, 1));
}

function sortNodes(list: Building[]): Building[] {
  return list.sort((a, b) => Number(a.system) - Number(b.system) || a.name.localeCompare(b.name));
}
