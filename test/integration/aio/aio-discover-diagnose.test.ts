import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplySpec } from '@shared/contract/aio-contract';
import { DiagnoseRequest } from '@shared/contract/aio-contract';
import { AioService } from '../../../src/main/services/aio/aio-service';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { seedVault, type SeedVault } from '../../unit/aio/aio-seed';
import { emulatorProvider } from './aio-fixture';
import { noLiveMatrix } from '../../support/services/absent-areas';

const NS = 'azure-iot-operations';
const AIO = 'mqttbroker.iotoperations.azure.com/v1';

/** The seed 001 listener as the portal left it: Automatic TLS from an Issuer that was never created. */
const wrongListener = {
  apiVersion: AIO,
  kind: 'BrokerListener',
  metadata: { name: 'loadbalancer-listener', namespace: NS },
  spec: {
    brokerRef: 'default',
    serviceName: 'loadbalancer-listener-service',
    serviceType: 'LoadBalancer',
    ports: [
      {
        port: 8883,
        protocol: 'Mqtt',
        tls: {
          mode: 'Automatic',
          certManagerCertificateSpec: {
            issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer', group: 'cert-manager.io' },
            privateKey: { algorithm: 'Ec256', rotationPolicy: 'Always' },
            san: { dns: ['n013edge.local'], ip: ['10.13.100.11'] },
          },
        },
      },
    ],
  },
};

