import { describe, expect, it } from 'vitest';
import { ApplySpec } from '@shared/contract/aio-contract';
import { buildBrokerSetupSpec, seed001Defaults } from '../../../../src/renderer/src/features/edge/broker-setup-form';
import { diffLines, diffStats } from '../../../../src/renderer/src/features/edge/diff-lines';
import { buildSaveRequest, emptyNodeForm, nodeFormFrom, type NodeFormValues, type NodeSummary } from '../../../../src/renderer/src/features/edge/node-form';

const filled = (patch: Partial<NodeFormValues> = {}): NodeFormValues => ({ ...emptyNodeForm(), name: 'edge-01', host: '192.168.2.196', user: 'aio', keyId: 'k-1', ...patch });

describe('node form → edge.saveNode', () => {
  it('builds a key login through SSH to k3s, with the sudo password only when typed', () => {
    const { request, errors } = buildSaveRequest(filled({ sudoPassword: 's3cret' }), undefined);
    expect(errors).toEqual({});
    expect(request).toEqual({
      name: 'edge-01',
      host: '192.168.2.196',
      port: 22,
      user: 'aio',
      auth: { method: 'key', keyId: 'k-1' },
      kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
      sudoPassword: 's3cret',
    });
    expect(buildSaveRequest(filled(), undefined).request).not.toHaveProperty('sudoPassword');
  });

  it('a node without SSH: only a kubeconfig, no user or login sent, and the address optional', () => {
    const { request, errors } = buildSaveRequest(filled({ authMethod: 'none', host: '', user: '', kubeMode: 'kubeconfig', kubeconfigPath: '/home/tech/edge.yaml' }), undefined);
    expect(errors).toEqual({});
    expect(request).toEqual({ name: 'edge-01', port: 22, kube: { mode: 'kubeconfig', path: '/home/tech/edge.yaml' } });
    // With SSH-only Kubernetes access there is nothing to reach the node with: the login field says so.
    const ssh = buildSaveRequest(filled({ authMethod: 'none', kubeMode: 'ssh' }), undefined);
    expect(ssh.errors.authMethod).toBe('Choose how to log in over SSH. Only a node reached through a kubeconfig file can do without SSH.');
  });

  it('shows the contract’s own sentences on the field that is wrong', () => {
    const { errors } = buildSaveRequest(filled({ name: 'edge 01', host: 'ssh://x', user: '', port: '70000', keyId: '' }), undefined);
    expect(errors.name).toBe('Use letters, digits, dots, dashes and underscores in node names (no spaces).');
    expect(errors.host).toBe('Enter an IP address or a host name (no spaces, no scheme).');
    expect(errors.user).toBe('Enter the SSH user name.');
    expect(errors.port).toBe('Enter a port from 1 to 65535 (SSH is usually 22).');
    expect(errors.keyId).toBe('Choose a key from the vault, or generate or import one.');
    expect(buildSaveRequest(filled({ port: 'abc' }), undefined).errors.port).toMatch(/^Enter a port/);
  });

  it('maps Arc and kubeconfig problems to their own fields', () => {
    expect(buildSaveRequest(filled({ kubeMode: 'arc', arcCluster: '', arcGroup: 'rg' }), undefined).errors).toEqual({ arcCluster: 'Enter the Arc cluster name.' });
    expect(buildSaveRequest(filled({ kubeMode: 'arc', arcCluster: 'c', arcGroup: '' }), undefined).errors).toEqual({ arcGroup: 'Enter the resource group.' });
    expect(buildSaveRequest(filled({ kubeMode: 'kubeconfig', kubeconfigPath: '' }), undefined).errors).toEqual({ kubeconfigPath: 'Choose a kubeconfig file.' });
    const arc = buildSaveRequest(filled({ kubeMode: 'arc', arcCluster: 'c', arcGroup: 'rg', arcToken: 'tok' }), undefined).request;
    expect(arc.kube).toEqual({ mode: 'arc', clusterName: 'c', resourceGroup: 'rg', token: 'tok' });
  });

  it('on edit, empty secrets keep the stored ones; forgetting sends null; a node cannot jump through itself', () => {
    const node: NodeSummary = {
      id: 'n-1',
      name: 'edge-01',
      host: '10.0.0.5',
      port: 2222,
      user: 'aio',
      auth: { method: 'password' },
      hasSudoPassword: false,
      kube: { mode: 'kubeconfig', path: '/home/t/k.yaml', context: 'edge' },
      created: '2026-01-01T00:00:00Z',
      modified: '2026-01-01T00:00:00Z',
    };
    const v = nodeFormFrom(node);
    expect(v).toMatchObject({ port: '2222', authMethod: 'password', password: '', kubeMode: 'kubeconfig', kubeconfigPath: '/home/t/k.yaml', kubeconfigContext: 'edge' });
    const { request, errors } = buildSaveRequest(v, 'n-1');
    expect(errors).toEqual({});
    expect(request).toMatchObject({ id: 'n-1', auth: { method: 'password' }, jumpHostId: null });
    expect(request.auth).not.toHaveProperty('password');
    expect(buildSaveRequest({ ...v, password: '' }, undefined).errors.password).toBeDefined();
    const keyNode = buildSaveRequest({ ...filled(), forgetSudoPassword: true }, 'n-1').request;
    expect(keyNode.sudoPassword).toBeNull();
    expect(buildSaveRequest({ ...filled(), jumpHostId: 'n-1' }, 'n-1').errors.jumpHostId).toMatch(/cannot be its own jump host/);
  });
});

