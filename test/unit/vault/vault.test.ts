import { readFile, readdir, rm, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldbenchError } from '../../../src/shared/errors';
import { Vault } from '../../../src/main/services/vault/vault';
import { DEFAULT_KDF } from '../../../src/main/services/vault/vault-crypto';
import type { VaultChangeEvent } from '../../../src/main/services/vault/vault-store';
import { FakeClock } from '../../support/vault/fake-clock';
import { TempDirs, WEAK_KDF, sha256File, snapshotDir } from '../../support/vault/vault-fixtures';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

async function newVault(opts: Parameters<typeof Vault.create>[2] = {}) {
  const dir = await temp.make();
  const path = join(dir, 'vault.fbv');
  const vault = await Vault.create(path, 'correct horse', { ...WEAK_KDF, ...opts });
  return { dir, path, vault };
}

async function reopen(path: string, password = 'correct horse') {
  const v = await Vault.open(path);
  await v.unlock(password);
  return v;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FieldbenchError);
    return (err as FieldbenchError).code;
  }
  throw new Error('expected a rejection');
}

describe('Vault round trip', () => {
  it('stores sections and reads them back after reopening', async () => {
    const { path, vault } = await newVault();
    const pki = { certs: [{ id: 'root', pem: '-----BEGIN CERTIFICATE-----\nMII…\n', key: 'secret-key-material' }] };
    const r = await vault.updateSection('pki', { certs: [] as unknown[] }, (d) => {
      d.certs.push(...pki.certs);
      return d.certs.length;
    });
    expect(r).toBe(1);
    await vault.updateSection('settings', { theme: 'light' }, (d) => void (d.theme = 'dark'));
    vault.lock();
    const again = await reopen(path);
    expect(again.getSection('pki', null)).toEqual(pki);
    expect(again.getSection('settings', null)).toEqual({ theme: 'dark' });
    expect(again.getSection('nodes', { fallback: true })).toEqual({ fallback: true });
  });

  it('keeps secrets out of the file in clear text', async () => {
    const { path, vault } = await newVault();
    await vault.updateSection('secrets', {} as Record<string, string>, (d) => void (d.token = 'VERY-SECRET-TOKEN-123'));
    const bytes = await readFile(path);
    expect(bytes.includes(Buffer.from('VERY-SECRET-TOKEN-123'))).toBe(false);
    expect(bytes.includes(Buffer.from('secrets'))).toBe(false);
  });

  it('creates with the default Argon2id cost (≥ 64 MiB) and reports it without the password', async () => {
    const dir = await temp.make();
    const path = join(dir, 'nested', 'vault.fbv');
    const vault = await Vault.create(path, 'pw');
    vault.lock();
    const info = (await Vault.open(path)).info();
    expect(info).toMatchObject({ path, formatVersion: 1, locked: true, kdf: DEFAULT_KDF });
    expect(info.kdf.memoryKiB).toBeGreaterThanOrEqual(64 * 1024);
    expect(JSON.stringify(info)).not.toMatch(/salt|nonce|key/i);
  });

  it('refuses weak KDF settings unless a test asks for them explicitly', async () => {
    const dir = await temp.make();
    expect(await codeOf(Vault.create(join(dir, 'a.fbv'), 'pw', { kdf: { memoryKiB: 1024 } }))).toBe('vault.weakParameters');
    expect(await codeOf(Vault.create(join(dir, 'b.fbv'), 'pw', { kdf: { iterations: 0 }, allowWeakKdf: true }))).toBe('vault.weakParameters');
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not create over an existing file', async () => {
    const { path } = await newVault();
    const before = await sha256File(path);
    expect(await codeOf(Vault.create(path, 'other', WEAK_KDF))).toBe('vault.exists');
    expect(await sha256File(path)).toBe(before);
  });

  it('says when there is no vault', async () => {
    const dir = await temp.make();
    expect(await codeOf(Vault.open(join(dir, 'missing.fbv')))).toBe('vault.notFound');
  });

  it('returns frozen sections that callers cannot change behind the vault’s back', async () => {
    const { vault } = await newVault();
    await vault.updateSection('pki', { list: [1] }, (d) => void d.list.push(2));
    const s = vault.getSection('pki', { list: [] as number[] });
    expect(() => (s.list as number[]).push(3)).toThrow(TypeError);
    expect(vault.getSection('pki', { list: [] })).toEqual({ list: [1, 2] });
  });

  it('keeps only what JSON keeps, so memory and disk always agree', async () => {
    const { path, vault } = await newVault();
    await vault.updateSection('x', {} as Record<string, unknown>, (d) => {
      d.when = new Date('2026-01-02T03:04:05Z');
      d.gone = undefined;
    });
    const inMemory = vault.getSection('x', {});
    vault.lock();
    expect((await reopen(path)).getSection('x', {})).toEqual(inMemory);
    expect(inMemory).toEqual({ when: '2026-01-02T03:04:05.000Z' });
  });
});

