import { describe, expect, it } from 'vitest';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';
import type { VaultChangeEvent, VaultStore } from '../../../src/main/services/vault/vault-store';

describe('MemoryVaultStore', () => {
  it('behaves like the vault for a service: fallback, update, frozen reads, JSON round trip', async () => {
    const store: VaultStore = new MemoryVaultStore({ settings: { lang: 'en' } });
    expect(store.getSection('settings', {})).toEqual({ lang: 'en' });
    expect(store.getSection('pki', { certs: [] })).toEqual({ certs: [] });
    const n = await store.updateSection('pki', { certs: [] as unknown[] }, (d) => {
      d.certs.push({ at: new Date('2026-01-01T00:00:00Z') });
      return d.certs.length;
    });
    expect(n).toBe(1);
    const pki = store.getSection('pki', { certs: [] as unknown[] });
    expect(pki).toEqual({ certs: [{ at: '2026-01-01T00:00:00.000Z' }] });
    expect(Object.isFrozen(pki.certs)).toBe(true);
  });

  it('serialises updates and reports saves, lock and unlock', async () => {
    const store = new MemoryVaultStore();
    const events: VaultChangeEvent[] = [];
    store.onChange((e) => events.push(e));
    await Promise.all(Array.from({ length: 10 }, () => store.updateSection('c', { n: 0 }, (d) => void (d.n += 1))));
    expect(store.getSection('c', { n: 0 })).toEqual({ n: 10 });
    expect(store.saves).toHaveLength(10);
    store.lock();
    expect(() => store.getSection('c', { n: 0 })).toThrow(expect.objectContaining({ code: 'vault.locked' }) as Error);
    await expect(store.updateSection('c', { n: 0 }, () => undefined)).rejects.toMatchObject({ code: 'vault.locked' });
    store.unlock();
    expect(store.getSection('c', { n: 0 })).toEqual({ n: 10 });
    expect(events.map((e) => e.kind)).toEqual([...Array<string>(10).fill('saved'), 'locked', 'unlocked']);
  });

  it('can simulate a failed save, which leaves the section as it was', async () => {
    const store = new MemoryVaultStore({ c: { n: 1 } });
    store.failNextSave = new Error('disk full');
    await expect(store.updateSection('c', { n: 0 }, (d) => void (d.n = 2))).rejects.toThrow('disk full');
    expect(store.getSection('c', { n: 0 })).toEqual({ n: 1 });
    await store.updateSection('c', { n: 0 }, (d) => void (d.n = 3));
    expect(store.snapshot()).toEqual({ c: { n: 3 } });
  });
});
