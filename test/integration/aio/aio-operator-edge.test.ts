import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { startAioOperator, tcpOpen, type AioOperator } from '../../support/broker-lab/aio-operator';
import { generateLabPki, type LabPki } from '../../support/broker-lab/lab-pki';
import { mosquittoPub } from '../../support/broker-lab/mosquitto-clients';
import { startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture';
import { addEdgeNode, aioEdgeAvailability, dispatch, stopEdgeSuite, WEAK_KDF } from './aio-edge-fixture';

// The AIO operator stand-in on the edge test host: listeners declared with Fieldbench's own aio.apply are
// served in the node by mosquitto as the AIO broker would serve them, and follow the cluster's objects.

const NS = 'azure-iot-operations';
const ISSUER = 'azure-iot-operations-aio-certificate-issuer';
const avail = aioEdgeAvailability();
if (!avail.ok) console.warn(`[aio operator edge] tests skipped: ${avail.reason}`);
const call = dispatch;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const fileB64 = (path: string) => b64(readFileSync(path, 'utf8'));

/** The leaf the port serves, read with a TLS handshake that trusts nothing (only the certificate matters). */
function servedLeaf(host: string, port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host, port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerCertificate().raw;
      s.destroy();
      resolve(new X509Certificate(raw));
    });
    s.setTimeout(5000, () => s.destroy(new Error('TLS handshake timed out')));
    s.once('error', reject);
  });
}

