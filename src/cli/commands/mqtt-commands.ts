import { readFileSync } from 'node:fs';
import type { CallRequest } from '@shared/contract';
import type { MqttProfileInputT } from '@shared/contract/mqtt-contract';
import type { MatrixEndpointInputT, MatrixResultT } from '@shared/contract/mqtt-matrix-contract';
import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliIO, type CliVerb } from '../cli-command';
import { PASSWORD_ENV } from '../vault-access';
import { MQTT_CONNECTIONS_OPTIONS, MQTT_CONNECTIONS_USAGE, runMqttConnections } from './mqtt-connections-command';

export const MQTT_PASSWORD_ENV = 'FIELDBENCH_MQTT_PASSWORD';

const CONNECTION_OPTIONS = ['host', 'port', 'protocol', 'mqtt-version', 'client-id', 'username', 'keepalive', 'connect-timeout', 'tls-ca-file', 'ca', 'cert', 'servername', 'insecure', 'profile'] as const;
const CONNECTION_HELP = `Connection: --host H --port P [--protocol mqtt|mqtts|ws|wss] [--mqtt-version 5|3.1.1] [--client-id ID]
  [--username U] [--keepalive S] [--connect-timeout S]
  TLS: [--tls-ca-file PATH | --ca CA] [--cert CERT] [--servername NAME] [--insecure]
  or a saved connection: --profile NAME
CA, CERT and NAME are names (a certificate's common name, a saved connection's name) or ids, as
\`fieldbench pki list\` shows them; verifying the broker needs only the CA's certificate, not its key.`;
const VERBS: readonly CliVerb[] = [
  { name: 'pub', usage: '  pub    publish: -t|--topic TOPIC -m|--message MESSAGE [-q|--qos 0|1|2] [-r|--retain] [-C|--count N]\n         [--format text|json|hex|base64] [-f|--file PATH]', options: ['topic', 'message', 'qos', 'retain', 'count', 'format', 'file', ...CONNECTION_OPTIONS], notes: CONNECTION_HELP },
  { name: 'sub', usage: '  sub    subscribe and print: -t|--topic FILTER (repeatable) [-q|--qos 0|1|2] [-C|--count N]\n         [-W|--timeout SECONDS] [-v|--verbose: topic before each payload]', options: ['topic', 'qos', 'count', 'timeout', 'verbose', ...CONNECTION_OPTIONS], notes: CONNECTION_HELP },
  {
    name: 'probe',
    usage: `  probe  the listener matrix: --node NAME (listeners from the node's AIO discovery) or
         --endpoint host:port[:tls][:x509=CERT|:sat] (repeatable; --ca CA or --tls-ca-file PATH for TLS,
         [--servername NAME] [--connect-timeout S]); exit 1 when a listener fails`,
    options: ['node', 'endpoint', 'ca', 'tls-ca-file', 'servername', 'connect-timeout'],
    notes: 'NAME, CERT and CA are names or ids (`fieldbench node list`, `fieldbench pki list`).',
  },
  // Saved connections parse their own options (mqtt-connections-command).
  { name: 'connections', usage: `  ${MQTT_CONNECTIONS_USAGE.replace(/^fieldbench mqtt /, '')}`, options: ['format', 'out', 'files-dir', 'include-key', 'keep-file-paths', 'yes'], parser: MQTT_CONNECTIONS_OPTIONS },
];

const COMMON_HELP = `Vault (for --ca, --cert, --profile): [--vault PATH] [--data-dir DIR] [--password-stdin]; the vault password from
${PASSWORD_ENV}, stdin or a prompt. The MQTT password comes from ${MQTT_PASSWORD_ENV}, never the command line.
--json prints JSON (one object per message for sub). Exit codes: 0 ok, 1 failed, 2 usage, 4 refused credentials.`;

const USAGE = areaUsage('fieldbench mqtt pub|sub|probe|connections [options]', VERBS, `${CONNECTION_HELP}\n${COMMON_HELP}`);

