import type { AioDiscoveryT } from '@shared/contract/aio-contract';
import type { ListenerDescription } from './cross-checks';

const SERVICE_TYPES = new Set(['ClusterIp', 'NodePort', 'LoadBalancer']);

/**
 * The broker's listeners as network.crossCheck takes them, from the AIO area's discovery: service type,
 * ports, and the external IPs of the Service that carries each listener.
 */
export function listenersFromDiscovery(d: Pick<AioDiscoveryT, 'listeners' | 'services'>): ListenerDescription[] {
  return d.listeners
    .filter((l) => SERVICE_TYPES.has(l.serviceType))
    .map((l) => {
      const service = d.services.find((s) => s.listener === l.name) ?? d.services.find((s) => s.name === l.serviceName);
      return {
        name: l.name,
        serviceType: l.serviceType as ListenerDescription['serviceType'],
        ...(service && service.externalIps.length > 0 ? { externalIps: service.externalIps.slice(0, 16) } : {}),
        ports: l.ports.slice(0, 32).map((p) => ({ port: p.port, ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}) })),
      };
    });
}

/** Secrets holding the listeners' server certificates: cert-manager's for Automatic TLS, the named one for Manual. */
export function serverSecretsFromDiscovery(d: Pick<AioDiscoveryT, 'listeners' | 'certificates' | 'namespace'>): Array<{ name: string; namespace: string }> {
  const names = new Set<string>();
  for (const l of d.listeners) for (const p of l.ports) if (p.tls.mode !== 'None' && p.tls.secretName) names.add(p.tls.secretName);
  for (const c of d.certificates) if (c.listener) names.add(c.secretName);
  return [...names].slice(0, 20).map((name) => ({ name, namespace: d.namespace }));
}

/**
 * The certificate PEM (leaf first) of a Secret as aio.readBack shows it: tls.crt is one of the public keys it
 * leaves readable, base64 on one line.
 */
export function tlsCrtFromSecretYaml(yaml: string): string | undefined {
  const m = /^\s+tls\.crt:\s*["']?([A-Za-z0-9+/=]+)["']?\s*$/m.exec(yaml);
  if (!m?.[1]) return undefined;
  const pem = Buffer.from(m[1], 'base64').toString('utf8');
  return pem.includes('-----BEGIN CERTIFICATE-----') ? pem : undefined;
}
