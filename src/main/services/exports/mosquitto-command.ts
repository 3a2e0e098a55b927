import { FieldbenchError } from '@shared/errors';
import type { CommandLineResultT, MqttProfileInputT } from '@shared/contract/mqtt-contract';
import { shellQuote } from '@shared/shell-quote';

export interface CommandFile {
  role: 'ca' | 'cert' | 'key';
  path: string;
  written: boolean;
}

export interface CommandRequest {
  tool: 'mosquitto_pub' | 'mosquitto_sub';
  topic: string;
  message?: string | undefined;
  qos?: 0 | 1 | 2 | undefined;
  retain?: boolean | undefined;
}

// One quoting rule for every command line Fieldbench prints or runs.
export { shellQuote };

export const PASSWORD_PLACEHOLDER = 'MQTT_PASSWORD';

/**
 * A mosquitto_pub/mosquitto_sub command line for a profile. Files are real paths when they exist (written
 * or file-sourced) and placeholders otherwise; the password is never printed, only an environment variable.
 */
export function mosquittoCommand(p: MqttProfileInputT, req: CommandRequest, files: CommandFile[], hasPassword: boolean): CommandLineResultT {
  if (p.protocol === 'ws' || p.protocol === 'wss') {
    throw new FieldbenchError('mqtt.commandUnsupported', 'mosquitto_pub and mosquitto_sub do not speak MQTT over WebSockets. Use an mqtt or mqtts port of the broker for the command line.');
  }
  const notes: string[] = [];
  const argv: string[] = [req.tool, '-h', p.host, '-p', String(p.port), '-V', p.mqttVersion === '5.0' ? 'mqttv5' : 'mqttv311'];
  if (p.clientId) argv.push('-i', p.clientId);
  if (p.keepaliveSeconds !== 60 && p.keepaliveSeconds > 0) argv.push('-k', String(Math.max(5, p.keepaliveSeconds)));
  if (!p.cleanStart && req.tool === 'mosquitto_sub') {
    if (p.clientId) argv.push('-c');
    else notes.push('A persistent session (clean start off) needs a fixed client id; set one in the connection to use -c.');
  }
  if (p.username) argv.push('-u', p.username);
  let passwordIndex = -1;
  if (hasPassword) {
    argv.push('-P');
    passwordIndex = argv.length;
    argv.push(`$${PASSWORD_PLACEHOLDER}`);
    notes.push(`Set ${PASSWORD_PLACEHOLDER} to the connection's password first; Fieldbench never prints it.`);
  }
  const tls = p.protocol === 'mqtts';
  if (tls) {
    const ca = files.find((f) => f.role === 'ca');
    if (ca) argv.push('--cafile', ca.path);
    else argv.push('--tls-use-os-certs');
    const cert = files.find((f) => f.role === 'cert');
    const key = files.find((f) => f.role === 'key');
    if (cert) argv.push('--cert', cert.path);
    if (key) argv.push('--key', key.path);
    if (cert && !key) notes.push('The client key was not exported; add --key with the key file (export it from the vault after confirming).');
    // mosquitto's --insecure skips the host name check only; it is added exactly when verification is off.
    if (p.tls?.verifyServer === false) {
      argv.push('--insecure');
      notes.push('--insecure makes mosquitto skip the host name check of the server certificate; it still needs the CA to verify the chain.');
    }
    if (p.tls?.alpn?.length) argv.push('--tls-alpn', p.tls.alpn[0]!);
    if (p.tls?.servername) notes.push(`mosquitto cannot override the TLS server name (${p.tls.servername}); connect to a name the certificate lists, or use --insecure.`);
    for (const f of files) if (!f.written && f.path.startsWith('<')) notes.push(`Replace ${f.path} with the ${f.role === 'ca' ? 'CA certificate' : f.role === 'cert' ? 'client certificate (leaf + intermediates)' : 'client key'} file.`);
  }
  if (p.auth.method === 'K8S-SAT') notes.push('mosquitto clients cannot send K8S-SAT enhanced authentication; use the listener\'s X.509 or no-auth port from the command line.');
  argv.push('-t', req.topic);
  if (req.qos !== undefined) argv.push('-q', String(req.qos));
  if (req.tool === 'mosquitto_pub') {
    if (req.message === undefined || req.message === '') argv.push('-n');
    else argv.push('-m', req.message);
    if (req.retain) argv.push('-r');
  } else {
    argv.push('-v');
  }
  const command = argv.map((a, i) => (i === passwordIndex ? `"$${PASSWORD_PLACEHOLDER}"` : shellQuote(a))).join(' ');
  return { command, argv, files, notes };
}
