import type { AioCheckItemT, AioDiscoveryT, DiagnosticT } from '@shared/contract/aio-contract';
import { canonicalEnum, SERVICE_TYPES } from './aio-constants';
import type { KubeObject } from './aio-resources';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Pod name prefixes of the broker's runtime (azure-iot-ops CLI extension, providers/check/mq.py "Runtime Health"). */
export const BROKER_POD_PREFIXES = ['aio-broker-frontend', 'aio-broker-backend', 'aio-broker-authentication', 'aio-broker-diagnostics-probe', 'aio-broker-health-manager', 'aio-broker-diagnostics-service', 'aio-broker-operator'];

/** One live connect per listener port, from the MQTT area's listener matrix. */
export interface LiveRow {
  listener?: string | undefined;
  port: number;
  label: string;
  ok: boolean;
  sentence?: string | undefined;
  unsupported?: boolean;
}

export interface CheckInputs {
  discovery: AioDiscoveryT;
  /** Broker, BrokerListener and Pod objects as read (the summaries lose what the checks look at). */
  brokers: readonly KubeObject[];
  listeners: readonly KubeObject[];
  pods: readonly KubeObject[] | undefined;
  /** The diagnosis of the same state: SANs, client CAs, key families, certificates. */
  diagnostics: readonly DiagnosticT[];
  live: readonly LiveRow[] | undefined;
  /** Why there is no live connect, when there is none. */
  liveSkipped?: string | undefined;
  now: Date;
}

/** How close to its end a certificate must be for a warning, when cert-manager does not renew it. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600_000;

/**
 * Every check `az iot ops check --svc broker` runs (providers/check/mq.py: evaluate_brokers,
 * evaluate_broker_listeners, evaluate_broker_authentications, evaluate_broker_authorizations and the
 * runtime pod health) with its pass/warn/fail level, then what it does not check: certificate expiry and
 * renewal, SANs against the node and LoadBalancer addresses, the client CA against the vault's client
 * chains, EC/RSA mixes, and a live TLS + MQTT connect per listener port.
 */
