import type { CallRequest, CallResponse } from '@shared/contract';
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

type Discovery = CallResponse<'aio.discover'>;
type CrossCheckRequest = CallRequest<'network.crossCheck'>;
type Listener = NonNullable<CrossCheckRequest['listeners']>[number];

const SERVICE_TYPES = new Set(['ClusterIp', 'NodePort', 'LoadBalancer']);

/** The broker's listeners as network.crossCheck takes them, from the AIO area's discovery. */
export function listenersFromDiscovery(d: Pick<Discovery, 'listeners' | 'services'>): Listener[] {
  return d.listeners
    .filter((l) => SERVICE_TYPES.has(l.serviceType))
    .map((l) => {
      const service = d.services.find((s) => s.listener === l.name) ?? d.services.find((s) => s.name === l.serviceName);
      return {
        name: l.name,
        serviceType: l.serviceType as Listener['serviceType'],
        ...(service && service.externalIps.length > 0 ? { externalIps: service.externalIps.slice(0, 16) } : {}),
        ports: l.ports.slice(0, 32).map((p) => ({ port: p.port, ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}) })),
      };
    });
}

/** Secrets holding the listeners' server certificates: cert-manager's for Automatic TLS, the named one for Manual. */
export function serverSecretsFromDiscovery(d: Pick<Discovery, 'listeners' | 'certificates' | 'namespace'>): Array<{ kind: string; name: string; namespace: string }> {
  const names = new Set<string>();
  for (const l of d.listeners) for (const p of l.ports) if (p.tls.mode !== 'None' && p.tls.secretName) names.add(p.tls.secretName);
  for (const c of d.certificates) if (c.listener) names.add(c.secretName);
  return [...names].slice(0, 20).map((name) => ({ kind: 'Secret', name, namespace: d.namespace }));
}

/** The certificate PEM of a Secret as aio.readBack shows it (tls.crt stays readable, base64 on one line). */
export function tlsCrtFromSecretYaml(yaml: string): string | undefined {
  const m = /^\s+tls\.crt:\s*["']?([A-Za-z0-9+/=]+)["']?\s*$/m.exec(yaml);
  if (!m?.[1]) return undefined;
  let pem: string;
  try {
    pem = atob(m[1]);
  } catch {
    return undefined;
  }
  return pem.includes('-----BEGIN CERTIFICATE-----') ? pem : undefined;
}

/** "1:05" for a countdown a person reads at a glance. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
