import type { StoreApi } from 'zustand';
import type { CallRequest } from '@shared/contract';
import type { MatrixEndpointDraftT, MatrixFixT, MatrixResultT, MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke, subscribe } from '../../bridge';
import { useReissueStore } from '../../core/use-reissue-store';
import { useJobsStore } from '../../core/use-jobs-store';
import { useNavigationStore } from '../../core/use-navigation-store';
import { copyText } from '../../ui';

// The listener matrix part of the MQTT store: what the grid shows while a run streams its rows in, the
// finished result (a document the commissioning report reuses), and the open diagnosis.

export type MatrixRunRequest = CallRequest<'mqtt.matrixRun'>;

export interface MatrixState {
  running: boolean;
  jobId: string | undefined;
  runId: string | undefined;
  progress: { message: string; fraction: number; phase: string } | undefined;
  targets: MatrixTargetT[];
  rows: Record<string, MatrixRowT>;
  result: MatrixResultT | undefined;
  error: ErrorInfo | undefined;
  /** The row whose diagnosis drawer is open. */
  openTargetId: string | undefined;
  /** The outcome of the last fix button, in words. */
  fixOutcome: { ok: boolean; text: string } | undefined;
}

/**
 * What the person chose and typed in the matrix setup. In the store, not the component, so switching tabs
 * keeps it; the typed endpoints are also saved in main per node, so a restart keeps them too.
 */
export interface MatrixSetup {
  source: 'node' | 'endpoints';
  /** The node whose broker is discovered, or (for typed endpoints) the node they belong to; '' for none. */
  nodeId: string;
  caId: string;
  clientId: string;
  endpoints: MatrixEndpointDraftT[];
}

export const EMPTY_ENDPOINT: MatrixEndpointDraftT = { name: '', host: '', port: '1883', tls: false, x509: false };
export const EMPTY_SETUP: MatrixSetup = { source: 'node', nodeId: '', caId: '', clientId: '', endpoints: [EMPTY_ENDPOINT] };

export interface MatrixSlice {
  matrix: MatrixState;
  matrixSetup: MatrixSetup;
  /** Changes the setup; a change of node loads the endpoints kept for it, a change of endpoints saves them. */
  setMatrixSetup(patch: Partial<MatrixSetup>): void;
  loadMatrixEndpoints(): Promise<void>;
  runMatrix(req: MatrixRunRequest): Promise<void>;
  cancelMatrix(): void;
  openDiagnosis(targetId: string | undefined): void;
  applyFix(fix: MatrixFixT): Promise<void>;
}

export const EMPTY_MATRIX: MatrixState = {
  running: false,
  jobId: undefined,
  runId: undefined,
  progress: undefined,
  targets: [],
  rows: {},
  result: undefined,
  error: undefined,
  openTargetId: undefined,
  fixOutcome: undefined,
};

/** Typing is saved after a short pause, not on every key. */
const SAVE_DELAY_MS = 600;

