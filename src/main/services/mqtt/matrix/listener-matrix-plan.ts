import type { AioDiscoveryT } from '@shared/contract/aio-contract';
import type { MatrixAuthT, MatrixEndpointInputT, MatrixPlanT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import type { KnownCertificate, MatrixKnowledge } from './listener-matrix-diagnosis';
import { cnOf } from './listener-matrix';

/** Targets for endpoints given by hand, in their order. */
export function planFromEndpoints(endpoints: readonly MatrixEndpointInputT[]): MatrixPlanT {
  const targets = endpoints.map((e, i): MatrixTargetT => {
    const id = `t${i + 1}`;
    const via = e.route.kind === 'sshTunnel' ? ` via SSH from ${e.route.nodeId}` : '';
    return {
      id,
      label: e.name ?? `${e.host}:${e.port}${e.tls ? ' (TLS)' : ''}${via}`,
      host: e.host,
      port: e.port,
      tls: e.tls,
      ...(e.ca ? { ca: e.ca } : {}),
      ...(e.servername ? { servername: e.servername } : {}),
      auth: e.auth,
      mqttVersion: e.mqttVersion,
      route: e.route,
      notes: [],
    };
  });
  return { targets, skipped: [], warnings: [] };
}

export interface DiscoveryPlanInput {
  nodeId: string;
  /** The node's address as the laptop reaches it (NodePorts answer there). */
  nodeHost: string;
  discovery: AioDiscoveryT;
  vaultCertificates: readonly (KnownCertificate & { hasPrivateKey: boolean })[];
  caCertificateId?: string | undefined;
  clientCertificateId?: string | undefined;
  serviceAccount: string;
}

const norm = (fp: string): string => fp.replace(/:/g, '').toLowerCase();

/**
 * Every reachable listener port of a node from AIO discovery: LoadBalancer external IPs, NodePorts on the
 * node's address, ClusterIp services through an SSH tunnel from the node. For each, the auth it accepts
 * with what Fieldbench has: X.509 with a vault client certificate whose chain the listener's
 * trustedClientCaCert trusts, K8S-SAT minted through TokenRequest, or none.
 */
export function planFromDiscovery(input: DiscoveryPlanInput): MatrixPlanT & { knowledge: MatrixKnowledge } {
  const { discovery: d, nodeId } = input;
  const targets: MatrixTargetT[] = [];
  const skipped: MatrixPlanT['skipped'] = [];
  const warnings = [...d.warnings];
  const clientCaByTarget: Record<string, string> = {};
  const vault = input.vaultCertificates;
  const byId = new Map(vault.map((c) => [c.id, c]));
  const bundleFps = (name: string): Set<string> => new Set(d.trustBundles.filter((b) => b.name === name).flatMap((b) => b.certificates.map((c) => norm(c.fingerprintSha256))));

  // A Manual TLS port serves a Secret someone issued, often from their own CA rather than the cluster's:
  // verify it with the vault CA in or above the served chain (unless a CA was asked for).
  const servedCa = (chain: AioDiscoveryT['listeners'][number]['ports'][number]['tls']['servedChain']): MatrixTargetT['ca'] => {
    const top = chain?.[chain.length - 1];
    if (!chain || !top || input.caCertificateId) return undefined;
    const fps = new Set(chain.map((c) => norm(c.fingerprintSha256)));
    const hit = vault.find((c) => c.isCa && fps.has(norm(c.fingerprintSha256))) ?? (top.subject === top.issuer ? undefined : vault.find((c) => c.isCa && (c.subject === top.issuer || (cnOf(c.subject) !== undefined && cnOf(c.subject) === cnOf(top.issuer)))));
    return hit ? { source: 'vault', certificateId: hit.id } : undefined;
  };
  // The CA clients trust: the one asked for, else a vault CA that is in the cluster's client trust bundle.
  let ca: MatrixTargetT['ca'];
  if (input.caCertificateId) ca = { source: 'vault', certificateId: input.caCertificateId };
  else {
    const trust = new Set(d.trustBundles.filter((b) => b.role === 'client-trust').flatMap((b) => b.certificates.map((c) => norm(c.fingerprintSha256))));
    const hit = vault.find((c) => c.isCa && trust.has(norm(c.fingerprintSha256)));
    if (hit) ca = { source: 'vault', certificateId: hit.id };
    else if (d.listeners.some((l) => l.ports.some((p) => p.tls.mode !== 'None'))) {
      const bundle = d.trustBundles.find((b) => b.role === 'client-trust');
      warnings.push(
        bundle
          ? `The cluster's trust bundle (${bundle.source} ${bundle.name}) is not in the vault, so TLS listeners will fail verification. Import it (aio.importTrustBundle) and run the matrix again.`
          : 'No CA for the TLS listeners is known: pick one in the vault (caCertificateId).',
      );
    }
  }

  // Walks a vault certificate's issuers up to its root, so an intermediate or a root in the ConfigMap both count.
  const chainFps = (id: string): string[] => {
    const out: string[] = [];
    let c = byId.get(id);
    for (let i = 0; c && i < 8; i++) {
      out.push(norm(c.fingerprintSha256));
      if (!c.issuerId || c.issuerId === c.id) break;
      c = byId.get(c.issuerId);
    }
    return out;
  };

  let n = 0;
  for (const l of d.listeners) {
    const svc = d.services.find((s) => s.listener === l.name) ?? d.services.find((s) => s.name === l.serviceName);
    const cert = d.certificates.find((c) => c.listener === l.name);
    for (const p of l.ports) {
      const tls = p.tls.mode !== 'None';
      const notes: string[] = [];
      const authn = p.authenticationRef ? d.authentications.find((a) => a.name === p.authenticationRef) : undefined;
      let auth: MatrixAuthT = { method: 'none' };
      let clientCa: string | undefined;
      if (p.authenticationRef && !authn) notes.push(`Its BrokerAuthentication ${p.authenticationRef} was not found; trying without authentication.`);
      for (const m of authn?.methods ?? []) {
        if (m.method === 'X509') {
          clientCa = m.trustedClientCaCert;
          const trusted = m.trustedClientCaCert ? bundleFps(m.trustedClientCaCert) : new Set<string>();
          const pick = input.clientCertificateId
            ? byId.get(input.clientCertificateId)
            : vault.find((c) => !c.isCa && c.hasPrivateKey && chainFps(c.id).some((fp) => trusted.has(fp)));
          if (pick) {
            auth = { method: 'x509', certificateId: pick.id };
            notes.push(`X.509 with the vault client certificate ${pick.commonName}${m.trustedClientCaCert ? `, whose chain ConfigMap ${m.trustedClientCaCert} trusts` : ''}.`);
            break;
          }
          notes.push(`No client certificate in the vault chains to ${m.trustedClientCaCert ? `ConfigMap ${m.trustedClientCaCert}` : 'the listener\'s client CA'}.`);
        } else if (m.method === 'ServiceAccountToken') {
          auth = { method: 'sat', token: { source: 'tokenRequest', nodeId, serviceAccount: input.serviceAccount, namespace: d.namespace, audience: m.audiences?.[0] ?? 'aio-internal' } };
          notes.push(`K8S-SAT with a token for ${d.namespace}/${input.serviceAccount} (audience ${m.audiences?.[0] ?? 'aio-internal'}) minted through TokenRequest.`);
          break;
        }
      }
      const routes: { host: string; port: number; route: MatrixTargetT['route']; how: string; servername?: string }[] = [];
      const type = l.serviceType;
      if (type === 'LoadBalancer') {
        const ips = svc?.externalIps ?? [];
        for (const ip of ips) routes.push({ host: ip, port: p.port, route: { kind: 'direct' }, how: `LoadBalancer ${ip}` });
        if (ips.length === 0) skipped.push({ listener: l.name, port: p.port, reason: `The LoadBalancer service ${l.serviceName} has no external IP yet; the cluster's load balancer has not assigned one.` });
      } else if (type === 'NodePort') {
        const nodePort = p.nodePort ?? svc?.ports.find((sp) => sp.port === p.port)?.nodePort;
        if (nodePort) routes.push({ host: input.nodeHost, port: nodePort, route: { kind: 'direct' }, how: `NodePort ${nodePort} on ${input.nodeHost}` });
        else skipped.push({ listener: l.name, port: p.port, reason: `The NodePort service ${l.serviceName} has no node port for ${p.port} yet.` });
      } else {
        const host = svc?.clusterIp && svc.clusterIp !== 'None' ? svc.clusterIp : `${l.serviceName}.${d.namespace}.svc.cluster.local`;
        // Through the tunnel the address is 127.0.0.1; the name checked is one the server certificate lists.
        const servername = cert?.dnsNames[0] ?? `${l.serviceName}.${d.namespace}`;
        routes.push({ host, port: p.port, route: { kind: 'sshTunnel', nodeId }, how: `ClusterIp ${host}:${p.port} through SSH from the node`, servername });
      }
      for (const r of routes) {
        const id = `t${++n}`;
        if (clientCa && auth.method === 'x509') clientCaByTarget[id] = clientCa;
        targets.push({
          id,
          label: `${l.name} :${p.port} (${r.how})`,
          listener: l.name,
          serviceType: type,
          host: r.host,
          port: r.port,
          tls,
          ...(tls && (servedCa(p.tls.servedChain) ?? ca) ? { ca: servedCa(p.tls.servedChain) ?? ca } : {}),
          ...(tls && r.servername ? { servername: r.servername } : {}),
          auth,
          mqttVersion: '5.0',
          route: r.route,
          notes: [...notes],
        });
      }
    }
  }
  if (d.listeners.length === 0) warnings.push(d.aioPresent ? `No broker listeners in namespace ${d.namespace}.` : 'Azure IoT Operations is not installed on this node; give endpoints by hand instead.');
  return {
    nodeId,
    targets,
    skipped,
    warnings,
    knowledge: {
      vaultCas: vault.filter((c) => c.isCa),
      vaultCertificates: [...vault],
      trustBundles: d.trustBundles,
      clientCaByTarget,
    },
  };
}
