import type { CallRequest, CallResponse, EventPayload } from '@shared/contract';
import type { AioCheckResultT, AppliedResourceT, ApplyPlanT, ApplyResultT, ApplySpecInput, DiagnoseResultT, TrustBundleSummaryT } from '@shared/contract/aio-contract';
import type { ErrorInfo } from '@shared/errors';

// The shape of the Edge nodes store, types only: the slices implement it and use-edge-store combines
// them, and both import this file, so neither imports the other.
export type EdgeState = NodesSlice & BrokerSlice & ApplySlice;

export type ApplyStage = 'planning' | 'plan' | 'applying' | 'done';

export interface ApplySession {
  nodeId: string;
  /** What the dialog is about ("Seed 001 broker setup", a diagnostic's fix label). */
  title: string;
  spec: ApplySpecInput;
  force: boolean;
  stage: ApplyStage;
  jobId: string | undefined;
  plan: ApplyPlanT | undefined;
  planError: ErrorInfo | undefined;
  /** Per resource index, as aio.onApplyProgress reports each one. */
  progress: Record<number, AppliedResourceT>;
  result: ApplyResultT | undefined;
  applyError: ErrorInfo | undefined;
}

export interface ApplySlice {
  apply: ApplySession | undefined;
  /** The node whose broker setup form is open. */
  setupFor: string | undefined;
  openSetup: (nodeId: string) => void;
  closeSetup: () => void;
  /** Opens the Apply dialog and plans the spec: YAML, diff and dry run before anything changes. */
  startApply: (nodeId: string, spec: ApplySpecInput, title: string, force?: boolean) => Promise<void>;
  /** Forcing takes over fields other managers own: plan again so the diff shows exactly that. */
  setForce: (force: boolean) => Promise<void>;
  runApply: () => Promise<void>;
  cancelApply: () => Promise<void>;
  closeApply: () => void;
  onApplyProgress: (payload: EventPayload<'aio.onApplyProgress'>) => void;
}

export type CertificateSummary = CallResponse<'pki.get'>['summary'];

export interface BrokerRead {
  jobId: string | undefined;
  result: DiagnoseResultT | undefined;
  error: ErrorInfo | undefined;
  /** When the result was read, so a stale view says how old it is. */
  readAt: string | undefined;
}

/** The last `aio check` of a node (az iot ops check's checks and beyond). */
export interface BrokerCheck {
  jobId: string | undefined;
  result: AioCheckResultT | undefined;
  error: ErrorInfo | undefined;
}

export interface BrokerSlice {
  broker: Record<string, BrokerRead>;
  checks: Record<string, BrokerCheck>;
  /** Runs aio.check with a live TLS + MQTT connect per listener port. */
  runCheck: (nodeId: string) => Promise<void>;
  certificates: CertificateSummary[];
  certificatesLoaded: boolean;
  /** `name/key` of the trust bundle being imported. */
  importingBundle: string | undefined;
  /** Discovery and diagnostics in one job (aio.diagnose returns both). */
  readBroker: (nodeId: string) => Promise<void>;
  cancelBroker: (nodeId: string) => Promise<void>;
  importTrustBundle: (nodeId: string, bundle: TrustBundleSummaryT) => Promise<void>;
  /** The vault's certificates (public summaries) for the apply form's pickers. */
  loadCertificates: () => Promise<void>;
  forgetBroker: (nodeId: string) => void;
  clearBroker: () => void;
}

export type NodeSummary = CallResponse<'edge.listNodes'>['nodes'][number];

export type KeySummary = CallResponse<'edge.listKeys'>['keys'][number];

export type NodeTestResult = CallResponse<'edge.testNode'>;

export type PresentedHostKey = NonNullable<NodeTestResult['hostKey']>;

export type ActivityEntry = EventPayload<'edge.onActivity'>;

export type VaultGate = 'unknown' | 'missing' | 'locked' | 'unlocked';

export interface NodeTest {
  jobId: string | undefined;
  result: NodeTestResult | undefined;
  /** The call itself failed (not a step): vault locked, node removed, main unreachable. */
  error: ErrorInfo | undefined;
  /** A sudo password was asked for and none is stored: the panel offers a field for it. */
  needsSudoPassword: boolean;
}

export interface HostKeyPrompt {
  nodeId: string;
  nodeName: string;
  address: string;
  hostKey: PresentedHostKey;
}

export interface NodesSlice {
  vault: VaultGate;
  vaultError: ErrorInfo | undefined;
  nodes: NodeSummary[];
  keys: KeySummary[];
  nodesLoaded: boolean;
  nodesError: ErrorInfo | undefined;
  selectedId: string | undefined;
  /** The add/edit dialog: `editId` undefined adds a node. */
  editor: { editId: string | undefined } | undefined;
  saving: boolean;
  saveError: ErrorInfo | undefined;
  keyBusy: 'generate' | 'import' | undefined;
  keyError: ErrorInfo | undefined;
  tests: Record<string, NodeTest>;
  hostKeyPrompt: HostKeyPrompt | undefined;
  trusting: boolean;
  trustError: ErrorInfo | undefined;
  activity: Record<string, ActivityEntry[]>;
  removing: string | undefined;

  /** Checks the vault and, when it is open, lists nodes and keys. Called when the page shows. */
  init: () => Promise<void>;
  loadNodes: () => Promise<void>;
  select: (id: string | undefined) => void;
  openEditor: (editId?: string) => void;
  closeEditor: () => void;
  /** Secrets in the request go straight to main; nothing of them stays here. Resolves with the saved node's id. */
  saveNode: (request: CallRequest<'edge.saveNode'>) => Promise<string | undefined>;
  removeNode: (id: string) => Promise<boolean>;
  generateKey: (comment?: string) => Promise<KeySummary | undefined>;
  /** The key text read from the chosen file and the passphrase typed go to main and are not kept. */
  importKey: (privateKey: string, passphrase?: string) => Promise<KeySummary | undefined>;
  /** Runs the connection test as a job; an untrusted host key opens the confirmation. */
  testNode: (id: string, sudoPassword?: string) => Promise<void>;
  cancelTest: (id: string) => Promise<void>;
  trustHostKey: () => Promise<void>;
  dismissHostKey: () => void;
  /** Opens the host key confirmation again for the key the last test saw. */
  reviewHostKey: (nodeId: string) => void;
  loadActivity: (nodeId: string) => Promise<void>;
  onActivity: (entry: ActivityEntry) => void;
  onVaultState: (unlocked: boolean) => void;
}
