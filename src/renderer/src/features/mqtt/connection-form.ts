import type { MqttProfileInputT, MqttProfileSummaryT } from '@shared/contract/mqtt-contract';
import { hostProblem } from '@shared/address-rules';

// The connection form as the person edits it: strings for every text box (so a half-typed port is not lost),
// converted to the contract's MqttProfileInput only on Save or Connect. Secrets are kept out of this shape:
// the password and SAT token live in the dialog's own state and go straight into the invoke call.

export type Protocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';
export type CaChoice = 'system' | 'vault' | 'file';
export type ClientCertChoice = 'none' | 'vault' | 'file';
export type SatChoice = 'none' | 'file' | 'vault' | 'tokenRequest';

export interface KeyValueRow {
  key: string;
  value: string;
}

export interface ConnectionForm {
  id: string | undefined;
  name: string;
  protocol: Protocol;
  host: string;
  port: string;
  path: string;
  mqttVersion: '3.1.1' | '5.0';
  clientId: string;
  cleanStart: boolean;
  keepaliveSeconds: string;
  sessionExpirySeconds: string;
  connectTimeoutSeconds: string;
  username: string;
  /** Whether the saved profile already has a password (the form never sees it). */
  hasPassword: boolean;
  caSource: CaChoice;
  caCertificateId: string;
  caPath: string;
  clientCert: ClientCertChoice;
  clientCertificateId: string;
  clientCertPath: string;
  clientKeyPath: string;
  verifyServer: boolean;
  servername: string;
  alpn: string;
  sat: SatChoice;
  satPath: string;
  hasSatToken: boolean;
  satNodeId: string;
  satServiceAccount: string;
  satNamespace: string;
  satAudience: string;
  willEnabled: boolean;
  willTopic: string;
  willPayload: string;
  willQos: 0 | 1 | 2;
  willRetain: boolean;
  userProperties: KeyValueRow[];
  subscriptions: MqttProfileInputT['subscriptions'];
  reconnect: MqttProfileInputT['reconnect'];
  store: MqttProfileInputT['store'];
}

export const DEFAULT_PORTS: Record<Protocol, number> = { mqtt: 1883, mqtts: 8883, ws: 8080, wss: 8443 };

export function usesTls(protocol: Protocol): boolean {
  return protocol === 'mqtts' || protocol === 'wss';
}

/** A new connection: MQTT 5, clean start, 60 s keepalive, and server verification on. */
export function emptyForm(): ConnectionForm {
  return {
    id: undefined,
    name: '',
    protocol: 'mqtt',
    host: '',
    port: String(DEFAULT_PORTS.mqtt),
    path: '/mqtt',
    mqttVersion: '5.0',
    clientId: '',
    cleanStart: true,
    keepaliveSeconds: '60',
    sessionExpirySeconds: '0',
    connectTimeoutSeconds: '10',
    username: '',
    hasPassword: false,
    caSource: 'system',
    caCertificateId: '',
    caPath: '',
    clientCert: 'none',
    clientCertificateId: '',
    clientCertPath: '',
    clientKeyPath: '',
    verifyServer: true,
    servername: '',
    alpn: '',
    sat: 'none',
    satPath: '',
    hasSatToken: false,
    satNodeId: '',
    satServiceAccount: 'default',
    satNamespace: 'azure-iot-operations',
    satAudience: 'aio-internal',
    willEnabled: false,
    willTopic: '',
    willPayload: '',
    willQos: 0,
    willRetain: false,
    userProperties: [],
    subscriptions: [],
    reconnect: { enabled: true, minDelayMs: 500, maxDelayMs: 30_000 },
    store: { maxMessages: 1_000_000, maxBytes: 384 * 1024 * 1024, spillToDisk: false },
  };
}

