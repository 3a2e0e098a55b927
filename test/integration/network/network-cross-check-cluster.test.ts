import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenerInput } from '@shared/contract/aio-contract';
import { AioService } from '../../../src/main/services/aio/aio-service';
import { buildBrokerListener } from '../../../src/main/services/aio/aio-resources';
import { NetworkService } from '../../../src/main/services/network/network-service';
import { directShells } from '../../support/network/edge-targets';
import { defaultAioPreload, startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { seedVault, type SeedVault } from '../../unit/aio/aio-seed';
import { emulatorProvider } from '../aio/aio-fixture';
import { noLiveMatrix } from '../../support/services/absent-areas';

const NS = 'azure-iot-operations';
const OLD = '192.168.2.50';
const NEW = '192.168.2.196';

/** A LoadBalancer listener whose cert-manager certificate names the node's old address, as seed 001 leaves it. */
const lbListener = buildBrokerListener(
  ListenerInput.parse({
    name: 'loadbalancer-listener',
    serviceName: 'loadbalancer-listener-service',
    serviceType: 'LoadBalancer',
    ports: [{ port: 8883, tls: { mode: 'Automatic', issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' }, san: { ip: [OLD] } } }],
  }),
  NS,
);

describe('network.crossCheck with a nodeId reads the broker from the cluster (AioService against the Kubernetes API emulator)', () => {
  let emu: KubeEmulator;
  let seed: SeedVault;

  beforeAll(async () => {
    [emu, seed] = await Promise.all([startKubeEmulator({ loadBalancerIp: OLD, preload: (ctx) => [...defaultAioPreload(ctx), lbListener] }), seedVault({ serverSans: [OLD, 'mqtts-endpoint'] })]);
  });
  afterAll(async () => {
    await emu?.close();
  });

  const network = (aio: AioService) => new NetworkService({ shells: directShells(), pki: seed.pki, aio });

  it('checks the listeners and the certificates in their Secrets, and says where it read them', async () => {
    const net = network(new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu), pki: seed.pki }));
    const progress: string[] = [];
    const report = await net.crossCheck({ address: NEW, previousAddress: OLD, nodeId: 'edge-01', checkReachability: false, timeoutMs: 500, progress: (m) => progress.push(m) });
    expect(report.cluster).toEqual({ state: 'read', description: 'the kubeconfig of edge-01' });
    expect(progress[0]).toBe("Reading the broker's listeners from the cluster…");
    expect(report.listeners.map((l) => [l.name, l.serviceType, l.ok])).toEqual([
      ['default', 'ClusterIp', true],
      ['loadbalancer-listener', 'LoadBalancer', false],
    ]);
    expect(report.listeners[1]!.message).toContain(`external IP ${OLD}, not ${NEW}`);
    const cluster = report.certificates.filter((c) => c.source === 'cluster');
    expect(cluster.map((c) => c.name).sort()).toEqual(['Secret aio-broker-frontend-server-18883', 'Secret aio-broker-frontend-server-8883']);
    expect(cluster.find((c) => c.name.endsWith('8883') && !c.name.endsWith('18883'))?.sans).toContain(`IP Address:${OLD}`);
    expect(cluster.every((c) => !c.valid)).toBe(true);
    // The vault's server certificate that lists the old address is checked beside the cluster's.
    expect(report.certificates.filter((c) => c.source === 'vault')).toEqual([expect.objectContaining({ id: seed.server.id, valid: false, canReissue: true })]);
    expect(report.warnings).toBe(4);
  });

  it('takes listeners given in the request instead of the cluster\'s, and still reads the certificates', async () => {
    const net = network(new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu), pki: seed.pki }));
    const report = await net.crossCheck({ address: OLD, nodeId: 'edge-01', listeners: [{ name: 'given', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] }], checkReachability: false, timeoutMs: 500 });
    expect(report.listeners.map((l) => l.name)).toEqual(['given']);
    expect(report.certificates.find((c) => c.name === 'Secret aio-broker-frontend-server-8883')?.valid).toBe(true);
  });

  it('without access to the cluster checks the vault only and says why, in the AIO area\'s words', async () => {
    const refused = new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu, { token: 'not-a-token-the-cluster-knows' }), pki: seed.pki });
    const direct = await refused.discover('edge-01', NS).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(direct).toBeTruthy();
    const report = await network(refused).crossCheck({ address: NEW, previousAddress: OLD, nodeId: 'edge-01', checkReachability: false, timeoutMs: 500 });
    expect(report.cluster).toEqual({ state: 'unavailable', reason: direct });
    expect(report.listeners).toEqual([]);
    expect(report.certificates.map((c) => [c.source, c.id])).toEqual([['vault', seed.server.id]]);
  });

  it('stops when cancelled while reading the cluster instead of reporting it unavailable', async () => {
    const net = network(new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu), pki: seed.pki }));
    const controller = new AbortController();
    controller.abort();
    await expect(net.crossCheck({ address: NEW, nodeId: 'edge-01', checkReachability: false, timeoutMs: 500, signal: controller.signal })).rejects.toThrow();
  });
});
