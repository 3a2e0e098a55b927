import { isIP } from 'node:net';
import type { ApplySpecParsed, AuthenticationSummaryT, IssuerSummaryT, ListenerSummaryT, SpecIssueT } from '@shared/contract/aio-contract';
import { canonicalEnum, DEFAULT_AUTHENTICATION, DEFAULT_LISTENER, DEFAULT_SERVICE_NAME, isArmName, NODE_PORT_MAX, NODE_PORT_MIN, SERVICE_TYPES } from './aio-constants';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** The broker compares subjects written the OpenSSL way, with spaces around '='. */
const OPENSSL_SUBJECT = /^[A-Za-z][A-Za-z0-9.]* = .+/;

/** A listener reduced to what clash checks need; both discovered and planned listeners fit. */
export interface ListenerShape {
  name: string;
  serviceType: string;
  serviceName?: string;
  ports: Array<{ port: number; nodePort?: number | undefined }>;
}

export interface ListenerClash {
  kind: 'port-clash' | 'node-port-clash' | 'node-port-range' | 'node-port-type' | 'service-type' | 'service-name' | 'port-range' | 'duplicate-port';
  listener: string;
  port?: number;
  sentence: string;
}

/**
 * Rules the broker enforces across listeners: a port number belongs to one listener, a nodePort is in
 * 30000–32767 and only on NodePort listeners, and there is one listener per service type.
 */
export function findListenerClashes(listeners: readonly ListenerShape[]): ListenerClash[] {
  const out: ListenerClash[] = [];
  const portOwner = new Map<number, string>();
  const nodePortOwner = new Map<number, string>();
  const typeOwner = new Map<string, string>();
  const serviceOwner = new Map<string, string>();
  for (const l of listeners) {
    // Case-insensitive: a cluster stores `loadBalancer` as given, and it is the same service type.
    const type = canonicalEnum(l.serviceType, SERVICE_TYPES) ?? l.serviceType;
    const seenHere = new Set<number>();
    for (const p of l.ports) {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        out.push({ kind: 'port-range', listener: l.name, port: p.port, sentence: `Listener ${l.name} uses port ${p.port}, which is not a TCP port. Choose a port between 1 and 65535 (8883 is usual for MQTT over TLS).` });
      }
      if (seenHere.has(p.port)) {
        out.push({ kind: 'duplicate-port', listener: l.name, port: p.port, sentence: `Listener ${l.name} lists port ${p.port} twice. Keep one entry per port.` });
      }
      seenHere.add(p.port);
      const other = portOwner.get(p.port);
      if (other !== undefined && other !== l.name) {
        out.push({ kind: 'port-clash', listener: l.name, port: p.port, sentence: `Port ${p.port} is used by listener ${other} and by listener ${l.name}; a port number cannot be reused across listeners. Give ${l.name} another port.` });
      } else portOwner.set(p.port, l.name);
      if (p.nodePort !== undefined) {
        if (type !== 'NodePort') {
          out.push({ kind: 'node-port-type', listener: l.name, port: p.port, sentence: `Listener ${l.name} sets nodePort ${p.nodePort} on port ${p.port}, but it is a ${l.serviceType} listener; only NodePort listeners take a nodePort. Remove it or make the listener NodePort.` });
        }
        if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
          out.push({ kind: 'node-port-range', listener: l.name, port: p.port, sentence: `Listener ${l.name} asks for nodePort ${p.nodePort}, outside the range Kubernetes allows (${NODE_PORT_MIN}–${NODE_PORT_MAX}). Choose a nodePort in that range, e.g. 31883.` });
        }
        const npOther = nodePortOwner.get(p.nodePort);
        if (npOther !== undefined && npOther !== l.name) {
          out.push({ kind: 'node-port-clash', listener: l.name, port: p.port, sentence: `nodePort ${p.nodePort} is used by listener ${npOther} and by listener ${l.name}. Give ${l.name} another nodePort.` });
        } else nodePortOwner.set(p.nodePort, l.name);
      }
    }
    const typeOther = typeOwner.get(type.toLowerCase());
    if (typeOther !== undefined && typeOther !== l.name) {
      out.push({ kind: 'service-type', listener: l.name, sentence: `Listener ${l.name} is a second ${type} listener (${typeOther} is one already); the broker allows one listener per service type. Add the port to ${typeOther} instead, or choose another service type.` });
    } else typeOwner.set(type.toLowerCase(), l.name);
    // The listener's Service is named serviceName (default: the listener's name), unique in the namespace.
    const service = l.serviceName ?? (l.name === DEFAULT_LISTENER ? DEFAULT_SERVICE_NAME : l.name);
    const serviceOther = serviceOwner.get(service);
    if (serviceOther !== undefined && serviceOther !== l.name) {
      out.push({ kind: 'service-name', listener: l.name, sentence: `Listener ${l.name} would create Service ${service}, which listener ${serviceOther} already uses${service === DEFAULT_SERVICE_NAME ? ' (it is the default listener\'s)' : ''}; a listener's service name must be unique in the namespace. Give ${l.name} another service name.` });
    } else serviceOwner.set(service, l.name);
  }
  return out;
}

