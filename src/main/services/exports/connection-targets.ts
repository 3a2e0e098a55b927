import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { MqttProfileInput } from '@shared/contract/mqtt-contract';
import { ApplySpec } from '@shared/contract/aio-contract';
import { FieldbenchError } from '@shared/errors';
import { stringify as yaml } from 'yaml';
import { kubeNameOf, leavesOf, isServer, needKey, type BuiltExport, type Cert, type FileSpec, type TargetContext } from './export-model';
import { mosquittoCommand } from './mosquitto-command';
import { toMqttx } from './mqttx-format';

/** The topic every test flow and command line uses, so the person at the other end sees one place to look. */
export const TEST_TOPIC_ROOT = 'fieldbench/test';

interface ClientFiles {
  cert: FileSpec;
  key: FileSpec | undefined;
  ca: FileSpec | undefined;
}

/** Certificate, key and broker CA of one client, under `dir` ('' = top level). Shared CA files are made once. */
function clientFiles(ctx: TargetContext, c: Cert, dir: string, made: Map<string, FileSpec>): ClientFiles {
  const at = (name: string) => (dir ? `${dir}/${name}` : name);
  const cert: FileSpec = { path: at(`${c.slug}.crt`), role: 'chain', certificate: c.cn, encrypted: false, secret: false, purpose: `${c.cn}: client certificate followed by its intermediates (the broker needs both to build the chain).`, content: () => ctx.chainPem(c) };
  const key: FileSpec | undefined = ctx.req.includeKey
    ? { path: at(`${c.slug}.key`), role: 'key', certificate: c.cn, encrypted: ctx.req.passphrase !== undefined, secret: true, purpose: `${c.cn}: private key (PKCS#8 PEM${ctx.req.passphrase ? ', encrypted' : ''}).`, content: ctx.key(c) }
    : undefined;
  const broker = ctx.brokerCa();
  let ca: FileSpec | undefined;
  if (broker) {
    ca = made.get(broker.cert.id);
    if (!ca) {
      ca = { path: at(`${broker.cert.slug}.crt`), role: 'ca', certificate: broker.cert.cn, encrypted: false, secret: false, purpose: `${broker.cert.cn}: the CA that verifies the broker's certificate.`, content: () => broker.pem };
      made.set(broker.cert.id, ca);
    }
  }
  return { cert, key, ca };
}

function uniqueFiles(list: Array<FileSpec | undefined>): FileSpec[] {
  const seen = new Set<string>();
  return list.filter((f): f is FileSpec => f !== undefined && !seen.has(f.path) && (seen.add(f.path), true));
}

/** A name the broker's certificate lists, when it is reached by an IP it does not list (Node-RED's servername). */
function serverName(ctx: TargetContext, host: string): string {
  if (ctx.req.servername) return ctx.req.servername;
  if (!isIP(host)) return '';
  const server = ctx.certs.find(isServer);
  if (!server) return '';
  const sans = server.summary.sans;
  if (sans.some((s) => s.type === 'ip' && s.value === host)) return '';
  return sans.find((s) => s.type === 'dns')?.value ?? '';
}

const nodeId = (seed: string): string => createHash('sha256').update(seed).digest('hex').slice(0, 16);

/**
 * The Node-RED flow for one client: an mqtt-broker config node with a tls-config node, an mqtt in node on
 * fieldbench/test/# into a debug node, and an inject that publishes a test message once after deploy,
 * so the imported flow shows its connection state at once. Field names follow the 4.x runtime's
 * 05-tls.js and 10-mqtt.js (DOMAIN.md "Export formats").
 */
