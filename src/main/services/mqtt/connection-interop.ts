import { FieldbenchError } from '@shared/errors';
import { MqttProfileInput, type MqttProfileInputT } from '@shared/contract/mqtt-contract';
import type { StoredProfile } from './mqtt-profiles';

export interface ImportOutcome {
  profiles: MqttProfileInputT[];
  skipped: { index: number; reason: string }[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback);
const qos = (v: unknown): 0 | 1 | 2 => (v === 1 || v === 2 ? v : 0);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FieldbenchError('mqtt.importInvalid', `The ${what} file is not valid JSON (${(err as Error).message}). Export it again and import the file as it is.`, { cause: err });
  }
}

/** Reads MQTTX's export. Entries without an id are skipped (as MQTTX itself does), with the reason. */
export function fromMqttx(text: string): ImportOutcome {
  const doc = parseJson(text, 'MQTTX');
  const list = Array.isArray(doc) ? doc : Array.isArray((doc as { connections?: unknown })?.connections) ? (doc as { connections: unknown[] }).connections : undefined;
  if (!list) throw new FieldbenchError('mqtt.importInvalid', 'This is not an MQTTX export: it should be a JSON array of connections. Use MQTTX\'s "Export data" as JSON.');
  const out: ImportOutcome = { profiles: [], skipped: [] };
  list.forEach((raw, index) => {
    const r = raw as Record<string, unknown>;
    if (!r || typeof r !== 'object') return out.skipped.push({ index, reason: 'not an object' });
    const id = str(r.id);
    if (!id) return out.skipped.push({ index, reason: 'no id (MQTTX skips such entries too)' });
    const protocol = (['mqtt', 'mqtts', 'ws', 'wss'] as const).find((p) => p === r.protocol) ?? (r.ssl ? 'mqtts' : 'mqtt');
    const tls = protocol === 'mqtts' || protocol === 'wss';
    const ca = str(r.ca);
    const cert = str(r.cert);
    const key = str(r.key);
    const props = (r.properties ?? {}) as Record<string, unknown>;
    const will = r.will as Record<string, unknown> | undefined;
    const userProps = props.userProperties && typeof props.userProperties === 'object' ? (props.userProperties as Record<string, unknown>) : {};
    const subs = Array.isArray(r.subscriptions) ? (r.subscriptions as Record<string, unknown>[]) : [];
    const candidate = {
      id: `mqttx-${id}`.slice(0, 100),
      name: str(r.name) || `${str(r.host)}:${num(r.port, 1883)}`,
      protocol,
      host: str(r.host) || 'localhost',
      port: num(r.port, tls ? 8883 : 1883),
      path: str(r.path) || '/mqtt',
      mqttVersion: r.mqttVersion === '3.1.1' || r.mqttVersion === '3.1' ? '3.1.1' : '5.0',
      clientId: str(r.clientId),
      cleanStart: r.clean !== false,
      keepaliveSeconds: num(r.keepalive, 60),
      sessionExpirySeconds: num(props.sessionExpiryInterval, 0),
      connectTimeoutSeconds: Math.min(300, Math.max(1, Math.round(num(r.connectTimeout, 10) > 1000 ? num(r.connectTimeout, 10000) / 1000 : num(r.connectTimeout, 10)))),
      ...(str(r.username) ? { username: str(r.username) } : {}),
      ...(tls
        ? {
            tls: {
              ca: ca ? { source: 'file', path: ca } : { source: 'system' },
              ...(cert && key ? { clientCertificate: { source: 'file', certPath: cert, keyPath: key } } : {}),
              verifyServer: r.rejectUnauthorized !== false,
              ...(str(r.ALPNProtocols) ? { alpn: str(r.ALPNProtocols).split(',').map((s) => s.trim()).filter(Boolean) } : {}),
            },
          }
        : {}),
      ...(Object.keys(userProps).length
        ? { userProperties: Object.entries(userProps).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ key: k, value: String(value) }))) }
        : {}),
      ...(will && str(will.lastWillTopic)
        ? { will: { topic: str(will.lastWillTopic), payload: { format: 'text', value: str(will.lastWillPayload) }, qos: qos(will.lastWillQos), retain: will.lastWillRetain === true } }
        : {}),
      reconnect: { enabled: r.reconnect !== false, minDelayMs: Math.max(100, Math.min(60_000, num(r.reconnectPeriod, 500) || 500)), maxDelayMs: 30_000 },
      subscriptions: subs.filter((s) => str(s.topic)).map((s) => ({ filter: str(s.topic), qos: qos(s.qos), ...(str(s.color) ? { color: str(s.color).slice(0, 32) } : {}) })),
    };
    const parsed = MqttProfileInput.safeParse(candidate);
    if (!parsed.success) return out.skipped.push({ index, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    out.profiles.push(parsed.data);
  });
  return out;
}

export const FIELDBENCH_FORMAT = 'fieldbench.mqtt-connections';

/** Fieldbench's own export: the profiles exactly, without secrets or vault-only state. */
export function toFieldbench(profiles: StoredProfile[]): string {
  return `${JSON.stringify({ format: FIELDBENCH_FORMAT, version: 1, connections: profiles.map(({ updatedAt: _u, ...p }) => p) }, null, 2)}\n`;
}

export function fromFieldbench(text: string): ImportOutcome {
  const doc = parseJson(text, 'Fieldbench') as { format?: unknown; version?: unknown; connections?: unknown };
  if (doc?.format !== FIELDBENCH_FORMAT || !Array.isArray(doc.connections)) {
    throw new FieldbenchError('mqtt.importInvalid', `This is not a Fieldbench connections file (format "${FIELDBENCH_FORMAT}"). For MQTTX files choose the MQTTX format.`);
  }
  if (typeof doc.version !== 'number' || doc.version > 1) {
    throw new FieldbenchError('mqtt.importNewer', 'This connections file was written by a newer Fieldbench. Update Fieldbench to import it.');
  }
  const out: ImportOutcome = { profiles: [], skipped: [] };
  doc.connections.forEach((raw, index) => {
    const { hasPassword: _a, hasSatToken: _b, insecure: _c, url: _d, updatedAt: _e, ...rest } = (raw ?? {}) as Record<string, unknown>;
    const parsed = MqttProfileInput.safeParse(rest);
    if (!parsed.success) return out.skipped.push({ index, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    out.profiles.push(parsed.data);
  });
  return out;
}
