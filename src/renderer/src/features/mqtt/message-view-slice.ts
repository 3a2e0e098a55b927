import type { StateCreator } from 'zustand';
import { CLEAR_UNDO_SECONDS, type MessageFilterT, type MessagePreviewT } from '@shared/contract/mqtt-contract';
import { invoke } from '../../bridge';
import { useToastStore } from '../../ui/use-toast-store';
import type { ListState, MessageViewSlice, MqttState } from './mqtt-state';
import { emptyTree, scheduleTreeRefresh } from './topic-tree-slice';

// The message list holds only what is on screen: the rows that are visible (plus a bounded margin) and the
// message in the detail pane. The full history stays in main and is paged in with mqtt.messages.

/** Rows fetched per mqtt.messages call; the list asks for whole pages around what it shows. */
export const PAGE_SIZE = 200;
/** Most rows kept in the renderer, whatever the number of messages in main. */
export const ROW_CACHE_LIMIT = 3000;
/** Newest previews per live batch: a screenful and then some. */
export const VIEW_LIMIT = 50;

function emptyList(connectionId: string | undefined, generation: number): ListState {
  return { connectionId, total: 0, rows: new Map(), firstSeq: 0, filter: undefined, follow: true, generation };
}

/** Key of row `index` in the cache (see ListState.rows). */
export function rowKey(list: ListState, index: number): number {
  return list.filter ? index : list.firstSeq + index;
}

function hasFilter(f: MessageFilterT | undefined): f is MessageFilterT {
  return Boolean(f && (f.topic || f.text || f.subscriptionId));
}

/** Keeps the cache bounded: drops the rows farthest from the ones in view. */
function trimRows(rows: Map<number, MessagePreviewT>, centreKey: number): Map<number, MessagePreviewT> {
  if (rows.size <= ROW_CACHE_LIMIT) return rows;
  // Keep the keys in a window around the centre; no sort, since this runs on every batch under load.
  const half = ROW_CACHE_LIMIT / 2;
  let lo = centreKey - half;
  let hi = centreKey + half;
  let above = 0;
  for (const k of rows.keys()) if (k > centreKey) above++;
  // A centre at the newest row keeps the whole budget below it.
  if (above < half) {
    lo -= half - above;
    hi = centreKey + above;
  }
  const out = new Map<number, MessagePreviewT>();
  for (const [k, v] of rows) if (k > lo && k <= hi) out.set(k, v);
  return out;
}

const inflight = new Set<string>();
let lastVisible = { start: 0, end: 0 };
let filteredTailTimer: ReturnType<typeof setTimeout> | undefined;

