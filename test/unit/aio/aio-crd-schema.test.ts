import { beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationInput, AuthorizationInput, ListenerInput } from '@shared/contract/aio-contract';
import { diagnoseAio } from '../../../src/main/services/aio/aio-diagnostics';
import { summarizeListener } from '../../../src/main/services/aio/aio-discovery';
import { buildBrokerAuthentication, buildBrokerAuthorization, buildBrokerListener, type KubeObject } from '../../../src/main/services/aio/aio-resources';
import { AioService } from '../../../src/main/services/aio/aio-service';
import { AIO_SCHEMAS } from '../../support/kube/aio-crd-schema';
import { defaultAioPreload } from '../../support/kube/kube-preload';
import { pruneAndValidate } from '../../support/kube/kube-structural';
import { parseSpec, SEED_000_ATTRIBUTES, seed001Spec, seedVault, type SeedVault } from './aio-seed';
import { noLiveMatrix } from '../../support/services/absent-areas';

const NS = 'azure-iot-operations';
const noKube = { openKube: () => Promise.reject(new Error('no cluster in unit tests')) };
const ISSUER = { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' as const };

/** Nothing pruned, nothing refused: what a structural CRD from the REST spec would store as sent. */
function fits(o: KubeObject): { kind: string; unknown: string[]; errors: string[] } {
  const schema = AIO_SCHEMAS[o.kind];
  if (!schema) return { kind: o.kind, unknown: [], errors: [] };
  const r = pruneAndValidate(schema, structuredClone(o) as never);
  return { kind: o.kind, unknown: r.unknown, errors: r.errors.map((e) => `${e.field} ${e.type}`) };
}
const clean = (o: KubeObject) => ({ kind: o.kind, unknown: [], errors: [] });

const LISTENERS = [
  { name: 'plain', serviceType: 'ClusterIp', ports: [{ port: 1883 }] },
  { name: 'manual', serviceName: 'manual-svc', serviceType: 'LoadBalancer', ports: [{ port: 8883, authenticationRef: 'x509-policy', authorizationRef: 'authz', tls: { mode: 'Manual', secretName: 's' } }] },
  {
    name: 'automatic',
    serviceType: 'NodePort',
    ports: [
      { port: 8884, nodePort: 31884, protocol: 'WebSockets', tls: { mode: 'Automatic', issuerRef: ISSUER } },
      {
        port: 8885,
        nodePort: 31885,
        tls: { mode: 'Automatic', issuerRef: { name: 'local', kind: 'Issuer' }, privateKey: { algorithm: 'Rsa2048', rotationPolicy: 'Never' }, san: { dns: ['edge.local'], ip: ['10.0.0.4'] }, duration: '2160h', renewBefore: '240h', secretName: 'auto-secret' },
      },
      { port: 8886, tls: { mode: 'Automatic', issuerRef: ISSUER, san: { ip: ['10.0.0.5'] } } },
    ],
  },
];

describe('every object Fieldbench emits fits the broker CRD schema from the REST spec', () => {
  let s: SeedVault;
  beforeAll(async () => {
    s = await seedVault();
  });

  it('listeners, in every TLS mode, service type and protocol', () => {
    for (const l of LISTENERS) {
      const o = buildBrokerListener(ListenerInput.parse(l), NS);
      expect(fits(o)).toEqual(clean(o));
    }
  });

  it('authentication policies with every method, and authorization with every kind of rule', () => {
    const auth = buildBrokerAuthentication(
      AuthenticationInput.parse({
        name: 'all-methods',
        methods: [
          { method: 'X509', trustedClientCaCert: 'ca', authorizationAttributes: SEED_000_ATTRIBUTES },
          { method: 'X509', trustedClientCaCert: 'ca2' },
          { method: 'ServiceAccountToken', audiences: ['aio-internal'] },
          { method: 'Custom', endpoint: 'https://auth.local:8443', caCertConfigMap: 'auth-ca', x509SecretRef: 'auth-client', headers: { 'X-Site': 'n013' } },
          { method: 'Custom', endpoint: 'https://auth.local' },
        ],
      }),
      NS,
    );
    expect(fits(auth)).toEqual(clean(auth));
    const authz = buildBrokerAuthorization(
      AuthorizationInput.parse({
        name: 'authz',
        cache: 'Disabled',
        rules: [
          { principals: { attributes: [{ group: 'connector_group' }], clientIds: ['a'], usernames: ['u'] }, brokerResources: [{ method: 'Connect', clientIds: ['a'] }, { method: 'Publish', topics: ['t/#'] }, { method: 'Subscribe', topics: ['s/+'] }], stateStoreResources: [{ keyType: 'Pattern', keys: ['k*'], method: 'ReadWrite' }] },
          { principals: {}, brokerResources: [] },
        ],
      }),
      NS,
    );
    expect(fits(authz)).toEqual(clean(authz));
  });

  it('what aio render (and so aio apply) sends for the seed flows', () => {
    const service = new AioService({ liveMatrix: noLiveMatrix, kube: noKube, pki: s.pki });
    const { objects } = service.renderBrokerObjects(parseSpec(seed001Spec(s, { authorizations: [{ name: 'authz', rules: [{ principals: { usernames: ['client42a'] }, brokerResources: [{ method: 'Connect' }] }] }] })));
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'ConfigMap', 'BrokerAuthentication', 'BrokerAuthorization', 'BrokerListener']);
    for (const o of objects) expect(fits(o)).toEqual(clean(o));
  });

  it('the fixes diagnostics offer, which rebuild a discovered listener', () => {
    const listener = summarizeListener({
      apiVersion: 'mqttbroker.iotoperations.azure.com/v1',
      kind: 'BrokerListener',
      metadata: { name: 'lb', namespace: NS },
      spec: { brokerRef: 'default', serviceType: 'loadBalancer', ports: [{ port: 8883, protocol: 'mqtt', tls: { mode: 'automatic', certManagerCertificateSpec: { issuerRef: { name: 'gone', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } }] },
    });
    const discovery = {
      nodeId: 'n', via: 'kubeconfig', description: 'test', namespace: NS, aioPresent: true, brokers: ['default'], listeners: [listener], services: [], authentications: [], authorizations: [], certificates: [], certificateRequests: [],
      issuers: [{ name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' as const, type: 'ca' as const, ready: 'True' as const }],
      trustBundles: [], warnings: [],
      trustSettings: { issuer: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' as const, source: 'namespace' as const }, bundle: { name: 'azure-iot-operations-aio-ca-trust-bundle', key: 'ca.crt', source: 'namespace' as const, exists: true } },
    };
    const diags = diagnoseAio({ discovery, listenerSecrets: new Map(), clientCaConfigMaps: new Map(), nodeAddresses: ['10.0.0.9'], vaultServerCertificates: [], vaultClientChains: [], clientsExplicit: false });
    const fixes = diags.flatMap((d) => (d.fix.action?.call === 'aio.apply' ? d.fix.action.spec.listeners : []));
    expect(fixes.length).toBeGreaterThan(0);
    for (const l of fixes) {
      const o = buildBrokerListener(ListenerInput.parse(l), NS);
      expect(fits(o)).toEqual(clean(o));
      // A fix never rewrites what it does not fix: the listener stays a LoadBalancer speaking MQTT.
      expect(o['spec']).toMatchObject({ serviceType: 'LoadBalancer', ports: [{ protocol: 'Mqtt' }] });
    }
  });

  it('the emulator\'s preloaded install', () => {
    const objs = defaultAioPreload({ aioRootCaPem: 'x', aioRootCaKeyPem: 'y', clusterCaPem: 'z' } as never).filter((o) => String(o['apiVersion']).startsWith('mqttbroker.')) as KubeObject[];
    expect(objs.map((o) => o.kind).sort()).toEqual(['Broker', 'BrokerAuthentication', 'BrokerListener']);
    for (const o of objs) expect(fits(o)).toEqual(clean(o));
  });

  it('and the schema does refuse and prune: old samples\' fields, missing required fields, unknown enums', () => {
    const old = { apiVersion: 'mqttbroker.iotoperations.azure.com/v1', kind: 'BrokerListener', metadata: { name: 'x' }, spec: { brokerRef: 'default', ports: [{ port: 8883, tls: { automatic: { issuerRef: {} }, mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'i', kind: 'Issuer', group: 'cert-manager.io' }, privateKey: { algorithm: 'Ec256' } } } }], additionalValidation: true } } as KubeObject;
    expect(fits(old)).toEqual({
      kind: 'BrokerListener',
      unknown: ['spec.additionalValidation', 'spec.ports[0].tls.automatic'],
      errors: ['spec.ports[0].tls.certManagerCertificateSpec.privateKey.rotationPolicy FieldValueRequired'],
    });
    const enumBad = { apiVersion: 'mqttbroker.iotoperations.azure.com/v1', kind: 'BrokerListener', metadata: { name: 'x' }, spec: { brokerRef: 'default', serviceType: 'Ingress', ports: [{ port: 70000 }] } } as KubeObject;
    expect(fits(enumBad).errors).toEqual(['spec.serviceType FieldValueNotSupported', 'spec.ports[0].port FieldValueInvalid']);
  });
});
