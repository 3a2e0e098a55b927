import { create } from 'zustand';
import type { CallResponse } from '@shared/contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';

export type DoctorReport = CallResponse<'app.doctor'>;

export type SelfTestOutcome =
  | { kind: 'passed'; completedSteps: number; roundTripMs: number }
  | { kind: 'cancelled' }
  | { kind: 'failed'; error: ErrorInfo };

/** Steps × pause of the connection test: long enough to watch progress and to try Cancel, short enough not to bore. */
export const SELF_TEST_STEPS = 20;
export const SELF_TEST_STEP_MS = 100;

interface DoctorState {
  open: boolean;
  report: DoctorReport | undefined;
  checking: boolean;
  error: ErrorInfo | undefined;
  selfTestJobId: string | undefined;
  selfTestOutcome: SelfTestOutcome | undefined;
  /** Opens the panel and checks the machine the first time. */
  show: () => void;
  hide: () => void;
  check: () => Promise<void>;
  /** Round trip of a plain call, then a cancellable job that reports progress: proves both halves of the bridge. */
  runSelfTest: () => Promise<void>;
  cancelSelfTest: () => Promise<void>;
}

export const useDoctorStore = create<DoctorState>()((set, get) => ({
  open: false,
  report: undefined,
  checking: false,
  error: undefined,
  selfTestJobId: undefined,
  selfTestOutcome: undefined,
  show: () => {
    set({ open: true });
    if (!get().report && !get().checking) void get().check();
  },
  hide: () => set({ open: false }),
  check: async () => {
    set({ checking: true });
    const result = await invoke('app.doctor', {});
    set(result.ok ? { checking: false, report: result.value, error: undefined } : { checking: false, error: result.error });
  },
  runSelfTest: async () => {
    if (get().selfTestJobId) return;
    const jobs = useJobsStore.getState();
    set({ selfTestOutcome: undefined });
    const started = performance.now();
    const ping = await invoke('app.info', {});
    const roundTripMs = Math.max(0, Math.round(performance.now() - started));
    if (!ping.ok) {
      set({ selfTestOutcome: { kind: 'failed', error: ping.error } });
      return;
    }
    const result = await jobs.run('app.selfTest', { steps: SELF_TEST_STEPS, stepMs: SELF_TEST_STEP_MS }, 'Connection test', (jobId) =>
      set({ selfTestJobId: jobId }),
    );
    const jobId = get().selfTestJobId;
    if (jobId) useJobsStore.getState().forget(jobId);
    let outcome: SelfTestOutcome;
    if (result.ok) outcome = { kind: 'passed', completedSteps: result.value.completedSteps, roundTripMs };
    else if (result.error.code === 'cancelled') outcome = { kind: 'cancelled' };
    else outcome = { kind: 'failed', error: result.error };
    set({ selfTestJobId: undefined, selfTestOutcome: outcome });
  },
  cancelSelfTest: async () => {
    const jobId = get().selfTestJobId;
    if (jobId) await useJobsStore.getState().cancel(jobId);
  },
}));
