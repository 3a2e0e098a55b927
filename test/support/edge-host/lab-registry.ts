import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bookkeeping shared by every lab instance on this machine, so that a test worker that crashed (or was
 * killed by a timeout) does not leave namespaces, routes, temp folders or brokers behind for the next run.
 *
 * Several test workers (and several engineers) run labs at the same time, so "leftover" strictly means
 * "owned by a process that no longer exists": names and records carry the owner's pid.
 */

/** /run is a tmpfs: a reboot clears the records together with the namespaces they describe. */
export const LAB_STATE_DIR = '/run/fieldbench-lab';
const EDGE_DIR = join(LAB_STATE_DIR, 'edge');
const SUBNET_DIR = join(LAB_STATE_DIR, 'subnets');
const PROC_DIR = join(LAB_STATE_DIR, 'processes');

export const NETNS_PREFIX = 'fbedge-';

export interface EdgeHostRecord {
  name: string;
  ownerPid: number;
  hostInterface: string;
  root: string;
  subnets: number[];
  /** `ip route` specs added in the root namespace, removed again on destroy. */
  routes: string[][];
}

export interface ProcessRecord {
  ownerPid: number;
  pid: number;
  /** A string that must appear in /proc/<pid>/cmdline, so a recycled pid is never killed. */
  cmdlineMarker: string;
  root?: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function ipQuiet(args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** False when /run is not writable (not root): the loopback broker lab still works, without crash records. */
function ensureDirs(): boolean {
  try {
    for (const d of [EDGE_DIR, SUBNET_DIR, PROC_DIR]) mkdirSync(d, { recursive: true, mode: 0o700 });
    return true;
  } catch {
    return false;
  }
}

export function writeEdgeRecord(rec: EdgeHostRecord): void {
  ensureDirs();
  writeFileSync(join(EDGE_DIR, `${rec.name}.json`), JSON.stringify(rec));
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Claims 10.231.<n>.0/24 for this process. The lock is a file created with O_EXCL; a lock whose owner
 * died is taken over. `isFree` lets the caller reject subnets the machine already uses.
 */
export function claimSubnet(owner: string, isFree: (n: number) => boolean): number {
  ensureDirs();
  const start = 1 + Math.floor(Math.random() * 250);
  for (let i = 0; i < 250; i++) {
    const n = 1 + ((start + i) % 250);
    const path = join(SUBNET_DIR, String(n));
    const lock = readJson<{ pid: number }>(path);
    if (lock && isAlive(lock.pid)) continue;
    if (lock) rmSync(path, { force: true });
    try {
      writeFileSync(path, JSON.stringify({ pid: process.pid, owner }), { flag: 'wx' });
    } catch {
      continue; // another process won the race for this one
    }
    if (isFree(n)) return n;
    rmSync(path, { force: true });
  }
  throw new Error('No free 10.231.<n>.0/24 test subnet is left; earlier lab instances may still be running.');
}

export function releaseSubnet(n: number): void {
  const path = join(SUBNET_DIR, String(n));
  const lock = readJson<{ pid: number }>(path);
  if (lock && lock.pid === process.pid) rmSync(path, { force: true });
}

function killAllInNetns(name: string): void {
  const list = () =>
    ipQuiet(['netns', 'pids', name])
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((p) => p !== process.pid);
  let pids = list();
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        /* already gone */
      }
    }
    for (let i = 0; i < 40 && pids.length > 0; i++) {
      sleepSync(50);
      pids = list();
    }
    if (pids.length === 0) return;
  }
}

/**
 * Tears down everything an edge host made. Synchronous on purpose: it also runs from process 'exit'
 * handlers, where nothing asynchronous gets to finish.
 */
export function destroyEdgeHostSync(rec: Pick<EdgeHostRecord, 'name' | 'hostInterface' | 'routes' | 'subnets'> & {
  root?: string;
  ownerPid?: number;
}): void {
  killAllInNetns(rec.name);
  ipQuiet(['netns', 'del', rec.name]);
  // Deleting the namespace normally takes the veth pair with it; this is for a half-built instance.
  if (rec.hostInterface) ipQuiet(['link', 'del', rec.hostInterface]);
  for (const r of rec.routes) ipQuiet(['route', 'del', ...r]);
  for (const n of rec.subnets) {
    const path = join(SUBNET_DIR, String(n));
    const lock = readJson<{ pid: number }>(path);
    if (lock && (lock.pid === (rec.ownerPid ?? process.pid) || !isAlive(lock.pid))) rmSync(path, { force: true });
  }
  if (rec.root && rec.root.startsWith('/tmp/fbedge-')) rmSync(rec.root, { recursive: true, force: true });
  rmSync(join(EDGE_DIR, `${rec.name}.json`), { force: true });
}

export function registerProcess(rec: ProcessRecord): string | undefined {
  if (!ensureDirs()) return undefined;
  const path = join(PROC_DIR, `${rec.ownerPid}-${rec.pid}.json`);
  writeFileSync(path, JSON.stringify(rec));
  return path;
}

export function unregisterProcess(path: string): void {
  rmSync(path, { force: true });
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Removes everything left by lab owners that no longer run. Cheap enough to call before every start. */
export function cleanupStale(): void {
  if (!ensureDirs()) return;
  for (const file of readdirSync(EDGE_DIR)) {
    const rec = readJson<EdgeHostRecord>(join(EDGE_DIR, file));
    if (!rec) {
      rmSync(join(EDGE_DIR, file), { force: true });
      continue;
    }
    if (!isAlive(rec.ownerPid)) destroyEdgeHostSync(rec);
  }
  // Namespaces without a record (a crash between creating the namespace and writing the record).
  for (const line of ipQuiet(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^fbedge-(\d+)-[0-9a-f]+$/.exec(name);
    if (m && !isAlive(Number(m[1]))) destroyEdgeHostSync({ name, hostInterface: '', routes: [], subnets: [] });
  }
  for (const file of readdirSync(SUBNET_DIR)) {
    const lock = readJson<{ pid: number }>(join(SUBNET_DIR, file));
    if (!lock || !isAlive(lock.pid)) rmSync(join(SUBNET_DIR, file), { force: true });
  }
  for (const file of readdirSync(PROC_DIR)) {
    const rec = readJson<ProcessRecord>(join(PROC_DIR, file));
    if (rec && isAlive(rec.ownerPid)) continue;
    if (rec && cmdlineOf(rec.pid).includes(rec.cmdlineMarker)) {
      try {
        process.kill(rec.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (rec?.root && rec.root.startsWith('/tmp/fb')) rmSync(rec.root, { recursive: true, force: true });
    rmSync(join(PROC_DIR, file), { force: true });
  }
}

const exitCleanups = new Set<() => void>();
let hooksInstalled = false;

function runExitCleanups(): void {
  for (const fn of [...exitCleanups]) {
    try {
      fn();
    } catch {
      /* best effort while exiting */
    }
  }
  exitCleanups.clear();
}

/**
 * Registers a synchronous cleanup for process exit (normal exit and SIGINT/SIGTERM/SIGHUP). Returns the
 * function that unregisters it once the instance was stopped normally.
 */
export function onProcessExit(fn: () => void): () => void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.once('exit', runExitCleanups);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const handler = () => {
        runExitCleanups();
        process.removeListener(sig, handler);
        // Re-raise so the process still dies of the signal as it would have without us.
        process.kill(process.pid, sig);
      };
      process.on(sig, handler);
    }
  }
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}
