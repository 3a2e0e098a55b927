import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';

vi.mock('../../../src/renderer/src/bridge', () => import('./fake-bridge'));

const fake = await import('./fake-bridge');
const { App } = await import('../../../src/renderer/src/app/App');
const { useDoctorStore } = await import('../../../src/renderer/src/features/doctor/use-doctor-store');

const REPORT: CallResponse<'app.doctor'> = {
  tools: [
    { id: 'openssl', label: 'OpenSSL', usedFor: 'cross-checking certificates by hand', found: true, version: '3.0.19', path: '/usr/bin/openssl' },
    { id: 'az', label: 'Azure CLI (az)', usedFor: 'the Azure Arc proxy', found: false, hint: 'Install the Azure CLI and the connectedk8s extension.' },
  ],
  dataDir: { path: '/home/tech/.fieldbench', exists: true, writable: true },
  electron: { found: false, hint: 'Run npm install with the Electron download allowed.' },
};

type SelfTestResult = Result<CallResponse<'app.selfTest'>>;

/** Holds app.selfTest open until the test settles it, like a real job in main. */
function pendingSelfTest() {
  let settle!: (r: SelfTestResult) => void;
  fake.answer('app.selfTest', () => new Promise<SelfTestResult>((resolve) => (settle = resolve)));
  return (r: SelfTestResult) => act(() => settle(r));
}

beforeEach(() => {
  fake.resetFake();
  fake.answer('app.doctor', () => ({ ok: true, value: REPORT }));
  fake.answer('jobs.cancel', () => ({ ok: true, value: { cancelled: true } }));
  useDoctorStore.setState({ open: false, report: undefined, selfTestJobId: undefined, selfTestOutcome: undefined, error: undefined });
});
afterEach(cleanup);

async function openDoctor() {
  render(<App />);
  fireEvent.click(screen.getByRole('button', { name: 'Check this machine' }));
  return screen.findByRole('dialog', { name: 'Check this machine' });
}

describe('Check this machine', () => {
  it('lists tools found and missing with what to do', async () => {
    const dialog = await openDoctor();
    const table = await within(dialog).findByRole('table', { name: 'Tools Fieldbench uses' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[1]?.textContent)).toEqual(['Found', 'Missing']);
    expect(within(table).getByText('Install the Azure CLI and the connectedk8s extension.')).toBeTruthy();
    expect(within(dialog).getByText('1 missing')).toBeTruthy();
  });

  it('runs the connection test as a job: progress from jobs.onProgress, then Passed', async () => {
    const settle = pendingSelfTest();
    const dialog = await openDoctor();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test the connection' }));

    const bar = await within(dialog).findByRole('progressbar', { name: 'Connection test' });
    const call = fake.calls.find((c) => c.name === 'app.selfTest');
    const jobId = call?.options?.jobId;
    expect(jobId).toBeTruthy();

    act(() => fake.emit('jobs.onProgress', { jobId: jobId!, message: 'Step 8 of 20', fraction: 0.35 }));
    expect(bar.getAttribute('aria-valuenow')).toBe('35');
    expect(within(dialog).getByText('Step 8 of 20')).toBeTruthy();

    // Another job's progress must not move this bar.
    act(() => fake.emit('jobs.onProgress', { jobId: 'someone-else', message: 'Step 19 of 20', fraction: 0.95 }));
    expect(bar.getAttribute('aria-valuenow')).toBe('35');

    settle({ ok: true, value: { completedSteps: 20 } });
    expect(await within(dialog).findByText('Passed')).toBeTruthy();
    expect(within(dialog).queryByRole('progressbar')).toBeNull();
  });

  it('Cancel sends jobs.cancel with the job id and shows Cancelled when main stops', async () => {
    const settle = pendingSelfTest();
    const dialog = await openDoctor();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test the connection' }));
    await within(dialog).findByRole('progressbar');
    const jobId = fake.calls.find((c) => c.name === 'app.selfTest')?.options?.jobId;

    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    });
    expect(fake.calls.filter((c) => c.name === 'jobs.cancel').map((c) => c.request)).toEqual([{ jobId }]);

    settle({ ok: false, error: { code: 'cancelled', message: 'The operation was cancelled.' } });
    expect(await within(dialog).findByText('Cancelled')).toBeTruthy();
  });

  it('shows a failure in words', async () => {
    const settle = pendingSelfTest();
    const dialog = await openDoctor();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test the connection' }));
    await within(dialog).findByRole('progressbar');
    settle({ ok: false, error: { code: 'transport.closed', message: 'The connection to Fieldbench closed before it answered.' } });
    expect(await within(dialog).findByText('The connection to Fieldbench closed before it answered.')).toBeTruthy();
    expect(within(dialog).getByText('Failed')).toBeTruthy();
  });
});
