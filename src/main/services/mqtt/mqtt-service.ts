import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FieldbenchError } from '@shared/errors';
import { CLEAR_UNDO_SECONDS } from '@shared/contract/mqtt-contract';
import type {
  CommandLineResultT,
  ConnectionSummaryT,
  DecodedPayloadT,
  DecoderRuleT,
  MessageFilterT,
  MessagePreviewT,
  MessageStatsT,
  MqttProfileInputT,
  MqttProfileSummaryT,
  PayloadInputT,
  PublishPropertiesT,
  SubscriptionSummaryT,
  TopicCheckT,
  TopicHistoryEntryT,
  TopicNodeT,
} from '@shared/contract/mqtt-contract';
import type { VaultStore } from '../vault';
import { MqttConnection } from './mqtt-connection';
import { MessageStore, type StoreFilter, type StoredMessage } from './message-store';
import { MqttProfileStore, usesTls, type SecretUpdate, type StoredProfile } from './mqtt-profiles';
import { decodePayload, encodePayload, naturalFormat, previewPayload } from './payload-codec';
import { assertTopicFilter, isSystemTopic, topicFilterProblem, topicNameProblem } from './mqtt-topics';
import { resolveSatToken, resolveTls, type SatTokenProvider, type TlsMaterialSource } from './tls-material';
import { buildTopicTree } from './topic-tree';
import { DecoderRules } from './decoder-rules';
import { ProtoCache, summarise } from './payload-decoders';
import { fromFieldbench, fromMqttx, toFieldbench } from './connection-interop';
import { PUBLIC_MODE, SECRET_MODE, mosquittoCommand, openOwnFolder, toMqttx, writeOnce, type CommandFile, type ProfileFiles } from '../exports';
import { resolveByName, type NameKind } from '../app';

/** A batch of new messages for the live view (the payload of mqtt.onMessages). */
export interface MessageBatch {
  connectionId: string;
  messages: MessagePreviewT[];
  arrived: number;
  skipped: number;
  stats: MessageStatsT;
}

/** How the service talks to whoever shows its state; the area binds these to the event hub. */
export interface MqttServiceEvents {
  state?(summary: ConnectionSummaryT): void;
  messages?(batch: MessageBatch): void;
  profiles?(profiles: MqttProfileSummaryT[]): void;
  /** Whether anyone listens for message batches; when nobody does, batches are not even built. */
  wantsMessages?(): boolean;
}

export interface MqttServiceOptions {
  vault: VaultStore;
  /** Certificates and keys from the vault for TLS (PkiService fits). */
  pki?: TlsMaterialSource | undefined;
  /** Mints K8S-SAT tokens through a node's TokenRequest; provided by the edge area later. */
  satTokens?: SatTokenProvider | undefined;
  events?: MqttServiceEvents;
  /** Where spill files go (one per connection). Default: no spill even when a profile asks for it. */
  spillDir?: string | undefined;
  /** Batch interval of mqtt.onMessages. */
  batchIntervalMs?: number;
}

interface View {
  limit: number;
  filter: MessageFilterT | undefined;
  paused: boolean;
  lastSeq: number;
  lastEmit: number;
  lastRate: number;
}

export interface ConnectRequest {
  profileId?: string | undefined;
  profile?: MqttProfileInputT | undefined;
  password?: string | undefined;
  satToken?: string | undefined;
}

/**
 * The MQTT workbench in main: saved profiles (vault section 'mqtt'), live connections with their bounded
 * message stores, batched delivery to the renderer, paging, the topic tree, and interop with MQTTX and
 * the mosquitto clients. The renderer never holds a client or key material; it sees summaries.
 */
export class MqttService {
  readonly profiles: MqttProfileStore;
  private readonly connections = new Map<string, MqttConnection>();
  private readonly views = new Map<string, View>();
  private readonly decoders = new Map<string, DecoderRules>();
  private readonly protos = new ProtoCache();
  private readonly pki: TlsMaterialSource | undefined;
  private satTokens: SatTokenProvider | undefined;
  private readonly events: MqttServiceEvents;
  private readonly spillDir: string | undefined;
  private readonly batchIntervalMs: number;
  private batchTimer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(options: MqttServiceOptions) {
    this.profiles = new MqttProfileStore(options.vault);
    this.pki = options.pki;
    this.satTokens = options.satTokens;
    this.events = options.events ?? {};
    this.spillDir = options.spillDir;
    this.batchIntervalMs = options.batchIntervalMs ?? 75;
  }