export function runAioChecks(input: CheckInputs): AioCheckItemT[] {
  const d = input.discovery;
  const ns = d.namespace;
  const out: AioCheckItemT[] = [];
  const add = (x: AioCheckItemT): void => void out.push(x);

  // Brokers: exactly one per namespace, with a cardinality the broker can run.
  add({
    id: 'broker-count',
    group: 'broker',
    level: input.brokers.length === 1 ? 'pass' : 'fail',
    target: `Broker in ${ns}`,
    sentence: input.brokers.length === 1 ? `One broker (${input.brokers[0]!.metadata.name}), as expected.` : `Expected exactly one broker in ${ns}; found ${input.brokers.length}.`,
  });
  for (const b of input.brokers) {
    const spec = obj(b['spec']);
    const card = obj(spec['cardinality']);
    if (Object.keys(card).length === 0) {
      add({ id: `broker-cardinality:${b.metadata.name}`, group: 'broker', level: 'fail', target: `Broker ${b.metadata.name}`, sentence: `Broker ${b.metadata.name} has no cardinality (spec.cardinality not detected).` });
    } else {
      const chain = obj(card['backendChain']);
      const frontend = obj(card['frontend']);
      const low = [
        ['backendChain.partitions', num(chain['partitions'])],
        ['backendChain.redundancyFactor', num(chain['redundancyFactor'])],
        ['backendChain.workers', num(chain['workers'])],
        ['frontend.replicas', num(frontend['replicas'])],
      ].filter(([, v]) => v === undefined || (v as number) < 1);
      add({
        id: `broker-cardinality:${b.metadata.name}`,
        group: 'broker',
        level: low.length === 0 ? 'pass' : 'fail',
        target: `Broker ${b.metadata.name}`,
        sentence: low.length === 0 ? `Cardinality: ${num(chain['partitions'])} partitions × ${num(chain['redundancyFactor'])} redundancy, ${num(frontend['replicas'])} frontend replicas.` : `Broker ${b.metadata.name} cardinality needs ≥ 1 for ${low.map(([k]) => k).join(', ')}.`,
      });
    }
    add({
      id: `broker-diagnostics:${b.metadata.name}`,
      group: 'broker',
      level: spec['diagnostics'] !== undefined ? 'pass' : 'warn',
      target: `Broker ${b.metadata.name}`,
      sentence: spec['diagnostics'] !== undefined ? 'Diagnostics settings are present.' : `Broker ${b.metadata.name} has no diagnostics settings (spec.diagnostics); the defaults apply.`,
    });
  }

  // Runtime health: the broker's pods are there and ready.
  if (input.pods === undefined) {
    add({ id: 'pods', group: 'pods', level: 'skip', target: `Pods in ${ns}`, sentence: "This node's Kubernetes user may not list pods, so the broker's runtime health was not checked." });
  } else if (input.brokers.length > 0) {
    for (const prefix of BROKER_POD_PREFIXES.slice(0, 4)) {
      const pods = input.pods.filter((p) => p.metadata.name.startsWith(prefix));
      if (pods.length === 0) {
        add({ id: `pods:${prefix}`, group: 'pods', level: 'warn', target: `${prefix}*`, sentence: `No ${prefix}* pod was detected.` });
        continue;
      }
      const bad = pods.filter((p) => {
        const st = obj(p['status']);
        const containers = arr(st['containerStatuses']).map(obj);
        return st['phase'] !== 'Running' || containers.length === 0 || containers.some((c) => c['ready'] !== true);
      });
      add({
        id: `pods:${prefix}`,
        group: 'pods',
        level: bad.length === 0 ? 'pass' : 'fail',
        target: `${prefix}*`,
        sentence: bad.length === 0 ? `${pods.length} pod${pods.length === 1 ? '' : 's'} running and ready.` : `${bad.map((p) => `${p.metadata.name} is ${String(obj(p['status'])['phase'] ?? 'not running')}`).join('; ')}. Read their logs (kubectl logs -n ${ns} ${bad[0]!.metadata.name}).`,
      });
    }
  }

  // Listeners: at least one; each with its Service of the matching type, an ingress IP for LoadBalancers,
  // TLS with exactly one of certManagerCertificateSpec or manual, and references that resolve.
  add({ id: 'listener-count', group: 'listener', level: d.listeners.length >= 1 ? 'pass' : 'warn', target: `BrokerListeners in ${ns}`, sentence: `Expecting ≥ 1 broker listener; detected ${d.listeners.length}.` });
  const authNames = new Set(d.authentications.map((a) => a.name));
  const authzNames = new Set(d.authorizations.map((a) => a.name));
  for (const l of d.listeners) {
    const raw = input.listeners.find((o) => o.metadata.name === l.name);
    const svc = d.services.find((s) => s.name === l.serviceName);
    const wantType = { ClusterIp: 'ClusterIP', NodePort: 'NodePort', LoadBalancer: 'LoadBalancer' }[canonicalEnum(l.serviceType, SERVICE_TYPES) ?? 'ClusterIp'];
    const target = `BrokerListener ${l.name}`;
    add({
      id: `listener-service:${l.name}`,
      group: 'listener',
      level: svc && svc.type === wantType ? 'pass' : 'fail',
      target,
      sentence: !svc ? `Service ${l.serviceName} of listener ${l.name} does not exist; the operator has not created it (see the broker operator's log).` : svc.type === wantType ? `Service ${svc.name} exists with type ${svc.type}.` : `Service ${svc.name} is ${svc.type}, but listener ${l.name} asks for ${wantType}.`,
    });
    if (wantType === 'LoadBalancer' && svc) {
      add({
        id: `listener-ingress:${l.name}`,
        group: 'listener',
        level: svc.externalIps.length > 0 ? 'pass' : 'warn',
        target,
        sentence: svc.externalIps.length > 0 ? `LoadBalancer ingress: ${svc.externalIps.join(', ')}.` : `Service ${svc.name} has no LoadBalancer ingress IP yet; clients outside the cluster cannot reach it.`,
      });
    }
    const rawPorts = arr(obj(raw?.['spec'])['ports']).map(obj);
    for (const p of l.ports) {
      const rp = rawPorts.find((x) => x['port'] === p.port) ?? {};
      const tls = rp['tls'] === undefined ? undefined : obj(rp['tls']);
      if (tls) {
        const both = tls['certManagerCertificateSpec'] !== undefined && tls['manual'] !== undefined;
        const none = tls['certManagerCertificateSpec'] === undefined && tls['manual'] === undefined;
        add({
          id: `listener-tls:${l.name}:${p.port}`,
          group: 'listener',
          level: both || none ? 'fail' : 'pass',
          target: `${target} port ${p.port}`,
          sentence: both ? 'TLS sets both certManagerCertificateSpec and manual; exactly one is allowed.' : none ? 'TLS sets neither certManagerCertificateSpec nor manual; one is required.' : `TLS ${p.tls.mode}.`,
        });
      }
      if (p.authenticationRef) {
        const ok = authNames.has(p.authenticationRef);
        add({ id: `listener-authn:${l.name}:${p.port}`, group: 'listener', level: ok ? 'pass' : 'fail', target: `${target} port ${p.port}`, sentence: ok ? `authenticationRef ${p.authenticationRef} resolves.` : `authenticationRef ${p.authenticationRef} does not exist; every client is refused.` });
      }
      if (p.authorizationRef) {
        const ok = authzNames.has(p.authorizationRef);
        add({ id: `listener-authz:${l.name}:${p.port}`, group: 'listener', level: ok ? 'pass' : 'fail', target: `${target} port ${p.port}`, sentence: ok ? `authorizationRef ${p.authorizationRef} resolves.` : `authorizationRef ${p.authorizationRef} does not exist.` });
      }
    }
  }

  // Authentication: X.509 client CA ConfigMaps exist, SAT policies have audiences.
  for (const a of d.authentications) {
    for (const m of a.methods) {
      if (m.method === 'X509' && m.trustedClientCaCert) {
        const missing = input.diagnostics.some((x) => x.id === `client-ca-missing:${a.name}:${m.trustedClientCaCert}`);
        add({ id: `authn-x509-ca:${a.name}`, group: 'authentication', level: missing ? 'fail' : 'pass', target: `BrokerAuthentication ${a.name}`, sentence: missing ? `ConfigMap ${m.trustedClientCaCert} (trustedClientCaCert) does not exist; every client certificate is refused.` : `ConfigMap ${m.trustedClientCaCert} (trustedClientCaCert) exists.` });
      }
      if (m.method === 'ServiceAccountToken') {
        const n = m.audiences?.length ?? 0;
        add({ id: `authn-sat-audiences:${a.name}`, group: 'authentication', level: n > 0 ? 'pass' : 'fail', target: `BrokerAuthentication ${a.name}`, sentence: n > 0 ? `Service account token audiences: ${m.audiences!.join(', ')}.` : 'The ServiceAccountToken method lists no audience; no token can match.' });
      }
    }
  }
  for (const z of d.authorizations) {
    add({ id: `authz-rules:${z.name}`, group: 'authorization', level: z.ruleCount > 0 ? 'pass' : 'warn', target: `BrokerAuthorization ${z.name}`, sentence: z.ruleCount > 0 ? `${z.ruleCount} rule${z.ruleCount === 1 ? '' : 's'}.` : 'No rules: every client on a port that uses it is denied.' });
  }

  // Beyond az iot ops check: certificates, their dates and renewal.
  for (const c of d.certificates) {
    const target = `Certificate ${c.name}`;
    if (c.ready !== 'True') continue;
    const end = c.notAfter ? Date.parse(c.notAfter) : NaN;
    const renew = c.renewalTime ? Date.parse(c.renewalTime) : NaN;
    const now = input.now.getTime();
    let level: AioCheckItemT['level'] = 'pass';
    let sentence = `Valid until ${c.notAfter ?? '?'}${c.renewalTime ? `; cert-manager renews it at ${c.renewalTime}` : ''}.`;
    if (Number.isFinite(end) && end <= now) {
      level = 'fail';
      sentence = `Expired on ${c.notAfter}. cert-manager should have renewed it${c.renewalTime ? ` at ${c.renewalTime}` : ''}; read its events.`;
    } else if (Number.isFinite(renew) && renew < now - 3600_000) {
      level = 'warn';
      sentence = `Its renewal time ${c.renewalTime} has passed without a renewal; it expires on ${c.notAfter}. Read the Certificate's events.`;
    } else if (!c.renewalTime && Number.isFinite(end) && end - now < EXPIRY_WARNING_MS) {
      level = 'warn';
      sentence = `Expires on ${c.notAfter} and no renewal is scheduled.`;
    }
    add({ id: `cert-expiry:${c.name}`, group: 'certificates', level, target, sentence });
  }
  // The diagnosis covers the rest: certificates not issued, SANs, client CAs, key families, Secrets.
  const groups: Array<[RegExp, AioCheckItemT['group']]> = [
    [/^(listener-issuer-missing|certificate-|issuer-not-ready|listener-secret-missing|server-cert-(expired|not-yet-valid|expiring))/, 'certificates'],
    [/^(server-cert-san|vault-server-cert-san)/, 'sans'],
    [/^(client-ca-|client-chain-mixed-keys)/, 'clients'],
  ];
  for (const x of input.diagnostics) {
    const group = groups.find(([re]) => re.test(x.id))?.[1];
    if (!group || x.id.startsWith('client-ca-missing:')) continue;
    add({ id: x.id, group, level: x.severity === 'error' ? 'fail' : x.severity === 'warning' ? 'warn' : 'pass', target: `${x.resource.kind} ${x.resource.name}`, sentence: x.sentence, fix: x.fix.label });
  }
  for (const [group, what] of [['sans', 'server certificate names'], ['clients', 'client chains']] as const) {
    if (!out.some((x) => x.group === group)) add({ id: `${group}-ok`, group, level: 'pass', target: what, sentence: group === 'sans' ? 'Every server certificate lists the node and LoadBalancer addresses given.' : 'The vault\'s client chains match the trusted client CAs and use one key family each.' });
  }

  // A live TLS + MQTT connect per listener port.
  if (input.live === undefined) {
    add({ id: 'live', group: 'live', level: 'skip', target: 'Live connect', sentence: input.liveSkipped ?? 'No live connect was made.' });
  } else {
    for (const r of input.live) {
      add({ id: `live:${r.listener ?? r.label}:${r.port}`, group: 'live', level: r.ok ? 'pass' : r.unsupported ? 'warn' : 'fail', target: r.label, sentence: r.ok ? 'Connected, subscribed and received every other listener\'s probe.' : (r.sentence ?? 'The live connect failed.') });
    }
  }
  return out;
}
