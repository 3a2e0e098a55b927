/**
 * Just enough of cert-manager and the AIO operator: a BrokerListener gets its Service and, for Automatic
 * TLS, a Certificate `aio-broker-frontend-server-<port>`; a Certificate whose issuer exists gets a signed
 * kubernetes.io/tls Secret and Ready True, otherwise Ready False / DoesNotExist with cert-manager's message.
 */
import { X509Certificate } from 'node:crypto';
import { isPlainObject, type JsonObject } from './kube-managed-fields.js';
import { createRootCa, importCa, issueLeaf } from './kube-pki.js';
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

const SERVICE_TYPES: Record<string, string> = { ClusterIp: 'ClusterIP', NodePort: 'NodePort', LoadBalancer: 'LoadBalancer' };

/** The AIO operator's half: Services and Certificates from BrokerListeners. */
export function reconcileListeners(store: ReconcileStore): void {
  for (const l of store.list(AIO, 'brokerlisteners')) {
    const md = meta(l);
    const ns = str(md['namespace']);
    const name = str(md['name']);
    const spec = (l['spec'] ?? {}) as JsonObject;
    const serviceName = str(spec['serviceName']) || name;
    const ports = Array.isArray(spec['ports']) ? (spec['ports'] as JsonObject[]) : [];
    const type = SERVICE_TYPES[str(spec['serviceType']) || 'ClusterIp'] ?? 'ClusterIP';
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
      if (get(tls, 'mode') !== 'Automatic') continue;
      const cm = (get(tls, 'certManagerCertificateSpec') ?? {}) as JsonObject;
      const issuerRef = (cm['issuerRef'] ?? {}) as JsonObject;
      const certName = `aio-broker-frontend-server-${String(p['port'])}`;
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
            privateKey: { ...(ALGORITHMS[str(pk['algorithm']) || 'Ec256'] ?? ALGORITHMS['Ec256']), rotationPolicy: pk['rotationPolicy'] ?? 'Always' },
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

function findSigner(store: ReconcileStore, cert: JsonObject): { signer?: Signer; reason?: string; message?: string } {
  const ns = str(meta(cert)['namespace']);
  const ref = (get(cert, 'spec.issuerRef') ?? {}) as JsonObject;
  const kind = str(ref['kind']) || 'Issuer';
  const name = str(ref['name']);
  const issuer = kind === 'ClusterIssuer' ? store.get(CM, 'clusterissuers', '', name) : store.get(CM, 'issuers', ns, name);
  if (!issuer) {
    const q = kind === 'ClusterIssuer' ? 'clusterissuer' : 'issuer';
    return { reason: 'DoesNotExist', message: `Referenced "${kind}" not found: ${q}.cert-manager.io "${name}" not found` };
  }
  const ready = (get(issuer, 'status.conditions') as JsonObject[] | undefined)?.find((c) => c['type'] === 'Ready');
  if (ready?.['status'] !== 'True') return { reason: 'Pending', message: `Referenced issuer does not have a Ready status condition` };
  if (get(issuer, 'spec.selfSigned') !== undefined) return { signer: 'self-signed' };
  const secretNs = kind === 'ClusterIssuer' ? CERT_MANAGER_NAMESPACE : ns;
  const secret = store.get('', 'secrets', secretNs, str(get(issuer, 'spec.ca.secretName')));
  const data = (secret?.['data'] ?? {}) as Record<string, string>;
  if (!data['tls.crt'] || !data['tls.key']) return { reason: 'Pending', message: 'Referenced issuer does not have a Ready status condition' };
  return { signer: { cert: Buffer.from(data['tls.crt'], 'base64').toString(), key: Buffer.from(data['tls.key'], 'base64').toString() } };
}

/** cert-manager's half: a Secret and a Ready condition per Certificate. Issues only when names or issuer changed. */
export async function reconcileCertificates(store: ReconcileStore): Promise<void> {
  for (const cert of store.list(CM, 'certificates')) {
    const md = meta(cert);
    const ns = str(md['namespace']);
    const spec = (cert['spec'] ?? {}) as JsonObject;
    const prevConds = get(cert, 'status.conditions');
    const { signer, reason, message } = findSigner(store, cert);
    const writeStatus = (status: JsonObject): void => {
      store.upsert({ apiVersion: cert['apiVersion'], kind: 'Certificate', metadata: { name: md['name'], namespace: ns }, status }, 'cert-manager-certificates-readiness', { status: true });
    };
    if (!signer) {
      writeStatus({ conditions: [condition('Ready', 'False', reason!, message!, md['generation'], prevConds)] });
      continue;
    }
    const secretName = str(spec['secretName']);
    const dns = (spec['dnsNames'] as string[] | undefined) ?? [];
    const ips = (spec['ipAddresses'] as string[] | undefined) ?? [];
    const issuerName = str(get(spec, 'issuerRef.name'));
    const wanted = { 'cert-manager.io/alt-names': dns.join(','), 'cert-manager.io/ip-sans': ips.join(','), 'cert-manager.io/issuer-name': issuerName };
    const existing = store.get('', 'secrets', ns, secretName);
    const ann = (get(existing, 'metadata.annotations') ?? {}) as Record<string, string>;
    let leafPem = existing ? Buffer.from(str(get(existing, 'data.tls.crt')), 'base64').toString() : '';
    const upToDate = existing && leafPem && Object.entries(wanted).every(([k, v]) => ann[k] === v);
    if (!upToDate) {
      const ca = signer === 'self-signed' ? await createRootCa(dns[0] ?? str(md['name'])) : await importCa(signer.cert, signer.key);
      const leaf = await issueLeaf(ca, { commonName: dns[0] ?? str(md['name']), dnsNames: dns, ipAddresses: ips, serverAuth: true, clientAuth: true, days: 30 });
      leafPem = leaf.cert;
      store.upsert(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: secretName,
            namespace: ns,
            labels: { 'controller.cert-manager.io/fao': 'true' },
            annotations: { ...wanted, 'cert-manager.io/certificate-name': md['name'], 'cert-manager.io/common-name': dns[0] ?? '', 'cert-manager.io/issuer-kind': str(get(spec, 'issuerRef.kind')) || 'Issuer', 'cert-manager.io/issuer-group': CM, 'cert-manager.io/uri-sans': '' },
          },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': b64(leaf.cert), 'tls.key': b64(leaf.key), 'ca.crt': b64(signer === 'self-signed' ? leaf.cert : signer.cert) },
        },
        'cert-manager-certificates-issuing',
      );
    }
    const x = new X509Certificate(leafPem);
    const notAfter = new Date(x.validTo);
    const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    writeStatus({
      conditions: [condition('Ready', 'True', 'Ready', 'Certificate is up to date and has not expired', md['generation'], prevConds)],
      notBefore: iso(new Date(x.validFrom)),
      notAfter: iso(notAfter),
      renewalTime: iso(new Date(notAfter.getTime() - 10 * 24 * 3600 * 1000)),
      revision: 1,
    });
  }
}

/** Runs the controllers in dependency order. */
export async function reconcileAll(store: ReconcileStore): Promise<void> {
  reconcileIssuers(store);
  reconcileListeners(store);
  await reconcileCertificates(store);
}
