import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { CallResponse } from '@shared/contract';


vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { EdgePage } = await import('../../../../src/renderer/src/features/edge/edge-page');
const { useEdgeStore } = await import('../../../../src/renderer/src/features/edge/use-edge-store');
const { useNavigationStore } = await import('../../../../src/renderer/src/core/use-navigation-store');

type Node = CallResponse<'edge.listNodes'>['nodes'][number];
type TestResult = CallResponse<'edge.testNode'>;

const FP_OLD = 'SHA256:' + 'A'.repeat(43);
const FP_NEW = 'SHA256:' + 'B'.repeat(43);
const NODE: Node = {
  id: 'n-1',
  name: 'edge-01',
  host: '192.168.2.196',
  port: 22,
  user: 'aio',
  auth: { method: 'key', keyId: 'k-1', type: 'ssh-ed25519', fingerprint: 'SHA256:' + 'K'.repeat(43), publicKey: 'ssh-ed25519 AAAAC3Nz fieldbench@edge-01' },
  hasSudoPassword: true,
  kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
  created: '2026-01-01T00:00:00Z',
  modified: '2026-01-01T00:00:00Z',
};
const STEP_IDS = ['connect', 'hostKey', 'login', 'sudo', 'kubernetes', 'aio'] as const;
const LABELS = ['Reach the node', 'Host key', 'Log in', 'sudo', 'Kubernetes API', 'Azure IoT Operations'];

function steps(failAt?: number, code?: string): TestResult['steps'] {
  return STEP_IDS.map((id, i) => ({
    id,
    label: LABELS[i]!,
    status: failAt === undefined || i < failAt ? 'ok' : i === failAt ? 'failed' : 'skipped',
    message: failAt === i ? `Step ${LABELS[i]} failed: what to do.` : failAt !== undefined && i > failAt ? 'Skipped: the SSH connection is needed first.' : `${LABELS[i]} is fine.`,
    ...(failAt === i && code ? { code } : {}),
  }));
}

function vault(unlocked: boolean, exists = true) {
  fake.answer('vault.status', () => ({ ok: true, value: { path: '/v/vault.fbv', exists, unlocked, autoLockMinutes: 15 } }));
}

beforeEach(() => {
  fake.resetFake();
  useEdgeStore.setState(useEdgeStore.getInitialState(), true);
  vault(true);
  fake.answer('edge.listNodes', () => ({ ok: true, value: { nodes: [NODE] } }));
  fake.answer('edge.listKeys', () => ({ ok: true, value: { keys: [] } }));
  fake.answer('edge.activity', () => ({ ok: true, value: { entries: [] } }));
  fake.answer('jobs.cancel', () => ({ ok: true, value: { cancelled: true } }));
});
afterEach(cleanup);

