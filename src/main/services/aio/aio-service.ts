import { X509Certificate } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { MatrixResultT } from '@shared/contract/mqtt-matrix-contract';
import type {
  AioCheckItemT,
  AioCheckRequestT,
  AioCheckResultT,
  AioDiscoveryT,
  AppliedResourceT,
  ApplyPlanT,
  ApplyResultT,
  ApplySpecParsed,
  DiagnoseRequestT,
  DiagnoseResultT,
  DiagnosticT,
  ImportTrustBundleResultT,
  PlannedResourceT,
  ReadBackItemT,
  RenderResultT,
  TrustSettingsRequestT,
  ResourceRefT,
  SpecIssueT,
} from '@shared/contract/aio-contract';
import type { CertificateSummary, ChainExport, ImportFileResult } from '@shared/pki-types';
import type { KubeAccess, KubeAccessProvider } from '../edge';
import { APPLY_ORDER } from './aio-constants';
import { diagnoseAio } from './aio-diagnostics';
import { runAioChecks, type LiveRow } from './aio-check';
import { discoverAio, managersOf, readyCondition, type DiscoveryRaw } from './aio-discovery';
import { AioKubeClient, isKnownKind, KubeApiError } from './aio-kube-client';
import { conflictManagers, explainKubeError } from './aio-kube-errors';
import { comparable, isSubset, objectDiff, redact, toYaml } from './aio-object-view';
import { fingerprint256, keyFamilyOf, opensslSubject, parseCertificates, splitPemCertificates } from './aio-pem';
import {
  buildBrokerAuthentication,
  buildBrokerAuthorization,
  buildBrokerListener,
  buildClientCaConfigMap,
  buildTlsSecret,
  type KubeObject,
} from './aio-resources';
import { validateApplySpec, type ClusterFacts } from './aio-spec-validator';

/** The part of the PKI service the AIO area uses; PkiService satisfies it as is. */
export interface AioPki {
  summaries(): CertificateSummary[];
  exportCertificatePem(id: string, options?: { chain?: ChainExport }): string;
  exportKey(id: string): string;
  importFile(file: { fileName: string; data: Uint8Array | string }): Promise<ImportFileResult>;
}

export interface AioOperation {
  signal?: AbortSignal;
  progress?: (message: string, fraction?: number) => void;
}

export interface AioServiceOptions {
  kube: KubeAccessProvider;
  pki: AioPki;
  /** Called as each resource of an apply finishes (the area turns it into aio.onApplyProgress). */
  onApplyProgress?: (e: { nodeId: string; index: number; total: number; resource: AppliedResourceT }) => void;
  /** Per-request timeout against the API server. */
  requestTimeoutMs?: number;
  /** The MQTT area's listener matrix (its mqtt.matrixRun), for the live connect of `check`. */
  liveMatrix: (req: { nodeId: string; namespace: string }, signal?: AbortSignal) => Promise<MatrixResultT>;
}

interface Built {
  objects: KubeObject[];
  issues: SpecIssueT[];
}

