/** Admission-time validation with the messages kube-apiserver and CRD schemas produce. */
import { isPlainObject, type JsonObject } from './kube-managed-fields.js';
import { CERT_MANAGER_GROUP, type ResourceDef } from './kube-resources.js';
import type { FieldError } from './kube-status.js';
import { AIO_SCHEMAS } from './aio-crd-schema.js';
import { pruneAndValidate } from './kube-structural.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const get = (o: unknown, k: string): unknown => (isPlainObject(o) ? o[k] : undefined);

function nameErrors(def: ResourceDef, name: unknown): FieldError[] {
  if (typeof name !== 'string' || name === '') return [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }];
  if (def.kind === 'Namespace') {
    if (!DNS1123_LABEL.test(name) || name.length > 63) return [{ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: LABEL_MSG }];
  } else if (def.kind === 'Service') {
    if (!DNS1035_LABEL.test(name) || name.length > 63) return [{ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: DNS1035_MSG }];
  } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    return [{ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: SUBDOMAIN_MSG }];
  }
  return [];
}

function labelErrors(md: JsonObject): FieldError[] {
  const labels = md['labels'];
  if (!isPlainObject(labels)) return [];
  return Object.values(labels)
    .filter((v) => typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63)
    .map((v) => ({ type: 'FieldValueInvalid' as const, field: 'metadata.labels', value: v, detail: LABEL_VALUE_MSG }));
}

function enumCheck(errs: FieldError[], value: unknown, field: string, allowed: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value)) errs.push({ type: 'FieldValueNotSupported', field, value, supported: allowed });
}

function required(errs: FieldError[], value: unknown, field: string): boolean {
  if (value === undefined || value === null || value === '') {
    errs.push({ type: 'FieldValueRequired', field });
    return false;
  }
  return true;
}

function dataKeys(errs: FieldError[], obj: JsonObject, base64: boolean): void {
  for (const field of ['data', 'binaryData', 'stringData']) {
    const d = obj[field];
    if (!isPlainObject(d)) continue;
    for (const [k, v] of Object.entries(d)) {
      if (!CONFIG_KEY.test(k)) errs.push({ type: 'FieldValueInvalid', field: `${field}[${k}]`, value: k, detail: CONFIG_KEY_MSG });
      if (base64 && field === 'data' && (typeof v !== 'string' || !BASE64.test(v))) {
        errs.push({ type: 'FieldValueInvalid', field: `${field}[${k}]`, value: '<value omitted>', detail: 'must be base64 encoded' });
      }
    }
  }
}

function validateService(spec: unknown, errs: FieldError[]): void {
  const type = get(spec, 'type') ?? 'ClusterIP';
  enumCheck(errs, type, 'spec.type', ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
  const ports = get(spec, 'ports');
  if (type !== 'ExternalName' && (!Array.isArray(ports) || ports.length === 0)) {
    errs.push({ type: 'FieldValueRequired', field: 'spec.ports' });
    return;
  }
  (Array.isArray(ports) ? ports : []).forEach((p, i) => {
    const port = get(p, 'port');
    if (typeof port !== 'number' || port < 1 || port > 65535) {
      errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].port`, value: port, detail: 'must be between 1 and 65535, inclusive' });
    }
    const np = get(p, 'nodePort');
    if (np !== undefined && np !== 0 && (typeof np !== 'number' || np < 30000 || np > 32767)) {
      errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: np, detail: 'provided port is not in the valid range. The range of valid ports is 30000-32767' });
    }
    enumCheck(errs, get(p, 'protocol'), `spec.ports[${i}].protocol`, ['SCTP', 'TCP', 'UDP']);
  });
}

/** Returns the field errors for `obj` (empty when valid). `old` is the stored object on updates. */
export function validateObject(def: ResourceDef, obj: JsonObject, old?: JsonObject): FieldError[] {
  const md = isPlainObject(obj['metadata']) ? obj['metadata'] : {};
  const errs = [...nameErrors(def, md['name']), ...labelErrors(md)];
  const spec = obj['spec'];
  switch (def.kind) {
    case 'Secret': {
      dataKeys(errs, obj, true);
      const type = obj['type'] ?? 'Opaque';
      const data = isPlainObject(obj['data']) ? obj['data'] : {};
      if (type === 'kubernetes.io/tls') {
        for (const k of ['tls.crt', 'tls.key']) if (data[k] === undefined) errs.push({ type: 'FieldValueRequired', field: `data[${k}]` });
      }
      if (old && (old['type'] ?? 'Opaque') !== type) errs.push({ type: 'FieldValueInvalid', field: 'type', value: type, detail: 'field is immutable' });
      break;
    }
    case 'ConfigMap':
      dataKeys(errs, obj, false);
      break;
    case 'Service':
      validateService(spec, errs);
      break;
    case 'Broker':
    case 'BrokerListener':
    case 'BrokerAuthentication':
    case 'BrokerAuthorization':
      // The structural schema from the REST spec; unknown fields were pruned (and reported) before this.
      errs.push(...pruneAndValidate(AIO_SCHEMAS[def.kind]!, structuredClone(obj)).errors);
      break;
    case 'Certificate':
      required(errs, get(spec, 'secretName'), 'spec.secretName');
      if (required(errs, get(spec, 'issuerRef'), 'spec.issuerRef')) required(errs, get(get(spec, 'issuerRef'), 'name'), 'spec.issuerRef.name');
      break;
    default:
      break;
  }
  if (def.group === CERT_MANAGER_GROUP && obj['spec'] === undefined && errs.length === 0) {
    errs.push({ type: 'FieldValueRequired', field: 'spec' });
  }
  return errs;
}
