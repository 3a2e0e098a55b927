import type { StateCreator } from 'zustand';
import { invoke } from '../../bridge';
import type { MqttState, TopicTreeSlice, TreeState } from './mqtt-state';

// The topic tree is fetched level by level from main, and only while its tab is shown.

let treeTimer: ReturnType<typeof setTimeout> | undefined;
let treeWanted = false;

export const emptyTree = (): TreeState => ({ levels: {}, expanded: [], topics: 0 });

export const createTopicTreeSlice: StateCreator<MqttState, [], [], TopicTreeSlice> = (set, get) => ({
  tree: emptyTree(),

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
    const { expanded } = get().tree;
    await Promise.all(['', ...expanded].map((p) => get().loadTree(p)));
  },
});

/** The topic tree stops refreshing when its tab is not shown. */
export function stopTreeRefresh(): void {
  treeWanted = false;
}

/** Called for every batch with new messages; refreshes the open levels at most once a second. */
export function scheduleTreeRefresh(refresh: () => Promise<void>): void {
  if (!treeWanted || treeTimer) return;
  // The tree changes with every message; once a second is what a person can read.
  treeTimer = setTimeout(() => {
    treeTimer = undefined;
    if (treeWanted) void refresh();
  }, 1000);
}
