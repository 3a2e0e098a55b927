import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CallResponse } from '@shared/contract';
import { ApplySpec } from '@shared/contract/aio-contract';
import { FieldbenchError } from '@shared/errors';
import { defineStep, type Caller } from '../step-kind';

const NodeId = z.string().min(1).max(200);

/** A node named by id or by its profile name, through the edge area's one resolver (as every CLI flag). */
async function nodeId(call: Caller, ref: string): Promise<string> {
  return (await call('edge.resolveNode', { ref })).id;
}

export const staticIpStep = defineStep({
  name: 'network.static-ip',
  title: 'Static IP address',
  risky: true,
  confirmText: "I confirm: this step changes the node's network. The node rolls back by itself if Fieldbench cannot reach it on the new address.",
  input: z
    .object({
      node: NodeId,
      interface: z.string().min(1).max(15),
      address: z.string().min(1).max(64),
      gateway: z.string().max(64).optional(),
      dns: z.array(z.string().max(64)).max(8).optional(),
      rollbackSeconds: z.number().int().min(5).max(1800).default(120),
    })
    .strict(),
  outputs: ['address'],
  sampleOutput: () => '10.0.0.1',
  async check(input, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const snap = await ctx.call('network.discover', { target: { kind: 'node', nodeId: id } });
    const iface = snap.interfaces.find((i) => i.name === input.interface);
    const has = Boolean(iface?.addresses.some((a) => `${a.address}/${a.prefix}` === input.address));
    return {
      items: [{ name: `${input.interface} address`, ok: has, detail: iface ? `has ${iface.addresses.map((a) => `${a.address}/${a.prefix}`).join(', ') || 'no address'}` : `no interface ${input.interface} on ${snap.hostname}` }],
      observed: { id, has },
      ...(has ? { outputs: { address: input.address.split('/')[0] } } : {}),
    };
  },
  async plan(input, found, ctx) {
    if (found.observed.has) return [];
    const plan = await ctx.call('network.plan', { target: { kind: 'node', nodeId: found.observed.id }, settings: settingsOf(input) });
    if (!plan.ok) throw new FieldbenchError('runbooks.networkPlan', plan.findings.filter((f) => f.severity === 'error').map((f) => f.message).join(' '));
    return [{ action: 'update', target: plan.file.path, detail: `${input.interface} → ${input.address}, rollback after ${input.rollbackSeconds} s unless confirmed`, diff: plan.diff, rollbackSeconds: input.rollbackSeconds }];
  },
  async apply(input, found, ctx) {
    // netplan-try style: the node rolls back by itself unless Fieldbench reaches it on the new address. The node
    // arms its timer a moment after this, so the countdown shown ends a little before the node's own: never later.
    ctx.countdown({ seconds: input.rollbackSeconds, kind: 'rollback', what: 'until the node restores its previous network settings by itself, unless Fieldbench confirms the new address first' });
    const r = await ctx.call('network.apply', { target: { kind: 'node', nodeId: found.observed.id }, settings: settingsOf(input), rollbackSeconds: input.rollbackSeconds, allowSilentGateway: false });
    ctx.countdown(undefined);
    if (r.outcome !== 'applied') throw new FieldbenchError('runbooks.rolledBack', `The node rolled back to its previous address: ${r.message}`);
    return { address: input.address.split('/')[0] };
  },
  async verify(input, _outputs, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const snap = await ctx.call('network.discover', { target: { kind: 'node', nodeId: id } });
    const iface = snap.interfaces.find((i) => i.name === input.interface);
    const now = iface?.addresses.map((a) => `${a.address}/${a.prefix}`) ?? [];
    return { items: [{ name: `${input.interface} address`, ok: now.includes(input.address), detail: `has ${now.join(', ') || 'no address'}` }], fingerprint: { [`${input.interface} address`]: now.includes(input.address) ? input.address : now.join(',') } };
  },
});

function settingsOf(input: { interface: string; address: string; gateway?: string | undefined; dns?: string[] | undefined }) {
  return { interface: input.interface, address: input.address, ...(input.gateway ? { gateway: input.gateway } : {}), ...(input.dns ? { dns: input.dns } : {}) };
}

