/** Admission-time validation with the messages kube-apiserver and CRD schemas produce. */
import { isPlainObject, type JsonObject } from './kube-managed-fields.js';
import { AIO_GROUP, CERT_MANAGER_GROUP, type ResourceDef } from './kube-resources.js';
import type { FieldError } from './kube-status.js';

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

/** CRD schema (OpenAPI) style integer bounds. */
function rangeCheck(errs: FieldError[], value: unknown, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errs.push({ type: 'FieldValueInvalid', field, value, detail: `${field} in body must be of type integer: "${typeof value}"` });
  } else if (value < min) {
    errs.push({ type: 'FieldValueInvalid', field, value, detail: `${field} in body should be greater than or equal to ${min}` });
  } else if (value > max) {
    errs.push({ type: 'FieldValueInvalid', field, value, detail: `${field} in body should be less than or equal to ${max}` });
  }
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

const AIO_ALGORITHMS = ['Ec256', 'Ec384', 'Ec521', 'Ed25519', 'Rsa2048', 'Rsa4096', 'Rsa8192'];

function validateListener(spec: unknown, errs: FieldError[]): void {
  required(errs, get(spec, 'brokerRef'), 'spec.brokerRef');
  enumCheck(errs, get(spec, 'serviceType'), 'spec.serviceType', ['ClusterIp', 'LoadBalancer', 'NodePort']);
  const ports = get(spec, 'ports');
  if (!Array.isArray(ports) || ports.length === 0) {
    errs.push({ type: 'FieldValueRequired', field: 'spec.ports' });
    return;
  }
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (required(errs, get(p, 'port'), `${f}.port`)) rangeCheck(errs, get(p, 'port'), `${f}.port`, 1, 65535);
    rangeCheck(errs, get(p, 'nodePort'), `${f}.nodePort`, 30000, 32767);
    enumCheck(errs, get(p, 'protocol'), `${f}.protocol`, ['Mqtt', 'WebSockets']);
    const tls = get(p, 'tls');
    if (tls === undefined) return;
    enumCheck(errs, get(tls, 'mode'), `${f}.tls.mode`, ['Automatic', 'Manual']);
    const cm = get(tls, 'certManagerCertificateSpec');
    if (get(tls, 'mode') === 'Automatic' && cm !== undefined) {
      const ref = get(cm, 'issuerRef');
      if (required(errs, ref, `${f}.tls.certManagerCertificateSpec.issuerRef`)) {
        required(errs, get(ref, 'name'), `${f}.tls.certManagerCertificateSpec.issuerRef.name`);
        enumCheck(errs, get(ref, 'kind'), `${f}.tls.certManagerCertificateSpec.issuerRef.kind`, ['ClusterIssuer', 'Issuer']);
      }
      enumCheck(errs, get(get(cm, 'privateKey'), 'algorithm'), `${f}.tls.certManagerCertificateSpec.privateKey.algorithm`, AIO_ALGORITHMS);
      enumCheck(errs, get(get(cm, 'privateKey'), 'rotationPolicy'), `${f}.tls.certManagerCertificateSpec.privateKey.rotationPolicy`, ['Always', 'Never']);
    }
    if (get(tls, 'mode') === 'Manual') required(errs, get(get(tls, 'manual'), 'secretRef'), `${f}.tls.manual.secretRef`);
  });
}

function validateAuthentication(spec: unknown, errs: FieldError[]): void {
  const methods = get(spec, 'authenticationMethods');
  if (!Array.isArray(methods) || methods.length === 0) {
    errs.push({ type: 'FieldValueRequired', field: 'spec.authenticationMethods' });
    return;
  }
  methods.forEach((m, i) => {
    const f = `spec.authenticationMethods[${i}]`;
    if (required(errs, get(m, 'method'), `${f}.method`)) enumCheck(errs, get(m, 'method'), `${f}.method`, ['Custom', 'ServiceAccountToken', 'X509']);
    if (get(m, 'method') === 'X509') {
      const attrs = get(get(m, 'x509Settings'), 'authorizationAttributes');
      if (attrs !== undefined && isPlainObject(attrs)) {
        for (const [k, v] of Object.entries(attrs)) required(errs, get(v, 'subject'), `${f}.x509Settings.authorizationAttributes.${k}.subject`);
      }
    }
  });
}

function validateAuthorization(spec: unknown, errs: FieldError[]): void {
  const policies = get(spec, 'authorizationPolicies');
  if (!required(errs, policies, 'spec.authorizationPolicies')) return;
  enumCheck(errs, get(policies, 'cache'), 'spec.authorizationPolicies.cache', ['Disabled', 'Enabled']);
  const rules = get(policies, 'rules');
  if (!Array.isArray(rules)) return;
  rules.forEach((r, i) => {
    const br = get(r, 'brokerResources');
    if (!Array.isArray(br)) return;
    br.forEach((b, j) => enumCheck(errs, get(b, 'method'), `spec.authorizationPolicies.rules[${i}].brokerResources[${j}].method`, ['Connect', 'Publish', 'Subscribe']));
  });
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
    case 'BrokerListener':
      validateListener(spec, errs);
      break;
    case 'BrokerAuthentication':
      validateAuthentication(spec, errs);
      break;
    case 'BrokerAuthorization':
      validateAuthorization(spec, errs);
      break;
    case 'Certificate':
      required(errs, get(spec, 'secretName'), 'spec.secretName');
      if (required(errs, get(spec, 'issuerRef'), 'spec.issuerRef')) required(errs, get(get(spec, 'issuerRef'), 'name'), 'spec.issuerRef.name');
      break;
    default:
      break;
  }
  if ((def.group === AIO_GROUP || def.group === CERT_MANAGER_GROUP) && def.kind !== 'Broker' && obj['spec'] === undefined && errs.length === 0) {
    errs.push({ type: 'FieldValueRequired', field: 'spec' });
  }
  return errs;
}
