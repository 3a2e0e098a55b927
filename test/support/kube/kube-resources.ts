/** The resource types the emulator serves, with what discovery, tables and apply need to know about each. */
import type { FieldSchema, JsonObject } from './kube-managed-fields.js';

export interface ColumnDef {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  description: string;
  priority?: number;
  cell: (obj: JsonObject) => unknown;
}

export interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Has a /status subresource, so the main endpoint ignores status and the status endpoint only writes it. */
  status: boolean;
  /** metadata.generation is bumped on spec changes (custom resources). */
  generation: boolean;
  /** Custom resources need a resourceVersion on PUT; core types accept an unconditional update. */
  unconditionalUpdate: boolean;
  /** Not stored: create returns the request with a computed status (TokenReview). */
  virtual?: boolean;
  fields: FieldSchema;
  columns: ColumnDef[];
  subresources?: Array<{ name: string; kind: string; verbs: string[]; group?: string; version?: string }>;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as JsonObject)[k] : undefined), o);

function condition(obj: JsonObject, type: string, field: 'status' | 'message' | 'reason' = 'status'): string {
  const conds = get(obj, 'status.conditions');
  if (!Array.isArray(conds)) return '';
  const c = conds.find((x) => (x as JsonObject)['type'] === type) as JsonObject | undefined;
  return c ? str(c[field]) : '';
}

function dataCount(obj: JsonObject): number {
  const d = obj['data'];
  const b = obj['binaryData'];
  return (d && typeof d === 'object' ? Object.keys(d).length : 0) + (b && typeof b === 'object' ? Object.keys(b).length : 0);
}

function servicePorts(obj: JsonObject): string {
  const ports = get(obj, 'spec.ports');
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .map((p: JsonObject) => `${str(p['port'])}${p['nodePort'] ? `:${str(p['nodePort'])}` : ''}/${str(p['protocol'] ?? 'TCP')}`)
    .join(',');
}

function externalIp(obj: JsonObject): string {
  const type = str(get(obj, 'spec.type'));
  const ingress = get(obj, 'status.loadBalancer.ingress');
  const ips = Array.isArray(ingress) ? ingress.map((i: JsonObject) => str(i['ip'] ?? i['hostname'])).filter(Boolean) : [];
  const external = get(obj, 'spec.externalIPs');
  if (Array.isArray(external)) ips.push(...external.map(str));
  if (type === 'LoadBalancer') return ips.length > 0 ? ips.join(',') : '<pending>';
  return ips.length > 0 ? ips.join(',') : '<none>';
}

/** Standard name and age columns, as every Table has them. */
export const NAME_COLUMN: ColumnDef = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', cell: (o) => get(o, 'metadata.name') };
export const AGE_COLUMN: ColumnDef = { name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: (o) => get(o, 'metadata.creationTimestamp') };

const core = (r: Omit<ResourceDef, 'group' | 'version' | 'verbs' | 'status' | 'generation' | 'unconditionalUpdate' | 'fields'> & Partial<ResourceDef>): ResourceDef => ({
  group: '',
  version: 'v1',
  verbs: ALL_VERBS,
  status: false,
  generation: false,
  unconditionalUpdate: true,
  fields: {},
  ...r,
});

const custom = (group: string, r: Omit<ResourceDef, 'group' | 'version' | 'verbs' | 'status' | 'generation' | 'unconditionalUpdate' | 'namespaced' | 'fields'> & Partial<ResourceDef>): ResourceDef => ({
  group,
  version: 'v1',
  verbs: ALL_VERBS,
  status: true,
  generation: true,
  unconditionalUpdate: false,
  namespaced: true,
  fields: { structs: [], ignoredTopLevel: ['status'] },
  ...r,
});

export const AIO_GROUP = 'mqttbroker.iotoperations.azure.com';
export const CERT_MANAGER_GROUP = 'cert-manager.io';

const readyColumn: ColumnDef = { name: 'Ready', type: 'string', description: '', cell: (o) => condition(o, 'Ready') };
const statusColumn: ColumnDef = { name: 'Status', type: 'string', description: '', priority: 1, cell: (o) => condition(o, 'Ready', 'message') };

