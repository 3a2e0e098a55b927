/**
 * Field ownership for server-side apply, after sigs.k8s.io/structured-merge-diff: every object is
 * flattened into paths (`f:` field, `k:` associative-list key, `v:` set value), each manager owns a
 * set of them (serialised as FieldsV1), applies merge into the live object, conflict on a field
 * another manager owns with a different value, and drop the fields a manager stops applying.
 */
import { applyConflict, badRequest } from './kube-status.js';

export type JsonObject = Record<string, unknown>;

/** Associative list (`x-kubernetes-list-type: map`): items are identified by these keys. */
export interface ListMapSpec {
  keys: string[];
  /** Key fields the server defaults (Service ports' protocol), so an omitted key still identifies the item. */
  defaults?: Record<string, unknown>;
}

/** What structured-merge-diff needs to know about a kind's shape; paths are dotted field names. */
export interface FieldSchema {
  listMaps?: Record<string, ListMapSpec>;
  /** `x-kubernetes-list-type: set` lists of scalars. */
  sets?: string[];
  /** Objects that are structs (no `.` entry of their own), besides the root and `metadata`. */
  structs?: string[];
  /** Top-level fields the manager never owns on this endpoint (`status` when it has its own subresource). */
  ignoredTopLevel?: string[];
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

type Seg = { f: string } | { k: JsonObject } | { v: unknown } | { i: number };

interface PathInfo {
  segs: Seg[];
  /** True for `.` entries: the node exists (a map, a list item), not a value. */
  self: boolean;
}

const IGNORED_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
const BASE_STRUCTS = new Set(['', 'metadata']);

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    // A key holding undefined is an absent key: JSON never carries it.
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function sortedObject(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

function segKey(s: Seg): string {
  if ('f' in s) return `f:${s.f}`;
  if ('k' in s) return `k:${JSON.stringify(sortedObject(s.k))}`;
  if ('v' in s) return `v:${JSON.stringify(s.v)}`;
  return `i:${s.i}`;
}

function parseSegKey(key: string): Seg {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'f:': return { f: body };
    case 'k:': return { k: JSON.parse(body) as JsonObject };
    case 'v:': return { v: JSON.parse(body) as unknown };
    case 'i:': return { i: Number(body) };
    default: throw badRequest(`invalid managed fields path element ${JSON.stringify(key)}`);
  }
}

const SEP = '\u0000';

function pathKey(p: PathInfo): string {
  return p.segs.map(segKey).join(SEP) + (p.self ? `${SEP}.` : '');
}

/** `.spec.ports[port=18883,protocol="TCP"].tls`, as fieldpath.Path.String() prints it. */
export function pathString(segs: Seg[]): string {
  return segs
    .map((s) => {
      if ('f' in s) return `.${s.f}`;
      if ('k' in s) return `[${Object.keys(s.k).sort().map((k) => `${k}=${JSON.stringify(s.k[k])}`).join(',')}]`;
      if ('v' in s) return `[=${JSON.stringify(s.v)}]`;
      return `[${s.i}]`;
    })
    .join('');
}

function listKey(item: unknown, spec: ListMapSpec): JsonObject {
  const key: JsonObject = {};
  for (const k of spec.keys) {
    const v = isPlainObject(item) ? (item[k] ?? spec.defaults?.[k]) : undefined;
    if (v === undefined) throw badRequest(`associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
    key[k] = v;
  }
  return key;
}

/** Flattens an object into owned paths; `values` gets the leaf values keyed like the paths. */
function walk(obj: JsonObject, schema: FieldSchema, values?: Map<string, unknown>): Map<string, PathInfo> {
  const out = new Map<string, PathInfo>();
  const structs = new Set([...BASE_STRUCTS, ...(schema.structs ?? [])]);
  const sets = new Set(schema.sets ?? []);
  const add = (p: PathInfo, value?: unknown): void => {
    const k = pathKey(p);
    out.set(k, p);
    if (values && !p.self) values.set(k, value);
  };
  const visit = (value: unknown, segs: Seg[], dotted: string): void => {
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) return add({ segs, self: false }, value);
      if (!structs.has(dotted)) add({ segs, self: true });
      for (const k of keys) visit(value[k], [...segs, { f: k }], dotted === '' ? k : `${dotted}.${k}`);
      return;
    }
    if (Array.isArray(value)) {
      const lm = schema.listMaps?.[dotted];
      if (lm && value.length > 0) {
        for (const item of value) {
          const itemSegs: Seg[] = [...segs, { k: listKey(item, lm) }];
          add({ segs: itemSegs, self: true });
          if (isPlainObject(item)) for (const k of Object.keys(item)) visit(item[k], [...itemSegs, { f: k }], `${dotted}.${k}`);
        }
        return;
      }
      if (sets.has(dotted) && value.length > 0) {
        for (const item of value) add({ segs: [...segs, { v: item }], self: false }, item);
        return;
      }
    }
    add({ segs, self: false }, value);
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || (schema.ignoredTopLevel ?? []).includes(k)) continue;
    if (k === 'metadata' && isPlainObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (!IGNORED_METADATA.has(mk)) visit(mv, [{ f: 'metadata' }, { f: mk }], `metadata.${mk}`);
      }
      continue;
    }
    visit(v, [{ f: k }], k);
  }
  return out;
}

export function toFieldsV1(paths: Iterable<PathInfo>): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let node = root;
    for (const s of p.segs) {
      const k = segKey(s);
      node = (node[k] ??= {}) as JsonObject;
    }
    if (p.self) node['.'] = {};
  }
  return root;
}

export function fromFieldsV1(tree: JsonObject): Map<string, PathInfo> {
  const out = new Map<string, PathInfo>();
  const visit = (node: JsonObject, segs: Seg[]): void => {
    const keys = Object.keys(node);
    if (keys.length === 0 && segs.length > 0) {
      const p = { segs, self: false };
      out.set(pathKey(p), p);
      return;
    }
    for (const k of keys) {
      if (k === '.') {
        const p = { segs, self: true };
        out.set(pathKey(p), p);
      } else {
        visit(node[k] as JsonObject, [...segs, parseSegKey(k)]);
      }
    }
  };
  visit(tree, []);
  return out;
}

function findItem(list: unknown[], seg: Seg, schema: FieldSchema, dotted: string): number {
  if ('i' in seg) return seg.i < list.length ? seg.i : -1;
  if ('v' in seg) return list.findIndex((x) => deepEqual(x, seg.v));
  if ('k' in seg) {
    const lm = schema.listMaps?.[dotted];
    if (!lm) return -1;
    return list.findIndex((x) => deepEqual(listKey(x, lm), sortedObject(seg.k)) || deepEqual(sortedObject(listKey(x, lm)), sortedObject(seg.k)));
  }
  return -1;
}

/** Removes the node at `segs` (a field, a list item, a set value). */
function removeAt(obj: JsonObject, segs: Seg[], schema: FieldSchema): void {
  let node: unknown = obj;
  let dotted = '';
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if ('f' in s) {
      if (!isPlainObject(node)) return;
      if (last) {
        delete node[s.f];
        return;
      }
      node = node[s.f];
      dotted = dotted === '' ? s.f : `${dotted}.${s.f}`;
    } else {
      if (!Array.isArray(node)) return;
      const idx = findItem(node, s, schema, dotted);
      if (idx < 0) return;
      if (last) {
        node.splice(idx, 1);
        return;
      }
      node = node[idx];
    }
  }
}

/** Drops maps and lists that became empty because their last owned entry was removed. */
function pruneEmpty(obj: JsonObject, segs: Seg[], schema: FieldSchema): void {
  for (let n = segs.length - 1; n >= 1; n--) {
    const parentSegs = segs.slice(0, n);
    let node: unknown = obj;
    let dotted = '';
    for (const s of parentSegs) {
      if ('f' in s) {
        node = isPlainObject(node) ? node[s.f] : undefined;
        dotted = dotted === '' ? s.f : `${dotted}.${s.f}`;
      } else {
        node = Array.isArray(node) ? node[findItem(node, s, schema, dotted)] : undefined;
      }
    }
    const empty = (isPlainObject(node) && Object.keys(node).length === 0) || (Array.isArray(node) && node.length === 0);
    if (!empty || parentSegs.length === 1 && 'f' in parentSegs[0]! && parentSegs[0].f === 'metadata') return;
    removeAt(obj, parentSegs, schema);
  }
}

/** Merges an apply configuration into the live object: maps recurse, associative lists merge by key, the rest is replaced. */
export function mergeApplied(live: unknown, config: unknown, schema: FieldSchema, dotted = ''): unknown {
  if (isPlainObject(config)) {
    const base: JsonObject = isPlainObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) {
        delete base[k];
        continue;
      }
      base[k] = mergeApplied(base[k], v, schema, dotted === '' ? k : `${dotted}.${k}`);
    }
    return base;
  }
  const lm = schema.listMaps?.[dotted];
  if (Array.isArray(config) && lm && Array.isArray(live)) {
    const result = [...live];
    for (const item of config) {
      const key = listKey(item, lm);
      const idx = result.findIndex((x) => deepEqual(sortedObject(listKey(x, lm)), sortedObject(key)));
      if (idx >= 0) result[idx] = mergeApplied(result[idx], item, schema, dotted);
      else result.push(item);
    }
    return result;
  }
  if (Array.isArray(config) && (schema.sets ?? []).includes(dotted) && Array.isArray(live)) {
    const result = [...live];
    for (const item of config) if (!result.some((x) => deepEqual(x, item))) result.push(item);
    return result;
  }
  return config;
}

function readEntries(obj: JsonObject): ManagedFieldsEntry[] {
  const md = obj['metadata'];
  const mf = isPlainObject(md) ? md['managedFields'] : undefined;
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]).map((e) => ({ ...e })) : [];
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How apiserver names a manager in a conflict message. */
function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

function sameIdentity(a: ManagedFieldsEntry, b: { manager: string; operation: string; apiVersion: string; subresource?: string | undefined }): boolean {
  return a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '') && (a.operation === 'Apply' || a.apiVersion === b.apiVersion);
}

function writeEntries(obj: JsonObject, entries: ManagedFieldsEntry[]): void {
  const md = (obj['metadata'] ??= {}) as JsonObject;
  const kept = entries.filter((e) => Object.keys(e.fieldsV1).length > 0);
  if (kept.length === 0) delete md['managedFields'];
  else md['managedFields'] = kept;
}

export interface ManagerRef {
  manager: string;
  apiVersion: string;
  subresource?: string | undefined;
}

/**
 * Records an Update (create, PUT, merge/JSON patch): the updater takes every field it added or changed;
 * other managers lose those fields. Updates never conflict.
 */
export function recordUpdate(oldObj: JsonObject | undefined, newObj: JsonObject, who: ManagerRef, schema: FieldSchema): void {
  const oldVals = new Map<string, unknown>();
  const newVals = new Map<string, unknown>();
  const oldPaths = oldObj ? walk(oldObj, schema, oldVals) : new Map<string, PathInfo>();
  const newPaths = walk(newObj, schema, newVals);
  const changed = new Set<string>();
  for (const [k, p] of newPaths) {
    if (!oldPaths.has(k) || (!p.self && !deepEqual(oldVals.get(k), newVals.get(k)))) changed.add(k);
  }
  const entries = oldObj ? readEntries(oldObj) : [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of entries) {
    if (sameIdentity(e, { ...who, operation: 'Update' })) {
      mine = e;
      continue;
    }
    const owned = fromFieldsV1(e.fieldsV1);
    for (const k of [...owned.keys()]) if (changed.has(k) || !newPaths.has(k)) owned.delete(k);
    e.fieldsV1 = toFieldsV1(owned.values());
  }
  const mineOwned = mine ? fromFieldsV1(mine.fieldsV1) : new Map<string, PathInfo>();
  for (const k of changed) mineOwned.set(k, newPaths.get(k)!);
  for (const k of [...mineOwned.keys()]) if (!newPaths.has(k)) mineOwned.delete(k);
  if (changed.size === 0 && !mine) return writeEntries(newObj, entries);
  const entry: ManagedFieldsEntry = {
    manager: who.manager,
    operation: 'Update',
    apiVersion: who.apiVersion,
    time: changed.size > 0 || !mine ? now() : mine.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(mineOwned.values()),
    ...(who.subresource ? { subresource: who.subresource } : {}),
  };
  const out = mine ? entries.map((e) => (e === mine ? entry : e)) : [...entries, entry];
  writeEntries(newObj, out);
}

/**
 * Server-side apply of `config` by `who` onto `live` (undefined when the object does not exist yet).
 * Returns the new object with managedFields set; throws the 409 Status on conflicts unless `force`.
 */
export function serverSideApply(live: JsonObject | undefined, config: JsonObject, who: ManagerRef, force: boolean, schema: FieldSchema): JsonObject {
  const cfgVals = new Map<string, unknown>();
  const applied = walk(config, schema, cfgVals);
  const liveVals = new Map<string, unknown>();
  if (live) walk(live, schema, liveVals);
  const entries = live ? readEntries(live) : [];
  const mineIdx = entries.findIndex((e) => sameIdentity(e, { ...who, operation: 'Apply' }));
  const previouslyMine = mineIdx >= 0 ? fromFieldsV1(entries[mineIdx]!.fieldsV1) : new Map<string, PathInfo>();
  const others = entries.filter((_, i) => i !== mineIdx).map((e) => ({ entry: e, owned: fromFieldsV1(e.fieldsV1) }));

  const conflicts: Array<{ manager: string; path: string; key: string }> = [];
  for (const [k, p] of applied) {
    if (p.self || !liveVals.has(k) || deepEqual(liveVals.get(k), cfgVals.get(k))) continue;
    for (const o of others) if (o.owned.has(k)) conflicts.push({ manager: printManager(o.entry), path: pathString(p.segs), key: k });
  }
  if (conflicts.length > 0 && !force) throw applyConflict(conflicts);
  if (force) for (const c of conflicts) for (const o of others) o.owned.delete(c.key);

  const merged = mergeApplied(live ? structuredClone(live) : {}, config, schema) as JsonObject;
  const keep = new Set<string>(applied.keys());
  for (const o of others) for (const k of o.owned.keys()) keep.add(k);
  const removals = [...previouslyMine.entries()].filter(([k]) => !keep.has(k)).sort((a, b) => b[1].segs.length - a[1].segs.length);
  const keepList = [...keep.values()];
  for (const [k, p] of removals) {
    if (p.self) {
      const prefix = k.slice(0, -2);
      if (keepList.some((x) => x.startsWith(prefix + SEP) && x !== k)) continue;
    }
    removeAt(merged, p.segs, schema);
    pruneEmpty(merged, p.segs, schema);
  }
  const finalPaths = walk(merged, schema);
  for (const o of others) {
    for (const k of [...o.owned.keys()]) if (!finalPaths.has(k)) o.owned.delete(k);
    o.entry.fieldsV1 = toFieldsV1(o.owned.values());
  }
  const mineOwned = [...applied.entries()].filter(([k]) => finalPaths.has(k)).map(([, p]) => p);
  const changed = !live || !deepEqual(stripManaged(live), stripManaged(merged)) || mineIdx < 0 || !deepEqual(entries[mineIdx]!.fieldsV1, toFieldsV1(mineOwned));
  const entry: ManagedFieldsEntry = {
    manager: who.manager,
    operation: 'Apply',
    apiVersion: who.apiVersion,
    time: changed || mineIdx < 0 ? now() : entries[mineIdx]!.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(mineOwned),
    ...(who.subresource ? { subresource: who.subresource } : {}),
  };
  const out = others.map((o) => o.entry);
  if (mineIdx >= 0) out.splice(mineIdx, 0, entry);
  else out.push(entry);
  writeEntries(merged, out);
  return merged;
}

export function stripManaged(obj: JsonObject): JsonObject {
  const copy = structuredClone(obj);
  if (isPlainObject(copy['metadata'])) delete copy['metadata']['managedFields'];
  return copy;
}
