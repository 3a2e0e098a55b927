import { createTwoFilesPatch } from 'diff';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { Finding, NetplanPlan, NetworkSettings, NetworkSnapshot } from '@shared/contract/network-contract';
import { broadcastOf, formatIpv4, inSubnet, isIpLiteral, isLinkLocalIpv4, networkOf, parseIpv4, parseIpv4Cidr, specialIpv4, subnetText } from './ipv4';
import { netplanOrder, parseNetplanFile, stanzasFor, type NetplanFile } from './netplan-config';

const DOMAIN_RE = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const IFACE_RE = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** Trims and drops empty entries so a form's blank rows do not count. */
export function normalizeSettings(s: NetworkSettings): NetworkSettings {
  const list = (l: string[] | undefined) => (l === undefined ? undefined : l.map((x) => x.trim()).filter((x) => x !== ''));
  const dns = list(s.dns);
  const search = list(s.search);
  const gateway = s.gateway?.trim();
  return {
    interface: s.interface.trim(),
    address: s.address.trim(),
    ...(gateway ? { gateway } : {}),
    ...(dns !== undefined ? { dns } : {}),
    ...(search !== undefined ? { search } : {}),
  };
}

/**
 * Local checks of the form, each a sentence tied to its field. With a snapshot they also know the node's
 * interfaces and the addresses already in use there.
 */