  /** Lets the edge area plug in TokenRequest-based K8S-SAT tokens once it exists. */
  setSatTokenProvider(provider: SatTokenProvider | undefined): void {
    this.satTokens = provider;
  }

  /** The current K8S-SAT token provider (the listener matrix mints its tokens through the same one). */
  get satTokenProvider(): SatTokenProvider | undefined {
    return this.satTokens;
  }

  // --- profiles -----------------------------------------------------------------------------------------

  listProfiles(): MqttProfileSummaryT[] {
    return this.profiles.list();
  }

  /** The saved connection a person means by `ref`: its id or its name (see resolveByName). */
  resolveProfile(ref: string): MqttProfileSummaryT {
    return resolveByName(this.profiles.list(), ref, PROFILE_NAMES);
  }

  async saveProfile(profile: MqttProfileInputT, password?: SecretUpdate, satToken?: SecretUpdate): Promise<MqttProfileSummaryT> {
    checkProfile(profile);
    const saved = await this.profiles.save(profile, password, satToken);
    this.events.profiles?.(this.profiles.list());
    return saved;
  }

  async deleteProfile(id: string): Promise<boolean> {
    const deleted = await this.profiles.remove(id);
    if (deleted) this.events.profiles?.(this.profiles.list());
    return deleted;
  }

  // --- connections --------------------------------------------------------------------------------------

  /** Opens a connection; resolves when the broker accepted it, rejects with a diagnosed sentence. */
  async connect(req: ConnectRequest, op: { signal?: AbortSignal; progress?: (message: string) => void } = {}): Promise<ConnectionSummaryT> {
    let profile: MqttProfileInputT;
    let profileId: string | undefined;
    let secrets: { password?: string; satToken?: string };
    if (req.profileId !== undefined) {
      profile = this.profiles.get(req.profileId);
      profileId = req.profileId;
      secrets = this.profiles.secretsOf(req.profileId);
    } else if (req.profile) {
      profile = req.profile;
      secrets = {};
    } else {
      throw new FieldbenchError('mqtt.badRequest', 'Say which connection to open: a saved profile or a new one.');
    }
    if (req.password !== undefined) secrets.password = req.password;
    if (req.satToken !== undefined) secrets.satToken = req.satToken;
    checkProfile(profile);
    op.progress?.(`Preparing ${usesTls(profile) ? 'TLS material for ' : ''}${profile.host}:${profile.port}…`);
    const tls = usesTls(profile) ? await resolveTls(profile, this.pki) : { caDescription: "the system's public CAs" };
    const auth = profile.auth;
    const id = `c-${randomBytes(5).toString('hex')}`;
    const spillFile = profile.store.spillToDisk && this.spillDir ? join(this.spillDir, `${id}.ndjson`) : undefined;
    if (spillFile) mkdirSync(this.spillDir!, { recursive: true, mode: 0o700 });
    const store = new MessageStore({ maxMessages: profile.store.maxMessages, maxBytes: profile.store.maxBytes, ...(spillFile ? { spillFile } : {}) });
    const connection = new MqttConnection({
      id,
      name: profile.name,
      profileId,
      profile,
      material: {
        tls,
        password: secrets.password,
        satToken: auth.method === 'K8S-SAT' ? () => resolveSatToken(auth.token, secrets, this.satTokens, op.signal) : undefined,
      },
      store,
      onChange: (c) => {
        if (this.connections.has(c.id)) this.events.state?.(c.summary());
      },
      onMessages: () => this.scheduleBatch(),
    });
    op.progress?.(`Connecting to ${profile.host}:${profile.port}…`);
    await connection.open(op.signal);
    this.connections.set(id, connection);
    this.views.set(id, { limit: 100, filter: undefined, paused: false, lastSeq: store.lastSeq, lastEmit: 0, lastRate: 0 });
    this.events.state?.(connection.summary());
    return connection.summary();
  }

  async disconnect(connectionId: string): Promise<ConnectionSummaryT> {
    const c = this.connection(connectionId);
    await c.close();
    const summary = c.summary();
    this.connections.delete(connectionId);
    this.views.delete(connectionId);
    this.decoders.delete(connectionId);
    this.events.state?.(summary);
    return summary;
  }

  listConnections(): ConnectionSummaryT[] {
    return [...this.connections.values()].map((c) => c.summary());
  }

  /** The live connection; throws 'mqtt.unknownConnection' when it is gone. */
  connection(connectionId: string): MqttConnection {
    const c = this.connections.get(connectionId);
    if (!c) throw new FieldbenchError('mqtt.unknownConnection', `There is no open MQTT connection ${connectionId}. It was closed; connect again.`);
    return c;
  }

