import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';

// Written from MQTTX's own source (github emqx/MQTTX at adac7563), so a file that passes here is one MQTTX
// imports and connects with as written:
// - src/components/ImportData.vue getJSONData + verifyFileContent (the import gate),
// - src/database/models/ConnectionEntity.ts (which columns are NOT NULL: ca, cert, key are varchar, not nullable),
// - src/utils/mqttUtils.ts getClientOptions + getUrl and src/utils/getFiles.ts getSSLFile (how it connects).

export interface MqttxRecord {
  id?: string;
  clientId?: string;
  name?: string;
  host?: string;
  port?: number;
  ssl?: boolean;
  certType?: '' | 'server' | 'self';
  ca?: string;
  cert?: string;
  key?: string;
  protocol?: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  path?: string;
  mqttVersion?: string;
  keepalive?: number;
  clean?: boolean;
  connectTimeout?: number;
  reconnect?: boolean;
  reconnectPeriod?: number;
  username?: string;
  password?: string;
  rejectUnauthorized?: boolean;
  ALPNProtocols?: string | null;
  clientIdWithTime?: boolean;
  subscriptions?: unknown[];
  messages?: unknown[];
}

/** ImportData.vue getJSONData: one object or an array. */
export function mqttxParse(text: string): MqttxRecord[] {
  const data = JSON.parse(text) as MqttxRecord | MqttxRecord[];
  return Array.isArray(data) ? data : [data];
}

/** ImportData.vue verifyFileContent, field for field; returns why each refused entry is refused. */
export function mqttxVerify(records: MqttxRecord[]): string[] {
  const problems: string[] = [];
  records.forEach((r, i) => {
    const { clientId, name, host, port, ssl, certType, ca } = r;
    if (!clientId) problems.push(`${i}: no clientId`);
    if (!name) problems.push(`${i}: no name`);
    if (!host) problems.push(`${i}: no host`);
    if (!port) problems.push(`${i}: no port`);
    if (ssl && !certType) problems.push(`${i}: ssl without certType`);
    if (certType === 'self' && !ca) problems.push(`${i}: certType self without ca`);
    // ConnectionEntity: ca, cert and key are NOT NULL columns; the import would fail on save.
    for (const f of ['ca', 'cert', 'key'] as const) if (r[f] === null || r[f] === undefined) problems.push(`${i}: ${f} missing (NOT NULL column)`);
    if (!r.id) problems.push(`${i}: no id (MQTTX skips the entry)`);
  });
  return problems;
}

/** mqttUtils.ts getUrl. */
export function mqttxUrl(r: MqttxRecord): string {
  const protocol = r.protocol ?? (r.ssl ? 'mqtts' : 'mqtt');
  let url = `${protocol}://${r.host}:${r.port}`;
  if (protocol === 'ws' || protocol === 'wss') url = `${url}${r.path!.startsWith('/') ? '' : '/'}${r.path}`;
  return url;
}

/** mqttUtils.ts getClientOptions with getFiles.ts getSSLFile: exactly the options MQTTX hands mqtt.connect. */
export function mqttxClientOptions(r: MqttxRecord): IClientOptions {
  const versions: Record<string, 3 | 4 | 5> = { '3.1': 3, '3.1.1': 4, '5.0': 5 };
  const protocolVersion = versions[r.mqttVersion ?? '5.0'];
  const options: IClientOptions = { clientId: r.clientId!, keepalive: r.keepalive!, clean: r.clean!, reconnectPeriod: r.reconnect ? r.reconnectPeriod! : 0, protocolVersion: protocolVersion! };
  options.connectTimeout = r.connectTimeout! * 1000;
  if (protocolVersion === 3) options.protocolId = 'MQIsdp';
  if (r.username !== '') options.username = r.username!;
  if (r.password !== '') {
    options.password = r.password!;
    if (r.username === undefined || r.username === '') options.username = '';
  }
  if (r.ssl) {
    options.rejectUnauthorized = r.rejectUnauthorized === undefined ? true : r.rejectUnauthorized;
    if (r.ALPNProtocols) options.ALPNProtocols = r.ALPNProtocols.replace(/[[\] ]/g, '').split(',');
    if (r.certType === 'self') {
      if (r.ca !== '') options.ca = [readFileSync(r.ca!)];
      if (r.cert !== '') options.cert = readFileSync(r.cert!);
      if (r.key !== '') options.key = readFileSync(r.key!);
    }
  }
  return options;
}
