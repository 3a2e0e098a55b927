import { create } from 'zustand';
import type { CallResponse } from '@shared/contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';

type RunSummary = CallResponse<'runbooks.runs'>['runs'][number];
type Drift = CallResponse<'runbooks.verify'>;

interface CommissioningState {
  /** Per node: its runs (newest first), the last drift check and its error. */
  runs: Record<string, RunSummary[] | undefined>;
  drift: Record<string, Drift | undefined>;
  checking: Record<string, boolean>;
  error: Record<string, ErrorInfo | undefined>;
  load(nodeName: string): Promise<void>;
  verify(nodeName: string, runId: string): Promise<void>;
}

/** A node's commissioning record as the runbooks keep it: the last finished run and what drifted since. */
export const useCommissioningStore = create<CommissioningState>()((set) => ({
  runs: {},
  drift: {},
  checking: {},
  error: {},
  async load(nodeName) {
    const r = await invoke('runbooks.runs', { node: nodeName });
    if (r.ok) set((s) => ({ runs: { ...s.runs, [nodeName]: r.value.runs.filter((x) => !x.dryRun) }, error: { ...s.error, [nodeName]: undefined } }));
    else set((s) => ({ error: { ...s.error, [nodeName]: r.error } }));
  },
  async verify(nodeName, runId) {
    set((s) => ({ checking: { ...s.checking, [nodeName]: true } }));
    const r = await useJobsStore.getState().run('runbooks.verify', { runId }, `Check ${nodeName} for drift`);
    set((s) => ({ checking: { ...s.checking, [nodeName]: false }, ...(r.ok ? { drift: { ...s.drift, [nodeName]: r.value } } : { error: { ...s.error, [nodeName]: r.error } }) }));
  },
}));