describe('seed 001 broker setup form → aio apply spec', () => {
  const ready = { ...seed001Defaults('192.168.2.196'), serverCertificateId: 'srv', clientCaCertificateId: 'ca' };

  it('builds the Secret, ConfigMap, X.509 policy and LoadBalancer listener on 8883 with Manual TLS, accepted by the contract', () => {
    const { spec, errors } = buildBrokerSetupSpec(ready);
    expect(errors).toEqual({});
    expect(spec).toEqual({
      namespace: 'azure-iot-operations',
      serverSecrets: [{ name: 'broker-server-cert', certificateId: 'srv' }],
      clientCas: [{ name: 'clients42-ca', certificateIds: ['ca'], key: 'client_ca.pem', include: 'chain' }],
      authentications: [{ name: 'x509-policy', methods: [{ method: 'X509', trustedClientCaCert: 'clients42-ca' }] }],
      listeners: [
        {
          name: 'loadbalancer-listener',
          serviceName: 'loadbalancer-listener-service',
          serviceType: 'LoadBalancer',
          ports: [{ port: 8883, protocol: 'Mqtt', authenticationRef: 'x509-policy', tls: { mode: 'Manual', secretName: 'broker-server-cert' } }],
        },
      ],
    });
    expect(ApplySpec.safeParse(spec).success).toBe(true);
  });

  it('Automatic TLS names the issuer and SANs (the node IP prefilled); NodePort checks its range', () => {
    const { spec, errors } = buildBrokerSetupSpec({ ...ready, withSecret: false, tlsMode: 'Automatic', serviceType: 'NodePort', nodePort: '31883', sanDns: 'n013edge.local, mqtt' });
    expect(errors).toEqual({});
    expect(spec.listeners?.[0]?.ports[0]).toEqual({
      port: 8883,
      nodePort: 31883,
      protocol: 'Mqtt',
      authenticationRef: 'x509-policy',
      tls: { mode: 'Automatic', issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' }, san: { dns: ['n013edge.local', 'mqtt'], ip: ['192.168.2.196'] } },
    });
    expect(buildBrokerSetupSpec({ ...ready, serviceType: 'NodePort', nodePort: '8883' }).errors.nodePort).toBe('A NodePort must be between 30000 and 32767.');
    expect(buildBrokerSetupSpec({ ...ready, tlsMode: 'Automatic', sanIp: 'edge.local' }).errors.sanIp).toMatch(/is not an IP address/);
  });

  it('says what is missing before anything is planned', () => {
    const { errors } = buildBrokerSetupSpec(seed001Defaults(undefined));
    expect(errors.serverCertificateId).toMatch(/Choose the broker’s server certificate/);
    expect(errors.clientCaCertificateId).toMatch(/Choose the CA/);
    expect(buildBrokerSetupSpec({ ...ready, withSecret: false }).errors.tlsMode).toMatch(/Manual TLS serves the server Secret/);
    expect(buildBrokerSetupSpec({ ...ready, listenerName: 'default' }).errors.listenerName).toMatch(/Leave the default listener alone/);
    expect(buildBrokerSetupSpec({ ...ready, secretName: 'Broker_Cert' }).errors.secretName).toMatch(/lowercase/);
    expect(buildBrokerSetupSpec({ ...ready, withSecret: false, withClientCa: false, withAuthentication: false, withListener: false }).errors.parts).toBe('Choose at least one part to apply.');
  });
});

describe('diff lines', () => {
  it('classifies headers, hunks, additions, removals and context', () => {
    const lines = diffLines('--- a\n+++ b\n@@ -1,2 +1,2 @@\n spec:\n-  serviceType: ClusterIp\n+  serviceType: LoadBalancer\n');
    expect(lines.map((l) => l.kind)).toEqual(['header', 'header', 'hunk', 'context', 'removed', 'added']);
    expect(diffStats(lines)).toEqual({ added: 1, removed: 1 });
    expect(diffLines('  \n')).toEqual([]);
  });
});
