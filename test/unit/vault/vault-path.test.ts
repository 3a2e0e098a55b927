import { spawnSync } from 'node:child_process';
import { copyFile, lstat, mkdir, readdir, readlink, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldbenchError } from '../../../src/shared/errors';
import { Vault } from '../../../src/main/services/vault/vault';
import { VaultSession } from '../../../src/main/services/session/vault-session';
import { TempDirs, WEAK_KDF, sha256File } from '../../support/vault/vault-fixtures';

// Issue 10 row 8: a symlink as the vault path was replaced by a regular file on the first save (target
// left stale, `.bak` a symlink) and success reported; a FIFO as the vault path hung open(2) for 120 s.
const temp = new TempDirs();
afterEach(() => temp.cleanup());
const PASSWORD = 'correct horse';

async function refusal(p: Promise<unknown>): Promise<FieldbenchError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FieldbenchError);
  return err as FieldbenchError;
}

async function realVault() {
  const dir = await temp.make();
  const real = join(dir, 'real.fbv');
  const v = await Vault.create(real, PASSWORD, WEAK_KDF);
  await v.updateSection('pki', { n: 0 }, (d) => void (d.n = 1));
  v.lock();
  return { dir, real };
}

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

describe('vault paths that are not a regular file', () => {
  it('refuses a symlink before reading, names the real file, and changes neither the link nor the target', async () => {
    const { dir, real } = await realVault();
    const link = join(dir, 'link.fbv');
    await symlink(real, link);
    const before = await sha256File(real);
    const err = await refusal(Vault.open(link));
    expect(err.code).toBe('vault.notAFile');
    expect(err.message).toBe(`${link} is a symbolic link to ${real}, not the vault file itself, so Fieldbench left it alone: a save would replace the link rather than update the file. Point Fieldbench at the real file (--vault ${real}).`);

    const session = new VaultSession({ dataDir: dir, path: link, createOptions: WEAK_KDF });
    expect(session.status().exists).toBe(true);
    expect((await refusal(session.unlock(PASSWORD))).code).toBe('vault.notAFile');
    expect((await refusal(session.create(PASSWORD))).code).toBe('vault.notAFile');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(await sha256File(real)).toBe(before);
    expect((await readdir(dir)).sort()).toEqual(['link.fbv', 'real.fbv', 'real.fbv.bak']);
  });

  it('refuses a dangling symlink on create instead of writing through it', async () => {
    const dir = await temp.make();
    const link = join(dir, 'vault.fbv');
    await symlink(join(dir, 'elsewhere', 'target.fbv'), link);
    await mkdir(join(dir, 'elsewhere'));
    const err = await refusal(Vault.create(link, PASSWORD, WEAK_KDF));
    expect(err.code).toBe('vault.notAFile');
    expect(await readdir(join(dir, 'elsewhere'))).toEqual([]);
  });

  it('a symlink swapped in after unlock is refused at save: no write through it, the link stays a link', async () => {
    const { dir, real } = await realVault();
    const v = await Vault.open(real);
    await v.unlock(PASSWORD);
    const other = join(dir, 'other.fbv');
    await copyFile(real, other);
    await rename(real, join(dir, 'moved.fbv'));
    await symlink(other, real);
    const before = await sha256File(other);
    expect((await refusal(v.updateSection('pki', { n: 0 }, (d) => void (d.n = 2)))).code).toBe('vault.notAFile');
    expect((await lstat(real)).isSymbolicLink()).toBe(true);
    expect(await sha256File(other)).toBe(before);
    v.lock();
  });

  it.skipIf(!hasMkfifo)('refuses a FIFO at once instead of waiting for a writer', { timeout: 5000 }, async () => {
    const dir = await temp.make();
    const fifo = join(dir, 'vault.fbv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const err = await refusal(Vault.open(fifo));
    expect(err.code).toBe('vault.notAFile');
    expect(err.message).toBe(`${fifo} is a named pipe (FIFO), not a vault file, so Fieldbench left it alone. Point Fieldbench at the vault file itself (--vault PATH), or move the vault there.`);
    const session = new VaultSession({ dataDir: dir, path: fifo, createOptions: WEAK_KDF });
    expect((await refusal(session.unlock(PASSWORD))).code).toBe('vault.notAFile');
    expect((await refusal(session.create(PASSWORD))).code).toBe('vault.notAFile');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('refuses a folder and a device', async () => {
    const dir = await temp.make();
    const folder = join(dir, 'vault.fbv');
    await mkdir(folder);
    expect((await refusal(Vault.open(folder))).message).toMatch(/ is a folder, not a vault file/);
    expect((await refusal(Vault.create(folder, PASSWORD, WEAK_KDF))).code).toBe('vault.notAFile');
    expect((await refusal(Vault.open('/dev/null'))).message).toMatch(/^\/dev\/null is a device, not a vault file/);
  });
});
