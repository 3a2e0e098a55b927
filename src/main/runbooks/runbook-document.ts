import { isIP } from 'node:net';
import { LineCounter, isMap, isSeq, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import type { RunbookInfo, RunbookProblem } from '@shared/contract/runbooks-contract';
import type { StepKinds } from './step-kind';

/** A parameter value after parsing: what `${name}` expands to. */
export type ParamValue = string | number | boolean | string[];

const ParamTypeSchema = z.enum(['string', 'integer', 'boolean', 'ip', 'cidr', 'host', 'list', 'node', 'certificate']);
type ParamType = z.infer<typeof ParamTypeSchema>;

const ParamSpec = z
  .object({
    type: ParamTypeSchema,
    description: z.string().max(500).default(''),
    required: z.boolean().optional(),
    default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
  })
  .strict();

const StepSpec = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'A step id is lower case letters, digits and dashes.').max(60),
    uses: z.string().min(1).max(60),
    title: z.string().max(200).optional(),
    with: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const DocumentSpec = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'A runbook name is lower case letters, digits and dashes.').max(100),
    title: z.string().min(1).max(200),
    description: z.string().max(4000).default(''),
    warning: z.string().max(1000).optional(),
    params: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'A parameter name is letters, digits and underscores.'), ParamSpec).default({}),
    steps: z.array(StepSpec).min(1, 'A runbook needs at least one step.').max(50),
  })
  .strict();

export interface RunbookStep {
  id: string;
  uses: string;
  title: string;
  with: Record<string, unknown>;
  line: number;
  risky: boolean;
  confirmText?: string;
}

export interface Runbook {
  name: string;
  title: string;
  description: string;
  warning?: string;
  params: Record<string, z.infer<typeof ParamSpec>>;
  steps: RunbookStep[];
  yaml: string;
}

export type ParseResult = { ok: true; runbook: Runbook; problems: [] } | { ok: false; problems: RunbookProblem[] };

/** `${name}` or `${steps.id.output}`; a value that is exactly one reference keeps its type. */
const REF = /\$\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*\}/g;

function positionOf(doc: Document, lc: LineCounter, path: ReadonlyArray<string | number>): { line: number; column: number } {
  // The deepest node on the path that exists: a wrong value points at itself, a missing key at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    const range = node && (isScalar(node) || isMap(node) || isSeq(node)) ? node.range : undefined;
    if (range) {
      const { line, col } = lc.linePos(range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

/** A stand-in value of the parameter's type, so a step's input schema can check the literal parts around references. */
function sampleOf(type: ParamType): ParamValue {
  switch (type) {
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'ip':
      return '10.0.0.1';
    case 'cidr':
      return '10.0.0.1/24';
    case 'host':
      return 'node.example';
    case 'list':
      return [];
    default:
      return 'x';
  }
}

/** Checks a parameter value against its declared type; returns a sentence when it does not fit. */
export function paramProblem(type: ParamType, value: unknown): string | undefined {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'must be a whole number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'must be a list of strings';
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0 ? undefined : 'must be an IP address such as 192.168.2.196';
    case 'cidr': {
      if (typeof value !== 'string') return 'must be an address with its prefix, such as 192.168.2.196/24';
      const [ip, prefix, extra] = value.split('/');
      const bits = isIP(ip ?? '') === 6 ? 128 : 32;
      return isIP(ip ?? '') !== 0 && extra === undefined && /^\d{1,3}$/.test(prefix ?? '') && Number(prefix) <= bits ? undefined : 'must be an address with its prefix, such as 192.168.2.196/24';
    }
    case 'host':
      return typeof value === 'string' && (isIP(value) !== 0 || /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value)) ? undefined : 'must be an IP address or host name';
    default:
      return typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty text';
  }
}

function references(value: unknown, out: Array<{ path: Array<string | number>; ref: string }>, path: Array<string | number> = []): typeof out {
  if (typeof value === 'string') for (const m of value.matchAll(REF)) out.push({ path, ref: m[1] as string });
  else if (Array.isArray(value)) value.forEach((v, i) => references(v, out, [...path, i]));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) references(v, out, [...path, k]);
  return out;
}

/**
 * Expands `${…}` references. A string that is exactly one reference becomes the referenced value with its
 * type (a list stays a list); references inside longer text are written in. `undefined` for an unknown one
 * is left to the caller (the document check has already named its line).
 */
export function expand(value: unknown, lookup: (ref: string) => unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*\}$/.exec(value);
    if (whole) return lookup(whole[1] as string);
    return value.replace(REF, (_, ref: string) => {
      const v = lookup(ref);
      return Array.isArray(v) ? v.join(',') : String(v ?? '');
    });
  }
  if (Array.isArray(value)) return value.map((v) => expand(v, lookup));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, lookup)]));
  return value;
}

/**
 * Parses and checks a runbook: YAML syntax, the document's shape, every step's kind, every reference (a
 * parameter declared, or an output of an earlier step), parameter defaults against their types, and each
 * step's literal inputs against the step's own schema. Every problem names its line.
 */
