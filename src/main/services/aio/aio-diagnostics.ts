import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { z } from 'zod';
import type { AioDiscoveryT, DiagnosticT, FixActionT, ListenerInput, ListenerSummaryT, TlsSummaryT } from '@shared/contract/aio-contract';
import { canonicalEnum, PROTOCOLS, SERVICE_TYPES } from './aio-constants';
import { chainsTo, keyFamilyOf, opensslSubject, parseCertificates } from './aio-pem';
import { findListenerClashes } from './aio-spec-validator';

type ListenerInputT = z.output<typeof ListenerInput>;

/** Everything diagnose looks at besides discovery; the service reads it from the cluster and the vault. */
export interface DiagnosticInputs {
  discovery: AioDiscoveryT;
  /** tls.crt of each Secret a Manual TLS listener names; null when the Secret does not exist. */
  listenerSecrets: ReadonlyMap<string, string | null>;
  /** Certificates of each ConfigMap an X509 policy trusts (all values joined); null when it does not exist. */
  clientCaConfigMaps: ReadonlyMap<string, string | null>;
  nodeAddresses: readonly string[];
  vaultServerCertificates: ReadonlyArray<{ id: string; commonName: string; pem: string }>;
  /** Vault client certificates with their chains (leaf first, up to the root when the vault has it). */
  vaultClientChains: ReadonlyArray<{ id: string; commonName: string; chainPem: string; rootId: string | null }>;
  /** True when the person named the client certificates; then each one is reported, not just "none chain". */
  clientsExplicit: boolean;
  /** How long the service waited for pending issuance before this diagnosis; 0 = it did not wait. */
  issuanceWaitedMs?: number;
  /** The time to compare request ages with (ISO); tests fix it. */
  now?: string;
}

/** A Manual TLS server certificate this close to its end is a warning: nobody renews it on its own. */
export const MANUAL_EXPIRY_WARNING_MS = 14 * 24 * 3600_000;

/** A request older than this with a ready issuer is worth a warning rather than a "wait". */
export const ISSUANCE_PATIENCE_MS = 120_000;

