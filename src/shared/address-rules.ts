/**
 * The address rules every address field applies (add-node, the network form, the MQTT connection host,
 * the SAN box through classifySan): one IPv4/IPv6/host-name rule, so `192.168.2.300` is refused in the same
 * words wherever it is typed. Pure functions; no runtime imports (the renderer, main and the CLI load it).
 */
import { isIPv4, isIPv6 } from './pki-rules';

const DOTTED_NUMBERS = /^\d+(\.\d+)+$/;
// RFC 1123 §2.1 labels; the underscore is tolerated because Windows and mDNS names carry it in the field.
const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export type AddressKind = 'ipv4' | 'ipv6' | 'hostname';

/** What a host field holds, or null when it is none of an IPv4 address, an IPv6 address or a host name. */
export function addressKind(raw: string): AddressKind | null {
  const value = raw.trim();
  if (isIPv4(value)) return 'ipv4';
  if (isIPv6(value)) return 'ipv6';
  if (DOTTED_NUMBERS.test(value)) return null;
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  if (host.length === 0 || host.length > 253) return null;
  const labels = host.split('.');
  if (!labels.every((l) => HOST_LABEL.test(l))) return null;
  // An all-numeric last label is not a host name (RFC 3696 §2), so `10.0.0` or `edge.1` is a typo.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null;
  return 'hostname';
}

/**
 * The sentence for a host field (an IP address or a host name), or null when it is fine. `what` names the
 * field in the sentence ("the node address").
 */
export function hostProblem(raw: string, what = 'the address'): string | null {
  const value = raw.trim();
  if (value === '') return `Enter ${what}: an IP address or a host name.`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) || /\s/.test(value)) return `Enter only ${what} (no scheme, no spaces), e.g. 192.168.2.196 or edge-01.plant.local.`;
  if (value.startsWith('[') && value.endsWith(']')) return isIPv6(value.slice(1, -1)) ? `Type the IPv6 address without brackets: ${value.slice(1, -1)}.` : `"${value}" is not an IPv6 address.`;
  if (addressKind(value) !== null) return null;
  if (DOTTED_NUMBERS.test(value)) return `"${value}" is not a valid IPv4 address: each of the four numbers must be 0–255, without leading zeros.`;
  if (value.includes(':')) return `"${value}" is not a valid IPv6 address. Check it for typos.`;
  return `"${value}" is neither an IP address nor a valid host name. Check it for typos.`;
}

/** The sentence for a field that must hold an IP address (a gateway, a DNS server), or null. */
export function ipProblem(raw: string, what = 'the address'): string | null {
  const value = raw.trim();
  if (value === '') return `Enter ${what}.`;
  if (isIPv4(value) || isIPv6(value)) return null;
  if (DOTTED_NUMBERS.test(value)) return `"${value}" is not a valid IPv4 address: each of the four numbers must be 0–255, without leading zeros.`;
  return `"${value}" is not an IP address. Enter ${what} as numbers, e.g. 192.168.2.1.`;
}

/** The sentence for an address with its prefix length (`192.168.2.196/24`, `fd00::5/64`), or null. */
export function cidrProblem(raw: string, what = 'the address'): string | null {
  const value = raw.trim();
  const slash = value.lastIndexOf('/');
  if (slash < 0) return `Add the prefix length to ${what}, e.g. 192.168.2.196/24.`;
  const ip = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  const ipIssue = ipProblem(ip, what);
  if (ipIssue) return ipIssue;
  const max = isIPv4(ip) ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `The prefix length after "/" must be 0–${max} for ${ip}.`;
  return null;
}
