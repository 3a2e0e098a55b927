import { create } from 'zustand';
import type { CallRequest, CallResponse } from '@shared/contract';
import type {
  ConnectionSummaryT,
  MessageFilterT,
  MessagePreviewT,
  MessageStatsT,
  MqttProfileInputT,
  MqttProfileSummaryT,
  TopicCheckT,
  TopicNodeT,
} from '@shared/contract/mqtt-contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke, subscribe } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import { createMatrixSlice, subscribeMatrixProgress, type MatrixSlice } from './matrix-slice';

// The MQTT area's one store. It holds only what is on screen: connection summaries, the rows of the message
// list that are visible (plus a bounded margin), the open topic-tree levels and the message in the detail
// pane. The full history stays in main and is paged in with mqtt.messages; no password or token is ever here.

/** Rows fetched per mqtt.messages call; the list asks for whole pages around what it shows. */
export const PAGE_SIZE = 200;
/** Most rows kept in the renderer, whatever the number of messages in main. */
export const ROW_CACHE_LIMIT = 3000;
/** Newest previews per live batch: a screenful and then some. */
export const VIEW_LIMIT = 50;

export type TopicField = 'publish' | 'subscribe';

export interface VaultCertificateChoice {
  id: string;
  label: string;
  isCa: boolean;
  hasPrivateKey: boolean;
}

interface CertNode {
  certificate: { id: string; commonName: string; role: string; isCa: boolean; hasPrivateKey: boolean; keyAlgorithm: string; daysLeft: number };
  children: CertNode[];
}

function flattenCertificates(nodes: readonly CertNode[], depth = 0, out: VaultCertificateChoice[] = []): VaultCertificateChoice[] {
  for (const n of nodes) {
    const c = n.certificate;
    out.push({ id: c.id, label: `${'  '.repeat(depth)}${c.commonName} (${c.role}, ${c.keyAlgorithm}${c.daysLeft < 0 ? ', expired' : ''})`, isCa: c.isCa, hasPrivateKey: c.hasPrivateKey });
    flattenCertificates(n.children, depth + 1, out);
  }
  return out;
}

export interface ListState {
  connectionId: string | undefined;
  /** Rows the list can scroll through (everything in main that matches the filter). */
  total: number;
  /**
   * Without a filter a row's key is its seq (row i is seq firstSeq + i, since seqs are contiguous in main's
   * store); with a filter it is its offset among the matching messages.
   */
  rows: Map<number, MessagePreviewT>;
  firstSeq: number;
  filter: MessageFilterT | undefined;
  /** Keeps the newest message in view as messages arrive; off as soon as the person scrolls up. */
  follow: boolean;
  /** Bumped when cached rows are invalid (filter changed, cleared). */
  generation: number;
}

export interface Detail {
  seq: number;
  loading: boolean;
  value: CallResponse<'mqtt.message'> | undefined;
  error: ErrorInfo | undefined;
}

export interface TreeLevel {
  nodes: TopicNodeT[];
  loading: boolean;
}

export interface MqttState extends MatrixSlice {
  profiles: MqttProfileSummaryT[];
  profilesError: ErrorInfo | undefined;
  connections: Record<string, ConnectionSummaryT>;
  /** Connections in the order they were opened. */
  order: string[];
  /** When the next reconnect attempt of a connection starts (ms since epoch), for the countdown. */
  retryAt: Record<string, number>;
  activeId: string | undefined;
  connecting: { label: string; jobId: string | undefined } | undefined;
  connectError: ErrorInfo | undefined;
  list: ListState;
  /** Live totals of the active connection (from the last batch or page). */
  stats: MessageStatsT | undefined;
  /** Messages that arrived while nobody could show them in a batch (seen, fetched by paging). */
  skippedInBatches: number;
  detail: Detail | undefined;
  tree: { levels: Record<string, TreeLevel>; expanded: string[]; topics: number };
  topicChecks: Partial<Record<TopicField, { topic: string; check: TopicCheckT }>>;
  /** Certificates and nodes the connection form offers (summaries only), or why they could not be read. */
  choices: { certificates: VaultCertificateChoice[]; nodes: { id: string; name: string }[]; note: string | undefined } | undefined;

  loadChoices(): Promise<void>;

