import { constants, lstatSync, type Stats } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { FieldbenchError } from '@shared/errors';
import { vaultErrors } from './vault-errors';

/*
 * The vault path must name a regular file. A symlink would be replaced by the first save (rename swaps
 * the name, not the target) and its `.bak` would be a link too; a FIFO blocks open(2) until a writer
 * appears; a directory or device is never a vault. So the name is looked at with lstat before anything
 * is opened, and the open itself refuses to follow a link or to wait (O_NOFOLLOW | O_NONBLOCK), which
 * also closes the window between the lstat and the open.
 */

/** 'absent' when nothing is at `path`; throws 'vault.notAFile' for anything but a regular file. */
export async function vaultPathState(path: string): Promise<'file' | 'absent'> {
  let s: Stats;
  try {
    s = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    // Other errno errors (EACCES, ENOTDIR) go up raw: reading and saving word them differently.
    throw err;
  }
  if (s.isFile()) return 'file';
  throw await notAFile(path, s);
}

/** Synchronous "is anything at this name", without following a link (existsSync follows it). */
export function vaultPathTaken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const NOFOLLOW_NONBLOCK = process.platform === 'win32' ? 0 : constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens the vault for reading; never follows a link, never blocks on a FIFO or device. */
export async function openVaultFile(path: string): Promise<{ fh: FileHandle; stats: Stats }> {
  let fh: FileHandle;
  try {
    if ((await vaultPathState(path)) === 'absent') throw vaultErrors.notFound(path);
    fh = await open(path, constants.O_RDONLY | NOFOLLOW_NONBLOCK);
  } catch (err) {
    if (err instanceof FieldbenchError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw vaultErrors.notFound(path, err);
    // ELOOP: the name became a symlink after the lstat above.
    if (code === 'ELOOP') throw await notAFile(path, await lstat(path).catch(() => undefined));
    throw vaultErrors.unreadable(path, err);
  }
  const stats = await fh.stat();
  if (!stats.isFile()) {
    await fh.close();
    throw await notAFile(path, stats);
  }
  return { fh, stats };
}

async function notAFile(path: string, s: Stats | undefined) {
  if (s?.isSymbolicLink()) return vaultErrors.notAFile(path, 'a symbolic link', await realpath(path).catch(() => undefined));
  const kind = !s ? 'not a regular file' : s.isFIFO() ? 'a named pipe (FIFO)' : s.isDirectory() ? 'a folder' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : 'not a regular file';
  return vaultErrors.notAFile(path, kind);
}
