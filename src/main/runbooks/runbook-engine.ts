import { createHash, randomUUID } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { CheckItem, LogLine, RunRecord, StepCountdown, StepRecord, StepState } from '@shared/contract/runbooks-contract';
import type { VaultStore } from '../services/vault/vault-store';
import { expand, parseRunbook, resolveParams, runbookInfo, type Runbook } from './runbook-document';
import type { Caller, StepContext, StepKinds } from './step-kind';

const SECTION = 'runbooks';
/** Runs kept per vault; the oldest unsigned ones go first. */
const MAX_RUNS = 100;
const MAX_LOG_LINES = 2000;

interface RunbooksSection {
  saved: Record<string, string>;
  runs: RunRecord[];
}
const EMPTY: RunbooksSection = { saved: {}, runs: [] };

export interface RunbookEngineDeps {
  store: VaultStore;
  kinds: StepKinds;
  builtIns: Record<string, string>;
  call: Caller;
  emit(payload: { runId: string; step?: string; state?: StepState; line?: LogLine; countdown?: StepCountdown | null }): void;
  now?: () => Date;
}

export interface RunOptions {
  params: Record<string, unknown>;
  dryRun: boolean;
  confirm: string[];
  technician?: string | undefined;
  pauseAfter?: string | undefined;
  signal: AbortSignal;
  progress?: (message: string, fraction?: number) => void;
}

/** A stable text of a check item list, compared by `verify` and hashed into the fingerprint. */
const itemKey = (i: CheckItem) => `${i.name}: ${i.ok ? 'ok' : 'not ok'} — ${i.detail}`;

/** Hash over every step's fingerprint parts (objects applied, certificate serials), sorted so order never matters. */
export function configurationFingerprint(run: RunRecord): string {
  const parts: string[] = [];
  for (const s of run.steps) {
    const fp = (s.outputs['fingerprint'] ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(fp)) parts.push(`${s.id}/${k}=${v}`);
  }
  parts.sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex').toUpperCase().slice(0, 32).replace(/(.{4})(?!$)/g, '$1-');
}

/**
 * Runs runbooks step by step and keeps each run in the vault after every state change, so a dropped link or
 * a closed app resumes from the step it was in. A step that finds nothing to change is "unchanged"; a
 * finished runbook run again reports nothing to change.
 */
export class RunbookEngine {
  private readonly pausing = new Set<string>();
  private readonly active = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly deps: RunbookEngineDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private section(): Readonly<RunbooksSection> {
    return this.deps.store.isUnlocked() ? this.deps.store.getSection<RunbooksSection>(SECTION, EMPTY) : EMPTY;
  }

