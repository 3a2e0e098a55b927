/** The non-apply patch types kube-apiserver accepts. */
import { deepEqual, isPlainObject, type JsonObject } from './kube-managed-fields.js';
import { KubeStatusError, badRequest } from './kube-status.js';

/** RFC 7386 JSON merge patch (`application/merge-patch+json`). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parentOf(doc: unknown, pointer: string): { parent: unknown; key: string } {
  if (!pointer.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${JSON.stringify(pointer)}`);
  const parts = pointer.slice(1).split('/').map(unescape);
  const key = parts.pop()!;
  let node: unknown = doc;
  for (const p of parts) {
    node = Array.isArray(node) ? node[Number(p)] : isPlainObject(node) ? node[p] : undefined;
    if (node === undefined) throw new KubeStatusError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing path: "${pointer}": missing value`);
  }
  return { parent: node, key };
}

function readPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  const { parent, key } = parentOf(doc, pointer);
  return Array.isArray(parent) ? parent[Number(key)] : isPlainObject(parent) ? parent[key] : undefined;
}

/** RFC 6902 JSON patch (`application/json-patch+json`): add, remove, replace, move, copy, test. */
export function jsonPatch(target: JsonObject, ops: unknown): JsonObject {
  if (!Array.isArray(ops)) throw badRequest('the server rejected our request due to an error in our request: json patch must be an array of operations');
  const doc = structuredClone(target);
  for (const raw of ops) {
    const op = raw as { op?: string; path?: string; from?: string; value?: unknown };
    const path = op.path ?? '';
    const missing = (): KubeStatusError => new KubeStatusError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`);
    switch (op.op) {
      case 'add':
      case 'replace':
      case 'copy':
      case 'move': {
        let value = op.value;
        if (op.op === 'copy' || op.op === 'move') {
          value = structuredClone(readPointer(doc, op.from ?? ''));
          if (value === undefined) throw missing();
          if (op.op === 'move') {
            const src = parentOf(doc, op.from ?? '');
            if (Array.isArray(src.parent)) src.parent.splice(Number(src.key), 1);
            else if (isPlainObject(src.parent)) delete src.parent[src.key];
          }
        }
        const { parent, key } = parentOf(doc, path);
        if (Array.isArray(parent)) {
          const idx = key === '-' ? parent.length : Number(key);
          if (op.op === 'replace') parent[idx] = value;
          else parent.splice(idx, 0, value);
        } else if (isPlainObject(parent)) {
          if (op.op === 'replace' && !(key in parent)) throw missing();
          parent[key] = value;
        } else throw missing();
        break;
      }
      case 'remove': {
        const { parent, key } = parentOf(doc, path);
        if (Array.isArray(parent) && Number(key) < parent.length) parent.splice(Number(key), 1);
        else if (isPlainObject(parent) && key in parent) delete parent[key];
        else throw missing();
        break;
      }
      case 'test':
        if (!deepEqual(readPointer(doc, path), op.value)) throw new KubeStatusError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${path} failed: test failed`);
        break;
      default:
        throw badRequest(`the server rejected our request due to an error in our request: Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}
