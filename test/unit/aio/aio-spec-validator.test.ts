import { describe, expect, it } from 'vitest';
import type { IssuerSummaryT, ListenerSummaryT } from '@shared/contract/aio-contract';
import { findListenerClashes, validateApplySpec, type ClusterFacts } from '../../../src/main/services/aio/aio-spec-validator';
import { parseSpec } from './aio-seed';

const NS = 'azure-iot-operations';
const defaultListener: ListenerSummaryT = {
  name: 'default', namespace: NS, brokerRef: 'default', serviceName: 'aio-broker', serviceType: 'ClusterIp', isDefault: true, managers: [],
  ports: [{ port: 18883, protocol: 'Mqtt', authenticationRef: 'default', tls: { mode: 'Automatic', issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } }],
};
const clusterIssuer: IssuerSummaryT = { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', type: 'ca', ready: 'True' };
const facts = (over: Partial<ClusterFacts> = {}): ClusterFacts => ({
  listeners: [defaultListener],
  authentications: [{ name: 'default', namespace: NS, isDefault: true, methods: [{ method: 'ServiceAccountToken', audiences: ['aio-internal'] }] }],
  authorizations: [],
  issuers: [clusterIssuer],
  secrets: new Set(),
  configMaps: new Set(),
  ...over,
});
const errors = (spec: Parameters<typeof parseSpec>[0], f = facts()) => validateApplySpec(parseSpec(spec), f).filter((i) => i.severity === 'error').map((i) => i.sentence);

describe('spec validation before anything is sent', () => {
  it('accepts the seed 001 listener once its Secret and policy exist on the cluster', () => {
    const f = facts({ secrets: new Set(['broker-server-cert']), configMaps: new Set(['clients42-ca']), authentications: [...facts().authentications, { name: 'x509-policy', namespace: NS, isDefault: false, methods: [{ method: 'X509', trustedClientCaCert: 'clients42-ca' }] }] });
    expect(errors({ listeners: [{ name: 'loadbalancer-listener', serviceType: 'LoadBalancer', ports: [{ port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Manual', secretName: 'broker-server-cert' } }] }] }, f)).toEqual([]);
  });

  it('refuses an empty spec, bad names, bad keys and duplicates with sentences', () => {
    expect(errors({})).toEqual(['The spec has nothing to apply. Add a server Secret, a client CA, a policy or a listener.']);
    const e = errors({
      listeners: [
        { name: 'LB_Listener', serviceType: 'LoadBalancer', ports: [{ port: 8883 }] },
        { name: '1883-listener', serviceType: 'NodePort', ports: [{ port: 1883 }] },
      ],
      authentications: [{ name: 'sat', methods: [{ method: 'ServiceAccountToken', audiences: ['aio-internal'] }] }, { name: 'sat', methods: [{ method: 'ServiceAccountToken', audiences: ['x'] }] }],
      clientCas: [{ name: 'ca', certificateIds: ['x'], key: 'client ca.pem' }],
    });
    expect(e).toContain('BrokerListener name "LB_Listener" is not valid: use lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters.');
    expect(e).toContain("The listener's Service takes its name (1883-listener), which must start with a letter. Set a service name that does.");
    expect(e).toContain('The spec has two BrokerAuthentication resources named sat. Give each its own name.');
    expect(e).toContain('The key "client ca.pem" is not a valid ConfigMap key. Use letters, digits, \'-\', \'_\' and \'.\', e.g. client_ca.pem.');
  });

  it('leaves the default listener and authentication alone unless allowed', () => {
    const spec = { listeners: [{ name: 'default', serviceType: 'ClusterIp' as const, ports: [{ port: 18883 }] }], authentications: [{ name: 'default', methods: [{ method: 'ServiceAccountToken' as const, audiences: ['aio-internal', 'mine'] }] }] };
    expect(errors(spec).filter((s) => s.includes('default'))).toHaveLength(2);
    expect(errors({ ...spec, allowDefault: true })).toEqual([]);
  });

  it('checks nodePort range and type, port clashes with existing listeners and one listener per service type', () => {
    const e = errors({
      listeners: [
        { name: 'np', serviceType: 'NodePort', ports: [{ port: 18883, nodePort: 80 }] },
        { name: 'lb', serviceType: 'LoadBalancer', ports: [{ port: 8883, nodePort: 31883 }, { port: 8883 }] },
        { name: 'internal', serviceType: 'ClusterIp', ports: [{ port: 1883 }] },
      ],
    });
    expect(e).toEqual(
      expect.arrayContaining([
        'Port 18883 is used by listener default and by listener np; a port number cannot be reused across listeners. Give np another port.',
        'Listener np asks for nodePort 80, outside the range Kubernetes allows (30000–32767). Choose a nodePort in that range, e.g. 31883.',
        'Listener lb sets nodePort 31883 on port 8883, but it is a LoadBalancer listener; only NodePort listeners take a nodePort. Remove it or make the listener NodePort.',
        'Listener lb lists port 8883 twice. Keep one entry per port.',
        'Listener internal is a second ClusterIp listener (default is one already); the broker allows one listener per service type. Add the port to default instead, or choose another service type.',
      ]),
    );
  });

  it('requires TLS for X.509 ports, references that resolve and issuers that exist', () => {
    const e = errors({
      authentications: [{ name: 'x509-policy', methods: [{ method: 'X509', trustedClientCaCert: 'clients42-ca', authorizationAttributes: { a: { subject: 'CN=client42a', attributes: { k: 'v' } } } }] }],
      listeners: [
        {
          name: 'lb',
          serviceType: 'LoadBalancer',
          ports: [
            { port: 8883, authenticationRef: 'x509-policy' },
            { port: 8884, authenticationRef: 'nope', authorizationRef: 'nope-authz', tls: { mode: 'Manual', secretName: 'missing-secret' } },
            { port: 8885, tls: { mode: 'Automatic', issuerRef: { name: 'aio-tls-issuer' }, san: { dns: [], ip: ['n013edge.local'] } } },
          ],
        },
      ],
    });
    expect(e).toEqual([
      'Policy x509-policy trusts client CAs from ConfigMap clients42-ca, which is neither on the cluster nor in this spec. Add a client CA ConfigMap named clients42-ca.',
      'Port 8883 of listener lb uses X.509 authentication (x509-policy) without TLS; client certificates only travel in a TLS handshake. Turn TLS on for this port.',
      'Port 8884 of listener lb uses authentication nope, which is neither on the cluster nor in this spec. Add that policy or pick an existing one.',
      'Port 8884 of listener lb uses authorization nope-authz, which is neither on the cluster nor in this spec. Add it or remove the reference.',
      'Port 8884 of listener lb serves TLS from Secret missing-secret, which is neither on the cluster nor in this spec. Add a server Secret named missing-secret from a vault certificate.',
      'Port 8885 of listener lb asks cert-manager Issuer aio-tls-issuer for its certificate, but no such Issuer exists in azure-iot-operations; the certificate would never be issued and clients would see ECONNRESET during the handshake. Use ClusterIssuer azure-iot-operations-aio-certificate-issuer instead.',
      '"n013edge.local" in the IP SANs of port 8885 of listener lb is not an IP address. Put host names under DNS.',
    ]);
    const warnings = validateApplySpec(parseSpec({ authentications: [{ name: 'x509', methods: [{ method: 'X509', trustedClientCaCert: 'ca', authorizationAttributes: { a: { subject: 'CN=client42a', attributes: {} } } }] }], clientCas: [{ name: 'ca', certificateIds: ['i'] }] }), facts()).filter((i) => i.severity === 'warning');
    expect(warnings.map((w) => w.sentence)).toEqual(['Attribute set "a" matches subject "CN=client42a", but the broker writes subjects the OpenSSL way with spaces, e.g. "CN = client42a". Without that it never matches.']);
  });

  it('findListenerClashes accepts a clean set', () => {
    expect(findListenerClashes([defaultListener, { name: 'np', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] }, { name: 'lb', serviceType: 'LoadBalancer', ports: [{ port: 8883 }] }])).toEqual([]);
  });

  it('clash checks ignore letter case, a service name belongs to one listener (aio-broker to the default one), and ARM names are 3-63', () => {
    expect(findListenerClashes([{ name: 'a', serviceType: 'loadBalancer', ports: [{ port: 1883 }] }, { name: 'b', serviceType: 'LoadBalancer', ports: [{ port: 1884 }] }]).map((c) => c.kind)).toEqual(['service-type']);
    expect(findListenerClashes([{ name: 'a', serviceType: 'nodeport', ports: [{ port: 1883, nodePort: 31883 }] }]).map((c) => c.kind)).toEqual([]);
    const clash = findListenerClashes([defaultListener, { name: 'np', serviceName: 'aio-broker', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] }]);
    expect(clash.map((c) => [c.kind, c.listener])).toEqual([['service-name', 'np']]);
    expect(clash[0]!.sentence).toBe("Listener np would create Service aio-broker, which listener default already uses (it is the default listener's); a listener's service name must be unique in the namespace. Give np another service name.");
    const offline = validateApplySpec(parseSpec({ listeners: [{ name: 'lb', serviceName: 'aio-broker', serviceType: 'LoadBalancer', ports: [{ port: 8883, authenticationRef: 'x509-policy' }] }] }), undefined);
    expect(offline.map((i) => [i.severity, i.sentence.slice(0, 60)])).toEqual([
      ['warning', 'BrokerListener name "lb" is valid in Kubernetes but not as a'],
      ['warning', 'Port 8883 of listener lb uses authentication x509-policy, wh'],
      ['error', 'Listener lb would create Service aio-broker, which listener '],
    ]);
    expect(offline[1]!.sentence).toContain('is not in this spec; make sure it exists on the cluster before applying');
  });
});
