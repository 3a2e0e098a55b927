import { describe, expect, it } from 'vitest';
import type { AioDiscoveryT } from '@shared/contract/aio-contract';
import { planFromDiscovery } from '../../../src/main/services/mqtt/matrix/listener-matrix-plan';
import { opensslSubject, parseCertificates } from '../../../src/main/services/aio/aio-pem';
import { seedVault } from '../aio/aio-seed';

const NS = 'azure-iot-operations';

describe('listener matrix plan from discovery', () => {
  it('verifies a Manual TLS port with the vault CA that issued its Secret, and Automatic ports with the trust bundle CA', async () => {
    const s = await seedVault({ serverSans: ['10.0.0.2'] });
    // Stands in for the cluster's trust bundle CA, imported into the vault.
    const bundleCa = await s.pki.createRoot({ subject: { commonName: 'Cluster Trust Root' } });
    const chain = parseCertificates(s.pki.exportCertificatePem(s.server.id, { chain: 'chain' })).map((c) => ({ subject: opensslSubject(c.subject), issuer: opensslSubject(c.issuer), fingerprintSha256: c.fingerprint256 }));
    const vault = s.pki.summaries().map((c) => ({ id: c.id, commonName: c.commonName, subject: c.subject, fingerprintSha256: c.fingerprintSha256, isCa: c.isCa, issuerId: c.issuerId, hasPrivateKey: c.hasPrivateKey }));
    const port = (n: number, tls: AioDiscoveryT['listeners'][number]['ports'][number]['tls']) => ({ port: n, protocol: 'Mqtt', tls });
    const discovery: AioDiscoveryT = {
      nodeId: 'n', via: 'kubeconfig', description: 'd', namespace: NS, aioPresent: true, brokers: ['default'],
      listeners: [{ name: 'lb', namespace: NS, brokerRef: 'default', serviceName: 'lb', serviceType: 'LoadBalancer', isDefault: false, managers: [], ports: [port(8883, { mode: 'Manual', secretName: 'broker-server-cert', servedChain: chain }), port(8884, { mode: 'Automatic', issuerRef: { name: 'i', kind: 'ClusterIssuer', group: 'cert-manager.io' } }), port(8885, { mode: 'Manual', secretName: 'other' })] }],
      services: [{ name: 'lb', namespace: NS, type: 'LoadBalancer', externalIps: ['10.0.0.2'], ports: [], listener: 'lb' }],
      authentications: [], authorizations: [], certificates: [], certificateRequests: [], issuers: [],
      trustBundles: [{ source: 'ConfigMap', name: 'azure-iot-operations-aio-ca-trust-bundle', namespace: NS, key: 'ca.crt', role: 'client-trust', certificates: [{ subject: bundleCa.certificate.subject, fingerprintSha256: bundleCa.certificate.fingerprintSha256 }] as never }],
      trustSettings: { issuer: { name: 'i', kind: 'ClusterIssuer', source: 'default-listener' }, bundle: { name: 'azure-iot-operations-aio-ca-trust-bundle', key: 'ca.crt', source: 'namespace', exists: true } },
      warnings: [],
    };
    const plan = planFromDiscovery({ nodeId: 'n', nodeHost: '10.0.0.2', discovery, vaultCertificates: vault, serviceAccount: 'default' });
    const caOf = (p: number) => plan.targets.find((t) => t.port === p)?.ca;
    // The Secret's chain is leaf + intermediate: the vault intermediate is in it.
    expect(caOf(8883)).toEqual({ source: 'vault', certificateId: s.int.id });
    expect(caOf(8884)).toEqual({ source: 'vault', certificateId: bundleCa.certificate.id });
    // A Secret that could not be read: the cluster's trust bundle, as before.
    expect(caOf(8885)).toEqual({ source: 'vault', certificateId: bundleCa.certificate.id });
    // A CA asked for wins everywhere.
    const asked = planFromDiscovery({ nodeId: 'n', nodeHost: '10.0.0.2', discovery, vaultCertificates: vault, serviceAccount: 'default', caCertificateId: s.root.id });
    expect(asked.targets.map((t) => t.ca)).toEqual(asked.targets.map(() => ({ source: 'vault', certificateId: s.root.id })));
  });
});
