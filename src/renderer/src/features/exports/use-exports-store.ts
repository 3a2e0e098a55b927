import { create } from 'zustand';
import type { CallRequest, CallResponse } from '@shared/contract';
import { EXPORT_CERTIFICATE_EVENT, type ExportChainT, type ExportEachResultT, type ExportPlanT, type ExportResultT, type ExportTargetT } from '@shared/contract/exports-contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke, subscribe, transportKind } from '../../bridge';

// The Exports area's store: what the person picked, the plan main made of it and the result of the write.
// It never holds key material: plans and results name files, the bytes are written by main. The
// passphrase is kept only while the form is open and is sent to main with the write.

export interface CertificateChoice {
  id: string;
  commonName: string;
  role: string;
  isCa: boolean;
  hasPrivateKey: boolean;
  /** Depth in the tree, for indenting. */
  depth: number;
}

export interface ExportForm {
  target: ExportTargetT;
  certificateIds: string[];
  caId: string;
  chain: ExportChainT;
  includeKey: boolean;
  passphrase: string;
  broker: string;
  out: string;
  zip: boolean;
  /** One bundle per certificate (a folder each) and summary.csv: a bulk-issued batch handed over at once. */
  each: boolean;
}

interface ExportsState {
  targets: CallResponse<'exports.targets'>['targets'];
  certificates: CertificateChoice[];
  form: ExportForm;
  plan: ExportPlanT | null;
  planError: ErrorInfo | null;
  planning: boolean;
  /** The confirm step naming the keys is open. */
  confirming: boolean;
  /** What the confirmed export does: write a new folder (or zip) in main, or hand a zip to the browser. */
  mode: 'folder' | 'download';
  /** The browser version gets exports as downloads; the desktop writes folders. */
  canDownload: boolean;
  /** The desktop asks where in the system's dialog (main shows it); the window never holds the path. */
  saveDialog: boolean;
  writing: boolean;
  writeError: ErrorInfo | null;
  result: ExportResultT | null;
  /** What a one-bundle-per-certificate export wrote. */
  eachResult: ExportEachResultT | null;
  load(): Promise<void>;
  update(patch: Partial<ExportForm>): void;
  toggleCertificate(id: string): void;
  refreshPlan(): Promise<void>;
  /** Asks for confirmation when keys would leave, else writes (or downloads). */
  requestWrite(mode?: 'folder' | 'download'): Promise<void>;
  cancelConfirm(): void;
  /** Writes, confirming exactly the keys the plan names (the confirm dialog showed them). */
  write(): Promise<void>;
  reset(): void;
}

const EMPTY_FORM: ExportForm = { target: 'node-red', certificateIds: [], caId: '', chain: 'bundle', includeKey: false, passphrase: '', broker: '', out: '', zip: false, each: false };

/** "host:port" as the contract takes it, or undefined when empty or malformed (the plan then says what is missing). */
export function parseBroker(text: string): { host: string; port: number } | undefined {
  const m = /^\s*\[?([^\]\s]+?)\]?:(\d{1,5})\s*$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65_535 ? { host: m[1]!, port } : undefined;
}

function requestOf(f: ExportForm): CallRequest<'exports.plan'> {
  const broker = parseBroker(f.broker);
  return {
    target: f.target,
    // Every bundle of a one-per-certificate export has the same shape: the first one's plan shows it.
    certificateIds: f.each ? f.certificateIds.slice(0, 1) : f.certificateIds,
    chain: f.chain,
    includeKey: f.includeKey,
    ...(f.passphrase ? { passphrase: f.passphrase } : {}),
    ...(f.caId ? { caId: f.caId } : {}),
    ...(broker ? { broker } : {}),
  };
}

interface TreeNode {
  certificate: { id: string; commonName: string; role: string; isCa: boolean; hasPrivateKey: boolean };
  children: TreeNode[];
}

function flatten(nodes: readonly TreeNode[], depth = 0, out: CertificateChoice[] = []): CertificateChoice[] {
  for (const n of nodes) {
    const c = n.certificate;
    out.push({ id: c.id, commonName: c.commonName, role: c.role, isCa: c.isCa, hasPrivateKey: c.hasPrivateKey, depth });
    flatten(n.children, depth + 1, out);
  }
  return out;
}

let planSeq = 0;

