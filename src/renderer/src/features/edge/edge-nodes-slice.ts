import type { StateCreator } from 'zustand';
import type { ErrorInfo } from '@shared/errors';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import type { EdgeState, VaultGate, NodeTest, NodesSlice } from './edge-state';

const EMPTY_TEST: NodeTest = { jobId: undefined, result: undefined, error: undefined, needsSudoPassword: false };

/** The errors that mean "the vault is not open", whichever call noticed first. */
export const isVaultClosed = (e: ErrorInfo): boolean => e.code === 'vault.locked' || e.code === 'vault.notFound' || e.code === 'vault.missing';

export const createNodesSlice: StateCreator<EdgeState, [], [], NodesSlice> = (set, get) => {
  const vaultClosed = (error: ErrorInfo): boolean => {
    if (!isVaultClosed(error)) return false;
    get().onVaultState(false);
    return true;
  };

  return {
    vault: 'unknown',
    vaultError: undefined,
    nodes: [],
    keys: [],
    nodesLoaded: false,
    nodesError: undefined,
    selectedId: undefined,
    editor: undefined,
    saving: false,
    saveError: undefined,
    keyBusy: undefined,
    keyError: undefined,
    tests: {},
    hostKeyPrompt: undefined,
    trusting: false,
    trustError: undefined,
    activity: {},
    removing: undefined,

    init: async () => {
      const status = await invoke('vault.status', {});
      if (!status.ok) {
        set({ vaultError: status.error });
        return;
      }
      const gate: VaultGate = !status.value.exists ? 'missing' : status.value.unlocked ? 'unlocked' : 'locked';
      set({ vault: gate, vaultError: undefined });
      if (gate === 'unlocked') await get().loadNodes();
    },

    loadNodes: async () => {
      const [nodes, keys] = await Promise.all([invoke('edge.listNodes', {}), invoke('edge.listKeys', {})]);
      if (!nodes.ok) {
        if (!vaultClosed(nodes.error)) set({ nodesError: nodes.error });
        return;
      }
      const selected = get().selectedId;
      set({
        vault: 'unlocked',
        nodes: nodes.value.nodes,
        keys: keys.ok ? keys.value.keys : get().keys,
        nodesLoaded: true,
        nodesError: undefined,
        // Keep the selection while the node exists; otherwise show the first one, which is what a technician with one node wants.
        selectedId: selected && nodes.value.nodes.some((n) => n.id === selected) ? selected : nodes.value.nodes[0]?.id,
      });
    },

    select: (id) => {
      set({ selectedId: id });
      if (id && !get().activity[id]) void get().loadActivity(id);
    },

    openEditor: (editId) => set({ editor: { editId }, saveError: undefined, keyError: undefined }),
    closeEditor: () => set({ editor: undefined, saveError: undefined, keyError: undefined }),

    saveNode: async (request) => {
      if (get().saving) return undefined;
      set({ saving: true, saveError: undefined });
      const result = await invoke('edge.saveNode', request);
      set({ saving: false });
      if (!result.ok) {
        if (!vaultClosed(result.error)) set({ saveError: result.error });
        return undefined;
      }
      const node = result.value;
      set((s) => ({
        nodes: s.nodes.some((n) => n.id === node.id) ? s.nodes.map((n) => (n.id === node.id ? node : n)) : [...s.nodes, node],
        selectedId: node.id,
        editor: undefined,
      }));
      useToastStore.getState().push({
        kind: 'success',
        title: request.id ? `Saved ${node.name}` : `Added ${node.name}`,
        message: node.hostKey ? 'Test the connection to check the change.' : 'Test the connection next: the first test shows the node’s host key for you to confirm.',
      });
      return node.id;
    },

    removeNode: async (id) => {
      const node = get().nodes.find((n) => n.id === id);
      set({ removing: id });
      const result = await invoke('edge.removeNode', { id });
      set({ removing: undefined });
      if (!result.ok) {
        if (!vaultClosed(result.error)) useToastStore.getState().pushError(`${node?.name ?? 'The node'} was not removed`, result.error);
        return false;
      }
      set((s) => {
        const nodes = s.nodes.filter((n) => n.id !== id);
        const { [id]: _t, ...tests } = s.tests;
        const { [id]: _a, ...activity } = s.activity;
        return { nodes, tests, activity, selectedId: s.selectedId === id ? nodes[0]?.id : s.selectedId };
      });
      get().forgetBroker(id);
      return true;
    },

    generateKey: async (comment) => {
      set({ keyBusy: 'generate', keyError: undefined });
      const result = await invoke('edge.generateKey', comment ? { comment } : {});
      set({ keyBusy: undefined });
      if (!result.ok) {
        if (!vaultClosed(result.error)) set({ keyError: result.error });
        return undefined;
      }
      set((s) => ({ keys: [...s.keys, result.value] }));
      return result.value;
    },

    importKey: async (privateKey, passphrase) => {
      set({ keyBusy: 'import', keyError: undefined });
      const result = await invoke('edge.importKey', passphrase ? { privateKey, passphrase } : { privateKey });
      set({ keyBusy: undefined });
      if (!result.ok) {
        if (!vaultClosed(result.error)) set({ keyError: result.error });
        return undefined;
      }
      const key = result.value;
      set((s) => ({ keys: s.keys.some((k) => k.id === key.id) ? s.keys.map((k) => (k.id === key.id ? key : k)) : [...s.keys, key] }));
      return key;
    },

    testNode: async (id, sudoPassword) => {
      if (get().tests[id]?.jobId) return;
      const node = get().nodes.find((n) => n.id === id);
      set((s) => ({ tests: { ...s.tests, [id]: { ...(s.tests[id] ?? EMPTY_TEST), jobId: 'starting', error: undefined } } }));
      const result = await useJobsStore
        .getState()
        .run('edge.testNode', sudoPassword ? { id, sudoPassword } : { id }, `Connection test of ${node?.name ?? 'the node'}`, (jobId) =>
          set((s) => ({ tests: { ...s.tests, [id]: { ...(s.tests[id] ?? EMPTY_TEST), jobId } } })),
        );
      const jobId = get().tests[id]?.jobId;
      if (jobId) useJobsStore.getState().forget(jobId);
      if (!result.ok) {
        if (vaultClosed(result.error)) return;
        set((s) => ({ tests: { ...s.tests, [id]: { ...(s.tests[id] ?? EMPTY_TEST), jobId: undefined, error: result.error.code === 'cancelled' ? undefined : result.error } } }));
        return;
      }
      const value = result.value;
      const needsSudoPassword = value.steps.some((st) => st.id === 'sudo' && st.status === 'failed' && (st.code === 'edge.sudoPasswordNeeded' || st.code === 'edge.sudoRefused'));
      set((s) => ({ tests: { ...s.tests, [id]: { jobId: undefined, result: value, error: undefined, needsSudoPassword } } }));
      if (value.hostKey && value.hostKey.status !== 'trusted' && node) {
        set({ hostKeyPrompt: { nodeId: id, nodeName: node.name, address: `${node.host}:${node.port}`, hostKey: value.hostKey }, trustError: undefined });
      }
    },

    cancelTest: async (id) => {
      const jobId = get().tests[id]?.jobId;
      if (jobId && jobId !== 'starting') await useJobsStore.getState().cancel(jobId);
    },

    trustHostKey: async () => {
      const prompt = get().hostKeyPrompt;
      if (!prompt || get().trusting) return;
      set({ trusting: true, trustError: undefined });
      const result = await invoke('edge.trustHostKey', { nodeId: prompt.nodeId, fingerprint: prompt.hostKey.fingerprint });
      set({ trusting: false });
      if (!result.ok) {
        if (!vaultClosed(result.error)) set({ trustError: result.error });
        return;
      }
      const node = result.value;
      set((s) => ({ hostKeyPrompt: undefined, nodes: s.nodes.map((n) => (n.id === node.id ? node : n)) }));
      // The person trusted the key to get on with the test: run it again at once.
      void get().testNode(node.id);
    },

    dismissHostKey: () => set({ hostKeyPrompt: undefined, trustError: undefined }),

    reviewHostKey: (nodeId) => {
      const node = get().nodes.find((n) => n.id === nodeId);
      const hostKey = get().tests[nodeId]?.result?.hostKey;
      if (!node || !hostKey || hostKey.status === 'trusted') return;
      set({ hostKeyPrompt: { nodeId, nodeName: node.name, address: `${node.host}:${node.port}`, hostKey }, trustError: undefined });
    },

    loadActivity: async (nodeId) => {
      const result = await invoke('edge.activity', { nodeId, limit: 200 });
      if (!result.ok) return;
      set((s) => ({ activity: { ...s.activity, [nodeId]: result.value.entries } }));
    },

    onActivity: (entry) => {
      const current = get().activity[entry.nodeId];
      // Only nodes whose log was read keep one here; the others read theirs fresh when shown.
      if (!current) return;
      set((s) => ({ activity: { ...s.activity, [entry.nodeId]: [...current, entry].slice(-500) } }));
    },

    onVaultState: (unlocked) => {
      if (unlocked) {
        if (get().vault !== 'unlocked') void get().init();
        return;
      }
      // Locked: nothing read from the vault stays on screen.
      set({
        vault: 'locked',
        nodes: [],
        keys: [],
        nodesLoaded: false,
        tests: {},
        hostKeyPrompt: undefined,
        activity: {},
        editor: undefined,
      });
      get().clearBroker();
    },
  };
};