describe.skipIf(!avail.ok)('AIO operator stand-in on the edge test host', () => {
  let edge: EdgeLab;
  let op: AioOperator;
  let app: AppContext | undefined;
  let work: string;
  let pki: LabPki;
  let other: LabPki;
  let node: string;

  const pub = (port: number, extra: string[]) => mosquittoPub(['-h', node, '-p', String(port), '-t', 'fieldbench/op', '-m', 'hello', '-q', '1', '-V', 'mqttv5', ...extra]);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fb-aio-operator-'));
    edge = await startEdgeLab();
    node = edge.host.nodeAddress;
    [pki, other] = await Promise.all([
      generateLabPki({ dir: join(work, 'pki'), serverNames: [node] }),
      generateLabPki({ dir: join(work, 'other'), serverNames: [node] }),
    ]);
    op = await startAioOperator(edge);

    app = composeApp({ dataDir: join(work, 'data'), runtime: 'cli', vault: { createOptions: WEAK_KDF } });
    await call(app, 'vault.create', { password: 'aio operator vault password' });
    const imported = await call(app, 'pki.import', {
      files: [
        { name: 'server-chain.pem', dataBase64: fileB64(pki.serverChainFile) },
        { name: 'server.key', dataBase64: fileB64(pki.serverKeyFile) },
        { name: 'client-root.crt', dataBase64: fileB64(pki.clientCaFile) },
      ],
    }, 'import');
    const serverId = imported.results[0].certificateIds[0];
    const clientRootId = imported.results[2].certificateIds[0];
    const nodeId = await addEdgeNode(app, edge, 'edge-op');
    const applied = await call(app, 'aio.apply', {
      nodeId,
      spec: {
        serverSecrets: [{ name: 'broker-server-cert', certificateId: serverId }],
        clientCas: [{ name: 'clients-ca', certificateIds: [clientRootId], include: 'selected' }],
        authentications: [{ name: 'x509-policy', methods: [{ method: 'X509', trustedClientCaCert: 'clients-ca' }] }],
        listeners: [
          {
            name: 'loadbalancer-listener',
            serviceName: 'loadbalancer-listener-service',
            serviceType: 'LoadBalancer',
            ports: [
              { port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Manual', secretName: 'broker-server-cert' } },
              { port: 8884, tls: { mode: 'Automatic', issuerRef: { name: ISSUER, kind: 'ClusterIssuer' }, san: { ip: [node], dns: [] } } },
              { port: 1883 },
            ],
          },
        ],
      },
    }, 'apply');
    if (!applied.complete) throw new Error(`aio.apply: ${applied.summary}`);
  }, 240_000);

  afterAll(() => stopEdgeSuite({ app, op, edge, work }), 60_000);

  it('serves Manual TLS with X.509: a client certificate of the ConfigMap\'s CA publishes, a foreign one and none are refused', async () => {
    const served = await op.waitServing('loadbalancer-listener', 8883);
    expect(served).toMatchObject({ tls: true, auth: 'x509' });
    // The LoadBalancer IP servicelb hands out is the node's address.
    expect(served.binds).toContainEqual({ host: node, port: 8883 });
    const ok = await pub(8883, ['--cafile', pki.serverCaFile, '--cert', pki.clientChainFile, '--key', pki.clientKeyFile]);
    expect(ok.code, ok.stderr + op.logs()).toBe(0);
    const foreign = await pub(8883, ['--cafile', pki.serverCaFile, '--cert', pki.strangerChainFile, '--key', pki.strangerKeyFile]);
    expect(foreign.code).not.toBe(0);
    const none = await pub(8883, ['--cafile', pki.serverCaFile]);
    expect(none.code).not.toBe(0);
    // The served leaf is the vault's server certificate, which the other lab's root does not sign.
    const wrongCa = await pub(8883, ['--cafile', other.serverCaFile, '--cert', pki.clientChainFile, '--key', pki.clientKeyFile]);
    expect(wrongCa.code).not.toBe(0);
  }, 60_000);

  it('serves Automatic TLS from the Secret cert-manager wrote, and a port without authentication to anyone', async () => {
    const auto = await op.waitServing('loadbalancer-listener', 8884);
    expect(auto).toMatchObject({ tls: true, auth: 'none' });
    const secret = JSON.parse((await edge.kubectl(['get', 'secret', '-n', NS, 'aio-broker-frontend-server-8884', '-o', 'json'])).stdout) as { data: Record<string, string> };
    const issued = new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64').toString());
    expect((await servedLeaf(node, 8884)).fingerprint256).toBe(issued.fingerprint256);
    const r = await pub(8884, ['--cafile', join(edge.kubeDir, 'aio-ca.crt')]);
    expect(r.code, r.stderr + op.logs()).toBe(0);
    await op.waitServing('loadbalancer-listener', 1883);
    const plain = await pub(1883, []);
    expect(plain.code, plain.stderr).toBe(0);
  }, 60_000);

  it('follows an edit of the Secret: the port serves the new certificate', async () => {
    const before = await servedLeaf(node, 8883);
    const yaml = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'broker-server-cert', namespace: NS },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(other.serverChainPem), 'tls.key': b64(other.serverKeyPem) },
    });
    const applied = await edge.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'technician', '-f', '-'], yaml);
    expect(applied.code, applied.stderr).toBe(0);
    const next = new X509Certificate(other.serverChainPem);
    await op.waitServing('loadbalancer-listener', 8883, { certSha256: createHash('sha256').update(next.raw).digest('hex') });
    const after = await servedLeaf(node, 8883);
    expect(after.fingerprint256).toBe(next.fingerprint256);
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    const r = await pub(8883, ['--cafile', other.serverCaFile, '--cert', pki.clientChainFile, '--key', pki.clientKeyFile]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('stops the ports of a deleted listener', async () => {
    const del = await edge.kubectl(['delete', 'brokerlistener', '-n', NS, 'loadbalancer-listener']);
    expect(del.code, del.stderr).toBe(0);
    await op.waitFor((s) => !s.ports.some((p) => p.listener === 'loadbalancer-listener'), { what: 'the deleted listener gone' });
    expect(await tcpOpen(node, 8883)).toBe(false);
    expect(await tcpOpen(node, 1883)).toBe(false);
    // The default listener is untouched.
    expect(op.state().ports.find((p) => p.listener === 'default' && p.port === 18883)).toMatchObject({ auth: 'sat', tls: true });
  }, 60_000);
});