function nodeRedFlow(ctx: TargetContext, c: Cert, files: ClientFiles, mode: 'credentials' | 'paths'): Record<string, unknown>[] {
  const { host, port } = ctx.broker();
  const id = (what: string) => nodeId(`${mode}:${c.id}:${what}`);
  const abs = (f: FileSpec | undefined) => (f ? posix.join(ctx.filesAt, f.path) : '');
  const withKey = files.key !== undefined;
  const tls: Record<string, unknown> = {
    id: id('tls'),
    type: 'tls-config',
    name: `${c.cn} TLS`,
    // The runtime trims all three unguarded; paths win over credentials whenever any is non-empty.
    cert: mode === 'paths' && withKey ? abs(files.cert) : '',
    key: mode === 'paths' && withKey ? abs(files.key) : '',
    ca: mode === 'paths' ? abs(files.ca) : '',
    certname: withKey ? posix.basename(files.cert.path) : '',
    keyname: withKey && files.key ? posix.basename(files.key.path) : '',
    caname: files.ca ? posix.basename(files.ca.path) : '',
    servername: serverName(ctx, host),
    verifyservercert: true,
    alpnprotocol: '',
  };
  if (mode === 'credentials') {
    const creds: Record<string, string> = {};
    // A cert without its key makes the node refuse to start ("missing-file"), so both or neither.
    if (withKey && files.key) {
      creds.certdata = String(files.cert.content());
      creds.keydata = String(files.key.content());
    }
    if (files.ca) creds.cadata = String(files.ca.content());
    if (ctx.req.passphrase && withKey) creds.passphrase = ctx.req.passphrase;
    tls.credentials = creds;
  }
  const tab = id('tab');
  const brokerId = id('broker');
  return [
    { id: tab, type: 'tab', label: `Fieldbench ${c.cn}${mode === 'paths' ? ' (files)' : ''}`, disabled: false, info: `Made by Fieldbench: ${c.cn} connects to ${host}:${port} over TLS with its client certificate.` },
    {
      id: brokerId,
      type: 'mqtt-broker',
      name: `${host}:${port} as ${c.cn}`,
      broker: host,
      port: String(port),
      tls: tls.id,
      clientid: c.cn,
      autoConnect: true,
      usetls: true,
      protocolVersion: '5',
      keepalive: '60',
      cleansession: true,
      autoUnsubscribe: true,
      birthTopic: '',
      birthQos: '0',
      birthRetain: 'false',
      birthPayload: '',
      birthMsg: {},
      closeTopic: '',
      closeQos: '0',
      closeRetain: 'false',
      closePayload: '',
      closeMsg: {},
      willTopic: '',
      willQos: '0',
      willRetain: 'false',
      willPayload: '',
      willMsg: {},
      userProps: '',
      sessionExpiry: '',
    },
    tls,
    { id: id('in'), type: 'mqtt in', z: tab, name: `${TEST_TOPIC_ROOT}/#`, topic: `${TEST_TOPIC_ROOT}/#`, qos: '1', datatype: 'auto-detect', broker: brokerId, nl: false, rap: true, rh: 0, inputs: 0, x: 170, y: 80, wires: [[id('debug')]] },
    { id: id('debug'), type: 'debug', z: tab, name: 'received', active: true, tosidebar: true, console: false, tostatus: true, complete: 'true', targetType: 'full', statusVal: 'payload', statusType: 'auto', x: 440, y: 80, wires: [] },
    {
      id: id('inject'),
      type: 'inject',
      z: tab,
      name: 'publish a test message',
      props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
      repeat: '',
      crontab: '',
      once: true,
      onceDelay: '2',
      topic: `${TEST_TOPIC_ROOT}/${c.cn}`,
      payload: `hello from ${c.cn} (Node-RED, exported by Fieldbench)`,
      payloadType: 'str',
      x: 190,
      y: 160,
      wires: [[id('out')]],
    },
    { id: id('out'), type: 'mqtt out', z: tab, name: '', topic: '', qos: '1', retain: 'false', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker: brokerId, x: 460, y: 160, wires: [] },
  ];
}

