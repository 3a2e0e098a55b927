import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Availability = { ok: true } | { ok: false; reason: string };

export function findOnPath(name: string, extra: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin', ...extra];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const SSHD_PATH = '/usr/sbin/sshd';
export const NETWORKD_PATH = '/lib/systemd/systemd-networkd';

/**
 * Says whether the edge test host can start here, and if not, why, in words a skipped test can print.
 * Checks only what startEdgeHost itself needs; `networkd` adds the netplan/networkd stretch.
 */
export function edgeHostAvailability(opts: { networkd?: boolean } = {}): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'the edge test host needs Linux network namespaces' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'the edge test host needs root (network namespaces, bind mounts)' };
  }
  const tools: Array<[string, string]> = [
    ['ip', 'iproute2'],
    ['nsenter', 'util-linux'],
    ['unshare', 'util-linux'],
    ['ssh-keygen', 'openssh-client'],
    ['openssl', 'openssl'],
    ['sudo', 'sudo'],
  ];
  for (const [tool, pkg] of tools) {
    if (!findOnPath(tool)) return { ok: false, reason: `\`${tool}\` is missing (apt-get install ${pkg})` };
  }
  if (!isExecutable(SSHD_PATH)) {
    return { ok: false, reason: `${SSHD_PATH} is missing (apt-get install openssh-server)` };
  }
  if (opts.networkd) {
    if (!findOnPath('netplan')) return { ok: false, reason: '`netplan` is missing (apt-get install netplan.io)' };
    if (!isExecutable(NETWORKD_PATH)) {
      return { ok: false, reason: `${NETWORKD_PATH} is missing (it comes with systemd / netplan.io)` };
    }
  }
  return { ok: true };
}
