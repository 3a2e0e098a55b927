/**
 * Just enough of cert-manager and the AIO operator: a BrokerListener gets its Service and, for Automatic
 * TLS, a Certificate `aio-broker-frontend-server-<port>`; cert-manager's half (reconcileCertificates) writes
 * the Certificate, CertificateRequest and Issuer conditions its controllers write.
 */
import { X509Certificate } from 'node:crypto';
import { isPlainObject, type JsonObject } from './kube-managed-fields.js';
import { createCsr, createRootCa, importCa, issueLeaf } from './kube-pki.js';
import { CERT_MANAGER_NAMESPACE } from './kube-preload.js';

/** The emulator's store as the controllers see it; `upsert` merges, defaults and skips no-op writes. */
export interface ReconcileStore {
  list(group: string, resource: string, namespace?: string): JsonObject[];
  get(group: string, resource: string, namespace: string, name: string): JsonObject | undefined;
  upsert(obj: JsonObject, manager: string, opts?: { status?: boolean }): JsonObject;
}

const CM = 'cert-manager.io';
const AIO = 'mqttbroker.iotoperations.azure.com';

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((n, k) => (isPlainObject(n) ? n[k] : undefined), o);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const meta = (o: JsonObject): JsonObject => (o['metadata'] ?? {}) as JsonObject;
const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function ownerRef(owner: JsonObject): JsonObject {
  return { apiVersion: owner['apiVersion'], kind: owner['kind'], name: meta(owner)['name'], uid: meta(owner)['uid'], controller: true, blockOwnerDeletion: true };
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string, generation: unknown, previous?: unknown): JsonObject {
  const prev = Array.isArray(previous) ? (previous as JsonObject[]).find((c) => c['type'] === type) : undefined;
  const same = prev && prev['status'] === status;
  return { type, status, reason, message, lastTransitionTime: same ? prev['lastTransitionTime'] : nowIso(), ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

const ALGORITHMS: Record<string, JsonObject> = {
  Ec256: { algorithm: 'ECDSA', size: 256 },
  Ec384: { algorithm: 'ECDSA', size: 384 },
  Ec521: { algorithm: 'ECDSA', size: 521 },
  Ed25519: { algorithm: 'Ed25519' },
  Rsa2048: { algorithm: 'RSA', size: 2048 },
  Rsa4096: { algorithm: 'RSA', size: 4096 },
  Rsa8192: { algorithm: 'RSA', size: 8192 },
};

const SERVICE_TYPES: Record<string, string> = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer' };

/** The Certificate the operator makes for an Automatic TLS port (the AIO operator names it by the port). */
export const automaticCertificateName = (port: unknown): string => `aio-broker-frontend-server-${String(port)}`;

/** The AIO operator's half: Services and Certificates from BrokerListeners. */
export function reconcileListeners(store: ReconcileStore): void {
  for (const l of store.list(AIO, 'brokerlisteners')) {
    const md = meta(l);
    const ns = str(md['namespace']);
    const name = str(md['name']);
    const spec = (l['spec'] ?? {}) as JsonObject;
    const serviceName = str(spec['serviceName']) || name;
    const ports = Array.isArray(spec['ports']) ? (spec['ports'] as JsonObject[]) : [];
    // The operator reads the enums in any case, as the cluster stores them (seed 001's `mode: automatic`).
    const type = SERVICE_TYPES[(str(spec['serviceType']) || 'ClusterIp').toLowerCase()] ?? 'ClusterIP';
    // A Service another object controls is left alone, as controller-runtime's SetControllerReference refuses
    // a second controller ("already owned by another"): two listeners naming one serviceName leave the Service
    // to the first, and the second's type may then not match it.
    const current = store.get('', 'services', ns, serviceName);
    const controller = ((get(current, 'metadata.ownerReferences') as JsonObject[] | undefined) ?? []).find((r) => r['controller'] === true);
    if (controller && controller['uid'] !== md['uid']) continue;
    store.upsert(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: serviceName, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'aio-broker-operator', 'app.kubernetes.io/instance': 'broker' }, ownerReferences: [ownerRef(l)] },
        spec: {
          type,
          selector: { 'app.kubernetes.io/name': 'microsoft-iotoperations-mqttbroker', 'app.kubernetes.io/component': 'frontend' },
          ports: ports.map((p) => ({
            name: `port-${String(p['port'])}`,
            port: p['port'],
            targetPort: p['port'],
            protocol: 'TCP',
            ...(type !== 'ClusterIP' && p['nodePort'] !== undefined ? { nodePort: p['nodePort'] } : {}),
          })),
        },
      },
      'aio-broker-operator',
    );
    for (const p of ports) {
      const tls = p['tls'];
      if (str(get(tls, 'mode')).toLowerCase() !== 'automatic') continue;
      const cm = (get(tls, 'certManagerCertificateSpec') ?? {}) as JsonObject;
      const issuerRef = (cm['issuerRef'] ?? {}) as JsonObject;
      const certName = automaticCertificateName(p['port']);
      const san = (cm['san'] ?? {}) as JsonObject;
      const dns = [serviceName, `${serviceName}.${ns}`, `${serviceName}.${ns}.svc`, `${serviceName}.${ns}.svc.cluster.local`, ...((san['dns'] as string[] | undefined) ?? [])];
      const pk = (cm['privateKey'] ?? {}) as JsonObject;
      store.upsert(
        {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: { name: certName, namespace: ns, ownerReferences: [ownerRef(l)] },
          spec: {
            secretName: str(cm['secretName']) || certName,
            issuerRef: { name: issuerRef['name'], kind: issuerRef['kind'] ?? 'Issuer', group: issuerRef['group'] ?? CM },
            dnsNames: [...new Set(dns)],
            ...(Array.isArray(san['ip']) && san['ip'].length > 0 ? { ipAddresses: san['ip'] } : {}),
            duration: cm['duration'] ?? '720h',
            renewBefore: cm['renewBefore'] ?? '240h',
            privateKey: { ...(Object.entries(ALGORITHMS).find(([k]) => k.toLowerCase() === (str(pk['algorithm']) || 'Ec256').toLowerCase())?.[1] ?? ALGORITHMS['Ec256']), rotationPolicy: pk['rotationPolicy'] ?? 'Always' },
            usages: ['server auth', 'client auth'],
          },
        },
        'aio-broker-operator',
      );
    }
  }
}