  async publish(req: {
    connectionId: string;
    topic: string;
    payload: PayloadInputT;
    qos: 0 | 1 | 2;
    retain: boolean;
    properties?: PublishPropertiesT | undefined;
  }): Promise<{ bytes: number; messageId?: number; reasonCode?: number; warnings: string[] }> {
    const c = this.connection(req.connectionId);
    return c.publish(req.topic, encodePayload(req.payload), req.qos, req.retain, req.properties);
  }

  subscribe(req: {
    connectionId: string;
    filter: string;
    qos: 0 | 1 | 2;
    color?: string | undefined;
    noLocal?: boolean | undefined;
    retainAsPublished?: boolean | undefined;
    retainHandling?: 0 | 1 | 2 | undefined;
  }): Promise<SubscriptionSummaryT> {
    const c = this.connection(req.connectionId);
    const opts: { noLocal?: boolean; retainAsPublished?: boolean; retainHandling?: 0 | 1 | 2 } = {};
    if (req.noLocal !== undefined) opts.noLocal = req.noLocal;
    if (req.retainAsPublished !== undefined) opts.retainAsPublished = req.retainAsPublished;
    if (req.retainHandling !== undefined) opts.retainHandling = req.retainHandling;
    return c.subscribe(req.filter, req.qos, req.color, opts);
  }

  unsubscribe(connectionId: string, subscriptionId: string): Promise<boolean> {
    return this.connection(connectionId).unsubscribe(subscriptionId);
  }

  // --- messages -----------------------------------------------------------------------------------------

  setView(connectionId: string, view: { limit: number; filter?: MessageFilterT | undefined; paused: boolean }): { connectionId: string; limit: number; paused: boolean } {
    const c = this.connection(connectionId);
    if (view.filter?.topic !== undefined) assertTopicFilter(view.filter.topic);
    const v = this.views.get(connectionId)!;
    v.limit = view.limit;
    v.filter = view.filter;
    v.paused = view.paused;
    v.lastSeq = Math.max(v.lastSeq, c.store.firstSeq - 1);
    return { connectionId, limit: v.limit, paused: v.paused };
  }

  messages(req: { connectionId: string; offset: number; afterSeq?: number | undefined; limit: number; filter?: MessageFilterT | undefined; previewBytes: number }): {
    total: number;
    offset: number;
    messages: MessagePreviewT[];
    stats: MessageStatsT;
  } {
    const c = this.connection(req.connectionId);
    const filter = this.storeFilter(c, req.filter);
    const page =
      req.afterSeq !== undefined
        ? c.store.pageAfter(req.afterSeq, req.limit, filter)
        : { offset: req.offset, messages: c.store.page(req.offset, req.limit, filter) };
    return {
      total: c.store.countMatching(filter),
      offset: page.offset,
      messages: page.messages.map((m) => this.preview(c, m, req.previewBytes)),
      stats: c.store.stats(),
    };
  }

  message(req: { connectionId: string; seq: number; format?: PayloadInputT['format'] | undefined }): {
    message: MessagePreviewT;
    format: PayloadInputT['format'];
    value: string;
    jsonError?: string;
    decoded: DecodedPayloadT;
  } {
    const c = this.connection(req.connectionId);
    const m = c.store.get(req.seq);
    if (!m) {
      throw new FieldbenchError(
        'mqtt.messageGone',
        `Message ${req.seq} is no longer in memory: older messages leave when the connection's limits are reached. Raise the limits or turn on spill to disk to keep more.`,
      );
    }
    const format = req.format ?? naturalFormat(m.payload);
    return { message: this.preview(c, m, 512), format, ...decodePayload(m.payload, format), decoded: this.decode(c, m.topic, m.payload) };
  }

  topicTree(req: { connectionId: string; prefix?: string | undefined; depth: number; search?: string | undefined }): { nodes: TopicNodeT[]; topics: number; matches?: number } {
    const c = this.connection(req.connectionId);
    const rules = this.decoderRules(c.id);
    const summary = (topic: string, payload: Uint8Array) => (rules.addsReading(topic) ? summarise(this.decode(c, topic, payload)) : undefined);
    if (req.search === undefined) return { nodes: buildTopicTree(c.store, req.prefix, req.depth, 256, undefined, summary), topics: c.store.topicCount() };
    const search: { text: string; limit: number; matches?: number } = { text: req.search, limit: TREE_SEARCH_LIMIT };
    const nodes = buildTopicTree(c.store, req.prefix, 32, 256, search, summary);
    return { nodes, topics: c.store.topicCount(), matches: search.matches ?? 0 };
  }

