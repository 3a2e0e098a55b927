import type { StateCreator } from 'zustand';
import type { CallResponse } from '@shared/contract';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import { isVaultClosed } from './edge-nodes-slice';
import type { EdgeState, CertificateSummary, BrokerCheck, BrokerRead, BrokerSlice } from './edge-state';

type TreeNode = CallResponse<'pki.list'>['tree'][number];

const EMPTY: BrokerRead = { jobId: undefined, result: undefined, error: undefined, readAt: undefined };
const NO_CHECK: BrokerCheck = { jobId: undefined, result: undefined, error: undefined };

function flatten(tree: readonly TreeNode[], out: CertificateSummary[] = []): CertificateSummary[] {
  for (const n of tree) {
    out.push(n.certificate);
    flatten(n.children, out);
  }
  return out;
}

/** Addresses clients use for this node: the host it is reached on, when that is an IP or a name. */
export function nodeAddresses(host: string | undefined): string[] {
  return host ? [host] : [];
}

export const createBrokerSlice: StateCreator<EdgeState, [], [], BrokerSlice> = (set, get) => ({
  broker: {},
  checks: {},
  certificates: [],
  certificatesLoaded: false,
  importingBundle: undefined,

  readBroker: async (nodeId) => {
    if (get().broker[nodeId]?.jobId) return;
    const node = get().nodes.find((n) => n.id === nodeId);
    set((s) => ({ broker: { ...s.broker, [nodeId]: { ...(s.broker[nodeId] ?? EMPTY), jobId: 'starting', error: undefined } } }));
    const result = await useJobsStore
      .getState()
      .run('aio.diagnose', { nodeId, nodeAddresses: nodeAddresses(node?.host) }, `Reading the broker on ${node?.name ?? 'the node'}`, (jobId) =>
        set((s) => ({ broker: { ...s.broker, [nodeId]: { ...(s.broker[nodeId] ?? EMPTY), jobId } } })),
      );
    const jobId = get().broker[nodeId]?.jobId;
    if (jobId) useJobsStore.getState().forget(jobId);
    if (!result.ok) {
      if (isVaultClosed(result.error)) {
        get().onVaultState(false);
        return;
      }
      set((s) => ({ broker: { ...s.broker, [nodeId]: { ...(s.broker[nodeId] ?? EMPTY), jobId: undefined, error: result.error.code === 'cancelled' ? undefined : result.error } } }));
      return;
    }
    set((s) => ({ broker: { ...s.broker, [nodeId]: { jobId: undefined, result: result.value, error: undefined, readAt: new Date().toISOString() } } }));
  },

  runCheck: async (nodeId) => {
    if (get().checks[nodeId]?.jobId) return;
    const node = get().nodes.find((n) => n.id === nodeId);
    const put = (c: Partial<BrokerCheck>) => set((s) => ({ checks: { ...s.checks, [nodeId]: { ...(s.checks[nodeId] ?? NO_CHECK), ...c } } }));
    put({ jobId: 'starting', error: undefined });
    const result = await useJobsStore.getState().run('aio.check', { nodeId, nodeAddresses: nodeAddresses(node?.host), live: true }, `Checking the broker on ${node?.name ?? 'the node'}`, (jobId) => put({ jobId }));
    const jobId = get().checks[nodeId]?.jobId;
    if (jobId) useJobsStore.getState().forget(jobId);
    if (!result.ok) {
      if (isVaultClosed(result.error)) {
        get().onVaultState(false);
        return;
      }
      put({ jobId: undefined, error: result.error.code === 'cancelled' ? undefined : result.error });
      return;
    }
    put({ jobId: undefined, result: result.value, error: undefined });
  },

  cancelBroker: async (nodeId) => {
    const jobId = get().broker[nodeId]?.jobId;
    if (jobId && jobId !== 'starting') await useJobsStore.getState().cancel(jobId);
  },

  importTrustBundle: async (nodeId, bundle) => {
    const key = `${bundle.name}/${bundle.key}`;
    if (get().importingBundle) return;
    set({ importingBundle: key });
    const result = await useJobsStore
      .getState()
      .run('aio.importTrustBundle', { nodeId, namespace: bundle.namespace, source: bundle.source, name: bundle.name, key: bundle.key }, `Importing ${bundle.name}`);
    set({ importingBundle: undefined });
    const toast = useToastStore.getState();
    if (!result.ok) {
      if (isVaultClosed(result.error)) get().onVaultState(false);
      else if (result.error.code !== 'cancelled') toast.pushError('The trust bundle was not imported', result.error);
      return;
    }
    const { imported, duplicates } = result.value;
    toast.push({
      kind: 'success',
      title: imported > 0 ? `Imported ${imported} CA certificate${imported === 1 ? '' : 's'} into the vault` : 'Already in the vault',
      message:
        imported > 0
          ? `From ${bundle.name} (${bundle.key}). Clients that use them now trust this broker; find them under Vault & PKI.${duplicates > 0 ? ` ${duplicates} were there already.` : ''}`
          : `Every certificate of ${bundle.name} is already in the vault.`,
    });
    void get().loadCertificates();
  },

  loadCertificates: async () => {
    const result = await invoke('pki.list', {});
    if (!result.ok) return;
    set({ certificates: flatten(result.value.tree), certificatesLoaded: true });
  },

  forgetBroker: (nodeId) =>
    set((s) => {
      const { [nodeId]: _gone, ...broker } = s.broker;
      return { broker };
    }),

  clearBroker: () => set({ broker: {}, checks: {}, certificates: [], certificatesLoaded: false, apply: undefined, setupFor: undefined }),
});
