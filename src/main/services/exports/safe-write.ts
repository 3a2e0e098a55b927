import { closeSync, constants, fchmodSync, fsyncSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { FieldbenchError } from '@shared/errors';

/** Private keys, PKCS#12 archives, anything secret: owner only. */
export const SECRET_MODE = 0o600;
/** Certificates and other public material. */
export const PUBLIC_MODE = 0o644;

// O_EXCL makes create fail on any existing name, including a dangling symlink; O_NOFOLLOW also refuses a
// symlink as the last component where O_EXCL alone is not honoured (some network file systems).
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function refuseExisting(path: string, cause: unknown): FieldbenchError {
  return new FieldbenchError(
    'files.exists',
    `Fieldbench did not write ${path}: something with that name is already there (a file or a link), and writing into it could hand its contents to whoever made it or overwrite what it points to. Choose a new, empty folder.`,
    { cause },
  );
}

function writeFailed(path: string, cause: unknown): FieldbenchError {
  return new FieldbenchError('files.writeFailed', `Fieldbench could not write ${path}. Check that the folder exists and that you may write there, then try again.`, { cause });
}

/**
 * Creates a folder that must not exist yet (its parents are created as needed), owner-only. A fresh
 * folder is the only place where no one else can have prepared a file or a link under a name we use.
 */
export function createFreshFolder(path: string): string {
  const dir = resolve(path);
  try {
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new FieldbenchError('files.folderExists', `${dir} already exists. Exports go into a new folder that Fieldbench creates itself, so nothing anyone prepared there can be read or followed; give a name that does not exist yet.`, { cause: err });
    }
    throw writeFailed(dir, err);
  }
  return dir;
}

/**
 * A folder to write into that may already exist (a connection's files folder reused between calls). An
 * existing one must be a real directory (not a link), owned by this user and not writable by others,
 * so no one else can add names to it; a missing one is created owner-only.
 */
export function openOwnFolder(path: string): string {
  const dir = resolve(path);
  let st;
  try {
    st = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return createFreshFolder(dir);
    throw writeFailed(dir, err);
  }
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new FieldbenchError('files.notAFolder', `${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}, so Fieldbench will not write into it. Give the path of a real folder, or a new name.`);
  }
  const uid = currentUid();
  if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new FieldbenchError(
      'files.folderShared',
      `${dir} can be written by other users (or belongs to someone else), so anyone could have prepared a file or link in it. Give a new folder name; Fieldbench creates it for you alone.`,
    );
  }
  return dir;
}

/** Creates the folders above a file that will itself be created exclusively. */
export function ensureParentFolder(path: string): void {
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
  } catch (err) {
    throw writeFailed(dirname(resolve(path)), err);
  }
}

/** Resolves a relative name inside a folder; refuses anything that would land outside it. */
export function inside(folder: string, name: string): string {
  const full = resolve(folder, name);
  const rel = relative(folder, full);
  if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`) || resolve(folder, rel) !== full) {
    throw new FieldbenchError('files.badName', `The file name ${name} would land outside ${folder}. This is a bug in the export; please report it.`);
  }
  return full;
}

/** Creates the sub-folders of `name` inside `folder`, each new and owner-only (never following a link). */
function ensureSubfolders(folder: string, name: string): void {
  const parts = relative(folder, dirname(inside(folder, name))).split(sep).filter(Boolean);
  let cur = folder;
  for (const part of parts) {
    cur = join(cur, part);
    try {
      mkdirSync(cur, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailed(cur, err);
      const st = lstatSync(cur);
      if (st.isSymbolicLink() || !st.isDirectory()) throw refuseExisting(cur, err);
    }
  }
}

/**
 * Writes a new file: created exclusively (never an existing file, never through a link), with `mode` set
 * on the open descriptor whatever the umask, flushed to disk before returning.
 */
export function writeNewFile(path: string, data: string | Uint8Array, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, CREATE_FLAGS, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') throw refuseExisting(path, err);
    throw writeFailed(path, err);
  }
  try {
    fchmodSync(fd, mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    throw writeFailed(path, err);
  } finally {
    closeSync(fd);
  }
}

/** Writes `name` inside `folder` (sub-folders made as needed), exclusively. Returns the full path. */
export function writeInto(folder: string, name: string, data: string | Uint8Array, mode: number): string {
  const path = inside(folder, name);
  ensureSubfolders(folder, name);
  writeNewFile(path, data, mode);
  return path;
}

/**
 * Like writeInto, but an identical file Fieldbench wrote before (regular, this user's, one link, the same
 * mode and bytes) is left as it is: calling twice with the same folder is not an error. Anything else
 * under that name is refused, never overwritten.
 */
export function writeOnce(folder: string, name: string, data: string | Uint8Array, mode: number): { path: string; written: boolean } {
  const path = inside(folder, name);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { path: writeInto(folder, name, bytes, mode), written: true };
  }
  const uid = currentUid();
  const same =
    st.isFile() && st.nlink === 1 && (st.mode & 0o777) === mode && (uid === undefined || st.uid === uid) && st.size === bytes.length && sameBytes(path, bytes);
  if (!same) throw refuseExisting(path, undefined);
  return { path, written: false };
}

function sameBytes(path: string, bytes: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    return readFileSync(fd).equals(bytes);
  } finally {
    closeSync(fd);
  }
}
