import type { StateCreator } from 'zustand';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import type { VaultState, SessionSlice } from './vault-state';

export const createSessionSlice: StateCreator<VaultState, [], [], SessionSlice> = (set, get) => ({
  status: undefined,
  statusError: undefined,
  sessionBusy: undefined,
  sessionJobId: undefined,
  createError: undefined,
  unlockError: undefined,
  unlockFailures: 0,
  lockNotice: undefined,

  loadStatus: async () => {
    const result = await invoke('vault.status', {});
    if (!result.ok) {
      set({ statusError: result.error });
      return;
    }
    const wasUnlocked = get().status?.unlocked ?? false;
    set({ status: result.value, statusError: undefined });
    if (result.value.unlocked && !wasUnlocked) void get().loadPki();
    if (!result.value.unlocked && wasUnlocked) get().clearPki();
  },

  createVault: async (password) => {
    if (get().sessionBusy) return false;
    set({ sessionBusy: 'create', createError: undefined });
    const result = await useJobsStore.getState().run('vault.create', { password }, 'Creating the vault', (jobId) => set({ sessionJobId: jobId }));
    forgetJob(get().sessionJobId);
    set({ sessionBusy: undefined, sessionJobId: undefined });
    if (!result.ok) {
      set({ createError: result.error });
      return false;
    }
    set({ status: result.value, lockNotice: undefined });
    void get().loadPki();
    return true;
  },

  unlockVault: async (password) => {
    if (get().sessionBusy) return false;
    set({ sessionBusy: 'unlock', unlockError: undefined });
    const result = await useJobsStore.getState().run('vault.unlock', { password }, 'Unlocking the vault', (jobId) => set({ sessionJobId: jobId }));
    forgetJob(get().sessionJobId);
    set({ sessionBusy: undefined, sessionJobId: undefined });
    if (!result.ok) {
      set((s) => ({ unlockError: result.error, unlockFailures: s.unlockFailures + 1 }));
      return false;
    }
    set({ status: result.value, lockNotice: undefined, unlockError: undefined });
    void get().loadPki();
    return true;
  },

  lockVault: async () => {
    const result = await invoke('vault.lock', {});
    if (!result.ok) {
      useToastStore.getState().pushError('The vault did not lock', result.error);
      return;
    }
    set({ status: result.value, lockNotice: undefined, unlockError: undefined });
    get().clearPki();
  },

  setAutoLock: async (minutes) => {
    const result = await invoke('vault.setAutoLock', { minutes });
    if (!result.ok) {
      useToastStore.getState().pushError('Auto-lock was not changed', result.error);
      return;
    }
    set({ status: result.value });
  },

  onVaultState: ({ unlocked, reason }) => {
    const status = get().status;
    if (!unlocked) {
      const minutes = status?.autoLockMinutes ?? 0;
      set({
        status: status ? { ...status, unlocked: false } : status,
        lockNotice:
          reason === 'auto'
            ? `The vault locked itself after ${minutes > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : 'a while'} without use. Unlock it to continue.`
            : get().lockNotice,
      });
      get().clearPki();
      void get().loadStatus();
    } else if (!status?.unlocked) {
      void get().loadStatus();
    }
  },
});

function forgetJob(jobId: string | undefined): void {
  if (jobId) useJobsStore.getState().forget(jobId);
}
