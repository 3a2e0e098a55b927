import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFieldbenchSync } from '../../support/cli/fieldbench-cli';
import type { MatrixPlanT, MatrixResultT } from '@shared/contract/mqtt-matrix-contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import { edgeBrokerAvailability, startSatFrontInNode } from '../../support/broker-lab/sat-front-in-node.js';
import { generateLabPki, signServerCertificate, type LabPki } from '../../support/broker-lab/lab-pki.js';
import { startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture.js';

// Issue 6 "Done when" against the edge test host: the Kubernetes API emulator and the broker lab run inside
// the node, the listeners are declared in the cluster with the app's own aio.apply, and the matrix plans
// from the node's AIO discovery (LoadBalancer external IP, NodePort on the node's address, the default
// ClusterIp listener through the SSH tunnel) and runs through the dispatcher and the CLI.

const ROOT = resolve(import.meta.dirname, '../../..');
const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const PASSWORD = 'matrix edge vault password';
const NS = 'azure-iot-operations';
const ISSUER = 'azure-iot-operations-aio-certificate-issuer';

const avail = edgeBrokerAvailability();
if (!avail.ok) console.warn(`[mqtt matrix edge] tests skipped: ${avail.reason}`);

type Ok<T> = { ok: true; value: T };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call<T = any>(app: AppContext, name: string, req: unknown, jobId?: string): Promise<T> {
  const res = await app.dispatcher.dispatch(name, req, jobId ? { jobId } : {});
  if (!res.ok) throw Object.assign(new Error(`${name}: ${res.error.message}`), res.error);
  return (res as Ok<T>).value;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe.skipIf(!avail.ok)('listener matrix on the edge test host: discovery → plan → run, from the app and the CLI', () => {
  let edge: EdgeLab;
  let broker: BrokerLab;
  let app: AppContext | undefined;
  let work: string;
  let dataDir: string;
  let nodeId: string;
  let labPki: LabPki;
  let clientLeafId: string;
  let strangerRootId: string;
  let clusterIp: string;
  let defaultDns: string;
  let goodServer: { certPem: string; keyPem: string };
  let noIpServer: { certPem: string; keyPem: string };
  const fronts: ChildProcess[] = [];
  const ports = { plain: 0, tls: 0, mtls: 0, sat: 0 };

  const kubectlJson = async (args: string[]) => {
    const r = await edge.kubectl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  /** The K8S-SAT front inside the node, bridged to the lab's plain listener (one bus). */
  const startSatFront = async (name: string, host: string, port: number) => {
    const front = await startSatFrontInNode(edge, { name, host, port, certFile: broker.files.serverChain, keyFile: broker.files.serverKey, upstream: { host: broker.host, port: broker.listeners.plain.port }, workDir: work });
    fronts.push(front.child);
    return front.output;
  };

  /** Serves other material from the lab's mosquitto (same ports) — what a re-issued or mis-issued Secret does. */
  const reserve = async (server: { certPem: string; keyPem: string }, clientCaPem: string) => {
    writeFileSync(broker.files.serverChain, server.certPem);
    writeFileSync(broker.files.serverKey, server.keyPem, { mode: 0o600 });
    writeFileSync(broker.files.clientCa, clientCaPem);
    await broker.restart();
  };

  const applySpec = (clientCaIds: string[]) => {
    const tls = { mode: 'Automatic', issuerRef: { name: ISSUER, kind: 'ClusterIssuer' }, san: { ip: [edge.host.nodeAddress], dns: [] } };
    return {
      clientCas: [{ name: 'fb-client-ca', certificateIds: clientCaIds }],
      authentications: [
        { name: 'fb-x509', methods: [{ method: 'X509', trustedClientCaCert: 'fb-client-ca' }] },
        { name: 'fb-sat', methods: [{ method: 'ServiceAccountToken', audiences: ['aio-internal'] }] },
      ],
      listeners: [
        { name: 'fb-nodeport', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: ports.plain }] },
        {
          name: 'fb-loadbalancer',
          serviceType: 'LoadBalancer',
          ports: [
            { port: ports.tls, tls },
            { port: ports.mtls, authenticationRef: 'fb-x509', tls },
            { port: ports.sat, authenticationRef: 'fb-sat', tls },
          ],
        },
      ],
    };
  };

  const runMatrix = async (over: Record<string, unknown> = {}) =>
    call<MatrixResultT>(app!, 'mqtt.matrixRun', { nodeId, connectTimeoutSeconds: 8, deliveryTimeoutMs: 4000, ...over }, `matrix-${Math.random().toString(16).slice(2)}`);
  const row = (r: MatrixResultT, listener: string, port: number) => {
    const t = r.targets.find((x) => x.listener === listener && (x.port === port || x.label.includes(`:${port} `)));
    if (!t) throw new Error(`no target for ${listener}:${port} in ${JSON.stringify(r.targets.map((x) => x.label))}`);
    return r.rows.find((x) => x.targetId === t.id)!;
  };

  const cli = (args: string[]) => {
    // npm test builds once and sets FIELDBENCH_SKIP_BUILD; run alone without a build, the first call builds.
    const env: NodeJS.ProcessEnv = { ...(existsSync(join(ROOT, 'out/main/cli.js')) ? { FIELDBENCH_SKIP_BUILD: '1' } : {}), FIELDBENCH_VAULT_PASSWORD: PASSWORD };
    return runFieldbenchSync([...args, '--data-dir', dataDir], { env, timeoutMs: 90_000 });
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fb-matrix-edge-'));
    dataDir = join(work, 'data');
    edge = await startEdgeLab();
    const nodeAddress = edge.host.nodeAddress;

    // What the fresh install put there: the issuer's CA (to sign what cert-manager would issue), the default
    // listener's Service address and the names of its certificate.
    const caSecret = await kubectlJson(['get', 'secret', '-n', 'cert-manager', 'azure-iot-operations-aio-ca-certificate']);
    const caCertPem = Buffer.from(caSecret['data']['tls.crt'], 'base64').toString('utf8');
    const caKeyPem = Buffer.from(caSecret['data']['tls.key'], 'base64').toString('utf8');
    clusterIp = (await kubectlJson(['get', 'service', '-n', NS, 'aio-broker']))['spec']['clusterIP'];
    const dnsNames = (await kubectlJson(['get', 'certificate', '-n', NS, 'aio-broker-frontend-server-18883']))['spec']['dnsNames'] as string[];
    defaultDns = dnsNames[0]!;
    // Signed by the cluster issuer, as the Automatic TLS Certificates would be; one file serves every TLS port.
    goodServer = await signServerCertificate({ dir: join(work, 'server'), caCertPem, caKeyPem, names: [nodeAddress, ...dnsNames], name: 'good' });
    noIpServer = await signServerCertificate({ dir: join(work, 'server'), caCertPem, caKeyPem, names: dnsNames, name: 'no-ip' });
    labPki = await generateLabPki({ dir: join(work, 'client-pki') });

    // The ClusterIP answers inside the node (a real cluster's kube-proxy would route it); only the node sees it.
    const addr = await edge.host.execInNode('ip', ['addr', 'add', `${clusterIp}/32`, 'dev', 'lo']);
    if (addr.code !== 0) throw new Error(`ip addr add ${clusterIp}: ${addr.stderr}`);

    // The plain port doubles as the NodePort, so it sits in the NodePort range above the emulator's allocations.
    ports.plain = 31000 + Math.floor(Math.random() * 1700);
    broker = await startBrokerLab({ edgeHost: edge.host, ports: { plain: ports.plain }, pki: { serverChainPem: goodServer.certPem, serverKeyPem: goodServer.keyPem, clientCaPem: labPki.clientCaPem } });
    ports.tls = broker.listeners.tls.port;
    ports.mtls = broker.listeners.mtls.port;
    ports.sat = ports.mtls + 1 === ports.tls ? ports.mtls + 2 : ports.mtls + 1;
    await startSatFront('lb', nodeAddress, ports.sat);
    // The default listener (ClusterIp, 18883, authenticationRef default = K8S-SAT) behind the Service address.
    await startSatFront('default', clusterIp, 18883);

    app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
    await call(app, 'vault.create', { password: PASSWORD });
    const imported = await call(app, 'pki.import', {
      files: [
        { name: 'client-chain.pem', dataBase64: b64(labPki.clientChainPem) },
        { name: 'client.key', dataBase64: b64(labPki.clientKeyPem) },
        { name: 'stranger-root.crt', dataBase64: b64(readFileSync(join(labPki.dir, 'stranger-root.crt'), 'utf8')) },
      ],
    }, 'import');
    clientLeafId = imported.results[0].certificateIds[0];
    strangerRootId = imported.results[2].certificateIds[0];
    const key = await call(app, 'edge.importKey', { privateKey: edge.host.clientKey.privateKey });
    const node = await call(app, 'edge.saveNode', { name: 'edge-matrix', host: nodeAddress, user: edge.host.users.key.name, auth: { method: 'key', keyId: key.id }, sudoPassword: edge.host.users.key.sudoPassword });
    nodeId = node.id;
    await call(app, 'edge.trustHostKey', { nodeId, fingerprint: edge.host.hostKeys.ed25519.fingerprint });
    // The cluster's client trust bundle into the vault: the CA the matrix verifies every TLS listener with.
    await call(app, 'aio.importTrustBundle', { nodeId });
    const applied = await call(app, 'aio.apply', { nodeId, spec: applySpec([clientLeafId]) }, 'apply');
    if (!applied.complete) throw new Error(`aio.apply: ${applied.summary}`);
  }, 180_000);

  afterAll(async () => {
    await app?.dispose();
    for (const f of fronts) f.kill();
    await broker?.stop();
    await edge?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('plans every listener from discovery: NodePort on the node address, LoadBalancer IP, ClusterIp through the tunnel, with the right auth', async () => {
    const plan = await call<MatrixPlanT>(app!, 'mqtt.matrixPlan', { nodeId });
    const nodeAddress = edge.host.nodeAddress;
    const summary = plan.targets.map((t) => `${t.listener} ${t.host}:${t.port} ${t.tls ? 'tls' : 'plain'} ${t.auth.method} ${t.route.kind}${t.servername ? ` ${t.servername}` : ''}`).sort();
    expect(summary).toEqual(
      [
        `default ${clusterIp}:18883 tls sat sshTunnel ${defaultDns}`,
        `fb-loadbalancer ${nodeAddress}:${ports.mtls} tls x509 direct`,
        `fb-loadbalancer ${nodeAddress}:${ports.sat} tls sat direct`,
        `fb-loadbalancer ${nodeAddress}:${ports.tls} tls none direct`,
        `fb-nodeport ${nodeAddress}:${ports.plain} plain none direct`,
      ].sort(),
    );
    expect(plan.skipped).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(plan.targets.find((t) => t.auth.method === 'x509')!.auth).toEqual({ method: 'x509', certificateId: clientLeafId });
  }, 60_000);

  it('runs through the dispatcher: every listener green and cross-delivery complete', async () => {
    const phases: string[] = [];
    const off = app!.hub.on('mqtt.onMatrixProgress', (e) => phases.push((e as { phase: string }).phase));
    const result = await runMatrix();
    off();
    const failing = result.rows.filter((r) => !r.ok).map((r) => `${r.targetId}: ${r.diagnosis?.sentence}`);
    expect(failing, broker.logs().slice(-2000)).toEqual([]);
    expect(result.summary).toEqual({ total: 5, passed: 5, failed: 0, crossDeliveryComplete: true });
    for (const r of result.rows) expect(r.received.map((x) => x.fromTargetId).sort()).toEqual(result.targets.map((t) => t.id).sort());
    const tlsRow = row(result, 'fb-loadbalancer', ports.tls);
    expect(tlsRow.tls.verdict).toBe('ok');
    expect(row(result, 'default', 18883).auth.verdict).toBe('accepted');
    expect(row(result, 'fb-loadbalancer', ports.mtls).auth.verdict).toBe('accepted');
    expect(phases).toEqual(expect.arrayContaining(['plan', 'connect', 'collect', 'done']));
    expect(JSON.stringify(result)).not.toMatch(/PRIVATE KEY|eyJ[A-Za-z0-9_-]{20,}/);
  }, 60_000);

  it('the CLI probe exits 0 on the healthy node', () => {
    const r = cli(['mqtt', 'probe', '--node', 'edge-matrix']);
    expect(r.stdout, r.stderr).toMatch(/5 of 5 listeners passed/);
    expect(r.code).toBe(0);
  }, 90_000);

  it('a server certificate without the node IP: the LoadBalancer TLS ports say so with the SANs and a re-issue; the CLI exits 1', async () => {
    await reserve(noIpServer, labPki.clientCaPem);
    try {
      const result = await runMatrix();
      const tls = row(result, 'fb-loadbalancer', ports.tls);
      expect(tls.ok).toBe(false);
      expect(tls.diagnosis).toMatchObject({ code: 'mqtt.nameNotInSans' });
      expect(tls.diagnosis!.sentence).toContain(`does not list ${edge.host.nodeAddress}`);
      expect(tls.diagnosis!.sentence).toContain(defaultDns);
      expect(tls.diagnosis!.fixes[0]!.action).toMatchObject({ call: 'pki.createServer', sans: expect.arrayContaining([edge.host.nodeAddress]) });
      // The name checked through the tunnel is the certificate's DNS name, so the ClusterIp listener stays green.
      expect(row(result, 'default', 18883).ok).toBe(true);
      expect(row(result, 'fb-nodeport', 1883).ok).toBe(true);
      expect(result.summary.crossDeliveryComplete).toBe(false);

      const probe = cli(['mqtt', 'probe', '--node', 'edge-matrix']);
      expect(probe.code, probe.stderr).toBe(1);
      expect(probe.stdout).toMatch(new RegExp(`does not list ${edge.host.nodeAddress.replace(/\./g, '\\.')}`));
    } finally {
      await reserve(goodServer, labPki.clientCaPem);
    }
  }, 120_000);

  it('an X.509 listener whose ConfigMap trusts another CA: the plan finds no client certificate, and the one forced is refused', async () => {
    await call(app!, 'aio.apply', { nodeId, spec: applySpec([strangerRootId]) }, 'apply-stranger');
    // The broker trusts what the ConfigMap holds.
    await reserve(goodServer, readFileSync(join(labPki.dir, 'stranger-root.crt'), 'utf8'));
    try {
      const plan = await call<MatrixPlanT>(app!, 'mqtt.matrixPlan', { nodeId });
      const x509 = plan.targets.find((t) => t.listener === 'fb-loadbalancer' && t.port === ports.mtls)!;
      expect(x509.auth.method).toBe('none');
      expect(x509.notes.join(' ')).toContain('No client certificate in the vault chains to ConfigMap fb-client-ca');

      const result = await runMatrix({ clientCertificateId: clientLeafId });
      const r = row(result, 'fb-loadbalancer', ports.mtls);
      expect(r.ok).toBe(false);
      expect(r.auth.verdict).toBe('refused');
      // Named by its common name, never by its internal id (issue 14).
      expect(r.diagnosis!.sentence).toMatch(/refused the client certificate "[^"]+"/);
      expect(r.diagnosis!.sentence).not.toContain(clientLeafId);
      expect(r.diagnosis!.sentence).toContain('fb-client-ca');
      expect(row(result, 'fb-loadbalancer', ports.tls).ok).toBe(true);
    } finally {
      await call(app!, 'aio.apply', { nodeId, spec: applySpec([clientLeafId]) }, 'apply-restore');
      await reserve(goodServer, labPki.clientCaPem);
    }
  }, 120_000);

  it('a publish the broker\'s authorization denies: PUBACK reason 135 on the X.509 listener, said in a sentence', async () => {
    // Anonymous clients (plain, TLS, the SAT fronts' bridges) may do anything; the X.509 user (its CN) may only read.
    const acl = join(broker.files.dir, 'acl');
    writeFileSync(acl, `topic readwrite #\n\nuser ${labPki.clientCn}\ntopic read fieldbench/#\n`);
    const config = readFileSync(broker.files.config, 'utf8');
    writeFileSync(broker.files.config, `${config}\nacl_file ${acl}\n`);
    await broker.restart();
    try {
      const result = await runMatrix({ deliveryTimeoutMs: 2500 });
      const r = row(result, 'fb-loadbalancer', ports.mtls);
      expect(r.ok).toBe(false);
      expect(r.auth.verdict).toBe('accepted');
      expect(r.publish).toMatchObject({ ok: false, reasonCode: 135 });
      expect(r.diagnosis).toMatchObject({ code: 'mqtt.notAuthorized' });
      expect(r.diagnosis!.sentence).toMatch(/refused to let this client publish on the probe topic \(reason 135, not authorized\)/);
      // It still receives everyone else's probes; nobody receives its own.
      expect(r.received.length).toBe(4);
      expect(row(result, 'fb-nodeport', 1883).received.map((x) => x.fromTargetId)).not.toContain(r.targetId);
      expect(result.summary).toMatchObject({ passed: 4, failed: 1, crossDeliveryComplete: false });
    } finally {
      writeFileSync(broker.files.config, config);
      await broker.restart();
    }
  }, 60_000);
});
