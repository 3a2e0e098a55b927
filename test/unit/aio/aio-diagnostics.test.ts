import { describe, expect, it } from 'vitest';
import type { AioDiscoveryT } from '@shared/contract/aio-contract';
import { diagnoseAio, listenerInputFromSummary, type DiagnosticInputs } from '../../../src/main/services/aio/aio-diagnostics';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';
import { seedVault } from './aio-seed';

const NS = 'azure-iot-operations';
const discovery = (over: Partial<AioDiscoveryT> = {}): AioDiscoveryT => ({
  nodeId: 'n', via: 'kubeconfig', description: 'd', namespace: NS, aioPresent: true, brokers: ['default'], listeners: [], services: [], authentications: [], authorizations: [], certificates: [], certificateRequests: [],
  trustSettings: { issuer: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', source: 'default-listener' }, bundle: { name: 'azure-iot-operations-aio-ca-trust-bundle', key: 'ca.crt', source: 'namespace', exists: true } },
  issuers: [{ name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', type: 'ca', ready: 'True' }],
  trustBundles: [{ source: 'ConfigMap', name: 'azure-iot-operations-aio-ca-trust-bundle', namespace: NS, key: 'ca.crt', role: 'client-trust', certificates: [] }],
  warnings: [],
  ...over,
});
const inputs = (over: Partial<DiagnosticInputs> = {}): DiagnosticInputs => ({
  discovery: discovery(), listenerSecrets: new Map(), clientCaConfigMaps: new Map(), nodeAddresses: [], vaultServerCertificates: [], vaultClientChains: [], clientsExplicit: false, ...over,
});

describe('diagnostics', () => {
  it('says nothing about a healthy install', () => {
    expect(diagnoseAio(inputs())).toEqual([]);
  });

  it('reports a cluster without AIO and stops there', () => {
    expect(diagnoseAio(inputs({ discovery: discovery({ aioPresent: false }) })).map((d) => d.id)).toEqual(['aio-missing']);
  });

  it('finds mixed EC/RSA in a client chain from the vault', async () => {
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    const root = await pki.createRoot({ subject: { commonName: 'RSA Root' }, keyAlgorithm: 'rsa-2048' });
    const client = (await pki.createClients({ issuerId: root.certificate.id, clientIds: ['mixed-client'], keyAlgorithm: 'ec-p256', allowMixedKeyFamilies: true })).certificates[0]!;
    const d = diagnoseAio(inputs({ vaultClientChains: [{ id: client.id, commonName: 'mixed-client', chainPem: pki.exportCertificatePem(client.id, { chain: 'full' }), rootId: root.certificate.id }] }));
    expect(d.map((x) => x.id)).toEqual([`client-chain-mixed-keys:${client.id}`]);
    expect(d[0]!.sentence).toBe('The chain of client certificate mixed-client mixes key types (CN = mixed-client: EC; CN = RSA Root: RSA); the broker requires every certificate of a client chain to use the same family (EC or RSA) and refuses it.');
  });

  it('finds a vault server certificate and a listener Secret that do not list the node address', async () => {
    const s = await seedVault({ serverSans: ['192.168.2.196'] });
    const listener = { name: 'lb', namespace: NS, brokerRef: 'default', serviceName: 'lb-svc', serviceType: 'LoadBalancer', isDefault: false, managers: [], ports: [{ port: 8883, protocol: 'Mqtt', tls: { mode: 'Manual' as const, secretName: 'broker-server-cert' } }] };
    const d = diagnoseAio(
      inputs({
        discovery: discovery({ listeners: [listener], services: [{ name: 'lb-svc', namespace: NS, type: 'LoadBalancer', externalIps: ['10.200.0.2'], ports: [], listener: 'lb' }] }),
        listenerSecrets: new Map([['broker-server-cert', s.pki.exportCertificatePem(s.server.id, { chain: 'chain' })]]),
        nodeAddresses: ['192.168.2.196', '10.200.0.3'],
        vaultServerCertificates: [{ id: s.server.id, commonName: 'mqtts-endpoint', pem: s.pki.exportCertificatePem(s.server.id) }],
      }),
    );
    expect(d.map((x) => x.id)).toEqual(['server-cert-san:lb:8883:10.200.0.3', 'server-cert-san:lb:8883:10.200.0.2', `vault-server-cert-san:${s.server.id}:10.200.0.3`]);
    expect(d[1]!.sentence).toBe("The server certificate in Secret broker-server-cert (listener lb port 8883, CN = mqtts-endpoint) does not list 10.200.0.2, the LoadBalancer's external IP; clients connecting to 10.200.0.2 will reject it.");
    expect(d[1]!.fix).toEqual({ label: 'Re-issue the server certificate in the vault with 10.200.0.2 in its SANs, then apply the Secret again.' });
    // A missing Secret is its own diagnosis.
    const gone = diagnoseAio(inputs({ discovery: discovery({ listeners: [listener] }), listenerSecrets: new Map([['broker-server-cert', null]]) }));
    expect(gone.map((x) => x.id)).toEqual(['listener-secret-missing:lb:8883']);
  });

  it('judges the dates of a Manual TLS Secret, which nothing renews: expired, not yet valid, expiring soon', async () => {
    const s = await seedVault({ serverSans: ['192.168.2.196'] });
    const pem = s.pki.exportCertificatePem(s.server.id, { chain: 'chain' });
    const end = Date.parse(s.server.notAfter);
    const listener = { name: 'lb', namespace: NS, brokerRef: 'default', serviceName: 'lb', serviceType: 'NodePort', isDefault: false, managers: [], ports: [{ port: 8883, protocol: 'Mqtt', tls: { mode: 'Manual' as const, secretName: 'broker-server-cert' } }] };
    const at = (t: number) => diagnoseAio(inputs({ discovery: discovery({ listeners: [listener] }), listenerSecrets: new Map([['broker-server-cert', pem]]), now: new Date(t).toISOString() }));
    const expired = at(end + 1000);
    expect(expired.map((x) => [x.id, x.severity])).toEqual([['server-cert-expired:lb:8883', 'error']]);
    expect(expired[0]!.sentence).toBe(`The server certificate in Secret broker-server-cert (listener lb port 8883, CN = mqtts-endpoint) expired on ${new Date(end).toISOString()}; every client refuses the handshake.`);
    expect(at(Date.parse(s.server.notBefore) - 3600_000).map((x) => x.id)).toEqual(['server-cert-not-yet-valid:lb:8883']);
    expect(at(end - 3 * 86_400_000).map((x) => [x.id, x.severity])).toEqual([['server-cert-expiring:lb:8883', 'warning']]);
    expect(at(end - 30 * 86_400_000)).toEqual([]);
  });

  it('reports a Certificate that is not ready because its issuer is not ready, and the issuer', () => {
    const d = diagnoseAio(
      inputs({
        discovery: discovery({
          issuers: [{ name: 'site-ca', namespace: NS, kind: 'Issuer', type: 'ca', ready: 'False', reason: 'ErrGetKeyPair', message: 'Error getting keypair for CA issuer: secrets "site-ca" not found' }],
          // As cert-manager writes it: the Certificate only says its Secret does not exist yet; the request says why.
          certificates: [{ name: 'mqtt-cert', namespace: NS, secretName: 'mqtt-cert', issuerRef: { name: 'site-ca', kind: 'Issuer' }, ready: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', dnsNames: [], ipAddresses: [] }],
          certificateRequests: [{ name: 'mqtt-cert-1', namespace: NS, certificate: 'mqtt-cert', revision: 1, issuerRef: { name: 'site-ca', kind: 'Issuer' }, approved: true, ready: 'False', reason: 'Pending', message: 'Referenced issuer does not have a Ready status condition' }],
        }),
      }),
    );
    expect(d.map((x) => [x.id, x.severity])).toEqual([['certificate-not-ready:mqtt-cert', 'error'], ['issuer-not-ready:Issuer:site-ca', 'warning']]);
    expect(d[0]!.fix.label).toBe('Fix Issuer site-ca first: Error getting keypair for CA issuer: secrets "site-ca" not found.');
  });

  describe('reads cert-manager\'s chain Certificate → CertificateRequest → issuer', () => {
    const lb = { name: 'lb', namespace: NS, brokerRef: 'default', serviceName: 'lb', serviceType: 'LoadBalancer', isDefault: false, managers: [], ports: [{ port: 8883, protocol: 'Mqtt', tls: { mode: 'Automatic' as const, issuerRef: { name: 'site-ca', kind: 'Issuer', group: 'cert-manager.io' } } }] };
    const waiting = { name: 'aio-broker-frontend-server-8883', namespace: NS, secretName: 'aio-broker-frontend-server-8883', issuerRef: { name: 'site-ca', kind: 'Issuer' }, ready: 'False' as const, reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', dnsNames: [], ipAddresses: [], listener: 'lb' };
    const request = (over: Partial<AioDiscoveryT['certificateRequests'][number]> = {}) => ({ name: 'aio-broker-frontend-server-8883-1', namespace: NS, certificate: waiting.name, revision: 1, issuerRef: { name: 'site-ca', kind: 'Issuer' }, approved: true, ready: 'Unknown' as const, created: '2026-12-04T10:00:00Z', ...over });
    const siteCa = { name: 'site-ca', namespace: NS, kind: 'Issuer' as const, type: 'ca' as const, ready: 'True' as const };
    const ids = (over: Partial<AioDiscoveryT>, extra: Partial<DiagnosticInputs> = {}) => diagnoseAio(inputs({ discovery: discovery({ listeners: [lb], certificates: [waiting], ...over }), now: '2026-12-04T10:00:30Z', ...extra })).map((x) => [x.id, x.severity]);

    it('DoesNotExist with a ready issuer is "not issued yet", a wait, never "issuer missing"', () => {
      expect(ids({ issuers: [siteCa], certificateRequests: [request()] })).toEqual([['certificate-not-issued-yet:aio-broker-frontend-server-8883', 'info']]);
      // Still not issued after the service waited, or long after the request: a warning.
      expect(ids({ issuers: [siteCa], certificateRequests: [request()] }, { issuanceWaitedMs: 20_000 })).toEqual([['certificate-not-issued-yet:aio-broker-frontend-server-8883', 'warning']]);
      expect(ids({ issuers: [siteCa], certificateRequests: [request({ created: '2026-12-04T09:00:00Z' })] })).toEqual([['certificate-not-issued-yet:aio-broker-frontend-server-8883', 'warning']]);
    });

    it('"issuer missing" when the CertificateRequest says so, with the fix pointing at the install\'s issuer', () => {
      const d = diagnoseAio(inputs({ discovery: discovery({ listeners: [lb], certificates: [waiting], certificateRequests: [request({ ready: 'False', reason: 'Pending', message: 'Referenced "Issuer" not found: issuer.cert-manager.io "site-ca" not found' })] }) }));
      expect(d.map((x) => x.id)).toEqual(['listener-issuer-missing:lb:8883']);
      expect(d[0]!.fix.label).toBe('Point port 8883 at ClusterIssuer azure-iot-operations-aio-certificate-issuer, which is ready');
    });

    it('an issuer that exists but is not ready, and a request that failed', () => {
      const unready = { ...siteCa, ready: 'False' as const, reason: 'ErrGetKeyPair', message: 'Error getting keypair for CA issuer: secrets "site-ca" not found' };
      expect(ids({ issuers: [unready], certificateRequests: [request({ ready: 'False', reason: 'Pending', message: 'Referenced issuer does not have a Ready status condition' })] })).toEqual([
        ['certificate-not-ready:aio-broker-frontend-server-8883', 'error'],
        ['issuer-not-ready:Issuer:site-ca', 'warning'],
      ]);
      expect(ids({ issuers: [siteCa], certificateRequests: [request({ ready: 'False', reason: 'Failed', message: 'Failed to sign: boom' })] })).toEqual([['certificate-request-failed:aio-broker-frontend-server-8883', 'error']]);
    });

    it('issued: nothing to say', () => {
      expect(ids({ issuers: [siteCa], certificates: [{ ...waiting, ready: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' }], certificateRequests: [request({ ready: 'True', reason: 'Issued' })] })).toEqual([]);
    });
  });

  it('never rewrites a listener\'s service type or protocol: enums are read in any case, unknown ones give no automatic fix', () => {
    const base = { name: 'lb', namespace: NS, brokerRef: 'default', serviceName: 'lb', isDefault: false, managers: [] };
    const tls = { mode: 'Automatic' as const, issuerRef: { name: 'gone', kind: 'ClusterIssuer', group: 'cert-manager.io' } };
    expect(listenerInputFromSummary({ ...base, serviceType: 'loadBalancer', ports: [{ port: 8883, protocol: 'websockets', tls }] })).toMatchObject({ serviceType: 'LoadBalancer', ports: [{ protocol: 'WebSockets' }] });
    expect(listenerInputFromSummary({ ...base, serviceType: 'Ingress', ports: [{ port: 8883, protocol: 'Mqtt', tls }] })).toBeUndefined();
    expect(listenerInputFromSummary({ ...base, serviceType: 'NodePort', ports: [{ port: 8883, protocol: 'Quic', tls }] })).toBeUndefined();
    const d = diagnoseAio(inputs({ discovery: discovery({ listeners: [{ ...base, serviceType: 'Ingress', ports: [{ port: 8883, protocol: 'Mqtt', tls }] }] }) }));
    const missing = d.find((x) => x.id === 'listener-issuer-missing:lb:8883')!;
    expect(missing.fix.action).toBeUndefined();
  });
});
