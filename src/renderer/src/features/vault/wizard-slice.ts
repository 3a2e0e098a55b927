import type { StateCreator } from 'zustand';
import type { CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';
import { defaultAlgorithmFor } from '@shared/pki-rules';
import type { CertificateSummary, KeyAlgorithm, PkiWarning } from '@shared/pki-types';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { defaultIssuer, findCertificate } from './pki-tree-model';
import { emptyForm, localProblems, toIssueCall, toListRequest, toPreviewRequest } from './wizard-form';
import type { VaultState, WizardSlice } from './vault-state';

/** The key type a certificate from this CA starts with: its own family (the default when there is no CA). */
function keyFor(tree: VaultState['tree'], issuerId: string, fallback: KeyAlgorithm): KeyAlgorithm {
  if (!issuerId) return fallback;
  const ca = findCertificate(tree, issuerId);
  return ca ? defaultAlgorithmFor(ca.keyFamily) : fallback;
}

/** Long enough to skip most keystrokes, short enough to feel live. */
export const PREVIEW_DEBOUNCE_MS = 200;
let previewTimer: ReturnType<typeof setTimeout> | undefined;

export const createWizardSlice: StateCreator<VaultState, [], [], WizardSlice> = (set, get) => ({
  wizard: undefined,

  openWizard: (profile, issuerId) => {
    const defaults = get().defaults;
    const issuer = profile === 'root' ? '' : (issuerId ?? defaultIssuer(get().tree, profile));
    const form = emptyForm(keyFor(get().tree, issuer, defaults?.keyAlgorithm ?? 'ec-p256'), defaults?.profiles[profile].validity, issuer);
    // A client certificate's O often names the site; the form starts empty and the preview shows the result.
    set({ notice: undefined, wizard: { profile, form, preview: undefined, previewError: undefined, previewFor: -1, revision: 0, issueJobId: undefined, issueError: undefined } });
    void get().refreshPreview();
  },

  closeWizard: () => {
    clearTimeout(previewTimer);
    const w = get().wizard;
    if (w?.issueJobId) void useJobsStore.getState().cancel(w.issueJobId);
    set({ wizard: undefined });
  },

  updateWizard: (patch) => {
    const w = get().wizard;
    if (!w || w.issueJobId) return;
    const keyChosen = w.keyChosen === true || 'keyAlgorithm' in patch;
    // Issuing from a CA defaults to the CA's key family: an EC leaf under an RSA chain is refused.
    const follow = !keyChosen && patch.issuerId !== undefined ? { keyAlgorithm: keyFor(get().tree, patch.issuerId, w.form.keyAlgorithm) } : {};
    set({ wizard: { ...w, form: { ...w.form, ...patch, ...follow }, keyChosen, revision: w.revision + 1, issueError: undefined } });
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => void get().refreshPreview(), PREVIEW_DEBOUNCE_MS);
  },

  refreshPreview: async () => {
    const w = get().wizard;
    if (!w) return;
    const revision = w.revision;
    if (w.profile === 'client' && w.form.fromList) {
      const plan = await invoke('pki.planClientList', toListRequest(w.form));
      const now = get().wizard;
      if (!now || now.revision !== revision || now.profile !== w.profile) return;
      set({ wizard: { ...now, listPlan: plan.ok ? plan.value : undefined, previewError: plan.ok ? undefined : plan.error, previewFor: revision } });
      return;
    }
    const result = await invoke('pki.preview', toPreviewRequest(w.profile, w.form));
    const now = get().wizard;
    // The person typed on (or closed the wizard) while this was on its way: a newer preview is coming.
    if (!now || now.revision !== revision || now.profile !== w.profile) return;
    set({ wizard: { ...now, preview: result.ok ? result.value : undefined, previewError: result.ok ? undefined : result.error, previewFor: revision } });
  },

  issue: async () => {
    const w = get().wizard;
    if (!w || w.issueJobId) return false;
    const local = localProblems(w.profile, w.form, get().defaults?.maxBatch);
    if (Object.keys(local).length > 0) return false;
    if (w.profile === 'client' && w.form.fromList) return get().issueList();
    const call = toIssueCall(w.profile, w.form);
    const label = { root: 'Creating the root CA', intermediate: 'Creating the intermediate CA', server: 'Creating the server certificate', client: 'Creating the client certificates' }[w.profile];
    const jobs = useJobsStore.getState();
    const onStart = (jobId: string) => {
      const cur = get().wizard;
      if (cur) set({ wizard: { ...cur, issueJobId: jobId, issueError: undefined } });
    };
    // Each branch names its call so the request type follows it.
    let result: Result<CallResponse<'pki.createRoot'>> | Result<CallResponse<'pki.createClients'>>;
    switch (call.name) {
      case 'pki.createRoot':
        result = await jobs.run(call.name, call.request, label, onStart);
        break;
      case 'pki.createIntermediate':
        result = await jobs.run(call.name, call.request, label, onStart);
        break;
      case 'pki.createServer':
        result = await jobs.run(call.name, call.request, label, onStart);
        break;
      case 'pki.createClients':
        result = await jobs.run(call.name, call.request, label, onStart);
        break;
    }
    const after = get().wizard;
    if (after?.issueJobId) useJobsStore.getState().forget(after.issueJobId);
    if (!result.ok) {
      if (after) set({ wizard: { ...after, issueJobId: undefined, issueError: result.error.code === 'cancelled' ? { code: 'cancelled', message: 'Cancelled. Nothing was issued and no key was kept.' } : result.error } });
      return false;
    }
    const issued: CertificateSummary[] = 'certificates' in result.value ? result.value.certificates : [result.value.certificate];
    const warnings: PkiWarning[] = result.value.warnings;
    set({ wizard: undefined });
    const names = issued.map((c) => c.commonName);
    get().showNotice({
      kind: warnings.length > 0 ? 'warning' : 'success',
      title: names.length === 1 ? `Created "${names[0]}"` : `Created ${names.length} client certificates: ${names.join(', ')}`,
      messages: [names.length === 1 ? 'It is in the vault with its private key.' : 'They are in the vault with their private keys.', ...warnings.map((w) => w.message)],
    });
    await get().refreshPki();
    const first = issued[0];
    if (first) await get().select(first.id);
    return true;
  },

  issueList: async () => {
    const w = get().wizard;
    if (!w || w.issueJobId) return false;
    const onStart = (jobId: string) => {
      const cur = get().wizard;
      if (cur) set({ wizard: { ...cur, issueJobId: jobId, issueError: undefined } });
    };
    const result = await useJobsStore.getState().run('pki.createClientList', toListRequest(w.form), 'Creating the client certificates', onStart);
    const after = get().wizard;
    if (after?.issueJobId) useJobsStore.getState().forget(after.issueJobId);
    if (!result.ok) {
      if (after) set({ wizard: { ...after, issueJobId: undefined, issueError: result.error.code === 'cancelled' ? { code: 'cancelled', message: 'Cancelled. Nothing was issued and the vault is as it was.' } : result.error } });
      return false;
    }
    set({ wizard: undefined });
    const n = result.value.issued.length;
    get().showNotice({
      kind: result.value.warnings.length > 0 ? 'warning' : 'success',
      title: `Created ${n} client certificate${n === 1 ? '' : 's'} from the list`,
      messages: ['They are in the vault with their private keys. The summary lists each device id with its serial, SHA-1 and SHA-256 thumbprints (IoT Hub format) and expiry.', ...result.value.warnings.map((x) => x.message)],
      download: { label: 'Save the summary CSV', fileName: 'client-certificates.csv', text: result.value.summaryCsv, type: 'text/csv' },
      bundleIds: result.value.issued.map((d) => d.certificateId),
    });
    await get().refreshPki();
    return true;
  },

  cancelIssue: async () => {
    const jobId = get().wizard?.issueJobId;
    if (jobId) await useJobsStore.getState().cancel(jobId);
  },
});