export function nodeRedTarget(ctx: TargetContext): BuiltExport {
  const clients = leavesOf(ctx, 'client', 'node-red');
  const made = new Map<string, FileSpec>();
  const per = clients.map((c) => ({ c, files: clientFiles(ctx, c, 'certs', made) }));
  const keys = ctx.req.includeKey ? clients : [];
  const secret = ctx.req.includeKey;
  if (!ctx.req.includeKey) ctx.notes.push('Without --include-key the flows carry only the CA: the broker\'s X.509 listener will refuse them until you add the client certificate and key in the TLS node.');
  const flow: FileSpec = {
    path: 'flows.json',
    role: 'flow',
    certificate: clients.map((c) => c.cn).join(', '),
    encrypted: secret && ctx.req.passphrase !== undefined,
    secret,
    purpose: 'Node-RED flow with the certificates inside the TLS node (Import → select file → Import, then Deploy).',
    content: () => `${JSON.stringify(per.flatMap(({ c, files }) => nodeRedFlow(ctx, c, files, 'credentials')), null, 2)}\n`,
  };
  const pathFlow: FileSpec = {
    path: 'flows-file-paths.json',
    role: 'flow',
    certificate: flow.certificate,
    encrypted: false,
    secret: false,
    purpose: `The same flow pointing at the files under ${posix.join(ctx.filesAt, 'certs')} (for settings that keep certificates out of flows).`,
    content: () => `${JSON.stringify(per.flatMap(({ c, files }) => nodeRedFlow(ctx, c, files, 'paths')), null, 2)}\n`,
  };
  const { host, port } = ctx.broker();
  return {
    title: 'Node-RED flow',
    files: [flow, pathFlow, ...uniqueFiles(per.flatMap(({ files }) => [files.cert, files.key, files.ca]))],
    keys,
    notes: [],
    readme: [
      `In Node-RED: menu → Import → select flows.json → Import, then Deploy. The flow connects to ${host}:${port} (MQTT 5 over TLS), subscribes to ${TEST_TOPIC_ROOT}/# and publishes one test message two seconds after deploy; the mqtt nodes show "connected" when the certificates are right.`,
      'Node-RED keeps the certificate data in its credentials file, not in the flow; its own export leaves them out, so keep this folder to import again.',
      `flows-file-paths.json reads the files from ${posix.join(ctx.filesAt, 'certs')}; copy certs/ there first, or change the paths in the TLS node.`,
    ],
  };
}

/**
 * mqttx: a connection file MQTTX's Import data (JSON) accepts — see mqttx-format.ts for the rules taken
 * from MQTTX's source — pointing at the certificate files beside it.
 */
export function mqttxTarget(ctx: TargetContext): BuiltExport {
  const clients = leavesOf(ctx, 'client', 'mqttx');
  const made = new Map<string, FileSpec>();
  const { host, port } = ctx.broker();
  const per = clients.map((c) => ({ c, files: clientFiles(ctx, c, 'certs', made) }));
  const records = per.map(({ c, files }) => {
    const profile = MqttProfileInput.parse({
      name: `${c.cn} @ ${host}:${port}`,
      protocol: 'mqtts',
      host,
      port,
      clientId: c.cn,
      mqttVersion: '5.0',
      tls: { ca: { source: 'system' }, verifyServer: true },
      subscriptions: [{ filter: `${TEST_TOPIC_ROOT}/#`, qos: 1 }],
    });
    const abs = (f: FileSpec | undefined) => (f ? posix.join(ctx.filesAt, f.path) : '');
    return toMqttx({ ...profile, id: randomUUID() }, { ca: abs(files.ca), cert: abs(files.cert), key: abs(files.key) }, ctx.notes);
  });
  return {
    title: 'MQTTX connection',
    files: [
      { path: 'mqttx-connections.json', role: 'config', certificate: clients.map((c) => c.cn).join(', '), encrypted: false, secret: false, purpose: `MQTTX: Import data → JSON → this file. Its certificate paths point at ${posix.join(ctx.filesAt, 'certs')}.`, content: () => `${JSON.stringify(records, null, 2)}\n` },
      ...uniqueFiles(per.flatMap(({ files }) => [files.cert, files.key, files.ca])),
    ],
    keys: ctx.req.includeKey ? clients : [],
    notes: [],
    readme: [`In MQTTX: Connections → ⋯ → Import data → JSON → mqttx-connections.json. The certificate paths are absolute (${posix.join(ctx.filesAt, 'certs')}); if you move this folder, edit them in the connection's SSL settings.`],
  };
}