/** Issuer readiness, as cert-manager's CA issuer reports it. */
export function reconcileIssuers(store: ReconcileStore): void {
  const all = [...store.list(CM, 'clusterissuers'), ...store.list(CM, 'issuers')];
  for (const issuer of all) {
    const md = meta(issuer);
    const cluster = issuer['kind'] === 'ClusterIssuer';
    const secretNs = cluster ? CERT_MANAGER_NAMESPACE : str(md['namespace']);
    const caSecret = str(get(issuer, 'spec.ca.secretName'));
    let cond: JsonObject;
    if (get(issuer, 'spec.selfSigned') !== undefined) {
      cond = condition('Ready', 'True', 'IsReady', '', md['generation'], get(issuer, 'status.conditions'));
    } else if (caSecret && store.get('', 'secrets', secretNs, caSecret)) {
      cond = condition('Ready', 'True', 'KeyPairVerified', 'Signing CA verified', md['generation'], get(issuer, 'status.conditions'));
    } else {
      cond = condition('Ready', 'False', 'ErrGetKeyPair', `Error getting keypair for CA issuer: secrets "${caSecret}" not found`, md['generation'], get(issuer, 'status.conditions'));
    }
    store.upsert({ apiVersion: issuer['apiVersion'], kind: issuer['kind'], metadata: { name: md['name'], ...(cluster ? {} : { namespace: md['namespace'] }) }, status: { conditions: [cond] } }, 'cert-manager-issuers', { status: true });
  }
}

