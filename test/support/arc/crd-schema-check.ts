/**
 * Checks an object against a published CustomResourceDefinition the way kube-apiserver does on
 * `kubectl apply --server-side --validate=strict --dry-run=server`, for CRDs the Kubernetes API emulator
 * cannot serve (its schema registry holds the AIO kinds only, test/support/kube/aio-crd-schema.ts).
 *
 * What the API server does, each rule from its source (kubernetes/kubernetes staging/src/k8s.io):
 * - apiVersion must be `group/version` of a served version and kind the CRD's kind
 *   (apiextensions-apiserver pkg/apiserver/customresource_handler.go serves only `served: true` versions);
 * - metadata.name is a DNS-1123 subdomain, metadata.namespace a DNS-1123 label, for a namespaced kind
 *   (apimachinery pkg/api/validation/objectmeta.go ValidateObjectMeta, NameIsDNSSubdomain, and
 *   apiextensions-apiserver's customresource validation, which applies it to every CR);
 * - under fieldValidation=Strict a field the structural schema does not declare is an error rather than
 *   pruned (apiextensions-apiserver pkg/apiserver/schema/pruning; KEP-2885): here every object schema that
 *   has `properties` and neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` refuses
 *   other keys;
 * - the OpenAPI v3 keywords (type, required, pattern, min/maxLength, min/maxItems, enum, minimum) are
 *   checked by kube-openapi pkg/validation, done here by Ajv on the same schema;
 * - `x-kubernetes-list-type: map` lists must not repeat their `x-kubernetes-list-map-keys`
 *   (apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go: "Duplicate value");
 * - `x-kubernetes-validations` (CEL) rules cannot be evaluated here: an object that reaches one is
 *   refused, so this check is never looser than the API server.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type JsonSchema = Record<string, unknown>;
interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: JsonSchema };
}
interface Crd {
  spec: { group: string; scope: 'Namespaced' | 'Cluster'; names: { kind: string }; versions: CrdVersion[] };
}
export interface CrdCheck {
  kind: string;
  /** Problems with the object, as sentences with the field path; empty when the API server would take it. */
  check(obj: unknown): string[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Extras {
  cel: string[];
  listMaps: Array<{ path: string; keys: string[] }>;
}

/** The schema Ajv checks: Kubernetes extensions turned into what they mean under strict validation. */
function toAjv(s: JsonSchema, path: string, extras: Extras, root: boolean): JsonSchema {
  const out: JsonSchema = {};
  if (s['x-kubernetes-validations']) extras.cel.push(path);
  if (s['x-kubernetes-list-type'] === 'map') extras.listMaps.push({ path, keys: (s['x-kubernetes-list-map-keys'] as string[]) ?? [] });
  if (s['x-kubernetes-int-or-string']) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  for (const k of ['type', 'required', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'enum', 'minimum', 'maximum', 'minProperties', 'maxProperties']) if (s[k] !== undefined) out[k] = s[k];
  const props = s['properties'] as Record<string, JsonSchema> | undefined;
  if (props) {
    out['properties'] = Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, root && k === 'metadata' ? { type: 'object' } : toAjv(v, path ? `${path}.${k}` : k, extras, false)]),
    );
  }
  const additional = s['additionalProperties'];
  if (additional && typeof additional === 'object') out['additionalProperties'] = toAjv(additional as JsonSchema, `${path}[*]`, extras, false);
  else if (props && !s['x-kubernetes-preserve-unknown-fields']) out['additionalProperties'] = false;
  if (s['items']) out['items'] = toAjv(s['items'] as JsonSchema, `${path}[*]`, extras, false);
  return out;
}

/** Values at a dotted schema path (`[*]` for every item or map entry). */
function valuesAt(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const part of path.split('.').filter(Boolean)) {
    const m = /^([^[]+)((\[\*\])*)$/.exec(part);
    if (!m) return [];
    cur = cur.flatMap((v) => (v && typeof v === 'object' && !Array.isArray(v) && m[1]! in v ? [(v as Record<string, unknown>)[m[1]!]] : []));
    for (let i = 0; i < (m[2]!.length / 3); i++) cur = cur.flatMap((v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : []));
  }
  return cur;
}

const fieldOf = (e: ErrorObject): string => e.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');

export function loadCrd(file: string): CrdCheck {
  const crd = parse(readFileSync(file, 'utf8')) as Crd;
  const { group, names, scope, versions } = crd.spec;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compiled = new Map(
    versions
      .filter((v) => v.served)
      .map((v) => {
        const extras: Extras = { cel: [], listMaps: [] };
        const schema = toAjv(v.schema.openAPIV3Schema, '', extras, true);
        return [`${group}/${v.name}`, { validate: ajv.compile(schema), extras }] as const;
      }),
  );
  return {
    kind: names.kind,
    check(obj) {
      const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
      const problems: string[] = [];
      const v = compiled.get(String(o.apiVersion) as `${string}/${string}`);
      if (!v) return [`apiVersion ${JSON.stringify(o.apiVersion)} is not served for ${names.kind} (served: ${[...compiled.keys()].join(', ')})`];
      if (o.kind !== names.kind) problems.push(`kind ${JSON.stringify(o.kind)} is not ${names.kind}`);
      const name = o.metadata?.name;
      if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
      if (scope === 'Namespaced' && o.metadata?.namespace !== undefined && (typeof o.metadata.namespace !== 'string' || o.metadata.namespace.length > 63 || !DNS_LABEL.test(o.metadata.namespace))) problems.push(`metadata.namespace ${JSON.stringify(o.metadata.namespace)} is not a DNS-1123 label`);
      if (!v.validate(obj)) {
        for (const e of v.validate.errors ?? []) {
          const field = fieldOf(e);
          if (e.keyword === 'additionalProperties') problems.push(`unknown field "${field ? `${field}.` : ''}${String(e.params['additionalProperty'])}"`);
          else problems.push(`${field || '<root>'} ${e.message ?? e.keyword}`);
        }
      }
      for (const { path, keys } of v.extras.listMaps) {
        for (const list of valuesAt(obj, path)) {
          if (!Array.isArray(list)) continue;
          const seen = new Set<string>();
          for (const item of list) {
            const key = JSON.stringify(keys.map((k) => (item as Record<string, unknown>)?.[k]));
            if (seen.has(key)) problems.push(`${path}: Duplicate value: ${key}`);
            seen.add(key);
          }
        }
      }
      for (const path of v.extras.cel) if (valuesAt(obj, path).length > 0) problems.push(`${path || '<root>'} has x-kubernetes-validations (CEL) rules this check cannot evaluate; use a real API server for it`);
      return problems;
    },
  };
}
