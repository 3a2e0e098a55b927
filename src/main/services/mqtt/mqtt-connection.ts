import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import mqtt from 'mqtt';
import type { IClientOptions, IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import { FieldbenchError, type ErrorInfo } from '@shared/errors';
import type {
  ConnectionSummaryT,
  MqttProfileInputT,
  PublishPropertiesT,
  ReceivedPropertiesT,
  SubscriptionSummaryT,
} from '@shared/contract/mqtt-contract';
import { diagnoseConnectError, explainConnectFailure, isVerificationFailure, presentedChain, probePresentedChain, type ConnectContext, type PresentedCertificate } from './connect-diagnosis';
import type { MessageStore } from './message-store';
import { encodePayload } from './payload-codec';
import { profileUrl, isInsecure, usesTls } from './mqtt-profiles';
import { assertTopicFilter, assertTopicName, topicMatches } from './mqtt-topics';
import type { ResolvedTls } from './tls-material';

type Qos = 0 | 1 | 2;
type State = ConnectionSummaryT['state'];

/** Colours handed to subscriptions that did not choose one, in order. */
export const SUBSCRIPTION_COLOURS = ['#2f80ed', '#27ae60', '#eb5757', '#f2994a', '#9b51e0', '#00a3a3', '#d6336c', '#8d6e63'];

export interface ConnectMaterial {
  tls: ResolvedTls;
  password?: string | undefined;
  /** Called at every attempt: service account tokens expire, so reconnects fetch a fresh one. */
  satToken?: (() => Promise<string>) | undefined;
}

export interface MqttConnectionOptions {
  id: string;
  name: string;
  profileId?: string | undefined;
  profile: MqttProfileInputT;
  material: ConnectMaterial;
  store: MessageStore;
  /** Any state or subscription change; the service turns it into mqtt.onState. */
  onChange(connection: MqttConnection): void;
  /** New messages arrived (the service batches them). */
  onMessages?(): void;
}

interface Subscription {
  id: string;
  index: number;
  filter: string;
  qos: Qos;
  color: string;
  state: SubscriptionSummaryT['state'];
  grantedQos?: Qos | undefined;
  error?: ErrorInfo | undefined;
  options: { nl?: boolean; rap?: boolean; rh?: number };
}

/**
 * mqtt.js closes its packet stores when a client ends; these outlive each attempt's client so QoS 1/2
 * messages in flight are sent again after a reconnect. They are released with the connection.
 */
class LastingStore extends mqtt.Store {
  override close(cb?: () => void): void {
    cb?.();
  }
}

interface StreamEvidence {
  tcpConnected: boolean;
  tlsEstablished: boolean;
  chain?: PresentedCertificate[] | undefined;
}

const REASON_NAMES: Record<number, string> = {
  128: 'unspecified error',
  131: 'implementation specific error',
  135: 'not authorized',
  143: 'topic filter invalid',
  144: 'topic name invalid',
  145: 'packet identifier in use',
  151: 'quota exceeded',
  153: 'payload format invalid',
  158: 'shared subscriptions not supported',
  161: 'subscription identifiers not supported',
  162: 'wildcard subscriptions not supported',
};

/**
 * One live MQTT connection in main (mqtt.js 5). Every attempt uses a fresh mqtt.js client with its own
 * reconnect switched off: this class owns the backoff, the resubscription and the visible state, so the
 * person sees "reconnecting, attempt 3, next try in 4 s" instead of a silent loop. In-flight QoS 1/2
 * messages survive reconnects through shared packet stores.
 */
export class MqttConnection {
  readonly id: string;
  readonly name: string;
  readonly profileId: string | undefined;
  readonly profile: MqttProfileInputT;
  readonly clientId: string;
  readonly store: MessageStore;

  state: State = 'connecting';
  attempt = 0;
  nextRetryInMs: number | undefined;
  lastError: ErrorInfo | undefined;
  connectedAt: string | undefined;
  sessionPresent: boolean | undefined;

  private client: MqttClient | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly subs = new Map<string, Subscription>();
  private readonly subByIndex: (Subscription | undefined)[] = [];
  private readonly subCounts: number[] = [];
  private readonly incomingStore = new LastingStore();
  private readonly outgoingStore = new LastingStore();
  private readonly material: ConnectMaterial;
  private readonly onChange: (c: MqttConnection) => void;
  private readonly onMessagesArrived: () => void;
  private nextSubIndex = 0;

  constructor(options: MqttConnectionOptions) {
    this.id = options.id;
    this.name = options.name;
    this.profileId = options.profileId;
    this.profile = options.profile;
    this.material = options.material;
    this.store = options.store;
    this.onChange = options.onChange;
    this.onMessagesArrived = options.onMessages ?? (() => {});
    // Fixed for the connection's lifetime so a persistent session (clean start off) finds itself again.
    this.clientId = options.profile.clientId || `fieldbench-${randomBytes(4).toString('hex')}`;
    for (const s of options.profile.subscriptions) this.addSubscription(s.filter, s.qos, s.color, {});
  }

  /** The first connection: resolves on CONNACK success, rejects with a diagnosed error (no retry loop). */
  async open(signal?: AbortSignal): Promise<void> {
    try {
      const { client, connack } = await this.attemptConnect(signal);
      this.adopt(client, connack);
    } catch (err) {
      this.state = 'failed';
      this.lastError = toInfo(err);
      this.onChange(this);
      throw err;
    }
  }

  /** Subscribes (or updates an existing subscription to the same filter); waits for SUBACK when connected. */
  async subscribe(filter: string, qos: Qos, color: string | undefined, options: { noLocal?: boolean; retainAsPublished?: boolean; retainHandling?: 0 | 1 | 2 }): Promise<SubscriptionSummaryT> {
    assertTopicFilter(filter);
    const mqttOpts: Subscription['options'] = {};
    if (options.noLocal !== undefined) mqttOpts.nl = options.noLocal;
    if (options.retainAsPublished !== undefined) mqttOpts.rap = options.retainAsPublished;
    if (options.retainHandling !== undefined) mqttOpts.rh = options.retainHandling;
    const sub = this.addSubscription(filter, qos, color, mqttOpts);
    this.onChange(this);
    if (this.client && this.state === 'connected') await this.sendSubscribe(this.client, sub);
    this.onChange(this);
    return this.subscriptionSummary(sub);
  }

  async unsubscribe(subscriptionId: string): Promise<boolean> {
    const sub = this.subs.get(subscriptionId);
    if (!sub) return false;
    this.subs.delete(subscriptionId);
    this.subByIndex[sub.index] = undefined;
    this.refreshMatcher();
    const client = this.client;
    if (client && this.state === 'connected' && sub.state === 'active') {
      await new Promise<void>((resolve) => client.unsubscribe(sub.filter, () => resolve()));
    }
    this.onChange(this);
    return true;
  }

  /** Publishes; QoS 1/2 resolve on PUBACK/PUBCOMP. Broker refusals (MQTT 5 reason codes) become sentences. */
  async publish(
    topic: string,
    payload: Buffer,
    qos: Qos,
    retain: boolean,
    properties: PublishPropertiesT | undefined,
  ): Promise<{ bytes: number; messageId?: number; reasonCode?: number; warnings: string[] }> {
    assertTopicName(topic);
    const client = this.client;
    if (!client || this.state !== 'connected') {
      throw new FieldbenchError('mqtt.notConnected', `"${this.name}" is not connected (it is ${this.state}). Publish again once it is connected.`);
    }
    const warnings: string[] = [];
    const v5 = this.profile.mqttVersion === '5.0';
    const props = properties && hasAny(properties) ? toPublishProperties(properties) : undefined;
    if (props && !v5) warnings.push('MQTT 3.1.1 has no message properties; they were not sent. Switch the connection to MQTT 5 to send them.');
    if (properties?.responseTopic) assertTopicName(properties.responseTopic);
    const packet = await new Promise<IPublishPacket | undefined>((resolve, reject) => {
      client.publish(topic, payload, { qos, retain, ...(v5 && props ? { properties: props } : {}) }, (err, pkt) => {
        if (err) reject(this.publishError(topic, err));
        else resolve(pkt as IPublishPacket | undefined);
      });
    });
    const out: { bytes: number; messageId?: number; reasonCode?: number; warnings: string[] } = { bytes: payload.length, warnings };
    if (packet?.messageId !== undefined) out.messageId = packet.messageId;
    const rc = (packet as { reasonCode?: number } | undefined)?.reasonCode;
    if (rc !== undefined) out.reasonCode = rc;
    if (rc === 16) warnings.push('The broker accepted the message but no subscriber matched it (reason 16).');
    return out;
  }

  /** Ends the connection for good: no reconnect, the store's spill file is flushed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await endClient(client, false);
    this.store.close();
    this.state = 'disconnected';
    this.nextRetryInMs = undefined;
    this.onChange(this);
  }

  subscriptionIdOf(index: number): string | undefined {
    return this.subByIndex[index]?.id;
  }

  subscriptionColourOf(index: number): string | undefined {
    return this.subByIndex[index]?.color;
  }

  subscriptionIndexOf(id: string): number | undefined {
    return this.subs.get(id)?.index;
  }

  summary(): ConnectionSummaryT {
    const warnings: string[] = [];
    if (isInsecure(this.profile)) warnings.push("Server certificate verification is off: anyone on the network could pose as this broker. Turn it on once the broker's CA is trusted.");
    return {
      connectionId: this.id,
      ...(this.profileId ? { profileId: this.profileId } : {}),
      name: this.name,
      url: profileUrl(this.profile),
      mqttVersion: this.profile.mqttVersion,
      clientId: this.clientId,
      state: this.state,
      attempt: this.attempt,
      ...(this.nextRetryInMs !== undefined ? { nextRetryInMs: this.nextRetryInMs } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.connectedAt ? { connectedAt: this.connectedAt } : {}),
      ...(this.sessionPresent !== undefined ? { sessionPresent: this.sessionPresent } : {}),
      insecure: isInsecure(this.profile),
      warnings,
      subscriptions: [...this.subs.values()].map((s) => this.subscriptionSummary(s)),
      stats: this.store.stats(),
    };
  }

  // --- attempts ---------------------------------------------------------------------------------------

  private async clientOptions(): Promise<IClientOptions> {
    const p = this.profile;
    const v5 = p.mqttVersion === '5.0';
    const opts: IClientOptions = {
      protocol: p.protocol,
      host: p.host,
      port: p.port,
      protocolVersion: v5 ? 5 : 4,
      clientId: this.clientId,
      clean: p.cleanStart,
      keepalive: p.keepaliveSeconds,
      // Our own timer fires first with a sentence; mqtt.js's is only a backstop.
      connectTimeout: (p.connectTimeoutSeconds + 5) * 1000,
      reconnectPeriod: 0,
      manualConnect: true,
      resubscribe: false,
      queueQoSZero: false,
      incomingStore: this.incomingStore,
      outgoingStore: this.outgoingStore,
    };
    if (p.protocol === 'ws' || p.protocol === 'wss') opts.path = p.path || '/mqtt';
    if (p.username) opts.username = p.username;
    if (this.material.password !== undefined) opts.password = this.material.password;
    if (usesTls(p)) {
      const t = this.material.tls;
      if (t.ca) opts.ca = t.ca;
      if (t.cert) opts.cert = t.cert;
      if (t.key) opts.key = t.key;
      opts.rejectUnauthorized = p.tls?.verifyServer !== false;
      if (p.tls?.servername) opts.servername = p.tls.servername;
      if (p.tls?.alpn?.length) opts.ALPNProtocols = p.tls.alpn;
    }
    if (v5) {
      const properties: NonNullable<IClientOptions['properties']> = {};
      if (p.sessionExpirySeconds > 0) properties.sessionExpiryInterval = p.sessionExpirySeconds;
      if (p.userProperties?.length) properties.userProperties = toUserProperties(p.userProperties);
      if (p.auth.method === 'K8S-SAT') {
        if (!this.material.satToken) throw new FieldbenchError('mqtt.satTokenMissing', 'This connection uses K8S-SAT but no token source is set. Choose a token file or save a token.');
        properties.authenticationMethod = 'K8S-SAT';
        properties.authenticationData = Buffer.from(await this.material.satToken(), 'utf8');
      }
      if (Object.keys(properties).length > 0) opts.properties = properties;
    } else if (p.auth.method === 'K8S-SAT') {
      throw new FieldbenchError('mqtt.satNeedsV5', 'K8S-SAT authentication is an MQTT 5 feature. Switch the connection to MQTT 5.');
    }
    if (p.will) {
      assertTopicName(p.will.topic);
      opts.will = { topic: p.will.topic, payload: encodePayload(p.will.payload), qos: p.will.qos, retain: p.will.retain };
      if (v5) {
        const wp: Record<string, unknown> = p.will.properties ? toPublishProperties(p.will.properties) : {};
        if (p.will.delaySeconds !== undefined) wp.willDelayInterval = p.will.delaySeconds;
        if (Object.keys(wp).length > 0) opts.will.properties = wp as NonNullable<NonNullable<IClientOptions['will']>['properties']>;
      }
    }
    return opts;
  }

  private context(evidence: StreamEvidence): ConnectContext {
    const p = this.profile;
    return {
      host: p.host,
      port: p.port,
      protocol: p.protocol,
      mqttVersion: p.mqttVersion,
      caDescription: this.material.tls.caDescription,
      servername: p.tls?.servername,
      sentClientCertificate: usesTls(p) && this.material.tls.cert !== undefined,
      authMethod: p.auth.method,
      tcpConnected: evidence.tcpConnected,
      tlsEstablished: evidence.tlsEstablished,
      connectTimeoutSeconds: p.connectTimeoutSeconds,
      presentedChain: evidence.chain,
    };
  }

  private async attemptConnect(signal?: AbortSignal): Promise<{ client: MqttClient; connack: IConnackPacket }> {
    const opts = await this.clientOptions();
    const evidence: StreamEvidence = { tcpConnected: false, tlsEstablished: false };
    const client = mqtt.connect(opts);
    // mqtt.js keeps its stream factory private; wrapping it is the only way to see the socket's TLS evidence
    // (the presented chain, whether the handshake finished) that the diagnosis needs.
    const internals = client as unknown as { streamBuilder: (c: MqttClient) => Duplex };
    const build = internals.streamBuilder;
    internals.streamBuilder = (c) => {
      const stream = build(c);
      watchStream(stream, evidence);
      return stream;
    };
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        void endClient(client, true);
        if (err instanceof FieldbenchError) return reject(err);
        if (!evidence.chain && this.profile.protocol === 'mqtts' && isVerificationFailure(err)) {
          void probePresentedChain({ host: this.profile.host, port: this.profile.port, servername: this.profile.tls?.servername, alpn: this.profile.tls?.alpn }).then((chain) => {
            evidence.chain = chain;
            reject(diagnoseConnectError(err, this.context(evidence)));
          });
          return;
        }
        void explainConnectFailure(err, this.context(evidence)).then(reject);
      };
      const onAbort = () => finish(new FieldbenchError('cancelled', 'Connecting was cancelled.'));
      const timer = setTimeout(
        () => finish(Object.assign(new Error(`no CONNACK within ${this.profile.connectTimeoutSeconds} s`), { code: 'mqtt.timeout' })),
        this.profile.connectTimeoutSeconds * 1000,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      client.on('error', (err) => {
        if (!settled) finish(err);
        else if (client === this.client) this.lastError = toInfo(diagnoseConnectError(err, this.context(evidence)));
      });
      client.on('close', () => {
        if (!settled) finish(Object.assign(new Error('the connection closed before CONNACK'), { code: 'mqtt.closedBeforeConnack' }));
      });
      client.once('connect', (connack) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({ client, connack });
      });
      client.connect();
    });
  }

  private adopt(client: MqttClient, connack: IConnackPacket): void {
    if (this.closed) {
      void endClient(client, true);
      return;
    }
    this.client = client;
    this.state = 'connected';
    this.attempt = 0;
    this.nextRetryInMs = undefined;
    this.lastError = undefined;
    this.connectedAt = new Date().toISOString();
    this.sessionPresent = connack.sessionPresent;
    client.on('message', this.ingest);
    client.on('disconnect', (packet) => {
      const rc = packet.reasonCode;
      if (rc !== undefined && rc !== 0) {
        this.lastError = { code: 'mqtt.serverDisconnect', message: `The broker ended the connection (reason ${rc}${REASON_NAMES[rc] ? `, ${REASON_NAMES[rc]}` : ''}).` };
      }
    });
    client.on('close', () => {
      if (client === this.client) this.lost();
    });
    // A resumed session still has its subscriptions on the broker; a fresh one needs them again.
    const resubscribe = !connack.sessionPresent || [...this.subs.values()].some((s) => s.state !== 'active');
    for (const sub of this.subs.values()) {
      if (resubscribe || sub.state !== 'active') void this.sendSubscribe(client, sub).then(() => this.onChange(this));
    }
    this.onChange(this);
  }

  private lost(): void {
    const client = this.client;
    this.client = undefined;
    if (client) void endClient(client, true);
    if (this.closed) return;
    for (const s of this.subs.values()) if (s.state === 'active') s.state = 'pending';
    if (!this.profile.reconnect.enabled) {
      this.state = 'disconnected';
      this.lastError ??= { code: 'mqtt.connectionLost', message: `The connection to ${profileUrl(this.profile)} was lost. Connect again when the broker is back.` };
      this.onChange(this);
      return;
    }
    this.lastError ??= { code: 'mqtt.connectionLost', message: `The connection to ${profileUrl(this.profile)} was lost; reconnecting.` };
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.attempt++;
    const { minDelayMs, maxDelayMs } = this.profile.reconnect;
    const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(20, this.attempt - 1));
    // Jitter keeps a room full of clients from hammering a restarted broker in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.state = 'reconnecting';
    this.nextRetryInMs = delay;
    this.onChange(this);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed) return;
      this.state = 'connecting';
      this.nextRetryInMs = undefined;
      this.onChange(this);
      this.attemptConnect().then(
        ({ client, connack }) => this.adopt(client, connack),
        (err: unknown) => {
          this.lastError = toInfo(err);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.retryTimer.unref?.();
  }

  // --- subscriptions and ingest -------------------------------------------------------------------------

  private addSubscription(filter: string, qos: Qos, color: string | undefined, options: Subscription['options']): Subscription {
    const existing = [...this.subs.values()].find((s) => s.filter === filter);
    if (existing) {
      existing.qos = qos;
      if (color) existing.color = color;
      existing.options = options;
      existing.state = 'pending';
      existing.error = undefined;
      return existing;
    }
    const index = this.nextSubIndex++;
    const sub: Subscription = {
      id: `s${index + 1}`,
      index,
      filter,
      qos,
      color: color ?? SUBSCRIPTION_COLOURS[index % SUBSCRIPTION_COLOURS.length]!,
      state: 'pending',
      options,
    };
    this.subs.set(sub.id, sub);
    this.subByIndex[index] = sub;
    this.subCounts[index] = 0;
    this.refreshMatcher();
    return sub;
  }

  private refreshMatcher(): void {
    const list = [...this.subs.values()];
    this.store.setSubscriptionMatcher((topic) => list.find((s) => topicMatches(s.filter, topic))?.index ?? -1);
  }

  private sendSubscribe(client: MqttClient, sub: Subscription): Promise<void> {
    return new Promise((resolve) => {
      client.subscribe(sub.filter, { qos: sub.qos, ...sub.options } as Parameters<MqttClient['subscribe']>[1], (err, granted) => {
        const g = granted?.[0];
        const code = err ? ((err as { code?: number }).code ?? 128) : g?.qos;
        if (err || code === undefined || code >= 128) {
          sub.state = 'refused';
          const rc = typeof code === 'number' ? code : 128;
          sub.error = {
            code: 'mqtt.subscribeRefused',
            message: `The broker refused the subscription to "${sub.filter}" (reason ${rc}${REASON_NAMES[rc] ? `, ${REASON_NAMES[rc]}` : ''}). ${rc === 135 ? "The listener's authorization policy does not allow this client to subscribe to it." : 'Check the filter and the broker\'s policy.'}`,
          };
        } else {
          sub.state = 'active';
          sub.grantedQos = code as Qos;
          sub.error = undefined;
        }
        resolve();
      });
    });
  }

  private readonly ingest = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    const props = packet.properties ? toReceivedProperties(packet.properties) : undefined;
    this.store.append(topic, payload, packet.qos, packet.retain, props);
    const si = this.store.lastSubIndex;
    if (si >= 0) this.subCounts[si] = (this.subCounts[si] ?? 0) + 1;
    this.onMessagesArrived();
  };

  private subscriptionSummary(s: Subscription): SubscriptionSummaryT {
    return {
      id: s.id,
      filter: s.filter,
      qos: s.qos,
      ...(s.grantedQos !== undefined ? { grantedQos: s.grantedQos } : {}),
      color: s.color,
      state: s.state,
      messageCount: this.subCounts[s.index] ?? 0,
      ...(s.error ? { error: s.error } : {}),
    };
  }

  private publishError(topic: string, err: Error): FieldbenchError {
    const rc = (err as { code?: unknown }).code;
    if (typeof rc === 'number') {
      const why = REASON_NAMES[rc] ?? `reason ${rc}`;
      const hint = rc === 135 ? " The listener's authorization policy does not allow this client to publish there." : '';
      return new FieldbenchError('mqtt.publishRefused', `The broker refused the message on "${topic}" (reason ${rc}, ${why}).${hint}`, { cause: err });
    }
    return new FieldbenchError('mqtt.publishFailed', `The message on "${topic}" could not be sent: ${err.message}. Check the connection and publish again.`, { cause: err });
  }
}

function watchStream(stream: Duplex, evidence: StreamEvidence): void {
  stream.once('connect', () => {
    evidence.tcpConnected = true;
  });
  const tls = stream as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return;
  const capture = () => {
    try {
      evidence.chain ??= presentedChain(tls.getPeerCertificate!(true));
    } catch {}
  };
  stream.once('secureConnect', () => {
    evidence.tcpConnected = true;
    evidence.tlsEstablished = true;
    capture();
  });
  // Node rejects an unverifiable certificate after the handshake, so the chain is still readable here.
  stream.prependListener('error', capture);
}

function endClient(client: MqttClient, force: boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 2000);
    t.unref?.();
    try {
      client.end(force, {}, () => {
        clearTimeout(t);
        resolve();
      });
    } catch {
      clearTimeout(t);
      resolve();
    }
  });
}

function toInfo(err: unknown): ErrorInfo {
  if (err instanceof FieldbenchError) return err.toInfo();
  return { code: 'mqtt.connectFailed', message: err instanceof Error ? err.message : String(err) };
}

function hasAny(p: PublishPropertiesT): boolean {
  return Object.values(p).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
}

function toUserProperties(list: { key: string; value: string }[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const { key, value } of list) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function toPublishProperties(p: PublishPropertiesT): NonNullable<NonNullable<Parameters<MqttClient['publish']>[2]>['properties']> {
  const out: NonNullable<NonNullable<Parameters<MqttClient['publish']>[2]>['properties']> = {};
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationDataHex !== undefined) out.correlationData = Buffer.from(p.correlationDataHex, 'hex');
  if (p.messageExpirySeconds !== undefined) out.messageExpiryInterval = p.messageExpirySeconds;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.userProperties?.length) out.userProperties = toUserProperties(p.userProperties);
  return out;
}

function toReceivedProperties(p: NonNullable<IPublishPacket['properties']>): ReceivedPropertiesT | undefined {
  const out: ReceivedPropertiesT = {};
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) out.correlationDataHex = Buffer.from(p.correlationData).toString('hex');
  if (p.messageExpiryInterval !== undefined) out.messageExpirySeconds = p.messageExpiryInterval;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.userProperties) {
    out.userProperties = Object.entries(p.userProperties).flatMap(([key, v]) => (Array.isArray(v) ? v.map((value) => ({ key, value: String(value) })) : [{ key, value: String(v) }]));
  }
  if (p.subscriptionIdentifier !== undefined) out.subscriptionIdentifiers = Array.isArray(p.subscriptionIdentifier) ? p.subscriptionIdentifier : [p.subscriptionIdentifier];
  return Object.keys(out).length > 0 ? out : undefined;
}
