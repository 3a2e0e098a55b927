import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import { FieldbenchError, type ErrorInfo } from '@shared/errors';
import type { ConnectionSummaryT, MqttProfileInputT, PublishPropertiesT, SubscriptionSummaryT } from '@shared/contract/mqtt-contract';
import { clientOptions, LastingStore, type ConnectMaterial } from './client-options';
import { endClient, watchClientStream, type StreamEvidence } from './client-stream';
import { diagnoseConnectError, explainConnectFailure, isVerificationFailure, probePresentedChain, type ConnectContext } from './connect-diagnosis';
import type { MessageStore } from './message-store';
import { profileUrl, isInsecure, usesTls } from './mqtt-profiles';
import { hasAny, reasonName, toPublishProperties, toReceivedProperties } from './mqtt-properties';
import { assertTopicFilter, assertTopicName } from './mqtt-topics';
import { SubscriptionSet, type Subscription } from './subscription-set';

export type { ConnectMaterial } from './client-options';
export { SUBSCRIPTION_COLOURS } from './subscription-set';

type Qos = 0 | 1 | 2;
type State = ConnectionSummaryT['state'];

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
  private readonly subs: SubscriptionSet;
  private readonly incomingStore = new LastingStore();
  private readonly outgoingStore = new LastingStore();
  private readonly material: ConnectMaterial;
  private readonly onChange: (c: MqttConnection) => void;
  private readonly onMessagesArrived: () => void;

  constructor(options: MqttConnectionOptions) {
    this.id = options.id;
    this.name = options.name;
    this.profileId = options.profileId;
    this.profile = options.profile;
    this.material = options.material;
    this.store = options.store;
    this.onChange = options.onChange;
    this.onMessagesArrived = options.onMessages ?? (() => {});
    this.subs = new SubscriptionSet((match) => this.store.setSubscriptionMatcher(match));
    // Fixed for the connection's lifetime so a persistent session (clean start off) finds itself again.
    this.clientId = options.profile.clientId || `fieldbench-${randomBytes(4).toString('hex')}`;
    for (const s of options.profile.subscriptions) this.subs.add(s.filter, s.qos, s.color, {});
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
    const sub = this.subs.add(filter, qos, color, mqttOpts);
    this.onChange(this);
    if (this.client && this.state === 'connected') await this.subs.send(this.client, sub);
    this.onChange(this);
    return this.subs.summary(sub);
  }

  async unsubscribe(subscriptionId: string): Promise<boolean> {
    const sub = this.subs.remove(subscriptionId);
    if (!sub) return false;
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
    return this.subs.idOf(index);
  }

  subscriptionColourOf(index: number): string | undefined {
    return this.subs.colourOf(index);
  }

  subscriptionIndexOf(id: string): number | undefined {
    return this.subs.indexOf(id);
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
      subscriptions: this.subs.values().map((s) => this.subs.summary(s)),
      stats: this.store.stats(),
    };
  }

  // --- attempts ---------------------------------------------------------------------------------------

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
    const opts = await clientOptions(this.profile, this.clientId, this.material, { incoming: this.incomingStore, outgoing: this.outgoingStore });
    const evidence: StreamEvidence = { tcpConnected: false, tlsEstablished: false };
    const client = mqtt.connect(opts);
    watchClientStream(client, evidence);
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
        const name = reasonName(rc);
        this.lastError = { code: 'mqtt.serverDisconnect', message: `The broker ended the connection (reason ${rc}${name ? `, ${name}` : ''}).` };
      }
    });
    client.on('close', () => {
      if (client === this.client) this.lost();
    });
    // A resumed session still has its subscriptions on the broker; a fresh one needs them again.
    const resubscribe = !connack.sessionPresent || this.subs.values().some((s) => s.state !== 'active');
    for (const sub of this.subs.values()) {
      if (resubscribe || sub.state !== 'active') void this.subs.send(client, sub).then(() => this.onChange(this));
    }
    this.onChange(this);
  }

  private lost(): void {
    const client = this.client;
    this.client = undefined;
    if (client) void endClient(client, true);
    if (this.closed) return;
    this.subs.markPending();
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

  // --- ingest ---------------------------------------------------------------------------------------

  private readonly ingest = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    const props = packet.properties ? toReceivedProperties(packet.properties) : undefined;
    this.store.append(topic, payload, packet.qos, packet.retain, props);
    this.subs.counted(this.store.lastSubIndex);
    this.onMessagesArrived();
  };

  private publishError(topic: string, err: Error): FieldbenchError {
    const rc = (err as { code?: unknown }).code;
    if (typeof rc === 'number') {
      const why = reasonName(rc) ?? `reason ${rc}`;
      const hint = rc === 135 ? " The listener's authorization policy does not allow this client to publish there." : '';
      return new FieldbenchError('mqtt.publishRefused', `The broker refused the message on "${topic}" (reason ${rc}, ${why}).${hint}`, { cause: err });
    }
    return new FieldbenchError('mqtt.publishFailed', `The message on "${topic}" could not be sent: ${err.message}. Check the connection and publish again.`, { cause: err });
  }
}

function toInfo(err: unknown): ErrorInfo {
  if (err instanceof FieldbenchError) return err.toInfo();
  return { code: 'mqtt.connectFailed', message: err instanceof Error ? err.message : String(err) };
}