export function checkSettings(raw: NetworkSettings, snapshot?: Pick<NetworkSnapshot, 'interfaces'>): Finding[] {
  const s = normalizeSettings(raw);
  const out: Finding[] = [];
  const err = (field: Finding['field'], code: string, message: string) => out.push({ field, severity: 'error', code, message });
  const warn = (field: Finding['field'], code: string, message: string) => out.push({ field, severity: 'warning', code, message });

  if (!IFACE_RE.test(s.interface)) err('interface', 'network.badInterface', `"${s.interface}" is not an interface name. Choose one of the node's interfaces.`);
  const iface = snapshot?.interfaces.find((i) => i.name === s.interface);
  if (snapshot && IFACE_RE.test(s.interface) && !iface) {
    err('interface', 'network.unknownInterface', `The node has no interface "${s.interface}". It has ${snapshot.interfaces.map((i) => i.name).join(', ') || 'none'}.`);
  }
  if (iface?.kind === 'loopback') err('interface', 'network.loopback', `${iface.name} is the loopback interface. Choose the network card the node is cabled with.`);
  else if (iface && !iface.carrier) warn('interface', 'network.noCarrier', `${iface.name} has no link (no cable or the switch port is off). The address will only work once it is connected.`);

  const cidr = parseIpv4Cidr(s.address);
  if (s.address === '') err('address', 'network.addressMissing', 'Enter the address with its prefix length, for example 192.168.2.196/24.');
  else if (!cidr) {
    if (s.address.includes(':')) err('address', 'network.ipv6', `${s.address} is an IPv6 address. Fieldbench sets static IPv4 addresses; leave IPv6 to the router (SLAAC) or edit netplan by hand.`);
    else if (parseIpv4(s.address) !== null) err('address', 'network.noPrefix', `Add the prefix length to ${s.address}, for example ${s.address}/24 (a 255.255.255.0 netmask).`);
    else err('address', 'network.badAddress', `"${s.address}" is not an IPv4 address with a prefix. Write it as four numbers 0–255 and a prefix, for example 192.168.2.196/24.`);
  } else {
    const special = specialIpv4(cidr.value);
    if (special) err('address', 'network.specialAddress', `${cidr.address} is ${special}; a node cannot use it. Choose an address of the site's network.`);
    if (cidr.prefix === 0 || cidr.prefix === 32) {
      err('address', 'network.badPrefix', `/${cidr.prefix} leaves no network to share with a gateway. Use the site's prefix, usually /24.`);
    } else if (cidr.prefix <= 30) {
      if (cidr.value === networkOf(cidr.value, cidr.prefix)) {
        err('address', 'network.networkAddress', `${cidr.address} is the network address of ${subnetText(cidr.value, cidr.prefix)}, which no host may use. Choose an address between ${formatIpv4(cidr.value + 1)} and ${formatIpv4(broadcastOf(cidr.value, cidr.prefix) - 1)}.`);
      } else if (cidr.value === broadcastOf(cidr.value, cidr.prefix)) {
        err('address', 'network.broadcastAddress', `${cidr.address} is the broadcast address of ${subnetText(cidr.value, cidr.prefix)}, which no host may use. Choose an address between ${formatIpv4(networkOf(cidr.value, cidr.prefix) + 1)} and ${formatIpv4(cidr.value - 1)}.`);
      }
    }
    if (isLinkLocalIpv4(cidr.value)) warn('address', 'network.linkLocal', `${cidr.address} is a link-local address (169.254.x.x); it is not routed. Use it only for a direct cable to this laptop.`);
    if (cidr.prefix < 8) warn('address', 'network.widePrefix', `/${cidr.prefix} is an unusually large network. Check the prefix; sites usually use /24.`);
    const elsewhere = snapshot?.interfaces.find((i) => i.name !== s.interface && i.addresses.some((a) => a.address === cidr.address));
    if (elsewhere) err('address', 'network.duplicateAddress', `${cidr.address} is already the address of ${elsewhere.name} on this node. Choose another address.`);
  }

  if (!s.gateway) {
    if (cidr) warn('gateway', 'network.noGateway', 'No gateway: the node will reach only its own subnet (no internet, no Azure Arc). Enter the router address if the site has one.');
  } else {
    const gw = parseIpv4(s.gateway);
    if (gw === null) err('gateway', 'network.badGateway', `"${s.gateway}" is not an IPv4 address. Enter the router's address, for example 192.168.2.254.`);
    else if (cidr && cidr.prefix > 0 && cidr.prefix < 32) {
      if (!inSubnet(gw, cidr.value, cidr.prefix)) {
        err('gateway', 'network.gatewayOutside', `The gateway ${s.gateway} is outside ${subnetText(cidr.value, cidr.prefix)}, so the node could not reach it. Use a router address inside that subnet, or check the prefix length.`);
      } else if (gw === cidr.value) {
        err('gateway', 'network.gatewayIsAddress', `The gateway ${s.gateway} is the node's own new address. Enter the router's address.`);
      } else if (cidr.prefix <= 30 && (gw === networkOf(cidr.value, cidr.prefix) || gw === broadcastOf(cidr.value, cidr.prefix))) {
        err('gateway', 'network.gatewayReserved', `The gateway ${s.gateway} is the ${gw === networkOf(cidr.value, cidr.prefix) ? 'network' : 'broadcast'} address of ${subnetText(cidr.value, cidr.prefix)}; no router can have it.`);
      }
    }
  }

  const seen = new Set<string>();
  for (const d of s.dns ?? []) {
    if (!isIpLiteral(d)) err('dns', 'network.badDns', `"${d}" is not an IP address. DNS servers are given by address, for example 192.168.2.254 or 8.8.8.8.`);
    else if (seen.has(d)) err('dns', 'network.duplicateDns', `The DNS server ${d} is listed twice. Remove one.`);
    seen.add(d);
  }
  if ((s.dns?.length ?? 0) > 3) warn('dns', 'network.manyDns', 'Most resolvers use only the first three DNS servers.');
  const seenDomains = new Set<string>();
  for (const d of s.search ?? []) {
    if (!DOMAIN_RE.test(d)) err('search', 'network.badSearch', `"${d}" is not a domain name. Use letters, digits, dashes and dots, for example plant.local.`);
    else if (seenDomains.has(d.toLowerCase())) err('search', 'network.duplicateSearch', `The search domain ${d} is listed twice. Remove one.`);
    seenDomains.add(d.toLowerCase());
  }
  return out;
}

const isV4Entry = (v: unknown): boolean => {
  const text = isScalar(v) ? String(v.value) : isMap(v) ? String((v.items[0]?.key as { value?: unknown } | undefined)?.value ?? '') : String(v);
  return !text.includes(':');
};

