import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { useVaultStore } = await import('../../../../src/renderer/src/features/vault/use-vault-store');
const { PREVIEW_DEBOUNCE_MS } = await import('../../../../src/renderer/src/features/vault/wizard-slice');
const { DEFAULTS, LIST, SERVER, STATUS_LOCKED, STATUS_NEW, STATUS_OPEN, detailOf } = await import('./vault-fixtures');

const initial = useVaultStore.getState();
const PASSWORD = 'gloves on site 42';

function answerOpenVault() {
  fake.answer('vault.status', () => ({ ok: true, value: STATUS_OPEN }));
  fake.answer('pki.defaults', () => ({ ok: true, value: DEFAULTS }));
  fake.answer('pki.list', () => ({ ok: true, value: LIST }));
  fake.answer('pki.expiry', () => ({ ok: true, value: { entries: [], expiringWithinDays: 30 } }));
  fake.answer('pki.get', ({ id }) => ({ ok: true, value: detailOf(id === 'server' ? SERVER : SERVER) }));
}

const names = () => fake.calls.map((c) => c.name);
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  fake.resetFake();
  useVaultStore.setState(initial, true);
});
afterEach(() => vi.useRealTimers());

describe('vault session', () => {
  it('creates the vault as a job, keeps no password, then loads the PKI', async () => {
    fake.answer('vault.status', () => ({ ok: true, value: STATUS_NEW }));
    await useVaultStore.getState().loadStatus();
    expect(useVaultStore.getState().status?.exists).toBe(false);

    answerOpenVault();
    fake.answer('vault.create', () => ({ ok: true, value: STATUS_OPEN }));
    expect(await useVaultStore.getState().createVault(PASSWORD)).toBe(true);
    await settle();
    const create = fake.calls.find((c) => c.name === 'vault.create');
    expect(create?.request).toEqual({ password: PASSWORD });
    expect(create?.options?.jobId).toMatch(/^vault-create/);
    expect(names()).toEqual(expect.arrayContaining(['pki.defaults', 'pki.list', 'pki.expiry']));
    expect(useVaultStore.getState().tree).toHaveLength(1);
    // No secret in the store: its whole state, serialised, never contains the password.
    expect(JSON.stringify(useVaultStore.getState())).not.toContain(PASSWORD);
  });

  it('keeps a wrong password’s sentence for the form and counts the failure', async () => {
    fake.answer('vault.status', () => ({ ok: true, value: STATUS_LOCKED }));
    await useVaultStore.getState().loadStatus();
    fake.answer('vault.unlock', () => ({ ok: false, error: { code: 'vault.wrongPassword', message: 'The password does not open this vault. Check Caps Lock and try again.' } }));
    expect(await useVaultStore.getState().unlockVault('nope nope')).toBe(false);
    expect(useVaultStore.getState()).toMatchObject({ unlockFailures: 1, sessionBusy: undefined, unlockError: { code: 'vault.wrongPassword' } });
    expect(await useVaultStore.getState().unlockVault('still wrong')).toBe(false);
    expect(useVaultStore.getState().unlockFailures).toBe(2);
    expect(JSON.stringify(useVaultStore.getState())).not.toMatch(/nope nope|still wrong/);
  });

  it('on auto-lock forgets every certificate and explains why the unlock form is back', async () => {
    answerOpenVault();
    await useVaultStore.getState().loadStatus();
    await settle();
    await useVaultStore.getState().select('server');
    expect(useVaultStore.getState().detail?.summary.id).toBe('server');

    fake.answer('vault.status', () => ({ ok: true, value: STATUS_LOCKED }));
    fake.emit('vault.onState', { unlocked: false, reason: 'auto' });
    await settle();
    const s = useVaultStore.getState();
    expect(s.status?.unlocked).toBe(false);
    expect(s.tree).toEqual([]);
    expect(s.detail).toBeUndefined();
    expect(s.selectedId).toBeUndefined();
    expect(s.lockNotice).toBe('The vault locked itself after 15 minutes without use. Unlock it to continue.');
  });

  it('re-reads the tree when main says the PKI changed, coalescing bursts', async () => {
    answerOpenVault();
    await useVaultStore.getState().loadStatus();
    await settle();
    fake.calls.length = 0;
    fake.emit('pki.onChanged', { reason: 'saved' });
    fake.emit('pki.onChanged', { reason: 'saved' });
    fake.emit('pki.onChanged', { reason: 'saved' });
    await settle();
    await settle();
    const lists = names().filter((n) => n === 'pki.list').length;
    expect(lists).toBeGreaterThanOrEqual(1);
    expect(lists).toBeLessThanOrEqual(2);
  });
});