const refKey = (r: { kind: string; name: string }) => `${r.kind}/${r.name}`;
/** A stable digest of an object as the cluster holds it, without the bookkeeping the server adds on every write. */
function objectDigest(yaml: string): string {
  const kept = yaml
    .split('\n')
    .filter((l) => !/^\s*(resourceVersion|uid|creationTimestamp|generation|time|manager|operation|managedFields|fieldsType|fieldsV1|status):/.test(l))
    .join('\n');
  return createHash('sha256').update(kept).digest('hex').slice(0, 16);
}

export const aioApplyStep = defineStep({
  name: 'aio.apply',
  title: 'Broker resources',
  risky: false,
  input: z.object({ node: NodeId, spec: ApplySpec }).strict(),
  outputs: ['resources'],
  sampleOutput: () => [],
  async check(input, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const plan = await ctx.call('aio.plan', { nodeId: id, spec: input.spec, force: false });
    return {
      items: plan.resources.map((r) => ({ name: refKey(r.ref), ok: r.action === 'unchanged', detail: r.action === 'create' ? 'not on the cluster' : r.action === 'update' ? 'on the cluster, differs' : 'on the cluster as asked' })),
      observed: { id, plan },
      ...(plan.resources.every((r) => r.action === 'unchanged') ? { outputs: { resources: plan.resources.map((r) => refKey(r.ref)) } } : {}),
    };
  },
  async plan(_input, found) {
    const errors = found.observed.plan.issues.filter((i) => i.severity === 'error');
    if (errors.length) throw new FieldbenchError('runbooks.aioPlan', errors.map((e) => e.sentence).join(' '));
    return found.observed.plan.resources.filter((r) => r.action !== 'unchanged').map((r) => ({ action: r.action === 'create' ? ('create' as const) : ('update' as const), target: refKey(r.ref), diff: r.diff }));
  },
  async apply(input, found, ctx) {
    const r = await ctx.call('aio.apply', { nodeId: found.observed.id, spec: input.spec, force: false, dryRun: false });
    if (!r.complete) throw new FieldbenchError('runbooks.aioApply', r.summary);
    return { resources: r.resources.map((x) => refKey(x.ref)) };
  },
  async verify(input, _outputs, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const plan = await ctx.call('aio.plan', { nodeId: id, spec: input.spec, force: false });
    const back = await ctx.call('aio.readBack', { nodeId: id, resources: plan.resources.map((r) => r.ref) });
    const fingerprint: Record<string, string> = {};
    for (const b of back.resources) fingerprint[refKey(b.ref)] = b.exists && b.yaml ? objectDigest(b.yaml) : 'absent';
    return {
      items: plan.resources.map((r) => ({ name: refKey(r.ref), ok: r.action === 'unchanged', detail: r.action === 'unchanged' ? 'on the cluster as applied' : `differs from what was applied (${r.action})` })),
      fingerprint,
    };
  },
});

export const waitListenerStep = defineStep({
  name: 'aio.wait-listener',
  title: 'Wait for the listener',
  risky: false,
  verifyOnly: true,
  input: z
    .object({
      node: NodeId,
      listener: z.string().min(1).max(63),
      timeoutSeconds: z.number().int().min(5).max(1800).default(180),
      namespace: z.string().min(1).max(63).default('azure-iot-operations'),
      /** Also wait until every port of a LoadBalancer or NodePort listener accepts TCP connections from this machine. */
      answers: z.boolean().default(false),
    })
    .strict(),
  outputs: ['address'],
  sampleOutput: () => '10.0.0.1',
  async check(input, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const state = await listenerState(ctx.call, id, input.listener, input.namespace);
    return { items: [{ name: `listener ${input.listener}`, ok: state.ready, detail: state.detail }], observed: { id, state }, ...(state.ready ? { outputs: { address: state.address } } : {}) };
  },
  // Waiting changes nothing: a listener that is ready needs no step, one that is not is waited for in verify.
  plan: async () => [],
  apply: async () => ({}),
  async verify(input, _outputs, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const deadline = Date.now() + input.timeoutSeconds * 1000;
    const look = async () => {
      const s = await listenerState(ctx.call, id, input.listener, input.namespace);
      return s.ready && input.answers ? answering(ctx.call, id, input.listener, input.namespace, s) : s;
    };
    let state = await look();
    if (!state.ready) ctx.countdown({ seconds: input.timeoutSeconds, kind: 'wait', what: `until Fieldbench stops waiting for ${input.listener}` });
    let said = '';
    while (!state.ready && Date.now() < deadline && !ctx.signal.aborted) {
      // One line per new reason, not one per poll: the log says what was waited for and when it changed.
      if (state.detail !== said) ctx.log(`Waiting for ${input.listener}: ${state.detail}`);
      said = state.detail;
      await new Promise((r) => setTimeout(r, 2000));
      state = await look();
    }
    return { items: [{ name: `listener ${input.listener}`, ok: state.ready, detail: state.ready ? state.detail : `not ready after ${input.timeoutSeconds} s: ${state.detail}` }], fingerprint: {} };
  },
});