  /** The newest messages of one topic still in memory, oldest first, each through the topic's decoder. */
  topicHistory(req: { connectionId: string; topic: string; limit: number }): { topic: string; inMemory: number; received: number; entries: TopicHistoryEntryT[] } {
    const c = this.connection(req.connectionId);
    const e = c.store.topicEntry(req.topic);
    const entries = c.store.history(req.topic, req.limit).map((m) => ({ seq: m.seq, receivedAt: m.receivedAt, size: m.payload.length, qos: m.qos, retain: m.retain, decoded: this.decode(c, m.topic, m.payload) }));
    return { topic: req.topic, inMemory: e?.inMemory ?? 0, received: e?.count ?? 0, entries };
  }

  /** Replaces a connection's decoder rules (first match wins). */
  setDecoders(connectionId: string, rules: DecoderRuleT[]): { rules: DecoderRuleT[] } {
    this.connection(connectionId);
    return { rules: this.decoderRules(connectionId).set(rules) };
  }

  decoderList(connectionId: string): { rules: DecoderRuleT[] } {
    this.connection(connectionId);
    return { rules: this.decoderRules(connectionId).list() };
  }

  /** Reads a .proto file the person chose and lists its message types. */
  loadProto(path: string): { path: string; messageTypes: string[] } {
    return { path, messageTypes: this.protos.load(path).types };
  }

  clearMessages(connectionId: string): MessageStatsT {
    const c = this.connection(connectionId);
    c.store.clear(CLEAR_UNDO_SECONDS * 1000);
    const v = this.views.get(connectionId);
    if (v) v.lastSeq = c.store.lastSeq;
    return c.store.stats();
  }

  /** Brings back what the last clear hid (and keeps what arrived since); refuses once the window has passed. */
  undoClear(connectionId: string): MessageStatsT {
    const c = this.connection(connectionId);
    if (!c.store.undoClear()) {
      throw new FieldbenchError('mqtt.undoExpired', `The cleared messages are gone: they are kept for ${CLEAR_UNDO_SECONDS} s after Clear. New messages keep arriving as usual.`);
    }
    const v = this.views.get(connectionId);
    if (v) v.lastSeq = c.store.lastSeq;
    return c.store.stats();
  }

  validateTopic(topic: string, kind: 'name' | 'filter'): TopicCheckT {
    const p = kind === 'name' ? topicNameProblem(topic) : topicFilterProblem(topic);
    return p ? { valid: false, rule: p.rule, message: p.message } : { valid: true };
  }

  // --- interop ------------------------------------------------------------------------------------------

  async importConnections(format: 'mqttx' | 'fieldbench', text: string): Promise<{ imported: MqttProfileSummaryT[]; skipped: { index: number; reason: string }[] }> {
    const outcome = format === 'mqttx' ? fromMqttx(text) : fromFieldbench(text);
    const imported = outcome.profiles.length ? await this.profiles.saveMany(outcome.profiles) : [];
    if (imported.length) this.events.profiles?.(this.profiles.list());
    return { imported, skipped: outcome.skipped };
  }

  exportConnections(req: { format: 'mqttx' | 'fieldbench'; profileIds?: string[] | undefined; filesDir?: string | undefined; includeKeys: boolean }): {
    text: string;
    files: string[];
    notes: string[];
  } {
    const ids = req.profileIds ?? this.profiles.list().map((p) => p.id);
    const profiles = ids.map((id) => this.profiles.get(id));
    const notes: string[] = ['Passwords and tokens are not exported; enter them again after importing.'];
    if (req.format === 'fieldbench') {
      return { text: toFieldbench(profiles), files: [], notes };
    }
    const written: string[] = [];
    const records = profiles.map((p) => {
      const files = this.profileFiles(p, req.filesDir, req.includeKeys, notes);
      for (const f of files) if (f.written) written.push(f.path);
      const pf: ProfileFiles = { ca: '', cert: '', key: '' };
      // MQTTX needs real paths or nothing: placeholders would break its import, so they become "".
      for (const f of files) if (!f.path.startsWith('<')) pf[f.role] = f.path;
      return toMqttx(p, pf, notes);
    });
    return { text: `${JSON.stringify(records, null, 2)}\n`, files: written, notes };
  }