  loadProfiles(): Promise<void>;
  loadConnections(): Promise<void>;
  saveProfile(profile: MqttProfileInputT, password: string | null | undefined, satToken: string | null | undefined): Promise<CallResponse<'mqtt.saveProfile'> | ErrorInfo>;
  deleteProfile(id: string): Promise<boolean>;
  /** Opens a saved profile (`profileId`) or an unsaved one; the password goes straight into the call. */
  connect(req: { profileId?: string; profile?: MqttProfileInputT; password?: string; satToken?: string }, label: string): Promise<ConnectionSummaryT | ErrorInfo>;
  cancelConnect(): void;
  disconnect(connectionId: string): Promise<void>;
  select(connectionId: string | undefined): void;
  subscribeTo(filter: string, qos: 0 | 1 | 2, color: string | undefined): Promise<ErrorInfo | undefined>;
  unsubscribe(subscriptionId: string): Promise<void>;
  publish(req: Omit<CallRequest<'mqtt.publish'>, 'connectionId'>): Promise<CallResponse<'mqtt.publish'> | ErrorInfo>;
  validateTopic(field: TopicField, topic: string): Promise<void>;
  setFilter(filter: MessageFilterT | undefined): void;
  setFollow(follow: boolean): void;
  /** The list shows rows [start, end]; fetch the pages that are missing. */
  ensureRange(start: number, end: number): void;
  clearMessages(): Promise<void>;
  openMessage(seq: number, format?: CallRequest<'mqtt.message'>['format']): Promise<void>;
  closeMessage(): void;
  loadTree(prefix: string): Promise<void>;
  toggleTree(prefix: string): void;
  refreshTree(): Promise<void>;
  importConnections(format: 'mqttx' | 'fieldbench', text: string): Promise<CallResponse<'mqtt.importConnections'> | ErrorInfo>;
  exportConnections(format: 'mqttx' | 'fieldbench'): Promise<CallResponse<'mqtt.exportConnections'> | ErrorInfo>;
  commandLine(profileId: string, tool: 'mosquitto_pub' | 'mosquitto_sub', topic: string): Promise<CallResponse<'mqtt.commandLine'> | ErrorInfo>;
}

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
let treeTimer: ReturnType<typeof setTimeout> | undefined;
let treeWanted = false;
const topicSeq: Record<TopicField, number> = { publish: 0, subscribe: 0 };

