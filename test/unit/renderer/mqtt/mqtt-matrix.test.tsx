import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { MatrixResultT, MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { useMqttStore } = await import('../../../../src/renderer/src/features/mqtt/use-mqtt-store');
const { EMPTY_MATRIX } = await import('../../../../src/renderer/src/features/mqtt/matrix-slice');
const { MatrixView } = await import('../../../../src/renderer/src/features/mqtt/matrix-view');

const target = (id: string, port: number, tls: boolean): MatrixTargetT => ({
  id,
  label: `${id} :${port}`,
  listener: id,
  host: '10.231.7.2',
  port,
  tls,
  auth: { method: 'none' },
  mqttVersion: '5.0',
  route: { kind: 'direct' },
  notes: [],
});
const T = [target('nodeport', 31883, false), target('loadbalancer', 18884, true)];

const okRow: MatrixRowT = {
  targetId: 'nodeport',
  ok: true,
  connect: { ok: true, ms: 12 },
  tls: { verdict: 'notUsed', presentedChain: [] },
  auth: { method: 'none', verdict: 'accepted' },
  received: [{ fromTargetId: 'nodeport', latencyMs: 3 }],
  missing: [],
};
const badRow: MatrixRowT = {
  targetId: 'loadbalancer',
  ok: false,
  connect: { ok: false, error: { code: 'mqtt.tls.sanMismatch', message: 'x' } },
  tls: {
    verdict: 'failed',
    chainsTo: '"CN = Lab Root"',
    presentedChain: [{ subject: 'CN = aio-broker', issuer: 'CN = Lab Root', sans: ['DNS:aio-broker', 'IP:10.0.0.9'], validFrom: 'a', validTo: 'b', fingerprint256: 'AB:CD' }],
  },
  auth: { method: 'none', verdict: 'notReached' },
  received: [],
  missing: ['nodeport'],
  diagnosis: {
    code: 'sanMismatch',
    sentence: "The broker's certificate does not list 10.231.7.2. Re-issue it with that IP in its SANs.",
    fixes: [{ label: 'Issue a server certificate with 10.231.7.2', action: { call: 'pki.createServer', sans: ['10.231.7.2'] } }, { label: 'Check the listener spec by hand' }],
  },
};

beforeEach(() => {
  fake.resetFake();
  fake.answer('pki.list', () => ({ ok: true, value: { tree: [], total: 0, counts: { valid: 0, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 } } }));
  fake.answer('edge.listNodes', () => ({ ok: true, value: { nodes: [{ id: 'n1', name: 'edge-01' } as never] } }));
  useMqttStore.setState({ matrix: EMPTY_MATRIX });
});
afterEach(cleanup);

describe('the listener matrix', () => {
  it('streams rows in during the run, then shows the grid with verdicts, probes and the diagnosis with the presented chain', async () => {
    let finish!: (r: MatrixResultT) => void;
    fake.answer('mqtt.matrixRun', () => new Promise((resolve) => (finish = (value) => resolve({ ok: true, value }))));
    render(<MatrixView />);
    fireEvent.change(await screen.findByRole('combobox', { name: 'Node' }), { target: { value: 'n1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run the matrix' }));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'mqtt.matrixRun')).toBe(true));
    expect(fake.calls.find((c) => c.name === 'mqtt.matrixRun')?.request).toMatchObject({ nodeId: 'n1' });

    fake.emit('mqtt.onMatrixProgress', { runId: 'r1', phase: 'connect', message: 'Connecting to 2 listeners…', fraction: 0.3, targets: T });
    fake.emit('mqtt.onMatrixProgress', { runId: 'r1', phase: 'connect', message: 'Connected', fraction: 0.5, row: okRow });
    // Another run's progress is not mixed in.
    fake.emit('mqtt.onMatrixProgress', { runId: 'other', phase: 'connect', message: 'x', fraction: 0.9, row: badRow });
    // The latest step of this run is shown, not the other run's.
    expect(await screen.findByText('Connected')).toBeTruthy();
    const grid = screen.getByRole('table');
    expect(within(grid).getByRole('row', { name: /^nodeport :31883/ }).textContent).toMatch(/12 ms/);
    expect(within(grid).getByRole('row', { name: /^loadbalancer :18884/ }).textContent).toMatch(/…/);

    finish({
      format: 'fieldbench.mqtt-matrix',
      version: 1,
      runId: 'r1',
      startedAt: 's',
      finishedAt: 'f',
      probeTopic: 'fieldbench/probe/r1',
      targets: T,
      rows: [okRow, badRow],
      skipped: [{ listener: 'default', port: 18883, reason: 'ClusterIp without an SSH route.' }],
      warnings: [],
      summary: { total: 2, passed: 1, failed: 1, crossDeliveryComplete: false },
      cancelled: false,
    });
    expect(await screen.findByText('1 of 2 listeners passed')).toBeTruthy();
    expect(screen.getByText(/Not tested: default :18883/)).toBeTruthy();
    const bad = within(screen.getByRole('table')).getByRole('row', { name: /^loadbalancer :18884/ });
    expect(within(bad).getByText('Missing')).toBeTruthy();
    expect(bad.querySelectorAll('[data-state="bad"]').length).toBeGreaterThanOrEqual(3);

    fireEvent.click(within(bad).getByRole('button', { name: /Why/ }));
    const drawer = await screen.findByRole('dialog', { name: /Why loadbalancer :18884 failed/ });
    expect(within(drawer).getByText(/does not list 10\.231\.7\.2/)).toBeTruthy();
    expect(within(drawer).getByText('DNS:aio-broker, IP:10.0.0.9')).toBeTruthy();
    expect(within(drawer).getByRole('button', { name: 'Issue a server certificate with 10.231.7.2' })).toBeTruthy();
    // Advice without an action is a step, not a dead button.
    expect(within(drawer).queryByRole('button', { name: 'Check the listener spec by hand' })).toBeNull();
    expect(within(drawer).getByText('Check the listener spec by hand')).toBeTruthy();
  });
});
