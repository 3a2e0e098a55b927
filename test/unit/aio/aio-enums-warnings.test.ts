import { describe, expect, it } from 'vitest';
import { canonicalEnum, clusterIssuerNameFor, isArmName, SERVICE_TYPES, trustBundleNameFor } from '../../../src/main/services/aio/aio-constants';
import { trustSettingsOf } from '../../../src/main/services/aio/aio-discovery';
import { parseWarnings } from '../../../src/main/services/aio/aio-kube-client';

describe('reading what a cluster stores', () => {
  it('enums in any case map to the v1 spelling; anything else is not guessed', () => {
    expect(canonicalEnum('loadBalancer', SERVICE_TYPES)).toBe('LoadBalancer');
    expect(canonicalEnum('CLUSTERIP', SERVICE_TYPES)).toBe('ClusterIp');
    expect(canonicalEnum('Ingress', SERVICE_TYPES)).toBeUndefined();
  });

  it('ARM names are 3-63 lower-case letters, digits and inner dashes', () => {
    expect(['abc', 'a-1', 'x'.repeat(63)].map(isArmName)).toEqual([true, true, true]);
    expect(['ab', 'a', '-ab', 'ab-', 'Abc', 'x'.repeat(64), 'a.b'].map(isArmName)).toEqual([false, false, false, false, false, false, false]);
  });

  it('API server warnings come back as their texts', () => {
    expect(parseWarnings('299 - "unknown field \\"spec.x\\"", 299 - "unknown field \\"spec.ports[0].y\\""')).toEqual(['unknown field "spec.x"', 'unknown field "spec.ports[0].y"']);
    expect(parseWarnings(['299 - "a"', '299 - "b, c"'])).toEqual(['a', 'b, c']);
    expect(parseWarnings(undefined)).toEqual([]);
  });

  it('trust bundle and issuer: asked, else what the cluster shows, else derived from the namespace', () => {
    const ns = 'site-7';
    expect(trustBundleNameFor(ns)).toBe('site-7-aio-ca-trust-bundle');
    expect(clusterIssuerNameFor(ns)).toBe('site-7-aio-certificate-issuer');
    const derived = trustSettingsOf(ns, undefined, [], []);
    expect(derived).toEqual({ issuer: { name: 'site-7-aio-certificate-issuer', kind: 'ClusterIssuer', source: 'namespace' }, bundle: { name: 'site-7-aio-ca-trust-bundle', key: 'ca.crt', source: 'namespace', exists: false } });
    const def = { name: 'default', namespace: ns, brokerRef: 'default', serviceName: 'aio-broker', serviceType: 'ClusterIp', isDefault: true, managers: [], ports: [{ port: 18883, protocol: 'Mqtt', tls: { mode: 'Automatic' as const, issuerRef: { name: 'trust-manager-selfsigned-issuer', kind: 'Issuer', group: 'cert-manager.io' } } }] };
    const labelled = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'example-bundle', labels: { 'trust.cert-manager.io/bundle': 'example' } }, data: { 'trust-bundle.pem': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' } };
    expect(trustSettingsOf(ns, undefined, [def], [labelled])).toEqual({
      issuer: { name: 'trust-manager-selfsigned-issuer', kind: 'Issuer', source: 'default-listener' },
      bundle: { name: 'example-bundle', key: 'trust-bundle.pem', source: 'cluster', exists: true },
    });
    expect(trustSettingsOf(ns, { configMapName: 'mine', configMapKey: 'ca.pem', issuerName: 'my-issuer' }, [def], [labelled])).toEqual({
      issuer: { name: 'my-issuer', kind: 'ClusterIssuer', source: 'asked' },
      bundle: { name: 'mine', key: 'ca.pem', source: 'asked', exists: false },
    });
  });
});