/** mosquitto: the files in seed 001's names, command lines in its shape, and a listener block for a test broker. */
export function mosquittoTarget(ctx: TargetContext): BuiltExport {
  const leaves = leavesOf(ctx, 'any', 'mosquitto');
  const clients = leaves.filter((c) => !isServer(c));
  const made = new Map<string, FileSpec>();
  const per = clients.map((c) => ({ c, files: clientFiles(ctx, c, '', made) }));
  const { host, port } = ctx.broker();
  const lines: string[] = ['#!/bin/sh', '# Run from this folder. Generated by Fieldbench: one publish and one subscribe per client certificate.', 'set -e', ''];
  for (const { c, files } of per) {
    const profile = MqttProfileInput.parse({ name: c.cn, protocol: 'mqtts', host, port, clientId: c.cn, mqttVersion: '5.0', tls: { ca: { source: 'system' } } });
    const cmdFiles = [files.ca && { role: 'ca' as const, path: files.ca.path, written: true }, { role: 'cert' as const, path: files.cert.path, written: true }, files.key && { role: 'key' as const, path: files.key.path, written: true }].filter(
      (f): f is { role: 'ca' | 'cert' | 'key'; path: string; written: boolean } => Boolean(f),
    );
    const topic = `${TEST_TOPIC_ROOT}/${c.cn}`;
    const pub = mosquittoCommand(profile, { tool: 'mosquitto_pub', topic, message: `example ${c.cn} measurement`, qos: 1 }, cmdFiles, false);
    const sub = mosquittoCommand(profile, { tool: 'mosquitto_sub', topic: `${TEST_TOPIC_ROOT}/#`, qos: 1 }, cmdFiles, false);
    lines.push(`# ${c.cn} → ${host}:${port}`, `# subscribe (leave running in another terminal):`, `# ${sub.command}`, pub.command, '');
    for (const n of [...pub.notes]) ctx.notes.push(`${c.cn}: ${n}`);
  }
  const files: FileSpec[] = [];
  if (per.length > 0) files.push({ path: 'commands.sh', role: 'commands', certificate: clients.map((c) => c.cn).join(', '), encrypted: false, secret: false, purpose: 'mosquitto_pub and mosquitto_sub lines for each client (seed 001\'s shape); run from this folder.', content: () => `${lines.join('\n')}\n` });
  files.push(...uniqueFiles(per.flatMap(({ files: f }) => [f.cert, f.key, f.ca])));
  const keys: Cert[] = ctx.req.includeKey ? [...clients] : [];

  const server = leaves.find(isServer);
  if (server) {
    needKey(ctx, `The mosquitto.conf listener for ${server.cn}`);
    keys.push(server);
    const clientRoots = [...new Map(clients.map((c) => [ctx.rootOf(c).id, ctx.rootOf(c)])).values()];
    const serverFiles: FileSpec[] = [
      { path: `${server.slug}.crt`, role: 'chain', certificate: server.cn, encrypted: false, secret: false, purpose: `${server.cn}: server certificate and intermediates for the test broker (certfile).`, content: () => ctx.pki.exportCertificatePem(server.id, { chain: 'chain' }) },
      { path: `${server.slug}.key`, role: 'key', certificate: server.cn, encrypted: false, secret: true, purpose: `${server.cn}: server key for the test broker (keyfile).`, content: ctx.key(server) },
    ];
    if (ctx.req.passphrase) throw new FieldbenchError('exports.passphraseUnsupported', 'mosquitto reads its keyfile without a passphrase when it starts as a service. Leave out the passphrase for a mosquitto export with a server certificate.');
    const clientCa: FileSpec | undefined = clientRoots.length
      ? { path: 'client-ca.crt', role: 'ca', certificate: clientRoots.map((r) => r.cn).join(', '), encrypted: false, secret: false, purpose: 'The client CA(s) the test broker trusts (cafile); only clients chaining to it may connect.', content: () => clientRoots.map((r) => ctx.pki.exportCertificatePem(r.id)).join('') }
      : undefined;
    const abs = (p: string) => posix.join(ctx.filesAt, p);
    const conf = [
      `# A test listener with ${server.cn}'s certificate, as the AIO X.509 listener behaves: TLS, client certificate required.`,
      `listener ${ctx.req.broker?.port ?? 8883}`,
      `certfile ${abs(serverFiles[0]!.path)}`,
      `keyfile ${abs(serverFiles[1]!.path)}`,
      ...(clientCa ? [`cafile ${abs(clientCa.path)}`, 'require_certificate true', 'use_identity_as_username true'] : ['require_certificate false']),
      'allow_anonymous true',
      '',
    ].join('\n');
    files.push(...serverFiles, ...(clientCa ? [clientCa] : []), { path: 'mosquitto.conf', role: 'config', certificate: server.cn, encrypted: false, secret: false, purpose: `A mosquitto listener block using ${server.cn} (mosquitto -c mosquitto.conf).`, content: () => conf });
  }
  return {
    title: 'mosquitto files and command lines',
    files,
    keys,
    notes: [],
    readme: [
      'Run the lines in commands.sh from this folder: they use the file names as they are here.',
      ...(server ? ['mosquitto.conf uses absolute paths to this folder; `mosquitto -c mosquitto.conf -v` starts a test broker with the server certificate.'] : []),
      `The --cafile is the CA that verifies the broker; --cert holds the client certificate and its intermediates.`,
    ],
  };
}

