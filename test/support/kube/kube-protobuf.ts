/**
 * Decodes the Kubernetes protobuf request bodies kubectl sends from its typed clients
 * (`kubectl create secret|configmap|namespace|serviceaccount`, `kubectl create token`): the `k8s\0`
 * envelope around runtime.Unknown, then the generated messages of k8s.io/api, for the kinds the
 * emulator accepts that way. Responses stay JSON; client-go decodes by the response Content-Type.
 */
import type { JsonObject } from './kube-managed-fields.js';
import { KubeStatusError } from './kube-status.js';

type FieldType = 'string' | 'bytes' | 'int' | 'bool' | Schema | { map: 'string' | 'bytes' } | { repeated: 'string' | Schema };
interface Schema {
  [field: number]: [name: string, type: FieldType];
}

const TIME: Schema = { 1: ['seconds', 'int'], 2: ['nanos', 'int'] };
const OWNER_REF: Schema = { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] };
const OBJECT_META: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'], 6: ['resourceVersion', 'string'],
  7: ['generation', 'int'], 8: ['creationTimestamp', TIME], 11: ['labels', { map: 'string' }], 12: ['annotations', { map: 'string' }],
  13: ['ownerReferences', { repeated: OWNER_REF }], 14: ['finalizers', { repeated: 'string' }],
};
const OBJECT_REF: Schema = { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'] };
const INT_OR_STRING: Schema = { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] };
const SERVICE_PORT: Schema = { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', INT_OR_STRING], 5: ['nodePort', 'int'] };

const KINDS: Record<string, Schema> = {
  Secret: { 1: ['metadata', OBJECT_META], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', { map: 'string' }], 5: ['immutable', 'bool'] },
  ConfigMap: { 1: ['metadata', OBJECT_META], 2: ['data', { map: 'string' }], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool'] },
  Namespace: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', { repeated: 'string' }] }] },
  ServiceAccount: { 1: ['metadata', OBJECT_META], 2: ['secrets', { repeated: OBJECT_REF }], 4: ['automountServiceAccountToken', 'bool'] },
  Service: {
    1: ['metadata', OBJECT_META],
    2: ['spec', { 1: ['ports', { repeated: SERVICE_PORT }], 2: ['selector', { map: 'string' }], 3: ['clusterIP', 'string'], 4: ['type', 'string'], 5: ['externalIPs', { repeated: 'string' }], 7: ['sessionAffinity', 'string'], 8: ['loadBalancerIP', 'string'], 10: ['externalName', 'string'] }],
  },
  TokenRequest: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['audiences', { repeated: 'string' }], 4: ['expirationSeconds', 'int'], 3: ['boundObjectRef', { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] }] }] },
  SelfSubjectAccessReview: {
    1: ['metadata', OBJECT_META],
    2: ['spec', {
      1: ['resourceAttributes', { 1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'] }],
      2: ['nonResourceAttributes', { 1: ['path', 'string'], 2: ['verb', 'string'] }],
    }],
  },
  DeleteOptions: { 1: ['gracePeriodSeconds', 'int'], 2: ['preconditions', { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] }], 4: ['propagationPolicy', 'string'], 5: ['dryRun', { repeated: 'string' }] },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: Schema, mapEntry = false): JsonObject {
  const r = new Reader(buf);
  const out: JsonObject = {};
  while (!r.done()) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    const def = schema[field];
    if (!def) {
      r.skip(wire);
      continue;
    }
    const [name, type] = def;
    // gogo-protobuf writes empty strings and zeros that Go's JSON would omit (omitempty); drop them
    // so the object matches what the JSON path stores. Map values are kept: an empty value is data.
    if (type === 'int') {
      const v = Number(BigInt.asIntN(64, r.varint()));
      if (v !== 0 || mapEntry) out[name] = v;
    } else if (type === 'bool') out[name] = r.varint() !== 0n;
    else if (type === 'string') {
      const v = r.bytes().toString('utf8');
      if (v !== '' || mapEntry) out[name] = v;
    } else if (type === 'bytes') out[name] = r.bytes().toString('base64');
    else if ('map' in type && typeof type.map === 'string') {
      const entry = decodeMessage(r.bytes(), { 1: ['key', 'string'], 2: ['value', type.map as 'string' | 'bytes'] }, true);
      const m = (out[name] ??= {}) as JsonObject;
      m[String(entry['key'] ?? '')] = entry['value'] ?? '';
    } else if ('repeated' in type && (typeof type.repeated === 'string' || typeof type.repeated === 'object')) {
      const list = (out[name] ??= []) as unknown[];
      const item = type.repeated;
      list.push(item === 'string' ? r.bytes().toString('utf8') : decodeMessage(r.bytes(), item as Schema));
    } else out[name] = decodeMessage(r.bytes(), type as Schema);
  }
  return out;
}

/** Go's zero-value Time and IntOrString come through as messages; give them their JSON forms. */
function tidy(obj: JsonObject): JsonObject {
  const md = obj['metadata'] as JsonObject | undefined;
  if (md && md['creationTimestamp'] !== undefined) delete md['creationTimestamp'];
  const ports = (obj['spec'] as JsonObject | undefined)?.['ports'];
  if (Array.isArray(ports)) {
    for (const p of ports as JsonObject[]) {
      const t = p['targetPort'] as JsonObject | undefined;
      if (t) p['targetPort'] = t['type'] === 1 ? t['strVal'] : t['intVal'];
      if (p['targetPort'] === undefined || p['targetPort'] === 0) delete p['targetPort'];
      if (p['nodePort'] === 0) delete p['nodePort'];
    }
  }
  return obj;
}

export function isProtobuf(contentType: string): boolean {
  return contentType.split(';')[0]!.trim() === 'application/vnd.kubernetes.protobuf';
}

/** Decodes a protobuf request body into the JSON object the emulator works with. */
export function decodeProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new KubeStatusError(400, 'BadRequest', 'the body of the request was in an unknown format - the protobuf envelope is missing');
  try {
    const unknown = decodeMessage(body.subarray(4), { 1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }], 2: ['raw', 'bytes'] });
    const tm = (unknown['typeMeta'] ?? {}) as JsonObject;
    const kind = String(tm['kind'] ?? '');
    const schema = KINDS[kind];
    if (!schema) throw new KubeStatusError(415, 'UnsupportedMediaType', `the emulator cannot decode protobuf for kind ${JSON.stringify(kind)}; send JSON`);
    const obj = tidy(decodeMessage(Buffer.from(String(unknown['raw'] ?? ''), 'base64'), schema));
    return { apiVersion: tm['apiVersion'], kind, ...obj };
  } catch (err) {
    if (err instanceof KubeStatusError) throw err;
    throw new KubeStatusError(400, 'BadRequest', `error decoding protobuf request body: ${err instanceof Error ? err.message : String(err)}`);
  }
}