type Signer = { cert: string; key: string } | 'self-signed';

/**
 * What the CertificateRequest controller finds for a request (pkg/controller/certificaterequests/sync.go):
 * a missing issuer or one that is not Ready leaves the request Pending with these messages; the lister's
 * NotFound names the singular resource (`clusterissuer.cert-manager.io "x" not found`).
 */
function findSigner(store: ReconcileStore, ns: string, ref: JsonObject): { signer?: Signer; reason?: string; message?: string } {
  const kind = str(ref['kind']) || 'Issuer';
  const name = str(ref['name']);
  const issuer = kind === 'ClusterIssuer' ? store.get(CM, 'clusterissuers', '', name) : store.get(CM, 'issuers', ns, name);
  if (!issuer) {
    return { reason: 'IssuerNotFound', message: `Referenced "${kind}" not found: ${kind.toLowerCase()}.cert-manager.io "${name}" not found` };
  }
  const ready = (get(issuer, 'status.conditions') as JsonObject[] | undefined)?.find((c) => c['type'] === 'Ready');
  if (ready?.['status'] !== 'True') return { reason: 'IssuerNotReady', message: 'Referenced issuer does not have a Ready status condition' };
  if (get(issuer, 'spec.selfSigned') !== undefined) return { signer: 'self-signed' };
  const secretNs = kind === 'ClusterIssuer' ? CERT_MANAGER_NAMESPACE : ns;
  const secret = store.get('', 'secrets', secretNs, str(get(issuer, 'spec.ca.secretName')));
  const data = (secret?.['data'] ?? {}) as Record<string, string>;
  if (!data['tls.crt'] || !data['tls.key']) return { reason: 'IssuerNotReady', message: 'Referenced issuer does not have a Ready status condition' };
  return { signer: { cert: Buffer.from(data['tls.crt'], 'base64').toString(), key: Buffer.from(data['tls.key'], 'base64').toString() } };
}

/** Emulator knobs for the cert-manager half. */
export interface CertManagerOptions {
  /** While true, requests whose issuer is ready stay unsigned (Ready not yet reported), as during a slow issuance. */
  holdIssuance?: boolean;
}

/**
 * cert-manager's half, condition for condition as its controllers write them:
 * - trigger (pkg/controller/certificates/trigger) sets `Issuing=True` with the policy's reason and message
 *   (internal/controller/certificates/policies: DoesNotExist "Issuing certificate as Secret does not exist",
 *   IncorrectIssuer, RequestChanged);
 * - readiness sets `Ready=False` with the same reason until the Secret is valid, then `Ready=True, Ready,
 *   "Certificate is up to date and has not expired"`;
 * - the request manager creates CertificateRequest `<name>-<revision>`, approved by cert-manager.io; its
 *   controller answers `Ready=False, Pending` (issuer missing or not ready) or `Ready=True, Issued`;
 * - issuing (pkg/controller/certificates/issuing) writes the Secret and removes `Issuing`; a Failed request
 *   turns `Issuing` False with "The certificate request has failed to complete and will be retried: …".
 * The Certificate's own reason never says why it is not issued: that is on the request and the issuer.
 */
