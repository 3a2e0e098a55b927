import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { CallResponse } from '@shared/contract';
import type { ApplyResult, ApplyStep, NetplanPlan, NetworkSnapshot } from '@shared/contract/network-contract';
import type { Result } from '@shared/errors';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { NetworkPage } = await import('../../../../src/renderer/src/features/network/network-page');
const { useNetworkStore } = await import('../../../../src/renderer/src/features/network/use-network-store');
const { useNavigationStore } = await import('../../../../src/renderer/src/core/use-navigation-store');

const INITIAL = useNetworkStore.getState();

const NODE: CallResponse<'edge.listNodes'>['nodes'][number] = {
  id: 'n1',
  name: 'edge-01',
  host: '192.168.2.50',
  port: 22,
  user: 'tech',
  auth: { method: 'password' },
  hasSudoPassword: true,
  hostKey: { type: 'ssh-ed25519', fingerprint: `SHA256:${'a'.repeat(43)}`, trustedAt: '2025-01-01T00:00:00Z' },
  kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
  created: '2025-01-01T00:00:00Z',
  modified: '2025-01-01T00:00:00Z',
};

const SNAPSHOT: NetworkSnapshot = {
  host: '192.168.2.50',
  hostKeyFingerprint: NODE.hostKey!.fingerprint,
  hostname: 'aio-node',
  interfaces: [
    { name: 'lo', kind: 'loopback', state: 'UNKNOWN', up: true, carrier: true, addresses: [{ address: '127.0.0.1', prefix: 8, family: 'inet', dynamic: false, scope: 'host' }], hasDefaultRoute: false, connectedVia: false, configuredBy: [] },
    {
      name: 'eth0',
      kind: 'ethernet',
      mac: '00:11:22:33:44:55',
      state: 'UP',
      up: true,
      carrier: true,
      addresses: [{ address: '192.168.2.50', prefix: 24, family: 'inet', dynamic: true, scope: 'global' }],
      hasDefaultRoute: true,
      gateway: '192.168.2.1',
      connectedVia: true,
      configuredBy: ['/etc/netplan/01-netcfg.yaml'],
      dhcp4: true,
    },
    { name: 'eth1', kind: 'ethernet', state: 'DOWN', up: true, carrier: false, addresses: [], hasDefaultRoute: false, connectedVia: false, configuredBy: [] },
  ],
  defaultRoute: { interface: 'eth0', gateway: '192.168.2.1' },
  dns: { servers: ['192.168.2.1'], search: [], source: 'resolvectl' },
  netplan: { available: true, readable: true, files: [{ path: '/etc/netplan/01-netcfg.yaml', mode: '600', interfaces: ['eth0'], renderer: 'networkd' }] },
  suggestedInterface: 'eth0',
  suggestedSettings: { interface: 'eth0', address: '192.168.2.50/24', gateway: '192.168.2.1', dns: ['192.168.2.1'] },
};

const PLAN: NetplanPlan = {
  settings: { interface: 'eth0', address: '192.168.2.196/24', gateway: '192.168.2.1' },
  findings: [],
  ok: true,
  file: { path: '/etc/netplan/01-netcfg.yaml', exists: true },
  currentYaml: 'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n',
  yaml: 'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: false\n      addresses:\n        - 192.168.2.196/24\n',
  diff: '--- a\n+++ b\n@@ -1,5 +1,7 @@\n-      dhcp4: true\n+      dhcp4: false\n+      addresses:\n+        - 192.168.2.196/24\n',
  keptFiles: [],
  changes: ['eth0: DHCP for IPv4 off', 'eth0: address 192.168.2.196/24'],
  previousHost: '192.168.2.50',
  newHost: '192.168.2.196',
};

const ok = <T,>(value: T): Result<T> => ({ ok: true, value });

