import { randomBytes } from 'node:crypto';
import type { MqttProfileInputT } from '@shared/contract/mqtt-contract';

/** Paths of files written for (or referenced by) one profile's TLS material; '' when unused. */
export interface ProfileFiles {
  ca: string;
  cert: string;
  key: string;
}

/** MQTTX's connection record (desktop export/import JSON). Path fields are "" when unused, never null. */
export interface MqttxConnection {
  id: string;
  name: string;
  clientId: string;
  host: string;
  port: number;
  path: string;
  protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  ssl: boolean;
  certType: '' | 'server' | 'self';
  ca: string;
  cert: string;
  key: string;
  rejectUnauthorized: boolean;
  ALPNProtocols: string;
  mqttVersion: '3.1.1' | '5.0';
  clean: boolean;
  keepalive: number;
  connectTimeout: number;
  reconnect: boolean;
  reconnectPeriod: number;
  username: string;
  password: string;
  unreadMessageCount: number;
  subscriptions: { topic: string; qos: 0 | 1 | 2; color: string; disabled: boolean }[];
  messages: never[];
  properties?: { sessionExpiryInterval?: number; userProperties?: Record<string, string | string[]> };
  will?: { lastWillTopic: string; lastWillPayload: string; lastWillQos: 0 | 1 | 2; lastWillRetain: boolean };
}

/** MQTTX's own default (src/utils/idGenerator.ts getClientId): `mqttx_` and eight hex digits. */
export function mqttxClientId(): string {
  return `mqttx_${randomBytes(4).toString('hex')}`;
}

/**
 * One profile as an MQTTX record, following MQTTX's import (src/components/ImportData.vue
 * verifyFileContent refuses an entry without clientId, name, host or port, with ssl but no certType, or
 * with certType "self" but no ca) and its client (src/utils/mqttUtils.ts getClientOptions reads ca, cert and
 * key files only for certType "self"; a cert without its key makes mqtt.js send no certificate at all).
 * Secrets are left empty: MQTTX users type the password themselves. Reasons for anything left out go to `notes`.
 */
export function toMqttx(p: MqttProfileInputT & { id: string }, files: ProfileFiles, notes: string[] = []): MqttxConnection {
  const tls = p.protocol === 'mqtts' || p.protocol === 'wss';
  const pair = files.cert !== '' && files.key !== '';
  if (tls && files.cert !== '' && files.key === '') notes.push(`${p.name}: the client certificate is left out because its key was not exported; MQTTX would connect without any certificate. Export again with the key to use X.509.`);
  // "self" needs a CA file in MQTTX; without one it falls back to the system's CAs ("server").
  const self = tls && files.ca !== '';
  if (tls && !self && pair) notes.push(`${p.name}: MQTTX uses client certificates only together with a CA file, and none was written; the client certificate is left out. Export with the CA to use X.509.`);
  const clientId = p.clientId || mqttxClientId();
  if (!p.clientId) notes.push(`${p.name}: MQTTX needs a client id, so this connection gets ${clientId}; change it in MQTTX if the broker expects a particular one.`);
  const rec: MqttxConnection = {
    id: p.id,
    name: p.name,
    clientId,
    host: p.host,
    port: p.port,
    path: p.protocol === 'ws' || p.protocol === 'wss' ? p.path : '/mqtt',
    protocol: p.protocol,
    ssl: tls,
    certType: !tls ? '' : self ? 'self' : 'server',
    ca: self ? files.ca : '',
    cert: self && pair ? files.cert : '',
    key: self && pair ? files.key : '',
    rejectUnauthorized: p.tls?.verifyServer !== false,
    ALPNProtocols: p.tls?.alpn?.join(',') ?? '',
    mqttVersion: p.mqttVersion,
    clean: p.cleanStart,
    keepalive: p.keepaliveSeconds,
    // MQTTX keeps seconds and multiplies by 1000 itself (time.convertSecondsToMs).
    connectTimeout: p.connectTimeoutSeconds,
    reconnect: p.reconnect.enabled,
    reconnectPeriod: p.reconnect.minDelayMs,
    username: p.username ?? '',
    password: '',
    unreadMessageCount: 0,
    subscriptions: p.subscriptions.map((s, i) => ({ topic: s.filter, qos: s.qos, color: s.color ?? defaultColour(i), disabled: false })),
    messages: [],
  };
  if (p.mqttVersion === '5.0') {
    const props: NonNullable<MqttxConnection['properties']> = {};
    if (p.sessionExpirySeconds > 0) props.sessionExpiryInterval = p.sessionExpirySeconds;
    if (p.userProperties?.length) props.userProperties = Object.fromEntries(p.userProperties.map((u) => [u.key, u.value]));
    if (Object.keys(props).length) rec.properties = props;
  }
  if (p.will && (p.will.payload.format === 'text' || p.will.payload.format === 'json')) {
    rec.will = { lastWillTopic: p.will.topic, lastWillPayload: p.will.payload.value, lastWillQos: p.will.qos, lastWillRetain: p.will.retain };
  }
  return rec;
}

function defaultColour(i: number): string {
  return ['#2f80ed', '#27ae60', '#eb5757', '#f2994a', '#9b51e0', '#00a3a3', '#d6336c', '#8d6e63'][i % 8]!;
}
