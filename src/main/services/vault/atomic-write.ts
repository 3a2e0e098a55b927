import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Before replacing the file, keep the current one here (one rolling backup). */
  backupPath?: string;
  /** Fail with EEXIST instead of replacing an existing file (used on create). */
  exclusive?: boolean;
  /** File mode for a new file. */
  mode?: number;
}

/**
 * Replaces `path` with `data` so that after a crash at any instant the file holds either the old or the
 * new content, never a mix: write a temp file in the same folder (rename is only atomic within one file
 * system), fsync it, rename it over the target, then fsync the folder so the rename itself is durable.
 *
 * The backup is made by hard-linking the current file to a temp name and renaming that over the backup:
 * the backup therefore always holds a complete earlier file, and the main file is never absent, not even
 * for an instant. File systems without hard links (FAT on a USB stick) fall back to a copy.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = tempPath(path, '');
  const fh = await open(tmp, 'wx', options.mode ?? 0o600);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.backupPath !== undefined && !options.exclusive) await rotateBackup(path, options.backupPath);
    if (options.exclusive) {
      await placeExclusive(tmp, path);
    } else {
      await rename(tmp, path);
    }
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDirectory(dir);
}

// link() refuses to replace an existing name, so two creates racing for one path cannot both win. Without
// hard links (FAT) the best left is a check just before the rename.
async function placeExclusive(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    const taken = await access(path, constants.F_OK).then(
      () => true,
      () => false,
    );
    if (taken) throw Object.assign(new Error(`EEXIST: file already exists, '${path}'`), { code: 'EEXIST' });
    await rename(tmp, path);
    return;
  }
  await unlink(tmp);
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EXDEV', 'EMLINK', 'ENOSYS']);

async function rotateBackup(path: string, backupPath: string): Promise<void> {
  const tmp = tempPath(path, 'bak.');
  try {
    await link(path, tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // nothing to back up yet
    if (!NO_HARD_LINKS.has(code ?? '')) throw err;
    try {
      await copyFile(path, tmp, constants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw copyErr;
    }
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  try {
    await rename(tmp, backupPath);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Temp names start with a dot and end in .tmp so they are hidden and easy to recognise as leftovers. */
function tempPath(path: string, infix: string): string {
  return join(dirname(path), `.${basename(path)}.${infix}${randomBytes(8).toString('hex')}.tmp`);
}

/** Matches the temp files writeFileAtomic leaves behind if the process dies mid-save. */
export function isAtomicWriteLeftover(targetPath: string, name: string): boolean {
  const base = basename(targetPath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${base}\\.(bak\\.)?[0-9a-f]{16}\\.tmp$`).test(name);
}

async function fsyncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // The rename has already happened, so failing the save now would only make memory and disk disagree.
    // Windows cannot open or fsync a directory (NTFS journals the rename itself); some network and FUSE
    // file systems refuse fsync on directories.
    const code = (err as NodeJS.ErrnoException).code;
    if (process.platform !== 'win32' && code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    await fh?.close();
  }
}