async function listenerState(call: Caller, id: string, listener: string, namespace: string) {
  const d = await call('aio.discover', { nodeId: id, namespace });
  const l = d.listeners.find((x) => x.name === listener);
  if (!l) return { ready: false, detail: 'the listener is not on the cluster', address: undefined, type: undefined };
  const svc = d.services.find((s) => s.name === l.serviceName);
  if (!svc) return { ready: false, detail: `its Service ${l.serviceName} does not exist yet`, address: undefined, type: undefined };
  if (svc.type === 'LoadBalancer' && svc.externalIps.length === 0) return { ready: false, detail: `its LoadBalancer Service ${svc.name} has no external IP yet`, address: undefined, type: svc.type };
  if (l.ports.some((p) => p.tls.mode === 'Automatic')) {
    const cert = d.certificates.find((c) => c.listener === l.name && c.ready !== 'True');
    if (cert) return { ready: false, detail: `its server certificate ${cert.name} is not issued yet${cert.message ? ` (${cert.message})` : ''}`, address: undefined, type: svc.type };
  }
  const address = svc.externalIps[0] ?? svc.clusterIp;
  return { ready: true, detail: `Service ${svc.name} (${svc.type}${address ? ` ${address}` : ''}) ready`, address, type: svc.type };
}

type ListenerState = Awaited<ReturnType<typeof listenerState>>;

/** A listener whose Service is ready answers only once the broker serves its ports: a TCP connect to each says so. */
async function answering(call: Caller, id: string, listener: string, namespace: string, state: ListenerState): Promise<ListenerState> {
  if (state.type === 'ClusterIp') return { ...state, detail: `${state.detail}; a ClusterIp listener is reached through the cluster, so the matrix tests it` };
  const address = state.type === 'NodePort' ? (await call('edge.listNodes', {})).nodes.find((n) => n.id === id)?.host : state.address;
  if (!address) return { ...state, ready: false, detail: 'no address to reach it on from this machine' };
  const r = await call('network.crossCheck', { address, nodeId: id, namespace, checkReachability: true, timeoutMs: 2000 });
  const ports = r.reachability.filter((x) => x.listener === listener);
  const closed = ports.filter((x) => !x.reachable);
  if (ports.length === 0) return { ...state, ready: false, detail: `no port of ${listener} to connect to on ${address}` };
  if (closed.length) return { ...state, ready: false, detail: `the Service is ready but ${closed.map((x) => `${x.host}:${x.port}`).join(', ')} does not answer yet` };
  return { ...state, detail: `${state.detail}; ${ports.map((x) => `${x.host}:${x.port}`).join(', ')} answers` };
}