function answerUnlockedWithNode() {
  fake.answer('vault.status', () => ok({ exists: true, unlocked: true, path: '/v.fbv', autoLockMinutes: 15 } as CallResponse<'vault.status'>));
  fake.answer('edge.listNodes', () => ok({ nodes: [NODE] }));
  fake.answer('network.discover', () => ok(SNAPSHOT));
  fake.answer('network.checkSettings', (req) => {
    const gw = req.settings.gateway;
    if (gw && !gw.startsWith('192.168.2.')) return ok({ ok: false, findings: [{ field: 'gateway', severity: 'error', code: 'gatewayOutside', message: `The gateway ${gw} is outside 192.168.2.0/24. Use a router on that subnet.` }] });
    return ok({ ok: true, findings: [] });
  });
  fake.answer('jobs.cancel', () => ok({ cancelled: true }));
}

async function openNode() {
  render(<NetworkPage />);
  return screen.findByRole('table', { name: 'Interfaces' });
}

function steps(statuses: Partial<Record<ApplyStep['id'], ApplyStep['status']>>): ApplyStep[] {
  const ids: ApplyStep['id'][] = ['preflight', 'probe', 'validate', 'backup', 'arm', 'write', 'apply', 'reconnect', 'verify', 'cancelRollback', 'profile'];
  return ids.map((id) => ({ id, label: `Step ${id}`, status: statuses[id] ?? 'pending' }));
}

beforeEach(() => {
  fake.resetFake();
  useNetworkStore.setState(INITIAL, true);
  useNavigationStore.setState({ active: 'network' });
});
afterEach(cleanup);