  commandLine(req: {
    profileId: string;
    tool: 'mosquitto_pub' | 'mosquitto_sub';
    topic: string;
    message?: string | undefined;
    qos?: 0 | 1 | 2 | undefined;
    retain?: boolean | undefined;
    filesDir?: string | undefined;
    includeKey: boolean;
  }): CommandLineResultT {
    const p = this.profiles.get(req.profileId);
    const problem = req.tool === 'mosquitto_pub' ? topicNameProblem(req.topic) : topicFilterProblem(req.topic);
    if (problem) throw new FieldbenchError(req.tool === 'mosquitto_pub' ? 'mqtt.invalidTopic' : 'mqtt.invalidFilter', problem.message, { detail: `rule: ${problem.rule}` });
    const notes: string[] = [];
    const files = this.profileFiles(p, req.filesDir, req.includeKey, notes);
    const result = mosquittoCommand(p, { tool: req.tool, topic: req.topic, message: req.message, qos: req.qos, retain: req.retain }, files, this.profiles.secretsOf(p.id).password !== undefined);
    return { ...result, notes: [...notes, ...result.notes] };
  }

  /** Closes every connection (app shutdown). */
  async dispose(): Promise<void> {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    if (this.trailing) clearTimeout(this.trailing);
    this.batchTimer = undefined;
    this.trailing = undefined;
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.connections.clear();
    this.views.clear();
  }

  // --- internals ----------------------------------------------------------------------------------------

  /**
   * Files for a profile's TLS material: file-sourced paths as they are; vault certificates written into
   * `dir` when given (the key only with `includeKey`, mode 0600), else placeholders like <ca.pem>.
   */
  private profileFiles(p: StoredProfile, dir: string | undefined, includeKey: boolean, notes: string[]): CommandFile[] {
    if (!usesTls(p) || !p.tls) return [];
    const files: CommandFile[] = [];
    const base = `${p.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'connection'}`;
    // Exclusive creates only: a file or link someone else prepared under one of these names is refused, never followed.
    const folder = dir ? openOwnFolder(dir) : undefined;
    const write = (role: CommandFile['role'], name: string, content: () => string, mode: number): void => {
      if (!folder) {
        files.push({ role, path: `<${name}>`, written: false });
        return;
      }
      const { path } = writeOnce(folder, name, content(), mode);
      files.push({ role, path, written: true });
    };
    const ca = p.tls.ca;
    if (ca.source === 'file') files.push({ role: 'ca', path: ca.path, written: false });
    else if (ca.source === 'vault') write('ca', `${base}-ca.pem`, () => this.needPki().exportCertificatePem(ca.certificateId, { chain: 'full' }), PUBLIC_MODE);
    const cc = p.tls.clientCertificate;
    if (cc?.source === 'file') {
      files.push({ role: 'cert', path: cc.certPath, written: false }, { role: 'key', path: cc.keyPath, written: false });
    } else if (cc?.source === 'vault') {
      write('cert', `${base}-client.pem`, () => this.needPki().exportCertificatePem(cc.certificateId, { chain: 'chain' }), PUBLIC_MODE);
      if (includeKey) write('key', `${base}-client.key`, () => this.needPki().exportKey(cc.certificateId), SECRET_MODE);
      else {
        files.push({ role: 'key', path: `<${base}-client.key>`, written: false });
        notes.push('The client key stays in the vault unless you confirm exporting it.');
      }
    }
    return files;
  }

  private decoderRules(connectionId: string): DecoderRules {
    let d = this.decoders.get(connectionId);
    if (!d) this.decoders.set(connectionId, (d = new DecoderRules(this.protos)));
    return d;
  }

  private decode(c: MqttConnection, topic: string, payload: Uint8Array): DecodedPayloadT {
    return this.decoderRules(c.id).decode(topic, payload, (t) => {
      const e = c.store.topicEntry(t);
      return e ? { seq: e.lastSeq, payload: c.store.latestPayload(e) } : undefined;
    });
  }

  private needPki(): TlsMaterialSource {
    if (!this.pki) throw new FieldbenchError('mqtt.noPki', 'The certificate store is not available. Unlock the vault and try again.');
    return this.pki;
  }

  private storeFilter(c: MqttConnection, f: MessageFilterT | undefined): StoreFilter | undefined {
    if (!f) return undefined;
    if (f.topic !== undefined) assertTopicFilter(f.topic);
    const out: StoreFilter = {};
    if (f.topic !== undefined) out.topic = f.topic;
    if (f.text !== undefined) out.text = f.text;
    if (f.subscriptionId !== undefined) out.subIndex = c.subscriptionIndexOf(f.subscriptionId) ?? -2;
    return out;
  }

