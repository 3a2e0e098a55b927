import type { StateCreator } from 'zustand';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import { findCertificate } from './pki-tree-model';
import type { VaultState, PkiSlice } from './vault-state';

const EMPTY: Pick<PkiSlice, 'notice' | 'tree' | 'counts' | 'total' | 'expiry' | 'pkiLoaded' | 'pkiError' | 'selectedId' | 'detail' | 'detailLoading' | 'detailError' | 'hostCheck' | 'pemExport' | 'pemExportError' | 'renewJobId' | 'renewError'> = {
  notice: undefined,
  tree: [],
  counts: undefined,
  total: 0,
  expiry: [],
  pkiLoaded: false,
  pkiError: undefined,
  selectedId: undefined,
  detail: undefined,
  detailLoading: false,
  detailError: undefined,
  hostCheck: undefined,
  pemExport: undefined,
  pemExportError: undefined,
  renewJobId: undefined,
  renewError: undefined,
};

// Events, unlocks and finished wizards can all ask for a refresh at once: run one, and at most one more after it.
let refreshing: Promise<void> | undefined;
let refreshAgain = false;
// A detail that arrives after the person clicked elsewhere must not replace the newer one.
let detailSeq = 0;

export const createPkiSlice: StateCreator<VaultState, [], [], PkiSlice> = (set, get) => {
  const loadDetail = async (id: string, showLoading: boolean): Promise<void> => {
    const seq = ++detailSeq;
    if (showLoading) set({ detailLoading: true, detailError: undefined });
    const result = await invoke('pki.get', { id });
    if (seq !== detailSeq) return;
    set(result.ok ? { detail: result.value, detailLoading: false, detailError: undefined } : { detailLoading: false, detailError: result.error });
  };

  return {
    defaults: undefined,
    filter: '',
    ...EMPTY,

    showNotice: (notice) => set({ notice }),
    dismissNotice: () => set({ notice: undefined }),

    loadPki: async () => {
      if (!get().defaults) {
        const d = await invoke('pki.defaults', {});
        if (d.ok) set({ defaults: d.value });
      }
      await get().refreshPki();
    },

    refreshPki: async () => {
      if (refreshing) {
        refreshAgain = true;
        return refreshing;
      }
      refreshing = (async () => {
        do {
          refreshAgain = false;
          const [list, expiry] = await Promise.all([invoke('pki.list', {}), invoke('pki.expiry', {})]);
          if (!get().status?.unlocked) return;
          if (!list.ok) {
            set({ pkiError: list.error });
            if (list.error.code === 'vault.locked') void get().loadStatus();
            return;
          }
          set({ tree: list.value.tree, counts: list.value.counts, total: list.value.total, pkiLoaded: true, pkiError: undefined, ...(expiry.ok ? { expiry: expiry.value.entries } : {}) });
          const selected = get().selectedId;
          if (selected && !findCertificate(list.value.tree, selected)) set({ selectedId: undefined, detail: undefined, hostCheck: undefined });
          else if (selected) void loadDetail(selected, false);
        } while (refreshAgain);
      })().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },

    clearPki: () => {
      detailSeq++;
      set({ ...EMPTY, filter: '' });
    },

    setFilter: (filter) => set({ filter }),

    select: async (id) => {
      if (id === undefined) {
        detailSeq++;
        set({ selectedId: undefined, detail: undefined, detailError: undefined, hostCheck: undefined });
        return;
      }
      if (id !== get().selectedId) set({ selectedId: id, hostCheck: undefined, detail: get().detail?.summary.id === id ? get().detail : undefined });
      await loadDetail(id, true);
    },

    checkHost: async (host) => {
      const id = get().selectedId;
      if (!id) return;
      const trimmed = host.trim();
      if (!trimmed) {
        set({ hostCheck: { certificateId: id, host, checking: false, result: undefined, error: { code: 'local.empty', message: 'Type an IP address or host name, e.g. 192.168.2.196.' } } });
        return;
      }
      set({ hostCheck: { certificateId: id, host: trimmed, checking: true, result: undefined, error: undefined } });
      const result = await invoke('pki.checkHost', { id, host: trimmed });
      if (get().selectedId !== id) return;
      set({ hostCheck: { certificateId: id, host: trimmed, checking: false, result: result.ok ? result.value : undefined, error: result.ok ? undefined : result.error } });
    },

    revoke: async (id, reason) => {
      const result = await invoke('pki.revoke', { id, reason });
      if (!result.ok) {
        useToastStore.getState().pushError('The certificate was not revoked', result.error);
        return false;
      }
      set({ notice: { kind: 'success', title: `Revoked "${result.value.commonName}"`, messages: ['It is marked revoked here and goes into its CA’s next CRL. Replace it on the devices that use it.'] } });
      await get().refreshPki();
      return true;
    },

    renew: async (id, { keepKey, sans }) => {
      if (get().renewJobId) return false;
      set({ renewError: undefined });
      const result = await useJobsStore.getState().run('pki.renew', { id, keepKey, ...(sans ? { sans } : {}) }, 'Renewing the certificate', (jobId) => set({ renewJobId: jobId }));
      const jobId = get().renewJobId;
      if (jobId) useJobsStore.getState().forget(jobId);
      set({ renewJobId: undefined });
      if (!result.ok) {
        if (result.error.code !== 'cancelled') set({ renewError: result.error });
        return false;
      }
      const { certificate, warnings } = result.value;
      set({
        notice: {
          kind: warnings.length > 0 ? 'warning' : 'success',
          title: `Renewed "${certificate.commonName}"`,
          messages: [`The new certificate is valid until ${new Date(certificate.notAfter).toLocaleDateString()}. The old one stays in the vault until you remove it.`, ...warnings.map((w) => w.message)],
        },
      });
      await get().refreshPki();
      await get().select(certificate.id);
      return true;
    },

    cancelRenew: async () => {
      const jobId = get().renewJobId;
      if (jobId) await useJobsStore.getState().cancel(jobId);
    },

    exportPem: async (id, chain) => {
      set({ pemExportError: undefined });
      const result = await invoke('pki.exportPem', { id, chain });
      if (!result.ok) {
        set({ pemExport: undefined, pemExportError: result.error });
        return;
      }
      set({ pemExport: { certificateId: id, chain, pem: result.value.pem, fileName: result.value.fileName, count: result.value.count } });
    },

    closePemExport: () => set({ pemExport: undefined, pemExportError: undefined }),
  };
};
