import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const app = () => composeApp({ dataDir: mkdtempSync(join(tmpdir(), 'fb-session-')), runtime: 'cli', vault: { createOptions: WEAK } });

describe('vault through the contract', () => {
  it('creates, locks and unlocks the vault, announcing each change', async () => {
    const a = app();
    const states: unknown[] = [];
    a.hub.on('vault.onState', (s) => states.push(s));
    const before = await a.dispatcher.dispatch('vault.status', {});
    expect(before).toMatchObject({ ok: true, value: { exists: false, unlocked: false } });

    const created = await a.dispatcher.dispatch('vault.create', { password: 'correct horse battery' });
    expect(created).toMatchObject({ ok: true, value: { exists: true, unlocked: true } });
    await a.vault.updateSection('settings', { n: 0 }, (d) => {
      d.n = 42;
    });

    expect(await a.dispatcher.dispatch('vault.lock', {})).toMatchObject({ ok: true, value: { unlocked: false } });
    expect(() => a.vault.getSection('settings', { n: 0 })).toThrow(/locked/i);

    const wrong = await a.dispatcher.dispatch('vault.unlock', { password: 'wrong horse' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'vault.wrongPassword' } });
    expect(JSON.stringify(wrong)).not.toMatch(/wrong horse/);

    expect(await a.dispatcher.dispatch('vault.unlock', { password: 'correct horse battery' })).toMatchObject({ ok: true, value: { unlocked: true } });
    expect(a.vault.getSection('settings', { n: 0 }).n).toBe(42);
    expect(states).toEqual([{ unlocked: true }, { unlocked: false, reason: 'manual' }, { unlocked: true }]);
  });

  it('refuses a short master password and never overwrites an existing vault', async () => {
    const a = app();
    expect(await a.dispatcher.dispatch('vault.create', { password: 'short' })).toMatchObject({ ok: false, error: { code: 'vault.weakPassword' } });
    await a.dispatcher.dispatch('vault.create', { password: 'first password' });
    const path = a.vault.status().path;
    const bytes = readFileSync(path);
    const again = await a.dispatcher.dispatch('vault.create', { password: 'second password' });
    expect(again).toMatchObject({ ok: false, error: { code: 'vault.exists' } });
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('changes the password: the old one stops working', async () => {
    const a = app();
    await a.dispatcher.dispatch('vault.create', { password: 'old password' });
    expect(await a.dispatcher.dispatch('vault.changePassword', { current: 'old password', next: 'new password' })).toMatchObject({ ok: true });
    await a.dispatcher.dispatch('vault.lock', {});
    expect(await a.dispatcher.dispatch('vault.unlock', { password: 'old password' })).toMatchObject({ ok: false, error: { code: 'vault.wrongPassword' } });
    expect(await a.dispatcher.dispatch('vault.unlock', { password: 'new password' })).toMatchObject({ ok: true });
  });
});

describe('logs', () => {
  it('never carry passwords, keys or request bodies', async () => {
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const a = composeApp({ dataDir: mkdtempSync(join(tmpdir(), 'fb-logs-')), runtime: 'cli', log, vault: { createOptions: WEAK } });
    await a.dispatcher.dispatch('vault.create', { password: 'hunter2-secret-pass' });
    await a.dispatcher.dispatch('vault.lock', {});
    await a.dispatcher.dispatch('vault.unlock', { password: 'wrong-secret-guess' });
    await a.dispatcher.dispatch('vault.unlock', { password: 'hunter2-secret-pass' });
    const root = await a.dispatcher.dispatch('pki.createRoot', { subject: { commonName: 'Log Test Root CA' } });
    expect(root.ok).toBe(true);
    await a.dispatcher.dispatch('pki.exportPem', { id: 'no-such-id' });
    await a.dispatcher.dispatch('vault.create', { password: 123 });
    // Failures were logged (so the logger is wired), but only by code.
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    expect(all).not.toMatch(/hunter2|wrong-secret|PRIVATE KEY|BEGIN/);
  });
});
