import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { Caller, StepKinds } from '../../../src/main/runbooks/step-kind';
import { defineStep } from '../../../src/main/runbooks/step-kind';
import { RunbookEngine } from '../../../src/main/runbooks/runbook-engine';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

/**
 * The engine's own rules (risky steps wait for a confirm, pause after a step, cancel leaves a clear state,
 * resume finishes only what is left) over a tiny "world" of named values, so each rule is seen in isolation.
 * The real steps over the real services are in test/integration/runbooks.
 */
function world() {
  const values = new Map<string, string>();
  const applied: string[] = [];
  let gate: (() => void) | undefined;
  const setStep = (name: string, risky: boolean) =>
    defineStep({
      name,
      title: `Set a value${risky ? ' (risky)' : ''}`,
      risky,
      input: z.object({ key: z.string(), value: z.string(), slow: z.boolean().default(false) }).strict(),
      outputs: ['value'],
      sampleOutput: () => 'x',
      check: async (i) => ({ items: [{ name: i.key, ok: values.get(i.key) === i.value, detail: values.get(i.key) ?? 'unset' }], observed: values.get(i.key), ...(values.get(i.key) === i.value ? { outputs: { value: i.value } } : {}) }),
      plan: async (i, f) => (f.observed === i.value ? [] : [{ action: f.observed === undefined ? 'create' : 'update', target: i.key, detail: `${f.observed ?? 'unset'} → ${i.value}` }]),
      apply: async (i, _f, ctx) => {
        if (i.slow) await new Promise<void>((resolve, reject) => {
          gate = resolve;
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
        values.set(i.key, i.value);
        applied.push(i.key);
        return { value: i.value };
      },
      verify: async (i) => ({ items: [{ name: i.key, ok: values.get(i.key) === i.value, detail: values.get(i.key) ?? 'unset' }], fingerprint: { [i.key]: values.get(i.key) ?? '' } }),
    });
  const kinds: StepKinds = new Map([
    ['test.set', setStep('test.set', false)],
    ['test.risky', setStep('test.risky', true)],
  ]);
  const store = new MemoryVaultStore();
  const engine = new RunbookEngine({ store, kinds, builtIns: {}, call: (async () => undefined) as unknown as Caller, emit: () => undefined });
  return { values, applied, engine, store, release: () => gate?.() };
}

const YAML = `name: three
title: Three values
params:
  v: { type: string, default: one }
steps:
  - id: a
    uses: test.set
    with: { key: a, value: "\${v}" }
  - id: net
    uses: test.risky
    with: { key: net, value: "\${steps.a.value}-net" }
  - id: c
    uses: test.set
    with: { key: c, value: done }
`;
const opts = (signal = new AbortController().signal) => ({ params: {}, dryRun: false, confirm: [] as string[], signal });

describe('runbook engine', () => {
  it('waits for a confirm before a risky step, then resumes from it', async () => {
    const w = world();
    const paused = await w.engine.start({ yaml: YAML }, opts());
    expect(paused.state).toBe('paused');
    expect(paused.steps.map((s) => s.state)).toEqual(['done', 'paused', 'pending']);
    expect(paused.steps[1]?.changes).toEqual([{ action: 'create', target: 'net', detail: 'unset → one-net' }]);
    expect(w.values.has('net')).toBe(false);
    const done = await w.engine.resume(paused.id, { confirm: ['net'], signal: new AbortController().signal });
    expect(done.state).toBe('done');
    expect(w.applied).toEqual(['a', 'net', 'c']);
    // What was found before the change stays the as-found record.
    expect(done.steps[1]?.found).toEqual([{ name: 'net', ok: false, detail: 'unset' }]);
    expect(done.steps[1]?.verified).toEqual([{ name: 'net', ok: true, detail: 'one-net' }]);
  });

  it('pauses after a named step and keeps the run in the vault', async () => {
    const w = world();
    const run = await w.engine.start({ yaml: YAML }, { ...opts(), confirm: ['net'], pauseAfter: 'a' } as never);
    expect(run.state).toBe('paused');
    expect(w.engine.getRun(run.id).steps.map((s) => s.state)).toEqual(['done', 'pending', 'pending']);
    expect(w.store.getSection<{ runs: unknown[] }>('runbooks', { runs: [] }).runs).toHaveLength(1);
  });

  it('cancels in the middle of a step with a clear state, and resume finishes the job once', async () => {
    const w = world();
    const ac = new AbortController();
    const slow = YAML.replace('with: { key: c, value: done }', 'with: { key: c, value: done, slow: true }');
    const running = w.engine.start({ yaml: slow }, { ...opts(ac.signal), confirm: ['net'] });
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    const cancelled = await running;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.steps.map((s) => s.state)).toEqual(['done', 'done', 'cancelled']);
    expect(cancelled.log.at(-1)?.message).toBe('Cancelled during step "c"; resume to finish it.');
    const resumed = w.engine.resume(cancelled.id, { confirm: [], signal: new AbortController().signal });
    await new Promise((r) => setTimeout(r, 50));
    w.release();
    const done = await resumed;
    expect(done.state).toBe('done');
    expect(w.applied).toEqual(['a', 'net', 'c']);
  });

  it('reports nothing to change once everything is in place, and a dry run changes nothing', async () => {
    const w = world();
    const plan = await w.engine.start({ yaml: YAML }, { ...opts(), dryRun: true });
    expect(plan.state).toBe('planned');
    // The risky step's input depends on step a's output, unknown until a has run.
    expect(plan.steps.map((s) => s.state)).toEqual(['planned', 'planned', 'planned']);
    expect(w.applied).toEqual([]);
    await w.engine.start({ yaml: YAML }, { ...opts(), confirm: ['net'] });
    const again = await w.engine.start({ yaml: YAML }, opts());
    expect(again.state).toBe('done');
    expect(again.changed).toBe(0);
    expect(again.steps.map((s) => s.state)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('fails a step whose verify does not hold, and names it', async () => {
    const w = world();
    await w.engine.start({ yaml: YAML }, { ...opts(), confirm: ['net'] });
    const run = w.engine.runs()[0];
    w.values.set('c', 'tampered');
    const drift = await w.engine.verify(run?.id as string, new AbortController().signal);
    expect(drift.drifted).toBe(true);
    expect(drift.items).toEqual([
      { step: 'c', check: 'c', before: 'done', now: 'tampered' },
      { step: 'c', check: 'c', before: 'ok', now: 'tampered' },
    ]);
  });
});
