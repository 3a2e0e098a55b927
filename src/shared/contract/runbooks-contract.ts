import { z } from 'zod';
import { defineCall, defineEvent } from './define';

/** Caps below the transports' frame limits: a runbook is a page of YAML, a report a few hundred KiB. */
export const RUNBOOK_MAX_YAML = 256 * 1024;
export const RUNBOOK_MAX_PARAMS = 64;

const RunbookName = z.string().trim().min(1).max(100).regex(/^[a-z0-9][a-z0-9-]*$/, 'A runbook name is lower case letters, digits and dashes.');
const RunId = z.string().min(1).max(100);
const ParamValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.array(z.string().max(1024)).max(200)]);
const Params = z.record(z.string().max(64), ParamValue).refine((p) => Object.keys(p).length <= RUNBOOK_MAX_PARAMS, `At most ${RUNBOOK_MAX_PARAMS} parameters.`);

/** A problem in a runbook's YAML, with the 1-based line (and column) it sits on. */
export const RunbookProblem = z.object({ line: z.number().int(), column: z.number().int(), path: z.string(), message: z.string() });
export type RunbookProblem = z.infer<typeof RunbookProblem>;

export const ParamType = z.enum(['string', 'integer', 'boolean', 'ip', 'cidr', 'host', 'list', 'node', 'certificate']);
export const RunbookParam = z.object({
  name: z.string(),
  type: ParamType,
  description: z.string(),
  required: z.boolean(),
  default: ParamValue.optional(),
});

export const RunbookStepInfo = z.object({
  id: z.string(),
  uses: z.string(),
  title: z.string(),
  /** Changes the node's network or the default listener: needs an explicit confirm and uses confirm-or-revert. */
  risky: z.boolean(),
  /** The sentence the person confirms for a risky step. */
  confirmText: z.string().optional(),
  line: z.number().int(),
});

export const RunbookInfo = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  /** A warning shown before anything runs (e.g. "test listeners only"). */
  warning: z.string().optional(),
  params: z.array(RunbookParam),
  steps: z.array(RunbookStepInfo),
});
export type RunbookInfo = z.infer<typeof RunbookInfo>;

export const StepState = z.enum(['pending', 'checking', 'planned', 'applying', 'verifying', 'done', 'unchanged', 'failed', 'skipped', 'cancelled', 'paused']);
export type StepState = z.infer<typeof StepState>;

/** One line of a step's plan: what would change, Ansible-style. */
export const PlannedChange = z.object({
  action: z.enum(['create', 'update', 'delete', 'apply', 'run']),
  target: z.string(),
  detail: z.string().optional(),
  diff: z.string().optional(),
  /** A change that undoes itself after this long unless confirmed (netplan try): the confirm says how long. */
  rollbackSeconds: z.number().int().positive().optional(),
});
export type PlannedChange = z.infer<typeof PlannedChange>;

export const CheckItem = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
export type CheckItem = z.infer<typeof CheckItem>;

/** A step that waits shows until when: the listener wait's timeout, or the node's automatic network rollback. */
export const StepCountdown = z.object({ until: z.string(), kind: z.enum(['wait', 'rollback']), what: z.string() });
export type StepCountdown = z.infer<typeof StepCountdown>;

