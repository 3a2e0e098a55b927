import { describe, expect, it } from 'vitest';
import { calls, callNames } from '@shared/contract';
import { composeApp } from '../../../src/main/compose';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const app = () => composeApp({ dataDir: mkdtempSync(join(tmpdir(), 'fb-dispatch-')), runtime: 'cli' });

describe('dispatcher', () => {
  it('answers a valid call with ok and a value that matches the contract', async () => {
    const r = await app().dispatcher.dispatch('app.info', {});
    expect(r.ok).toBe(true);
    if (r.ok) expect(calls['app.info'].response.parse(r.value)).toMatchObject({ name: 'Fieldbench', runtime: 'cli' });
  });

  it('refuses names outside the contract', async () => {
    const r = await app().dispatcher.dispatch('fs.readFile', { path: '/etc/shadow' });
    expect(r).toMatchObject({ ok: false, error: { code: 'contract.unknownCall' } });
    const proto = await app().dispatcher.dispatch('__proto__', {});
    expect(proto).toMatchObject({ ok: false, error: { code: 'contract.unknownCall' } });
  });

  it('validates every request before a handler runs, with a sentence naming the field', async () => {
    const r = await app().dispatcher.dispatch('app.selfTest', { steps: 'many', stepMs: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('contract.invalidRequest');
      expect(r.error.message).toMatch(/steps/);
    }
    const extra = await app().dispatcher.dispatch('app.info', { surprise: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
  });

  it('reports progress of a job and cancels it on request', async () => {
    const a = app();
    const seen: string[] = [];
    a.hub.on('jobs.onProgress', (p) => seen.push((p as { message: string }).message));
    const running = a.dispatcher.dispatch('app.selfTest', { steps: 50, stepMs: 20 }, { jobId: 'j1' });
    await new Promise((r) => setTimeout(r, 70));
    const cancel = await a.dispatcher.dispatch('jobs.cancel', { jobId: 'j1' });
    expect(cancel).toEqual({ ok: true, value: { cancelled: true } });
    const r = await running;
    expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(seen[0]).toBe('Step 1 of 50');
    expect(seen.length).toBeLessThan(50);
  });

  it('completes a job that is not cancelled', async () => {
    const r = await app().dispatcher.dispatch('app.selfTest', { steps: 3, stepMs: 1 }, { jobId: 'j2' });
    expect(r).toEqual({ ok: true, value: { completedSteps: 3 } });
  });

  it('has a handler for every call of the contract', async () => {
    const a = app();
    for (const name of callNames) {
      const r = await a.dispatcher.dispatch(name, {});
      // An invalid request is fine here; what must never happen is a missing handler.
      if (!r.ok) expect(r.error.code).not.toBe('internal');
    }
  });
});