describe('Vault updates', () => {
  it('does not change anything when mutate throws', async () => {
    const { path, vault } = await newVault();
    await vault.updateSection('pki', { n: 1 }, () => undefined);
    const before = await sha256File(path);
    await expect(
      vault.updateSection('pki', { n: 0 }, (d) => {
        d.n = 99;
        throw new Error('validation failed');
      }),
    ).rejects.toThrow('validation failed');
    expect(vault.getSection('pki', { n: 0 })).toEqual({ n: 1 });
    expect(await sha256File(path)).toBe(before);
  });

  it('serialises concurrent updates: none is lost and each sees the previous one', async () => {
    const { path, vault } = await newVault();
    const seen = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        vault.updateSection('counter', { n: 0, order: [] as number[] }, (d) => {
          d.n += 1;
          d.order.push(i);
          return d.n;
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    vault.lock();
    const c = (await reopen(path)).getSection('counter', { n: 0, order: [] as number[] });
    expect(c.n).toBe(25);
    expect(c.order).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('makes a change visible only after it is on disk, and reports each save', async () => {
    const { path, vault } = await newVault();
    const events: VaultChangeEvent[] = [];
    const off = vault.onChange((e) => events.push(e));
    let done = false;
    const observed: Array<{ brokers: number }> = [];
    const diskDuringSave: string[] = [];
    const before = await sha256File(path);
    const p = vault.updateSection('mqtt', { brokers: 0 }, (d) => void (d.brokers = 1)).finally(() => (done = true));
    while (!done) {
      // Sampled between the save's file operations: until the file is replaced, readers must see the old value.
      const seen = vault.getSection('mqtt', { brokers: 0 });
      if (seen.brokers === 1) diskDuringSave.push(await sha256File(path));
      else observed.push(seen);
      await new Promise((r) => setImmediate(r));
    }
    await p;
    expect(observed.length).toBeGreaterThan(0);
    expect(diskDuringSave.every((h) => h !== before)).toBe(true);
    expect(vault.getSection('mqtt', { brokers: 0 })).toEqual({ brokers: 1 });
    expect(events).toEqual([{ kind: 'saved', sections: ['mqtt'] }]);
    off();
    vault.lock();
    expect(events).toHaveLength(1);
  });

  it('refuses to overwrite a file another program changed, and keeps the in-memory state', async () => {
    const { path, vault } = await newVault();
    await vault.updateSection('pki', { v: 1 }, () => undefined);
    const other = await reopen(path);
    await other.updateSection('pki', { v: 1 }, (d) => void (d.v = 2));
    const theirs = await sha256File(path);
    expect(await codeOf(vault.updateSection('pki', { v: 1 }, (d) => void (d.v = 3)))).toBe('vault.changedOnDisk');
    expect(vault.getSection('pki', { v: 0 })).toEqual({ v: 1 });
    expect(await sha256File(path)).toBe(theirs);
    vault.lock();
    await vault.unlock('correct horse');
    expect(vault.getSection('pki', { v: 0 })).toEqual({ v: 2 });
  });

  it('reports a save that cannot be written, and keeps the previous state in memory', async () => {
    const dir = await temp.make();
    const path = join(dir, 'inner', 'vault.fbv');
    const vault = await Vault.create(path, 'correct horse', WEAK_KDF);
    await vault.updateSection('pki', { v: 0 }, (d) => void (d.v = 1));
    // Replace the vault's folder by a plain file: the temp file cannot be created.
    await rm(join(dir, 'inner'), { recursive: true });
    await writeFile(join(dir, 'inner'), 'not a folder');
    const err = await vault.updateSection('pki', { v: 0 }, (d) => void (d.v = 2)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'vault.saveFailed' });
    expect((err as FieldbenchError).detail).toMatch(/ENOTDIR/);
    expect(vault.getSection('pki', { v: 0 })).toEqual({ v: 1 });
  });

  it('lets only one of two simultaneous creates at the same path win', async () => {
    const dir = await temp.make();
    const path = join(dir, 'vault.fbv');
    const results = await Promise.allSettled([Vault.create(path, 'one', WEAK_KDF), Vault.create(path, 'two', WEAK_KDF)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(lost?.reason).toMatchObject({ code: 'vault.exists' });
    expect(await readdir(dir)).toEqual(['vault.fbv']);
  });

  it('rejects an async mutate instead of saving a half-made draft', async () => {
    const { vault } = await newVault();
    await expect(vault.updateSection('x', {}, async () => 1)).rejects.toThrow(/synchronous/);
  });

  it('keeps one rolling backup holding the previous good file', async () => {
    const { dir, path, vault } = await newVault();
    expect(await readdir(dir)).toEqual(['vault.fbv']);
    for (let i = 1; i <= 3; i++) {
      const previous = await sha256File(path);
      await vault.updateSection('n', { i: 0 }, (d) => void (d.i = i));
      expect(await sha256File(`${path}.bak`)).toBe(previous);
    }
    expect((await readdir(dir)).sort()).toEqual(['vault.fbv', 'vault.fbv.bak']);
    expect((await reopen(`${path}.bak`)).getSection('n', { i: 0 })).toEqual({ i: 2 });
    expect((await reopen(path)).getSection('n', { i: 0 })).toEqual({ i: 3 });
  });

  it('uses a fresh nonce on every save and keeps the salt until the key is derived again', async () => {
    const { path, vault } = await newVault();
    const headerOf = async () => JSON.parse((await readFile(path)).subarray(14, 14 + (await readFile(path)).readUInt32BE(10)).toString()) as { salt: string; nonce: string };
    const nonces = new Set<string>();
    const salts = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await vault.updateSection('n', { i: 0 }, (d) => void (d.i = i));
      const h = await headerOf();
      nonces.add(h.nonce);
      salts.add(h.salt);
    }
    expect(nonces.size).toBe(5);
    expect(salts.size).toBe(1);
  });
});

describe('Vault lock and unlock', () => {
  it('zeroes the key on lock, then refuses reads and writes', async () => {
    const { vault } = await newVault();
    await vault.updateSection('pki', { a: 1 }, () => undefined);
    const keys = (vault as unknown as { keys: { enc: Buffer; check: Buffer } }).keys;
    expect(keys.enc.some((b) => b !== 0)).toBe(true);
    const events: string[] = [];
    vault.onChange((e) => events.push(e.kind));
    vault.lock();
    expect(keys.enc.every((b) => b === 0)).toBe(true);
    expect(keys.check.every((b) => b === 0)).toBe(true);
    expect(vault.isUnlocked()).toBe(false);
    expect(vault.info().locked).toBe(true);
    expect(() => vault.getSection('pki', {})).toThrow(expect.objectContaining({ code: 'vault.locked' }) as Error);
    expect(await codeOf(vault.updateSection('pki', {}, () => undefined))).toBe('vault.locked');
    await vault.unlock('correct horse');
    expect(events).toEqual(['locked', 'unlocked']);
    expect(vault.getSection('pki', {})).toEqual({ a: 1 });
  });

  it('gives a wrong-password error, keeps the handle locked and leaves the files alone', async () => {
    const { dir, path, vault } = await newVault();
    await vault.updateSection('pki', { a: 1 }, () => undefined);
    vault.lock();
    const before = await snapshotDir(dir);
    const v = await Vault.open(path);
    const err = await v.unlock('Correct horse').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'vault.wrongPassword', message: 'The password does not open this vault. Check Caps Lock and try again.' });
    expect(JSON.stringify((err as FieldbenchError).toInfo())).not.toContain('horse');
    expect(v.isUnlocked()).toBe(false);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('opens with the same password typed in another Unicode normal form', async () => {
    const dir = await temp.make();
    const path = join(dir, 'v.fbv');
    (await Vault.create(path, 'Gr\u00fc\u00dfe', WEAK_KDF)).lock();
    await expect(reopen(path, 'Gru\u0308\u00dfe')).resolves.toBeInstanceOf(Vault);
  });

  it('auto-locks after the idle time; reads and writes count as activity', async () => {
    const clock = new FakeClock();
    const { vault } = await newVault({ clock, autoLockMs: 60_000 });
    const events: string[] = [];
    vault.onChange((e) => events.push(e.kind));
    clock.advance(59_000);
    vault.getSection('pki', {});
    clock.advance(59_000);
    await vault.updateSection('pki', { a: 0 }, (d) => void (d.a = 1));
    clock.advance(59_999);
    expect(vault.isUnlocked()).toBe(true);
    clock.advance(1);
    expect(vault.isUnlocked()).toBe(false);
    expect(events).toEqual(['saved', 'locked']);
    expect(clock.pendingTimers()).toBe(0);
    await vault.unlock('correct horse');
    clock.advance(60_000);
    expect(vault.isUnlocked()).toBe(false);
  });

  it('can change or switch off the idle time, and never auto-locks by default', async () => {
    const clock = new FakeClock();
    const { vault } = await newVault({ clock });
    clock.advance(24 * 3600_000);
    expect(vault.isUnlocked()).toBe(true);
    vault.setAutoLock(1000);
    clock.advance(1000);
    expect(vault.isUnlocked()).toBe(false);
    await vault.unlock('correct horse');
    vault.setAutoLock(0);
    clock.advance(10_000);
    expect(vault.isUnlocked()).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('Vault password change', () => {
  it('re-encrypts under the new password with a new salt; the old one no longer opens it', async () => {
    const { path, vault } = await newVault();
    await vault.updateSection('pki', { a: 1 }, () => undefined);
    const saltOf = async () => {
      const b = await readFile(path);
      return (JSON.parse(b.subarray(14, 14 + b.readUInt32BE(10)).toString()) as { salt: string }).salt;
    };
    const oldSalt = await saltOf();
    expect(await codeOf(vault.changePassword('not it', 'new password'))).toBe('vault.wrongPassword');
    expect(await saltOf()).toBe(oldSalt);
    await vault.changePassword('correct horse', 'new password');
    expect(await saltOf()).not.toBe(oldSalt);
    // The backup no longer holds a file the old password opens.
    expect(await codeOf(reopen(`${path}.bak`, 'correct horse'))).toBe('vault.wrongPassword');
    expect((await reopen(`${path}.bak`, 'new password')).getSection('pki', {})).toEqual({ a: 1 });
    expect(vault.getSection('pki', {})).toEqual({ a: 1 });
    // Saves after the change use the new key.
    await vault.updateSection('pki', { a: 1 }, (d) => void (d.a = 2));
    expect(await codeOf(reopen(path, 'correct horse'))).toBe('vault.wrongPassword');
    expect((await reopen(path, 'new password')).getSection('pki', {})).toEqual({ a: 2 });
  });

  it('works on a locked vault and can raise the KDF cost', async () => {
    const { path, vault } = await newVault();
    vault.lock();
    const v = await Vault.open(path);
    await v.changePassword('correct horse', 'second', { kdf: { iterations: 2 }, allowWeakKdf: true });
    expect(v.isUnlocked()).toBe(true);
    expect((await Vault.open(path)).info().kdf.iterations).toBe(2);
    await expect(reopen(path, 'second')).resolves.toBeInstanceOf(Vault);
  });
});

describe('Vault formats it cannot read', () => {
  it('says a newer Fieldbench wrote the file, and leaves it alone', async () => {
    const { dir, path, vault } = await newVault();
    vault.lock();
    const bytes = await readFile(path);
    bytes.writeUInt16BE(2, 8);
    await writeFile(path, bytes);
    const before = await snapshotDir(dir);
    const err = await Vault.open(path).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'vault.newerFormat',
      message: 'This vault was written by a newer Fieldbench (format 2). Update Fieldbench to open it.',
    });
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('refuses a file that is not a vault at all', async () => {
    const dir = await temp.make();
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'hello, this is not a vault, just some text that is long enough to parse\n'.repeat(3));
    const err = await Vault.open(path).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'vault.corrupt' });
    expect((err as FieldbenchError).message).toContain(path);
  });

  // Issue 10 row 8: a folder is not a damaged vault (no backup to restore), it is the wrong path.
  it('refuses a folder at the vault path with a sentence, rather than crashing', async () => {
    const dir = await temp.make();
    expect(await codeOf(Vault.open(dir))).toBe('vault.notAFile');
  });

  it('removes temp files that an old crashed save left next to the vault', async () => {
    const { dir, path, vault } = await newVault();
    vault.lock();
    const leftover = join(dir, '.vault.fbv.0123456789abcdef.tmp');
    const fresh = join(dir, '.vault.fbv.bak.fedcba9876543210.tmp');
    const unrelated = join(dir, 'notes.tmp');
    for (const f of [leftover, fresh, unrelated]) await writeFile(f, 'x');
    const old = new Date(Date.now() - 3600_000);
    await utimes(leftover, old, old);
    await utimes(unrelated, old, old);
    await (await Vault.open(path)).unlock('correct horse');
    await new Promise((r) => setTimeout(r, 100));
    expect((await readdir(dir)).sort()).toEqual(['.vault.fbv.bak.fedcba9876543210.tmp', 'notes.tmp', 'vault.fbv']);
  });
});
