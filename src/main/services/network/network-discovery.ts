import { FieldbenchError } from '@shared/errors';
import type { InterfaceInfo, NetworkSnapshot } from '@shared/contract/network-contract';
import type { NodeShell } from './node-shell';
import { isShellError } from './shell-errors';
import { dhcp4Of, interfacesIn, netplanOrder, parseNetplanFile, type NetplanFile, type ParsedNetplanFile } from './netplan-config';

// One round trip for everything a plain user may read; sections are marked so one missing tool does not
// hide the rest. `ip -j` exists since iproute2 4.14 (Ubuntu 18.04+).
const DISCOVER_SCRIPT = [
  "printf '@@hostname\\n'; hostname 2>/dev/null || cat /etc/hostname 2>/dev/null",
  "printf '@@link\\n'; ip -j -d link show 2>/dev/null",
  "printf '@@addr\\n'; ip -j addr show 2>/dev/null",
  "printf '@@route\\n'; ip -j -4 route show table main 2>/dev/null",
  `printf '@@ssh\\n'; printf '%s\\n' "$SSH_CONNECTION"`,
  "printf '@@resolvectl\\n'; command -v resolvectl >/dev/null 2>&1 && { resolvectl dns 2>/dev/null; printf '@@resolvectl-domain\\n'; resolvectl domain 2>/dev/null; }",
  "printf '@@resolvconf\\n'; cat /etc/resolv.conf 2>/dev/null",
  "printf '@@netplan\\n'; { command -v netplan || ls /usr/sbin/netplan /sbin/netplan; } 2>/dev/null | head -n 1",
  "printf '@@end\\n'",
].join('; ');

/** Files in /etc/netplan with their mode, base64 so any byte survives. Needs root: they are mode 600. */
export const READ_NETPLAN_SCRIPT =
  'for f in /etc/netplan/*.yaml; do [ -f "$f" ] || continue; printf \'@@file %s %s\\n\' "$(stat -c %a "$f")" "$f"; base64 < "$f"; done; printf \'@@end\\n\'';

export function splitSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | undefined;
  let buf: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^@@([a-z-]+)$/.exec(line);
    if (m) {
      if (name) sections.set(name, buf.join('\n'));
      name = m[1];
      buf = [];
    } else buf.push(line);
  }
  if (name && name !== 'end') sections.set(name, buf.join('\n'));
  return sections;
}

export function parseNetplanDump(text: string): NetplanFile[] {
  const files: NetplanFile[] = [];
  const re = /^@@file (\d+) (.+)$/;
  let current: { path: string; mode: string; b64: string[] } | undefined;
  const flush = () => {
    if (current) files.push({ path: current.path, mode: current.mode, text: Buffer.from(current.b64.join(''), 'base64').toString('utf8') });
  };
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (m) {
      flush();
      current = { mode: m[1]!, path: m[2]!, b64: [] };
    } else if (line === '@@end') {
      flush();
      current = undefined;
    } else if (current) current.b64.push(line.trim());
  }
  flush();
  return files.sort((a, b) => netplanOrder(a.path, b.path));
}

function json<T>(text: string | undefined): T[] {
  if (!text?.trim()) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

interface IpLink {
  ifname: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  linkinfo?: { info_kind?: string };
}
interface IpAddr {
  ifname: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string; dynamic?: boolean }>;
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
}

function kindOf(link: IpLink): InterfaceInfo['kind'] {
  if (link.link_type === 'loopback') return 'loopback';
  const k = link.linkinfo?.info_kind;
  if (k === 'bridge' || k === 'bond' || k === 'vlan') return k;
  if (k) return 'virtual';
  if (/^(wl|wlan)/.test(link.ifname)) return 'wireless';
  return link.link_type === 'ether' ? 'ethernet' : 'other';
}

export function parseDnsFromResolvectl(dns: string, domains: string): { servers: string[]; search: string[] } {
  const words = (text: string) =>
    text
      .split('\n')
      .flatMap((l) => (l.includes(':') ? l.slice(l.indexOf(':') + 1) : '').trim().split(/\s+/))
      .filter(Boolean);
  return { servers: [...new Set(words(dns))], search: [...new Set(words(domains).filter((d) => d !== '~.'))] };
}

export function parseResolvConf(text: string): { servers: string[]; search: string[] } {
  const servers: string[] = [];
  const search: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) servers.push(rest[0]);
    if ((key === 'search' || key === 'domain') && rest.length) search.push(...rest);
  }
  return { servers, search };
}

