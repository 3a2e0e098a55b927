import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject } from './aio-resources';

/** Secret keys that hold public certificates and may be shown; everything else in a Secret is hidden. */
const PUBLIC_SECRET_KEYS = new Set(['tls.crt', 'ca.crt']);
const NOISE = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'];

/**
 * The object as a person may see it: a Secret's private values become a placeholder with a short
 * fingerprint, so a diff still shows *that* a key changes without showing the key.
 */
export function redact(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const copy = structuredClone(o);
  for (const field of ['data', 'stringData'] as const) {
    const data = copy[field];
    if (!data || typeof data !== 'object') continue;
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (PUBLIC_SECRET_KEYS.has(k)) continue;
      const digest = createHash('sha256').update(String(v)).digest('hex').slice(0, 12);
      (data as Record<string, unknown>)[k] = `<hidden: sha256 ${digest}>`;
    }
  }
  return copy;
}

/** What the object says, without what the server keeps for itself; the basis of every diff. */
export function comparable(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  for (const k of NOISE) delete copy.metadata[k];
  if (copy.metadata['annotations'] && Object.keys(copy.metadata['annotations'] as object).length === 0) delete copy.metadata['annotations'];
  delete copy['status'];
  return copy;
}

export function toYaml(o: unknown): string {
  return stringify(o, { lineWidth: 0 });
}

/** Unified diff between the object on the cluster (or nothing) and what it becomes. */
export function objectDiff(label: string, before: KubeObject | undefined, after: KubeObject): string {
  const a = before ? toYaml(redact(comparable(before))) : '';
  const b = toYaml(redact(comparable(after)));
  if (a === b) return '';
  return createTwoFilesPatch(`${label} (on the cluster)`, `${label} (after apply)`, a, b, undefined, undefined, { context: 3 });
}

/** True when every field of `want` is in `have` with the same value: "is this apply already on the cluster?" */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}
