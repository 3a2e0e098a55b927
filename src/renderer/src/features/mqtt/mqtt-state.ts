import type { CallRequest, CallResponse, EventPayload } from '@shared/contract';
import type {
  ConnectionSummaryT,
  DecoderRuleT,
  MessageFilterT,
  MessagePreviewT,
  MessageStatsT,
  MqttProfileInputT,
  MqttProfileSummaryT,
  TopicCheckT,
  TopicHistoryEntryT,
  TopicNodeT,
} from '@shared/contract/mqtt-contract';
import type { ErrorInfo } from '@shared/errors';
import type { MatrixSlice } from './matrix-slice';

// The shape of the MQTT store, types only: the slices implement it and use-mqtt-store combines them, and
// both import this file, so neither imports the other.
export type MqttState = ConnectionsSlice & MessageViewSlice & TopicTreeSlice & MatrixSlice;

export type TopicField = 'publish' | 'subscribe';

export interface VaultCertificateChoice {
  id: string;
  label: string;
  isCa: boolean;
  hasPrivateKey: boolean;
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

export interface TreeState {
  levels: Record<string, TreeLevel>;
  expanded: string[];
  topics: number;
  /** What the tree search looks for; the matching branches come back whole from main. */
  search: string;
  searchResult: { text: string; nodes: TopicNodeT[]; matches: number } | undefined;
  /** The topic shown beside the tree. */
  selected: string | undefined;
}

/** The selected topic's recent messages, decoded in main and fetched through mqtt.topicHistory. */
export interface TopicView {
  topic: string;
  entries: TopicHistoryEntryT[];
  inMemory: number;
  received: number;
  loading: boolean;
  error: ErrorInfo | undefined;
}

/** Saved profiles, open connections, their subscriptions and what the connection form offers. */
export interface ConnectionsSlice {
  profiles: MqttProfileSummaryT[];
  profilesError: ErrorInfo | undefined;
  connections: Record<string, ConnectionSummaryT>;
  /** Connections in the order they were opened. */
  order: string[];
  /** When the next reconnect attempt of a connection starts (ms since epoch), for the countdown. */
  retryAt: Record<string, number>;
  connecting: { label: string; jobId: string | undefined } | undefined;
  connectError: ErrorInfo | undefined;
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
  subscribeTo(filter: string, qos: 0 | 1 | 2, color: string | undefined): Promise<ErrorInfo | undefined>;
  unsubscribe(subscriptionId: string): Promise<void>;
  publish(req: Omit<CallRequest<'mqtt.publish'>, 'connectionId'>): Promise<CallResponse<'mqtt.publish'> | ErrorInfo>;
  validateTopic(field: TopicField, topic: string): Promise<void>;
  importConnections(format: 'mqttx' | 'fieldbench', text: string): Promise<CallResponse<'mqtt.importConnections'> | ErrorInfo>;
  exportConnections(format: 'mqttx' | 'fieldbench'): Promise<CallResponse<'mqtt.exportConnections'> | ErrorInfo>;
  commandLine(profileId: string, tool: 'mosquitto_pub' | 'mosquitto_sub', topic: string): Promise<CallResponse<'mqtt.commandLine'> | ErrorInfo>;
}

/** The active connection's message list (a window onto main's history) and the message in the detail pane. */
export interface MessageViewSlice {
  activeId: string | undefined;
  list: ListState;
  /** Live totals of the active connection (from the last batch or page). */
  stats: MessageStatsT | undefined;
  /** Messages that arrived while nobody could show them in a batch (seen, fetched by paging). */
  skippedInBatches: number;
  detail: Detail | undefined;
  /** The last Clear, while main can still bring its messages back. */
  lastClear: { connectionId: string; count: number; until: number } | undefined;

  select(connectionId: string | undefined): void;
  setFilter(filter: MessageFilterT | undefined): void;
  setFollow(follow: boolean): void;
  /** The list shows rows [start, end]; fetch the pages that are missing. */
  ensureRange(start: number, end: number): void;
  clearMessages(): Promise<void>;
  /** Brings back the messages of the last Clear (main keeps them for CLEAR_UNDO_SECONDS). */
  undoClear(): Promise<void>;
  openMessage(seq: number, format?: CallRequest<'mqtt.message'>['format']): Promise<void>;
  closeMessage(): void;
  /** Takes one live batch from main (the bridge subscription calls this). */
  onMessages(batch: EventPayload<'mqtt.onMessages'>): void;
}

/** The open levels of the active connection's topic tree, the selected topic and the decoder rules. */
export interface TopicTreeSlice {
  tree: TreeState;
  topicView: TopicView | undefined;
  decoderRules: DecoderRuleT[];
  loadTree(prefix: string): Promise<void>;
  toggleTree(prefix: string): void;
  refreshTree(): Promise<void>;
  setTreeSearch(text: string): void;
  selectTopic(topic: string | undefined): void;
  loadTopic(): Promise<void>;
  /** Sets (or with `undefined` removes) the rule for exactly this filter; the others keep their order. */
  setDecoderRule(filter: string, rule: Omit<DecoderRuleT, 'filter'> | undefined): Promise<ErrorInfo | undefined>;
  loadDecoderRules(): Promise<void>;
  loadProto(path: string): Promise<CallResponse<'mqtt.loadProto'> | ErrorInfo>;
  /** Publishes an empty retained message, which makes the broker forget the topic's retained message. */
  clearRetained(topic: string): Promise<ErrorInfo | undefined>;
}