/** Sets or removes `key` in the map at `path`, recording a sentence when it changes. */
function setOrDelete(doc: Document, path: unknown[], value: unknown, changes: string[], sentence: string): void {
  const before = JSON.stringify(doc.getIn(path) === undefined ? undefined : (doc.getIn(path) as { toJSON?: () => unknown })?.toJSON?.() ?? doc.getIn(path));
  if (value === undefined) {
    if (doc.hasIn(path)) {
      doc.deleteIn(path);
      changes.push(sentence);
    }
    return;
  }
  if (before !== JSON.stringify(value)) {
    doc.setIn(path, doc.createNode(value));
    changes.push(sentence);
  }
}

export interface PlanInput {
  settings: NetworkSettings;
  snapshot: NetworkSnapshot;
  /** /etc/netplan files, or null when they could not be read. */
  files: NetplanFile[] | null;
  /** The address Fieldbench is connected to. */
  host: string;
}

/** Chooses the file to edit: the last (in netplan's order) that configures the interface, else a new one. */
export function chooseFile(files: readonly NetplanFile[], iface: string, mac?: string): { path: string; exists: boolean; matchedBy?: string } {
  const parsed = files.map(parseNetplanFile).sort((a, b) => netplanOrder(a.path, b.path));
  const configuring = parsed.filter((f) => stanzasFor(f, iface, mac).length > 0);
  const last = configuring[configuring.length - 1];
  if (last) {
    const stanza = stanzasFor(last, iface, mac)[0]!;
    return { path: last.path, exists: true, ...(stanza.id !== iface ? { matchedBy: stanza.id } : {}) };
  }
  const taken = new Set(files.map((f) => f.path));
  const path = taken.has('/etc/netplan/01-netcfg.yaml') ? `/etc/netplan/90-fieldbench-${iface}.yaml` : '/etc/netplan/01-netcfg.yaml';
  return { path, exists: taken.has(path) };
}

/**
 * Renders the netplan file for the settings: edits only the interface's stanza in the file that
 * configures it (comments and every other key stay), or writes a new file. Includes local findings.
 */
