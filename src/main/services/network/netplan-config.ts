import { parse as parseYaml } from 'yaml';

/** Device sections netplan knows; a stanza in any of them can configure an interface. */
export const DEVICE_SECTIONS = ['ethernets', 'bonds', 'bridges', 'vlans', 'wifis', 'vrfs', 'tunnels', 'modems', 'dummy-devices', 'virtual-ethernets'] as const;

export interface NetplanFile {
  /** Path on the node, /etc/netplan/01-netcfg.yaml. */
  path: string;
  text: string;
  /** Octal mode as stat prints it ("600"). */
  mode?: string;
}

export interface ParsedNetplanFile extends NetplanFile {
  data: unknown;
  parseError?: string;
  renderer?: string;
}

export interface StanzaRef {
  section: string;
  id: string;
  definition: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseNetplanFile(file: NetplanFile): ParsedNetplanFile {
  try {
    const data = parseYaml(file.text, { strict: false }) as unknown;
    const network = isRecord(data) && isRecord(data.network) ? data.network : undefined;
    const renderer = typeof network?.renderer === 'string' ? network.renderer : undefined;
    return { ...file, data, ...(renderer ? { renderer } : {}) };
  } catch (err) {
    return { ...file, data: null, parseError: (err as Error).message.split('\n')[0] ?? 'unreadable YAML' };
  }
}

/** netplan's `match: name:` globs (shell style: *, ?, [...]). */
export function globMatches(glob: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}

/** Every stanza of a parsed file that configures the interface (by id, set-name, match name or MAC). */
export function stanzasFor(file: ParsedNetplanFile, iface: string, mac?: string): StanzaRef[] {
  const network = isRecord(file.data) && isRecord(file.data.network) ? file.data.network : undefined;
  if (!network) return [];
  const found: StanzaRef[] = [];
  for (const section of DEVICE_SECTIONS) {
    const devices = network[section];
    if (!isRecord(devices)) continue;
    for (const [id, def] of Object.entries(devices)) {
      const d = isRecord(def) ? def : {};
      if (stanzaMatches(id, d, iface, mac)) found.push({ section, id, definition: d });
    }
  }
  return found;
}

function stanzaMatches(id: string, d: Record<string, unknown>, iface: string, mac?: string): boolean {
  const match = isRecord(d.match) ? d.match : undefined;
  if (typeof d['set-name'] === 'string' && d['set-name'] === iface) return true;
  if (!match) return id === iface;
  const byName = typeof match.name === 'string' ? globMatches(match.name, iface) : undefined;
  const byMac = typeof match.macaddress === 'string' && mac ? match.macaddress.toLowerCase() === mac.toLowerCase() : undefined;
  if (byName === false || byMac === false) return false;
  return byName === true || byMac === true;
}

/** Names of all interfaces a file mentions (ids, set-names, match names as written). */
export function interfacesIn(file: ParsedNetplanFile, knownInterfaces: ReadonlyArray<{ name: string; mac?: string | undefined }>): string[] {
  const names = new Set<string>();
  for (const i of knownInterfaces) if (stanzasFor(file, i.name, i.mac).length > 0) names.add(i.name);
  const network = isRecord(file.data) && isRecord(file.data.network) ? file.data.network : undefined;
  for (const section of DEVICE_SECTIONS) {
    const devices = network?.[section];
    if (!isRecord(devices)) continue;
    for (const [id, def] of Object.entries(devices)) if (!isRecord(def) || !isRecord(def.match)) names.add(id);
  }
  return [...names].sort();
}

/** netplan reads files in lexical order of their names across its folders; later ones win. */
export function netplanOrder(a: string, b: string): number {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return base(a) < base(b) ? -1 : base(a) > base(b) ? 1 : 0;
}

/** DHCPv4 as the last file that says anything about it sets it. */
export function dhcp4Of(files: readonly ParsedNetplanFile[], iface: string, mac?: string): boolean | undefined {
  let value: boolean | undefined;
  for (const f of [...files].sort((a, b) => netplanOrder(a.path, b.path))) {
    for (const s of stanzasFor(f, iface, mac)) {
      const v = s.definition.dhcp4;
      if (typeof v === 'boolean') value = v;
      else if (v === 'yes' || v === 'true') value = true;
      else if (v === 'no' || v === 'false') value = false;
    }
  }
  return value;
}
