import { create } from 'zustand';
import type { CallResponse } from '@shared/contract';
import type { LogLine, RunbookInfo, RunRecord, StepCountdown, StepState } from '@shared/contract/runbooks-contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke, subscribe } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';

type NodeSummary = CallResponse<'edge.listNodes'>['nodes'][number];
type RunSummary = CallResponse<'runbooks.runs'>['runs'][number];
type ParamValue = string | number | boolean | string[];

export interface RunbooksState {
  vault: 'unknown' | 'missing' | 'locked' | 'unlocked';
  runbooks: RunbookInfo[];
  nodes: NodeSummary[];
  runs: RunSummary[];
  selected: string | undefined;
  /** What the person typed, per parameter, as text (lists comma-separated). */
  form: Record<string, string>;
  confirm: string[];
  technician: string;
  run: RunRecord | undefined;
  jobId: string | undefined;
  busy: 'plan' | 'run' | 'resume' | undefined;
  error: ErrorInfo | undefined;
  /** The report on screen and the site it was built for, so a sign-off rebuilds it for the same site. */
  report: { html: string; fingerprint: string; punchList: number; site?: string } | undefined;
  pdf: { busy: boolean; message?: string; ok?: boolean } | undefined;
  /** Step states and log lines streamed while a run is going; the full record arrives with the answer. */
  live: { runId: string | undefined; states: Record<string, StepState>; log: LogLine[]; countdowns: Record<string, StepCountdown> };
  load(): Promise<void>;
  select(name: string): void;
  setParam(name: string, value: string): void;
  toggleConfirm(stepId: string): void;
  setTechnician(name: string): void;
  start(dryRun: boolean): Promise<void>;
  /** Resumes the run on screen; `confirmStep` confirms a risky step (the static address) for this resume. */
  resume(confirmStep?: string): Promise<void>;
  pause(): Promise<void>;
  cancel(): Promise<void>;
  openRun(runId: string): Promise<void>;
  loadReport(site?: string): Promise<void>;
  /** The PDF through main (a one-time download in the browser, the save dialog on the desktop); the answer in `pdf`. */
  savePdf(site?: string): Promise<void>;
  signOff(technician: string, witness: string): Promise<boolean>;
}

/** Text from the form to the parameter's type; the engine checks the value itself and answers in sentences. */
export function paramValue(type: RunbookInfo['params'][number]['type'], text: string): ParamValue {
  if (type === 'integer' && /^-?\d+$/.test(text.trim())) return Number(text.trim());
  if (type === 'boolean') return text === 'true';
  if (type === 'list') return text.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
  return text.trim();
}

const formText = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v === undefined ? '' : String(v));

