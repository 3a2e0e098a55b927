import type { StateCreator } from 'zustand';
import type { ErrorInfo } from '@shared/errors';
import { useJobsStore } from '../../core/use-jobs-store';
import { isVaultClosed } from './edge-nodes-slice';
import type { EdgeState, ApplySession, ApplySlice } from './edge-state';

export const createApplySlice: StateCreator<EdgeState, [], [], ApplySlice> = (set, get) => {
  const update = (patch: Partial<ApplySession>) => set((s) => (s.apply ? { apply: { ...s.apply, ...patch } } : s));
  const closed = (e: ErrorInfo) => {
    if (!isVaultClosed(e)) return false;
    get().onVaultState(false);
    return true;
  };

  const plan = async () => {
    const session = get().apply;
    if (!session) return;
    update({ stage: 'planning', plan: undefined, planError: undefined, result: undefined, applyError: undefined, progress: {} });
    let own: string | undefined;
    const result = await useJobsStore.getState().run('aio.plan', { nodeId: session.nodeId, spec: session.spec, force: session.force }, 'Planning the apply', (jobId) => {
      own = jobId;
      update({ jobId });
    });
    if (own) useJobsStore.getState().forget(own);
    // The dialog may have been closed, or another plan started, while this one ran.
    if (get().apply !== undefined && get().apply?.spec !== session.spec) return;
    if (!result.ok) {
      if (closed(result.error)) return;
      update({ stage: 'plan', jobId: undefined, planError: result.error.code === 'cancelled' ? undefined : result.error });
      return;
    }
    update({ stage: 'plan', jobId: undefined, plan: result.value });
  };

  return {
    apply: undefined,
    setupFor: undefined,
    openSetup: (nodeId) => {
      set({ setupFor: nodeId });
      if (!get().certificatesLoaded) void get().loadCertificates();
    },
    closeSetup: () => set({ setupFor: undefined }),

    startApply: async (nodeId, spec, title, force = false) => {
      set({
        setupFor: undefined,
        apply: { nodeId, title, spec, force, stage: 'planning', jobId: undefined, plan: undefined, planError: undefined, progress: {}, result: undefined, applyError: undefined },
      });
      await plan();
    },

    setForce: async (force) => {
      const session = get().apply;
      if (!session || session.stage === 'applying' || session.force === force) return;
      // A fresh spec object marks the newer plan, so a slower earlier one cannot overwrite it.
      set({ apply: { ...session, force, spec: { ...session.spec } } });
      await plan();
    },

    runApply: async () => {
      const session = get().apply;
      if (!session || session.stage === 'applying' || session.stage === 'planning') return;
      update({ stage: 'applying', progress: {}, result: undefined, applyError: undefined });
      const result = await useJobsStore
        .getState()
        .run('aio.apply', { nodeId: session.nodeId, spec: session.spec, force: session.force }, 'Applying broker resources', (jobId) => update({ jobId }));
      const jobId = get().apply?.jobId;
      if (jobId) useJobsStore.getState().forget(jobId);
      if (!get().apply) return;
      if (!result.ok) {
        if (closed(result.error)) return;
        update({ stage: 'done', jobId: undefined, applyError: result.error });
      } else {
        update({ stage: 'done', jobId: undefined, result: result.value });
      }
      // Whatever happened, the broker view should show what the cluster now has.
      void get().readBroker(session.nodeId);
    },

    cancelApply: async () => {
      const jobId = get().apply?.jobId;
      if (jobId) await useJobsStore.getState().cancel(jobId);
    },

    closeApply: () => {
      const session = get().apply;
      if (session?.stage === 'applying') return;
      set({ apply: undefined });
    },

    onApplyProgress: ({ nodeId, index, resource }) => {
      const session = get().apply;
      if (!session || session.nodeId !== nodeId || session.stage !== 'applying') return;
      update({ progress: { ...session.progress, [index]: resource } });
    },
  };
};
