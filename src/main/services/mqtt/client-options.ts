import mqtt from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { FieldbenchError } from '@shared/errors';
import type { MqttProfileInputT } from '@shared/contract/mqtt-contract';
import { encodePayload } from './payload-codec';
import { usesTls } from './mqtt-profiles';
import { toPublishProperties, toUserProperties } from './mqtt-properties';
import { assertTopicName } from './mqtt-topics';
import type { ResolvedTls } from './tls-material';

// A profile plus its secrets, turned into the options of one mqtt.js client attempt.

export interface ConnectMaterial {
  tls: ResolvedTls;
  password?: string | undefined;
  /** Called at every attempt: service account tokens expire, so reconnects fetch a fresh one. */
  satToken?: (() => Promise<string>) | undefined;
}

/**
 * mqtt.js closes its packet stores when a client ends; these outlive each attempt's client so QoS 1/2
 * messages in flight are sent again after a reconnect. They are released with the connection.
 */
export class LastingStore extends mqtt.Store {
  override close(cb?: () => void): void {
    cb?.();
  }
}

/** The options of one attempt; reconnecting is off because MqttConnection owns the backoff. */
export async function clientOptions(
  p: MqttProfileInputT,
  clientId: string,
  material: ConnectMaterial,
  stores: { incoming: LastingStore; outgoing: LastingStore },
): Promise<IClientOptions> {
  const v5 = p.mqttVersion === '5.0';
  const opts: IClientOptions = {
    protocol: p.protocol,
    host: p.host,
    port: p.port,
    protocolVersion: v5 ? 5 : 4,
    clientId,
    clean: p.cleanStart,
    keepalive: p.keepaliveSeconds,
    // Our own timer fires first with a sentence; mqtt.js's is only a backstop.
    connectTimeout: (p.connectTimeoutSeconds + 5) * 1000,
    reconnectPeriod: 0,
    manualConnect: true,
    resubscribe: false,
    queueQoSZero: false,
    incomingStore: stores.incoming,
    outgoingStore: stores.outgoing,
  };
  if (p.protocol === 'ws' || p.protocol === 'wss') opts.path = p.path || '/mqtt';
  if (p.username) opts.username = p.username;
  if (material.password !== undefined) opts.password = material.password;
  if (usesTls(p)) {
    const t = material.tls;
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
      if (!material.satToken) throw new FieldbenchError('mqtt.satTokenMissing', 'This connection uses K8S-SAT but no token source is set. Choose a token file or save a token.');
      properties.authenticationMethod = 'K8S-SAT';
      properties.authenticationData = Buffer.from(await material.satToken(), 'utf8');
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