describe('discovery and diagnosis against the emulator', () => {
  let emu: KubeEmulator;
  let seed: SeedVault;
  let service: AioService;
  const diagnose = (extra: Record<string, unknown> = {}) => service.diagnose(DiagnoseRequest.parse({ nodeId: 'edge-01', nodeAddresses: ['127.0.0.1'], ...extra }));

  beforeAll(async () => {
    [emu, seed] = await Promise.all([startKubeEmulator({ loadBalancerIp: '127.0.0.1' }), seedVault()]);
    service = new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu), pki: seed.pki });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('discovers a fresh install: the default listener, SAT policy, ready ClusterIssuer, and the trust bundle', async () => {
    const d = await service.discover('edge-01', NS);
    expect(d.aioPresent).toBe(true);
    expect(d.brokers).toEqual(['default']);
    expect(d.listeners).toEqual([
      expect.objectContaining({
        name: 'default',
        isDefault: true,
        serviceName: 'aio-broker',
        serviceType: 'ClusterIp',
        ports: [{ port: 18883, protocol: 'Mqtt', authenticationRef: 'default', tls: { mode: 'Automatic', issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } }],
      }),
    ]);
    expect(d.authentications).toEqual([{ name: 'default', namespace: NS, isDefault: true, methods: [{ method: 'ServiceAccountToken', audiences: ['aio-internal'] }] }]);
    expect(d.issuers).toContainEqual(expect.objectContaining({ name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', type: 'ca', ready: 'True' }));
    expect(d.certificates).toContainEqual(expect.objectContaining({ name: 'aio-broker-frontend-server-18883', ready: 'True', listener: 'default' }));
    expect(d.services).toContainEqual(expect.objectContaining({ name: 'aio-broker', type: 'ClusterIP', listener: 'default' }));
    expect(d.trustBundles[0]).toMatchObject({
      source: 'ConfigMap',
      name: 'azure-iot-operations-aio-ca-trust-bundle',
      key: 'ca.crt',
      role: 'client-trust',
      certificates: [{ subject: 'CN = Azure IoT Operations Quickstart Root CA - Not for Production', isCa: true, selfSigned: true }],
    });
    expect(d.warnings).toEqual([]);
    const diag = await diagnose();
    expect(diag.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('imports the trust bundle into the vault as a trusted root, once', async () => {
    const r = await service.importTrustBundle({ nodeId: 'edge-01', namespace: NS, source: 'ConfigMap' });
    expect(r).toMatchObject({ source: { kind: 'ConfigMap', name: 'azure-iot-operations-aio-ca-trust-bundle', key: 'ca.crt' }, imported: 1, duplicates: 0 });
    const root = seed.pki.summaries().find((s) => s.commonName === 'Azure IoT Operations Quickstart Root CA - Not for Production')!;
    expect(root).toMatchObject({ role: 'root', issuerId: root.id, isCa: true, hasPrivateKey: false, source: 'imported' });
    expect(r.certificates).toEqual([{ certificateId: root.id, subject: 'CN = Azure IoT Operations Quickstart Root CA - Not for Production', duplicate: false }]);
    // The default listener's served certificate chains to it: the vault can now validate what clients will see.
    const secret = emu.getObject('v1', 'Secret', NS, 'aio-broker-frontend-server-18883')!;
    const leaf = Buffer.from((secret['data'] as Record<string, string>)['tls.crt']!, 'base64').toString();
    const { X509Certificate } = await import('node:crypto');
    expect(new X509Certificate(leaf).verify(new X509Certificate(seed.pki.exportCertificatePem(root.id)).publicKey)).toBe(true);
    const again = await service.importTrustBundle({ nodeId: 'edge-01', namespace: NS, source: 'ConfigMap' });
    expect(again).toMatchObject({ imported: 0, duplicates: 1, certificates: [{ certificateId: root.id, duplicate: true }] });
  });

  it('explains the listener pointing at an issuer that does not exist, and its one-click fix works', async () => {
    await emu.putObject(wrongListener, 'azure-portal');
    const d = await service.discover('edge-01', NS);
    expect(d.certificates).toContainEqual(expect.objectContaining({ name: 'aio-broker-frontend-server-8883', ready: 'False', reason: 'DoesNotExist', listener: 'loadbalancer-listener' }));
    expect(d.services).toContainEqual(expect.objectContaining({ name: 'loadbalancer-listener-service', type: 'LoadBalancer', externalIps: ['127.0.0.1'], listener: 'loadbalancer-listener' }));

    const diag = await diagnose();
    const missing = diag.diagnostics.find((x) => x.id === 'listener-issuer-missing:loadbalancer-listener:8883')!;
    expect(missing.severity).toBe('error');
    expect(missing.sentence).toBe(
      // cert-manager's CertificateRequest is what says the issuer is missing (the Certificate's DoesNotExist only means "no Secret yet").
      'Listener loadbalancer-listener port 8883 asks Issuer aio-tls-issuer for its TLS certificate, but that Issuer does not exist in azure-iot-operations. cert-manager\'s request aio-broker-frontend-server-8883-1 says: Referenced "Issuer" not found: issuer.cert-manager.io "aio-tls-issuer" not found. No server certificate can be issued, and clients will see ECONNRESET during the handshake.',
    );
    expect(missing.fix.label).toBe('Point port 8883 at ClusterIssuer azure-iot-operations-aio-certificate-issuer, which is ready');
    // The Certificate is explained by the listener diagnosis, not twice.
    expect(diag.diagnostics.some((x) => x.id === 'certificate-not-ready:aio-broker-frontend-server-8883')).toBe(false);
    // The SANs lack the LoadBalancer's address too.
    const san = diag.diagnostics.find((x) => x.id.startsWith('server-cert-san:loadbalancer-listener:8883'))!;
    expect(san.sentence).toMatch(/does not list 127\.0\.0\.1; clients connecting to that address will reject it\./);

    const action = missing.fix.action!;
    expect(action.call).toBe('aio.apply');
    if (action.call !== 'aio.apply') return;
    const port = action.spec.listeners[0]!.ports[0]!;
    expect(port.tls).toEqual({
      mode: 'Automatic',
      issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'Ec256', rotationPolicy: 'Always' },
      san: { dns: ['n013edge.local'], ip: ['10.13.100.11'] },
    });
    // The portal owns the listener, so the fix needs force; the plan says so before anything changes.
    const plan = await service.plan('edge-01', ApplySpec.parse(action.spec));
    expect(plan.resources[0]!.conflictsWith).toEqual(['azure-portal']);
    const applied = await service.apply('edge-01', ApplySpec.parse(action.spec), { force: true });
    expect(applied.complete).toBe(true);

    const after = await diagnose();
    expect(after.diagnostics.some((x) => x.id.startsWith('listener-issuer-missing'))).toBe(false);
    expect(after.discovery.certificates).toContainEqual(expect.objectContaining({ name: 'aio-broker-frontend-server-8883', ready: 'True' }));

    // Then the SAN fix: cert-manager re-issues with the LoadBalancer IP.
    const sanFix = after.diagnostics.find((x) => x.id.startsWith('server-cert-san:loadbalancer-listener:8883'))!.fix.action!;
    if (sanFix.call !== 'aio.apply') throw new Error('expected an apply fix');
    expect((await service.apply('edge-01', ApplySpec.parse(sanFix.spec), { force: true })).complete).toBe(true);
    const finalDiag = await diagnose();
    expect(finalDiag.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const cert = emu.getObject('cert-manager.io/v1', 'Certificate', NS, 'aio-broker-frontend-server-8883')!;
    expect((cert['spec'] as { ipAddresses: string[] }).ipAddresses).toEqual(['10.13.100.11', '127.0.0.1']);
  });

  it('finds a missing trusted client CA ConfigMap and creates it from the vault, then checks the chains', async () => {
    await emu.putObject({ apiVersion: AIO, kind: 'BrokerAuthentication', metadata: { name: 'x509-policy', namespace: NS }, spec: { authenticationMethods: [{ method: 'X509', x509Settings: { trustedClientCaCert: 'clients42-ca' } }] } }, 'azure-portal');
    const diag = await diagnose();
    const missing = diag.diagnostics.find((x) => x.id === 'client-ca-missing:x509-policy:clients42-ca')!;
    expect(missing.sentence).toBe('Policy x509-policy trusts client CAs from ConfigMap clients42-ca, which does not exist in azure-iot-operations; every client certificate will be refused.');
    if (missing.fix.action?.call !== 'aio.apply') throw new Error('expected an apply fix');
    expect(missing.fix.action.spec.clientCas).toEqual([{ name: 'clients42-ca', certificateIds: [seed.croot.id], key: 'client_ca.pem', include: 'chain' }]);
    expect((await service.apply('edge-01', ApplySpec.parse(missing.fix.action.spec))).complete).toBe(true);
    const cm = emu.getObject('v1', 'ConfigMap', NS, 'clients42-ca')!;
    expect((cm['data'] as Record<string, string>)['client_ca.pem']).toBe(seed.pki.exportCertificatePem(seed.croot.id));
    const ok = await diagnose({ clientCertificateIds: seed.clients.map((c) => c.id) });
    expect(ok.diagnostics.filter((x) => x.id.startsWith('client-ca'))).toEqual([]);

    // A ConfigMap holding someone else's CA: none of the vault's clients chain to it.
    await emu.putObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'clients42-ca', namespace: NS }, data: { 'client_ca.pem': emu.aioRootCa.cert } }, 'kubectl-create');
    const wrong = await diagnose({ clientCertificateIds: [seed.clients[0]!.id] });
    expect(wrong.diagnostics.find((x) => x.id === `client-ca-not-chaining:x509-policy:${seed.clients[0]!.id}`)?.sentence).toBe(
      'Client certificate client42a does not chain to any CA in ConfigMap clients42-ca, so policy x509-policy will refuse it.',
    );
  });

  it('names port clashes, a nodePort out of range, a second listener of one service type, and X.509 without TLS', async () => {
    await emu.putObject({ apiVersion: AIO, kind: 'BrokerListener', metadata: { name: 'nodeport-listener', namespace: NS }, spec: { brokerRef: 'default', serviceType: 'NodePort', ports: [{ port: 18883, nodePort: 80, protocol: 'Mqtt', authenticationRef: 'x509-policy' }] } }, 'azure-portal');
    await emu.putObject({ apiVersion: AIO, kind: 'BrokerListener', metadata: { name: 'internal-two', namespace: NS }, spec: { brokerRef: 'default', serviceType: 'ClusterIp', ports: [{ port: 1883, protocol: 'Mqtt' }] } }, 'azure-portal');
    const ids = (await diagnose()).diagnostics.map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['port-clash:nodeport-listener:18883', 'node-port-range:nodeport-listener:18883', 'service-type:internal-two', 'x509-without-tls:nodeport-listener:18883']));
  });
});