/** Every served resource. Order is discovery order. */
export const RESOURCES: ResourceDef[] = [
  core({
    resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], status: true,
    fields: { ignoredTopLevel: ['status'], structs: ['spec'] },
    columns: [NAME_COLUMN, { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (o) => get(o, 'status.phase') }, AGE_COLUMN],
  }),
  core({
    resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'],
    columns: [NAME_COLUMN, { name: 'Data', type: 'string', description: 'Data contains the configuration data.', cell: (o) => dataCount(o) }, AGE_COLUMN],
  }),
  core({
    resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true,
    columns: [
      NAME_COLUMN,
      { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.', cell: (o) => o['type'] ?? 'Opaque' },
      { name: 'Data', type: 'string', description: 'Data contains the secret data.', cell: (o) => dataCount(o) },
      AGE_COLUMN,
    ],
  }),
  core({
    resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true,
    fields: {
      structs: ['spec', 'status'],
      ignoredTopLevel: ['status'],
      listMaps: { 'spec.ports': { keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } } },
    },
    columns: [
      NAME_COLUMN,
      { name: 'Type', type: 'string', description: 'The type of the service.', cell: (o) => get(o, 'spec.type') },
      { name: 'Cluster-IP', type: 'string', description: 'The IP address of the service.', cell: (o) => get(o, 'spec.clusterIP') ?? '<none>' },
      { name: 'External-IP', type: 'string', description: 'The external IP address of the service.', cell: externalIp },
      { name: 'Port(s)', type: 'string', description: 'The ports of the service.', cell: servicePorts },
      AGE_COLUMN,
      { name: 'Selector', type: 'string', description: '', priority: 1, cell: (o) => Object.entries((get(o, 'spec.selector') as JsonObject | undefined) ?? {}).map(([k, v]) => `${k}=${str(v)}`).join(',') || '<none>' },
    ],
  }),
  core({
    resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'],
    columns: [NAME_COLUMN, { name: 'Secrets', type: 'string', description: '', cell: (o) => (Array.isArray(o['secrets']) ? o['secrets'].length : 0) }, AGE_COLUMN],
    subresources: [{ name: 'token', kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' }],
  }),
  core({
    resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'],
    columns: [NAME_COLUMN, AGE_COLUMN],
  }),
  core({
    resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], status: true,
    fields: { structs: ['spec', 'status'], ignoredTopLevel: ['status'] },
    columns: [
      NAME_COLUMN,
      { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (o) => {
        const cs = get(o, 'status.containerStatuses');
        const total = Array.isArray(get(o, 'spec.containers')) ? (get(o, 'spec.containers') as unknown[]).length : 0;
        const ready = Array.isArray(cs) ? cs.filter((c: JsonObject) => c['ready'] === true).length : 0;
        return `${ready}/${total}`;
      } },
      { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (o) => get(o, 'status.phase') },
      { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.', cell: () => '0' },
      AGE_COLUMN,
    ],
  }),
  {
    group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', singular: 'tokenreview', kind: 'TokenReview', namespaced: false,
    verbs: ['create'], status: false, generation: false, unconditionalUpdate: true, virtual: true, fields: {}, columns: [NAME_COLUMN],
  },
  {
    group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false,
    verbs: ['create'], status: false, generation: false, unconditionalUpdate: true, virtual: true, fields: {}, columns: [NAME_COLUMN],
  },
  custom(AIO_GROUP, { resource: 'brokers', singular: 'broker', kind: 'Broker', columns: [NAME_COLUMN, AGE_COLUMN] }),
  custom(AIO_GROUP, {
    resource: 'brokerlisteners', singular: 'brokerlistener', kind: 'BrokerListener', columns: [NAME_COLUMN, AGE_COLUMN],
    // (unconfirmed) the AIO CRD's list type for ports; keyed by port because a port number identifies a port.
    fields: { structs: [], ignoredTopLevel: ['status'], listMaps: { 'spec.ports': { keys: ['port'] } } },
  }),
  custom(AIO_GROUP, { resource: 'brokerauthentications', singular: 'brokerauthentication', kind: 'BrokerAuthentication', columns: [NAME_COLUMN, AGE_COLUMN] }),
  custom(AIO_GROUP, { resource: 'brokerauthorizations', singular: 'brokerauthorization', kind: 'BrokerAuthorization', columns: [NAME_COLUMN, AGE_COLUMN] }),
  custom(CERT_MANAGER_GROUP, {
    resource: 'certificates', singular: 'certificate', kind: 'Certificate', shortNames: ['cert', 'certs'], categories: ['cert-manager'],
    columns: [NAME_COLUMN, readyColumn, { name: 'Secret', type: 'string', description: '', cell: (o) => get(o, 'spec.secretName') },
      { name: 'Issuer', type: 'string', description: '', priority: 1, cell: (o) => get(o, 'spec.issuerRef.name') }, statusColumn, AGE_COLUMN],
  }),
  custom(CERT_MANAGER_GROUP, {
    resource: 'certificaterequests', singular: 'certificaterequest', kind: 'CertificateRequest', shortNames: ['cr', 'crs'], categories: ['cert-manager'],
    columns: [NAME_COLUMN, readyColumn, { name: 'Issuer', type: 'string', description: '', cell: (o) => get(o, 'spec.issuerRef.name') }, statusColumn, AGE_COLUMN],
  }),
  custom(CERT_MANAGER_GROUP, {
    resource: 'issuers', singular: 'issuer', kind: 'Issuer', categories: ['cert-manager'],
    columns: [NAME_COLUMN, readyColumn, statusColumn, AGE_COLUMN],
  }),
  custom(CERT_MANAGER_GROUP, {
    resource: 'clusterissuers', singular: 'clusterissuer', kind: 'ClusterIssuer', namespaced: false, categories: ['cert-manager'],
    columns: [NAME_COLUMN, readyColumn, statusColumn, AGE_COLUMN],
  }),
];

export function groupVersion(def: { group: string; version: string }): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/** Group → versions, in discovery order. */
export function groups(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of RESOURCES) {
    if (r.group === '') continue;
    const v = m.get(r.group) ?? [];
    if (!v.includes(r.version)) v.push(r.version);
    m.set(r.group, v);
  }
  return m;
}

/** APIResourceList for one group/version, as /api/v1 and /apis/<g>/<v> return it. */
export function apiResourceList(group: string, version: string): JsonObject | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const r of defs) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    if (r.status) resources.push({ name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    for (const s of r.subresources ?? []) {
      resources.push({ name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, ...(s.group ? { group: s.group, version: s.version } : {}), kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}
