import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationInput, AuthorizationInput, ListenerInput } from '@shared/contract/aio-contract';
import {
  buildBrokerAuthentication,
  buildBrokerAuthorization,
  buildBrokerListener,
  buildClientCaConfigMap,
  buildTlsSecret,
} from '../../../src/main/services/aio/aio-resources';
import { AioService } from '../../../src/main/services/aio/aio-service';
import { parseSpec, SEED_000_ATTRIBUTES, seed001Spec, seedVault, type SeedVault } from './aio-seed';
import { noLiveMatrix } from '../../support/services/absent-areas';

const NS = 'azure-iot-operations';
const noKube = { openKube: () => Promise.reject(new Error('no cluster in unit tests')) };

describe('resource builders', () => {
  let s: SeedVault;
  beforeAll(async () => {
    s = await seedVault();
  });

  it('builds a kubernetes.io/tls Secret with leaf + intermediate in tls.crt and the key in tls.key', () => {
    const chain = s.pki.exportCertificatePem(s.server.id, { chain: 'chain' });
    const secret = buildTlsSecret({ name: 'broker-server-cert', namespace: NS, certificateChainPem: chain, privateKeyPem: s.pki.exportKey(s.server.id) });
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'broker-server-cert', namespace: NS } });
    const data = secret['data'] as Record<string, string>;
    const crt = Buffer.from(data['tls.crt']!, 'base64').toString();
    const certs = crt.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.map((p) => new X509Certificate(p));
    expect(certs.map((c) => c.subject)).toEqual(['CN=mqtts-endpoint', 'CN=AIO42 Intermediate CA 1']);
    expect(certs[0]!.checkIssued(certs[1]!)).toBe(true);
    expect(Buffer.from(data['tls.key']!, 'base64').toString()).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(() => buildTlsSecret({ name: 'x', namespace: NS, certificateChainPem: 'not pem', privateKeyPem: '' })).toThrow(/no certificate/);
  });

  it('builds the client CA ConfigMap under client_ca.pem, deduplicating repeated certificates', () => {
    const root = s.pki.exportCertificatePem(s.croot.id);
    const int = s.pki.exportCertificatePem(s.cint.id);
    const cm = buildClientCaConfigMap({ name: 'clients42-ca', namespace: NS, caCertificatesPem: [int + root, root] });
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { 'client_ca.pem': int + root } });
    expect(buildClientCaConfigMap({ name: 'litmusedge-ca', namespace: NS, caCertificatesPem: [root], key: 'ca.pem' })['data']).toEqual({ 'ca.pem': root });
  });

  it('builds the seed 001 LoadBalancer listener with Manual TLS and with Automatic TLS (PascalCase, v1)', () => {
    const manual = buildBrokerListener(
      ListenerInput.parse({ name: 'loadbalancer-listener', serviceName: 'loadbalancer-listener-service', serviceType: 'LoadBalancer', ports: [{ port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Manual', secretName: 'broker-server-cert' } }] }),
      NS,
    );
    expect(manual).toEqual({
      apiVersion: 'mqttbroker.iotoperations.azure.com/v1',
      kind: 'BrokerListener',
      metadata: { name: 'loadbalancer-listener', namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'fieldbench' } },
      spec: {
        brokerRef: 'default',
        serviceName: 'loadbalancer-listener-service',
        serviceType: 'LoadBalancer',
        ports: [{ port: 8883, protocol: 'Mqtt', authenticationRef: 'x509-policy', tls: { mode: 'Manual', manual: { secretRef: 'broker-server-cert' } } }],
      },
    });
    const auto = buildBrokerListener(
      ListenerInput.parse({
        name: 'loadbalancer-listener',
        serviceType: 'LoadBalancer',
        ports: [
          {
            port: 8883,
            tls: {
              mode: 'Automatic',
              issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' },
              privateKey: { algorithm: 'Ec256', rotationPolicy: 'Always' },
              san: { dns: ['n013edge.local'], ip: ['10.13.100.11', '100.81.128.71'] },
              duration: '2160h',
              renewBefore: '5h',
              secretName: 'mqtt-tls-secret',
            },
          },
        ],
      }),
      NS,
    );
    expect((auto['spec'] as { ports: unknown[] }).ports[0]).toEqual({
      port: 8883,
      protocol: 'Mqtt',
      tls: {
        mode: 'Automatic',
        certManagerCertificateSpec: {
          issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' },
          privateKey: { algorithm: 'Ec256', rotationPolicy: 'Always' },
          san: { dns: ['n013edge.local'], ip: ['10.13.100.11', '100.81.128.71'] },
          duration: '2160h',
          renewBefore: '5h',
          secretName: 'mqtt-tls-secret',
        },
      },
    });
    // A plain NodePort listener without auth or TLS writes neither (absent means none).
    const np = buildBrokerListener(ListenerInput.parse({ name: 'nodeport-listener', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] }), NS);
    expect((np['spec'] as { ports: unknown[] }).ports).toEqual([{ port: 1883, nodePort: 31883, protocol: 'Mqtt' }]);
  });

  it('builds the seed 000 X.509 policy with authorizationAttributes, SAT and Custom methods in order', () => {
    const auth = buildBrokerAuthentication(
      AuthenticationInput.parse({
        name: 'litmus-policy',
        methods: [
          { method: 'X509', trustedClientCaCert: 'litmusedge-ca', authorizationAttributes: SEED_000_ATTRIBUTES },
          { method: 'ServiceAccountToken', audiences: ['aio-internal'] },
          { method: 'Custom', endpoint: 'https://auth.local:8443', caCertConfigMap: 'auth-ca', x509SecretRef: 'auth-client', headers: { 'X-Site': 'n013' } },
        ],
      }),
      NS,
    );
    expect((auth['spec'] as { authenticationMethods: unknown[] }).authenticationMethods).toEqual([
      { method: 'X509', x509Settings: { trustedClientCaCert: 'litmusedge-ca', authorizationAttributes: SEED_000_ATTRIBUTES } },
      { method: 'ServiceAccountToken', serviceAccountTokenSettings: { audiences: ['aio-internal'] } },
      { method: 'Custom', customSettings: { endpoint: 'https://auth.local:8443', caCertConfigMap: 'auth-ca', auth: { x509: { secretRef: 'auth-client' } }, headers: { 'X-Site': 'n013' } } },
    ]);
  });

  it('builds a BrokerAuthorization with principals and broker resources', () => {
    const authz = buildBrokerAuthorization(
      AuthorizationInput.parse({
        name: 'litmus-authz',
        rules: [{ principals: { attributes: [{ group: 'connector_group' }] }, brokerResources: [{ method: 'Connect' }, { method: 'Publish', topics: ['litmus/#'] }] }],
      }),
      NS,
    );
    expect(authz['spec']).toEqual({
      authorizationPolicies: {
        cache: 'Enabled',
        rules: [{ principals: { attributes: [{ group: 'connector_group' }] }, brokerResources: [{ method: 'Connect' }, { method: 'Publish', topics: ['litmus/#'] }] }],
      },
    });
  });

  it('builds a spec from the vault in apply order, and turns vault problems into sentences', async () => {
    const service = new AioService({ liveMatrix: noLiveMatrix, kube: noKube, pki: s.pki });
    const built = service.build(parseSpec(seed001Spec(s)));
    expect(built.issues).toEqual([]);
    expect(built.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Secret/broker-server-cert', 'ConfigMap/clients42-ca', 'BrokerAuthentication/x509-policy', 'BrokerListener/loadbalancer-listener']);
    // 'chain' takes every CA above a client certificate; 'selected' refuses a leaf.
    const chain = service.build(parseSpec({ clientCas: [{ name: 'clients42-ca', certificateIds: [s.clients[0]!.id] }] }));
    const pem = (chain.objects[0]!['data'] as Record<string, string>)['client_ca.pem']!;
    expect(pem).toBe(s.pki.exportCertificatePem(s.cint.id) + s.pki.exportCertificatePem(s.croot.id));
    const bad = service.build(
      parseSpec({
        serverSecrets: [{ name: 'a', certificateId: s.int.id }, { name: 'b', certificateId: 'nope' }],
        clientCas: [{ name: 'c', certificateIds: [s.clients[0]!.id], include: 'selected' }],
      }),
    );
    expect(bad.objects).toEqual([]);
    expect(bad.issues.map((i) => i.sentence)).toEqual([
      'Secret a: AIO42 Intermediate CA 1 is a CA certificate, not a server certificate. Pick the listener\'s server (leaf) certificate.',
      'Secret b: no certificate with id "nope" is in the vault. Pick the server certificate again.',
      'ConfigMap c: client42a is not a CA certificate. Pick the CA that issued the clients, or include its chain.',
    ]);
  });
});
