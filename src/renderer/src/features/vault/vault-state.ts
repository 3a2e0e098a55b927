import type { CertificateDetail, ChainExport, ExpiryEntry, HostCheckResult, ImportFileResult, PkiTreeNode, RevocationReason } from '@shared/pki-types';
import type { CallResponse, EventPayload } from '@shared/contract';
import type { ErrorInfo } from '@shared/errors';
import type { WizardForm, WizardProfile } from './wizard-form';

// The shape of the Vault & PKI store, types only: the slices implement it and use-vault-store combines
// them, and both import this file, so neither imports the other.
export type VaultState = SessionSlice & PkiSlice & WizardSlice & ImportSlice;

/** One picked or dropped file's outcome, as the result list shows it. */
export interface ImportRow extends ImportFileResult {
  key: string;
  /** The file is encrypted (key or PKCS#12): the row asks for its passphrase. */
  needsPassphrase: boolean;
  /** A passphrase was tried and did not fit. */
  passphraseRejected: boolean;
}

export interface ImportSlice {
  importing: boolean;
  importJobId: string | undefined;
  importRows: ImportRow[];
  /** Reads the files here (bytes → Base64) and sends them to pki.import in batches main accepts. */
  importFiles: (files: readonly File[]) => Promise<void>;
  /** Sends one file again with its passphrase; the passphrase is not kept anywhere. */
  retryWithPassphrase: (key: string, passphrase: string) => Promise<void>;
  cancelImport: () => Promise<void>;
  dismissImport: () => void;
}

export type PkiDefaults = CallResponse<'pki.defaults'>;

export type PkiCounts = CallResponse<'pki.list'>['counts'];

export interface HostCheckState {
  certificateId: string;
  host: string;
  checking: boolean;
  result: HostCheckResult | undefined;
  error: ErrorInfo | undefined;
}

/** Public certificate text only: exportPem refuses anything with a private key in it. */
export interface PemExport {
  certificateId: string;
  chain: ChainExport;
  pem: string;
  fileName: string;
  count: number;
}

/** What just happened in the workspace, shown in place (a toast would cover the dialog buttons). */
export interface PkiNotice {
  kind: 'success' | 'warning';
  title: string;
  messages: string[];
  /** A file the action produced (a bulk batch's summary CSV), offered for saving. */
  download?: { label: string; fileName: string; text: string; type: string };
  /** Certificates a batch just issued: the notice offers one export bundle per device for them. */
  bundleIds?: string[];
}

export interface PkiSlice {
  notice: PkiNotice | undefined;
  showNotice: (notice: PkiNotice) => void;
  dismissNotice: () => void;
  defaults: PkiDefaults | undefined;
  tree: PkiTreeNode[];
  counts: PkiCounts | undefined;
  total: number;
  expiry: ExpiryEntry[];
  /** The first list after unlocking has arrived (so "no certificates yet" is true, not just unknown). */
  pkiLoaded: boolean;
  pkiError: ErrorInfo | undefined;
  filter: string;
  selectedId: string | undefined;
  detail: CertificateDetail | undefined;
  detailLoading: boolean;
  detailError: ErrorInfo | undefined;
  hostCheck: HostCheckState | undefined;
  pemExport: PemExport | undefined;
  pemExportError: ErrorInfo | undefined;
  renewJobId: string | undefined;
  renewError: ErrorInfo | undefined;

  /** Defaults, tree, expiry overview; called on unlock and whenever main says the PKI changed. */
  loadPki: () => Promise<void>;
  refreshPki: () => Promise<void>;
  clearPki: () => void;
  setFilter: (filter: string) => void;
  select: (id: string | undefined) => Promise<void>;
  checkHost: (host: string) => Promise<void>;
  revoke: (id: string, reason: RevocationReason) => Promise<boolean>;
  /** `sans` replaces the certificate's SANs (as typed; main types each one with the shared rule). */
  renew: (id: string, options: { keepKey: boolean; sans?: string[] }) => Promise<boolean>;
  cancelRenew: () => Promise<void>;
  exportPem: (id: string, chain: ChainExport) => Promise<void>;
  closePemExport: () => void;
}

export type VaultStatus = CallResponse<'vault.status'>;

export interface SessionSlice {
  status: VaultStatus | undefined;
  /** vault.status itself failed (main unreachable). */
  statusError: ErrorInfo | undefined;
  /** Create or unlock in flight (Argon2id takes about a second). */
  sessionBusy: 'create' | 'unlock' | undefined;
  sessionJobId: string | undefined;
  createError: ErrorInfo | undefined;
  unlockError: ErrorInfo | undefined;
  /** Counts failed unlocks, so the form can select the field again after each one. */
  unlockFailures: number;
  /** Why the unlock form is showing again ("locked itself after being idle"). */
  lockNotice: string | undefined;
  loadStatus: () => Promise<void>;
  /** The password goes straight to main; it is never kept in this store. */
  createVault: (password: string) => Promise<boolean>;
  unlockVault: (password: string) => Promise<boolean>;
  lockVault: () => Promise<void>;
  setAutoLock: (minutes: number) => Promise<void>;
  /** vault.onState from main: another window, the CLI's host or the idle timer changed the state. */
  onVaultState: (payload: EventPayload<'vault.onState'>) => void;
}

export type PreviewResult = CallResponse<'pki.preview'>;

export interface WizardState {
  profile: WizardProfile;
  form: WizardForm;
  /** The engine's answer for the form as it was at `previewFor`. */
  preview: PreviewResult | undefined;
  previewError: ErrorInfo | undefined;
  /** Form revision the preview answers; the Create button waits until it matches `revision`. */
  previewFor: number;
  revision: number;
  issueJobId: string | undefined;
  issueError: ErrorInfo | undefined;
  /** The person picked the key type; until then it follows the signing CA's key family. */
  keyChosen?: boolean;
  /** Client from a device list: the engine's plan for the list as it was at `previewFor`. */
  listPlan?: CallResponse<'pki.planClientList'> | undefined;
}

export interface WizardSlice {
  wizard: WizardState | undefined;
  /** Opens a wizard, starting from the defaults (and the given CA, when issued from a CA's panel). */
  openWizard: (profile: WizardProfile, issuerId?: string) => void;
  closeWizard: () => void;
  updateWizard: (patch: Partial<WizardForm>) => void;
  /** Asks pki.preview now (updateWizard calls it after a short pause in typing). */
  refreshPreview: () => Promise<void>;
  /** Issues what the preview showed; long key generation runs as a job that can be cancelled. */
  issue: () => Promise<boolean>;
  cancelIssue: () => Promise<void>;
  /** Issues a client certificate per device of the pasted list (one job, one vault save). */
  issueList: () => Promise<boolean>;
}