/** The form for editing a saved profile. */
export function formFromProfile(p: MqttProfileSummaryT): ConnectionForm {
  const f = emptyForm();
  const tls = p.tls;
  const auth = p.auth;
  return {
    ...f,
    id: p.id,
    name: p.name,
    protocol: p.protocol,
    host: p.host,
    port: String(p.port),
    path: p.path,
    mqttVersion: p.mqttVersion,
    clientId: p.clientId,
    cleanStart: p.cleanStart,
    keepaliveSeconds: String(p.keepaliveSeconds),
    sessionExpirySeconds: String(p.sessionExpirySeconds),
    connectTimeoutSeconds: String(p.connectTimeoutSeconds),
    username: p.username ?? '',
    hasPassword: p.hasPassword,
    caSource: tls?.ca.source ?? 'system',
    caCertificateId: tls?.ca.source === 'vault' ? tls.ca.certificateId : '',
    caPath: tls?.ca.source === 'file' ? tls.ca.path : '',
    clientCert: tls?.clientCertificate?.source ?? 'none',
    clientCertificateId: tls?.clientCertificate?.source === 'vault' ? tls.clientCertificate.certificateId : '',
    clientCertPath: tls?.clientCertificate?.source === 'file' ? tls.clientCertificate.certPath : '',
    clientKeyPath: tls?.clientCertificate?.source === 'file' ? tls.clientCertificate.keyPath : '',
    verifyServer: tls?.verifyServer ?? true,
    servername: tls?.servername ?? '',
    alpn: (tls?.alpn ?? []).join(', '),
    sat: auth.method === 'K8S-SAT' ? auth.token.source : 'none',
    satPath: auth.method === 'K8S-SAT' && auth.token.source === 'file' ? auth.token.path : '',
    hasSatToken: p.hasSatToken,
    satNodeId: auth.method === 'K8S-SAT' && auth.token.source === 'tokenRequest' ? auth.token.nodeId : '',
    satServiceAccount: auth.method === 'K8S-SAT' && auth.token.source === 'tokenRequest' ? auth.token.serviceAccount : f.satServiceAccount,
    satNamespace: auth.method === 'K8S-SAT' && auth.token.source === 'tokenRequest' ? auth.token.namespace : f.satNamespace,
    satAudience: auth.method === 'K8S-SAT' && auth.token.source === 'tokenRequest' ? auth.token.audience : f.satAudience,
    willEnabled: p.will !== undefined,
    willTopic: p.will?.topic ?? '',
    willPayload: p.will?.payload.value ?? '',
    willQos: p.will?.qos ?? 0,
    willRetain: p.will?.retain ?? false,
    userProperties: (p.userProperties ?? []).map((u) => ({ ...u })),
    subscriptions: p.subscriptions,
    reconnect: p.reconnect,
    store: p.store,
  };
}

export type FormErrors = Partial<Record<keyof ConnectionForm, string>>;

function intIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : undefined;
}