  private preview(c: MqttConnection, m: StoredMessage, previewBytes: number): MessagePreviewT {
    const subId = m.subIndex >= 0 ? c.subscriptionIdOf(m.subIndex) : undefined;
    const colour = m.subIndex >= 0 ? c.subscriptionColourOf(m.subIndex) : undefined;
    return {
      seq: m.seq,
      receivedAt: m.receivedAt,
      topic: m.topic,
      qos: m.qos,
      retain: m.retain,
      size: m.payload.length,
      payload: previewPayload(m.payload, previewBytes),
      ...(subId ? { subscriptionId: subId } : {}),
      ...(colour ? { color: colour } : {}),
      system: isSystemTopic(m.topic),
      ...(m.properties ? { properties: m.properties } : {}),
      // Only topics a decoder reads differently (Sparkplug B, CBOR, protobuf) pay for decoding here.
      ...(this.decoderRules(c.id).addsReading(m.topic) ? { decoded: summarise(this.decode(c, m.topic, m.payload)) } : {}),
    };
  }

  private scheduleBatch(): void {
    if (this.pending) return;
    this.pending = true;
    this.batchTimer = setTimeout(() => {
      this.pending = false;
      this.batchTimer = undefined;
      this.flushBatches();
    }, this.batchIntervalMs);
    this.batchTimer.unref?.();
  }

  private flushBatches(): void {
    if (!this.events.messages || (this.events.wantsMessages && !this.events.wantsMessages())) {
      for (const [id, v] of this.views) v.lastSeq = this.connections.get(id)?.store.lastSeq ?? v.lastSeq;
      return;
    }
    const now = Date.now();
    let more = false;
    for (const [id, c] of this.connections) {
      const v = this.views.get(id);
      if (!v) continue;
      const last = c.store.lastSeq;
      const arrived = last - v.lastSeq;
      if (arrived <= 0) continue;
      const messages = v.paused || v.limit === 0 ? [] : c.store.newest(v.lastSeq, v.limit, this.storeFilter(c, v.filter)).map((m) => this.preview(c, m, 512));
      v.lastSeq = last;
      v.lastEmit = now;
      const stats = c.store.stats(now);
      v.lastRate = stats.ratePerSecond;
      this.events.messages({ connectionId: id, messages, arrived, skipped: arrived - messages.length, stats });
      more = true;
    }
    // One more tick after a burst so the rate shown drops back to zero instead of freezing.
    if (more) this.scheduleTrailing();
  }

  private trailing: NodeJS.Timeout | undefined;

  private scheduleTrailing(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      if (!this.events.messages) return;
      for (const [id, c] of this.connections) {
        const v = this.views.get(id);
        if (!v || v.lastRate === 0 || c.store.lastSeq !== v.lastSeq) continue;
        const stats = c.store.stats();
        v.lastRate = stats.ratePerSecond;
        this.events.messages({ connectionId: id, messages: [], arrived: 0, skipped: 0, stats });
      }
    }, 1200);
    this.trailing.unref?.();
  }
}

/** Most topics a tree search returns (the count says how many matched in all). */
const TREE_SEARCH_LIMIT = 500;

function checkProfile(p: MqttProfileInputT): void {
  if (p.reconnect.maxDelayMs < p.reconnect.minDelayMs) {
    throw new FieldbenchError('mqtt.badProfile', 'The longest reconnect delay is shorter than the shortest. Make the maximum at least the minimum.');
  }
  if (p.auth.method === 'K8S-SAT' && p.mqttVersion !== '5.0') {
    throw new FieldbenchError('mqtt.satNeedsV5', 'K8S-SAT authentication is an MQTT 5 feature. Switch the connection to MQTT 5.');
  }
  if (p.auth.method === 'K8S-SAT' && !usesTls(p)) {
    // The token is a bearer credential: sending it in clear text hands it to anyone on the network.
    throw new FieldbenchError('mqtt.satNeedsTls', 'K8S-SAT sends a service account token; use it only over TLS (mqtts or wss).');
  }
  for (const s of p.subscriptions) assertTopicFilter(s.filter);
}

const PROFILE_NAMES: NameKind<MqttProfileSummaryT> = {
  singular: 'saved MQTT connection',
  plural: 'saved connections',
  listHint: '`fieldbench mqtt connections list`',
  name: (p) => p.name,
  detail: (p) => p.url,
};