  /** Built-ins first (they work while the vault is locked), then the vault's own. */
  list(): Array<{ runbook: Runbook; builtIn: boolean }> {
    const out: Array<{ runbook: Runbook; builtIn: boolean }> = [];
    for (const yaml of Object.values(this.deps.builtIns)) {
      const r = parseRunbook(yaml, this.deps.kinds);
      if (!r.ok) throw new Error(`Built-in runbook does not parse: ${r.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
      out.push({ runbook: r.runbook, builtIn: true });
    }
    for (const yaml of Object.values(this.section().saved)) {
      const r = parseRunbook(yaml, this.deps.kinds);
      if (r.ok) out.push({ runbook: r.runbook, builtIn: false });
    }
    return out;
  }

  find(name: string): { runbook: Runbook; builtIn: boolean } {
    const hit = this.list().find((r) => r.runbook.name === name);
    if (!hit) throw new FieldbenchError('runbooks.notFound', `There is no runbook called "${name}". \`fieldbench runbook list\` shows them.`);
    return hit;
  }

  validate(yaml: string) {
    const r = parseRunbook(yaml, this.deps.kinds);
    return r.ok ? { ok: true, problems: [], info: runbookInfo(r.runbook, false) } : { ok: false, problems: r.problems };
  }

  async save(yaml: string) {
    const r = parseRunbook(yaml, this.deps.kinds);
    if (!r.ok) throw new FieldbenchError('runbooks.invalid', `The runbook has ${r.problems.length} problem(s): ${r.problems.map((p) => `line ${p.line}: ${p.message}`).join(' ')}`);
    if (this.deps.builtIns[r.runbook.name]) throw new FieldbenchError('runbooks.builtIn', `"${r.runbook.name}" is a built-in runbook. Give your copy its own name.`);
    await this.deps.store.updateSection<RunbooksSection, void>(SECTION, EMPTY, (d) => {
      d.saved[r.runbook.name] = yaml;
    });
    return runbookInfo(r.runbook, false);
  }

  runs(): readonly RunRecord[] {
    return this.section().runs;
  }

  getRun(runId: string): RunRecord {
    const run = this.section().runs.find((r) => r.id === runId);
    if (!run) throw new FieldbenchError('runbooks.runNotFound', `There is no run ${runId} in this vault.`);
    return structuredClone(run) as RunRecord;
  }

  async start(source: { name: string } | { yaml: string }, opts: RunOptions): Promise<RunRecord> {
    let runbook: Runbook;
    if ('name' in source) runbook = this.find(source.name).runbook;
    else {
      const r = parseRunbook(source.yaml, this.deps.kinds);
      if (!r.ok) throw new FieldbenchError('runbooks.invalid', `The runbook has ${r.problems.length} problem(s): ${r.problems.map((p) => `line ${p.line}: ${p.message}`).join(' ')}`);
      runbook = r.runbook;
    }
    const resolved = resolveParams(runbook, opts.params);
    if (!resolved.ok) throw new FieldbenchError('runbooks.params', resolved.problems.join(' '));
    const at = this.now().toISOString();
    const run: RunRecord = {
      id: `run-${at.slice(0, 10)}-${randomUUID().slice(0, 8)}`,
      runbook: runbook.name,
      title: runbook.title,
      source: runbook.yaml,
      params: resolved.params,
      dryRun: opts.dryRun,
      state: opts.dryRun ? 'planned' : 'running',
      createdAt: at,
      updatedAt: at,
      ...(opts.technician ? { technician: opts.technician } : {}),
      steps: runbook.steps.map((s) => ({ id: s.id, uses: s.uses, title: s.title, state: 'pending', found: [], changes: [], verified: [], outputs: {} })),
      log: [],
      changed: 0,
    };
    // A dry run is kept too: it is the as-found record a technician shows before touching anything.
    await this.persist(run);
    return this.drive(runbook, run, opts);
  }

  async resume(runId: string, opts: Omit<RunOptions, 'params' | 'dryRun'>): Promise<RunRecord> {
    const run = this.getRun(runId);
    if (run.dryRun) throw new FieldbenchError('runbooks.dryRun', 'A dry run has nothing to resume. Start the runbook without --dry-run.');
    if (run.state === 'done') return run;
    const runbook = this.runbookOf(run);
    run.state = 'running';
    this.log(run, undefined, 'info', 'Resumed.');
    return this.drive(runbook, run, { ...opts, params: run.params, dryRun: false });
  }

  pause(runId: string): boolean {
    if (!this.active.has(runId)) return false;
    this.pausing.add(runId);
    return true;
  }

  private runbookOf(run: RunRecord): Runbook {
    const r = parseRunbook(run.source, this.deps.kinds);
    if (!r.ok) throw new FieldbenchError('runbooks.invalid', `Run ${run.id} was started from a runbook this Fieldbench cannot read any more: ${r.problems.map((p) => `line ${p.line}: ${p.message}`).join(' ')}`);
    return r.runbook;
  }

  private lookup(run: RunRecord, ref: string): unknown {
    const parts = ref.split('.');
    if (parts[0] === 'steps') return run.steps.find((s) => s.id === parts[1])?.outputs[parts[2] ?? ''];
    return run.params[ref];
  }

  private async drive(runbook: Runbook, run: RunRecord, opts: RunOptions): Promise<RunRecord> {
    this.active.add(run.id);
    try {
      for (const [index, step] of runbook.steps.entries()) {
        const rec = run.steps[index] as StepRecord;
        if (rec.state === 'done' || rec.state === 'unchanged') continue;
        if (opts.signal.aborted) return await this.finish(run, 'cancelled', `Cancelled before step "${step.id}".`);
        opts.progress?.(`Step ${index + 1} of ${runbook.steps.length}: ${step.title}`, index / runbook.steps.length);
        const kind = this.deps.kinds.get(step.uses);
        if (!kind) throw new FieldbenchError('runbooks.unknownStep', `Step "${step.id}" uses "${step.uses}", which this Fieldbench does not know.`);
        const raw = expand(step.with, (ref) => this.lookup(run, ref));
        const unknownInput = opts.dryRun && JSON.stringify(raw).includes('"__unknown__"');
        const ctx: StepContext = {
          // While a step applies, what its calls report (each object applied, the rollback armed) goes into the run's log,
          // so a link cut in the middle is on record exactly where it happened. Lines that differ only in a number
          // (a countdown's seconds) are one line.
          call: ((name, request) => this.deps.call(name, request, rec.state === 'applying' ? { progress: (m: string) => this.logProgress(run, step.id, m) } : undefined)) as Caller,
          signal: opts.signal,
          dryRun: opts.dryRun,
          log: (m, level = 'info') => this.log(run, step.id, level, m),
          countdown: (c) => this.setCountdown(run, rec, c),
        };
        const parsed = kind.input.safeParse(raw);
        if (!parsed.success && !unknownInput) {
          rec.state = 'failed';
          rec.error = `Step "${step.id}" got inputs it cannot use: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
          return await this.finish(run, 'failed', rec.error);
        }
        if (unknownInput) {
          // Dry run: an earlier step would create what this one needs, so its plan is known only then.
          rec.state = 'planned';
          rec.changes = [{ action: 'run', target: step.title, detail: 'Planned once the earlier steps it depends on have run.' }];
          for (const o of kind.outputs) rec.outputs[o] = '__unknown__';
          await this.persist(run);
          continue;
        }
        const input = parsed.data as never;
        rec.startedAt ??= this.now().toISOString();
        try {
          this.setState(run, rec, 'checking');
          const found = await kind.check(input, ctx);
          // As found is what the first check saw; a resumed step keeps it.
          if (rec.found.length === 0) rec.found = found.items;
          Object.assign(rec.outputs, found.outputs ?? {});
          const changes = await kind.plan(input, found, ctx);
          rec.changes = changes;
          if (opts.dryRun) {
            rec.state = changes.length ? 'planned' : kind.verifyOnly && found.items.some((i) => !i.ok) ? 'pending' : kind.verifyOnly && found.items.length === 0 ? 'pending' : 'unchanged';
            if (rec.state === 'pending') this.log(run, step.id, 'info', `Will ${step.title.toLowerCase()} once the steps before it have run.`);
            for (const o of kind.outputs) if (rec.outputs[o] === undefined) rec.outputs[o] = '__unknown__';
            for (const c of changes) this.log(run, step.id, 'info', `Would ${c.action} ${c.target}${c.detail ? `: ${c.detail}` : ''}`);
            await this.persist(run);
            continue;
          }
          if (changes.length > 0) {
            if (step.risky && !opts.confirm.includes(step.id)) {
              rec.state = 'paused';
              // Each risky kind says what it risks (the network, the default listener, private keys on disk).
              const risk = kind.confirmText?.replace(/^I confirm: this step /, '').replace(/\.$/, '') ?? "changes the node's network or its default listener";
              rec.error = `Step "${step.id}" (${step.title}) ${risk}. Look at its plan, then resume with confirm "${step.id}".`;
              return await this.finish(run, 'paused', rec.error);
            }
            this.setState(run, rec, 'applying');
            for (const c of changes) this.log(run, step.id, 'change', `${c.action} ${c.target}${c.detail ? `: ${c.detail}` : ''}`);
            Object.assign(rec.outputs, await kind.apply(input, found, ctx));
            run.changed += 1;
          }
          this.setState(run, rec, 'verifying');
          const verified = await kind.verify(input, rec.outputs, ctx);
          rec.verified = verified.items;
          rec.outputs['fingerprint'] = verified.fingerprint;
          rec.endedAt = this.now().toISOString();
          const bad = verified.items.filter((i) => !i.ok);
          if (bad.length) {
            rec.state = 'failed';
            rec.error = `Step "${step.id}" did not verify: ${bad.map((i) => `${i.name} — ${i.detail}`).join('; ')}`;
            return await this.finish(run, 'failed', rec.error);
          }
          delete rec.error;
          this.setCountdown(run, rec, undefined);
          this.setState(run, rec, changes.length ? 'done' : 'unchanged');
          // A test step never changes anything; "nothing to change" would hide that it ran and what it found.
          const tested = kind.verifyOnly && verified.items.length ? `Tested: ${step.title}: ${verified.items.length} of ${verified.items.length} passed (${verified.items.map((i) => i.name).join(', ')}).` : undefined;
          this.log(run, step.id, 'info', changes.length ? `Done: ${step.title}.` : (tested ?? `Nothing to change: ${step.title}.`));
          await this.persist(run);
        } catch (err) {
          if (opts.signal.aborted) {
            rec.state = 'cancelled';
            return await this.finish(run, 'cancelled', `Cancelled during step "${step.id}"; resume to finish it.`);
          }
          rec.state = 'failed';
          rec.error = err instanceof Error ? err.message : String(err);
          return await this.finish(run, 'failed', `Step "${step.id}" failed: ${rec.error} Resume the run to try this step again.`);
        }
        if (this.pausing.has(run.id) || opts.pauseAfter === step.id) {
          this.pausing.delete(run.id);
          if (index < runbook.steps.length - 1) return await this.finish(run, 'paused', `Paused after step "${step.id}". Resume to continue.`);
        }
      }
      if (opts.dryRun) return await this.finish(run, 'planned', `Plan: ${run.steps.filter((s) => s.state === 'planned').length} step(s) would change something.`);
      return await this.finish(run, 'done', run.changed === 0 ? 'Nothing to change: every step was already in place.' : `Done: ${run.changed} step(s) changed something.`);
    } finally {
      this.active.delete(run.id);
      this.pausing.delete(run.id);
    }
  }

  /** Re-runs every step's check and verify and compares with what the run recorded. */
  async verify(runId: string, signal: AbortSignal) {
    const run = this.getRun(runId);
    const runbook = this.runbookOf(run);
    const items: Array<{ step: string; check: string; before: string; now: string }> = [];
    const now: RunRecord = structuredClone(run) as RunRecord;
    for (const [index, step] of runbook.steps.entries()) {
      const rec = now.steps[index] as StepRecord;
      const kind = this.deps.kinds.get(step.uses);
      if (!kind || rec.state === 'pending' || rec.state === 'skipped') continue;
      const ctx: StepContext = { call: this.deps.call, signal, dryRun: true, log: () => undefined, countdown: () => undefined };
      const parsed = kind.input.safeParse(expand(step.with, (ref) => this.lookup(run, ref)));
      if (!parsed.success) continue;
      const before = (run.steps[index]?.outputs['fingerprint'] ?? {}) as Record<string, string>;
      let verified;
      try {
        verified = await kind.verify(parsed.data as never, rec.outputs, ctx);
      } catch (err) {
        items.push({ step: step.id, check: step.title, before: 'verified', now: `cannot check: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      rec.outputs['fingerprint'] = verified.fingerprint;
      for (const key of new Set([...Object.keys(before), ...Object.keys(verified.fingerprint)])) {
        if (before[key] !== verified.fingerprint[key]) items.push({ step: step.id, check: key, before: before[key] ?? '(absent)', now: verified.fingerprint[key] ?? '(absent)' });
      }
      const was = new Set((run.steps[index]?.verified ?? []).map(itemKey));
      for (const i of verified.items) if (!was.has(itemKey(i)) && !i.ok) items.push({ step: step.id, check: i.name, before: 'ok', now: i.detail });
    }
    const fingerprintThen = run.signedOff?.fingerprint ?? configurationFingerprint(run);
    const fingerprintNow = configurationFingerprint(now);
    return { runId, fingerprintThen, fingerprintNow, drifted: items.length > 0 || fingerprintThen !== fingerprintNow, items };
  }

  async signOff(runId: string, technician: string, witness: string): Promise<RunRecord> {
    const run = this.getRun(runId);
    if (run.state !== 'done') throw new FieldbenchError('runbooks.notDone', `Run ${runId} is ${run.state}; only a finished run can be signed off.`);
    run.signedOff = { technician, witness, at: this.now().toISOString(), fingerprint: configurationFingerprint(run) };
    this.log(run, undefined, 'info', `Signed off by ${technician}, witnessed by ${witness}.`);
    await this.persist(run);
    return run;
  }

  private setCountdown(run: RunRecord, rec: StepRecord, c: { seconds: number; kind: StepCountdown['kind']; what: string } | undefined): void {
    if (c) rec.countdown = { until: new Date(this.now().getTime() + c.seconds * 1000).toISOString(), kind: c.kind, what: c.what };
    else if (!rec.countdown) return;
    else delete rec.countdown;
    this.deps.emit({ runId: run.id, step: rec.id, countdown: rec.countdown ?? null });
  }

  private logProgress(run: RunRecord, step: string, message: string): void {
    const shape = (m: string) => m.replace(/\d+/g, '#');
    const last = [...run.log].reverse().find((l) => l.step === step);
    if (last && shape(last.message) === shape(message)) return;
    this.log(run, step, 'info', message);
  }

  private setState(run: RunRecord, rec: StepRecord, state: StepState): void {
    rec.state = state;
    this.deps.emit({ runId: run.id, step: rec.id, state });
  }

  private log(run: RunRecord, step: string | undefined, level: LogLine['level'], message: string): void {
    const line: LogLine = { at: this.now().toISOString(), ...(step ? { step } : {}), level, message };
    run.log.push(line);
    if (run.log.length > MAX_LOG_LINES) run.log.splice(0, run.log.length - MAX_LOG_LINES);
    this.deps.emit({ runId: run.id, ...(step ? { step } : {}), line });
  }

  private async finish(run: RunRecord, state: RunRecord['state'], message: string): Promise<RunRecord> {
    // Nothing waits once the run stops: a countdown left on a step would tick on a screen for nothing.
    for (const rec of run.steps) this.setCountdown(run, rec, undefined);
    run.state = state;
    this.log(run, undefined, state === 'failed' ? 'error' : 'info', message);
    await this.persist(run);
    return structuredClone(run) as RunRecord;
  }

  private async persist(run: RunRecord): Promise<void> {
    run.updatedAt = this.now().toISOString();
    await this.deps.store.updateSection<RunbooksSection, void>(SECTION, EMPTY, (d) => {
      const i = d.runs.findIndex((r) => r.id === run.id);
      const copy = structuredClone(run) as RunRecord;
      if (i >= 0) d.runs[i] = copy;
      else d.runs.push(copy);
      while (d.runs.length > MAX_RUNS) {
        const drop = d.runs.findIndex((r) => !r.signedOff);
        d.runs.splice(drop >= 0 ? drop : 0, 1);
      }
    });
  }
}
