import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_MODE, createFreshFolder, openOwnFolder, writeInto, writeOnce } from '../../../src/main/services/exports/safe-write';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fb-safe-write-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('safe-write: every file Fieldbench writes is created, never reused or followed', () => {
  it('refuses a key file someone pre-created (0666) and leaves it empty', () => {
    const dir = temp();
    const planted = join(dir, 'client.key');
    writeFileSync(planted, '', { mode: 0o666 });
    chmodSync(planted, 0o666);
    expect(() => writeInto(dir, 'client.key', '-----BEGIN PRIVATE KEY-----\nsecret\n', SECRET_MODE)).toThrow(/already there/);
    expect(readFileSync(planted, 'utf8')).toBe('');
    expect(statSync(planted).mode & 0o777).toBe(0o666);
  });

  it('refuses a symlink in place of the CA file, dangling or not, and does not touch its target', () => {
    const dir = temp();
    const target = join(temp(), 'root-owned.conf');
    writeFileSync(target, 'original\n');
    symlinkSync(target, join(dir, 'ca.pem'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.pem'));
    expect(() => writeInto(dir, 'ca.pem', 'CERT', 0o644)).toThrow(/already there/);
    expect(() => writeInto(dir, 'dangling.pem', 'CERT', 0o644)).toThrow(/already there/);
    expect(readFileSync(target, 'utf8')).toBe('original\n');
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    expect(readlinkSync(join(dir, 'ca.pem'))).toBe(target);
  });

  it('writes keys 0600 whatever the umask, and refuses names that leave the folder', () => {
    const dir = temp();
    const old = process.umask(0);
    try {
      writeInto(dir, 'sub/key.pem', 'k', SECRET_MODE);
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'sub/key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(() => writeInto(dir, '../escape.pem', 'x', 0o644)).toThrow(/outside/);
  });

  it('exports go into a folder that must not exist yet, made owner-only', () => {
    const base = temp();
    const fresh = createFreshFolder(join(base, 'a', 'export'));
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(() => createFreshFolder(fresh)).toThrow(/already exists/);
    symlinkSync(temp(), join(base, 'link'));
    expect(() => createFreshFolder(join(base, 'link'))).toThrow(/already exists/);
  });

  it('reuses an own folder only when no one else can add names to it', () => {
    const base = temp();
    const own = join(base, 'own');
    mkdirSync(own, { mode: 0o755 });
    chmodSync(own, 0o755);
    expect(openOwnFolder(own)).toBe(own);
    const shared = join(base, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(() => openOwnFolder(shared)).toThrow(/other users/);
    symlinkSync(own, join(base, 'via-link'));
    expect(() => openOwnFolder(join(base, 'via-link'))).toThrow(/symbolic link/);
    expect(lstatSync(openOwnFolder(join(base, 'new'))).isDirectory()).toBe(true);
  });

  it('writeOnce leaves an identical earlier file alone and refuses a different one', () => {
    const dir = temp();
    expect(writeOnce(dir, 'a.key', 'same', SECRET_MODE).written).toBe(true);
    expect(writeOnce(dir, 'a.key', 'same', SECRET_MODE).written).toBe(false);
    expect(() => writeOnce(dir, 'a.key', 'other', SECRET_MODE)).toThrow(/already there/);
    writeFileSync(join(dir, 'b.key'), 'same', { mode: 0o666 });
    chmodSync(join(dir, 'b.key'), 0o666);
    expect(() => writeOnce(dir, 'b.key', 'same', SECRET_MODE)).toThrow(/already there/);
  });
});
