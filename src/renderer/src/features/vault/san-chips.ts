/** How a SAN entry will be encoded, mirroring the engine's automatic typing (DOMAIN.md: certificate profiles). */
export type SanKind = 'ip' | 'dns' | 'email' | 'uri' | 'invalid';

export interface SanChip {
  value: string;
  kind: SanKind;
  /** For 'invalid': what is wrong, in a sentence. */
  problem?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const LOOKS_LIKE_IPV4 = /^\d+(\.\d+){1,3}$/;
const DNS_LABEL = /^(\*|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function isIpv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(value)) return false;
  const doubles = value.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = value.split(':').filter((g) => g !== '');
  const last = groups[groups.length - 1] ?? '';
  const hasV4 = last.includes('.');
  if (hasV4 && !IPV4.test(last)) return false;
  const hexGroups = hasV4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const width = hexGroups.length + (hasV4 ? 2 : 0);
  return doubles === 1 ? width < 8 : width === 8;
}

/** Types one SAN as the technician types it: IP → IP Address, '@' → email, a scheme → URI, else DNS. */
export function classifySan(raw: string): SanChip {
  const value = raw.trim();
  if (IPV4.test(value) || isIpv6(value)) return { value, kind: 'ip' };
  if (LOOKS_LIKE_IPV4.test(value)) return { value, kind: 'invalid', problem: `"${value}" looks like an IP address but is not a valid one. Check each number is 0–255.` };
  if (SCHEME.test(value)) return { value, kind: 'uri' };
  if (value.includes('@')) {
    return /^[^@\s]+@[^@\s]+$/.test(value) ? { value, kind: 'email' } : { value, kind: 'invalid', problem: `"${value}" is not a valid e-mail address.` };
  }
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  if (host.length > 0 && host.length <= 253 && host.split('.').every((label, i) => DNS_LABEL.test(label) && (label !== '*' || i === 0))) return { value, kind: 'dns' };
  return { value, kind: 'invalid', problem: `"${value}" is neither an IP address nor a valid host name. Check for spaces or typos.` };
}

/** Splits what was typed or pasted (commas, spaces, new lines) into SAN entries, keeping the order and dropping repeats. */
export function splitList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    const v = part.trim();
    if (!v || seen.has(v.toLowerCase())) continue;
    seen.add(v.toLowerCase());
    out.push(v);
  }
  return out;
}

export function sanChips(text: string): SanChip[] {
  return splitList(text).map(classifySan);
}

export const SAN_KIND_LABEL: Record<SanKind, string> = { ip: 'IP', dns: 'DNS', email: 'Email', uri: 'URI', invalid: 'Invalid' };
