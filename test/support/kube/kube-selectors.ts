/** Label and field selectors as the list endpoints parse them. */
import { isPlainObject, type JsonObject } from './kube-managed-fields.js';
import { badRequest } from './kube-status.js';

type Requirement = (labels: Record<string, string>) => boolean;

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** Parses `a=b,c!=d,e,!f,g in (x,y),h notin (z)`. */
export function parseLabelSelector(selector: string): (obj: JsonObject) => boolean {
  const reqs: Requirement[] = splitTop(selector).map((term) => {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      return op === 'in' ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!);
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^(!?)([^=!\s()]+)$/.exec(term);
    if (m) {
      const [, neg, key] = m as unknown as [string, string, string];
      return neg ? (l) => !(key in l) : (l) => key in l;
    }
    throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (obj) => {
    const md = obj['metadata'];
    const labels = (isPlainObject(md) && isPlainObject(md['labels']) ? md['labels'] : {}) as Record<string, string>;
    return reqs.every((r) => r(labels));
  };
}

function pathValue(obj: JsonObject, path: string): string | undefined {
  const v = path.split('.').reduce<unknown>((n, k) => (isPlainObject(n) ? n[k] : undefined), obj);
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * Parses `metadata.name=x,metadata.namespace!=y`. Any dotted path is accepted (events are filtered by
 * involvedObject.*, secrets by type); kube-apiserver limits the fields per kind, which the emulator does not.
 */
export function parseFieldSelector(selector: string): (obj: JsonObject) => boolean {
  const reqs = splitTop(selector).map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return (o: JsonObject): boolean => {
      const actual = pathValue(o, path.trim()) ?? '';
      return op === '!=' ? actual !== value : actual === value;
    };
  });
  return (obj) => reqs.every((r) => r(obj));
}