export async function reconcileCertificates(store: ReconcileStore, opts: CertManagerOptions = {}): Promise<void> {
  for (const cert of store.list(CM, 'certificates')) {
    const md = meta(cert);
    const ns = str(md['namespace']);
    const name = str(md['name']);
    const spec = (cert['spec'] ?? {}) as JsonObject;
    const prevConds = get(cert, 'status.conditions');
    const gen = md['generation'];
    const secretName = str(spec['secretName']);
    const dns = (spec['dnsNames'] as string[] | undefined) ?? [];
    const ips = (spec['ipAddresses'] as string[] | undefined) ?? [];
    const ref = (spec['issuerRef'] ?? {}) as JsonObject;
    const issuerName = str(ref['name']);
    const issuerKind = str(ref['kind']) || 'Issuer';
    const wanted = { 'cert-manager.io/alt-names': dns.join(','), 'cert-manager.io/ip-sans': ips.join(','), 'cert-manager.io/issuer-name': issuerName, 'cert-manager.io/issuer-kind': issuerKind };
    const existing = store.get('', 'secrets', ns, secretName);
    const ann = (get(existing, 'metadata.annotations') ?? {}) as Record<string, string>;
    const existingPem = existing ? Buffer.from(str(get(existing, 'data.tls.crt')), 'base64').toString() : '';
    const revision = Number(get(cert, 'status.revision') ?? 0);
    const writeStatus = (status: JsonObject): void => {
      store.upsert({ apiVersion: cert['apiVersion'], kind: 'Certificate', metadata: { name, namespace: ns }, status }, 'cert-manager-certificates-readiness', { status: true });
    };

    // The policy chain: why (re)issuance is needed, or nothing when the Secret matches the spec.
    let why: { reason: string; message: string } | undefined;
    if (!existing) why = { reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' };
    else if (!existingPem) why = { reason: 'MissingData', message: 'Issuing certificate as Secret does not contain any data' };
    else if (ann['cert-manager.io/issuer-name'] !== issuerName || (ann['cert-manager.io/issuer-kind'] ?? 'Issuer') !== issuerKind) {
      why = { reason: 'IncorrectIssuer', message: `Issuing certificate as Secret was previously issued by "${ann['cert-manager.io/issuer-kind'] ?? 'Issuer'}.cert-manager.io/${ann['cert-manager.io/issuer-name'] ?? ''}"` };
    } else if (ann['cert-manager.io/alt-names'] !== wanted['cert-manager.io/alt-names'] || ann['cert-manager.io/ip-sans'] !== wanted['cert-manager.io/ip-sans']) {
      why = { reason: 'RequestChanged', message: 'Fields on existing CertificateRequest resource not up to date: [spec]' };
    }

    if (!why) {
      writeStatus(issuedStatus(existingPem, spec, gen, prevConds, Math.max(1, revision)));
      continue;
    }

    // The request for the next revision, created once per revision by the request manager.
    const next = revision + 1;
    const crName = `${name}-${next}`;
    let cr = store.get(CM, 'certificaterequests', ns, crName);
    if (!cr) {
      cr = store.upsert(
        {
          apiVersion: 'cert-manager.io/v1',
          kind: 'CertificateRequest',
          metadata: {
            name: crName,
            namespace: ns,
            ownerReferences: [ownerRef(cert)],
            annotations: { 'cert-manager.io/certificate-name': name, 'cert-manager.io/certificate-revision': String(next), 'cert-manager.io/private-key-secret-name': `${name}-next` },
          },
          spec: {
            issuerRef: { name: issuerName, kind: issuerKind, group: str(ref['group']) || CM },
            request: b64(await createCsr(dns[0] ?? name, dns, ips)),
            usages: spec['usages'] ?? ['digital signature', 'key encipherment'],
            ...(spec['duration'] !== undefined ? { duration: spec['duration'] } : {}),
          },
        },
        'cert-manager-certificates-request-manager',
      );
    }
    const crConds = get(cr, 'status.conditions');
    const crReady = (Array.isArray(crConds) ? (crConds as JsonObject[]) : []).find((c) => c['type'] === 'Ready');
    const approved = condition('Approved', 'True', 'cert-manager.io', 'Certificate request has been approved by cert-manager.io', undefined, crConds);
    const writeCr = (status: JsonObject): void => {
      store.upsert({ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: crName, namespace: ns }, status }, 'cert-manager-certificaterequests-issuer', { status: true });
    };
    const notReady = condition('Ready', 'False', why.reason, why.message, gen, prevConds);

    if (crReady?.['reason'] === 'Failed') {
      // Terminal for this revision: the issuing controller reports it and backs off before a new request.
      writeStatus({
        conditions: [notReady, condition('Issuing', 'False', 'Failed', `The certificate request has failed to complete and will be retried: ${str(crReady['message'])}`, gen, prevConds)],
        lastFailureTime: nowIso(),
        failedIssuanceAttempts: 1,
        ...(revision > 0 ? { revision } : {}),
      });
      continue;
    }
    const issuing = condition('Issuing', 'True', why.reason, why.message, gen, prevConds);
    const { signer, message } = findSigner(store, ns, ref);
    if (!signer) {
      writeCr({ conditions: [approved, condition('Ready', 'False', 'Pending', message!, undefined, crConds)] });
      writeStatus({ conditions: [notReady, issuing], nextPrivateKeySecretName: `${name}-next`, ...(revision > 0 ? { revision } : {}) });
      continue;
    }
    if (opts.holdIssuance) {
      // Signing under way: the request is approved and has no Ready condition yet.
      writeCr({ conditions: [approved] });
      writeStatus({ conditions: [notReady, issuing], nextPrivateKeySecretName: `${name}-next`, ...(revision > 0 ? { revision } : {}) });
      continue;
    }
    const ca = signer === 'self-signed' ? await createRootCa(dns[0] ?? name) : await importCa(signer.cert, signer.key);
    const days = Math.max(1, Math.round((parseGoDuration(str(spec['duration'])) ?? 90 * 24 * 3600_000) / (24 * 3600_000)));
    const leaf = await issueLeaf(ca, { commonName: dns[0] ?? name, dnsNames: dns, ipAddresses: ips, serverAuth: true, clientAuth: true, days });
    const caPem = signer === 'self-signed' ? leaf.cert : signer.cert;
    writeCr({ conditions: [approved, condition('Ready', 'True', 'Issued', 'Certificate fetched from issuer successfully', undefined, crConds)], certificate: b64(leaf.cert), ca: b64(caPem) });
    store.upsert(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: secretName,
          namespace: ns,
          labels: { 'controller.cert-manager.io/fao': 'true' },
          annotations: { ...wanted, 'cert-manager.io/certificate-name': name, 'cert-manager.io/common-name': dns[0] ?? '', 'cert-manager.io/issuer-group': CM, 'cert-manager.io/uri-sans': '' },
        },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': b64(leaf.cert), 'tls.key': b64(leaf.key), 'ca.crt': b64(caPem) },
      },
      'cert-manager-certificates-issuing',
    );
    // Issuing is removed once the Secret is written (issuing_controller.go issueCertificate).
    writeStatus(issuedStatus(leaf.cert, spec, gen, prevConds, next));
  }
}