/**
 * litmus: seed 000's "MQTT over SSL" connector upload set and the AIO side that accepts it — the client
 * CA ConfigMap and an X.509 BrokerAuthentication with authorizationAttributes for the Litmus chain.
 */
export function litmusTarget(ctx: TargetContext): BuiltExport {
  const [client] = leavesOf(ctx, 'client', 'litmus');
  needKey(ctx, 'The Litmus Edge connector');
  const c = client!;
  const chain = ctx.chainOf(c);
  const root = ctx.rootOf(c);
  // Seed 000's names, so these objects are the ones its flow (and the litmus-edge runbook) applies: "Litmus Edge
  // Root CA" gives ConfigMap litmusedge-ca, and the attributes are keyed by role (intermediate, connector).
  const caName = kubeNameOf(`${root.cn.replace(/\s*root\s*ca\s*$/i, '').replace(/\s+/g, '')}-ca`);
  const intermediates = chain.slice(1, -1);
  const attributes: Record<string, { subject: string; attributes: Record<string, string> }> = {};
  intermediates.forEach((link, i) => (attributes[intermediates.length === 1 ? 'intermediate' : `intermediate-${i + 1}`] = { subject: link.summary.subject, attributes: { manufacturer: 'litmus edge' } }));
  attributes['connector'] = { subject: c.summary.subject, attributes: { group: 'connector_group' } };
  const built = ctx.aio.build(
    ApplySpec.parse({
      clientCas: [{ name: caName, certificateIds: [root.id], include: 'selected' }],
      authentications: [{ name: 'litmus-x509', methods: [{ method: 'X509', trustedClientCaCert: caName, authorizationAttributes: attributes }] }],
    }),
  );
  const errors = built.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new FieldbenchError('exports.buildFailed', errors.map((e) => e.sentence).join(' '));
  const { host, port } = ctx.broker();
  const ca = ctx.brokerCa();
  const files: FileSpec[] = [
    { path: 'client-certificate.pem', role: 'chain', certificate: c.cn, encrypted: false, secret: false, purpose: 'Litmus "Client certificate": the connector\'s certificate followed by its intermediate.', content: () => ctx.pki.exportCertificatePem(c.id, { chain: 'chain' }) },
    { path: 'client-key.pem', role: 'key', certificate: c.cn, encrypted: ctx.req.passphrase !== undefined, secret: true, purpose: 'Litmus "Client key": the connector\'s private key.', content: ctx.key(c) },
    ...(ca ? [{ path: 'broker-ca.pem', role: 'ca' as const, certificate: ca.cert.cn, encrypted: false, secret: false, purpose: 'Litmus "CA certificate": the CA that verifies the AIO broker.', content: () => ca.pem }] : []),
    { path: 'broker-authentication.yaml', role: 'yaml', certificate: c.cn, encrypted: false, secret: false, purpose: `AIO side: the ${caName} ConfigMap (client CA) and the X.509 BrokerAuthentication with attributes for the Litmus chain.`, content: () => built.objects.map((o) => yaml(o)).join('---\n') },
  ];
  return {
    title: 'Litmus Edge MQTT over SSL connector',
    files,
    keys: [c],
    notes: [],
    readme: [
      'In Litmus Edge: Integration → Streaming → new connector "MQTT over SSL":',
      `- Host ${host}, port ${port}.`,
      '- Leave Client ID, Username and Password empty (the broker identifies the connector by its certificate).',
      '- Client certificate: client-certificate.pem. Client key: client-key.pem. CA certificate: broker-ca.pem.',
      `On the cluster: \`kubectl apply -f broker-authentication.yaml\`, then put litmus-x509 on the listener port ${port} as its authenticationRef.`,
      'A green status on the connector means the connection is up.',
    ],
  };
}

