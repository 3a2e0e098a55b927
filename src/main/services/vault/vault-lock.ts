import { constants } from 'node:fs';
import { open, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { lock } from 'proper-lockfile';
import { vaultErrors } from './vault-errors';

/**
 * How long a save waits for other Fieldbench processes' saves. One holds the lock only for its compare,
 * write, fsync and rename (milliseconds), so this is ample even with dozens queued.
 */
const WAIT_MS = 30_000;
/**
 * A lock not refreshed for this long is taken over (proper-lockfile refreshes it every stale/2 while
 * held). A holder known to be dead is taken over at once, see takeOverIfOwnerDead.
 */
const STALE_MS = 15_000;

const lockDir = (path: string) => `${path}.lock`;
const ownerFile = (path: string) => `${path}.lock.owner`;
const NOFOLLOW = process.platform === 'win32' ? 0 : constants.O_NOFOLLOW;

/**
 * Runs `critical` while holding `<vault>.lock` (proper-lockfile: a folder, since mkdir is atomic on every
 * local and network file system, which O_EXCL files are not everywhere). Two processes saving the same
 * vault therefore compare and rename one after the other, never interleaved.
 */
export async function withVaultLock<T>(path: string, critical: () => Promise<T>): Promise<T> {
  let compromised: Error | undefined;
  const deadline = Date.now() + WAIT_MS;
  let delay = 5;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lock(path, {
        realpath: false,
        lockfilePath: lockDir(path),
        stale: STALE_MS,
        // The default throws from a timer, which would crash the process; the save reports it instead.
        onCompromised: (err) => {
          compromised = err;
        },
      });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw vaultErrors.saveFailed(path, err);
      if (await takeOverIfOwnerDead(path)) continue;
      if (Date.now() >= deadline) throw vaultErrors.busy(path);
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      delay = Math.min(200, delay * 1.5);
    }
  }
  try {
    await recordOwner(path).catch(() => undefined); // without it a crash costs STALE_MS, nothing worse
    const result = await critical();
    if (compromised) throw vaultErrors.saveFailed(path, compromised);
    return result;
  } finally {
    await unlink(ownerFile(path)).catch(() => undefined);
    await release().catch(() => undefined);
  }
}

/** Host, pid and the lock folder's inode, so a waiter can tell a crashed holder from a slow one. */
async function recordOwner(path: string): Promise<void> {
  const { ino } = await stat(lockDir(path));
  const fh = await open(ownerFile(path), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, 0o600);
  try {
    await fh.writeFile(`${hostname()} ${process.pid} ${ino}\n`);
  } finally {
    await fh.close();
  }
}

/**
 * A process killed inside its save (SIGKILL, power cut of a VM) leaves the lock folder behind. When the
 * owner file names a process on this host that no longer exists, and it was written for this very lock
 * folder (same inode, written after the folder was made; an older owner file from a previous crash
 * does not count), the lock is removed at once instead of after STALE_MS. Anything uncertain — another
 * host, a live or foreign pid, no owner file yet — leaves it to proper-lockfile's staleness check.
 */
async function takeOverIfOwnerDead(path: string): Promise<boolean> {
  try {
    const [owner, dir] = await Promise.all([open(ownerFile(path), constants.O_RDONLY | NOFOLLOW), stat(lockDir(path))]);
    let text: string;
    let ownerMtime: number;
    try {
      ownerMtime = (await owner.stat()).mtimeMs;
      text = await owner.readFile('utf8');
    } finally {
      await owner.close();
    }
    const [host, pid, ino] = text.trim().split(' ');
    if (host !== hostname() || ino !== String(dir.ino) || ownerMtime < dir.mtimeMs || !isDead(Number(pid))) return false;
    await rmdir(lockDir(path));
    await unlink(ownerFile(path)).catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

function isDead(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: alive, just another user's.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
