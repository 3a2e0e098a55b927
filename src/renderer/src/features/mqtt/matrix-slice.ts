import type { StoreApi } from 'zustand';
import type { CallRequest } from '@shared/contract';
import type { MatrixFixT, MatrixResultT, MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import type { ErrorInfo } from '@shared/errors';
import { subscribe } from '../../bridge';
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

export interface MatrixSlice {
  matrix: MatrixState;
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

export function createMatrixSlice<S extends MatrixSlice>(set: StoreApi<S>['setState'], get: StoreApi<S>['getState']): MatrixSlice {
  const patch = (p: Partial<MatrixState>) => set((s) => ({ ...s, matrix: { ...s.matrix, ...p } }));
  return {
    matrix: EMPTY_MATRIX,

    runMatrix: async (req) => {
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
      const res =
        a.call === 'pki.renew'
          ? await useJobsStore.getState().run('pki.renew', { id: a.id }, 'Renew certificate')
          : await useJobsStore.getState().run('aio.importTrustBundle', { nodeId: a.nodeId, name: a.name, namespace: a.namespace, key: a.key, source: a.source }, 'Import trust bundle');
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
