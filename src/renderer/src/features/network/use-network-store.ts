import { create } from 'zustand';
import type { CallRequest, CallResponse } from '@shared/contract';
import type { ApplyOutcome, ApplyStep, CrossCheckReport, Finding, NetplanPlan, NetworkSnapshot, NodeValidation } from '@shared/contract/network-contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke, subscribe } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import { bareAddress, EMPTY_FORM, formFromSnapshot, settingsOf, type NetworkForm } from './network-form';

export type NodeSummary = CallResponse<'edge.listNodes'>['nodes'][number];
type CrossCheckRequest = CallRequest<'network.crossCheck'>;

export interface ApplyRun {
  applyId: string;
  jobId: string | undefined;
  /** Settings and addresses as they were when Apply was pressed. */
  address: string;
  previousHost: string;
  steps: ApplyStep[];
  rollback: { deadline: string; secondsLeft: number; state: 'armed' | 'cancelled' | 'fired' } | undefined;
  message: string;
  running: boolean;
  result: ApplyOutcome | undefined;
  error: ErrorInfo | undefined;
}

export interface Reissued {
  certificateId: string;
  commonName: string;
  sans: string[];
}

export interface NetworkState {
  vault: 'unknown' | 'missing' | 'locked' | 'unlocked';
  nodes: NodeSummary[];
  nodesError: ErrorInfo | undefined;
  nodeId: string | undefined;

  snapshot: NetworkSnapshot | undefined;
  discovering: boolean;
  discoverError: ErrorInfo | undefined;

  form: NetworkForm;
  findings: Finding[];
  rollbackSeconds: number;

  plan: NetplanPlan | undefined;
  planning: boolean;
  planError: ErrorInfo | undefined;
  validation: NodeValidation | null | undefined;
  validating: boolean;
  validateError: ErrorInfo | undefined;

  crossCheck: CrossCheckReport | undefined;
  crossChecking: boolean;
  crossCheckError: ErrorInfo | undefined;
  reissued: Record<string, Reissued>;
  reissuing: string | undefined;

  run: ApplyRun | undefined;
  confirmOpen: boolean;

  /** Vault state and the node list; called when the page mounts and whenever either changes in main. */
  load: () => Promise<void>;
  selectNode: (nodeId: string) => Promise<void>;
  discover: () => Promise<void>;
  setField: (field: keyof NetworkForm, value: string) => void;
  setRollbackSeconds: (seconds: number) => void;
  preview: () => Promise<void>;
  validate: () => Promise<void>;
  runCrossCheck: (opts?: { reachability?: boolean; address?: string; previous?: string }) => Promise<void>;
  reissue: (certificateId: string) => Promise<void>;
  openConfirm: () => void;
  closeConfirm: () => void;
  apply: () => Promise<void>;
  cancelApply: () => Promise<void>;
  /** Leaves the result and reads the node again (on its new address when it moved). */
  finishRun: () => Promise<void>;
}

let checkSeq = 0;
let applyCounter = 0;
const newApplyId = () => `net-ui-${Date.now().toString(36)}-${++applyCounter}`;

const CLEARED_PLAN = { plan: undefined, planError: undefined, validation: undefined, validateError: undefined, crossCheck: undefined, crossCheckError: undefined } as const;