export const useExportsStore = create<ExportsState>()((set, get) => ({
  targets: [],
  certificates: [],
  form: EMPTY_FORM,
  plan: null,
  planError: null,
  planning: false,
  confirming: false,
  mode: 'folder',
  canDownload: transportKind === 'websocket',
  saveDialog: transportKind === 'ipc',
  writing: false,
  writeError: null,
  result: null,
  eachResult: null,

  async load() {
    const [targets, list] = await Promise.all([invoke('exports.targets', {}), invoke('pki.list', {})]);
    set({
      ...(targets.ok ? { targets: targets.value.targets } : {}),
      certificates: list.ok ? flatten(list.value.tree as TreeNode[]) : [],
    });
    await get().refreshPlan();
  },

  update(patch) {
    set((s) => ({ form: { ...s.form, ...patch }, result: null, eachResult: null, writeError: null }));
    void get().refreshPlan();
  },

  toggleCertificate(id) {
    const ids = get().form.certificateIds;
    get().update({ certificateIds: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id] });
  },

  async refreshPlan() {
    const { form } = get();
    if (form.certificateIds.length === 0) {
      set({ plan: null, planError: null, planning: false });
      return;
    }
    const seq = ++planSeq;
    set({ planning: true });
    const r = await invoke('exports.plan', requestOf(form));
    // A later edit already asked again: its answer is the one to show.
    if (seq !== planSeq) return;
    set(r.ok ? { plan: r.value, planError: null, planning: false } : { plan: null, planError: r.error, planning: false });
  },

  async requestWrite(mode = 'folder') {
    const { plan } = get();
    if (!plan) return;
    set({ mode });
    if (plan.keys.length > 0) set({ confirming: true });
    else await get().write();
  },

  cancelConfirm() {
    set({ confirming: false });
  },

  async write() {
    const { form, plan, mode } = get();
    if (!plan) return;
    set({ writing: true, writeError: null });
    const confirmedKeys = plan.keys.map((k) => k.certificateId);
    if (mode === 'download') {
      const d = await invoke('exports.download', { ...requestOf(form), confirmedKeys });
      if (d.ok) {
        // A navigation to the one-time URL: the browser saves the zip, this page's script never holds its bytes.
        const a = document.createElement('a');
        a.href = d.value.url;
        a.download = d.value.fileName;
        a.rel = 'noopener';
        document.body.append(a);
        a.click();
        a.remove();
      }
      set(d.ok ? { writing: false, confirming: false, result: d.value, form: { ...get().form, passphrase: '' } } : { writing: false, confirming: false, writeError: d.error });
      return;
    }
    if (form.each) {
      // The confirm dialog named the keys of every certificate picked (the plan shows the first).
      const each = await invoke('exports.writeEach', { ...requestOf(form), certificateIds: form.certificateIds, out: form.out, zip: form.zip, confirmedKeys: confirmedKeys.length ? form.certificateIds : [] });
      set(each.ok ? { writing: false, confirming: false, eachResult: each.value, result: null, form: { ...get().form, passphrase: '' } } : { writing: false, confirming: false, writeError: each.error });
      return;
    }
    if (get().saveDialog) {
      const d = await invoke('exports.saveWithDialog', { ...requestOf(form), zip: form.zip, confirmedKeys });
      if (d.ok && !d.value.saved) {
        set({ writing: false, confirming: false });
        return;
      }
      // Only the name of what main wrote comes back, never its bytes or the full path.
      set(d.ok && d.value.saved ? { writing: false, confirming: false, result: { target: d.value.target, path: d.value.displayName, files: d.value.files, keys: d.value.keys, notes: d.value.notes }, form: { ...get().form, passphrase: '' } } : { writing: false, confirming: false, writeError: d.ok ? null : d.error });
      return;
    }
    const r = await invoke('exports.write', { ...requestOf(form), out: form.out, zip: form.zip, confirmedKeys });
    set(r.ok ? { writing: false, confirming: false, result: r.value, form: { ...get().form, passphrase: '' } } : { writing: false, confirming: false, writeError: r.error });
  },

  reset() {
    set({ form: EMPTY_FORM, plan: null, planError: null, result: null, eachResult: null, writeError: null, confirming: false });
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener(EXPORT_CERTIFICATE_EVENT, (e) => {
    const detail = (e as CustomEvent<{ certificateId?: string; certificateIds?: string[]; each?: boolean }>).detail;
    const ids = detail?.certificateIds ?? (detail?.certificateId ? [detail.certificateId] : []);
    if (ids.length === 0) return;
    useExportsStore.setState((s) => ({ form: { ...s.form, certificateIds: ids, each: detail?.each === true, includeKey: detail?.each === true ? true : s.form.includeKey }, result: null, eachResult: null, writeError: null }));
    void useExportsStore.getState().refreshPlan();
  });
  // The vault's certificates change while the page is open (issued, imported, locked).
  subscribe('pki.onChanged', () => void useExportsStore.getState().load());
}
