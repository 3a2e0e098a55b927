import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { VaultPage } = await import('../../../../src/renderer/src/features/vault/vault-page');
const { useVaultStore } = await import('../../../../src/renderer/src/features/vault/use-vault-store');
const { DEFAULTS, EXPIRED, LIST, SERVER, STATUS_LOCKED, STATUS_NEW, STATUS_OPEN, detailOf } = await import('./vault-fixtures');

const initial = useVaultStore.getState();
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

function answerOpen() {
  fake.answer('vault.status', () => ({ ok: true, value: STATUS_OPEN }));
  fake.answer('pki.defaults', () => ({ ok: true, value: DEFAULTS }));
  fake.answer('pki.list', () => ({ ok: true, value: LIST }));
  fake.answer('pki.expiry', () => ({ ok: true, value: { entries: [], expiringWithinDays: 30 } }));
  fake.answer('pki.get', ({ id }) => ({ ok: true, value: detailOf(id === EXPIRED.id ? EXPIRED : SERVER) }));
}

beforeEach(() => {
  fake.resetFake();
  useVaultStore.setState(initial, true);
});
afterEach(cleanup);

describe('first run and unlock', () => {
  it('offers a calm create card with a local strength hint and a repeat check', async () => {
    fake.answer('vault.status', () => ({ ok: true, value: STATUS_NEW }));
    render(<VaultPage />);
    const card = await screen.findByRole('region', { name: 'Create your vault' });
    fireEvent.change(within(card).getByLabelText('Master password'), { target: { value: 'qwerty123' } });
    expect(within(card).getByText(/Strength: Weak\./)).toBeTruthy();
    fireEvent.change(within(card).getByLabelText('Repeat the master password'), { target: { value: 'qwerty12x' } });
    expect(within(card).getByText('The two passwords differ. Type the same password in both fields.')).toBeTruthy();
    expect(within(card).getByText(/Argon2id, which takes about a second/)).toBeTruthy();
    // Submitting a mismatch sends nothing.
    fireEvent.click(within(card).getByRole('button', { name: 'Create vault' }));
    await flush();
    expect(fake.calls.some((c) => c.name === 'vault.create')).toBe(false);
  });

  it('unlocks on Enter; a wrong password is said under the field, which keeps focus', async () => {
    fake.answer('vault.status', () => ({ ok: true, value: STATUS_LOCKED }));
    fake.answer('vault.unlock', () => ({ ok: false, error: { code: 'vault.wrongPassword', message: 'The password does not open this vault. Check Caps Lock and try again.' } }));
    render(<VaultPage />);
    const form = await screen.findByRole('region', { name: 'The vault is locked' });
    const field = within(form).getByLabelText('Master password') as HTMLInputElement;
    fireEvent.change(field, { target: { value: 'wrong password' } });
    fireEvent.submit(field.closest('form')!);
    await flush();
    expect(fake.calls.find((c) => c.name === 'vault.unlock')?.request).toEqual({ password: 'wrong password' });
    const error = within(form).getByText('The password does not open this vault. Check Caps Lock and try again.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toContain(error.closest('p')?.id);
    expect(document.activeElement).toBe(field);
  });

  it('returns to the unlock form with a notice after auto-lock', async () => {
    answerOpen();
    render(<VaultPage />);
    await screen.findByRole('tree', { name: 'Certificate tree' });
    fake.answer('vault.status', () => ({ ok: true, value: STATUS_LOCKED }));
    act(() => fake.emit('vault.onState', { unlocked: false, reason: 'auto' }));
    await flush();
    expect(screen.getByRole('region', { name: 'The vault is locked' })).toBeTruthy();
    expect(screen.getByText('The vault locked itself after 15 minutes without use. Unlock it to continue.')).toBeTruthy();
    expect(screen.queryByRole('tree')).toBeNull();
  });
});

describe('the unlocked vault', () => {
  it('shows the tree root → intermediate → leaves with status words and key type, and a Lock button', async () => {
    answerOpen();
    render(<VaultPage />);
    const tree = await screen.findByRole('tree', { name: 'Certificate tree' });
    expect(screen.getByRole('button', { name: 'Lock' })).toBeTruthy();
    const items = within(tree).getAllByRole('treeitem');
    expect(items.map((i) => [i.getAttribute('aria-level'), i.querySelector('.fb-tree__name')?.textContent])).toEqual([
      ['1', 'AIO42 Root CA'],
      ['2', 'AIO42 Intermediate CA 1'],
      ['3', 'mqtts-endpoint'],
      ['3', 'client42a'],
      ['3', 'client42b'],
      ['3', 'client42c'],
    ]);
    const byName = (n: string) => within(tree).getByRole('treeitem', { name: new RegExp(`^${n} `) });
    expect(byName('mqtts-endpoint').textContent).toContain('Valid');
    expect(byName('client42a').textContent).toContain('Expires in 12 days');
    expect(byName('client42a').textContent).toContain('RSA 2048');
    expect(byName('client42b').textContent).toContain('Expired');
    expect(byName('client42c').textContent).toContain('Revoked');
    expect(screen.getByText('6 certificates · 1 expiring soon · 1 expired · 1 revoked')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Filter certificates'), { target: { value: '192.168.2.196' } });
    expect(within(tree).getAllByRole('treeitem')).toHaveLength(3);
    expect(screen.getByText('3 of 6 shown')).toBeTruthy();
  });

  it('opens the detail with the chain problem named and checks a host', async () => {
    answerOpen();
    fake.answer('pki.checkHost', ({ host }) => ({
      ok: true,
      value: { host, kind: 'ip', valid: host === '192.168.2.196', message: host === '192.168.2.196' ? 'mqtts-endpoint lists 192.168.2.196.' : `"mqtts-endpoint" does not list ${host}.`, sans: SERVER.sans },
    }));
    render(<VaultPage />);
    const tree = await screen.findByRole('tree', { name: 'Certificate tree' });
    fireEvent.click(within(tree).getByRole('treeitem', { name: /^client42b / }));
    await flush();
    const expired = screen.getByRole('region', { name: 'client42b' });
    expect(within(expired).getByText('"client42b" expired 3 days ago. Renew it.')).toBeTruthy();

    fireEvent.click(within(tree).getByRole('treeitem', { name: /^mqtts-endpoint / }));
    await flush();
    const detail = screen.getByRole('region', { name: 'mqtts-endpoint' });
    expect(within(detail).getByText('5AA8D011E707308B97B0952269FC7496F77C1168')).toBeTruthy();
    expect(within(detail).getByText('Valid up to AIO42 Root CA')).toBeTruthy();
    const host = within(detail).getByLabelText('Valid for this IP or host name?');
    fireEvent.change(host, { target: { value: '10.0.0.9' } });
    fireEvent.click(within(detail).getByRole('button', { name: 'Check' }));
    await flush();
    expect(within(detail).getByText('Not valid for this host')).toBeTruthy();
    expect(within(detail).getByText('"mqtts-endpoint" does not list 10.0.0.9.')).toBeTruthy();
    expect(fake.calls.find((c) => c.name === 'pki.checkHost')?.request).toEqual({ id: 'server', host: '10.0.0.9' });
  });

  it('types SANs as chips in the server wizard and keeps Create off until the preview allows it', async () => {
    answerOpen();
    fake.answer('pki.preview', (req) => ({
      ok: true,
      value: {
        profile: 'server',
        canIssue: (req.subject?.commonName ?? '') !== '',
        problems: req.subject?.commonName ? [] : [{ code: 'pki.bad-subject', field: 'commonName', message: 'Type a common name (CN), e.g. "AIO42 Root CA".' }],
        warnings: [{ code: 'mixed-key-families', message: 'This chain mixes EC and RSA keys; the AIO broker rejects it.' }],
        certificates: [],
        keyGeneration: { algorithm: 'ec-p256', label: 'EC P-256', count: 1, slow: false },
      },
    }));
    render(<VaultPage />);
    await screen.findByRole('tree', { name: 'Certificate tree' });
    fireEvent.click(screen.getByRole('button', { name: 'New server certificate' }));
    const dialog = await screen.findByRole('dialog', { name: 'New server certificate' });
    const create = within(dialog).getByRole('button', { name: 'Create server certificate' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText('IP addresses and host names (SANs)'), { target: { value: '192.168.2.196, mqtts.plant.local' } });
    const chips = within(dialog).getByRole('list', { name: 'SANs as they will be issued' });
    expect(within(chips).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['IP192.168.2.196', 'DNSmqtts.plant.local']);
    fireEvent.change(within(dialog).getByLabelText(/Common name/), { target: { value: 'mqtts-endpoint' } });
    await act(() => new Promise((r) => setTimeout(r, 300)));
    expect(create.disabled).toBe(false);
    expect(within(dialog).getByText('This chain mixes EC and RSA keys; the AIO broker rejects it.')).toBeTruthy();
    expect(within(dialog).getByText('EC and RSA mixed')).toBeTruthy();
  });
});