export function planNetplan(input: PlanInput): NetplanPlan {
  const settings = normalizeSettings(input.settings);
  const findings = checkSettings(settings, input.snapshot);
  const iface = input.snapshot.interfaces.find((i) => i.name === settings.interface);
  const files = input.files ?? [];
  if (input.files === null) {
    findings.push({
      field: 'general',
      severity: 'error',
      code: 'network.netplanUnreadable',
      message: `Fieldbench could not read /etc/netplan on the node, so it cannot tell which file to change. ${input.snapshot.netplan.note ?? 'Log in as a user with sudo rights.'}`,
    });
  }
  if (!input.snapshot.netplan.available) {
    findings.push({ field: 'general', severity: 'error', code: 'network.noNetplan', message: 'The node has no netplan. Fieldbench configures static addresses through netplan (Ubuntu 18.04 and later); install netplan.io or configure the node by hand.' });
  }
  const target = chooseFile(files, settings.interface, iface?.mac);
  const current = files.find((f) => f.path === target.path);
  const doc = current ? parseDocument(current.text) : parseDocument('network:\n  version: 2\n  renderer: networkd\n');
  const changes: string[] = [];
  if (doc.errors.length > 0) {
    findings.push({ field: 'general', severity: 'error', code: 'network.netplanBroken', message: `${target.path} on the node is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}). Fix it by hand first; Fieldbench does not rewrite a file it cannot read.` });
  }
  if (target.matchedBy) {
    findings.push({ field: 'interface', severity: 'warning', code: 'network.matchStanza', message: `${settings.interface} is configured by the rule "${target.matchedBy}" in ${target.path}, which may match other interfaces too; the change applies to all of them.` });
  }
  const section = (() => {
    if (!current) return 'ethernets';
    const parsed = parseNetplanFile(current);
    return stanzasFor(parsed, settings.interface, iface?.mac)[0]?.section ?? 'ethernets';
  })();
  const id = target.matchedBy ?? settings.interface;
  const cidr = parseIpv4Cidr(settings.address);

  if (doc.errors.length === 0) {
    if (!isMap(doc.get('network'))) doc.set('network', doc.createNode({ version: 2 }));
    if (doc.getIn(['network', 'version']) !== 2) setOrDelete(doc, ['network', 'version'], 2, changes, 'netplan version 2');
    const renderer = doc.getIn(['network', 'renderer']);
    if (renderer === undefined) setOrDelete(doc, ['network', 'renderer'], 'networkd', changes, 'renderer networkd');
    else if (renderer !== 'networkd') {
      findings.push({ field: 'general', severity: 'warning', code: 'network.otherRenderer', message: `${target.path} uses the ${String(renderer)} renderer; Fieldbench keeps it. The node applies the file through ${String(renderer)}.` });
    }
    const base = ['network', section, id];
    if (!isMap(doc.getIn(base))) doc.setIn(base, doc.createNode({}));
    const label = settings.interface;
    if (doc.getIn([...base, 'dhcp4']) !== false) setOrDelete(doc, [...base, 'dhcp4'], false, changes, `${label}: DHCP for IPv4 off`);
    // Keep IPv6 addresses; every IPv4 address is replaced by the new one.
    const existing = doc.getIn([...base, 'addresses']);
    const kept = isSeq(existing) ? existing.items.filter((v) => !isV4Entry(v)).map((v) => (isScalar(v) ? v.value : (v as { toJSON(): unknown }).toJSON())) : [];
    const oldV4 = isSeq(existing) ? existing.items.filter(isV4Entry).map((v) => (isScalar(v) ? String(v.value) : '')) : [];
    const wanted = cidr ? [`${formatIpv4(cidr.value)}/${cidr.prefix}`, ...kept] : kept;
    setOrDelete(doc, [...base, 'addresses'], wanted, changes, oldV4.length ? `${label}: address ${settings.address} replaces ${oldV4.join(', ')}` : `${label}: static address ${settings.address}`);
    if (doc.hasIn([...base, 'gateway4'])) setOrDelete(doc, [...base, 'gateway4'], undefined, changes, `${label}: the deprecated gateway4 key becomes a default route`);
    const routes = doc.getIn([...base, 'routes']);
    const routeList = isSeq(routes) ? (routes.toJSON() as Array<Record<string, unknown>>) : [];
    const isDefaultV4 = (r: Record<string, unknown>) => r.to === 'default' || r.to === '0.0.0.0/0';
    const others = routeList.filter((r) => !(isDefaultV4(r) && !String(r.via ?? '').includes(':')));
    const nextRoutes = settings.gateway ? [...others, { to: 'default', via: settings.gateway }] : others;
    setOrDelete(doc, [...base, 'routes'], nextRoutes.length ? nextRoutes : undefined, changes, settings.gateway ? `${label}: default route via ${settings.gateway}` : `${label}: no default route`);
    if (settings.dns !== undefined) setOrDelete(doc, [...base, 'nameservers', 'addresses'], settings.dns.length ? settings.dns : undefined, changes, settings.dns.length ? `${label}: DNS servers ${settings.dns.join(', ')}` : `${label}: no DNS servers`);
    if (settings.search !== undefined) setOrDelete(doc, [...base, 'nameservers', 'search'], settings.search.length ? settings.search : undefined, changes, settings.search.length ? `${label}: search domains ${settings.search.join(', ')}` : `${label}: no search domains`);
    const ns = doc.getIn([...base, 'nameservers']);
    if (isMap(ns) && ns.items.length === 0) doc.deleteIn([...base, 'nameservers']);
  }

  const yaml = doc.errors.length === 0 ? doc.toString({ lineWidth: 0 }) : (current?.text ?? '');
  const currentYaml = current?.text ?? null;
  const diff = createTwoFilesPatch(target.path, target.path, currentYaml ?? '', yaml, currentYaml === null ? 'new file' : 'on the node', 'planned');
  const onIface = (iface?.addresses ?? []).some((a) => a.address === input.host);
  const newHost = onIface && cidr ? formatIpv4(cidr.value) : input.host;
  if (changes.length === 0 && findings.every((f) => f.severity !== 'error')) {
    findings.push({ field: 'general', severity: 'warning', code: 'network.noChange', message: `${target.path} already says this; applying it changes nothing in the file.` });
  }
  return {
    settings,
    findings,
    ok: findings.every((f) => f.severity !== 'error'),
    file: { path: target.path, exists: current !== undefined },
    currentYaml,
    yaml,
    diff,
    keptFiles: files.map((f) => f.path).filter((p) => p !== target.path),
    changes,
    previousHost: input.host,
    newHost,
  };
}