/** Builds the snapshot from the discovery output and the netplan files (when they could be read). */
export function buildSnapshot(input: { host: string; hostKeyFingerprint?: string | undefined; output: string; netplanFiles: NetplanFile[] | null; netplanNote?: string }): NetworkSnapshot {
  const s = splitSections(input.output);
  const links = json<IpLink>(s.get('link'));
  const addrs = json<IpAddr>(s.get('addr'));
  const routes = json<IpRoute>(s.get('route'));
  const sshServer = (s.get('ssh') ?? '').trim().split(/\s+/)[2];
  const defaults = routes.filter((r) => r.dst === 'default').sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
  const def = defaults[0];
  const parsed: ParsedNetplanFile[] = (input.netplanFiles ?? []).map(parseNetplanFile);

  const interfaces: InterfaceInfo[] = links.map((l) => {
    const info = addrs.find((a) => a.ifname === l.ifname)?.addr_info ?? [];
    const addresses = info
      .filter((a) => a.family === 'inet' || a.family === 'inet6')
      .map((a) => ({ address: a.local, prefix: a.prefixlen, family: a.family as 'inet' | 'inet6', dynamic: a.dynamic === true, scope: a.scope ?? 'global' }));
    const mac = l.link_type === 'ether' ? l.address : undefined;
    const configuredBy = parsed.filter((f) => interfacesIn(f, [{ name: l.ifname, mac }]).includes(l.ifname)).map((f) => f.path);
    const dhcp4 = dhcp4Of(parsed, l.ifname, mac);
    const gw = defaults.find((r) => r.dev === l.ifname)?.gateway;
    return {
      name: l.ifname,
      kind: kindOf(l),
      ...(mac ? { mac } : {}),
      ...(l.mtu ? { mtu: l.mtu } : {}),
      state: l.operstate ?? 'UNKNOWN',
      up: (l.flags ?? []).includes('UP'),
      carrier: (l.flags ?? []).includes('LOWER_UP'),
      addresses,
      hasDefaultRoute: defaults.some((r) => r.dev === l.ifname),
      ...(gw ? { gateway: gw } : {}),
      connectedVia: sshServer !== undefined && addresses.some((a) => a.address === sshServer),
      configuredBy,
      ...(dhcp4 !== undefined ? { dhcp4 } : {}),
    };
  });

  const resolved = s.has('resolvectl') && (s.get('resolvectl') ?? '').trim() !== '' ? parseDnsFromResolvectl(s.get('resolvectl') ?? '', s.get('resolvectl-domain') ?? '') : undefined;
  const conf = parseResolvConf(s.get('resolvconf') ?? '');
  const dns = resolved && resolved.servers.length > 0
    ? { ...resolved, source: 'resolvectl' as const }
    : conf.servers.length > 0 || conf.search.length > 0
      ? { ...conf, source: 'resolv.conf' as const }
      : { servers: [], search: [], source: 'none' as const };

  const suggested = interfaces.find((i) => i.connectedVia) ?? interfaces.find((i) => i.hasDefaultRoute) ?? interfaces.find((i) => i.kind === 'ethernet');
  const v4 = suggested?.addresses.find((a) => a.family === 'inet' && a.scope === 'global');
  const realDns = dns.servers.filter((d) => !d.startsWith('127.'));
  return {
    host: input.host,
    ...(input.hostKeyFingerprint ? { hostKeyFingerprint: input.hostKeyFingerprint } : {}),
    hostname: (s.get('hostname') ?? '').trim().split('\n')[0] ?? '',
    interfaces,
    ...(def?.dev ? { defaultRoute: { interface: def.dev, ...(def.gateway ? { gateway: def.gateway } : {}) } } : {}),
    dns,
    netplan: {
      available: (s.get('netplan') ?? '').trim() !== '',
      readable: input.netplanFiles !== null,
      files: parsed.map((f) => ({
        path: f.path,
        ...(f.mode ? { mode: f.mode } : {}),
        interfaces: interfacesIn(f, interfaces.map((i) => ({ name: i.name, mac: i.mac }))),
        ...(f.renderer ? { renderer: f.renderer } : {}),
        ...(f.parseError ? { parseError: f.parseError } : {}),
      })),
      ...(input.netplanNote ? { note: input.netplanNote } : {}),
    },
    ...(suggested ? { suggestedInterface: suggested.name } : {}),
    ...(suggested && v4
      ? {
          suggestedSettings: {
            interface: suggested.name,
            address: `${v4.address}/${v4.prefix}`,
            ...(suggested.gateway ? { gateway: suggested.gateway } : {}),
            ...(realDns.length ? { dns: realDns } : {}),
            ...(dns.search.length ? { search: dns.search } : {}),
          },
        }
      : {}),
  };
}

/** Reads /etc/netplan as root; null with a sentence when sudo is not possible. */
export async function readNetplanFiles(shell: NodeShell, signal?: AbortSignal): Promise<{ files: NetplanFile[] | null; note?: string }> {
  try {
    const res = await shell.exec(READ_NETPLAN_SCRIPT, { sudo: true, ...(signal ? { signal } : {}) });
    if (res.code !== 0) return { files: null, note: `Reading /etc/netplan failed: ${res.stderr.trim().slice(0, 200)}` };
    return { files: parseNetplanDump(res.stdout) };
  } catch (err) {
    if (isShellError(err, 'noSudo') || isShellError(err, 'sudoRefused') || isShellError(err, 'sudoPasswordNeeded')) {
      return { files: null, note: `${(err as Error).message} The netplan files are readable by root only.` };
    }
    throw err;
  }
}

/** Interfaces, routes, DNS and netplan files of the node behind the shell. */
export async function discoverNetwork(shell: NodeShell, signal?: AbortSignal): Promise<NetworkSnapshot & { files: NetplanFile[] | null }> {
  const res = await shell.exec(DISCOVER_SCRIPT, signal ? { signal } : {});
  if (!res.stdout.includes('@@end')) {
    throw new FieldbenchError('network.discoverFailed', `Fieldbench could not read the network settings of ${shell.host}. The node said: ${res.stderr.trim().slice(0, 200) || 'nothing'}.`);
  }
  if (!splitSections(res.stdout).get('link')?.trim()) {
    throw new FieldbenchError('network.noIpJson', `${shell.host} has no \`ip -j\` (iproute2 older than 4.14). Fieldbench needs a current iproute2 to read the interfaces.`);
  }
  const { files, note } = await readNetplanFiles(shell, signal);
  const snapshot = buildSnapshot({ host: shell.host, hostKeyFingerprint: shell.hostKeyFingerprint, output: res.stdout, netplanFiles: files, ...(note ? { netplanNote: note } : {}) });
  return { ...snapshot, files };
}
