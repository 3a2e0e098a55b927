import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { ReissueDialog } = await import('../../../../src/renderer/src/features/vault/reissue-dialog');
const { useReissueStore } = await import('../../../../src/renderer/src/core/use-reissue-store');
const { useNavigationStore } = await import('../../../../src/renderer/src/core/use-navigation-store');
const { LIST, SERVER, cert, detailOf } = await import('../vault/vault-fixtures');

const RENEWED = cert({ id: 'server-2', commonName: 'mqtts-endpoint', role: 'server', issuerId: 'inter', sans: [{ type: 'ip', value: '192.168.2.196' }, { type: 'ip', value: '192.168.2.197' }] });

beforeEach(() => {
  fake.resetFake();
  useReissueStore.setState({ request: undefined, pendingApply: undefined });
  fake.answer('pki.get', ({ id }) => ({ ok: true, value: detailOf(id === RENEWED.id ? RENEWED : SERVER) }));
  fake.answer('pki.list', () => ({ ok: true, value: LIST }));
  fake.answer('pki.expiry', () => ({ ok: true, value: { entries: [], expiringWithinDays: 30 } }));
  fake.answer('pki.renew', () => ({ ok: true, value: { certificate: RENEWED, warnings: [] } }));
  fake.answer('edge.listNodes', () => ({ ok: true, value: { nodes: [{ id: 'n-1', name: 'n013edge' }] } }) as never);
});
afterEach(cleanup);

// Issue 14: the host check said "re-issue with 192.168.2.197 in its SANs" but offered no button, and Renew
// kept the SANs. Now every SAN diagnosis opens this prefilled, editable renew.
describe('Re-issue with these SANs', () => {
  it('opens prefilled, lets the SANs be edited, flags a missing comma, and renews with the edited SANs', async () => {
    render(<ReissueDialog />);
    act(() => useReissueStore.getState().open({ certificateId: SERVER.id, sans: ['192.168.2.196', '192.168.2.197'], why: 'The certificate does not list 192.168.2.197.' }));
    const dialog = await screen.findByRole('dialog', { name: 'Re-issue "mqtts-endpoint" with these SANs' });
    const box = within(dialog).getByLabelText('IP addresses and host names (SANs)') as HTMLTextAreaElement;
    expect(box.value).toBe('192.168.2.196, 192.168.2.197');
    expect(within(dialog).getByText('The certificate does not list 192.168.2.197.')).toBeTruthy();

    fireEvent.change(box, { target: { value: '192.168.2.196, 192.168.2.197broker.plant.local' } });
    expect(within(dialog).getByText(/without a comma between them/)).toBeTruthy();
    expect((within(dialog).getByRole('button', { name: 'Re-issue' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(box, { target: { value: '192.168.2.196, 192.168.2.197, broker.plant.local' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Re-issue' }));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'pki.renew')).toBe(true));
    expect(fake.calls.find((c) => c.name === 'pki.renew')?.request).toEqual({ id: SERVER.id, keepKey: false, sans: ['192.168.2.196', '192.168.2.197', 'broker.plant.local'] });
    await waitFor(() => expect(useReissueStore.getState().request).toBeUndefined());
  });

  it('for a known node, offers to apply the new certificate to its listener through the edge apply flow', async () => {
    render(<ReissueDialog />);
    act(() => useReissueStore.getState().open({ certificateId: SERVER.id, sans: ['192.168.2.196', '192.168.2.197'], nodeId: 'n-1' }));
    const dialog = await screen.findByRole('dialog', { name: /Re-issue/ });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Re-issue' }));
    const apply = await screen.findByRole('button', { name: 'Apply to the listener on n013edge' });
    fireEvent.click(apply);
    expect(useReissueStore.getState().pendingApply).toEqual({ nodeId: 'n-1', certificateId: RENEWED.id });
    expect(useNavigationStore.getState().active).toBe('edge');
  });

  it('a plain Renew keeps the SANs unless they were changed', async () => {
    render(<ReissueDialog />);
    act(() => useReissueStore.getState().open({ certificateId: SERVER.id }));
    const dialog = await screen.findByRole('dialog', { name: 'Renew "mqtts-endpoint"' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Renew' }));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'pki.renew')).toBe(true));
    expect(fake.calls.find((c) => c.name === 'pki.renew')?.request).toEqual({ id: SERVER.id, keepKey: false });
  });
});