function tlsInput(t: TlsSummaryT): ListenerInputT['ports'][number]['tls'] {
  if (t.mode === 'Manual') return t.secretName ? { mode: 'Manual', secretName: t.secretName } : undefined;
  if (t.mode === 'Automatic' && t.issuerRef) {
    return {
      mode: 'Automatic',
      issuerRef: { name: t.issuerRef.name, kind: t.issuerRef.kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer', group: t.issuerRef.group },
      ...(t.privateKey ? { privateKey: t.privateKey as never } : {}),
      ...(t.san ? { san: { dns: [...t.san.dns], ip: [...t.san.ip] } } : {}),
      ...(t.duration ? { duration: t.duration } : {}),
      ...(t.renewBefore ? { renewBefore: t.renewBefore } : {}),
      ...(t.secretName ? { secretName: t.secretName } : {}),
    };
  }
  return undefined;
}

/**
 * A discovered listener as an apply input, so a fix can change one field and go through plan and apply.
 * Enums are read in any case; a serviceType or protocol Fieldbench does not recognise gives undefined, so no
 * fix ever rewrites a listener into another service type or protocol.
 */
export function listenerInputFromSummary(l: ListenerSummaryT): ListenerInputT | undefined {
  const serviceType = canonicalEnum(l.serviceType, SERVICE_TYPES);
  const protocols = l.ports.map((p) => canonicalEnum(p.protocol, PROTOCOLS));
  if (!serviceType || protocols.some((p) => p === undefined)) return undefined;
  return {
    name: l.name,
    brokerRef: l.brokerRef,
    ...(l.serviceName !== l.name ? { serviceName: l.serviceName } : {}),
    serviceType,
    ports: l.ports.map((p, i) => {
      const tls = tlsInput(p.tls);
      return {
        port: p.port,
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        protocol: protocols[i]!,
        ...(p.authenticationRef ? { authenticationRef: p.authenticationRef } : {}),
        ...(p.authorizationRef ? { authorizationRef: p.authorizationRef } : {}),
        ...(tls ? { tls } : {}),
      };
    }),
  };
}

function applyFix(namespace: string, listener: ListenerInputT, allowDefault: boolean): FixActionT {
  return {
    call: 'aio.apply',
    spec: { namespace, serverSecrets: [], clientCas: [], authentications: [], authorizations: [], listeners: [listener], allowDefault },
  };
}

function certMatches(cert: X509Certificate, address: string): boolean {
  return isIP(address) !== 0 ? cert.checkIP(address) !== undefined : cert.checkHost(address) !== undefined;
}

/**
 * Explains what is wrong with a broker setup, most serious first. Each diagnostic says what happens to
 * clients and what to do; where the fix is an ordinary apply (point a listener at an issuer that exists,
 * add an address to an Automatic certificate, create a missing client CA ConfigMap) it carries that spec,
 * which the UI plans (YAML, diff) before applying.
 */
export function diagnoseAio(input: DiagnosticInputs): DiagnosticT[] {
  const { discovery: d } = input;
  const ns = d.namespace;
  const out: DiagnosticT[] = [];
  const add = (x: DiagnosticT): void => void out.push(x);

  if (!d.aioPresent) {
    add({ id: 'aio-missing', severity: 'error', resource: { kind: 'Namespace', name: ns }, sentence: `Azure IoT Operations' broker API does not answer on this cluster, so there is nothing to check.`, fix: { label: 'Install Azure IoT Operations on the node (az iot ops create), then run the diagnosis again.' } });
    return out;
  }

  const issuerOf = (name: string, kind: string) => d.issuers.find((i) => i.name === name && i.kind === kind && (kind === 'ClusterIssuer' || i.namespace === ns));
  const readyIssuers = d.issuers.filter((i) => i.ready === 'True' && (i.kind === 'ClusterIssuer' || i.namespace === ns));
  // The install's own issuer first (discovered, never assumed), then any ready ClusterIssuer.
  const installIssuer = d.trustSettings.issuer;
  const preferred = readyIssuers.find((i) => i.name === installIssuer.name && i.kind === installIssuer.kind) ?? readyIssuers.find((i) => i.kind === 'ClusterIssuer') ?? readyIssuers[0];
  const certFor = (listener: string, port: number) =>
    d.certificates.find((c) => c.name === `aio-broker-frontend-server-${port}` && (c.listener === undefined || c.listener === listener)) ?? d.certificates.find((c) => c.listener === listener && c.name.endsWith(`-${port}`));
  // cert-manager makes one request per revision; the newest one says where issuance stands.
  const requestFor = (cert: string) =>
    d.certificateRequests.filter((r) => r.certificate === cert).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0) || (b.created ?? '').localeCompare(a.created ?? ''))[0];
  const issuersListed = !d.warnings.some((w) => /issuers/.test(w));
  const reportedCerts = new Set<string>();
  const pointAtPreferred = (l: ListenerSummaryT, port: number, why: string): DiagnosticT['fix'] | undefined => {
    if (!preferred) return undefined;
    const input = listenerInputFromSummary(l);
    const p = input?.ports.find((x) => x.port === port);
    if (!input || p?.tls?.mode !== 'Automatic') return { label: `Point port ${port} at ${preferred.kind} ${preferred.name}, which is ready (${why}).` };
    p.tls.issuerRef = { name: preferred.name, kind: preferred.kind, group: 'cert-manager.io' };
    return { label: `Point port ${port} at ${preferred.kind} ${preferred.name}, which is ready`, action: applyFix(ns, input, l.isDefault) };
  };

  // 1. A listener whose TLS issuer does not exist (the seed 001 afternoon): cert-manager's CertificateRequest
  //    says so ("Referenced … not found"); without a request yet, the issuer list does, if it could be read.
  for (const l of d.listeners) {
    for (const p of l.ports) {
      const ref = p.tls.issuerRef;
      if (p.tls.mode !== 'Automatic' || !ref || ref.group !== 'cert-manager.io') continue;
      const cert = certFor(l.name, p.port);
      const request = cert ? requestFor(cert.name) : undefined;
      const requestSaysMissing = request?.ready === 'False' && request.reason === 'Pending' && / not found/.test(request.message ?? '');
      const listSaysMissing = !request && issuersListed && issuerOf(ref.name, ref.kind) === undefined;
      if (!requestSaysMissing && !listSaysMissing) continue;
      if (cert) reportedCerts.add(cert.name);
      const evidence = requestSaysMissing ? ` cert-manager's request ${request!.name} says: ${request!.message}.` : '';
      const fix = pointAtPreferred(l, p.port, 'the listener names an issuer that does not exist') ?? { label: `Create ${ref.kind} ${ref.name}${ref.kind === 'Issuer' ? ` in ${ns}` : ''}, or point the listener at an issuer that exists.` };
      add({
        id: `listener-issuer-missing:${l.name}:${p.port}`,
        severity: 'error',
        resource: { kind: 'BrokerListener', name: l.name, namespace: ns },
        sentence: `Listener ${l.name} port ${p.port} asks ${ref.kind} ${ref.name} for its TLS certificate, but that ${ref.kind} does not exist${ref.kind === 'Issuer' ? ` in ${ns}` : ''}.${evidence} No server certificate can be issued, and clients will see ECONNRESET during the handshake.`,
        fix,
      });
    }
  }

  // 2. Certificates not issued for another reason. The Certificate's own reason (DoesNotExist) only says its
  //    Secret is not there yet; why is on its CertificateRequest and on the issuer's Ready condition.
  for (const c of d.certificates) {
    if (c.ready === 'True' || reportedCerts.has(c.name)) continue;
    const request = requestFor(c.name);
    const issuer = issuerOf(c.issuerRef.name, c.issuerRef.kind);
    const who = `Certificate ${c.name}${c.listener ? ` (listener ${c.listener})` : ''}`;
    const base = { resource: { kind: 'Certificate', name: c.name, namespace: ns } };
    if (request?.ready === 'False' && request.reason === 'Failed') {
      add({ ...base, id: `certificate-request-failed:${c.name}`, severity: 'error', sentence: `${who} is not issued: cert-manager's request ${request.name} failed: ${request.message ?? 'no reason given'}. cert-manager retries with back-off; until then the listener has no server certificate.`, fix: { label: `Fix what the request names (kubectl describe certificaterequest ${request.name} -n ${ns}); cert-manager then issues it.` } });
      continue;
    }
    const issuerNotReady = (request?.ready === 'False' && request.reason === 'Pending') || (issuer !== undefined && issuer.ready !== 'True');
    if (issuerNotReady) {
      const detail = issuer?.message ?? issuer?.reason ?? request?.message ?? 'it is not ready';
      add({ ...base, id: `certificate-not-ready:${c.name}`, severity: 'error', sentence: `${who} is not issued: its ${c.issuerRef.kind} ${c.issuerRef.name} exists but is not ready${request?.message ? ` (cert-manager: ${request.message})` : ''}. Until it is, the listener has no server certificate and TLS handshakes fail.`, fix: { label: `Fix ${c.issuerRef.kind} ${c.issuerRef.name} first: ${detail.replace(/\.$/, '')}.` } });
      continue;
    }
    // The issuer is there and ready: the certificate is simply not issued yet.
    const waited = input.issuanceWaitedMs ?? 0;
    const since = request?.created ? Math.max(0, Date.parse(input.now ?? new Date().toISOString()) - Date.parse(request.created)) : undefined;
    const slow = waited > 0 || (since !== undefined && since > ISSUANCE_PATIENCE_MS);
    add({
      ...base,
      id: `certificate-not-issued-yet:${c.name}`,
      severity: slow ? 'warning' : 'info',
      sentence: slow
        ? `${who} is still not issued${waited > 0 ? ` after waiting ${Math.round(waited / 1000)} s` : since !== undefined ? ` ${Math.round(since / 60_000)} min after cert-manager asked for it` : ''}, although its ${c.issuerRef.kind} ${c.issuerRef.name} is ready${request ? ` (request ${request.name}${request.approved ? '' : ', not approved yet'})` : ', and cert-manager has not made a request yet'}.`
        : `${who} is not issued yet; cert-manager is issuing it from ${c.issuerRef.kind} ${c.issuerRef.name}, which is ready. This normally takes seconds.`,
      fix: { label: slow ? `Read the request's events (kubectl describe certificaterequest ${request?.name ?? `-l cert-manager.io/certificate-name=${c.name}`} -n ${ns}) and cert-manager's log.` : 'Wait a moment and run the check again.' },
    });
  }
  for (const i of d.issuers) {
    if (i.ready === 'True') continue;
    add({
      id: `issuer-not-ready:${i.kind}:${i.name}`,
      severity: 'warning',
      resource: { kind: i.kind, name: i.name, ...(i.namespace ? { namespace: i.namespace } : {}) },
      sentence: `${i.kind} ${i.name} is not ready${i.reason ? ` (${i.reason}${i.message ? `: ${i.message}` : ''})` : ''}; certificates it should issue stay pending.`,
      fix: { label: i.type === 'ca' ? `Make sure the CA Secret the issuer names exists (for a ClusterIssuer, in the cert-manager namespace).` : `Check the issuer's configuration with kubectl describe ${i.kind.toLowerCase()} ${i.name}.` },
    });
  }

  // 3. Server certificates: present, and naming the addresses clients use.
  for (const l of d.listeners) {
    for (const p of l.ports) {
      if (p.tls.mode !== 'Manual' || !p.tls.secretName || input.listenerSecrets.get(p.tls.secretName) !== null) continue;
      add({
        id: `listener-secret-missing:${l.name}:${p.port}`,
        severity: 'error',
        resource: { kind: 'BrokerListener', name: l.name, namespace: ns },
        sentence: `Listener ${l.name} port ${p.port} serves TLS from Secret ${p.tls.secretName}, which does not exist in ${ns}; the broker cannot start TLS on that port and clients will see the handshake fail.`,
        fix: { label: `Apply a server Secret named ${p.tls.secretName} from a vault server certificate.` },
      });
    }
  }
  // A Secret someone put there is not renewed by anyone: its dates are the listener's.
  const nowMs = input.now ? Date.parse(input.now) : Date.now();
  for (const l of d.listeners) {
    for (const p of l.ports) {
      const pem = p.tls.mode === 'Manual' && p.tls.secretName ? input.listenerSecrets.get(p.tls.secretName) : undefined;
      const leaf = pem ? parseCertificates(pem)[0] : undefined;
      if (!leaf) continue;
      const end = Date.parse(leaf.validTo);
      const begin = Date.parse(leaf.validFrom);
      const where = `The server certificate in Secret ${p.tls.secretName} (listener ${l.name} port ${p.port}, ${opensslSubject(leaf.subject)})`;
      const renew = { label: `Renew the server certificate in the vault (or issue a new one), then apply Secret ${p.tls.secretName} again.` };
      if (end <= nowMs) {
        add({ id: `server-cert-expired:${l.name}:${p.port}`, severity: 'error', resource: { kind: 'Secret', name: p.tls.secretName!, namespace: ns }, sentence: `${where} expired on ${new Date(end).toISOString()}; every client refuses the handshake.`, fix: renew });
      } else if (begin > nowMs) {
        add({ id: `server-cert-not-yet-valid:${l.name}:${p.port}`, severity: 'error', resource: { kind: 'Secret', name: p.tls.secretName!, namespace: ns }, sentence: `${where} is only valid from ${new Date(begin).toISOString()}; until then clients refuse it. Check the clocks of the machine that issued it and of the clients.`, fix: renew });
      } else if (end - nowMs < MANUAL_EXPIRY_WARNING_MS) {
        add({ id: `server-cert-expiring:${l.name}:${p.port}`, severity: 'warning', resource: { kind: 'Secret', name: p.tls.secretName!, namespace: ns }, sentence: `${where} expires on ${new Date(end).toISOString()}, in ${Math.ceil((end - nowMs) / 86_400_000)} days; nothing renews a Manual TLS Secret.`, fix: renew });
      }
    }
  }
  for (const l of d.listeners) {
    const svc = d.services.find((s) => s.listener === l.name) ?? d.services.find((s) => s.name === l.serviceName);
    const external = l.serviceType === 'LoadBalancer' ? (svc?.externalIps ?? []) : [];
    // Cluster-internal listeners are reached through Service names, not the node's address.
    const nodeAddrs = l.serviceType === 'ClusterIp' ? [] : input.nodeAddresses;
    const wanted = [...new Set([...nodeAddrs, ...external])];
    if (wanted.length === 0) continue;
    for (const p of l.ports) {
      if (p.tls.mode === 'Manual' && p.tls.secretName) {
        const pem = input.listenerSecrets.get(p.tls.secretName);
        const leaf = pem ? parseCertificates(pem)[0] : undefined;
        if (!leaf) continue;
        for (const addr of wanted) {
          if (certMatches(leaf, addr)) continue;
          const role = external.includes(addr) ? "the LoadBalancer's external IP" : "the node's address";
          add({
            id: `server-cert-san:${l.name}:${p.port}:${addr}`,
            severity: 'error',
            resource: { kind: 'Secret', name: p.tls.secretName, namespace: ns },
            sentence: `The server certificate in Secret ${p.tls.secretName} (listener ${l.name} port ${p.port}, ${opensslSubject(leaf.subject)}) does not list ${addr}, ${role}; clients connecting to ${addr} will reject it.`,
            fix: { label: `Re-issue the server certificate in the vault with ${addr} in its SANs, then apply the Secret again.` },
          });
        }
      }
      if (p.tls.mode === 'Automatic' && p.tls.issuerRef) {
        const cert = certFor(l.name, p.port);
        const listed = new Set([...(p.tls.san?.ip ?? []), ...(p.tls.san?.dns ?? []), ...(cert?.ipAddresses ?? []), ...(cert?.dnsNames ?? [])]);
        const missing = wanted.filter((a) => !listed.has(a));
        if (missing.length === 0) continue;
        const input2 = listenerInputFromSummary(l);
        const port = input2?.ports.find((x) => x.port === p.port);
        if (port?.tls?.mode === 'Automatic') {
          const san = port.tls.san ?? { dns: [], ip: [] };
          for (const m of missing) (isIP(m) !== 0 ? san.ip : san.dns).push(m);
          port.tls.san = san;
        }
        add({
          id: `server-cert-san:${l.name}:${p.port}:${missing.join(',')}`,
          severity: 'error',
          resource: { kind: 'BrokerListener', name: l.name, namespace: ns },
          sentence: `The automatic server certificate of listener ${l.name} port ${p.port} does not list ${missing.join(', ')}; clients connecting to ${missing.length === 1 ? 'that address' : 'those addresses'} will reject it.`,
          fix: input2
            ? { label: `Add ${missing.join(', ')} to the port's SANs (cert-manager re-issues the certificate)`, action: applyFix(ns, input2, l.isDefault) }
            : { label: `Add ${missing.join(', ')} to the port's SANs (cert-manager re-issues the certificate); the listener's service type or protocol is not one Fieldbench rewrites, so edit it where it was made.` },
        });
      }
    }
  }
  for (const v of input.vaultServerCertificates) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(v.pem);
    } catch {
      continue;
    }
    for (const addr of input.nodeAddresses) {
      if (certMatches(cert, addr)) continue;
      add({
        id: `vault-server-cert-san:${v.id}:${addr}`,
        severity: 'error',
        resource: { kind: 'VaultCertificate', name: v.commonName },
        sentence: `The vault's server certificate ${v.commonName} does not list ${addr}, the node's address; a listener serving it will be rejected by clients connecting to ${addr}.`,
        fix: { label: `Re-issue ${v.commonName} with ${addr} in its SANs.` },
      });
    }
  }

  // 4. X.509 policies: the trusted client CA ConfigMap and the vault's client chains.
  const rootIds = [...new Set(input.vaultClientChains.map((c) => c.rootId).filter((x): x is string => x !== null))];
  for (const a of d.authentications) {
    for (const m of a.methods) {
      if (m.method !== 'X509' || !m.trustedClientCaCert) continue;
      const cmName = m.trustedClientCaCert;
      const pem = input.clientCaConfigMaps.get(cmName);
      if (pem === null) {
        add({
          id: `client-ca-missing:${a.name}:${cmName}`,
          severity: 'error',
          resource: { kind: 'BrokerAuthentication', name: a.name, namespace: ns },
          sentence: `Policy ${a.name} trusts client CAs from ConfigMap ${cmName}, which does not exist in ${ns}; every client certificate will be refused.`,
          fix:
            rootIds.length > 0
              ? {
                  label: `Create ConfigMap ${cmName} from the client CA chain in the vault`,
                  action: { call: 'aio.apply', spec: { namespace: ns, serverSecrets: [], clientCas: [{ name: cmName, certificateIds: rootIds.slice(0, 20), key: 'client_ca.pem', include: 'chain' }], authentications: [], authorizations: [], listeners: [], allowDefault: false } },
                }
              : { label: `Create ConfigMap ${cmName} holding your client root CA under the key client_ca.pem.` },
        });
        continue;
      }
      const trusted = parseCertificates(pem ?? '');
      if (pem !== undefined && trusted.length === 0) {
        add({
          id: `client-ca-empty:${a.name}:${cmName}`,
          severity: 'error',
          resource: { kind: 'ConfigMap', name: cmName, namespace: ns },
          sentence: `ConfigMap ${cmName}, trusted by policy ${a.name}, holds no readable certificate; every client certificate will be refused.`,
          fix: { label: `Put the client root CA (PEM) into ${cmName} under the key client_ca.pem.` },
        });
        continue;
      }
      if (trusted.length === 0 || input.vaultClientChains.length === 0) continue;
      const results = input.vaultClientChains.map((c) => ({ c, ok: chainsTo(parseCertificates(c.chainPem), trusted) }));
      const failing = results.filter((r) => !r.ok);
      if (input.clientsExplicit) {
        for (const { c } of failing) {
          add({
            id: `client-ca-not-chaining:${a.name}:${c.id}`,
            severity: 'error',
            resource: { kind: 'ConfigMap', name: cmName, namespace: ns },
            sentence: `Client certificate ${c.commonName} does not chain to any CA in ConfigMap ${cmName}, so policy ${a.name} will refuse it.`,
            fix: { label: `Add ${c.commonName}'s root or intermediate CA to ${cmName}, or issue the client from a CA that is in it.` },
          });
        }
      } else if (failing.length === results.length) {
        add({
          id: `client-ca-not-chaining:${a.name}:*`,
          severity: 'warning',
          resource: { kind: 'ConfigMap', name: cmName, namespace: ns },
          sentence: `None of the ${results.length} client certificate${results.length === 1 ? '' : 's'} in the vault chain to a CA in ConfigMap ${cmName}, so policy ${a.name} would refuse them all.`,
          fix: { label: `Put the CA that issued your clients into ${cmName}, or pick the client certificates to check.` },
        });
      }
    }
  }
  for (const c of input.vaultClientChains) {
    const certs = parseCertificates(c.chainPem);
    const families = [...new Set(certs.map(keyFamilyOf))];
    if (families.length <= 1) continue;
    add({
      id: `client-chain-mixed-keys:${c.id}`,
      severity: 'error',
      resource: { kind: 'VaultCertificate', name: c.commonName },
      sentence: `The chain of client certificate ${c.commonName} mixes key types (${certs.map((x) => `${opensslSubject(x.subject)}: ${keyFamilyOf(x).toUpperCase()}`).join('; ')}); the broker requires every certificate of a client chain to use the same family (EC or RSA) and refuses it.`,
      fix: { label: 'Issue the client and its CAs with one key family (EC P-256 is the default).' },
    });
  }

  // 5. Rules across listeners, and references that do not resolve.
  for (const c of findListenerClashes(d.listeners)) {
    add({
      id: `${c.kind}:${c.listener}${c.port !== undefined ? `:${c.port}` : ''}`,
      severity: 'error',
      resource: { kind: 'BrokerListener', name: c.listener, namespace: ns },
      sentence: c.sentence,
      fix: { label: c.kind === 'service-type' ? 'Merge the ports into one listener of that service type.' : 'Change the port on the listener you added.' },
    });
  }
  const authNames = new Map(d.authentications.map((a) => [a.name, a]));
  const authzNames = new Set(d.authorizations.map((a) => a.name));
  for (const l of d.listeners) {
    for (const p of l.ports) {
      const auth = p.authenticationRef ? authNames.get(p.authenticationRef) : undefined;
      if (p.authenticationRef && !auth) {
        add({ id: `authentication-missing:${l.name}:${p.port}`, severity: 'error', resource: { kind: 'BrokerListener', name: l.name, namespace: ns }, sentence: `Listener ${l.name} port ${p.port} uses authentication ${p.authenticationRef}, which does not exist; the broker refuses every client on that port.`, fix: { label: `Create policy ${p.authenticationRef} or point the port at an existing one.` } });
      }
      if (auth?.methods.some((m) => m.method === 'X509') && p.tls.mode === 'None') {
        add({ id: `x509-without-tls:${l.name}:${p.port}`, severity: 'error', resource: { kind: 'BrokerListener', name: l.name, namespace: ns }, sentence: `Listener ${l.name} port ${p.port} uses X.509 policy ${auth.name} without TLS; client certificates only travel in a TLS handshake, so no client can authenticate.`, fix: { label: 'Turn on TLS (Automatic or Manual) for that port.' } });
      }
      if (p.authorizationRef && !authzNames.has(p.authorizationRef)) {
        add({ id: `authorization-missing:${l.name}:${p.port}`, severity: 'error', resource: { kind: 'BrokerListener', name: l.name, namespace: ns }, sentence: `Listener ${l.name} port ${p.port} uses authorization ${p.authorizationRef}, which does not exist.`, fix: { label: `Create ${p.authorizationRef} or remove the reference.` } });
      }
      if (p.authorizationRef && !p.authenticationRef) {
        add({ id: `authorization-without-authentication:${l.name}:${p.port}`, severity: 'warning', resource: { kind: 'BrokerListener', name: l.name, namespace: ns }, sentence: `Listener ${l.name} port ${p.port} has authorization ${p.authorizationRef} but no authentication, so the authorization never applies.`, fix: { label: 'Add an authentication policy to the port.' } });
      }
    }
  }

  if (!d.trustBundles.some((b) => b.role === 'client-trust')) {
    add({ id: 'trust-bundle-missing', severity: 'warning', resource: { kind: 'ConfigMap', name: '-', namespace: ns }, sentence: `No trust bundle ConfigMap was found in ${ns}; clients of the default listener will not know which CA to trust.`, fix: { label: 'Check the install\'s trust settings (az iot ops show) for the ConfigMap it uses.' } });
  }

  const rank = { error: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
