import { toErrorInfo } from '@shared/errors';
import type { AioDiscoveryT, ReadBackItemT, ResourceRefT } from '@shared/contract/aio-contract';
import type { CrossCheckReport } from '@shared/contract/network-contract';
import type { AioOperation } from '../aio';

const SERVICE_TYPES = new Set(['ClusterIp', 'NodePort', 'LoadBalancer']);

/** A broker listener as the cross-checks look at it: its service type, ports and external IPs. */
export interface ListenerDescription {
  name: string;
  serviceType: 'ClusterIp' | 'NodePort' | 'LoadBalancer';
  externalIps?: string[] | undefined;
  ports: Array<{ port: number; nodePort?: number | undefined }>;
}

/** The part of AioService the cross-checks read a node's broker through (AioService satisfies it). */
export interface BrokerReader {
  discover(nodeId: string, namespace: string, op?: AioOperation): Promise<AioDiscoveryT>;
  readBack(nodeId: string, refs: readonly ResourceRefT[], op?: AioOperation): Promise<ReadBackItemT[]>;
}

/** What the cluster gave for the cross-checks, and the sentence the report carries about it. */
export interface ClusterInputs {
  listeners?: ListenerDescription[];
  certificates?: Array<{ name: string; pem: string }>;
  cluster: NonNullable<CrossCheckReport['cluster']>;
}

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
export function serverSecretsFromDiscovery(d: Pick<AioDiscoveryT, 'listeners' | 'certificates' | 'namespace'>): ResourceRefT[] {
  const names = new Set<string>();
  for (const l of d.listeners) for (const p of l.ports) if (p.tls.mode !== 'None' && p.tls.secretName) names.add(p.tls.secretName);
  for (const c of d.certificates) if (c.listener) names.add(c.secretName);
  return [...names].slice(0, 20).map((name) => ({ kind: 'Secret', name, namespace: d.namespace }));
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

/**
 * Listeners and the certificates in their Secrets, read from the node's cluster. A cluster that cannot be
 * read is not an error: the vault's certificates are still worth checking, so the answer says why instead.
 * Only a cancellation ends the check.
 */
export async function readClusterInputs(broker: BrokerReader, nodeId: string, namespace: string, op: AioOperation = {}): Promise<ClusterInputs> {
  let discovery: AioDiscoveryT;
  try {
    discovery = await broker.discover(nodeId, namespace, op);
  } catch (err) {
    if (op.signal?.aborted) throw err;
    return { cluster: { state: 'unavailable', reason: toErrorInfo(err).message } };
  }
  if (!discovery.aioPresent) {
    return { cluster: { state: 'unavailable', reason: 'The Azure IoT Operations broker is not installed on this cluster, so there are no listeners to check.' } };
  }
  const secrets = serverSecretsFromDiscovery(discovery);
  let items: ReadBackItemT[] = [];
  if (secrets.length > 0) {
    try {
      items = await broker.readBack(nodeId, secrets, op);
    } catch (err) {
      // The listeners alone are still worth checking; an unreadable Secret only leaves its certificate out.
      if (op.signal?.aborted) throw err;
    }
  }
  const certificates = items.flatMap((item) => {
    const pem = item.yaml ? tlsCrtFromSecretYaml(item.yaml) : undefined;
    return pem ? [{ name: `Secret ${item.ref.name}`, pem }] : [];
  });
  return { listeners: listenersFromDiscovery(discovery), certificates, cluster: { state: 'read', description: discovery.description } };
}