export function parseRunbook(yaml: string, kinds: StepKinds): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: RunbookProblem[] = [];
  const at = (path: Array<string | number>, message: string) => problems.push({ ...positionOf(doc, lc, path), path: path.join('.'), message });
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    problems.push({ line: pos.line, column: pos.col, path: '', message: `The YAML does not parse: ${e.message.split('\n')[0]}` });
  }
  if (problems.length) return { ok: false, problems };
  const parsed = DocumentSpec.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) at(issue.path as Array<string | number>, `${issue.path.join('.') || 'The runbook'}: ${issue.message}`);
    return { ok: false, problems };
  }
  const spec = parsed.data;
  for (const [name, p] of Object.entries(spec.params)) {
    if (p.default !== undefined) {
      const why = paramProblem(p.type, p.default);
      if (why) at(['params', name, 'default'], `Parameter "${name}": its default ${JSON.stringify(p.default)} ${why}.`);
    }
  }
  const seen = new Map<string, Set<string>>();
  const steps: RunbookStep[] = [];
  spec.steps.forEach((s, i) => {
    const kind = kinds.get(s.uses);
    if (seen.has(s.id)) at(['steps', i, 'id'], `Step "${s.id}" appears twice; give each step its own id.`);
    if (!kind) {
      at(['steps', i, 'uses'], `Step "${s.id}" uses "${s.uses}", which is not a step Fieldbench knows. Known steps: ${[...kinds.keys()].sort().join(', ')}.`);
      seen.set(s.id, new Set());
      return;
    }
    let referencesOk = true;
    for (const r of references(s.with, [])) {
      const parts = r.ref.split('.');
      if (parts[0] === 'steps') {
        const [, stepId, output] = parts;
        const outputs = stepId ? seen.get(stepId) : undefined;
        if (!outputs) at(['steps', i, 'with', ...r.path], `Step "${s.id}" refers to \${${r.ref}}, but no earlier step is called "${stepId ?? ''}".`);
        else if (!output || !outputs.has(output)) at(['steps', i, 'with', ...r.path], `Step "${s.id}" refers to \${${r.ref}}, but step "${stepId}" has no output "${output ?? ''}" (it has: ${[...outputs].join(', ') || 'none'}).`);
        referencesOk &&= Boolean(outputs && output && outputs.has(output));
      } else if (!spec.params[r.ref]) {
        at(['steps', i, 'with', ...r.path], `Step "${s.id}" uses the parameter \${${r.ref}}, which the runbook does not declare under params.`);
        referencesOk = false;
      }
    }
    if (referencesOk) {
      const sample = expand(s.with, (ref) => {
        const p = spec.params[ref];
        if (p) return p.default ?? sampleOf(p.type);
        return kind && ref.startsWith('steps.') ? kinds.get(steps.find((x) => x.id === ref.split('.')[1])?.uses ?? '')?.sampleOutput(ref.split('.')[2] ?? '') : undefined;
      });
      const checked = kind.input.safeParse(sample);
      if (!checked.success) {
        for (const issue of checked.error.issues) at(['steps', i, 'with', ...(issue.path as Array<string | number>)], `Step "${s.id}" (${s.uses}): ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
      }
    }
    seen.set(s.id, new Set(kind.outputs));
    steps.push({ id: s.id, uses: s.uses, title: s.title ?? kind.title, with: s.with, line: positionOf(doc, lc, ['steps', i]).line, risky: kind.risky, ...(kind.confirmText ? { confirmText: kind.confirmText } : {}) });
  });
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return {
    ok: true,
    problems: [],
    runbook: { name: spec.name, title: spec.title, description: spec.description, ...(spec.warning ? { warning: spec.warning } : {}), params: spec.params, steps, yaml },
  };
}

export function runbookInfo(rb: Runbook, builtIn: boolean): RunbookInfo {
  return {
    name: rb.name,
    title: rb.title,
    description: rb.description,
    builtIn,
    ...(rb.warning ? { warning: rb.warning } : {}),
    params: Object.entries(rb.params).map(([name, p]) => ({ name, type: p.type, description: p.description, required: p.required ?? p.default === undefined, ...(p.default !== undefined ? { default: p.default } : {}) })),
    steps: rb.steps.map((s) => ({ id: s.id, uses: s.uses, title: s.title, risky: s.risky, ...(s.confirmText ? { confirmText: s.confirmText } : {}), line: s.line })),
  };
}

/** The values a run starts with: defaults filled in, every required one present, every one of its type. */
export function resolveParams(rb: Runbook, given: Record<string, unknown>): { ok: true; params: Record<string, ParamValue> } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const params: Record<string, ParamValue> = {};
  for (const name of Object.keys(given)) if (!rb.params[name]) problems.push(`The runbook "${rb.name}" has no parameter "${name}".`);
  for (const [name, p] of Object.entries(rb.params)) {
    const v = given[name] ?? p.default;
    if (v === undefined) {
      problems.push(`Give the parameter "${name}"${p.description ? ` (${p.description})` : ''}.`);
      continue;
    }
    const why = paramProblem(p.type, v);
    if (why) problems.push(`The parameter "${name}" ${why}.`);
    else params[name] = v as ParamValue;
  }
  return problems.length ? { ok: false, problems } : { ok: true, params };
}
