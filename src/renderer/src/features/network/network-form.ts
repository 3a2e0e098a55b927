import type { Finding, NetworkSettings, NetworkSnapshot } from '@shared/contract/network-contract';

/** The form as typed: lists are text ("10.0.0.53, 10.0.0.54") until they become settings. */
export interface NetworkForm {
  interface: string;
  address: string;
  gateway: string;
  dns: string;
  search: string;
}

export const EMPTY_FORM: NetworkForm = { interface: '', address: '', gateway: '', dns: '', search: '' };

/** Splits a typed list on commas and spaces; empty text means "keep what the file has". */
export function listOf(text: string): string[] | undefined {
  const items = text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** The settings the contract takes, from what was typed. */
export function settingsOf(form: NetworkForm): NetworkSettings {
  const dns = listOf(form.dns);
  const search = listOf(form.search);
  return {
    interface: form.interface.trim(),
    address: form.address.trim(),
    ...(form.gateway.trim() ? { gateway: form.gateway.trim() } : {}),
    ...(dns ? { dns: dns.slice(0, 8) } : {}),
    ...(search ? { search: search.slice(0, 8) } : {}),
  };
}

/** The form prefilled from what the node runs now (the suggested interface's current address). */
export function formFromSnapshot(s: NetworkSnapshot): NetworkForm {
  const suggested = s.suggestedSettings;
  const iface = suggested?.interface ?? s.suggestedInterface ?? s.interfaces.find((i) => i.kind !== 'loopback')?.name ?? '';
  return {
    interface: iface,
    address: suggested?.address ?? '',
    gateway: suggested?.gateway ?? s.defaultRoute?.gateway ?? '',
    dns: (suggested?.dns ?? s.dns.servers).join(', '),
    search: (suggested?.search ?? s.dns.search).join(', '),
  };
}

/** The first finding for a field, as the sentence to show under it. */
export function findingFor(findings: readonly Finding[], field: Finding['field']): Finding | undefined {
  return findings.find((f) => f.field === field && f.severity === 'error') ?? findings.find((f) => f.field === field);
}

/** The address without its prefix ("10.0.0.5/24" → "10.0.0.5"), or undefined while it is not one. */
export function bareAddress(address: string): string | undefined {
  const m = /^\s*(\d{1,3}(?:\.\d{1,3}){3})(?:\/\d{1,2})?\s*$/.exec(address);
  return m?.[1];
}

/** "1:05" for a countdown a person reads at a glance. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