describe('wizards', () => {
  async function openServerWizard() {
    answerOpenVault();
    await useVaultStore.getState().loadStatus();
    await settle();
    fake.answer('pki.preview', (req) => ({
      ok: true,
      value: { profile: 'server', canIssue: (req.sans ?? []).length > 0, problems: [], warnings: [], certificates: [], keyGeneration: { algorithm: 'ec-p256', label: 'EC P-256', count: 1, slow: false } },
    }));
    useVaultStore.getState().openWizard('server');
    await settle();
  }

  it('starts from the defaults with the intermediate as issuer, and previews after a pause in typing', async () => {
    await openServerWizard();
    const w = useVaultStore.getState().wizard;
    expect(w?.form).toMatchObject({ issuerId: 'inter', validityAmount: '825', validityUnit: 'days', keyAlgorithm: 'ec-p256' });
    vi.useFakeTimers();
    fake.calls.length = 0;
    useVaultStore.getState().updateWizard({ commonName: 'mqtts-endpoint' });
    useVaultStore.getState().updateWizard({ sansText: '192.168.2.196' });
    expect(names()).not.toContain('pki.preview');
    await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS + 10);
    const previews = fake.calls.filter((c) => c.name === 'pki.preview');
    expect(previews).toHaveLength(1);
    expect(previews[0]?.request).toMatchObject({ profile: 'server', subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196'], issuerId: 'inter' });
    const after = useVaultStore.getState().wizard;
    expect(after?.previewFor).toBe(after?.revision);
    expect(after?.preview?.canIssue).toBe(true);
  });

  it('drops a preview that answers an older revision of the form', async () => {
    await openServerWizard();
    let release!: (r: Result<CallResponse<'pki.preview'>>) => void;
    fake.answer('pki.preview', () => new Promise((r) => (release = r)));
    useVaultStore.getState().updateWizard({ commonName: 'old' });
    const pending = useVaultStore.getState().refreshPreview();
    useVaultStore.getState().updateWizard({ commonName: 'new' });
    release({ ok: true, value: { profile: 'server', canIssue: true, problems: [], warnings: [], certificates: [], keyGeneration: { algorithm: 'ec-p256', label: 'EC P-256', count: 1, slow: false } } });
    await pending;
    const w = useVaultStore.getState().wizard;
    expect(w?.previewFor).not.toBe(w?.revision);
  });

  it('issues as a job, closes, says what happened in place with warnings, and selects the new certificate', async () => {
    await openServerWizard();
    useVaultStore.getState().updateWizard({ commonName: 'mqtts-endpoint', sansText: '192.168.2.196' });
    fake.answer('pki.createServer', () => ({ ok: true, value: { certificate: SERVER, warnings: [{ code: 'validity-clamped', message: 'The validity was shortened to end with "AIO42 Intermediate CA 1".' }] } }));
    expect(await useVaultStore.getState().issue()).toBe(true);
    const call = fake.calls.find((c) => c.name === 'pki.createServer');
    expect(call?.options?.jobId).toBeTruthy();
    expect(call?.request).toMatchObject({ subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196'], issuerId: 'inter' });
    const s = useVaultStore.getState();
    expect(s.wizard).toBeUndefined();
    expect(s.selectedId).toBe('server');
    expect(s.notice).toEqual({ kind: 'warning', title: 'Created "mqtts-endpoint"', messages: ['It is in the vault with its private key.', 'The validity was shortened to end with "AIO42 Intermediate CA 1".'] });
  });

  it('refuses locally invalid forms without a call, and reports a cancelled job plainly', async () => {
    await openServerWizard();
    useVaultStore.getState().updateWizard({ commonName: 'mqtts-endpoint', sansText: '192.168.2.300' });
    expect(await useVaultStore.getState().issue()).toBe(false);
    expect(names()).not.toContain('pki.createServer');

    useVaultStore.getState().updateWizard({ sansText: '192.168.2.196' });
    fake.answer('jobs.cancel', () => ({ ok: true, value: { cancelled: true } }));
    let finish!: (r: Result<CallResponse<'pki.createServer'>>) => void;
    fake.answer('pki.createServer', () => new Promise((r) => (finish = r)));
    const issuing = useVaultStore.getState().issue();
    await settle();
    const jobId = useVaultStore.getState().wizard?.issueJobId;
    expect(jobId).toBeTruthy();
    await useVaultStore.getState().cancelIssue();
    expect(fake.calls.find((c) => c.name === 'jobs.cancel')?.request).toEqual({ jobId });
    finish({ ok: false, error: { code: 'cancelled', message: 'Cancelled.' } });
    expect(await issuing).toBe(false);
    expect(useVaultStore.getState().wizard?.issueError?.message).toBe('Cancelled. Nothing was issued and no key was kept.');
    expect(useVaultStore.getState().wizard?.issueJobId).toBeUndefined();
  });
});

describe('import', () => {
  it('sends each file as Base64, lists the per-file result, and retries an encrypted one with its passphrase', async () => {
    answerOpenVault();
    await useVaultStore.getState().loadStatus();
    await settle();
    const pem = new File(['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'], 'root_ca.crt');
    const key = new File([new Uint8Array([0x30, 0x82, 0x01, 0xff])], 'client42a.key');
    const seen: string[] = [];
    const batches: string[][] = [];
    const resultFor = (name: string, passphrase: string | undefined): CallResponse<'pki.import'>['results'][number] => {
      seen.push(`${name}:${passphrase ?? '-'}`);
      const base = { fileName: name, certificatesImported: 0, keysImported: 0, duplicates: 0, keysMatched: 0, keysUnmatched: 0, certificateIds: [] as string[], errors: [] as { code: string; message: string }[], notes: [] as string[] };
      if (name === 'root_ca.crt') return { ...base, certificatesImported: 1, certificateIds: ['root'] };
      if (passphrase !== 'secret-pass') return { ...base, errors: [{ code: 'pki.import.passphrase-required', message: 'This private key is encrypted. Type its passphrase to import it.' }] };
      return { ...base, keysImported: 1, keysMatched: 1 };
    };
    fake.answer('pki.import', ({ files }) => {
      batches.push(files.map((f) => f.name));
      // The bytes arrive intact: the DER key's first byte survives the Base64 trip.
      const keyFile = files.find((f) => f.name === 'client42a.key');
      if (keyFile) expect(atob(keyFile.dataBase64).charCodeAt(0)).toBe(0x30);
      return { ok: true, value: { results: files.map((f) => resultFor(f.name, f.passphrase)) } };
    });

    await useVaultStore.getState().importFiles([pem, key]);
    let rows = useVaultStore.getState().importRows;
    expect(rows.map((r) => [r.fileName, r.certificatesImported, r.needsPassphrase])).toEqual([
      ['root_ca.crt', 1, false],
      ['client42a.key', 0, true],
    ]);
    expect(useVaultStore.getState().selectedId).toBe('root');

    await useVaultStore.getState().retryWithPassphrase(rows[1]!.key, 'secret-pass');
    rows = useVaultStore.getState().importRows;
    expect(rows.map((r) => [r.fileName, r.keysImported, r.needsPassphrase])).toEqual([
      ['root_ca.crt', 0, false],
      ['client42a.key', 1, false],
    ]);
    expect(batches).toEqual([['root_ca.crt', 'client42a.key'], ['client42a.key']]);
    expect(seen).toEqual(['root_ca.crt:-', 'client42a.key:-', 'client42a.key:secret-pass']);
    expect(JSON.stringify(useVaultStore.getState())).not.toContain('secret-pass');
  });

  it('refuses empty and oversized files here, with a sentence, without sending them', async () => {
    answerOpenVault();
    await useVaultStore.getState().loadStatus();
    await settle();
    useVaultStore.setState({ defaults: { ...DEFAULTS, maxImportBytes: 10 } });
    await useVaultStore.getState().importFiles([new File([], 'empty.pem'), new File(['x'.repeat(11)], 'big.p12')]);
    expect(names()).not.toContain('pki.import');
    const rows = useVaultStore.getState().importRows;
    expect(rows[0]?.errors[0]?.message).toBe('empty.pem is empty. Check that you picked the right file.');
    expect(rows[1]?.errors[0]?.message).toMatch(/^big\.p12 is 0 MB; Fieldbench imports certificate and key files up to 0 MB/);
  });
});