const OPTIONS = {
  // No -h: the CLI keeps -h for help, so the host is --host only.
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  protocol: { type: 'string' },
  'mqtt-version': { type: 'string', short: 'V' },
  'client-id': { type: 'string', short: 'i' },
  username: { type: 'string', short: 'u' },
  keepalive: { type: 'string', short: 'k' },
  'connect-timeout': { type: 'string' },
  'tls-ca-file': { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  servername: { type: 'string' },
  insecure: { type: 'boolean' },
  profile: { type: 'string' },
  topic: { type: 'string', short: 't', multiple: true },
  message: { type: 'string', short: 'm' },
  file: { type: 'string', short: 'f' },
  format: { type: 'string' },
  qos: { type: 'string', short: 'q' },
  retain: { type: 'boolean', short: 'r' },
  count: { type: 'string', short: 'C' },
  timeout: { type: 'string', short: 'W' },
  verbose: { type: 'boolean', short: 'v' },
  node: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions>['values'];

function parseOptions(args: string[]) {
  return parseCommandLine(args, OPTIONS);
}

function intOption(values: Values, name: keyof Values, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${String(name)} must be a whole number from ${min} to ${max}.`);
  return n;
}

function inlineProfile(values: Values): MqttProfileInputT {
  if (!values.host) throw new UsageError('Say which broker: --host and --port, or --profile NAME.');
  const protocol = values.protocol ?? (values['tls-ca-file'] || values.ca || values.cert ? 'mqtts' : 'mqtt');
  if (!['mqtt', 'mqtts', 'ws', 'wss'].includes(protocol)) throw new UsageError('--protocol is one of mqtt, mqtts, ws, wss.');
  const tlsUsed = protocol === 'mqtts' || protocol === 'wss';
  const port = intOption(values, 'port', 1, 65_535) ?? (protocol === 'mqtts' ? 8883 : protocol === 'ws' ? 80 : protocol === 'wss' ? 443 : 1883);
  const version = values['mqtt-version'] ?? '5';
  if (!['5', '5.0', 'mqttv5', '3.1.1', '311', 'mqttv311'].includes(version)) throw new UsageError('--mqtt-version is 5 or 3.1.1.');
  if (!tlsUsed && (values['tls-ca-file'] || values.ca || values.cert || values.insecure || values.servername)) {
    throw new UsageError('TLS options need --protocol mqtts (or wss).');
  }
  if (values['tls-ca-file'] && values.ca) throw new UsageError('Give the CA either as a file (--tls-ca-file) or from the vault (--ca), not both.');
  const profile = {
    name: `${values.host}:${port}`,
    protocol,
    host: values.host,
    port,
    mqttVersion: version.includes('3') ? '3.1.1' : '5.0',
    clientId: values['client-id'] ?? '',
    keepaliveSeconds: intOption(values, 'keepalive', 0, 65_535) ?? 60,
    connectTimeoutSeconds: intOption(values, 'connect-timeout', 1, 300) ?? 10,
    ...(values.username ? { username: values.username } : {}),
    ...(tlsUsed
      ? {
          tls: {
            ca: values['tls-ca-file'] ? { source: 'file', path: values['tls-ca-file'] } : values.ca ? { source: 'vault', certificateId: values.ca } : { source: 'system' },
            ...(values.cert ? { clientCertificate: { source: 'vault', certificateId: values.cert } } : {}),
            verifyServer: !values.insecure,
            ...(values.servername ? { servername: values.servername } : {}),
          },
        }
      : {}),
    // A command line run should fail fast rather than retry behind the person's back.
    reconnect: { enabled: false, minDelayMs: 500, maxDelayMs: 30_000 },
  };
  return profile as MqttProfileInputT;
}

/** --ca and --cert as a person wrote them (names or ids), turned into vault ids by the pki area's resolver. */
async function withVaultIds(values: Values, cli: CliApp): Promise<Values> {
  return {
    ...values,
    ...(values.ca ? { ca: await cli.certificateId(values.ca, { ca: true }) } : {}),
    ...(values.cert ? { cert: await cli.certificateId(values.cert) } : {}),
  };
}

async function openConnection(values: Values, io: CliIO): Promise<{ cli: CliApp; connectionId: string }> {
  const cli = new CliApp(values, io);
  try {
    // Checked before the vault is opened: a wrong command line should not cost a password prompt.
    if (!values.profile) inlineProfile(values);
    if (values.profile || values.ca || values.cert) await cli.unlock();
    const mqttPassword = io.env[MQTT_PASSWORD_ENV];
    const summary = values.profile
      ? await cli.call('mqtt.connect', { profileId: await cli.profileId(values.profile), ...(mqttPassword ? { password: mqttPassword } : {}) })
      : await cli.call('mqtt.connect', { profile: inlineProfile(await withVaultIds(values, cli)), ...(mqttPassword ? { password: mqttPassword } : {}) });
    for (const w of summary.warnings) io.stderr.write(`Warning: ${w}\n`);
    return { cli, connectionId: summary.connectionId };
  } catch (err) {
    await cli.close();
    throw err;
  }
}

function qosOf(values: Values): 0 | 1 | 2 {
  const q = intOption(values, 'qos', 0, 2) ?? 0;
  return q as 0 | 1 | 2;
}

async function runPub(values: Values, io: CliIO): Promise<number> {
  const topics = values.topic ?? [];
  if (topics.length !== 1) throw new UsageError('Give exactly one topic to publish to with -t.');
  if (values.message !== undefined && values.file) throw new UsageError('Give the payload with -m or --file, not both.');
  const format = values.format ?? 'text';
  if (!['text', 'json', 'hex', 'base64'].includes(format)) throw new UsageError('--format is one of text, json, hex, base64.');
  const count = intOption(values, 'count', 1, 10_000_000) ?? 1;
  let payload: { format: 'text' | 'json' | 'hex' | 'base64'; value: string };
  if (values.file) {
    // Files go as base64 so binary content survives the contract's JSON.
    payload = { format: 'base64', value: readFileSync(values.file).toString('base64') };
  } else {
    payload = { format: format as 'text', value: values.message ?? '' };
  }
  const { cli, connectionId } = await openConnection(values, io);
  try {
    let bytes = 0;
    const warnings = new Set<string>();
    for (let i = 0; i < count; i++) {
      const r = await cli.call('mqtt.publish', { connectionId, topic: topics[0]!, payload, qos: qosOf(values), retain: values.retain ?? false });
      bytes += r.bytes;
      for (const w of r.warnings) warnings.add(w);
    }
    for (const w of warnings) io.stderr.write(`Warning: ${w}\n`);
    if (values.json) io.stdout.write(`${JSON.stringify({ published: count, bytes, topic: topics[0], qos: qosOf(values), retain: values.retain ?? false })}\n`);
    else io.stdout.write(`Published ${count} message${count === 1 ? '' : 's'} (${bytes.toLocaleString('en')} bytes) to ${topics[0]} with QoS ${qosOf(values)}.\n`);
    return EXIT.ok;
  } finally {
    await cli.close();
  }
}

async function runSub(values: Values, io: CliIO): Promise<number> {
  const filters = values.topic ?? [];
  if (filters.length === 0) throw new UsageError('Give at least one topic filter with -t.');
  const count = intOption(values, 'count', 1, 100_000_000);
  const timeout = intOption(values, 'timeout', 1, 86_400);
  const { cli, connectionId } = await openConnection(values, io);
  let printed = 0;
  let lastSeq = -1;
  let draining: Promise<void> = Promise.resolve();
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  const drain = async (): Promise<void> => {
    for (;;) {
      const page = await cli.call('mqtt.messages', { connectionId, afterSeq: lastSeq, limit: 1000, previewBytes: 4 * 1024 * 1024 });
      for (const m of page.messages) {
        lastSeq = m.seq;
        if (count !== undefined && printed >= count) break;
        printed++;
        if (values.json) io.stdout.write(`${JSON.stringify({ topic: m.topic, qos: m.qos, retain: m.retain, size: m.size, payload: m.payload.text, kind: m.payload.kind, ...(m.properties ? { properties: m.properties } : {}) })}\n`);
        else io.stdout.write(values.verbose ? `${m.topic} ${m.payload.text}\n` : `${m.payload.text}\n`);
      }
      if (count !== undefined && printed >= count) return finish(EXIT.ok);
      if (page.messages.length < 1000) return;
    }
  };
  const off = cli.context().hub.on('mqtt.onMessages', (batch) => {
    if ((batch as { connectionId: string }).connectionId !== connectionId) return;
    draining = draining.then(drain).catch((err: unknown) => {
      io.stderr.write(`${(err as Error).message}\n`);
      finish(EXIT.failed);
    });
  });
  const offState = cli.context().hub.on('mqtt.onState', (s) => {
    const st = s as { connectionId: string; state: string; lastError?: { message: string } };
    if (st.connectionId === connectionId && (st.state === 'disconnected' || st.state === 'failed')) {
      io.stderr.write(`${st.lastError?.message ?? 'The connection ended.'}\n`);
      finish(EXIT.failed);
    }
  });
  const timer = timeout !== undefined ? setTimeout(() => finish(-1), timeout * 1000) : undefined;
  try {
    for (const filter of filters) {
      const sub = await cli.call('mqtt.subscribe', { connectionId, filter, qos: qosOf(values) });
      if (sub.state === 'refused') {
        io.stderr.write(`${sub.error?.message ?? `The broker refused the subscription to ${filter}.`}\n`);
        return EXIT.failed;
      }
    }
    void io.interrupted.then(() => finish(EXIT.interrupted));
    let code = await done;
    await draining;
    if (code === -1) {
      io.stderr.write(`Stopped after ${timeout} s with ${printed}${count !== undefined ? ` of ${count}` : ''} message${printed === 1 ? '' : 's'}.\n`);
      code = count !== undefined && printed < count ? EXIT.failed : EXIT.ok;
    }
    return code;
  } finally {
    if (timer) clearTimeout(timer);
    off();
    offState();
    await cli.close();
  }
}

/** Parses host:port[:tls][:x509=CERT|:sat] into a matrix endpoint; `values` carries vault ids already. */
function parseEndpoint(text: string, values: Values, certificateIdOf: (ref: string) => string = (ref) => ref): MatrixEndpointInputT {
  const [host, portText, ...flags] = text.split(':');
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`--endpoint ${text}: write host:port[:tls][:x509=CERT|:sat].`);
  let tls = false;
  let auth: MatrixEndpointInputT['auth'] = { method: 'none' };
  for (const f of flags) {
    if (f === 'tls') tls = true;
    else if (f.startsWith('x509=') && f.length > 5) auth = { method: 'x509', certificateId: certificateIdOf(f.slice(5)) };
    else if (f === 'sat') {
      if (!values.node) throw new UsageError('--endpoint …:sat mints the token on a node: add --node NAME.');
      auth = { method: 'sat', token: { source: 'tokenRequest', nodeId: values.node, serviceAccount: 'default', namespace: 'azure-iot-operations', audience: 'aio-internal' } };
    } else throw new UsageError(`--endpoint ${text}: unknown part "${f}" (use tls, x509=CERT or sat).`);
  }
  if (auth.method !== 'none') tls = true;
  return {
    host,
    port,
    tls,
    ...(tls ? { ca: values.ca ? { source: 'vault', certificateId: values.ca } : values['tls-ca-file'] ? { source: 'file', path: values['tls-ca-file'] } : { source: 'system' } } : {}),
    ...(values.servername ? { servername: values.servername } : {}),
    auth,
    mqttVersion: '5.0',
    route: { kind: 'direct' },
  };
}

async function runProbe(values: Values, io: CliIO): Promise<number> {
  const endpoints = values.endpoint ?? [];
  if (!values.node && endpoints.length === 0) throw new UsageError('Say what to probe: --node NAME, or one or more --endpoint host:port[:tls].');
  const cli = new CliApp(values, io);
  const off = cli.context().hub.on('mqtt.onMatrixProgress', (payload) => {
    const e = payload as { phase: string; message: string };
    if (!values.json && e.phase !== 'done') io.stderr.write(`${e.message}\n`);
  });
  try {
    // Checked before the vault is opened: a wrong --endpoint should not cost a password prompt.
    endpoints.forEach((e) => parseEndpoint(e, values));
    if (values.node || values.ca || endpoints.some((e) => /:x509=/.test(e))) await cli.unlock();
    const nodeId = values.node ? (await cli.node(values.node)).id : undefined;
    const ids = new Map<string, string>();
    for (const e of endpoints) for (const m of e.matchAll(/:x509=([^:]+)/g)) ids.set(m[1]!, await cli.certificateId(m[1]!));
    const resolved = await withVaultIds({ ...values, cert: undefined }, cli);
    const parsed = endpoints.map((e) => parseEndpoint(e, { ...resolved, ...(nodeId ? { node: nodeId } : {}) }, (ref) => ids.get(ref) ?? ref));
    const timeout = intOption(values, 'connect-timeout', 1, 60);
    const result = await cli.call('mqtt.matrixRun', {
      ...(parsed.length ? { endpoints: parsed } : { nodeId: nodeId! }),
      ...(timeout ? { connectTimeoutSeconds: timeout } : {}),
    } as CallRequest<'mqtt.matrixRun'>);
    if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(matrixGrid(result));
    return result.summary.failed === 0 && result.summary.crossDeliveryComplete ? EXIT.ok : EXIT.failed;
  } finally {
    off();
    await cli.close();
  }
}

/** The grid as text: one line per listener, then each failure's sentence and fixes. */
function matrixGrid(r: MatrixResultT): string {
  const ids = r.targets.map((t) => t.id);
  const lines = [`${'listener'.padEnd(48)} connect  tls       auth        ${ids.join(' ')}`];
  for (const row of r.rows) {
    const t = r.targets.find((x) => x.id === row.targetId)!;
    const got = ids.map((id) => (row.received.some((x) => x.fromTargetId === id) ? '✓'.padEnd(id.length) : row.missing.includes(id) ? '✗'.padEnd(id.length) : '·'.padEnd(id.length)));
    const auth = `${row.auth.verdict}${row.auth.reasonCode ? ` ${row.auth.reasonCode}` : ''}`;
    lines.push(`${row.ok ? 'OK  ' : 'FAIL'} ${`${t.id} ${t.label}`.slice(0, 43).padEnd(43)} ${(row.connect.ok ? `${row.connect.ms ?? ''}ms` : 'no').padEnd(8)} ${row.tls.verdict.padEnd(9)} ${auth.padEnd(11)} ${got.join(' ')}`);
  }
  for (const row of r.rows) {
    if (!row.diagnosis) continue;
    lines.push('', `${row.targetId}: ${row.diagnosis.sentence}`);
    for (const f of row.diagnosis.fixes) lines.push(`  fix: ${f.label}`);
  }
  for (const s of r.skipped) lines.push('', `skipped ${s.listener}:${s.port}: ${s.reason}`);
  for (const w of r.warnings) lines.push('', `note: ${w}`);
  lines.push('', `${r.summary.passed} of ${r.summary.total} listeners passed; cross-delivery ${r.summary.crossDeliveryComplete ? 'complete' : 'incomplete'}.`);
  return `${lines.join('\n')}\n`;
}

export const mqttCommand: CliCommand = {
  name: 'mqtt',
  summary: 'Publish and subscribe through the same MQTT client as the app; probe runs the listener matrix.',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    // Saved connections have their own verbs and options.
    if (args[0] === 'connections') return runMqttConnections(args.slice(1), io);
    const { values, positionals } = parseOptions(args);
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    switch (sub) {
      case 'pub':
        return runPub(values, io);
      case 'sub':
        return runSub(values, io);
      case 'probe':
        return runProbe(values, io);
      default:
        throw new UsageError(sub ? `There is no "mqtt ${sub}".` : 'Say what to do: pub, sub or probe.');
    }
  },
};

/** The mqtt area's CLI commands. */
export const mqttCommands: CliCommand[] = [mqttCommand];