export const createMessageViewSlice: StateCreator<MqttState, [], [], MessageViewSlice> = (set, get) => {
  /** Fetches one page of the active list; stale answers (other connection, filter or clear) are ignored. */
  async function fetchPage(offset: number): Promise<void> {
    const { list } = get();
    const connectionId = list.connectionId;
    if (!connectionId) return;
    const key = `${connectionId}:${list.generation}:${offset}`;
    if (inflight.has(key)) return;
    inflight.add(key);
    const res = await invoke('mqtt.messages', { connectionId, offset, limit: PAGE_SIZE, previewBytes: 512, ...(list.filter ? { filter: list.filter } : {}) });
    inflight.delete(key);
    const now = get().list;
    if (!res.ok || now.connectionId !== connectionId || now.generation !== list.generation) return;
    const { messages, stats, total } = res.value;
    const rows = new Map(now.rows);
    const firstSeq = now.filter ? now.firstSeq : stats.firstSeq;
    messages.forEach((m, i) => rows.set(now.filter ? res.value.offset + i : m.seq, m));
    set({
      list: { ...now, rows: trimRows(rows, rowKey({ ...now, firstSeq }, lastVisible.start)), firstSeq, total: now.filter ? total : stats.retained },
      stats,
    });
  }

  /** With a filter, main knows how many match; ask for the total a few times a second at most. */
  function scheduleFilteredTail(): void {
    if (filteredTailTimer) return;
    filteredTailTimer = setTimeout(() => {
      filteredTailTimer = undefined;
      void (async () => {
        const { list } = get();
        if (!list.connectionId || !list.filter) return;
        const res = await invoke('mqtt.messages', { connectionId: list.connectionId, offset: 0, limit: 1, filter: list.filter, previewBytes: 16 });
        const now = get().list;
        if (!res.ok || now.connectionId !== list.connectionId || now.generation !== list.generation) return;
        set({ list: { ...now, total: res.value.total } });
        if (now.follow) get().ensureRange(Math.max(0, res.value.total - 60), res.value.total - 1);
      })();
    }, 300);
  }

  return {
    activeId: undefined,
    list: emptyList(undefined, 0),
    stats: undefined,
    skippedInBatches: 0,
    detail: undefined,
    lastClear: undefined,

    select: (connectionId) => {
      const { list } = get();
      set({
        activeId: connectionId,
        list: emptyList(connectionId, list.generation + 1),
        stats: connectionId ? get().connections[connectionId]?.stats : undefined,
        skippedInBatches: 0,
        detail: undefined,
        tree: emptyTree(),
        topicView: undefined,
        decoderRules: [],
      });
      if (!connectionId) return;
      void get().loadDecoderRules();
      void invoke('mqtt.setView', { connectionId, limit: VIEW_LIMIT, paused: false });
      const stats = get().connections[connectionId]?.stats;
      if (stats && stats.retained > 0) {
        set((s) => ({ list: { ...s.list, total: stats.retained, firstSeq: stats.firstSeq } }));
        void fetchPage(Math.max(0, stats.retained - PAGE_SIZE));
      }
    },

    setFilter: (filter) => {
      const { list, activeId, stats } = get();
      const f = hasFilter(filter) ? filter : undefined;
      set({ list: { ...emptyList(activeId, list.generation + 1), filter: f, firstSeq: stats?.firstSeq ?? 0, total: f ? 0 : (stats?.retained ?? 0) } });
      if (!activeId) return;
      if (f) scheduleFilteredTail();
      else if (stats && stats.retained > 0) void fetchPage(Math.max(0, stats.retained - PAGE_SIZE));
    },

    setFollow: (follow) => set((s) => (s.list.follow === follow ? s : { list: { ...s.list, follow } })),

    ensureRange: (start, end) => {
      lastVisible = { start, end };
      const { list } = get();
      if (!list.connectionId || list.total === 0) return;
      const last = Math.min(end, list.total - 1);
      for (let page = Math.floor(Math.max(0, start) / PAGE_SIZE); page * PAGE_SIZE <= last; page++) {
        const from = page * PAGE_SIZE;
        const to = Math.min(from + PAGE_SIZE - 1, last);
        let missing = false;
        for (let i = Math.max(from, start); i <= to; i++) {
          if (!list.rows.has(rowKey(list, i))) {
            missing = true;
            break;
          }
        }
        if (missing) void fetchPage(from);
      }
    },

    clearMessages: async () => {
      const connectionId = get().activeId;
      if (!connectionId) return;
      const count = get().stats?.retained ?? 0;
      const res = await invoke('mqtt.clearMessages', { connectionId });
      if (!res.ok) {
        useToastStore.getState().pushError('The messages were not cleared', res.error);
        return;
      }
      const { list } = get();
      set({
        list: { ...emptyList(connectionId, list.generation + 1), filter: list.filter, firstSeq: res.value.firstSeq },
        stats: res.value,
        skippedInBatches: 0,
        detail: undefined,
        tree: emptyTree(),
        topicView: undefined,
        lastClear: { connectionId, count, until: Date.now() + CLEAR_UNDO_SECONDS * 1000 },
      });
    },

    undoClear: async () => {
      const cleared = get().lastClear;
      set({ lastClear: undefined });
      if (!cleared) return;
      const res = await invoke('mqtt.undoClear', { connectionId: cleared.connectionId });
      if (!res.ok) {
        useToastStore.getState().pushError('The messages could not be brought back', res.error);
        return;
      }
      if (get().activeId !== cleared.connectionId) return;
      const { list } = get();
      set({ list: { ...emptyList(cleared.connectionId, list.generation + 1), filter: list.filter, firstSeq: res.value.firstSeq }, stats: res.value, tree: emptyTree(), topicView: undefined });
      if (list.filter) get().setFilter(list.filter);
      else if (res.value.retained > 0) {
        set((s) => ({ list: { ...s.list, total: res.value.retained } }));
        void fetchPage(Math.max(0, res.value.retained - PAGE_SIZE));
      }
    },

    openMessage: async (seq, format) => {
      const connectionId = get().activeId;
      if (!connectionId) return;
      set({ detail: { seq, loading: true, value: get().detail?.seq === seq ? get().detail?.value : undefined, error: undefined } });
      const res = await invoke('mqtt.message', { connectionId, seq, ...(format ? { format } : {}) });
      if (get().detail?.seq !== seq) return;
      set({ detail: { seq, loading: false, value: res.ok ? res.value : undefined, error: res.ok ? undefined : res.error } });
    },

    closeMessage: () => set({ detail: undefined }),

    onMessages: (batch) => {
      const s = get();
      const c = s.connections[batch.connectionId];
      const patch: Partial<MqttState> = {};
      if (c) patch.connections = { ...s.connections, [batch.connectionId]: { ...c, stats: batch.stats } };
      if (s.activeId !== batch.connectionId) {
        set(patch);
        return;
      }
      patch.stats = batch.stats;
      patch.skippedInBatches = s.skippedInBatches + batch.skipped;
      const list = s.list;
      if (list.filter) {
        set(patch);
        if (batch.arrived > 0) scheduleFilteredTail();
      } else {
        const rows = new Map(list.rows);
        for (const m of batch.messages) rows.set(m.seq, m);
        const next: ListState = { ...list, firstSeq: batch.stats.firstSeq, total: batch.stats.retained, rows };
        next.rows = trimRows(rows, list.follow ? batch.stats.lastSeq : rowKey(next, lastVisible.start));
        patch.list = next;
        set(patch);
      }
      if (batch.arrived > 0) scheduleTreeRefresh(get().refreshTree, get().tree.selected ? get().loadTopic : undefined);
    },
  };
};
