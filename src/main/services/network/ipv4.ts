import { isIP } from 'node:net';

/** An IPv4 address with its prefix, as netplan writes it (`192.168.2.196/24`). */
export interface Ipv4Cidr {
  address: string;
  prefix: number;
  /** The address as an unsigned 32-bit number. */
  value: number;
}

/** Dotted quad → unsigned 32-bit number, or null when it is not a plain IPv4 address (no leading zeros). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const p of parts) {
    // Leading zeros are refused: some tools read 010 as octal, so the same text would mean two addresses.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join('.');
}

/** `a.b.c.d/nn` → parts, or null. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | null {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const value = parseIpv4(m[1]!);
  const prefix = Number(m[2]);
  if (value === null || prefix < 0 || prefix > 32) return null;
  return { address: m[1]!, prefix, value };
}

export function subnetSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function networkOf(value: number, prefix: number): number {
  return value - (value % subnetSize(prefix));
}

export function broadcastOf(value: number, prefix: number): number {
  return networkOf(value, prefix) + subnetSize(prefix) - 1;
}

export function inSubnet(value: number, network: number, prefix: number): boolean {
  return networkOf(value, prefix) === networkOf(network, prefix);
}

/** `192.168.2.0/24` for an address and prefix. */
export function subnetText(value: number, prefix: number): string {
  return `${formatIpv4(networkOf(value, prefix))}/${prefix}`;
}

/** True for any IP literal, v4 or v6 (DNS servers may be either). */
export function isIpLiteral(text: string): boolean {
  return isIP(text) !== 0;
}

/** What kind of special address this is, if any, in words for a sentence. */
export function specialIpv4(value: number): string | null {
  const first = Math.floor(value / 2 ** 24);
  if (first === 0) return 'a "this network" address (0.x.x.x)';
  if (first === 127) return 'a loopback address';
  if (first >= 224 && first <= 239) return 'a multicast address';
  if (first >= 240) return 'a reserved address';
  return null;
}

export function isLinkLocalIpv4(value: number): boolean {
  return Math.floor(value / 2 ** 16) === 169 * 256 + 254;
}
