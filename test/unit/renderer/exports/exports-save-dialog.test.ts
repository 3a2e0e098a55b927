import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResponse } from '@shared/contract';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { useExportsStore } = await import('../../../../src/renderer/src/features/exports/use-exports-store');
const INITIAL = useExportsStore.getState();

const PLAN: CallResponse<'exports.plan'> = {
  target: 'pem',
  title: 'PEM files',
  files: [{ path: 'plc-line7-a.key', role: 'key', certificate: 'plc-line7-a', encrypted: false, secret: true, purpose: 'The private key.' }],
  keys: [{ certificateId: 'c-1', commonName: 'plc-line7-a' }],
  passphraseRequired: false,
  notes: [],
} as unknown as CallResponse<'exports.plan'>;

describe('Exports on the desktop: the system dialog says where, the window only learns a name', () => {
  beforeEach(() => {
    fake.resetFake();
    useExportsStore.setState({ ...INITIAL, plan: PLAN, form: { ...INITIAL.form, target: 'pem', certificateIds: ['c-1'], includeKey: true } });
  });

  it('uses exports.saveWithDialog with no path, confirming the keys the dialog named', async () => {
    expect(useExportsStore.getState().saveDialog).toBe(true);
    fake.answer('exports.saveWithDialog', () => ({ ok: true, value: { saved: true, displayName: 'fieldbench-pem-2026-12-04', target: 'pem', files: PLAN.files, keys: PLAN.keys, notes: [] } }));
    await useExportsStore.getState().write();
    const call = fake.calls.find((c) => c.name === 'exports.saveWithDialog');
    expect(call?.request).toMatchObject({ target: 'pem', certificateIds: ['c-1'], confirmedKeys: ['c-1'] });
    expect(call?.request).not.toHaveProperty('out');
    expect(fake.calls.some((c) => c.name === 'exports.write')).toBe(false);
    expect(useExportsStore.getState().result?.path).toBe('fieldbench-pem-2026-12-04');
  });

  it('a cancelled dialog leaves no result and no error', async () => {
    fake.answer('exports.saveWithDialog', () => ({ ok: true, value: { saved: false } }));
    await useExportsStore.getState().write();
    const st = useExportsStore.getState();
    expect(st.result).toBeNull();
    expect(st.writeError).toBeNull();
    expect(st.writing).toBe(false);
  });
});
