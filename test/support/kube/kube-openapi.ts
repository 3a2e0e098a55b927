/**
 * A minimal OpenAPI v3: kubectl reads it only to learn whether the PATCH endpoint of a kind takes the
 * `fieldValidation` query parameter (then it leaves validation to the server instead of downloading
 * the full v2 schema). So each group/version document lists the item paths with that parameter and
 * the x-kubernetes-group-version-kind extension, and nothing else.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from './kube-managed-fields.js';
import { RESOURCES } from './kube-resources.js';

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The document for one group/version, or undefined when the emulator does not serve it. */
export function openApiV3GroupVersion(path: string): JsonObject | undefined {
  const defs = RESOURCES.filter((r) => gvPath(r.group, r.version) === path);
  if (defs.length === 0) return undefined;
  const paths: JsonObject = {};
  for (const d of defs) {
    // Create-only kinds (TokenReview) get a collection path; kubectl still only looks for a PATCH with the parameter.
    const base = `/${gvPath(d.group, d.version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.resource}${d.virtual ? '' : '/{name}'}`;
    const gvk = { group: d.group, version: d.version, kind: d.kind };
    const op = (action: string): JsonObject => ({
      operationId: `${action}${d.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: QUERY_PARAMS.map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4+k3s1' }, paths, components: { schemas: {} } };
}

/** /openapi/v3: one entry per group/version with a content hash, as kube-apiserver serves it. */
export function openApiV3Index(): JsonObject {
  const out: JsonObject = {};
  const seen = new Set<string>();
  for (const r of RESOURCES) {
    const p = gvPath(r.group, r.version);
    if (seen.has(p)) continue;
    seen.add(p);
    const hash = createHash('sha512').update(JSON.stringify(openApiV3GroupVersion(p))).digest('hex').toUpperCase().slice(0, 128);
    out[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths: out };
}
