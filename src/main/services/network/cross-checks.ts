import { X509Certificate } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { CrossCheckReport } from '@shared/contract/network-contract';
import type { CertificateSummary, HostCheckResult } from '@shared/pki-types';
import { AIO_DEFAULT_NAMESPACE } from '@shared/contract/aio-contract';
import { readClusterInputs, type BrokerReader, type ListenerDescription } from './aio-cross-check-inputs';

import { parseIpv4 } from './ipv4';
import { probeTcp } from './tcp-probe';

/** The part of PkiService the network area uses (PkiService satisfies it). */
export interface CertificateAuthority {
  summaries(): CertificateSummary[];
  checkHost(id: string, host: string): HostCheckResult;
}

export interface CrossCheckInput {
  address: string;
  previousAddress?: string | undefined;
  certificateIds?: string[] | undefined;
  clusterCertificates?: Array<{ name: string; pem: string }> | undefined;
  listeners?: ListenerDescription[] | undefined;
  /** A node profile whose broker listeners and cluster certificates are read for the check (see readClusterInputs). */
  nodeId?: string | undefined;
  /** The AIO namespace on that node. */
  namespace?: string | undefined;
  checkReachability: boolean;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  progress?: ((message: string) => void) | undefined;
}

/** A SAN as the reports show it: `IP:192.168.2.196`, `DNS:aio-broker`. */
export const sanText = (s: { type: string; value: string }) => `${s.type.toUpperCase()}:${s.value}`;

function isServerCertificate(c: CertificateSummary): boolean {
  return !c.isCa && (c.role === 'server' || c.role === 'leaf') && c.revoked === null && c.status !== 'expired';
}

/** Vault certificates the check looks at by default: server certificates listing the old address, else any IP. */
export function defaultCertificates(all: readonly CertificateSummary[], previousAddress: string | undefined): CertificateSummary[] {
  const servers = all.filter(isServerCertificate);
  if (previousAddress) return servers.filter((c) => c.sans.some((s) => s.type === 'ip' && s.value === previousAddress));
  return servers.filter((c) => c.sans.some((s) => s.type === 'ip'));
}

/**
 * Checks certificates, listeners and (optionally) TCP reachability for the node's new address. With a
 * nodeId, the listeners and cluster certificates not given are read from the node's cluster through `broker`.
 */
export async function crossCheck(given: CrossCheckInput, pki: CertificateAuthority | undefined, broker: BrokerReader): Promise<CrossCheckReport> {
  if (parseIpv4(given.address) === null) {
    throw new FieldbenchError('network.badAddress', `"${given.address}" is not an IPv4 address. Give the node's address without the prefix, for example 192.168.2.196.`);
  }
  let input = given;
  let cluster: CrossCheckReport['cluster'];
  if (given.nodeId && !(given.listeners && given.clusterCertificates)) {
    given.progress?.("Reading the broker's listeners from the cluster…");
    const read = await readClusterInputs(broker, given.nodeId, given.namespace ?? AIO_DEFAULT_NAMESPACE, given.signal ? { signal: given.signal } : {});
    cluster = read.cluster;
    input = { ...given, listeners: given.listeners ?? read.listeners, clusterCertificates: given.clusterCertificates ?? (read.certificates?.length ? read.certificates : undefined) };
    given.progress?.('Checking certificates and listeners…');
  }
  const certificates: CrossCheckReport['certificates'] = [];
  const wantVault = input.certificateIds !== undefined || input.previousAddress !== undefined || !input.clusterCertificates?.length;
  if (wantVault && pki) {
    const all = pki.summaries();
    const chosen = input.certificateIds ? input.certificateIds.map((id) => all.find((c) => c.id === id) ?? missing(id)) : defaultCertificates(all, input.previousAddress);
    for (const c of chosen) {
      const check = pki.checkHost(c.id, input.address);
      const issuer = c.issuerId ? all.find((x) => x.id === c.issuerId) : undefined;
      const canReissue = issuer?.hasPrivateKey === true;
      certificates.push({
        id: c.id,
        name: c.commonName,
        source: 'vault',
        valid: check.valid,
        message: check.valid ? check.message : `${check.message}${canReissue ? ' Fieldbench can re-issue it from its CA in the vault.' : ' Its issuing CA key is not in the vault, so re-issue it where it was made.'}`,
        canReissue: !check.valid && canReissue,
        sans: c.sans.map(sanText),
      });
    }
  }
  for (const cc of input.clusterCertificates ?? []) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(cc.pem);
    } catch (err) {
      throw new FieldbenchError('network.badCertificate', `The certificate "${cc.name}" is not a PEM certificate. Paste the PEM text (leaf first).`, { cause: err });
    }
    const valid = cert.checkIP(input.address) !== undefined;
    const sans = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
    certificates.push({
      name: cc.name,
      source: 'cluster',
      valid,
      message: valid ? `"${cc.name}" on the cluster is valid for ${input.address}.` : `"${cc.name}" on the cluster does not list ${input.address} (it lists ${sans.join(', ') || 'no subject alternative names'}). Clients connecting by address will refuse it; re-issue it with ${input.address} in its SANs.`,
      canReissue: false,
      sans,
    });
  }

  const listeners: CrossCheckReport['listeners'] = [];
  const reachability: CrossCheckReport['reachability'] = [];
  for (const l of input.listeners ?? []) {
    if (l.serviceType === 'LoadBalancer') {
      const ips = l.externalIps ?? [];
      const ok = ips.includes(input.address);
      listeners.push({
        name: l.name,
        serviceType: l.serviceType,
        ok,
        message: ok
          ? `LoadBalancer listener ${l.name} has the external IP ${input.address}.`
          : ips.length === 0
            ? `LoadBalancer listener ${l.name} has no external IP yet. On k3s the service load balancer gives it the node's address once the node has settled; check again in a minute.`
            : `LoadBalancer listener ${l.name} has the external IP ${ips.join(', ')}, not ${input.address}. Clients and certificates that use ${input.address} will not reach it until the service picks up the node's new address (restart the svclb pods on k3s).`,
      });
    } else if (l.serviceType === 'NodePort') {
      listeners.push({ name: l.name, serviceType: l.serviceType, ok: true, message: `NodePort listener ${l.name} answers on every node address, including ${input.address}.` });
    } else {
      listeners.push({ name: l.name, serviceType: l.serviceType, ok: true, message: `ClusterIp listener ${l.name} is reached inside the cluster only; the node address does not matter to it.` });
    }
    if (!input.checkReachability || l.serviceType === 'ClusterIp') continue;
    for (const p of l.ports) {
      const port = l.serviceType === 'NodePort' ? p.nodePort : p.port;
      if (port === undefined) continue;
      const r = await probeTcp(input.address, port, input.timeoutMs, input.signal);
      reachability.push({
        listener: l.name,
        host: input.address,
        port,
        reachable: r.open,
        message: r.open ? `${input.address}:${port} (${l.name}) accepts connections from this laptop.` : `${input.address}:${port} (${l.name}) is not reachable from this laptop: ${r.detail}. Check the listener, the node's firewall and this laptop's address.`,
      });
    }
  }
  const warnings = certificates.filter((c) => !c.valid).length + listeners.filter((l) => !l.ok).length + reachability.filter((r) => !r.reachable).length;
  return { address: input.address, certificates, listeners, reachability, ...(cluster ? { cluster } : {}), warnings };
}

/** The sentence for a certificate id that is not (or no longer) in the vault. */
export function missing(id: string): never {
  throw new FieldbenchError('network.certificateNotFound', `The certificate ${id} is not in the vault. Reload the certificate list.`);
}