/** What the cluster already has, as far as a spec's references are concerned. */
export interface ClusterFacts {
  listeners: readonly ListenerSummaryT[];
  authentications: readonly AuthenticationSummaryT[];
  authorizations: readonly string[];
  issuers: readonly IssuerSummaryT[];
  /** Names that exist in the spec's namespace (only the ones the spec refers to need be checked). */
  secrets: ReadonlySet<string>;
  configMaps: ReadonlySet<string>;
}

/**
 * Checks a spec before anything is sent, against itself and against the cluster: names Kubernetes accepts,
 * references that resolve, TLS where X.509 needs it, the listener rules, and the default resources left
 * alone. Every problem is a sentence that says what to change.
 */
export function validateApplySpec(spec: ApplySpecParsed, clusterFacts: ClusterFacts | undefined): SpecIssueT[] {
  const issues: SpecIssueT[] = [];
  // Without a cluster (aio render) nothing is known of what is already there: a reference the spec does not
  // satisfy itself may well exist on the cluster, so it is a warning to check rather than an error.
  const offline = clusterFacts === undefined;
  const facts: ClusterFacts = clusterFacts ?? { listeners: [], authentications: [], authorizations: [], issuers: [], secrets: new Set(), configMaps: new Set() };
  const elsewhere = offline ? 'is not in this spec; make sure it exists on the cluster before applying' : 'is neither on the cluster nor in this spec';
  const ns = spec.namespace;
  const err = (kind: string, name: string, sentence: string, field?: string): void =>
    void issues.push({ severity: 'error', resource: { kind, name, namespace: ns }, sentence, ...(field ? { field } : {}) });
  const warn = (kind: string, name: string, sentence: string, field?: string): void =>
    void issues.push({ severity: 'warning', resource: { kind, name, namespace: ns }, sentence, ...(field ? { field } : {}) });

  const nothing = spec.serverSecrets.length + spec.clientCas.length + spec.authentications.length + spec.authorizations.length + spec.listeners.length === 0;
  if (nothing) err('Spec', '-', 'The spec has nothing to apply. Add a server Secret, a client CA, a policy or a listener.');

  if (!DNS1123_LABEL.test(ns)) err('Namespace', ns, `"${ns}" is not a valid namespace name. Use lower-case letters, digits and '-'.`);

  // Names, unique per kind.
  const checkNames = (kind: string, names: string[], pattern: RegExp, max: number, rule: string): void => {
    const seen = new Set<string>();
    for (const n of names) {
      if (!pattern.test(n) || n.length > max) err(kind, n, `${kind} name "${n}" is not valid: ${rule}.`, 'metadata.name');
      if (seen.has(n)) err(kind, n, `The spec has two ${kind} resources named ${n}. Give each its own name.`, 'metadata.name');
      seen.add(n);
    }
  };
  const subdomainRule = "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";
  const labelRule = "use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
  checkNames('Secret', spec.serverSecrets.map((s) => s.name), DNS1123_SUBDOMAIN, 253, subdomainRule);
  checkNames('ConfigMap', spec.clientCas.map((c) => c.name), DNS1123_SUBDOMAIN, 253, subdomainRule);
  checkNames('BrokerAuthentication', spec.authentications.map((a) => a.name), DNS1123_LABEL, 63, labelRule);
  checkNames('BrokerAuthorization', spec.authorizations.map((a) => a.name), DNS1123_LABEL, 63, labelRule);
  checkNames('BrokerListener', spec.listeners.map((l) => l.name), DNS1123_LABEL, 63, labelRule);
  // The ARM resource names (azure-rest-api-specs, models/broker/*.tsp: @minLength(3) @maxLength(63)
  // @pattern("^[a-z0-9][a-z0-9-]*[a-z0-9]$")): a valid Kubernetes name outside them cannot be represented in Azure.
  for (const [kind, names] of [
    ['BrokerAuthentication', spec.authentications.map((a) => a.name)],
    ['BrokerAuthorization', spec.authorizations.map((a) => a.name)],
    ['BrokerListener', spec.listeners.map((l) => l.name)],
  ] as const) {
    for (const n of names) {
      if (DNS1123_LABEL.test(n) && !isArmName(n)) {
        warn(kind, n, `${kind} name "${n}" is valid in Kubernetes but not as an Azure resource name (3–63 characters: lower-case letters, digits and '-', starting and ending with a letter or digit), so Azure cannot represent it. Choose a name of at least 3 characters.`, 'metadata.name');
      }
    }
  }
  for (const c of spec.clientCas) {
    if (!CONFIG_KEY.test(c.key)) err('ConfigMap', c.name, `The key "${c.key}" is not a valid ConfigMap key. Use letters, digits, '-', '_' and '.', e.g. client_ca.pem.`, 'data');
  }

  // The install's own resources are left alone unless the person insists.
  if (!spec.allowDefault) {
    for (const l of spec.listeners) {
      if (l.name === DEFAULT_LISTENER) err('BrokerListener', l.name, 'The spec changes the default listener, which AIO\'s own components use. Add a new listener instead, or confirm with "allow changes to the default resources".');
    }
    for (const a of spec.authentications) {
      if (a.name === DEFAULT_AUTHENTICATION) err('BrokerAuthentication', a.name, 'The spec changes the default authentication (service account tokens for AIO\'s own components). Add a new policy instead, or confirm with "allow changes to the default resources".');
    }
  }

  // References resolve to the spec or the cluster.
  const authByName = new Map<string, { x509: boolean; trusted: string[] }>();
  for (const a of facts.authentications) {
    authByName.set(a.name, { x509: a.methods.some((m) => m.method === 'X509'), trusted: a.methods.flatMap((m) => (m.trustedClientCaCert ? [m.trustedClientCaCert] : [])) });
  }
  for (const a of spec.authentications) {
    authByName.set(a.name, { x509: a.methods.some((m) => m.method === 'X509'), trusted: a.methods.flatMap((m) => (m.method === 'X509' ? [m.trustedClientCaCert] : [])) });
  }
  const authzNames = new Set([...facts.authorizations, ...spec.authorizations.map((a) => a.name)]);
  const configMaps = new Set([...facts.configMaps, ...spec.clientCas.map((c) => c.name)]);
  const secrets = new Set([...facts.secrets, ...spec.serverSecrets.map((s) => s.name)]);

  for (const a of spec.authentications) {
    const seenMethods = new Set<string>();
    for (const m of a.methods) {
      if (seenMethods.has(m.method)) warn('BrokerAuthentication', a.name, `Policy ${a.name} lists the ${m.method} method twice; only the first can ever match. Merge them.`);
      seenMethods.add(m.method);
      if (m.method === 'X509') {
        if (!configMaps.has(m.trustedClientCaCert)) {
          (offline ? warn : err)('BrokerAuthentication', a.name, `Policy ${a.name} trusts client CAs from ConfigMap ${m.trustedClientCaCert}, which ${elsewhere}. Add a client CA ConfigMap named ${m.trustedClientCaCert}.`, 'spec.authenticationMethods.x509Settings.trustedClientCaCert');
        }
        for (const [attrName, rule] of Object.entries(m.authorizationAttributes ?? {})) {
          if (!OPENSSL_SUBJECT.test(rule.subject)) {
            warn('BrokerAuthentication', a.name, `Attribute set "${attrName}" matches subject "${rule.subject}", but the broker writes subjects the OpenSSL way with spaces, e.g. "CN = ${rule.subject.replace(/^CN\s*=\s*/i, '')}". Without that it never matches.`);
          }
        }
      }
      if (m.method === 'ServiceAccountToken' && m.audiences.some((x) => x.trim() === '')) err('BrokerAuthentication', a.name, `Policy ${a.name} has an empty audience. Remove it or write one, e.g. aio-internal.`);
      if (m.method === 'Custom') {
        if (!/^https:\/\//.test(m.endpoint)) err('BrokerAuthentication', a.name, `The custom authentication endpoint of ${a.name} must be an https:// URL; "${m.endpoint.slice(0, 80)}" is not.`);
        if (m.caCertConfigMap && !configMaps.has(m.caCertConfigMap)) warn('BrokerAuthentication', a.name, `ConfigMap ${m.caCertConfigMap} for the custom endpoint's CA is not on the cluster. Create it before clients connect.`);
      }
    }
  }

  const issuerExists = (name: string, kind: string): boolean =>
    facts.issuers.some((i) => i.name === name && i.kind === kind && (kind === 'ClusterIssuer' || i.namespace === ns));

  for (const l of spec.listeners) {
    if (l.serviceName !== undefined && (!DNS1035_LABEL.test(l.serviceName) || l.serviceName.length > 63)) {
      err('BrokerListener', l.name, `Service name "${l.serviceName}" is not valid: use lower-case letters, digits and '-', starting with a letter, at most 63 characters.`, 'spec.serviceName');
    }
    if (l.serviceName === undefined && !DNS1035_LABEL.test(l.name)) {
      err('BrokerListener', l.name, `The listener's Service takes its name (${l.name}), which must start with a letter. Set a service name that does.`, 'spec.serviceName');
    }
    for (const p of l.ports) {
      const where = `Port ${p.port} of listener ${l.name}`;
      if (p.authenticationRef) {
        const auth = authByName.get(p.authenticationRef);
        if (!auth) (offline ? warn : err)('BrokerListener', l.name, `${where} uses authentication ${p.authenticationRef}, which ${elsewhere}. Add that policy or pick an existing one.`, 'spec.ports.authenticationRef');
        else if (auth.x509 && !p.tls) err('BrokerListener', l.name, `${where} uses X.509 authentication (${p.authenticationRef}) without TLS; client certificates only travel in a TLS handshake. Turn TLS on for this port.`, 'spec.ports.tls');
      }
      if (p.authorizationRef) {
        if (!authzNames.has(p.authorizationRef)) (offline ? warn : err)('BrokerListener', l.name, `${where} uses authorization ${p.authorizationRef}, which ${elsewhere}. Add it or remove the reference.`, 'spec.ports.authorizationRef');
        if (!p.authenticationRef) warn('BrokerListener', l.name, `${where} has authorization ${p.authorizationRef} but no authentication; the broker applies authorization only to authenticated clients, so it has no effect here.`);
      }
      if (!p.authenticationRef) warn('BrokerListener', l.name, `${where} has no authentication: anyone who reaches it can connect. Fine for a test; add a policy for production.`);
      if (p.tls?.mode === 'Manual' && !secrets.has(p.tls.secretName)) {
        (offline ? warn : err)('BrokerListener', l.name, `${where} serves TLS from Secret ${p.tls.secretName}, which ${elsewhere}. Add a server Secret named ${p.tls.secretName} from a vault certificate.`, 'spec.ports.tls.manual.secretRef');
      }
      if (p.tls?.mode === 'Automatic') {
        const ref = p.tls.issuerRef;
        if (!offline && ref.group === 'cert-manager.io' && !issuerExists(ref.name, ref.kind)) {
          const alternatives = facts.issuers.filter((i) => i.ready === 'True').map((i) => `${i.kind} ${i.name}`);
          err(
            'BrokerListener',
            l.name,
            `${where} asks cert-manager ${ref.kind} ${ref.name} for its certificate, but no such ${ref.kind} exists${ref.kind === 'Issuer' ? ` in ${ns}` : ''}; the certificate would never be issued and clients would see ECONNRESET during the handshake.${alternatives.length > 0 ? ` Use ${alternatives[0]} instead.` : ' Create that issuer first.'}`,
            'spec.ports.tls.certManagerCertificateSpec.issuerRef',
          );
        }
        for (const ip of p.tls.san?.ip ?? []) {
          if (isIP(ip) === 0) err('BrokerListener', l.name, `"${ip}" in the IP SANs of ${where.toLowerCase()} is not an IP address. Put host names under DNS.`, 'spec.ports.tls.certManagerCertificateSpec.san.ip');
        }
      }
    }
  }

  // Listener rules across the cluster as it would be after the apply.
  const planned = new Map<string, ListenerShape>();
  for (const l of facts.listeners) planned.set(l.name, l);
  // Offline the default listener is still there on every install, with its Service aio-broker.
  if (offline && !planned.has(DEFAULT_LISTENER)) planned.set(DEFAULT_LISTENER, { name: DEFAULT_LISTENER, serviceType: 'ClusterIp', serviceName: DEFAULT_SERVICE_NAME, ports: [{ port: 18883 }] });
  for (const l of spec.listeners) planned.set(l.name, { name: l.name, serviceType: l.serviceType, ...(l.serviceName ? { serviceName: l.serviceName } : {}), ports: l.ports });
  const mine = new Set(spec.listeners.map((l) => l.name));
  // Order so the spec's listener is the one blamed, and clashes among existing listeners are left to diagnose.
  const ordered = [...planned.values()].sort((a, b) => Number(mine.has(a.name)) - Number(mine.has(b.name)));
  for (const c of findListenerClashes(ordered)) {
    if (mine.has(c.listener)) err('BrokerListener', c.listener, c.sentence, 'spec.ports');
  }
  return issues;
}
