/**
 * What kube-apiserver does with a custom resource under a structural schema: prune what the schema does not
 * declare (apiextensions-apiserver pkg/apiserver/schema/pruning), drop nulls of non-nullable fields, and
 * validate the rest with the OpenAPI rules (kube-openapi pkg/validation), in the error texts those write:
 * `spec.ports[0].port in body should be less than or equal to 65535`, `... must be of type integer: "string"`.
 * The pruned paths are what field validation reports: `unknown field "spec.ports[0].foo"` (sorted, as
 * test/integration/apiserver/field_validation_test.go expects them).
 */
import type { Schema } from './aio-crd-schema.js';
import { isPlainObject, type JsonObject } from './kube-managed-fields.js';
import type { FieldError } from './kube-status.js';

export interface StructuralResult {
  errors: FieldError[];
  /** Paths of the fields pruned, e.g. spec.ports[0].tls.automatic. */
  unknown: string[];
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function walk(schema: Schema, value: unknown, path: string, out: StructuralResult): void {
  const want = schema.type;
  const got = typeName(value);
  if (got !== want) {
    out.errors.push({ type: 'FieldValueInvalid', field: path, value: got, detail: `${path} in body must be of type ${want}: "${got}"` });
    return;
  }
  switch (schema.type) {
    case 'object': {
      const o = value as JsonObject;
      if (schema.preserveUnknownFields) return;
      for (const key of Object.keys(o)) {
        const child = `${path ? `${path}.` : ''}${key}`;
        const sub = schema.properties?.[key] ?? schema.additionalProperties;
        if (!sub) {
          out.unknown.push(child);
          delete o[key];
          continue;
        }
        if (o[key] === null) {
          delete o[key];
          continue;
        }
        walk(sub, o[key], child, out);
      }
      for (const r of schema.required ?? []) {
        if (o[r] === undefined) out.errors.push({ type: 'FieldValueRequired', field: `${path ? `${path}.` : ''}${r}` });
      }
      return;
    }
    case 'array': {
      const a = value as unknown[];
      a.forEach((item, i) => walk(schema.items, item, `${path}[${i}]`, out));
      return;
    }
    case 'string': {
      const s = value as string;
      if (schema.enumCi && !schema.enumCi.some((e) => e.toLowerCase() === s.toLowerCase())) {
        out.errors.push({ type: 'FieldValueNotSupported', field: path, value: s, supported: schema.enumCi });
      }
      if (schema.pattern && !new RegExp(schema.pattern).test(s)) {
        out.errors.push({ type: 'FieldValueInvalid', field: path, value: s, detail: `${path} in body should match '${schema.pattern}'` });
      }
      return;
    }
    case 'integer': {
      const n = value as number;
      if (schema.minimum !== undefined && n < schema.minimum) out.errors.push({ type: 'FieldValueInvalid', field: path, value: n, detail: `${path} in body should be greater than or equal to ${schema.minimum}` });
      if (schema.maximum !== undefined && n > schema.maximum) out.errors.push({ type: 'FieldValueInvalid', field: path, value: n, detail: `${path} in body should be less than or equal to ${schema.maximum}` });
      return;
    }
    case 'boolean':
      return;
  }
}

/** Prunes `obj` in place and returns the unknown paths (sorted) and the schema errors. */
export function pruneAndValidate(schema: Schema, obj: JsonObject): StructuralResult {
  const out: StructuralResult = { errors: [], unknown: [] };
  if (!isPlainObject(obj)) {
    out.errors.push({ type: 'FieldValueInvalid', field: '', value: typeName(obj), detail: `body must be of type object: "${typeName(obj)}"` });
    return out;
  }
  walk(schema, obj, '', out);
  out.unknown.sort();
  return out;
}

/** Only the unknown paths, without touching `obj` (server-side apply checks the configuration it was sent). */
export function unknownFields(schema: Schema, obj: JsonObject): string[] {
  return pruneAndValidate(schema, structuredClone(obj)).unknown;
}
