import type { StateCreator } from 'zustand';
import { invoke } from '../../bridge';
import type { MqttState, TopicTreeSlice, TreeState } from './mqtt-state';

// The topic tree is fetched level by level from main, and only while its tab is shown. The selected topic's
// history stays in main too: the renderer asks for its newest messages, already decoded, a few times a
// second at most, however fast messages arrive.

let treeTimer: ReturnType<typeof setTimeout> | undefined;
let topicTimer: ReturnType<typeof setTimeout> | undefined;
let searchTimer: ReturnType<typeof setTimeout> | undefined;
let treeWanted = false;
/** Only the answer to the latest topic request counts. */
let topicRequest = 0;

/** Messages of the selected topic fetched for its history, diff and chart. */
export const HISTORY_LIMIT = 120;

export const emptyTree = (): TreeState => ({ levels: {}, expanded: [], topics: 0, search: '', searchResult: undefined, selected: undefined });

export const createTopicTreeSlice: StateCreator<MqttState, [], [], TopicTreeSlice> = (set, get) => ({
  tree: emptyTree(),
  topicView: undefined,
  decoderRules: [],

  loadTree: async (prefix) => {
    const connectionId = get().activeId;
    if (!connectionId) return;
    treeWanted = true;
    set((s) => ({ tree: { ...s.tree, levels: { ...s.tree.levels, [prefix]: { nodes: s.tree.levels[prefix]?.nodes ?? [], loading: true } } } }));
    const res = await invoke('mqtt.topicTree', { connectionId, depth: 1, ...(prefix ? { prefix } : {}) });
    if (get().activeId !== connectionId) return;
    set((s) => ({
      tree: { ...s.tree, topics: res.ok ? res.value.topics : s.tree.topics, levels: { ...s.tree.levels, [prefix]: { nodes: res.ok ? res.value.nodes : (s.tree.levels[prefix]?.nodes ?? []), loading: false } } },
    }));
  },

  toggleTree: (prefix) => {
    const { expanded } = get().tree;
    if (expanded.includes(prefix)) {
      set((s) => ({ tree: { ...s.tree, expanded: s.tree.expanded.filter((p) => p !== prefix) } }));
    } else {
      set((s) => ({ tree: { ...s.tree, expanded: [...s.tree.expanded, prefix] } }));
      void get().loadTree(prefix);
    }
  },

  refreshTree: async () => {
    const { expanded, search } = get().tree;
    const jobs: Promise<unknown>[] = ['', ...expanded].map((p) => get().loadTree(p));
    if (search) jobs.push(runSearch(get, set));
    if (get().tree.selected) jobs.push(get().loadTopic());
    await Promise.all(jobs);
  },

  setTreeSearch: (text) => {
    set((s) => ({ tree: { ...s.tree, search: text, ...(text ? {} : { searchResult: undefined }) } }));
    if (searchTimer) clearTimeout(searchTimer);
    if (!text) return;
    // One request per pause in typing, not per key.
    searchTimer = setTimeout(() => {
      searchTimer = undefined;
      void runSearch(get, set);
    }, 200);
  },

  selectTopic: (topic) => {
    set((s) => ({ tree: { ...s.tree, selected: topic }, topicView: topic ? { topic, entries: [], inMemory: 0, received: 0, loading: true, error: undefined } : undefined }));
    if (topic) void get().loadTopic();
  },

  loadTopic: async () => {
    const connectionId = get().activeId;
    const topic = get().tree.selected;
    if (!connectionId || !topic) return;
    const mine = ++topicRequest;
    const res = await invoke('mqtt.topicHistory', { connectionId, topic, limit: HISTORY_LIMIT });
    if (mine !== topicRequest || get().tree.selected !== topic || get().activeId !== connectionId) return;
    set((s) => ({
      topicView: res.ok
        ? { topic, entries: res.value.entries, inMemory: res.value.inMemory, received: res.value.received, loading: false, error: undefined }
        : { ...(s.topicView ?? { topic, entries: [], inMemory: 0, received: 0 }), loading: false, error: res.error },
    }));
  },

  loadDecoderRules: async () => {
    const connectionId = get().activeId;
    if (!connectionId) return;
    const res = await invoke('mqtt.decoders', { connectionId });
    if (res.ok && get().activeId === connectionId) set({ decoderRules: res.value.rules });
  },

  setDecoderRule: async (filter, rule) => {
    const connectionId = get().activeId;
    if (!connectionId) return { code: 'mqtt.noConnection', message: 'Connect to a broker first.' };
    const current = get().decoderRules;
    const at = current.findIndex((r) => r.filter === filter);
    const next = current.filter((r) => r.filter !== filter);
    if (rule) next.splice(at < 0 ? next.length : at, 0, { ...rule, filter });
    const res = await invoke('mqtt.setDecoders', { connectionId, rules: next });
    if (!res.ok) return res.error;
    set({ decoderRules: res.value.rules });
    if (get().tree.selected) void get().loadTopic();
    return undefined;
  },

  loadProto: async (path) => {
    const res = await invoke('mqtt.loadProto', { path });
    return res.ok ? res.value : res.error;
  },

  clearRetained: async (topic) => {
    // MQTT 3.1.1 §3.3.1.3 / MQTT 5 §3.3.1.3: a retained PUBLISH with an empty payload removes the retained message.
    const res = await get().publish({ topic, payload: { format: 'text', value: '' }, qos: 1, retain: true });
    return 'code' in res ? res : undefined;
  },
});

async function runSearch(get: () => MqttState, set: (fn: (s: MqttState) => Partial<MqttState>) => void): Promise<void> {
  const connectionId = get().activeId;
  const text = get().tree.search;
  if (!connectionId || !text) return;
  treeWanted = true;
  const res = await invoke('mqtt.topicTree', { connectionId, depth: 32, search: text });
  if (!res.ok || get().activeId !== connectionId || get().tree.search !== text) return;
  set((s) => ({ tree: { ...s.tree, topics: res.value.topics, searchResult: { text, nodes: res.value.nodes, matches: res.value.matches ?? 0 } } }));
}

/** The topic tree stops refreshing when its tab is not shown. */
export function stopTreeRefresh(): void {
  treeWanted = false;
}

/**
 * Called for every batch with new messages. The tree refreshes at most once a second and the selected
 * topic at most twice a second: at 5,000 messages a second, per-message updates would only burn the CPU.
 */
export function scheduleTreeRefresh(refresh: () => Promise<void>, refreshTopic?: () => Promise<void>): void {
  if (!treeWanted) return;
  if (refreshTopic && !topicTimer) {
    topicTimer = setTimeout(() => {
      topicTimer = undefined;
      if (treeWanted) void refreshTopic();
    }, 500);
  }
  if (treeTimer) return;
  // The tree changes with every message; once a second is what a person can read.
  treeTimer = setTimeout(() => {
    treeTimer = undefined;
    if (treeWanted) void refresh();
  }, 1000);
}
