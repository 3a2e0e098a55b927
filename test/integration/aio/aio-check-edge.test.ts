import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { AioCheckItemT, AioCheckResultT } from '@shared/contract/aio-contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { startAioOperator, type AioOperator } from '../../support/broker-lab/aio-operator';
import { generateLabPki } from '../../support/broker-lab/lab-pki';
import { startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture';
import { craftCertificate } from '../../support/pki/craft-certificate';
import { addEdgeNode, aioEdgeAvailability, dispatch, stopEdgeSuite, WEAK_KDF } from './aio-edge-fixture';
import { aioCli, CLI_PASSWORD } from './aio-cli-fixture';

// Issue 11 "Done when": `aio check` on the edge test host — the Kubernetes API emulator and the AIO operator
// stand-in inside the node, so the live TLS + MQTT connect reaches a broker on every listener port — lists
// every check with the right level for a healthy seed 001 install and for each fault built on purpose, from
// the dispatcher and from `fieldbench aio check --json`.

const NS = 'azure-iot-operations';
const LB = 'loadbalancer-listener';
const avail = aioEdgeAvailability();
if (!avail.ok) console.warn(`[aio check edge] tests skipped: ${avail.reason}`);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const level = (r: { checks: AioCheckItemT[] }, id: string) => r.checks.find((c) => c.id === id)?.level;
const notPassing = (r: { checks: AioCheckItemT[] }) => r.checks.filter((c) => c.level !== 'pass').map((c) => `${c.level} ${c.id}: ${c.sentence}`);

describe.skipIf(!avail.ok)('aio check on the edge test host, with the AIO operator stand-in serving the listeners', () => {
  let edge: EdgeLab;
  let op: AioOperator;
  let app: AppContext;
  let work: string;
  let dataDir: string;
  let node: string;
  let nodeId: string;
  let spec: Record<string, unknown>;
  let strangerRootId: string;
  let clientIntId: string;

  const check = (extra: Record<string, unknown> = {}) => dispatch<AioCheckResultT>(app, 'aio.check', { nodeId, nodeAddresses: [node], ...extra }, `check-${Math.random().toString(16).slice(2)}`);
  const cliCheck = async () => {
    const r = await aioCli(['check', '--node', 'edge-check', '--address', node, '--json'], dataDir);
    return { code: r.code, stderr: r.stderr, ...(JSON.parse(r.stdout) as AioCheckResultT) };
  };
  const kubectlApply = async (o: Record<string, unknown>) => {
    const r = await edge.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'technician', '-f', '-'], JSON.stringify(o));
    if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
  };
  const kubectl = async (...args: string[]) => {
    const r = await edge.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  };
  const listener = (name: string, s: Record<string, unknown>) => ({ apiVersion: 'mqttbroker.iotoperations.azure.com/v1', kind: 'BrokerListener', metadata: { name, namespace: NS }, spec: { brokerRef: 'default', ...s } });
  const serverSecret = (certPem: string, keyPem: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'broker-server-cert', namespace: NS }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(certPem), 'tls.key': b64(keyPem) } });
  /** Puts the healthy install back and waits until the operator serves its certificate again. */
  const restore = async () => {
    const applied = await dispatch(app, 'aio.apply', { nodeId, spec, force: true }, `restore-${Math.random().toString(16).slice(2)}`);
    if (!applied.complete) throw new Error(`aio.apply: ${applied.summary}`);
    await op.waitFor((s) => s.ports.some((p) => p.listener === LB && p.port === 8883 && p.binds.length > 0 && p.auth === 'x509'), { what: 'the healthy listener served again' });
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fb-aio-check-edge-'));
    dataDir = join(work, 'data');
    edge = await startEdgeLab();
    node = edge.host.nodeAddress;
    op = await startAioOperator(edge);

    app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK_KDF } });
    await dispatch(app, 'vault.create', { password: CLI_PASSWORD });
    const issue = async (call: string, req: Record<string, unknown>) => (await dispatch(app, call, req, `${call}-${Math.random().toString(16).slice(2)}`)).certificate.id as string;
    const root = await issue('pki.createRoot', { subject: { commonName: 'Broker Root CA' } });
    const int = await issue('pki.createIntermediate', { subject: { commonName: 'Broker Intermediate CA' }, issuerId: root });
    const server = await issue('pki.createServer', { subject: { commonName: 'mqtts-endpoint' }, sans: [node, 'mqtts-endpoint'], issuerId: int });
    const clientRoot = await issue('pki.createRoot', { subject: { commonName: 'Clients42 Root CA' } });
    clientIntId = await issue('pki.createIntermediate', { subject: { commonName: 'Clients42 Intermediate CA' }, issuerId: clientRoot });
    await dispatch(app, 'pki.createClients', { clientIds: ['client42-1'], issuerId: clientIntId }, 'clients');
    strangerRootId = await issue('pki.createRoot', { subject: { commonName: 'Stranger Root CA' } });

    nodeId = await addEdgeNode(app, edge, 'edge-check');
    // The cluster's CA into the vault, so the default listener's automatic certificate is trusted by the live connect.
    await dispatch(app, 'aio.importTrustBundle', { nodeId }, 'trust');
    // Seed 001: Secret, client CA ConfigMap, X.509 policy, LoadBalancer listener on 8883 with Manual TLS.
    spec = {
      serverSecrets: [{ name: 'broker-server-cert', certificateId: server }],
      clientCas: [{ name: 'clients42-ca', certificateIds: [clientRoot], include: 'selected' }],
      authentications: [{ name: 'x509-policy', methods: [{ method: 'X509', trustedClientCaCert: 'clients42-ca' }] }],
      listeners: [{ name: LB, serviceName: 'loadbalancer-listener-service', serviceType: 'LoadBalancer', ports: [{ port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Manual', secretName: 'broker-server-cert' } }] }],
    };
    await restore();
    await op.waitServing('default', 18883);
  }, 240_000);

  afterAll(() => stopEdgeSuite({ app, op, edge, work }), 60_000);

  it('a healthy install passes every check, with a live TLS + MQTT connect on each listener port (dispatcher)', async () => {
    const r = await check();
    expect(notPassing(r), op.logs()).toEqual([]);
    expect(r.summary.fail).toBe(0);
    for (const id of ['broker-count', `listener-service:${LB}`, `listener-ingress:${LB}`, `listener-tls:${LB}:8883`, `listener-authn:${LB}:8883`, 'authn-x509-ca:x509-policy', 'authn-sat-audiences:default', 'sans-ok', 'clients-ok', `live:${LB}:8883`, 'live:default:18883']) {
      expect(level(r, id), id).toBe('pass');
    }
    expect(r.checks.find((c) => c.id === `listener-ingress:${LB}`)!.sentence).toBe(`LoadBalancer ingress: ${node}.`);
  }, 120_000);

  it('the same from the CLI: --json, exit 0', async () => {
    const r = await cliCheck();
    expect(r.code, r.stderr).toBe(0);
    expect(notPassing(r)).toEqual([]);
    expect(level(r, `live:${LB}:8883`)).toBe('pass');
  }, 120_000);

  it('certificate missing: the Secret is gone, the port is not served; fail, and the CLI exits 1', async () => {
    onTestFinished(restore);
    await kubectl('delete', 'secret', '-n', NS, 'broker-server-cert');
    await op.waitFor((s) => s.ports.some((p) => p.listener === LB && p.port === 8883 && p.binds.length === 0), { what: 'port 8883 not served' });
    const r = await cliCheck();
    expect(r.code).toBe(1);
    expect(level(r, `listener-secret-missing:${LB}:8883`)).toBe('fail');
    expect(level(r, `live:${LB}:8883`)).toBe('fail');
    expect(level(r, 'live:default:18883')).toBe('pass');
  }, 120_000);

  it('an expired server certificate: fail on its dates and on the live connect', async () => {
    onTestFinished(restore);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const expired = await craftCertificate({ cn: 'mqtts-endpoint', key: privateKey, notBefore: new Date(Date.now() - 40 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    await kubectlApply(serverSecret(expired.node.toString(), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()));
    await op.waitServing(LB, 8883, { certSha256: createHash('sha256').update(expired.der).digest('hex') });
    const r = await check();
    expect(level(r, `server-cert-expired:${LB}:8883`)).toBe('fail');
    expect(level(r, `live:${LB}:8883`)).toBe('fail');
  }, 120_000);

  it('a server certificate without the node IP: the SAN check and the live connect fail', async () => {
    onTestFinished(restore);
    const pki = await generateLabPki({ dir: join(work, 'no-ip'), serverNames: ['mqtts-endpoint'] });
    await kubectlApply(serverSecret(pki.serverChainPem, pki.serverKeyPem));
    await op.waitFor((s) => s.ports.some((p) => p.listener === LB && p.port === 8883 && p.binds.length > 0 && p.auth === 'x509'), { what: 'the new Secret served' });
    const r = await check();
    expect(level(r, `server-cert-san:${LB}:8883:${node}`)).toBe('fail');
    expect(r.checks.find((c) => c.id === `server-cert-san:${LB}:8883:${node}`)!.sentence).toContain(`does not list ${node}`);
    expect(level(r, `live:${LB}:8883`)).toBe('fail');
  }, 120_000);

  it('a client CA ConfigMap that trusts another CA: the vault\'s clients do not chain, and the broker refuses them', async () => {
    onTestFinished(restore);
    await dispatch(app, 'aio.apply', { nodeId, spec: { clientCas: [{ name: 'clients42-ca', certificateIds: [strangerRootId], include: 'selected' }] } }, 'stranger-ca');
    await op.waitFor((s) => s.ports.some((p) => p.listener === LB && p.port === 8883 && p.binds.length > 0), { what: 'port 8883 served with the stranger CA' });
    const r = await check();
    // A warning, not a fail: clients outside the vault may still chain; the broker's refusal is the live fail.
    const chaining = r.checks.filter((c) => c.id.startsWith('client-ca-not-chaining:x509-policy:'));
    expect(chaining.map((c) => c.level)).toEqual(['warn']);
    expect(level(r, `live:${LB}:8883`)).toBe('fail');
  }, 120_000);

  it('a Service of another type under the listener\'s serviceName: fail for the listener whose type does not match', async () => {
    onTestFinished(async () => {
      await kubectl('delete', 'brokerlistener', '-n', NS, 'nodeport-listener');
    });
    await kubectlApply(listener('nodeport-listener', { serviceName: 'loadbalancer-listener-service', serviceType: 'NodePort', ports: [{ port: 1884, nodePort: 31884 }] }));
    const r = await check({ live: false });
    expect(level(r, 'listener-service:nodeport-listener')).toBe('fail');
    expect(r.checks.find((c) => c.id === 'listener-service:nodeport-listener')!.sentence).toBe('Service loadbalancer-listener-service is LoadBalancer, but listener nodeport-listener asks for NodePort.');
    expect(level(r, `listener-service:${LB}`)).toBe('pass');
  }, 120_000);

  it('a LoadBalancer that servicelb cannot place (its port is taken): no ingress IP is a warning', async () => {
    onTestFinished(async () => {
      await kubectl('delete', 'brokerlistener', '-n', NS, 'second-lb');
      await kubectl('delete', 'service', '-n', NS, 'second-lb', '--ignore-not-found');
    });
    await kubectlApply(listener('second-lb', { serviceType: 'LoadBalancer', ports: [{ port: 8883 }] }));
    const r = await check({ live: false });
    expect(level(r, 'listener-ingress:second-lb')).toBe('warn');
    expect(r.checks.find((c) => c.id === 'listener-ingress:second-lb')!.sentence).toBe('Service second-lb has no LoadBalancer ingress IP yet; clients outside the cluster cannot reach it.');
    expect(level(r, `listener-ingress:${LB}`)).toBe('pass');
  }, 120_000);

  it('an authenticationRef that does not exist: fail, and the operator does not serve the port', async () => {
    onTestFinished(async () => {
      await kubectl('delete', 'brokerlistener', '-n', NS, 'dangling');
    });
    await kubectlApply(listener('dangling', { serviceType: 'NodePort', ports: [{ port: 1885, nodePort: 31885, authenticationRef: 'nope' }] }));
    await op.waitFor((s) => s.ports.some((p) => p.listener === 'dangling' && p.problem?.includes('nope')), { what: 'the dangling port refused' });
    const r = await check();
    expect(level(r, 'listener-authn:dangling:1885')).toBe('fail');
    // The live row names the port it reached: the NodePort on the node's address.
    expect(r.checks.find((c) => c.id === 'live:dangling:31885')).toMatchObject({ level: 'fail', sentence: expect.stringContaining('the port is closed') });
  }, 120_000);

  it('a port that does not answer: the live connect fails on every port while the broker is down', async () => {
    await op.stop();
    onTestFinished(async () => {
      op = await startAioOperator(edge);
      await op.waitServing(LB, 8883);
    });
    const r = await check();
    expect(level(r, `live:${LB}:8883`)).toBe('fail');
    expect(level(r, 'live:default:18883')).toBe('fail');
    // What the cluster says is still fine: only the connect tells.
    expect(level(r, `listener-service:${LB}`)).toBe('pass');
  }, 120_000);

  it('a client chain that mixes EC and RSA in the vault: fail', async () => {
    const mixed = await dispatch(app, 'pki.createClients', { clientIds: ['mixed-client'], issuerId: clientIntId, keyAlgorithm: 'rsa-2048', allowMixedKeyFamilies: true }, 'mixed');
    const r = await check({ live: false });
    expect(level(r, `client-chain-mixed-keys:${mixed.certificates[0].id}`)).toBe('fail');
  }, 120_000);
});
