import { create } from 'zustand';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';
import { invoke, newJobId, subscribe } from '../bridge';

export type JobStatus = 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  jobId: string;
  /** What the person started, in words ("Connection test"). */
  label: string;
  message: string;
  fraction: number | undefined;
  status: JobStatus;
}

interface JobsState {
  jobs: Record<string, Job>;
  /**
   * Starts a cancellable call in main with a fresh jobId and tracks its progress. Resolves with the call's
   * Result (never throws); a cancelled job resolves with the `cancelled` error.
   */
  run: <N extends CallName>(name: N, request: CallRequest<N>, label: string, onStart?: (jobId: string) => void) => Promise<Result<CallResponse<N>>>;
  /** Asks main to stop the job; its `run` promise then settles as cancelled. */
  cancel: (jobId: string) => Promise<void>;
  /** Drops a finished job from the store. */
  forget: (jobId: string) => void;
}

export const useJobsStore = create<JobsState>()((set, get) => ({
  jobs: {},
  run: async (name, request, label, onStart) => {
    const jobId = newJobId(name.replace(/\W/g, '-'));
    set((s) => ({ jobs: { ...s.jobs, [jobId]: { jobId, label, message: 'Starting…', fraction: undefined, status: 'running' } } }));
    onStart?.(jobId);
    const result = await invoke(name, request, { jobId });
    const status: JobStatus = result.ok ? 'succeeded' : result.error.code === 'cancelled' ? 'cancelled' : 'failed';
    set((s) => {
      const job = s.jobs[jobId];
      return job ? { jobs: { ...s.jobs, [jobId]: { ...job, status } } } : s;
    });
    return result;
  },
  cancel: async (jobId) => {
    const job = get().jobs[jobId];
    if (!job || job.status !== 'running') return;
    set((s) => ({ jobs: { ...s.jobs, [jobId]: { ...job, status: 'cancelling', message: 'Cancelling…' } } }));
    // A job that finished meanwhile reports cancelled:false; its own result then settles the status.
    await invoke('jobs.cancel', { jobId });
  },
  forget: (jobId) =>
    set((s) => {
      if (!(jobId in s.jobs)) return s;
      const { [jobId]: _gone, ...rest } = s.jobs;
      return { jobs: rest };
    }),
}));

subscribe('jobs.onProgress', ({ jobId, message, fraction }) => {
  const job = useJobsStore.getState().jobs[jobId];
  // Progress can trail the result over the wire; a finished or cancelling job keeps its last words.
  if (!job || job.status !== 'running') return;
  useJobsStore.setState((s) => ({ jobs: { ...s.jobs, [jobId]: { ...job, message, fraction } } }));
});