describe('Network area', () => {
  it('sends the technician to Vault & PKI while the vault is locked', async () => {
    fake.answer('vault.status', () => ok({ exists: true, unlocked: false, path: '/v.fbv', autoLockMinutes: 15 } as CallResponse<'vault.status'>));
    render(<NetworkPage />);
    expect(await screen.findByRole('heading', { name: 'Unlock the vault first' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Go to Vault & PKI' }));
    expect(useNavigationStore.getState().active).toBe('vault');
    expect(fake.calls.some((c) => c.name === 'edge.listNodes')).toBe(false);
  });

  it('reads the only node: interfaces with state, carrier, DHCP and the default route; the form is prefilled', async () => {
    answerUnlockedWithNode();
    const table = await openNode();
    const rows = within(table).getAllByRole('row').slice(1);
    const eth0 = rows.find((r) => r.textContent?.includes('eth0'))!;
    expect(eth0.textContent).toContain('This SSH session');
    expect(eth0.textContent).toContain('DHCP');
    expect(eth0.textContent).toContain('via 192.168.2.1');
    expect(eth0.textContent).toContain('/etc/netplan/01-netcfg.yaml');
    expect(rows.find((r) => r.textContent?.includes('eth1'))!.textContent).toContain('No link');
    expect((screen.getByLabelText(/Address \/ prefix/) as HTMLInputElement).value).toBe('192.168.2.50/24');
    expect(fake.calls.find((c) => c.name === 'network.discover')?.request).toEqual({ target: { kind: 'node', nodeId: 'n1' } });
  });

  it('validates as the technician types and blocks Apply on an error', async () => {
    answerUnlockedWithNode();
    await openNode();
    fireEvent.change(screen.getByLabelText('Gateway'), { target: { value: '10.99.0.1' } });
    const gateway = screen.getByLabelText('Gateway');
    await waitFor(() => expect(gateway.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(/The gateway 10\.99\.0\.1 is outside/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Apply…' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(gateway, { target: { value: '192.168.2.1' } });
    await waitFor(() => expect(gateway.getAttribute('aria-invalid')).toBeNull());
    expect((screen.getByRole('button', { name: 'Apply…' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('previews the diff, warns about the certificate without the new IP and re-issues it', async () => {
    answerUnlockedWithNode();
    fake.answer('network.plan', () => ok(PLAN));
    fake.answer('network.crossCheck', (req) =>
      ok({
        address: req.address,
        certificates: [{ id: 'c1', name: 'aio-broker', source: 'vault', valid: false, message: `The certificate does not list ${req.address}.`, canReissue: true, sans: ['IP:192.168.2.50', 'DNS:mqtts-endpoint'] }],
        listeners: [],
        reachability: [],
        cluster: { state: 'unavailable', reason: 'edge-01 has no /etc/rancher/k3s/k3s.yaml. Is k3s installed there?' },
        warnings: 1,
      }),
    );
    fake.answer('network.reissueCertificate', (req) => ok({ certificateId: 'c2', replaces: req.certificateId, commonName: 'aio-broker', sans: ['DNS:mqtts-endpoint', `IP:${req.addAddress}`], notAfter: '2027-01-01T00:00:00Z', warnings: [] }));
    await openNode();
    fireEvent.change(screen.getByLabelText(/Address \/ prefix/), { target: { value: '192.168.2.196/24' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview the change' }));
    fireEvent.click(await screen.findByRole('tab', { name: 'Diff' }));
    const diff = screen.getByLabelText('Diff against the current file');
    expect(diff.querySelector('[data-kind="added"]')?.textContent).toContain('dhcp4: false');
    expect(diff.querySelector('[data-kind="removed"]')?.textContent).toContain('dhcp4: true');

    const reissue = await screen.findByRole('button', { name: 'Re-issue with 192.168.2.196' });
    // The page names the node and main reads its cluster: the page itself never asks the AIO area.
    expect(fake.calls.find((c) => c.name === 'network.crossCheck')?.request).toMatchObject({ address: '192.168.2.196', previousAddress: '192.168.2.50', nodeId: 'n1', checkReachability: false });
    expect(fake.calls.some((c) => c.name === 'aio.discover' || c.name === 'aio.readBack')).toBe(false);
    // No Kubernetes here: the page says why listeners are not checked, in the edge area's words.
    expect(screen.getByText(/Listeners and cluster certificates are not checked: edge-01 has no/)).toBeTruthy();
    expect(screen.getByText('IP missing')).toBeTruthy();
    fireEvent.click(reissue);
    expect(await screen.findByText('Re-issued')).toBeTruthy();
    expect(fake.calls.find((c) => c.name === 'network.reissueCertificate')?.request).toEqual({ certificateId: 'c1', addAddress: '192.168.2.196', removeAddresses: ['192.168.2.50'] });
    expect(screen.getByText(/nothing needs attention/)).toBeTruthy();
  });

  it("shows the node's netplan error at file:line:col", async () => {
    answerUnlockedWithNode();
    fake.answer('network.validate', () =>
      ok({ plan: PLAN, node: { ok: false, errors: [{ file: '/etc/netplan/50-extra.yaml', line: 5, column: 7, message: "unknown key 'adresses'", excerpt: '      adresses: [10.9.9.9/24]\n      ^' }], output: '' } }),
    );
    fake.answer('network.crossCheck', (req) => ok({ address: req.address, certificates: [], listeners: [], reachability: [], warnings: 0 }));
    await openNode();
    fireEvent.change(screen.getByLabelText(/Address \/ prefix/), { target: { value: '192.168.2.196/24' } });
    fireEvent.click(screen.getByRole('button', { name: 'Validate on the node' }));
    const alert = await screen.findByText(/rejects the configuration/);
    const box = alert.closest('[role="alert"]') as HTMLElement;
    expect(within(box).getByText('/etc/netplan/50-extra.yaml:5:7')).toBeTruthy();
    expect(box.textContent).toContain("unknown key 'adresses'");
    expect(box.querySelector('pre')?.textContent).toContain('^');
  });

  it('applies after a confirmation, shows the countdown and the live steps, and explains a rollback plainly', async () => {
    answerUnlockedWithNode();
    let settle!: (r: Result<ApplyResult>) => void;
    fake.answer('network.apply', () => new Promise((resolve) => (settle = resolve)));
    await openNode();
    fireEvent.change(screen.getByLabelText(/Address \/ prefix/), { target: { value: '10.0.9.5/24' } });
    fireEvent.change(screen.getByLabelText('Gateway'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Automatic rollback after'), { target: { value: '300' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply…' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Apply 10.0.9.5/24 to eth0 on edge-01?');
    expect(dialog.textContent).toContain('5:00');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply with automatic rollback' }));

    await waitFor(() => expect(fake.calls.some((c) => c.name === 'network.apply')).toBe(true));
    const call = fake.calls.find((c) => c.name === 'network.apply')!;
    const req = call.request as { applyId: string; rollbackSeconds: number; target: unknown; settings: unknown };
    expect(req).toMatchObject({ target: { kind: 'node', nodeId: 'n1' }, settings: { interface: 'eth0', address: '10.0.9.5/24' }, rollbackSeconds: 300 });
    expect(call.options?.jobId).toBeTruthy();

    // The form goes away while the node changes; the planned steps show at once.
    expect(screen.queryByRole('form', { name: 'New static address' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Stop before anything changes' })).toBeTruthy();

    act(() => fake.emit('network.onApplyProgress', { applyId: 'someone-else', steps: steps({ preflight: 'failed' }), message: 'not ours' }));
    expect(screen.queryByText(/Step preflight/)).toBeNull();
    act(() =>
      fake.emit('network.onApplyProgress', {
        applyId: req.applyId,
        steps: steps({ preflight: 'ok', probe: 'ok', validate: 'ok', backup: 'ok', arm: 'ok', write: 'ok', apply: 'ok', reconnect: 'running' }),
        rollback: { deadline: new Date(Date.now() + 95_000).toISOString(), secondsLeft: 95, state: 'armed' },
        message: 'Connecting to 10.0.9.5…',
      }),
    );
    const timer = screen.getByRole('timer', { name: 'Automatic rollback' });
    expect(timer.textContent).toContain('1:35');
    expect(timer.textContent).toContain('restores its previous settings by itself');
    const list = screen.getByRole('list', { name: 'Steps' });
    const running = within(list).getAllByRole('listitem').find((li) => li.getAttribute('data-status') === 'running')!;
    expect(running.textContent).toContain('Step reconnect');
    expect(running.getAttribute('aria-current')).toBe('step');
    // Once the rollback is armed, stopping is no longer offered: the node's own countdown protects it.
    expect(screen.queryByRole('button', { name: 'Stop before anything changes' })).toBeNull();

    await act(async () =>
      settle(
        ok({
          applyId: req.applyId,
          outcome: 'rolled-back',
          host: '192.168.2.50',
          previousHost: '192.168.2.50',
          newHost: '10.0.9.5',
          message: '10.0.9.5 could not be reached over SSH, so the node restored its previous settings by itself and answers on 192.168.2.50 again.',
          steps: [...steps({ preflight: 'ok', probe: 'ok', validate: 'ok', backup: 'ok', arm: 'ok', write: 'ok', apply: 'ok', reconnect: 'failed', verify: 'skipped', cancelRollback: 'skipped', profile: 'skipped' }), { id: 'rollback', label: 'Roll back to the previous settings', status: 'ok' }],
          backupDir: '/var/lib/fieldbench/netplan-backup-x',
          verification: { address: 'skipped', gateway: 'skipped', dns: 'skipped' },
          profileUpdated: false,
        }),
      ),
    );
    expect(screen.getByRole('heading', { name: 'Rolled back by itself: the node is back on 192.168.2.50' })).toBeTruthy();
    expect(screen.getByText(/put its previous network settings back on its own/)).toBeTruthy();
    expect(screen.getByText(/The profile was not changed/)).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Steps' })).getByText(/Roll back to the previous settings/)).toBeTruthy();
    // Done reads the node again.
    const discovers = fake.calls.filter((c) => c.name === 'network.discover').length;
    fireEvent.click(screen.getByRole('button', { name: 'Done — read the node again' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.name === 'network.discover').length).toBe(discovers + 1));
  });

  it('reports a refusal before anything changed', async () => {
    answerUnlockedWithNode();
    fake.answer('network.apply', () => ({ ok: false, error: { code: 'network.addressInUse', message: '192.168.2.77 is already in use: a machine on eth0\'s segment answered. Choose a free address; nothing was changed.' } }));
    await openNode();
    fireEvent.change(screen.getByLabelText(/Address \/ prefix/), { target: { value: '192.168.2.77/24' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply…' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Apply with automatic rollback' }));
    expect(await screen.findByRole('heading', { name: 'Not applied' })).toBeTruthy();
    expect(screen.getByText(/already in use/)).toBeTruthy();
    expect(screen.getByText('The node keeps its previous settings.')).toBeTruthy();
  });
});