export function createMatrixSlice<S extends MatrixSlice>(set: StoreApi<S>['setState'], get: StoreApi<S>['getState']): MatrixSlice {
  const patch = (p: Partial<MatrixState>) => set((s) => ({ ...s, matrix: { ...s.matrix, ...p } }));
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let lastRequest: MatrixRunRequest | undefined;
  const keyOf = (nodeId: string) => (nodeId ? { nodeId } : {});
  const saveEndpoints = (nodeId: string, endpoints: MatrixEndpointDraftT[]) => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const typed = endpoints.filter((e) => e.host.trim() || e.name.trim());
      void invoke('mqtt.saveMatrixEndpoints', { ...keyOf(nodeId), endpoints: typed });
    }, SAVE_DELAY_MS);
  };
  return {
    matrix: EMPTY_MATRIX,
    matrixSetup: EMPTY_SETUP,

    setMatrixSetup: (p) => {
      const before = get().matrixSetup;
      const next = { ...before, ...p };
      set((s) => ({ ...s, matrixSetup: next }));
      if (p.nodeId !== undefined && p.nodeId !== before.nodeId) {
        // Endpoints typed for the previous node are saved right away, then the new node's are loaded.
        clearTimeout(saveTimer);
        const typed = before.endpoints.filter((e) => e.host.trim() || e.name.trim());
        void invoke('mqtt.saveMatrixEndpoints', { ...keyOf(before.nodeId), endpoints: typed }).then(() => get().loadMatrixEndpoints());
      } else if (p.endpoints) {
        saveEndpoints(next.nodeId, p.endpoints);
      }
    },

    loadMatrixEndpoints: async () => {
      const nodeId = get().matrixSetup.nodeId;
      const res = await invoke('mqtt.matrixEndpoints', keyOf(nodeId));
      // The vault may be locked, or another node chosen meanwhile: then what is on screen stays.
      if (!res.ok || get().matrixSetup.nodeId !== nodeId) return;
      const endpoints = res.value.endpoints.length > 0 ? res.value.endpoints : [EMPTY_ENDPOINT];
      set((s) => ({ ...s, matrixSetup: { ...s.matrixSetup, endpoints, ...(res.value.endpoints.length > 0 && !s.matrixSetup.nodeId ? { source: 'endpoints' as const } : {}) } }));
    },

    runMatrix: async (req) => {
      lastRequest = req;
      set((s) => ({ ...s, matrix: { ...EMPTY_MATRIX, running: true, progress: { message: 'Planning the listeners…', fraction: 0, phase: 'plan' } } }));
      const res = await useJobsStore.getState().run('mqtt.matrixRun', req, 'Listener matrix', (jobId) => patch({ jobId }));
      if (!res.ok) {
        patch({ running: false, error: res.error, progress: undefined });
        return;
      }
      const rows: Record<string, MatrixRowT> = {};
      for (const r of res.value.rows) rows[r.targetId] = r;
      patch({ running: false, result: res.value, targets: res.value.targets, rows, runId: res.value.runId, progress: undefined });
    },

    cancelMatrix: () => {
      const jobId = get().matrix.jobId;
      if (jobId) void useJobsStore.getState().cancel(jobId);
    },

    openDiagnosis: (targetId) => patch({ openTargetId: targetId, fixOutcome: undefined }),

    applyFix: async (fix) => {
      const a = fix.action;
      if (!a) return;
      if (a.call === 'mqtt.useVaultCa') {
        get().setMatrixSetup({ caId: a.caId });
        patch({ openTargetId: undefined });
        const again = lastRequest;
        if (!again) return;
        // The same run with that CA for every TLS listener (typed endpoints carry it per endpoint).
        const endpoints = 'endpoints' in again && again.endpoints ? again.endpoints.map((e) => (e.tls ? { ...e, ca: { source: 'vault' as const, certificateId: a.caId } } : e)) : undefined;
        await get().runMatrix({ ...again, caCertificateId: a.caId, ...(endpoints ? { endpoints } : {}) } as MatrixRunRequest);
        return;
      }
      if (a.call === 'pki.renew') {
        const m = get().matrix;
        const why = m.openTargetId ? m.rows[m.openTargetId]?.diagnosis?.sentence : undefined;
        patch({ openTargetId: undefined });
        useReissueStore.getState().open({ certificateId: a.id, ...(a.sans ? { sans: a.sans } : {}), ...(a.nodeId ? { nodeId: a.nodeId } : {}), ...(why ? { why } : {}) });
        return;
      }
      if (a.call === 'aio.diagnose') {
        useNavigationStore.getState().go('edge');
        return;
      }
      if (a.call === 'pki.createServer') {
        // The wizard lives in Vault & PKI; the SANs go to the clipboard so they can be pasted there.
        const copied = await copyText(a.sans.join(', '));
        patch({ fixOutcome: { ok: true, text: `${copied ? 'The SANs are copied. ' : ''}In Vault & PKI, issue a server certificate with ${a.sans.join(', ')}, then put it on the listener.` } });
        useNavigationStore.getState().go('vault');
        return;
      }
      const res = await useJobsStore.getState().run('aio.importTrustBundle', { nodeId: a.nodeId, name: a.name, namespace: a.namespace, key: a.key, source: a.source }, 'Import trust bundle');
      patch({ fixOutcome: res.ok ? { ok: true, text: `${fix.label}: done. Run the matrix again to check.` } : { ok: false, text: res.error.message } });
    },
  };
}

/** Rows arrive during the run as soon as each listener is known; the final result replaces them. */
export function subscribeMatrixProgress<S extends MatrixSlice>(api: StoreApi<S>): void {
  subscribe('mqtt.onMatrixProgress', (e) => {
    const m = api.getState().matrix;
    if (!m.running) return;
    if (m.runId !== undefined && m.runId !== e.runId) return;
    const next: MatrixState = { ...m, runId: e.runId, progress: { message: e.message, fraction: e.fraction, phase: e.phase } };
    if (e.targets) next.targets = e.targets;
    if (e.row) next.rows = { ...m.rows, [e.row.targetId]: e.row };
    api.setState((s) => ({ ...s, matrix: next }));
  });
}