/** Sentences for the fields that are wrong; empty when the form can be saved. */
export function validateForm(f: ConnectionForm): FormErrors {
  const e: FormErrors = {};
  if (!f.name.trim()) e.name = 'Give the connection a name, e.g. "Line 1 broker NodePort".';
  const hostIssue = hostProblem(f.host, 'the broker host name or IP address');
  if (hostIssue) e.host = hostIssue;
  if (intIn(f.port, 1, 65_535) === undefined) e.port = 'Enter a port between 1 and 65535 (AIO default: 18883 inside the cluster).';
  if (intIn(f.keepaliveSeconds, 0, 65_535) === undefined) e.keepaliveSeconds = 'Enter 0–65535 seconds (0 turns keepalive off).';
  if (intIn(f.sessionExpirySeconds, 0, 4_294_967_295) === undefined) e.sessionExpirySeconds = 'Enter a whole number of seconds (0 ends the session with the connection).';
  if (intIn(f.connectTimeoutSeconds, 1, 300) === undefined) e.connectTimeoutSeconds = 'Enter 1–300 seconds.';
  if (usesTls(f.protocol)) {
    if (f.caSource === 'vault' && !f.caCertificateId) e.caCertificateId = 'Choose the CA from the vault that signed the broker certificate.';
    if (f.caSource === 'file' && !f.caPath.trim()) e.caPath = 'Enter the path of the CA file (PEM).';
    if (f.clientCert === 'vault' && !f.clientCertificateId) e.clientCertificateId = 'Choose the client certificate from the vault.';
    if (f.clientCert === 'file' && !f.clientCertPath.trim()) e.clientCertPath = 'Enter the path of the client certificate (leaf + intermediates, PEM).';
    if (f.clientCert === 'file' && !f.clientKeyPath.trim()) e.clientKeyPath = 'Enter the path of the client key.';
  }
  if (f.sat !== 'none') {
    if (f.mqttVersion !== '5.0') e.sat = 'K8S-SAT is an MQTT 5 feature. Switch the MQTT version to 5.0.';
    else if (!usesTls(f.protocol)) e.sat = 'K8S-SAT sends a service account token; use it only over TLS (mqtts or wss).';
    if (f.sat === 'file' && !f.satPath.trim()) e.satPath = 'Enter the path of the token file.';
    if (f.sat === 'tokenRequest' && !f.satNodeId) e.satNodeId = 'Choose the node whose Kubernetes API mints the token.';
  }
  if (f.willEnabled && !f.willTopic.trim()) e.willTopic = 'Enter the topic the broker publishes the last will on.';
  if (f.userProperties.some((u) => !u.key.trim())) e.userProperties = 'Every user property needs a name; remove empty rows.';
  return e;
}

/** The contract's profile input from a valid form. */
export function profileFromForm(f: ConnectionForm): MqttProfileInputT {
  const tls = usesTls(f.protocol);
  const alpn = f.alpn
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const userProperties = f.userProperties.filter((u) => u.key.trim()).map((u) => ({ key: u.key.trim(), value: u.value }));
  return {
    ...(f.id ? { id: f.id } : {}),
    name: f.name.trim(),
    protocol: f.protocol,
    host: f.host.trim(),
    port: Number(f.port),
    path: f.path || '/mqtt',
    mqttVersion: f.mqttVersion,
    clientId: f.clientId.trim(),
    cleanStart: f.cleanStart,
    keepaliveSeconds: Number(f.keepaliveSeconds),
    sessionExpirySeconds: Number(f.sessionExpirySeconds),
    connectTimeoutSeconds: Number(f.connectTimeoutSeconds),
    ...(f.username ? { username: f.username } : {}),
    ...(tls
      ? {
          tls: {
            ca:
              f.caSource === 'vault'
                ? { source: 'vault' as const, certificateId: f.caCertificateId }
                : f.caSource === 'file'
                  ? { source: 'file' as const, path: f.caPath.trim() }
                  : { source: 'system' as const },
            ...(f.clientCert === 'vault'
              ? { clientCertificate: { source: 'vault' as const, certificateId: f.clientCertificateId } }
              : f.clientCert === 'file'
                ? { clientCertificate: { source: 'file' as const, certPath: f.clientCertPath.trim(), keyPath: f.clientKeyPath.trim() } }
                : {}),
            verifyServer: f.verifyServer,
            ...(f.servername.trim() ? { servername: f.servername.trim() } : {}),
            ...(alpn.length ? { alpn } : {}),
          },
        }
      : {}),
    auth:
      f.sat === 'none'
        ? { method: 'none' }
        : {
            method: 'K8S-SAT',
            token:
              f.sat === 'file'
                ? { source: 'file', path: f.satPath.trim() }
                : f.sat === 'vault'
                  ? { source: 'vault' }
                  : { source: 'tokenRequest', nodeId: f.satNodeId, serviceAccount: f.satServiceAccount, namespace: f.satNamespace, audience: f.satAudience },
          },
    ...(f.willEnabled ? { will: { topic: f.willTopic.trim(), payload: { format: 'text', value: f.willPayload }, qos: f.willQos, retain: f.willRetain } } : {}),
    ...(userProperties.length ? { userProperties } : {}),
    reconnect: f.reconnect,
    store: f.store,
    subscriptions: f.subscriptions,
  };
}