export const useRunbooksStore = create<RunbooksState>()((set, get) => {
  const runJob = async (name: 'runbooks.run' | 'runbooks.resume', request: never, label: string, busy: RunbooksState['busy']) => {
    set({ busy, error: undefined, report: undefined, live: { runId: name === 'runbooks.resume' ? get().run?.id : undefined, states: {}, log: [], countdowns: {} } });
    const result = await useJobsStore.getState().run(name, request, label, (jobId) => set({ jobId }));
    set({ busy: undefined, jobId: undefined });
    if (result.ok) set({ run: result.value as RunRecord });
    else set({ error: result.error });
    await refreshRuns();
  };
  const refreshRuns = async () => {
    const runs = await invoke('runbooks.runs', {});
    if (runs.ok) set({ runs: runs.value.runs });
  };
  return {
    vault: 'unknown',
    runbooks: [],
    nodes: [],
    runs: [],
    selected: undefined,
    form: {},
    confirm: [],
    technician: '',
    run: undefined,
    jobId: undefined,
    busy: undefined,
    error: undefined,
    report: undefined,
    pdf: undefined,
    live: { runId: undefined, states: {}, log: [], countdowns: {} },
    async load() {
      const status = await invoke('vault.status', {});
      const vault = !status.ok ? 'unknown' : !status.value.exists ? 'missing' : status.value.unlocked ? 'unlocked' : 'locked';
      const list = await invoke('runbooks.list', {});
      set({ vault, runbooks: list.ok ? list.value.runbooks : [], error: list.ok ? undefined : list.error });
      if (vault === 'unlocked') {
        const nodes = await invoke('edge.listNodes', {});
        if (nodes.ok) set({ nodes: nodes.value.nodes });
        await refreshRuns();
      }
      const { selected, runbooks } = get();
      if (!selected && runbooks[0]) get().select(runbooks[0].name);
    },
    select(name) {
      const rb = get().runbooks.find((r) => r.name === name);
      if (!rb) return;
      const form: Record<string, string> = {};
      for (const p of rb.params) form[p.name] = p.type === 'node' && get().nodes.length === 1 ? (get().nodes[0]?.name ?? '') : formText(p.default);
      set({ selected: name, form, confirm: [], run: undefined, error: undefined, report: undefined });
    },
    setParam: (name, value) => set((s) => ({ form: { ...s.form, [name]: value } })),
    toggleConfirm: (stepId) => set((s) => ({ confirm: s.confirm.includes(stepId) ? s.confirm.filter((x) => x !== stepId) : [...s.confirm, stepId] })),
    setTechnician: (technician) => set({ technician }),
    async start(dryRun) {
      const { selected, runbooks, form, confirm, technician } = get();
      const rb = runbooks.find((r) => r.name === selected);
      if (!rb) return;
      const params: Record<string, ParamValue> = {};
      for (const p of rb.params) {
        const text = form[p.name] ?? '';
        if (text.trim() === '' && p.type !== 'list') continue;
        params[p.name] = paramValue(p.type, text);
      }
      const request = { source: { name: rb.name }, params, dryRun, confirm, ...(technician.trim() ? { technician: technician.trim() } : {}) };
      await runJob('runbooks.run', request as never, dryRun ? `Plan ${rb.title}` : rb.title, dryRun ? 'plan' : 'run');
    },
    async resume(confirmStep) {
      const { run, confirm } = get();
      if (!run) return;
      const confirmed = confirmStep && !confirm.includes(confirmStep) ? [...confirm, confirmStep] : confirm;
      if (confirmed !== confirm) set({ confirm: confirmed });
      await runJob('runbooks.resume', { runId: run.id, confirm: confirmed } as never, `Resume ${run.title}`, 'resume');
    },
    async pause() {
      const { run } = get();
      if (run) await invoke('runbooks.pause', { runId: run.id });
    },
    async cancel() {
      const { jobId } = get();
      if (jobId) await useJobsStore.getState().cancel(jobId);
    },
    async openRun(runId) {
      const r = await invoke('runbooks.getRun', { runId });
      if (r.ok) set({ run: r.value, selected: r.value.runbook, error: undefined, report: undefined });
      else set({ error: r.error });
    },
    async loadReport(site) {
      const { run } = get();
      if (!run) return;
      const r = await invoke('runbooks.report', { runId: run.id, ...(site ? { site } : {}) });
      if (r.ok) set({ report: { ...r.value, ...(site ? { site } : {}) } });
      else set({ error: r.error });
    },
    async savePdf(site) {
      const { run } = get();
      if (!run) return;
      set({ pdf: { busy: true } });
      const r = await invoke('runbooks.savePdf', { runId: run.id, ...(site ? { site } : {}) });
      if (!r.ok) return set({ pdf: { busy: false, ok: false, message: r.error.message } });
      if (r.value.url) {
        // A navigation to the one-time URL: the browser saves the PDF, this page's script never holds its bytes.
        const a = document.createElement('a');
        a.href = r.value.url;
        a.download = r.value.fileName;
        a.rel = 'noopener';
        document.body.append(a);
        a.click();
        a.remove();
      }
      set({ pdf: { busy: false, ok: r.value.made, message: r.value.made ? `PDF ${r.value.savedAs ?? r.value.fileName} made by ${r.value.printer}.` : (r.value.reason ?? 'No PDF was made.') } });
    },
    async signOff(technician, witness) {
      const { run } = get();
      if (!run) return false;
      const r = await invoke('runbooks.signOff', { runId: run.id, technician, witness });
      if (!r.ok) {
        set({ error: r.error });
        return false;
      }
      const site = get().report?.site;
      set({ run: r.value });
      await get().loadReport(site);
      await refreshRuns();
      return true;
    },
  };
});

function withCountdown(all: Record<string, StepCountdown>, step: string, c: StepCountdown | null): Record<string, StepCountdown> {
  const next = { ...all };
  if (c) next[step] = c;
  else delete next[step];
  return next;
}

/** Live step states and log lines of the run on screen; the full record comes with the call's answer. */
subscribe('runbooks.onProgress', (p: { runId: string; step?: string; state?: StepState; line?: LogLine; countdown?: StepCountdown | null }) => {
  const { live, busy } = useRunbooksStore.getState();
  if (!busy) return;
  // The first event of a new run names it; events of any other run are someone else's.
  if (live.runId !== undefined && live.runId !== p.runId) return;
  useRunbooksStore.setState({
    live: {
      runId: p.runId,
      states: p.step && p.state ? { ...live.states, [p.step]: p.state } : live.states,
      log: p.line ? [...live.log, p.line].slice(-500) : live.log,
      countdowns: p.step && p.countdown !== undefined ? withCountdown(live.countdowns, p.step, p.countdown) : live.countdowns,
    },
  });
});
subscribe('vault.onState', () => void useRunbooksStore.getState().load());
