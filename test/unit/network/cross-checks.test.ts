import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { NetworkService } from '../../../src/main/services/network/network-service';
import { StaticAddressWorkflow } from '../../../src/main/workflows/static-address-workflow';
import { directShells } from '../../support/network/edge-targets';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';
import { noClusterRead } from '../../support/services/absent-areas';

describe('network cross-checks (real PkiService over a memory vault)', () => {
  let pki: PkiService;
  let net: NetworkService;
  // The re-issue spans the network and PKI areas, so it lives in the static-address workflow.
  let flow: StaticAddressWorkflow;
  let serverId: string;
  let listener: Server;
  let openPort: number;

  beforeAll(async () => {
    pki = new PkiService({ vault: new MemoryVaultStore() });
    const root = await pki.createRoot({ subject: { commonName: 'AIO42 Root CA' } });
    const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'AIO42 Intermediate CA 1' } });
    serverId = (await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint', organization: 'Plant 7' }, sans: ['192.168.2.196', 'aio-broker'], validity: { days: 3000 } })).certificate.id;
    net = new NetworkService({ aio: noClusterRead, shells: directShells(), pki });
    flow = new StaticAddressWorkflow({ network: net, pki, activity: { recordActivity: async () => undefined } });
    listener = createServer((s) => s.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    openPort = (listener.address() as { port: number }).port;
  });
  afterAll(() => listener?.close());

  it('warns that the broker certificate lacks the new address and offers a re-issue', async () => {
    const report = await net.crossCheck({ address: '192.168.2.200', previousAddress: '192.168.2.196', checkReachability: false, timeoutMs: 1000 });
    expect(report.certificates).toHaveLength(1);
    expect(report.certificates[0]).toMatchObject({ id: serverId, name: 'mqtts-endpoint', source: 'vault', valid: false, canReissue: true });
    expect(report.certificates[0]!.message).toContain('does not list 192.168.2.200');
    expect(report.warnings).toBe(1);
  });

  it('re-issues it with the new address in its SANs, same subject and key type, and then it passes', async () => {
    const r = await flow.reissue(serverId, '192.168.2.200', ['192.168.2.196']);
    expect(r.replaces).toBe(serverId);
    expect(r.sans).toEqual(['DNS:aio-broker', 'IP:192.168.2.200']);
    const s = pki.summaries().find((c) => c.id === r.certificateId)!;
    expect(s.subject).toContain('O = Plant 7');
    expect(s.keyFamily).toBe('ec');
    expect(pki.checkHost(r.certificateId, '192.168.2.200').valid).toBe(true);
    const report = await net.crossCheck({ address: '192.168.2.200', certificateIds: [r.certificateId], checkReachability: false, timeoutMs: 1000 });
    expect(report.certificates[0]?.valid).toBe(true);
  });

  it('checks certificates from the cluster given as PEM', async () => {
    const pem = pki.exportCertificatePem(serverId);
    const report = await net.crossCheck({ address: '192.168.2.196', clusterCertificates: [{ name: 'aio-broker-frontend-server-18883', pem }], checkReachability: false, timeoutMs: 1000 });
    expect(report.certificates).toEqual([expect.objectContaining({ source: 'cluster', valid: true })]);
  });

  it('flags a LoadBalancer whose external IP is not the node\'s, and probes listener ports from this machine', async () => {
    const report = await net.crossCheck({
      address: '127.0.0.1',
      certificateIds: [],
      listeners: [
        { name: 'lb', serviceType: 'LoadBalancer', externalIps: ['192.168.2.196'], ports: [{ port: openPort }] },
        { name: 'np', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 1 }] },
        { name: 'internal', serviceType: 'ClusterIp', ports: [{ port: 18883 }] },
      ],
      checkReachability: true,
      timeoutMs: 1000,
    });
    expect(report.listeners.map((l) => [l.name, l.ok])).toEqual([['lb', false], ['np', true], ['internal', true]]);
    expect(report.listeners[0]!.message).toContain('192.168.2.196, not 127.0.0.1');
    expect(report.reachability.map((r) => [r.listener, r.port, r.reachable])).toEqual([['lb', openPort, true], ['np', 1, false]]);
    expect(report.warnings).toBe(2);
  });

  it('refuses a re-issue when the issuing CA is not in the vault with its key', async () => {
    const other = new PkiService({ vault: new MemoryVaultStore() });
    const root = await other.createRoot({ subject: { commonName: 'Elsewhere Root' } });
    const leaf = await other.createServer({ issuerId: root.certificate.id, subject: { commonName: 'x' }, sans: ['10.0.0.1'] });
    const pem = other.exportCertificatePem(leaf.certificate.id);
    const [imported] = await pki.importFiles([{ fileName: 'x.pem', data: pem }]);
    await expect(flow.reissue(imported!.certificateIds[0]!, '10.0.0.2', [])).rejects.toMatchObject({ code: 'network.issuerMissing' });
  });
});