const refOf = (o: KubeObject): ResourceRefT => ({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
const label = (o: { kind: string; metadata: { name: string } } | ResourceRefT): string => ('metadata' in o ? `${o.kind} ${o.metadata.name}` : `${o.kind} ${o.name}`);

/**
 * The AIO broker resources of one node: builds them from forms and vault certificates, plans (YAML, diff,
 * server dry run), applies them with server-side apply as field manager `fieldbench`, reads them back,
 * discovers what the cluster has and explains what is wrong. It reaches the cluster only through the edge
 * area's KubeAccessProvider and releases the access after every call.
 */
export class AioService {
  constructor(private readonly options: AioServiceOptions) {}

  /** Listeners, Services, policies, Certificates, Issuers and trust bundles in a namespace. */
  async discover(nodeId: string, namespace: string, op: AioOperation = {}, trust?: TrustSettingsRequestT): Promise<AioDiscoveryT> {
    return this.withKube(nodeId, op, async (client, access) => {
      try {
        return (await discoverAio(client, namespace, { nodeId, via: access.via, description: access.description, ...op, trust })).discovery;
      } catch (err) {
        throw explainKubeError(err, 'read the broker setup', access.description);
      }
    });
  }

  /** Builds, checks and dry-runs the spec. Nothing changes on the cluster. */
  async plan(nodeId: string, spec: ApplySpecParsed, opts: { force?: boolean } = {}, op: AioOperation = {}): Promise<ApplyPlanT> {
    const built = this.build(spec);
    return this.withKube(nodeId, op, async (client, access) => {
      const issues = [...built.issues, ...(await this.validate(client, spec, access, op))];
      const resources: PlannedResourceT[] = [];
      for (const [i, obj] of built.objects.entries()) {
        op.signal?.throwIfAborted();
        op.progress?.(`Dry run of ${label(obj)}…`, i / Math.max(1, built.objects.length));
        const { planned, after } = await this.planOne(client, obj, opts.force ?? false, access.description);
        resources.push(planned);
        issues.push(...serverWarnings(obj, client.takeWarnings()));
        if (after) issues.push(...leftoverFieldWarnings(obj, after));
      }
      op.progress?.('Plan ready.', 1);
      const hasErrors = issues.some((x) => x.severity === 'error');
      return {
        nodeId,
        via: access.description,
        namespace: spec.namespace,
        resources,
        issues,
        canApply: !hasErrors && resources.length > 0 && resources.every((r) => r.dryRun.ok),
      };
    });
  }

  /**
   * Applies the spec's resources in order and reads them back. Stops at the first failure, because later
   * resources refer to earlier ones; the result says which were applied and which were not, and applying
   * the same spec again finishes the job (server-side apply is idempotent).
   */
  async apply(nodeId: string, spec: ApplySpecParsed, opts: { force?: boolean; dryRun?: boolean } = {}, op: AioOperation = {}): Promise<ApplyResultT> {
    const built = this.build(spec);
    return this.withKube(nodeId, op, async (client, access) => {
      const dryRun = opts.dryRun ?? false;
      const issues = [...built.issues, ...(await this.validate(client, spec, access, op))];
      const results: AppliedResourceT[] = built.objects.map((o) => ({ ref: refOf(o), outcome: 'not-attempted' }));
      if (issues.some((x) => x.severity === 'error')) {
        const n = issues.filter((x) => x.severity === 'error').length;
        return { nodeId, complete: false, dryRun, summary: `Nothing was applied: the spec has ${n} problem${n === 1 ? '' : 's'} to fix first.`, resources: results, issues, readBack: [] };
      }
      const total = built.objects.length;
      let stopped = false;
      for (const [i, obj] of built.objects.entries()) {
        if (op.signal?.aborted) {
          stopped = true;
          break;
        }
        op.progress?.(`${dryRun ? 'Dry run of' : 'Applying'} ${label(obj)} (${i + 1} of ${total})…`, i / total);
        const r = await this.applyOne(client, obj, { force: opts.force ?? false, dryRun }, access.description);
        results[i] = r;
        issues.push(...serverWarnings(obj, client.takeWarnings()));
        this.options.onApplyProgress?.({ nodeId, index: i, total, resource: r });
        if (r.outcome !== 'applied' && r.outcome !== 'unchanged') {
          stopped = true;
          break;
        }
      }
      op.progress?.('Reading the resources back…', 0.95);
      // After a cancel the client's requests are aborted too; the outcomes above already say what happened.
      const readBack = dryRun || op.signal?.aborted ? [] : await this.readRefs(client, results.filter((r) => r.outcome !== 'not-attempted').map((r) => r.ref));
      op.progress?.('Done.', 1);
      const done = results.filter((r) => r.outcome === 'applied' || r.outcome === 'unchanged');
      const complete = done.length === total;
      return { nodeId, complete, dryRun, summary: summarize(results, complete, dryRun, stopped && !!op.signal?.aborted), resources: results, issues, readBack };
    });
  }

  /** Reads resources back with their conditions and field managers. */
  async readBack(nodeId: string, refs: readonly ResourceRefT[], op: AioOperation = {}): Promise<ReadBackItemT[]> {
    return this.withKube(nodeId, op, (client) => this.readRefs(client, refs));
  }

  /** Discovery plus everything diagnostics needs from the cluster and the vault, then the diagnosis. */
  async diagnose(req: DiagnoseRequestT, op: AioOperation = {}): Promise<DiagnoseResultT> {
    return this.withKube(req.nodeId, op, async (client, access) => {
      const { diagnostics, discovery } = await this.diagnoseWith(client, access, req, op);
      return { nodeId: req.nodeId, diagnostics, discovery };
    });
  }

  /**
   * `aio check`: every check az iot ops check --svc broker runs, then certificates, SANs, client chains and
   * a live TLS + MQTT connect per listener port through the MQTT area's listener matrix.
   */
  async check(req: AioCheckRequestT, op: AioOperation = {}): Promise<AioCheckResultT> {
    const { checks, via } = await this.withKube(req.nodeId, op, async (client, access) => {
      const { diagnostics, discovery, raw } = await this.diagnoseWith(client, access, { ...req, serverCertificateIds: [] }, op);
      const listOr = async (kind: string): Promise<KubeObject[] | undefined> => {
        try {
          return await client.list(kind, req.namespace);
        } catch (err) {
          if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return undefined;
          throw explainKubeError(err, `read the ${kind === 'Pod' ? 'pods' : 'brokers'}`, access.description);
        }
      };
      const brokers = discovery.aioPresent ? ((await listOr('Broker')) ?? []) : [];
      const pods = await listOr('Pod');
      return { via: access.description, checks: { discovery, raw, brokers, pods, diagnostics } };
    });
    let live: LiveRow[] | undefined;
    let liveSkipped: string | undefined;
    if (!req.live) liveSkipped = 'The live connect was not asked for.';
    else {
      op.progress?.('Connecting to every listener port (TLS + MQTT)…', 0.8);
      try {
        const r = await this.options.liveMatrix({ nodeId: req.nodeId, namespace: req.namespace }, op.signal);
        live = r.rows.map((row) => {
          const t = r.targets.find((x) => x.id === row.targetId);
          return { listener: t?.listener, port: t?.port ?? 0, label: t?.label ?? row.targetId, ok: row.ok, sentence: row.diagnosis?.sentence, unsupported: row.diagnosis?.code === 'mqtt.notSupportedByAio' };
        });
        for (const sk of r.skipped) live.push({ listener: sk.listener, port: sk.port, label: `${sk.listener} :${sk.port}`, ok: false, sentence: `Not tested: ${sk.reason}`, unsupported: true });
      } catch (err) {
        liveSkipped = `The live connect could not run: ${(err as Error).message}`;
      }
    }
    const items = runAioChecks({ discovery: checks.discovery, brokers: checks.brokers, listeners: checks.raw.listeners, pods: checks.pods, diagnostics: checks.diagnostics, live, ...(liveSkipped ? { liveSkipped } : {}), now: new Date() });
    const count = (l: AioCheckItemT['level']): number => items.filter((x) => x.level === l).length;
    op.progress?.('Check finished.', 1);
    return { nodeId: req.nodeId, namespace: req.namespace, via, checks: items, summary: { pass: count('pass'), warn: count('warn'), fail: count('fail'), skip: count('skip') } };
  }

  private async diagnoseWith(
    client: AioKubeClient,
    access: KubeAccess,
    req: Pick<DiagnoseRequestT, 'nodeId' | 'namespace' | 'nodeAddresses' | 'serverCertificateIds' | 'trust' | 'issuanceWaitMs'> & { clientCertificateIds?: string[] | undefined },
    op: AioOperation,
  ): Promise<{ diagnostics: DiagnosticT[]; discovery: AioDiscoveryT; raw: DiscoveryRaw }> {
    {
      try {
        let { discovery, raw } = await discoverAio(client, req.namespace, { nodeId: req.nodeId, via: access.via, description: access.description, ...op, trust: req.trust });
        // A certificate whose issuer is ready is simply being issued: wait for it a while before judging.
        const waitMs = req.issuanceWaitMs ?? 0;
        const started = Date.now();
        while (waitMs > 0 && pendingIssuance(discovery) && Date.now() - started < waitMs) {
          op.progress?.('Waiting for cert-manager to issue the listener certificates…', 0.5);
          await sleep(Math.min(1000, waitMs - (Date.now() - started)), op.signal);
          ({ discovery, raw } = await discoverAio(client, req.namespace, { nodeId: req.nodeId, via: access.via, description: access.description, ...(op.signal ? { signal: op.signal } : {}), trust: req.trust }));
        }
        const waited = pendingIssuance(discovery) ? Date.now() - started : 0;
        const listenerSecrets = new Map<string, string | null>();
        for (const l of discovery.listeners) {
          for (const p of l.ports) {
            if (p.tls.mode !== 'Manual' || !p.tls.secretName || listenerSecrets.has(p.tls.secretName)) continue;
            const s = await this.readOptional(client, 'Secret', p.tls.secretName, req.namespace);
            // Only the public tls.crt is decoded; the key stays where it is.
            const crt = s ? (s['data'] as Record<string, string> | undefined)?.['tls.crt'] : undefined;
            if (s === undefined) continue;
            listenerSecrets.set(p.tls.secretName, s === null ? null : crt ? Buffer.from(crt, 'base64').toString('utf8') : '');
          }
        }
        const clientCaConfigMaps = new Map<string, string | null>();
        for (const a of discovery.authentications) {
          for (const m of a.methods) {
            if (!m.trustedClientCaCert || clientCaConfigMaps.has(m.trustedClientCaCert)) continue;
            const cm = await this.readOptional(client, 'ConfigMap', m.trustedClientCaCert, req.namespace);
            if (cm === undefined) continue;
            clientCaConfigMaps.set(m.trustedClientCaCert, cm === null ? null : Object.values((cm?.['data'] as Record<string, string> | undefined) ?? {}).join('\n'));
          }
        }
        op.progress?.('Checking the vault certificates…', 0.9);
        const summaries = this.options.pki.summaries();
        const byId = new Map(summaries.map((s) => [s.id, s]));
        const vaultServerCertificates = req.serverCertificateIds.map((id) => {
          const s = byId.get(id);
          if (!s) throw new FieldbenchError('pki.not-found', `No certificate with id "${id.slice(0, 40)}" is in the vault. Refresh the list; it may have been removed.`);
          return { id, commonName: s.commonName, pem: this.options.pki.exportCertificatePem(id) };
        });
        const clientIds = req.clientCertificateIds ?? summaries.filter((s) => s.role === 'client').map((s) => s.id);
        const vaultClientChains = clientIds.map((id) => {
          const s = byId.get(id);
          if (!s) throw new FieldbenchError('pki.not-found', `No certificate with id "${id.slice(0, 40)}" is in the vault. Refresh the list; it may have been removed.`);
          const chainPem = this.options.pki.exportCertificatePem(id, { chain: 'full' });
          return { id, commonName: s.commonName, chainPem, rootId: rootIdOf(s, byId) };
        });
        const diagnostics = diagnoseAio({
          discovery,
          listenerSecrets,
          clientCaConfigMaps,
          nodeAddresses: req.nodeAddresses,
          vaultServerCertificates,
          vaultClientChains,
          clientsExplicit: req.clientCertificateIds !== undefined,
          issuanceWaitedMs: waitMs > 0 ? waited : 0,
        });
        op.progress?.('Diagnosis finished.', 1);
        return { diagnostics, discovery, raw };
      } catch (err) {
        throw explainKubeError(err, 'read the broker setup', access.description);
      }
    }
  }

  /**
   * Imports a trust bundle's CA certificates into the vault; roots become trusted CAs there. Without a name
   * it takes the bundle discovery marks as what clients trust (the install's default, or whatever it uses).
   */
  async importTrustBundle(
    req: { nodeId: string; namespace: string; source: 'ConfigMap' | 'Secret'; name?: string | undefined; key?: string | undefined },
    op: AioOperation = {},
  ): Promise<ImportTrustBundleResultT> {
    return this.withKube(req.nodeId, op, async (client, access) => {
      let name = req.name;
      let key = req.key;
      try {
        if (!name) {
          const { discovery } = await discoverAio(client, req.namespace, { nodeId: req.nodeId, via: access.via, description: access.description, ...op });
          const bundle = discovery.trustBundles.find((b) => b.source === req.source && (req.source === 'Secret' ? b.role === 'internal' : b.role === 'client-trust'));
          if (!bundle) {
            throw new FieldbenchError('aio.noTrustBundle', `No trust bundle was found in ${req.namespace}. Name the ConfigMap that holds the CA the broker's certificates chain to.`);
          }
          name = bundle.name;
          key ??= bundle.key;
        }
        const obj = await client.get(req.source, name, req.namespace);
        if (!obj) throw new FieldbenchError('aio.notFound', `${req.source} ${name} does not exist in ${req.namespace}. Run discovery to see which trust bundles the install has.`);
        let pem: string;
        if (req.source === 'Secret') {
          // Only ca.crt: a CA Secret also holds tls.key, which never leaves the cluster.
          const b64 = (obj['data'] as Record<string, string> | undefined)?.[key ?? 'ca.crt'];
          if (!b64 || (key ?? 'ca.crt') === 'tls.key') throw new FieldbenchError('aio.noCertificates', `Secret ${name} has no ${key ?? 'ca.crt'} certificate to import.`);
          pem = Buffer.from(b64, 'base64').toString('utf8');
          key ??= 'ca.crt';
        } else {
          const data = (obj['data'] as Record<string, string> | undefined) ?? {};
          key ??= Object.keys(data).find((k) => data[k]?.includes('-----BEGIN CERTIFICATE-----'));
          pem = key ? (data[key] ?? '') : '';
        }
        const certs = splitPemCertificates(pem);
        if (certs.length === 0 || !key) throw new FieldbenchError('aio.noCertificates', `${req.source} ${name}${key ? ` (key ${key})` : ''} holds no certificate. Check the key name.`);
        op.progress?.('Importing into the vault…', 0.8);
        const known = new Set(this.options.pki.summaries().map((s) => s.fingerprintSha256.replace(/:/g, '').toLowerCase()));
        const parsed = certs.map((c) => new X509Certificate(c));
        const result = await this.options.pki.importFile({ fileName: `${name}-${key}`, data: certs.join('') });
        return {
          source: { kind: req.source, name, namespace: req.namespace, key },
          certificates: parsed.map((c, i) => ({ certificateId: result.certificateIds[i] ?? '', subject: opensslSubject(c.subject), duplicate: known.has(fingerprint256(c)) })),
          imported: result.certificatesImported,
          duplicates: result.duplicates,
        };
      } catch (err) {
        throw explainKubeError(err, `read the trust bundle`, access.description);
      }
    });
  }

  /**
   * The exact objects `apply` would send for this spec, in apply order, built from the vault with no node
   * and no API server: for preparing at the desk, for review, and for the exports area's `kubernetes`
   * target. Checks that need the cluster (references to what is already there, issuers) cannot run here,
   * so a reference the spec does not satisfy itself becomes a warning instead of an error.
   * The Secrets carry their private keys: callers outside main must redact them (see renderBrokerYaml).
   */
  renderBrokerObjects(spec: ApplySpecParsed): { objects: KubeObject[]; issues: SpecIssueT[] } {
    const built = this.build(spec);
    return { objects: built.objects, issues: [...built.issues, ...validateApplySpec(spec, undefined)] };
  }

  /** renderBrokerObjects as YAML: `exactYaml` holds the keys and stays in main unless a caller hands it on. */
  renderBrokerYaml(spec: ApplySpecParsed): RenderResultT & { exactYaml: string } {
    const { objects, issues } = this.renderBrokerObjects(spec);
    const docs = (list: KubeObject[]): string => list.map((o) => toYaml(o)).join('---\n');
    return {
      yaml: docs(objects.map(redact)),
      exactYaml: docs(objects),
      resources: objects.map(refOf),
      issues,
      containsKeys: objects.some((o) => o.kind === 'Secret'),
    };
  }

  // ---- building ----------------------------------------------------------------------------------

  /** Turns the spec into objects, in apply order. Vault problems become issues rather than exceptions. */
  build(spec: ApplySpecParsed): Built {
    const ns = spec.namespace;
    const issues: SpecIssueT[] = [];
    const objects: KubeObject[] = [];
    const pki = this.options.pki;
    const summaries = new Map(pki.summaries().map((s) => [s.id, s]));
    const fromVault = (kind: string, name: string, fn: () => void): void => {
      try {
        fn();
      } catch (err) {
        if (err instanceof FieldbenchError && err.code === 'vault.locked') throw err;
        issues.push({ severity: 'error', resource: { kind, name, namespace: ns }, sentence: err instanceof FieldbenchError ? err.message : `Could not build ${kind} ${name} from the vault: ${String((err as Error).message ?? err)}` });
      }
    };
    for (const s of spec.serverSecrets) {
      fromVault('Secret', s.name, () => {
        const sum = summaries.get(s.certificateId);
        if (!sum) throw new FieldbenchError('pki.not-found', `Secret ${s.name}: no certificate with id "${s.certificateId.slice(0, 40)}" is in the vault. Pick the server certificate again.`);
        if (sum.isCa) throw new FieldbenchError('aio.notServerCertificate', `Secret ${s.name}: ${sum.commonName} is a CA certificate, not a server certificate. Pick the listener's server (leaf) certificate.`);
        if (!sum.hasPrivateKey) throw new FieldbenchError('pki.no-private-key', `Secret ${s.name}: the vault has no private key for ${sum.commonName}. Import its key file first.`);
        // Leaf then intermediates, without the root: clients hold the root, the broker must present the rest.
        const chain = pki.exportCertificatePem(s.certificateId, { chain: 'chain' });
        objects.push(buildTlsSecret({ name: s.name, namespace: ns, certificateChainPem: chain, privateKeyPem: pki.exportKey(s.certificateId) }));
      });
    }
    for (const c of spec.clientCas) {
      fromVault('ConfigMap', c.name, () => {
        const pems: string[] = [];
        for (const id of c.certificateIds) {
          const sum = summaries.get(id);
          if (!sum) throw new FieldbenchError('pki.not-found', `ConfigMap ${c.name}: no certificate with id "${id.slice(0, 40)}" is in the vault. Pick the client CA again.`);
          if (c.include === 'selected') {
            if (!sum.isCa) throw new FieldbenchError('aio.notCaCertificate', `ConfigMap ${c.name}: ${sum.commonName} is not a CA certificate. Pick the CA that issued the clients, or include its chain.`);
            pems.push(pki.exportCertificatePem(id));
          } else {
            const cas = parseCertificates(pki.exportCertificatePem(id, { chain: 'full' })).filter((x) => x.ca);
            if (cas.length === 0) throw new FieldbenchError('aio.notCaCertificate', `ConfigMap ${c.name}: the vault holds no CA for ${sum.commonName}. Import the CA that issued it.`);
            pems.push(...cas.map((x) => x.toString()));
          }
        }
        const families = [...new Set(pems.flatMap((p) => parseCertificates(p).map(keyFamilyOf)))];
        if (families.length > 1) {
          issues.push({ severity: 'warning', resource: { kind: 'ConfigMap', name: c.name, namespace: ns }, sentence: `ConfigMap ${c.name} mixes ${families.map((f) => f.toUpperCase()).join(' and ')} CAs. That is fine for separate client chains, but each single chain must use one key family.` });
        }
        objects.push(buildClientCaConfigMap({ name: c.name, namespace: ns, caCertificatesPem: pems, key: c.key }));
      });
    }
    for (const a of spec.authentications) objects.push(buildBrokerAuthentication(a, ns));
    for (const a of spec.authorizations) objects.push(buildBrokerAuthorization(a, ns));
    for (const l of spec.listeners) objects.push(buildBrokerListener(l, ns));
    objects.sort((x, y) => APPLY_ORDER.indexOf(x.kind as never) - APPLY_ORDER.indexOf(y.kind as never));
    return { objects, issues };
  }

  // ---- internals -----------------------------------------------------------------------------------

  private async validate(client: AioKubeClient, spec: ApplySpecParsed, access: KubeAccess, op: AioOperation): Promise<SpecIssueT[]> {
    op.progress?.('Reading what the cluster has…', 0.05);
    let discovery: AioDiscoveryT;
    try {
      discovery = (await discoverAio(client, spec.namespace, { nodeId: '', via: access.via, description: access.description, ...(op.signal ? { signal: op.signal } : {}) })).discovery;
    } catch (err) {
      throw explainKubeError(err, 'read the broker setup', access.description);
    }
    const referenced = (kind: 'Secret' | 'ConfigMap'): string[] => {
      const names = new Set<string>();
      for (const l of spec.listeners) for (const p of l.ports) if (kind === 'Secret' && p.tls?.mode === 'Manual') names.add(p.tls.secretName);
      if (kind === 'ConfigMap') for (const a of spec.authentications) for (const m of a.methods) if (m.method === 'X509') names.add(m.trustedClientCaCert);
      return [...names];
    };
    const existing = async (kind: 'Secret' | 'ConfigMap'): Promise<Set<string>> => {
      const out = new Set<string>();
      for (const n of referenced(kind)) {
        try {
          if (await client.get(kind, n, spec.namespace)) out.add(n);
        } catch (err) {
          throw explainKubeError(err, `read ${kind} ${n}`, access.description);
        }
      }
      return out;
    };
    const facts: ClusterFacts = {
      listeners: discovery.listeners,
      authentications: discovery.authentications,
      authorizations: discovery.authorizations.map((a) => a.name),
      issuers: discovery.issuers,
      secrets: await existing('Secret'),
      configMaps: await existing('ConfigMap'),
    };
    const issues = validateApplySpec(spec, facts);
    if (!discovery.aioPresent && (spec.listeners.length + spec.authentications.length + spec.authorizations.length) > 0) {
      issues.push({ severity: 'error', resource: { kind: 'Namespace', name: spec.namespace }, sentence: `The AIO broker API does not answer on this cluster, so listeners and policies cannot be applied. Install Azure IoT Operations first.` });
    }
    return issues;
  }

  private async planOne(client: AioKubeClient, obj: KubeObject, force: boolean, via: string): Promise<{ planned: PlannedResourceT; after?: KubeObject }> {
    const ref = refOf(obj);
    const yaml = toYaml(redact(obj));
    let live: KubeObject | undefined;
    try {
      live = await client.get(obj.kind, obj.metadata.name, obj.metadata.namespace);
    } catch (err) {
      const e = explainKubeError(err, `read ${label(obj)}`, via);
      if (e.code === 'aio.connection' || e.code === 'aio.unauthorized') throw e;
      return { planned: { ref, apiVersion: obj.apiVersion, yaml, action: 'create', diff: objectDiff(label(obj), undefined, obj), dryRun: { ok: false, code: e.code, message: e.message }, conflictsWith: [] } };
    }
    try {
      const after = await client.apply(obj, { dryRun: true, force });
      const diff = objectDiff(label(obj), live, after);
      return { planned: { ref, apiVersion: obj.apiVersion, yaml, action: !live ? 'create' : diff === '' ? 'unchanged' : 'update', diff, dryRun: { ok: true }, conflictsWith: [] }, after };
    } catch (err) {
      const e = explainKubeError(err, `apply ${label(obj)}`, via);
      if (e.code === 'aio.connection' || e.code === 'aio.unauthorized') throw e;
      const managers = err instanceof KubeApiError && err.status === 409 ? conflictManagers(err) : [];
      const desired = live ? { ...comparable(live), ...obj, metadata: { ...comparable(live).metadata, ...obj.metadata } } : obj;
      return {
        planned: {
          ref,
          apiVersion: obj.apiVersion,
          yaml,
          action: live ? 'update' : 'create',
          diff: objectDiff(label(obj), live, desired as KubeObject),
          dryRun: { ok: false, code: e.code, message: e.message },
          conflictsWith: managers,
        },
      };
    }
  }

  private async applyOne(client: AioKubeClient, obj: KubeObject, opts: { force: boolean; dryRun: boolean }, via: string): Promise<AppliedResourceT> {
    const ref = refOf(obj);
    let before: string | undefined;
    try {
      const live = await client.get(obj.kind, obj.metadata.name, obj.metadata.namespace);
      before = live?.metadata['resourceVersion'] as string | undefined;
      const after = await client.apply(obj, opts);
      const unchanged = live !== undefined && (opts.dryRun ? objectDiff('', live, after) === '' : after.metadata['resourceVersion'] === before);
      return { ref, outcome: unchanged ? 'unchanged' : 'applied', ...(unchanged ? { message: `${label(obj)} was already as asked.` } : {}) };
    } catch (err) {
      const e = explainKubeError(err, `apply ${label(obj)}`, via);
      if (!(err instanceof KubeApiError) || !err.network || opts.dryRun) return { ref, outcome: 'failed', error: { code: e.code, message: e.message } };
      // The answer was lost; ask again on a fresh connection whether the cluster stored it.
      try {
        const now = await client.get(obj.kind, obj.metadata.name, obj.metadata.namespace);
        if (now && isSubset(contentOf(obj), contentOf(now))) {
          return { ref, outcome: 'applied', message: `The connection dropped, but the cluster had already stored ${label(obj)}.` };
        }
        return { ref, outcome: 'failed', error: { code: e.code, message: e.message } };
      } catch {
        return { ref, outcome: 'unknown', error: { code: e.code, message: `${e.message} Whether ${label(obj)} was stored is unknown; applying again settles it.` } };
      }
    }
  }

  private async readRefs(client: AioKubeClient, refs: readonly ResourceRefT[]): Promise<ReadBackItemT[]> {
    const out: ReadBackItemT[] = [];
    for (const ref of refs) {
      if (!isKnownKind(ref.kind)) {
        out.push({ ref, exists: false, managers: [], conditions: [] });
        continue;
      }
      let o: KubeObject | undefined;
      try {
        o = await client.get(ref.kind, ref.name, ref.namespace);
      } catch (err) {
        if (err instanceof KubeApiError && err.network) {
          out.push({ ref, exists: false, managers: [], conditions: [{ type: 'ReadBack', status: 'Unknown', reason: 'ConnectionLost', message: 'The connection dropped before this could be read back.' }] });
          continue;
        }
        throw explainKubeError(err, `read back ${ref.kind} ${ref.name}`);
      }
      if (!o) {
        out.push({ ref, exists: false, managers: [], conditions: [] });
        continue;
      }
      const conds = (((o['status'] as Record<string, unknown> | undefined)?.['conditions'] as Array<Record<string, unknown>> | undefined) ?? []).map((c) => ({
        type: String(c['type'] ?? ''),
        status: String(c['status'] ?? ''),
        ...(typeof c['reason'] === 'string' ? { reason: c['reason'] } : {}),
        ...(typeof c['message'] === 'string' ? { message: c['message'] } : {}),
      }));
      const rv = o.metadata['resourceVersion'];
      const view = redact(structuredClone(o));
      delete view.metadata['managedFields'];
      out.push({ ref, exists: true, ...(typeof rv === 'string' ? { resourceVersion: rv } : {}), managers: managersOf(o), conditions: conds.length > 0 ? conds : readyConditionList(o), yaml: toYaml(view) });
    }
    return out;
  }

  /** Null when the object does not exist, undefined when this user may not read it; throws other failures. */
  private async readOptional(client: AioKubeClient, kind: string, name: string, namespace: string): Promise<KubeObject | null | undefined> {
    try {
      return (await client.get(kind, name, namespace)) ?? null;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 403) return undefined;
      throw err;
    }
  }

  private async withKube<T>(nodeId: string, op: AioOperation, fn: (client: AioKubeClient, access: KubeAccess) => Promise<T>): Promise<T> {
    op.progress?.('Connecting to the node…', 0);
    const access = await this.options.kube.openKube(nodeId, op.signal ? { signal: op.signal } : {});
    try {
      const client = new AioKubeClient(access.kubeConfig, { ...(op.signal ? { signal: op.signal } : {}), ...(this.options.requestTimeoutMs ? { timeoutMs: this.options.requestTimeoutMs } : {}) });
      return await fn(client, access);
    } finally {
      await access.release();
    }
  }
}

/**
 * Server-side apply only removes fields Fieldbench owned before; fields another manager set stay. For a
 * listener port switched between Automatic and Manual TLS that leaves both settings side by side, which
 * the person must clean up where the old one was set (usually the portal).
 */
function leftoverFieldWarnings(sent: KubeObject, after: KubeObject): SpecIssueT[] {
  if (sent.kind !== 'BrokerListener') return [];
  const out: SpecIssueT[] = [];
  const ports = ((after['spec'] as Record<string, unknown> | undefined)?.['ports'] as Array<Record<string, unknown>> | undefined) ?? [];
  const sentPorts = ((sent['spec'] as Record<string, unknown>)['ports'] as Array<Record<string, unknown>>) ?? [];
  const managers = managersOf(after).filter((m) => m !== 'fieldbench');
  for (const p of ports) {
    const mine = sentPorts.find((x) => x['port'] === p['port']);
    const tls = p['tls'] as Record<string, unknown> | undefined;
    if (!mine?.['tls'] || !tls) continue;
    const mode = (mine['tls'] as Record<string, unknown>)['mode'];
    const stale = mode === 'Manual' ? 'certManagerCertificateSpec' : mode === 'Automatic' ? 'manual' : undefined;
    if (!stale || tls[stale] === undefined) continue;
    out.push({
      severity: 'warning',
      resource: { kind: 'BrokerListener', name: sent.metadata.name, ...(sent.metadata.namespace ? { namespace: sent.metadata.namespace } : {}) },
      field: `spec.ports.tls.${stale}`,
      sentence: `Port ${String(p['port'])} of listener ${sent.metadata.name} would switch to ${String(mode)} TLS but keep the old ${stale} settings${managers.length > 0 ? `, which ${managers.join(', ')} set` : ''}; Fieldbench cannot remove fields it does not own. Remove them where they were set (the portal), or delete the listener and apply it again.`,
    });
  }
  return out;
}

/** What the API server said with its answer (a deprecated field, a pruned one), shown with the resource it concerns. */
function serverWarnings(obj: KubeObject, warnings: readonly string[]): SpecIssueT[] {
  return [...new Set(warnings)].map((w) => ({
    severity: 'warning' as const,
    resource: refOf(obj),
    sentence: `The cluster warned about ${label(obj)}: ${w}. Check the field against the cluster's version of the resource.`,
  }));
}

/** Some Certificate is not Ready while its issuer is: cert-manager is (or should be) issuing it. */
function pendingIssuance(d: AioDiscoveryT): boolean {
  return d.certificates.some((c) => {
    if (c.ready === 'True') return false;
    const issuer = d.issuers.find((i) => i.name === c.issuerRef.name && i.kind === c.issuerRef.kind);
    const req = d.certificateRequests.filter((r) => r.certificate === c.name).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    return issuer?.ready === 'True' && req?.ready !== 'False';
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

function readyConditionList(o: KubeObject): ReadBackItemT['conditions'] {
  const r = readyCondition(o);
  return r.ready === 'Unknown' ? [] : [{ type: 'Ready', status: r.ready, ...(r.reason ? { reason: r.reason } : {}), ...(r.message ? { message: r.message } : {}) }];
}

/** The part of an object an apply sets, for "did the cluster store it?" after a lost answer. */
function contentOf(o: KubeObject): Record<string, unknown> {
  if (o.kind === 'Secret') return { type: o['type'], data: o['data'] };
  if (o.kind === 'ConfigMap') return { data: o['data'] };
  return { spec: o['spec'] };
}

function rootIdOf(s: CertificateSummary, byId: ReadonlyMap<string, CertificateSummary>): string | null {
  let cur: CertificateSummary | undefined = s;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur.issuerId === null) return null;
    if (cur.issuerId === cur.id) return cur.id;
    cur = byId.get(cur.issuerId);
  }
  return null;
}

function summarize(results: readonly AppliedResourceT[], complete: boolean, dryRun: boolean, cancelled: boolean): string {
  const names = (o: AppliedResourceT['outcome'][]): string[] => results.filter((r) => o.includes(r.outcome)).map((r) => `${r.ref.kind} ${r.ref.name}`);
  const done = names(['applied', 'unchanged']);
  if (dryRun) return complete ? `The server accepted all ${results.length} resources in a dry run; nothing was changed.` : `The dry run stopped at ${names(['failed', 'unknown'])[0] ?? 'a resource'}; nothing was changed.`;
  if (complete) {
    const changed = names(['applied']).length;
    return changed === 0 ? `All ${results.length} resources were already as asked; nothing changed.` : `Applied ${changed} of ${results.length} resources${changed < results.length ? ` (${results.length - changed} were already as asked)` : ''}.`;
  }
  const failed = results.find((r) => r.outcome === 'failed' || r.outcome === 'unknown');
  const notDone = names(['not-attempted', 'failed', 'unknown']);
  const head = cancelled ? 'The apply was cancelled.' : failed ? `${failed.ref.kind} ${failed.ref.name} ${failed.outcome === 'unknown' ? 'may not have been applied' : 'was not applied'}: ${failed.error?.message ?? 'it failed'}` : 'The apply stopped.';
  return `${head} Applied: ${done.length > 0 ? done.join(', ') : 'none'}. Not applied: ${notDone.join(', ')}. Apply the same spec again to finish; what is already there is left as is.`;
}