describe('Edge nodes page', () => {
  it('with the vault locked, says so and goes to Vault & PKI in one click', async () => {
    vault(false);
    useNavigationStore.getState().go('edge');
    render(<EdgePage />);
    expect(await screen.findByRole('heading', { name: 'Unlock the vault first' })).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'edge.listNodes')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Go to Vault & PKI' }));
    expect(useNavigationStore.getState().active).toBe('vault');
  });

  it('a vault that locks while the page is open clears every node from the screen', async () => {
    render(<EdgePage />);
    expect(await screen.findByRole('heading', { level: 2, name: 'edge-01' })).toBeTruthy();
    act(() => fake.emit('vault.onState', { unlocked: false, reason: 'auto' }));
    expect(await screen.findByRole('heading', { name: 'Unlock the vault first' })).toBeTruthy();
    expect(screen.queryByText('edge-01')).toBeNull();
    expect(useEdgeStore.getState().nodes).toEqual([]);
  });

  it('the first test stops at an unknown host key; the dialog shows the fingerprint and the console command; Trust re-runs the test', async () => {
    let run = 0;
    fake.answer('edge.testNode', () => {
      run += 1;
      return run === 1
        ? { ok: true, value: { nodeId: 'n-1', ok: false, steps: steps(1, 'edge.hostKeyUnknown'), hostKey: { status: 'unknown', type: 'ssh-ed25519', fingerprint: FP_NEW } } }
        : { ok: true, value: { nodeId: 'n-1', ok: true, steps: steps(), hostKey: { status: 'trusted', type: 'ssh-ed25519', fingerprint: FP_NEW }, kubernetesVersion: 'v1.32.4+k3s1', aioVersions: ['v1'] } };
    });
    fake.answer('edge.trustHostKey', (req) => ({ ok: true, value: { ...NODE, hostKey: { type: 'ssh-ed25519', fingerprint: req.fingerprint, trustedAt: '2026-01-02T00:00:00Z' } } }));
    render(<EdgePage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm the host key of edge-01' });
    expect(within(dialog).getByText(FP_NEW)).toBeTruthy();
    expect(within(dialog).getByText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')).toBeTruthy();
    expect(within(dialog).getByText('Key type: ssh-ed25519')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Trust this key' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.find((c) => c.name === 'edge.trustHostKey')?.request).toEqual({ nodeId: 'n-1', fingerprint: FP_NEW });
    expect(await screen.findByText('All steps passed')).toBeTruthy();
    const list = screen.getByRole('list', { name: 'Connection test steps' });
    expect(within(list).getAllByText('Passed')).toHaveLength(6);
    expect(screen.getByText('Kubernetes v1.32.4+k3s1')).toBeTruthy();
    expect(fake.calls.filter((c) => c.name === 'edge.testNode')).toHaveLength(2);
  });

  it('a changed host key is refused with both fingerprints; replacing it needs the console check ticked', async () => {
    fake.answer('edge.testNode', () => ({
      ok: true,
      value: { nodeId: 'n-1', ok: false, steps: steps(1, 'edge.hostKeyChanged'), hostKey: { status: 'changed', type: 'ssh-ed25519', fingerprint: FP_NEW, expected: FP_OLD } },
    }));
    render(<EdgePage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    const dialog = await screen.findByRole('dialog', { name: 'The host key of edge-01 has changed' });
    expect(within(dialog).getByRole('alert').textContent).toMatch(/refused to connect to 192\.168\.2\.196:22/);
    expect(within(dialog).getByText(FP_OLD)).toBeTruthy();
    expect(within(dialog).getByText(FP_NEW)).toBeTruthy();
    const replace = within(dialog).getByRole('button', { name: 'Replace the trusted key' }) as HTMLButtonElement;
    expect(replace.disabled).toBe(true);
    expect(document.activeElement?.textContent).toBe('Keep refusing');
    fireEvent.click(within(dialog).getByRole('checkbox'));
    expect(replace.disabled).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep refusing' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.some((c) => c.name === 'edge.trustHostKey')).toBe(false);
    expect(screen.getByText('Failed at: Host key')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Review the host key' }));
    expect(await screen.findByRole('dialog', { name: 'The host key of edge-01 has changed' })).toBeTruthy();
  });

  it('asks for a sudo password when the test needs one; it goes into the call and nowhere else', async () => {
    let n = 0;
    fake.answer('edge.testNode', () => {
      n += 1;
      return { ok: true, value: { nodeId: 'n-1', ok: n > 1, steps: n > 1 ? steps() : steps(3, 'edge.sudoPasswordNeeded') } };
    });
    render(<EdgePage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    const field = await screen.findByLabelText('sudo password for aio');
    fireEvent.change(field, { target: { value: 'typed-sudo-pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test again with this password' }));
    expect(await screen.findByText('All steps passed')).toBeTruthy();
    expect(fake.calls.filter((c) => c.name === 'edge.testNode').at(-1)?.request).toEqual({ id: 'n-1', sudoPassword: 'typed-sudo-pw' });
    expect(JSON.stringify(useEdgeStore.getState())).not.toContain('typed-sudo-pw');
  });

  it('adds a node: live validation as one types, a generated key’s public line with Copy, secrets never kept in the store', async () => {
    fake.answer('edge.listNodes', () => ({ ok: true, value: { nodes: [] } }));
    fake.answer('edge.generateKey', () => ({
      ok: true,
      value: { id: 'k-9', type: 'ssh-ed25519', publicKey: 'ssh-ed25519 AAAAnewkey fieldbench@edge-02', fingerprint: 'SHA256:' + 'N'.repeat(43), comment: 'fieldbench@edge-02', hasPassphrase: false, created: 'x', usedBy: [] },
    }));
    fake.answer('edge.saveNode', (req) => ({ ok: true, value: { ...NODE, id: 'n-2', name: String(req.name), host: String(req.host) } }));
    render(<EdgePage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a node' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add an edge node' });
    const name = within(dialog).getByLabelText(/^Name/);
    fireEvent.change(name, { target: { value: 'edge 02' } });
    expect(within(dialog).getByText('Use letters, digits, dots, dashes and underscores in node names (no spaces).')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(name, { target: { value: 'edge-02' } });
    expect(within(dialog).queryByText(/no spaces/)).toBeNull();
    fireEvent.change(within(dialog).getByLabelText(/^Address/), { target: { value: '10.0.0.7' } });
    fireEvent.change(within(dialog).getByLabelText(/^SSH user/), { target: { value: 'aio' } });

    // Saving without a key says what is missing instead of calling main.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add node' }));
    expect(await within(dialog).findByText('Choose a key from the vault, or generate or import one.')).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'edge.saveNode')).toBe(false);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Generate a new key' }));
    expect(await within(dialog).findByText('ssh-ed25519 AAAAnewkey fieldbench@edge-02')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: /Copy public key line/ })).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText(/^sudo password/), { target: { value: 'sudo-secret-42' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add node' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.find((c) => c.name === 'edge.saveNode')?.request).toEqual({
      name: 'edge-02',
      host: '10.0.0.7',
      port: 22,
      user: 'aio',
      auth: { method: 'key', keyId: 'k-9' },
      kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
      sudoPassword: 'sudo-secret-42',
    });
    expect(JSON.stringify(useEdgeStore.getState())).not.toContain('sudo-secret-42');
    expect(await screen.findByRole('heading', { level: 2, name: 'edge-02' })).toBeTruthy();
  });

  it('shows the activity log newest first and appends what main pushes', async () => {
    fake.answer('edge.activity', () => ({
      ok: true,
      value: { entries: [{ at: '2026-01-01T10:00:00Z', nodeId: 'n-1', nodeName: 'edge-01', area: 'edge', kind: 'added', message: 'Added edge-01.', ok: true }] },
    }));
    render(<EdgePage />);
    fireEvent.click(await screen.findByRole('tab', { name: 'Activity' }));
    const log = await screen.findByRole('list', { name: 'Activity of edge-01' });
    act(() => fake.emit('edge.onActivity', { at: '2026-01-01T11:00:00Z', nodeId: 'n-1', nodeName: 'edge-01', area: 'aio', kind: 'applied', message: 'Applied 4 of 4 resources.', ok: true }));
    await waitFor(() => expect(within(log).getAllByRole('listitem')).toHaveLength(2));
    expect(within(log).getAllByRole('listitem')[0]?.textContent).toContain('Applied 4 of 4 resources.');
  });
});