export const StepRecord = z.object({
  id: z.string(),
  uses: z.string(),
  title: z.string(),
  state: StepState,
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** What check saw before the first change (as found). */
  found: z.array(CheckItem),
  changes: z.array(PlannedChange),
  /** What verify saw afterwards (as left). */
  verified: z.array(CheckItem),
  outputs: z.record(z.string(), z.unknown()),
  error: z.string().optional(),
  /** Set while the step waits on a clock; gone once it stops waiting. */
  countdown: StepCountdown.optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const LogLine = z.object({ at: z.string(), step: z.string().optional(), level: z.enum(['info', 'change', 'warn', 'error']), message: z.string() });
export type LogLine = z.infer<typeof LogLine>;

export const RunState = z.enum(['planned', 'running', 'paused', 'failed', 'cancelled', 'done']);
export const RunRecord = z.object({
  id: z.string(),
  runbook: z.string(),
  title: z.string(),
  /** The runbook's YAML as it was when the run started: a resume follows the same steps even if the runbook was edited since. */
  source: z.string(),
  params: Params,
  dryRun: z.boolean(),
  state: RunState,
  createdAt: z.string(),
  updatedAt: z.string(),
  technician: z.string().optional(),
  steps: z.array(StepRecord),
  log: z.array(LogLine),
  /** Steps that changed something in this run; 0 means "nothing to change". */
  changed: z.number().int(),
  signedOff: z.object({ technician: z.string(), witness: z.string(), at: z.string(), fingerprint: z.string() }).optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

export const RunSummary = RunRecord.pick({ id: true, runbook: true, title: true, state: true, createdAt: true, updatedAt: true, changed: true, dryRun: true }).extend({ node: z.string().optional(), signed: z.boolean() });

export const DriftItem = z.object({ step: z.string(), check: z.string(), before: z.string(), now: z.string() });
export const VerifyResult = z.object({ runId: z.string(), fingerprintThen: z.string(), fingerprintNow: z.string(), drifted: z.boolean(), items: z.array(DriftItem) });

const RunbookSource = z.union([z.object({ name: RunbookName }).strict(), z.object({ yaml: z.string().min(1).max(RUNBOOK_MAX_YAML) }).strict()]);

export const runbooksCalls = {
  /** Built-in runbooks and the ones saved in the vault (built-ins work while the vault is locked). */
  'runbooks.list': defineCall({ request: z.object({}).strict(), response: z.object({ runbooks: z.array(RunbookInfo) }), summary: 'List the runbooks.' }),
  /** A runbook's YAML and its parsed steps and parameters. */
  'runbooks.show': defineCall({ request: z.object({ name: RunbookName }).strict(), response: z.object({ info: RunbookInfo, yaml: z.string() }), summary: 'Show a runbook.' }),
  /** Checks a runbook's YAML: every problem with the line it is on. */
  'runbooks.validate': defineCall({
    request: z.object({ yaml: z.string().min(1).max(RUNBOOK_MAX_YAML) }).strict(),
    response: z.object({ ok: z.boolean(), problems: z.array(RunbookProblem), info: RunbookInfo.optional() }),
    summary: 'Check a runbook YAML and name the line of every problem.',
  }),
  /** Saves a user runbook (copied from a built-in or written by hand) in the vault after validating it. */
  'runbooks.save': defineCall({ request: z.object({ yaml: z.string().min(1).max(RUNBOOK_MAX_YAML) }).strict(), response: RunbookInfo, summary: 'Save a runbook in the vault.' }),
  /**
   * Runs a runbook: check, plan, apply and verify every step in order, kept in the vault so it can resume.
   * `dryRun` plans every step and changes nothing. Risky steps run only when their id is in `confirm`.
   */
  'runbooks.run': defineCall({
    request: z
      .object({
        source: RunbookSource,
        params: Params.default({}),
        dryRun: z.boolean().default(false),
        confirm: z.array(z.string().max(100)).max(50).default([]),
        technician: z.string().trim().max(100).optional(),
        /** Stop after this step (pause) instead of continuing. */
        pauseAfter: z.string().max(100).optional(),
      })
      .strict(),
    response: RunRecord,
    summary: 'Run a runbook (or plan it with dryRun).',
    job: true,
  }),
  /** Continues a paused, failed or interrupted run from the step it was in. */
  'runbooks.resume': defineCall({
    request: z.object({ runId: RunId, confirm: z.array(z.string().max(100)).max(50).default([]), pauseAfter: z.string().max(100).optional() }).strict(),
    response: RunRecord,
    summary: 'Resume a run from the step it stopped in.',
    job: true,
  }),
  /** Asks a running run to stop after its current step. */
  'runbooks.pause': defineCall({ request: z.object({ runId: RunId }).strict(), response: z.object({ runId: z.string(), pausing: z.boolean() }), summary: 'Pause a run after its current step.' }),
  'runbooks.runs': defineCall({ request: z.object({ node: z.string().max(200).optional() }).strict(), response: z.object({ runs: z.array(RunSummary) }), summary: 'List the runs kept in the vault.' }),
  'runbooks.getRun': defineCall({ request: z.object({ runId: RunId }).strict(), response: RunRecord, summary: 'One run with its steps and log.' }),
  /** The commissioning report as HTML (never keys), with its configuration fingerprint. */
  'runbooks.report': defineCall({
    request: z.object({ runId: RunId, site: z.string().max(200).optional() }).strict(),
    response: z.object({ html: z.string(), fingerprint: z.string(), punchList: z.number().int() }),
    summary: 'Build the commissioning report of a run.',
  }),
  /** The same report printed to a PDF file by the runtime's printer (Electron on the desktop, else headless Chromium). */
  'runbooks.reportPdf': defineCall({
    request: z.object({ runId: RunId, site: z.string().max(200).optional(), out: z.string().min(1).max(1024) }).strict(),
    response: z.object({ written: z.boolean(), path: z.string(), printer: z.string(), fingerprint: z.string(), reason: z.string().optional() }),
    summary: 'Print the commissioning report of a run to PDF.',
  }),
  /**
   * The PDF for the person at the screen, with no path from the page: the loopback host hands it over as a
   * one-time download, the desktop asks where with the system's save dialog. `made` false says why (no printer).
   */
  'runbooks.savePdf': defineCall({
    request: z.object({ runId: RunId, site: z.string().max(200).optional() }).strict(),
    response: z.object({ made: z.boolean(), url: z.string().optional(), fileName: z.string(), savedAs: z.string().optional(), printer: z.string(), fingerprint: z.string(), reason: z.string().optional() }),
    summary: 'Save the commissioning report as PDF from the app.',
  }),
  /** Records the technician's and witness's names and the fingerprint the report carries. */
  'runbooks.signOff': defineCall({
    request: z.object({ runId: RunId, technician: z.string().trim().min(1, 'Type the technician\'s name.').max(100), witness: z.string().trim().min(1, 'Type the witness\'s name.').max(100) }).strict(),
    response: RunRecord,
    summary: 'Sign off a finished run.',
  }),
  /** Re-runs every check of a run and says what drifted since it was signed (or finished). */
  'runbooks.verify': defineCall({ request: z.object({ runId: RunId }).strict(), response: VerifyResult, summary: 'Re-check a run and list what drifted.', job: true }),
} as const;

export const runbooksEvents = {
  /** A run's step changed state or logged a line. */
  'runbooks.onProgress': defineEvent({ payload: z.object({ runId: z.string(), step: z.string().optional(), state: StepState.optional(), line: LogLine.optional(), countdown: StepCountdown.nullable().optional() }), summary: 'A runbook run progressed.' }),
} as const;
