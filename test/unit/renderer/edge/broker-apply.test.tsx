import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { CallResponse } from '@shared/contract';
import type { ApplyPlanT, ApplyResultT, DiagnoseResultT } from '@shared/contract/aio-contract';
import type { Result } from '@shared/errors';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { EdgePage } = await import('../../../../src/renderer/src/features/edge/edge-page');
const { useEdgeStore } = await import('../../../../src/renderer/src/features/edge/use-edge-store');

type Node = CallResponse<'edge.listNodes'>['nodes'][number];
const NODE: Node = {
  id: 'n-1',
  name: 'edge-01',
  host: '192.168.2.196',
  port: 22,
  user: 'aio',
  auth: { method: 'agent' },
  hasSudoPassword: true,
  hostKey: { type: 'ssh-ed25519', fingerprint: 'SHA256:' + 'A'.repeat(43), trustedAt: '2026-01-01T00:00:00Z' },
  kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
  created: '2026-01-01T00:00:00Z',
  modified: '2026-01-01T00:00:00Z',
};
const NS = 'azure-iot-operations';
const FIX_SPEC = {
  namespace: NS,
  serverSecrets: [],
  clientCas: [],
  authentications: [],
  authorizations: [],
  allowDefault: false,
  listeners: [
    {
      name: 'loadbalancer-listener',
      brokerRef: 'default',
      serviceType: 'LoadBalancer' as const,
      ports: [{ port: 8883, protocol: 'Mqtt' as const, tls: { mode: 'Automatic' as const, issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' as const, group: 'cert-manager.io' } } }],
    },
  ],
};

const DIAGNOSE: DiagnoseResultT = {
  nodeId: 'n-1',
  diagnostics: [
    {
      id: 'listener-issuer-missing:loadbalancer-listener:8883',
      severity: 'error',
      resource: { kind: 'BrokerListener', name: 'loadbalancer-listener', namespace: NS },
      sentence: 'Listener loadbalancer-listener port 8883 asks Issuer aio-tls-issuer for its TLS certificate, but that Issuer does not exist in azure-iot-operations.',
      fix: { label: 'Point port 8883 at ClusterIssuer azure-iot-operations-aio-certificate-issuer, which is ready', action: { call: 'aio.apply', spec: FIX_SPEC, force: false } },
    },
  ],
  discovery: {
    nodeId: 'n-1',
    via: 'ssh',
    description: 'through SSH to edge-01',
    namespace: NS,
    aioPresent: true,
    brokers: ['default'],
    listeners: [
      {
        name: 'default',
        namespace: NS,
        brokerRef: 'default',
        serviceName: 'aio-broker',
        serviceType: 'ClusterIp',
        isDefault: true,
        managers: [],
        ports: [{ port: 18883, protocol: 'Mqtt', authenticationRef: 'default', tls: { mode: 'Automatic', issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } }],
      },
      {
        name: 'loadbalancer-listener',
        namespace: NS,
        brokerRef: 'default',
        serviceName: 'loadbalancer-listener-service',
        serviceType: 'LoadBalancer',
        isDefault: false,
        managers: ['azure-portal'],
        ports: [{ port: 8883, protocol: 'Mqtt', tls: { mode: 'Automatic', issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer', group: 'cert-manager.io' } } }],
      },
    ],
    services: [
      { name: 'aio-broker', namespace: NS, type: 'ClusterIP', clusterIp: '10.43.0.10', externalIps: [], ports: [{ port: 18883, protocol: 'TCP' }], listener: 'default' },
      { name: 'loadbalancer-listener-service', namespace: NS, type: 'LoadBalancer', externalIps: ['192.168.2.196'], ports: [{ port: 8883, protocol: 'TCP' }], listener: 'loadbalancer-listener' },
    ],
    authentications: [{ name: 'default', namespace: NS, isDefault: true, methods: [{ method: 'ServiceAccountToken', audiences: ['aio-internal'] }] }],
    authorizations: [],
    certificates: [
      { name: 'aio-broker-frontend-server-8883', namespace: NS, secretName: 's', issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer' }, ready: 'False', reason: 'DoesNotExist', message: 'Referenced "Issuer" not found', dnsNames: [], ipAddresses: [], listener: 'loadbalancer-listener' },
    ],
    issuers: [{ name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', type: 'ca', ready: 'True' }],
    trustBundles: [
      {
        source: 'ConfigMap',
        name: 'azure-iot-operations-aio-ca-trust-bundle',
        namespace: NS,
        key: 'ca.crt',
        role: 'client-trust',
        certificates: [{ subject: 'CN = Azure IoT Operations Quickstart Root CA - Not for Production', issuer: 'same', fingerprintSha256: 'AB', notAfter: '2030-01-01T00:00:00Z', isCa: true, selfSigned: true, keyFamily: 'ec' }],
      },
    ],
    warnings: [],
    certificateRequests: [],
    trustSettings: { issuer: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', source: 'default-listener' }, bundle: { name: 'azure-iot-operations-aio-ca-trust-bundle', key: 'ca.crt', source: 'namespace', exists: true } },
  },
};

const ref = { kind: 'BrokerListener', name: 'loadbalancer-listener', namespace: NS };
function plan(force: boolean): ApplyPlanT {
  return {
    nodeId: 'n-1',
    via: 'through SSH',
    namespace: NS,
    canApply: force,
    issues: [],
    resources: [
      {
        ref,
        apiVersion: 'mqttbroker.iotoperations.azure.com/v1',
        yaml: 'kind: BrokerListener\n',
        action: 'update',
        diff: '--- on the cluster\n+++ after apply\n@@ -1,2 +1,2 @@\n-      name: aio-tls-issuer\n+      name: azure-iot-operations-aio-certificate-issuer\n',
        dryRun: force ? { ok: true } : { ok: false, code: 'aio.conflict', message: 'Fields are owned by azure-portal.' },
        conflictsWith: force ? [] : ['azure-portal'],
      },
    ],
  };
}

beforeEach(() => {
  fake.resetFake();
  useEdgeStore.setState(useEdgeStore.getInitialState(), true);
  fake.answer('vault.status', () => ({ ok: true, value: { path: '/v', exists: true, unlocked: true, autoLockMinutes: 15 } }));
  fake.answer('edge.listNodes', () => ({ ok: true, value: { nodes: [NODE] } }));
  fake.answer('edge.listKeys', () => ({ ok: true, value: { keys: [] } }));
  fake.answer('edge.activity', () => ({ ok: true, value: { entries: [] } }));
  fake.answer('aio.diagnose', () => ({ ok: true, value: DIAGNOSE }));
  fake.answer('aio.plan', (req) => ({ ok: true, value: plan(req.force === true) }));
});
afterEach(cleanup);

async function openBroker() {
  render(<EdgePage />);
  fireEvent.click(await screen.findByRole('tab', { name: 'MQTT broker' }));
  fireEvent.click(screen.getByRole('button', { name: 'Read the broker' }));
  return screen.findByRole('table', { name: 'Listeners' });
}

describe('broker view and apply', () => {
  it('lists listeners with their Service address, policies, certificates with reasons, issuers and the trust bundle', async () => {
    const listeners = await openBroker();
    expect(fake.calls.find((c) => c.name === 'aio.diagnose')?.request).toEqual({ nodeId: 'n-1', nodeAddresses: ['192.168.2.196'] });
    const rows = within(listeners).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('default — left alone');
    expect(rows[0]?.textContent).toContain('Inside the cluster only (10.43.0.10)');
    expect(rows[1]?.textContent).toContain('Automatic, Issuer aio-tls-issuer');
    expect(rows[1]?.textContent).toContain('192.168.2.196');
    expect(screen.getByRole('table', { name: 'Authentication policies' }).textContent).toContain('Kubernetes SAT, audiences aio-internal');
    expect(screen.getByRole('table', { name: 'cert-manager certificates' }).textContent).toContain('Not ready: DoesNotExist');
    expect(screen.getByText('Referenced "Issuer" not found')).toBeTruthy();
    expect(screen.getByText('azure-iot-operations-aio-ca-trust-bundle')).toBeTruthy();
    expect(screen.getByText('What clients trust for the default listener')).toBeTruthy();
  });

  it('imports the trust bundle into the vault and says how many certificates came in', async () => {
    fake.answer('aio.importTrustBundle', () => ({
      ok: true,
      value: { source: { kind: 'ConfigMap', name: 'azure-iot-operations-aio-ca-trust-bundle', namespace: NS, key: 'ca.crt' }, certificates: [{ certificateId: 'c-1', subject: 'CN = x', duplicate: false }], imported: 1, duplicates: 0 },
    }));
    fake.answer('pki.list', () => ({ ok: true, value: { tree: [], total: 0, counts: { valid: 0, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 } } }));
    await openBroker();
    fireEvent.click(screen.getByRole('button', { name: 'Import into vault' }));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'aio.importTrustBundle')).toBe(true));
    expect(fake.calls.find((c) => c.name === 'aio.importTrustBundle')?.request).toEqual({ nodeId: 'n-1', namespace: NS, source: 'ConfigMap', name: 'azure-iot-operations-aio-ca-trust-bundle', key: 'ca.crt' });
  });

  it('a diagnostic’s fix opens the Apply dialog with its plan: diff lines coloured, conflicts named, force re-plans; progress per resource; Re-run after a failure', async () => {
    await openBroker();
    const diag = screen.getByText(/asks Issuer aio-tls-issuer/).closest('li')!;
    expect(within(diag).getByText('Problem')).toBeTruthy();
    fireEvent.click(within(diag).getByRole('button', { name: /^Point port 8883 at ClusterIssuer/ }));

    const dialog = await screen.findByRole('dialog', { name: 'Apply to edge-01' });
    expect(fake.calls.find((c) => c.name === 'aio.plan')?.request).toEqual({ nodeId: 'n-1', spec: FIX_SPEC, force: false });
    await within(dialog).findByText(/Another tool owns fields this apply changes: BrokerListener loadbalancer-listener \(azure-portal\)/);
    const diff = within(dialog).getByLabelText('Diff of BrokerListener loadbalancer-listener');
    expect(diff.querySelector('[data-kind="removed"]')?.textContent).toContain('-      name: aio-tls-issuer');
    expect(diff.querySelector('[data-kind="added"]')?.textContent).toContain('+      name: azure-iot-operations-aio-certificate-issuer');
    expect(within(dialog).getByText('Dry run refused')).toBeTruthy();
    const apply = within(dialog).getByRole('button', { name: /Apply 1 resource to edge-01/ }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);

    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Force: take over those fields' }));
    const forced = (await within(dialog).findByRole('button', { name: 'Force apply 1 resource to edge-01' })) as HTMLButtonElement;
    await waitFor(() => expect(forced.disabled).toBe(false));
    expect(fake.calls.filter((c) => c.name === 'aio.plan').at(-1)?.request).toMatchObject({ force: true });

    let settle!: (r: Result<ApplyResultT>) => void;
    fake.answer('aio.apply', () => new Promise<Result<ApplyResultT>>((resolve) => (settle = resolve)));
    fireEvent.click(forced);
    await screen.findByRole('dialog', { name: 'Applying to edge-01…' });
    expect(fake.calls.find((c) => c.name === 'aio.apply')?.request).toEqual({ nodeId: 'n-1', spec: FIX_SPEC, force: true });
    act(() => fake.emit('aio.onApplyProgress', { nodeId: 'n-1', index: 0, total: 1, resource: { ref, outcome: 'failed', error: { code: 'edge.connectionDropped', message: 'The connection dropped.' } } }));
    const outcomes = screen.getByRole('list', { name: 'Result per resource' });
    expect(within(outcomes).getByText('Failed')).toBeTruthy();
    await act(async () =>
      settle({
        ok: true,
        value: {
          nodeId: 'n-1',
          complete: false,
          dryRun: false,
          summary: 'Applied 0 of 1 resources; BrokerListener loadbalancer-listener failed. Run the apply again to finish.',
          resources: [{ ref, outcome: 'failed', error: { code: 'edge.connectionDropped', message: 'The connection dropped.' } }],
          issues: [],
          readBack: [],
        },
      }),
    );
    const done = await screen.findByRole('dialog', { name: 'Applied to edge-01' });
    expect(within(done).getByText('Incomplete')).toBeTruthy();
    expect(within(done).getByText(/Run the apply again to finish/)).toBeTruthy();
    fake.answer('aio.apply', () => ({
      ok: true,
      value: { nodeId: 'n-1', complete: true, dryRun: false, summary: 'Applied 1 of 1 resources.', resources: [{ ref, outcome: 'applied' }], issues: [], readBack: [{ ref, exists: true, managers: ['fieldbench'], conditions: [] }] },
    }));
    fireEvent.click(within(done).getByRole('button', { name: 'Re-run the apply' }));
    expect(await screen.findByText('Applied 1 of 1 resources.')).toBeTruthy();
    expect(screen.getByText('managed by fieldbench')).toBeTruthy();
    expect(fake.calls.filter((c) => c.name === 'aio.apply')).toHaveLength(2);
    // The broker is read again after each apply, so the view shows what the cluster now has.
    expect(fake.calls.filter((c) => c.name === 'aio.diagnose').length).toBeGreaterThanOrEqual(3);
  });

  it('the seed 001 form plans a spec built from the vault certificates it lists', async () => {
    const cert = (id: string, role: 'server' | 'intermediate', cn: string, isCa: boolean) => ({
      certificate: {
        id,
        role,
        commonName: cn,
        subject: `CN = ${cn}`,
        issuer: 'CN = x',
        issuerId: null,
        serialHex: '01',
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2028-01-01T00:00:00Z',
        daysLeft: 700,
        status: 'valid' as const,
        isCa,
        pathLength: null,
        keyAlgorithm: 'EC P-256',
        keyFamily: 'ec' as const,
        hasPrivateKey: true,
        sans: [],
        fingerprintSha1: 'A',
        fingerprintSha256: 'B',
        source: 'created' as const,
        revoked: null,
        renewedFrom: null,
        createdAt: '2026-01-01T00:00:00Z',
      },
      children: [],
    });
    fake.answer('pki.list', () => ({
      ok: true,
      value: { tree: [cert('srv', 'server', 'mqtts-endpoint', false), cert('ca', 'intermediate', 'Clients42 Intermediate CA', true)], total: 2, counts: { valid: 2, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 } },
    }));
    fake.answer('aio.plan', () => ({ ok: true, value: { ...plan(true), resources: [] } }));
    render(<EdgePage />);
    fireEvent.click(await screen.findByRole('tab', { name: 'MQTT broker' }));
    fireEvent.click(screen.getByRole('button', { name: 'Set up TLS and X.509 listener…' }));
    const form = await screen.findByRole('dialog', { name: 'Set up the broker on edge-01' });
    fireEvent.click(within(form).getByRole('button', { name: 'Show the plan' }));
    expect(await within(form).findByText(/Choose the broker’s server certificate/)).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'aio.plan')).toBe(false);
    await waitFor(() => expect(within(form).getAllByRole('option', { name: /mqtts-endpoint/ })).toHaveLength(1));
    fireEvent.change(within(form).getByLabelText(/^Server certificate/), { target: { value: 'srv' } });
    fireEvent.change(within(form).getByLabelText(/^Client CA/), { target: { value: 'ca' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Show the plan' }));
    await screen.findByRole('dialog', { name: 'Apply to edge-01' });
    const spec = (fake.calls.find((c) => c.name === 'aio.plan')?.request as { spec: { serverSecrets: unknown; clientCas: unknown; listeners: Array<{ serviceType: string }> } }).spec;
    expect(spec.serverSecrets).toEqual([{ name: 'broker-server-cert', certificateId: 'srv' }]);
    expect(spec.clientCas).toEqual([{ name: 'clients42-ca', certificateIds: ['ca'], key: 'client_ca.pem', include: 'chain' }]);
    expect(spec.listeners[0]?.serviceType).toBe('LoadBalancer');
  });
});