export const useNetworkStore = create<NetworkState>()((set, get) => ({
  vault: 'unknown',
  nodes: [],
  nodesError: undefined,
  nodeId: undefined,
  snapshot: undefined,
  discovering: false,
  discoverError: undefined,
  form: EMPTY_FORM,
  findings: [],
  rollbackSeconds: 120,
  plan: undefined,
  planning: false,
  planError: undefined,
  validation: undefined,
  validating: false,
  validateError: undefined,
  crossCheck: undefined,
  crossChecking: false,
  crossCheckError: undefined,
  reissued: {},
  reissuing: undefined,
  run: undefined,
  confirmOpen: false,

  load: async () => {
    const status = await invoke('vault.status', {});
    if (!status.ok) {
      set({ nodesError: status.error });
      return;
    }
    const vault = !status.value.exists ? 'missing' : status.value.unlocked ? 'unlocked' : 'locked';
    set({ vault });
    if (vault !== 'unlocked') {
      set({ nodes: [], nodesError: undefined });
      return;
    }
    const list = await invoke('edge.listNodes', {});
    if (!list.ok) {
      set({ nodesError: list.error });
      return;
    }
    const nodes = list.value.nodes;
    set({ nodes, nodesError: undefined });
    const current = get().nodeId;
    if (current && !nodes.some((n) => n.id === current)) set({ nodeId: undefined, snapshot: undefined, ...CLEARED_PLAN });
    if (!get().nodeId && nodes.length === 1) await get().selectNode(nodes[0]!.id);
  },

  selectNode: async (nodeId) => {
    if (get().run?.running) return;
    set({ nodeId, snapshot: undefined, discoverError: undefined, form: EMPTY_FORM, findings: [], reissued: {}, run: undefined, ...CLEARED_PLAN });
    await get().discover();
  },

  discover: async () => {
    const nodeId = get().nodeId;
    if (!nodeId || get().discovering) return;
    set({ discovering: true, discoverError: undefined });
    const res = await useJobsStore.getState().run('network.discover', { target: { kind: 'node', nodeId } }, 'Reading the node');
    if (get().nodeId !== nodeId) return;
    if (!res.ok) {
      set({ discovering: false, discoverError: res.error });
      return;
    }
    const snapshot = res.value;
    set({ discovering: false, snapshot, form: formFromSnapshot(snapshot), ...CLEARED_PLAN });
    void checkNow();
  },

  setField: (field, value) => {
    set((s) => ({ form: { ...s.form, [field]: value }, ...CLEARED_PLAN }));
    void checkNow();
  },

  setRollbackSeconds: (seconds) => set({ rollbackSeconds: seconds }),

  preview: async () => {
    const nodeId = get().nodeId;
    if (!nodeId || get().planning) return;
    set({ planning: true, planError: undefined, validation: undefined, validateError: undefined });
    const res = await invoke('network.plan', { target: { kind: 'node', nodeId }, settings: settingsOf(get().form) });
    if (!res.ok) {
      set({ planning: false, planError: res.error, plan: undefined });
      return;
    }
    set({ planning: false, plan: res.value, findings: res.value.findings });
    if (res.value.ok && res.value.newHost !== res.value.previousHost) void get().runCrossCheck();
  },

  validate: async () => {
    const nodeId = get().nodeId;
    if (!nodeId || get().validating) return;
    set({ validating: true, validateError: undefined });
    const res = await useJobsStore.getState().run('network.validate', { target: { kind: 'node', nodeId }, settings: settingsOf(get().form) }, "Validating with the node's netplan");
    if (!res.ok) {
      set({ validating: false, validateError: res.error });
      return;
    }
    const hadPlan = get().plan;
    set({ validating: false, plan: res.value.plan, validation: res.value.node, findings: res.value.plan.findings });
    if (!hadPlan && res.value.plan.ok && res.value.plan.newHost !== res.value.plan.previousHost) void get().runCrossCheck();
  },

  runCrossCheck: async (opts = {}) => {
    const s = get();
    const address = opts.address ?? s.plan?.newHost ?? bareAddress(s.form.address);
    const previous = opts.previous ?? s.plan?.previousHost ?? s.snapshot?.host;
    if (!address || s.crossChecking) return;
    set({ crossChecking: true, crossCheckError: undefined });
    // With the node, main reads the broker's listeners and cluster certificates itself (or says why it could not).
    const req: CrossCheckRequest = {
      address,
      ...(previous && previous !== address ? { previousAddress: previous } : {}),
      ...(s.nodeId ? { nodeId: s.nodeId } : {}),
      checkReachability: opts.reachability ?? false,
      timeoutMs: 3000,
    };
    const res = await useJobsStore.getState().run('network.crossCheck', req, 'Checking certificates and listeners');
    if (!res.ok) set({ crossChecking: false, crossCheckError: res.error });
    else set({ crossChecking: false, crossCheck: res.value });
  },

  reissue: async (certificateId) => {
    const s = get();
    const address = s.crossCheck?.address;
    if (!address || s.reissuing) return;
    const previous = s.run?.result?.previousHost ?? s.plan?.previousHost ?? s.snapshot?.host;
    set({ reissuing: certificateId });
    const res = await useJobsStore.getState().run(
      'network.reissueCertificate',
      { certificateId, addAddress: address, ...(previous && previous !== address ? { removeAddresses: [previous] } : {}) },
      'Re-issuing the certificate',
    );
    set({ reissuing: undefined });
    if (!res.ok) {
      useToastStore.getState().pushError('The certificate was not re-issued', res.error);
      return;
    }
    const r = res.value;
    set((st) => ({ reissued: { ...st.reissued, [certificateId]: { certificateId: r.certificateId, commonName: r.commonName, sans: r.sans } } }));
    useToastStore.getState().push({ kind: 'success', title: 'Certificate re-issued', message: `${r.commonName} now lists ${r.sans.join(', ')}. Put the new certificate on the broker (Edge nodes → broker setup).` });
  },

  openConfirm: () => set({ confirmOpen: true }),
  closeConfirm: () => set({ confirmOpen: false }),

  apply: async () => {
    const s = get();
    const nodeId = s.nodeId;
    if (!nodeId || s.run?.running) return;
    const settings = settingsOf(s.form);
    const applyId = newApplyId();
    set({
      confirmOpen: false,
      run: { applyId, jobId: undefined, address: settings.address, previousHost: s.snapshot?.host ?? '', steps: [], rollback: undefined, message: 'Starting…', running: true, result: undefined, error: undefined },
    });
    const res = await useJobsStore.getState().run(
      'network.apply',
      { target: { kind: 'node', nodeId }, settings, rollbackSeconds: s.rollbackSeconds, applyId, allowSilentGateway: false },
      'Applying the static address',
      (jobId) => set((st) => (st.run?.applyId === applyId ? { run: { ...st.run, jobId } } : st)),
    );
    const run = get().run;
    if (!run || run.applyId !== applyId) return;
    if (!res.ok) {
      set({ run: { ...run, running: false, error: res.error, message: res.error.message } });
      return;
    }
    const result = res.value;
    // When the node moved, main's static-address workflow already checked what named the old address.
    const checked = result.checks ? { crossCheck: result.checks, crossCheckError: undefined } : result.checksError ? { crossCheckError: { code: 'network.checksFailed', message: result.checksError } } : {};
    set({ run: { ...run, running: false, result, steps: result.steps, message: result.message }, ...checked });
    useJobsStore.getState().forget(run.jobId ?? '');
    // The node moved: the list shows its new address.
    if (result.outcome === 'applied') void get().load();
  },

  cancelApply: async () => {
    const jobId = get().run?.jobId;
    if (jobId) await useJobsStore.getState().cancel(jobId);
  },

  finishRun: async () => {
    if (get().run?.running) return;
    // A fresh read, shown as one: the old snapshot and form describe the node before the change.
    set({ run: undefined, ...CLEARED_PLAN, reissued: {}, snapshot: undefined, form: EMPTY_FORM, findings: [] });
    await get().discover();
  },
}));

/** Live validation: local checks in main, newest answer wins. */
async function checkNow(): Promise<void> {
  const { form, snapshot } = useNetworkStore.getState();
  const seq = ++checkSeq;
  if (!form.interface && !form.address) {
    useNetworkStore.setState({ findings: [] });
    return;
  }
  const res = await invoke('network.checkSettings', { settings: settingsOf(form), ...(snapshot ? { snapshot } : {}) });
  if (seq !== checkSeq || !res.ok) return;
  useNetworkStore.setState({ findings: res.value.findings });
}

// Bridge subscriptions live here, once, never in components.
subscribe('network.onApplyProgress', (p) => {
  const run = useNetworkStore.getState().run;
  if (!run || run.applyId !== p.applyId || !run.running) return;
  useNetworkStore.setState({ run: { ...run, steps: p.steps, rollback: p.rollback, message: p.message } });
});
subscribe('vault.onState', () => void useNetworkStore.getState().load());
subscribe('edge.onNodesChanged', () => {
  if (useNetworkStore.getState().vault === 'unlocked') void useNetworkStore.getState().load();
});
