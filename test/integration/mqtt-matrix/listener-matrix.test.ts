import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MatrixEndpointInput, MatrixResult, MatrixRunRequest, type MatrixResultT } from '@shared/contract/mqtt-matrix-contract';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import { startSatBroker, type SatBroker } from '../../support/broker-lab/sat-broker.js';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator.js';
import { loadClientNode } from '../../support/kube/load-client-node.js';
import { craftCertificate } from '../../support/pki/craft-certificate.js';
import { ListenerMatrixService } from '../../../src/main/services/mqtt/matrix/listener-matrix-service';
import { createTokenRequestProvider } from '../../../src/main/services/mqtt/matrix/token-request-provider';
import type { MatrixTunnel } from '../../../src/main/services/mqtt/matrix/listener-matrix';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

const avail = brokerLabAvailability();
if (!avail.ok) console.warn(`[mqtt matrix] tests skipped: ${avail.reason}`);

/** A plain TCP forward on loopback standing in for the SSH tunnel (the route code path is the same). */
async function loopbackForward(host: string, port: number): Promise<MatrixTunnel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((c) => {
    const up = new Socket();
    sockets.add(c).add(up);
    up.connect(port, host, () => {
      c.pipe(up);
      up.pipe(c);
    });
    const end = () => {
      c.destroy();
      up.destroy();
    };
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe.skipIf(!avail.ok)('listener matrix against the broker lab, a K8S-SAT front and the Kubernetes API emulator', () => {
  let lab: BrokerLab;
  let emu: KubeEmulator;
  let sat: SatBroker;
  let satDeny: SatBroker;
  let work: string;
  let pki: PkiService;
  let matrix: ListenerMatrixService;
  let serverCaId: string;
  let clientCaId: string;
  let clientLeafId: string;
  let strangerLeafId: string;
  const servers: Server[] = [];
  const tunnels: string[] = [];
  let expiredPort: number;
  let expiredCaFile: string;
  let resetPort: number;
  let closedPort: number;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fb-matrix-'));
    lab = await startBrokerLab();
    const labPki = lab.generatedPki!;
    emu = await startKubeEmulator({});
    const common = { host: '127.0.0.1', certPem: labPki.serverChainPem, keyPem: labPki.serverKeyPem, kube: { url: emu.url, caPem: emu.caPem, token: emu.adminToken }, upstream: { host: lab.host, port: lab.listeners.plain.port } };
    sat = await startSatBroker(common);
    satDeny = await startSatBroker({ ...common, deny: ['system:serviceaccount:azure-iot-operations:default'] });

    pki = new PkiService({ vault: new MemoryVaultStore() });
    serverCaId = (await pki.importFile({ fileName: 'server-root.crt', data: labPki.serverCaPem })).certificateIds[0]!;
    clientCaId = (await pki.importFile({ fileName: 'client-root.crt', data: labPki.clientCaPem })).certificateIds[0]!;
    clientLeafId = (await pki.importFile({ fileName: 'client-chain.pem', data: labPki.clientChainPem })).certificateIds[0]!;
    await pki.importFile({ fileName: 'client.key', data: labPki.clientKeyPem });
    strangerLeafId = (await pki.importFile({ fileName: 'stranger.pem', data: readFileSync(labPki.strangerChainFile, 'utf8') })).certificateIds[0]!;
    await pki.importFile({ fileName: 'stranger.key', data: readFileSync(labPki.strangerKeyFile, 'utf8') });

    // Tokens are minted through TokenRequest on the emulator, as on a node, with the provider the app uses.
    const { k8s, reason } = await loadClientNode();
    if (!k8s) throw new Error(reason);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(await emu.kubeconfig());
    const satTokens = createTokenRequestProvider({ openKube: async () => ({ kubeConfig: kc, via: 'kubeconfig', description: 'the emulator', release: async () => {} }) });

    // An expired server certificate, trusted as its own CA so expiry is the only fault.
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const expired = await craftCertificate({ cn: 'expired-broker', key: k.privateKey, ca: true, notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    expiredCaFile = join(work, 'expired.pem');
    writeFileSync(expiredCaFile, expired.pem);
    const tlsServer = createTlsServer({ cert: expired.pem, key: k.privateKey.export({ type: 'pkcs8', format: 'pem' }) }, (s) => s.destroy());
    tlsServer.on('tlsClientError', () => {});
    // Accepts and resets at the first byte: what an AIO listener without an issued certificate does.
    const reset = createServer((s) => s.once('data', () => s.resetAndDestroy()));
    const closed = createServer();
    for (const s of [tlsServer as unknown as Server, reset, closed]) {
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
    }
    expiredPort = (tlsServer.address() as AddressInfo).port;
    resetPort = (reset.address() as AddressInfo).port;
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    servers.pop();

    matrix = new ListenerMatrixService({
      pki,
      satTokens: () => satTokens,
      edge: {
        getNode: () => ({ host: '127.0.0.1' }),
        forward: (nodeId, host, port) => {
          tunnels.push(`${nodeId} ${host}:${port}`);
          return loopbackForward(host, port);
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await sat?.stop();
    await satDeny?.stop();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    await emu?.close();
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const run = (endpoints: z.input<typeof MatrixEndpointInput>[], over: Record<string, unknown> = {}) =>
    matrix.run(MatrixRunRequest.parse({ endpoints, connectTimeoutSeconds: 5, deliveryTimeoutMs: 2500, ...over }));
  const vaultCa = () => ({ source: 'vault' as const, certificateId: serverCaId });
  const satToken = { source: 'tokenRequest' as const, nodeId: 'lab', serviceAccount: 'default', namespace: 'azure-iot-operations', audience: 'aio-internal' };
  const rowOf = (r: MatrixResultT, name: string) => r.rows.find((x) => x.targetId === r.targets.find((t) => t.label === name)!.id)!;

  it('shows every listener green with complete cross-delivery: plain, TLS, X.509, K8S-SAT and the ClusterIp route through a tunnel', async () => {
    const progress: string[] = [];
    const m = new ListenerMatrixService({ ...(matrix as unknown as { deps: object }).deps, onProgress: (e) => progress.push(e.phase) } as ConstructorParameters<typeof ListenerMatrixService>[0]);
    const result = await m.run(
      MatrixRunRequest.parse({
        connectTimeoutSeconds: 5,
        deliveryTimeoutMs: 5000,
        endpoints: [
          { name: 'nodeport', host: lab.host, port: lab.listeners.plain.port },
          { name: 'loadbalancer', host: lab.host, port: lab.listeners.tls.port, tls: true, ca: vaultCa() },
          { name: 'x509', host: lab.host, port: lab.listeners.mtls.port, tls: true, ca: vaultCa(), auth: { method: 'x509', certificateId: clientLeafId } },
          { name: 'sat', host: sat.host, port: sat.port, tls: true, ca: vaultCa(), auth: { method: 'sat', token: satToken } },
          { name: 'clusterip', host: lab.host, port: lab.listeners.tls.port, tls: true, ca: vaultCa(), servername: 'localhost', route: { kind: 'sshTunnel', nodeId: 'lab' } },
        ],
      }),
    );
    expect(MatrixResult.parse(result)).toBeTruthy();
    expect(result.summary).toEqual({ total: 5, passed: 5, failed: 0, crossDeliveryComplete: true });
    for (const row of result.rows) {
      expect(row.ok, JSON.stringify(row)).toBe(true);
      expect(row.received.map((x) => x.fromTargetId).sort()).toEqual(result.targets.map((t) => t.id).sort());
      expect(row.auth.verdict).toBe('accepted');
    }
    const tlsRow = rowOf(result, 'loadbalancer');
    expect(tlsRow.tls.verdict).toBe('ok');
    expect(tlsRow.tls.presentedChain.length).toBe(2);
    expect(tlsRow.tls.chainsTo).toBe('the vault CA "Fieldbench Lab Server Root CA"');
    expect(rowOf(result, 'nodeport').tls.verdict).toBe('notUsed');
    expect(tunnels).toContain(`lab ${lab.host}:${lab.listeners.tls.port}`);
    expect(sat.log().some((l) => l.startsWith('CONNECT accepted: system:serviceaccount:azure-iot-operations:default'))).toBe(true);
    expect(progress).toEqual(expect.arrayContaining(['plan', 'connect', 'subscribe', 'publish', 'collect', 'done']));
    // Nothing secret in the exported document.
    expect(JSON.stringify(result)).not.toMatch(/PRIVATE KEY|eyJ[A-Za-z0-9_-]{20,}/);
  }, 60_000);

  it('diagnoses each failure on purpose with the right sentence and fix, and still proves the bus on the healthy listener', async () => {
    const result = await run([
      { name: 'healthy', host: lab.host, port: lab.listeners.plain.port },
      { name: 'san', host: lab.host, port: lab.listeners.tls.port, tls: true, ca: vaultCa(), servername: 'edge-01.plant.local' },
      { name: 'unknown-ca', host: lab.host, port: lab.listeners.tls.port, tls: true, ca: { source: 'vault', certificateId: clientCaId } },
      { name: 'expired', host: '127.0.0.1', port: expiredPort, tls: true, ca: { source: 'file', path: expiredCaFile } },
      { name: 'stranger', host: lab.host, port: lab.listeners.mtls.port, tls: true, ca: vaultCa(), auth: { method: 'x509', certificateId: strangerLeafId } },
      { name: 'reset', host: '127.0.0.1', port: resetPort, tls: true, ca: vaultCa() },
      { name: 'closed', host: '127.0.0.1', port: closedPort },
      { name: 'bad-method', host: sat.host, port: sat.port, tls: true, ca: vaultCa() },
      { name: 'denied', host: satDeny.host, port: satDeny.port, tls: true, ca: vaultCa(), auth: { method: 'sat', token: satToken } },
    ]);
    expect(result.summary.total).toBe(9);
    expect(result.summary.passed).toBe(1);
    expect(result.summary.crossDeliveryComplete).toBe(false);
    expect(rowOf(result, 'healthy')).toMatchObject({ ok: true, received: [{ fromTargetId: 't1' }] });

    const san = rowOf(result, 'san');
    expect(san.diagnosis).toMatchObject({ code: 'mqtt.nameNotInSans' });
    expect(san.diagnosis!.sentence).toMatch(/does not list edge-01\.plant\.local \(it lists .*127\.0\.0\.1/);
    expect(san.diagnosis!.fixes[0]!.action).toMatchObject({ call: 'pki.createServer', sans: expect.arrayContaining(['edge-01.plant.local', '127.0.0.1']) });
    expect(san.tls.verdict).toBe('failed');

    const unknown = rowOf(result, 'unknown-ca');
    expect(unknown.diagnosis).toMatchObject({ code: 'mqtt.unknownCa' });
    // Which CA the presented chain leads to: the server root, which the vault holds.
    // Issue 14: names, never internal ids, in what a person reads.
    expect(unknown.diagnosis!.sentence).toContain('the vault CA "Fieldbench Lab Server Root CA"');
    expect(unknown.diagnosis!.sentence).not.toContain(serverCaId);

    expect(rowOf(result, 'expired').diagnosis).toMatchObject({ code: 'mqtt.certificateExpired', sentence: expect.stringMatching(/certificate expired on/) });

    const stranger = rowOf(result, 'stranger');
    // Named by its common name (issue 14: names, never internal ids).
    expect(stranger.diagnosis!.sentence).toContain('refused the client certificate "fieldbench-lab-client"');
    expect(stranger.diagnosis!.sentence).not.toContain(strangerLeafId);
    expect(stranger.auth.verdict).toBe('refused');

    const reset = rowOf(result, 'reset');
    expect(reset.diagnosis).toMatchObject({ code: 'mqtt.handshakeReset', sentence: expect.stringMatching(/during the TLS handshake.*never issued/) });
    expect(reset.diagnosis!.fixes[0]!.label).toMatch(/edge diagnostics/);

    expect(rowOf(result, 'closed').diagnosis).toMatchObject({ code: 'mqtt.portClosed', sentence: expect.stringMatching(/the port is closed/) });

    const bad = rowOf(result, 'bad-method');
    expect(bad.diagnosis).toMatchObject({ code: 'mqtt.badAuthMethod' });
    expect(bad.auth).toMatchObject({ verdict: 'refused', reasonCode: 140 });
    expect(bad.tls.verdict).toBe('ok');

    const denied = rowOf(result, 'denied');
    expect(denied.diagnosis).toMatchObject({ code: 'mqtt.notAuthorized' });
    expect(denied.auth).toMatchObject({ verdict: 'refused', reasonCode: 135 });
    expect(satDeny.log().some((l) => /denied \(0x87\)/.test(l))).toBe(true);
  }, 60_000);

  it('is cancelled cleanly: the result says so and every connection is closed', async () => {
    const ac = new AbortController();
    const pending = matrix.run(
      MatrixRunRequest.parse({ connectTimeoutSeconds: 5, deliveryTimeoutMs: 20_000, endpoints: [{ host: lab.host, port: lab.listeners.plain.port }, { host: '127.0.0.1', port: resetPort + 0, tls: false }] }),
      { signal: ac.signal, progress: (m) => (/Published/.test(m) ? ac.abort() : undefined) },
    );
    const result = await pending;
    expect(result.cancelled).toBe(true);
    expect(result.summary.crossDeliveryComplete).toBe(false);
  }, 30_000);
});