export const listenerMatrixStep = defineStep({
  name: 'mqtt.matrix',
  title: 'Test every listener',
  risky: false,
  verifyOnly: true,
  input: z.object({ node: NodeId, clientCertificate: z.string().max(200).optional(), caCertificate: z.string().max(200).optional(), namespace: z.string().min(1).max(63).default('azure-iot-operations') }).strict(),
  outputs: ['passed', 'failed'],
  sampleOutput: () => 0,
  check: async () => ({ items: [], observed: undefined }),
  // A test changes nothing on the node; it runs in verify, so a re-run re-tests and still reports no change.
  plan: async () => [],
  apply: async () => ({}),
  async verify(input, outputs, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const r = await ctx.call('mqtt.matrixRun', {
      nodeId: id,
      namespace: input.namespace,
      serviceAccount: 'default',
      connectTimeoutSeconds: 8,
      deliveryTimeoutMs: 3000,
      ...(input.clientCertificate ? { clientCertificateId: input.clientCertificate } : {}),
      ...(input.caCertificate ? { caCertificateId: input.caCertificate } : {}),
    });
    outputs['passed'] = r.summary.passed;
    outputs['failed'] = r.summary.failed;
    outputs['matrix'] = r.rows.map((row) => {
      const t = r.targets.find((x) => x.id === row.targetId);
      return { label: t?.label ?? row.targetId, ok: row.ok, tls: row.tls.verdict, auth: `${row.auth.method} ${row.auth.verdict}`, why: row.ok ? '' : (row.diagnosis?.sentence ?? row.connect.error?.message ?? 'failed') };
    });
    return {
      items: r.rows.map((row) => {
        const t = r.targets.find((x) => x.id === row.targetId);
        return { name: t?.label ?? row.targetId, ok: row.ok, detail: row.ok ? 'connect, TLS, auth and cross-delivery ok' : (row.diagnosis?.sentence ?? row.connect.error?.message ?? 'failed') };
      }),
      fingerprint: {},
    };
  },
});

type TrustBundle = CallResponse<'aio.discover'>['trustBundles'][number];
interface TrustFound {
  id: string;
  bundle: TrustBundle | undefined;
  inVault: { id: string } | undefined;
}

export const trustBundleStep = defineStep<{ node: string; namespace: string }, TrustFound>({
  name: 'aio.trust-bundle',
  title: "Trust the broker's CA",
  risky: false,
  input: z.object({ node: NodeId, namespace: z.string().min(1).max(63).default('azure-iot-operations') }).strict(),
  outputs: ['certificateId'],
  sampleOutput: () => 'c-sample',
  async check(input, ctx) {
    const id = await nodeId(ctx.call, input.node);
    const d = await ctx.call('aio.discover', { nodeId: id, namespace: input.namespace });
    // The bundle discovery marks as what clients trust; its name comes from the install, never assumed.
    const bundle = d.trustBundles.find((b) => b.role === 'client-trust');
    if (!bundle) return { items: [{ name: 'trust bundle', ok: false, detail: 'the cluster shows no client trust bundle' }], observed: { id, bundle, inVault: undefined } };
    const { tree } = await ctx.call('pki.list', {});
    const all: Array<{ id: string; fingerprintSha256: string }> = [];
    const walk = (nodes: typeof tree) => nodes.forEach((n) => (all.push(n.certificate), walk(n.children)));
    walk(tree);
    const wanted = bundle.certificates.filter((c) => c.isCa).map((c) => c.fingerprintSha256.replace(/:/g, '').toUpperCase());
    const inVault = all.find((c) => wanted.includes(c.fingerprintSha256));
    return {
      items: [{ name: `trust bundle ${bundle.source} ${bundle.name}`, ok: Boolean(inVault), detail: inVault ? 'its CA is in the vault' : `its CA (${bundle.certificates[0]?.subject ?? '?'}) is not in the vault` }],
      observed: { id, bundle, inVault },
      ...(inVault ? { outputs: { certificateId: inVault.id } } : {}),
    };
  },
  async plan(_input, found) {
    if (!found.observed.bundle) throw new FieldbenchError('runbooks.noTrustBundle', 'The cluster shows no trust bundle for clients; check the AIO install (its --trust-settings) with `fieldbench aio check`.');
    return found.observed.inVault ? [] : [{ action: 'create', target: `vault CA from ${found.observed.bundle.source} ${found.observed.bundle.name}`, detail: found.observed.bundle.certificates[0]?.subject ?? '' }];
  },
  async apply(input, found, ctx) {
    const b = found.observed.bundle;
    const r = await ctx.call('aio.importTrustBundle', { nodeId: found.observed.id, namespace: input.namespace, ...(b ? { source: b.source, name: b.name, key: b.key } : {}) });
    return { certificateId: r.certificates[0]?.certificateId };
  },
  async verify(input, outputs, ctx) {
    const d = await ctx.call('pki.get', { id: String(outputs['certificateId']) });
    return { items: [{ name: `${d.summary.commonName} in the vault`, ok: d.summary.isCa, detail: `trusted CA until ${d.summary.notAfter.slice(0, 10)}` }], fingerprint: { [`trust ${input.namespace}`]: d.summary.fingerprintSha256 } };
  },
});