export const useMqttStore = create<MqttState>()((set, get) => {
  const matrixSlice = createMatrixSlice<MqttState>(set, get);
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

  return {
    ...matrixSlice,
    profiles: [],
    profilesError: undefined,
    connections: {},
    order: [],
    retryAt: {},
    activeId: undefined,
    connecting: undefined,
    connectError: undefined,
    list: emptyList(undefined, 0),
    stats: undefined,
    skippedInBatches: 0,
    detail: undefined,
    tree: { levels: {}, expanded: [], topics: 0 },
    topicChecks: {},
    choices: undefined,

    loadChoices: async () => {
      const [certs, nodes] = await Promise.all([invoke('pki.list', {}), invoke('edge.listNodes', {})]);
      set({
        choices: {
          certificates: certs.ok ? flattenCertificates(certs.value.tree as CertNode[]) : [],
          nodes: nodes.ok ? nodes.value.nodes.map((n) => ({ id: n.id, name: n.name })) : [],
          note: certs.ok ? undefined : `Certificates from the vault are not listed: ${certs.error.message}`,
        },
      });
    },

    loadProfiles: async () => {
      const res = await invoke('mqtt.profiles', {});
      if (res.ok) set({ profiles: res.value, profilesError: undefined });
      else set({ profilesError: res.error });
    },

    loadConnections: async () => {
      const res = await invoke('mqtt.connections', {});
      if (!res.ok) return;
      const connections: Record<string, ConnectionSummaryT> = {};
      for (const c of res.value) connections[c.connectionId] = c;
      const order = res.value.map((c) => c.connectionId);
      set({ connections, order });
      const { activeId } = get();
      if (!activeId || !connections[activeId]) get().select(order[0]);
    },

    saveProfile: async (profile, password, satToken) => {
      const res = await invoke('mqtt.saveProfile', { profile, ...(password !== undefined ? { password } : {}), ...(satToken !== undefined ? { satToken } : {}) });
      if (!res.ok) return res.error;
      await get().loadProfiles();
      return res.value;
    },

    deleteProfile: async (id) => {
      const res = await invoke('mqtt.deleteProfile', { id });
      if (!res.ok) {
        useToastStore.getState().pushError('The connection was not deleted', res.error);
        return false;
      }
      await get().loadProfiles();
      return res.value.deleted;
    },

    connect: async (req, label) => {
      set({ connecting: { label, jobId: undefined }, connectError: undefined });
      const res = await useJobsStore.getState().run('mqtt.connect', req, `Connect ${label}`, (jobId) => set({ connecting: { label, jobId } }));
      set({ connecting: undefined });
      if (!res.ok) {
        set({ connectError: res.error });
        return res.error;
      }
      const c = res.value;
      set((s) => ({ connections: { ...s.connections, [c.connectionId]: c }, order: s.order.includes(c.connectionId) ? s.order : [...s.order, c.connectionId] }));
      get().select(c.connectionId);
      return c;
    },

    cancelConnect: () => {
      const jobId = get().connecting?.jobId;
      if (jobId) void useJobsStore.getState().cancel(jobId);
    },

    disconnect: async (connectionId) => {
      const res = await invoke('mqtt.disconnect', { connectionId });
      if (!res.ok && res.error.code !== 'mqtt.unknownConnection') {
        useToastStore.getState().pushError('The connection did not close cleanly', res.error);
      }
      set((s) => {
        const { [connectionId]: _gone, ...connections } = s.connections;
        return { connections, order: s.order.filter((id) => id !== connectionId) };
      });
      if (get().activeId === connectionId) get().select(get().order[0]);
    },

    select: (connectionId) => {
      const { list } = get();
      set({
        activeId: connectionId,
        list: emptyList(connectionId, list.generation + 1),
        stats: connectionId ? get().connections[connectionId]?.stats : undefined,
        skippedInBatches: 0,
        detail: undefined,
        tree: { levels: {}, expanded: [], topics: 0 },
      });
      if (!connectionId) return;
      void invoke('mqtt.setView', { connectionId, limit: VIEW_LIMIT, paused: false });
      const stats = get().connections[connectionId]?.stats;
      if (stats && stats.retained > 0) {
        set((s) => ({ list: { ...s.list, total: stats.retained, firstSeq: stats.firstSeq } }));
        void fetchPage(Math.max(0, stats.retained - PAGE_SIZE));
      }
    },

    subscribeTo: async (filter, qos, color) => {
      const connectionId = get().activeId;
      if (!connectionId) return { code: 'mqtt.noConnection', message: 'Connect to a broker first.' };
      const res = await invoke('mqtt.subscribe', { connectionId, filter, qos, ...(color ? { color } : {}) });
      if (!res.ok) return res.error;
      const sub = res.value;
      set((s) => {
        const c = s.connections[connectionId];
        if (!c) return s;
        const subscriptions = [...c.subscriptions.filter((x) => x.id !== sub.id), sub];
        return { connections: { ...s.connections, [connectionId]: { ...c, subscriptions } } };
      });
      return undefined;
    },

    unsubscribe: async (subscriptionId) => {
      const connectionId = get().activeId;
      if (!connectionId) return;
      const res = await invoke('mqtt.unsubscribe', { connectionId, subscriptionId });
      if (!res.ok) {
        useToastStore.getState().pushError('The subscription was not removed', res.error);
        return;
      }
      set((s) => {
        const c = s.connections[connectionId];
        if (!c) return s;
        return { connections: { ...s.connections, [connectionId]: { ...c, subscriptions: c.subscriptions.filter((x) => x.id !== subscriptionId) } } };
      });
    },

    publish: async (req) => {
      const connectionId = get().activeId;
      if (!connectionId) return { code: 'mqtt.noConnection', message: 'Connect to a broker first.' };
      const res = await invoke('mqtt.publish', { connectionId, ...req });
      return res.ok ? res.value : res.error;
    },

    validateTopic: async (field, topic) => {
      const mine = ++topicSeq[field];
      if (topic === '') {
        set((s) => ({ topicChecks: { ...s.topicChecks, [field]: undefined } }));
        return;
      }
      const res = await invoke('mqtt.validateTopic', { topic, kind: field === 'publish' ? 'name' : 'filter' });
      // Only the answer for the latest keystroke counts.
      if (mine !== topicSeq[field] || !res.ok) return;
      set((s) => ({ topicChecks: { ...s.topicChecks, [field]: { topic, check: res.value } } }));
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
      const res = await invoke('mqtt.clearMessages', { connectionId });
      if (!res.ok) {
        useToastStore.getState().pushError('The messages were not cleared', res.error);
        return;
      }
      const { list } = get();
      set({ list: { ...emptyList(connectionId, list.generation + 1), filter: list.filter, firstSeq: res.value.firstSeq }, stats: res.value, skippedInBatches: 0, detail: undefined, tree: { levels: {}, expanded: [], topics: 0 } });
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

    importConnections: async (format, text) => {
      const res = await invoke('mqtt.importConnections', { format, text });
      if (!res.ok) return res.error;
      await get().loadProfiles();
      return res.value;
    },

    exportConnections: async (format) => {
      const res = await invoke('mqtt.exportConnections', { format, includeKeys: false });
      return res.ok ? res.value : res.error;
    },

    commandLine: async (profileId, tool, topic) => {
      const res = await invoke('mqtt.commandLine', { profileId, tool, topic, includeKey: false });
      return res.ok ? res.value : res.error;
    },
  };
});

/** The topic tree stops refreshing when its tab is not shown. */
export function stopTreeRefresh(): void {
  treeWanted = false;
}

function scheduleTreeRefresh(): void {
  if (!treeWanted || treeTimer) return;
  // The tree changes with every message; once a second is what a person can read.
  treeTimer = setTimeout(() => {
    treeTimer = undefined;
    if (treeWanted) void useMqttStore.getState().refreshTree();
  }, 1000);
}

/** True when `x` is an error rather than a value (the store's actions return one or the other). */
export function isError(x: unknown): x is ErrorInfo {
  return typeof x === 'object' && x !== null && 'code' in x && 'message' in x && !('connectionId' in x);
}

subscribeMatrixProgress(useMqttStore);

subscribe('mqtt.onProfiles', ({ profiles }) => useMqttStore.setState({ profiles }));

subscribe('mqtt.onState', (c) => {
  useMqttStore.setState((s) => {
    const closed = c.state === 'disconnected' && !s.connections[c.connectionId];
    if (closed) return s;
    const order = s.order.includes(c.connectionId) ? s.order : [...s.order, c.connectionId];
    const retryAt = { ...s.retryAt };
    if (c.state === 'reconnecting' && c.nextRetryInMs !== undefined) retryAt[c.connectionId] = Date.now() + c.nextRetryInMs;
    else delete retryAt[c.connectionId];
    return { connections: { ...s.connections, [c.connectionId]: c }, order, retryAt, ...(s.activeId === c.connectionId ? { stats: c.stats } : {}) };
  });
});

subscribe('mqtt.onMessages', (batch) => {
  const s = useMqttStore.getState();
  const c = s.connections[batch.connectionId];
  const patch: Partial<MqttState> = {};
  if (c) patch.connections = { ...s.connections, [batch.connectionId]: { ...c, stats: batch.stats } };
  if (s.activeId !== batch.connectionId) {
    useMqttStore.setState(patch);
    return;
  }
  patch.stats = batch.stats;
  patch.skippedInBatches = s.skippedInBatches + batch.skipped;
  const list = s.list;
  if (list.filter) {
    useMqttStore.setState(patch);
    if (batch.arrived > 0) scheduleFilteredTail();
  } else {
    const rows = new Map(list.rows);
    for (const m of batch.messages) rows.set(m.seq, m);
    const next: ListState = { ...list, firstSeq: batch.stats.firstSeq, total: batch.stats.retained, rows };
    next.rows = trimRows(rows, list.follow ? batch.stats.lastSeq : rowKey(next, lastVisible.start));
    patch.list = next;
    useMqttStore.setState(patch);
  }
  if (batch.arrived > 0) scheduleTreeRefresh();
});

/** With a filter, main knows how many match; ask for the total a few times a second at most. */
function scheduleFilteredTail(): void {
  if (filteredTailTimer) return;
  filteredTailTimer = setTimeout(() => {
    filteredTailTimer = undefined;
    void (async () => {
      const { list } = useMqttStore.getState();
      if (!list.connectionId || !list.filter) return;
      const res = await invoke('mqtt.messages', { connectionId: list.connectionId, offset: 0, limit: 1, filter: list.filter, previewBytes: 16 });
      const now = useMqttStore.getState().list;
      if (!res.ok || now.connectionId !== list.connectionId || now.generation !== list.generation) return;
      useMqttStore.setState({ list: { ...now, total: res.value.total } });
      if (now.follow) useMqttStore.getState().ensureRange(Math.max(0, res.value.total - 60), res.value.total - 1);
    })();
  }, 300);
}