/** Ready with the dates cert-manager records; renewal defaults to 2/3 through the lifetime, as cert-manager's. */
function issuedStatus(pem: string, spec: JsonObject, gen: unknown, prevConds: unknown, revision: number): JsonObject {
  const x = new X509Certificate(pem);
  const notAfter = new Date(x.validTo);
  const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const renewBefore = parseGoDuration(str(spec['renewBefore'])) ?? (notAfter.getTime() - new Date(x.validFrom).getTime()) / 3;
  return {
    conditions: [condition('Ready', 'True', 'Ready', 'Certificate is up to date and has not expired', gen, prevConds)],
    notBefore: iso(new Date(x.validFrom)),
    notAfter: iso(notAfter),
    renewalTime: iso(new Date(notAfter.getTime() - renewBefore)),
    revision,
  };
}

/** Go's time.ParseDuration for the h/m/s forms cert-manager's fields take (e.g. 2160h, 45m), in ms. */
export function parseGoDuration(s: string): number | undefined {
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * { h: 3600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

/** Runs the controllers in dependency order. */
export async function reconcileAll(store: ReconcileStore, opts: CertManagerOptions = {}): Promise<void> {
  reconcileIssuers(store);
  reconcileListeners(store);
  await reconcileCertificates(store, opts);
}
