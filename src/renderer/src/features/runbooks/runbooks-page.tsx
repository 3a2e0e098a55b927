import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { FileDown, KeyRound, Pause, Play, RotateCcw, ShieldCheck, Square, Stamp, TestTubeDiagonal } from 'lucide-react';
import type { RunbookInfo, RunRecord, StepCountdown, StepState } from '@shared/contract/runbooks-contract';
import { Badge, Button, Checkbox, EmptyState, PageHeader, Select, TextField, saveTextFile, type BadgeTone } from '../../ui';
import { useNavigationStore } from '../../core/use-navigation-store';
import { useRunbooksStore } from './use-runbooks-store';
import './runbooks-page.css';

const DESCRIPTION = 'The field flows end to end: check, plan, apply and verify every step, resume after a dropped link, and hand over a signed report.';

const STATE_LOOK: Record<StepState, { tone: BadgeTone; text: string }> = {
  pending: { tone: 'neutral', text: 'to do' },
  checking: { tone: 'info', text: 'checking…' },
  planned: { tone: 'info', text: 'would change' },
  applying: { tone: 'info', text: 'applying…' },
  verifying: { tone: 'info', text: 'verifying…' },
  done: { tone: 'success', text: 'changed' },
  unchanged: { tone: 'success', text: 'already in place' },
  failed: { tone: 'danger', text: 'failed' },
  skipped: { tone: 'neutral', text: 'skipped' },
  cancelled: { tone: 'warning', text: 'cancelled' },
  paused: { tone: 'warning', text: 'waiting for confirm' },
};

const clock = (seconds: number) => {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** The current time, ticking once a second while something on screen counts down. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const first = setTimeout(() => setNow(Date.now()), 0);
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [active]);
  return now;
}

/** The countdowns of the steps on screen: streamed while a run goes, else what the record holds. */
function useCountdowns(run: RunRecord | undefined): Record<string, StepCountdown> {
  const { live, busy } = useRunbooksStore(useShallow((s) => ({ live: s.live, busy: s.busy })));
  if (busy) return live.countdowns;
  const out: Record<string, StepCountdown> = {};
  for (const s of run?.steps ?? []) if (s.countdown) out[s.id] = s.countdown;
  return out;
}

const countdownLabel = (title: string, c: StepCountdown) => `${title}: ${c.kind === 'rollback' ? 'automatic rollback' : 'time left to wait'}`;

/** The big clock above the steps: what the run waits for now, and until when. */
function WaitingNow({ rb, countdowns }: { rb: RunbookInfo; countdowns: Record<string, StepCountdown> }) {
  const entry = rb.steps.map((s) => [s, countdowns[s.id]] as const).find(([, c]) => c);
  const now = useNow(entry !== undefined);
  if (!entry) return null;
  const [step, c] = entry as [RunbookInfo['steps'][number], StepCountdown];
  return (
    <div className="fb-rb-countdown" data-kind={c.kind} role="timer" aria-label={countdownLabel(step.title, c)} aria-live="off">
      <span className="fb-rb-countdown__big">{clock((Date.parse(c.until) - now) / 1000)}</span>
      <span className="fb-rb-countdown__caption">
        <strong>{step.title}</strong> — {c.what}.
      </span>
    </div>
  );
}

function StepClock({ title, c }: { title: string; c: StepCountdown }) {
  const now = useNow(true);
  return (
    <span className="fb-rb-step__clock" data-kind={c.kind} role="timer" aria-label={countdownLabel(title, c)}>
      {clock((Date.parse(c.until) - now) / 1000)}
    </span>
  );
}

/** The risky step a paused run waits at, if that is why it paused. */
function confirmStepOf(rb: RunbookInfo, run: RunRecord | undefined): RunbookInfo['steps'][number] | undefined {
  if (run?.state !== 'paused') return undefined;
  const rec = run.steps.find((s) => s.state === 'paused');
  const step = rec ? rb.steps.find((s) => s.id === rec.id) : undefined;
  return step?.risky ? step : undefined;
}

/**
 * A run paused at a risky step: its plan, and the confirm that resumes it. For the static address this is the
 * Network page's confirm-or-revert: the rollback time is said before, and counted down while it applies.
 */
function ConfirmPanel({ rb, run }: { rb: RunbookInfo; run: RunRecord }) {
  const { resume } = useRunbooksStore.getState();
  const ref = useRef<HTMLElement>(null);
  const step = confirmStepOf(rb, run);
  const rec = step ? run.steps.find((s) => s.id === step.id) : undefined;
  // The run stops here waiting for the person: bring the confirm into view rather than leave it below the form.
  // Braces: newer Chromium returns a promise from scrollIntoView, and React must get no cleanup value back.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'start' });
  }, [step?.id, run.id]);
  if (!rec || !step) return null;
  const seconds = rec.changes.find((c) => c.rollbackSeconds)?.rollbackSeconds;
  const diff = rec.changes.find((c) => c.diff)?.diff;
  return (
    <section ref={ref} className="fb-rb-card fb-rb-confirm" aria-labelledby="fb-rb-confirm">
      <h2 id="fb-rb-confirm">Confirm “{step.title}”</h2>
      <ul className="fb-rb-confirm__changes">
        {rec.changes.map((c) => (
          <li key={`${c.action}-${c.target}`}>
            {c.action} <span className="fb-rb-mono">{c.target}</span>
            {c.detail ? ` — ${c.detail}` : ''}
          </li>
        ))}
      </ul>
      {diff ? (
        <pre className="fb-rb-diff" aria-label="Planned change">
          {diff}
        </pre>
      ) : null}
      <div className="fb-rb-confirm__row">
        {seconds ? (
          <div className="fb-rb-countdown" data-kind="armed" role="timer" aria-label={`${step.title}: rollback time`}>
            <span className="fb-rb-countdown__big">{clock(seconds)}</span>
            <span className="fb-rb-countdown__caption">If Fieldbench cannot confirm the new address within this time, the node restores its previous settings by itself — you do not need console access.</span>
          </div>
        ) : null}
        <div className="fb-rb-confirm__act">
          <p>{step.confirmText}</p>
          <Button variant="primary" size="lg" icon={<ShieldCheck size={18} />} onClick={() => void resume(step.id)}>
            {seconds ? 'Confirm and apply with automatic rollback' : 'Confirm and continue'}
          </Button>
        </div>
      </div>
    </section>
  );
}

function RunbookList() {
  const { runbooks, selected, runs } = useRunbooksStore(useShallow((s) => ({ runbooks: s.runbooks, selected: s.selected, runs: s.runs })));
  const { select, openRun } = useRunbooksStore.getState();
  return (
    <aside className="fb-rb-side">
      <section className="fb-rb-card" aria-labelledby="fb-rb-books">
        <h2 id="fb-rb-books">Runbooks</h2>
        <ul className="fb-rb-list">
          {runbooks.map((r) => (
            <li key={r.name}>
              <button type="button" className="fb-rb-pick" aria-current={r.name === selected} onClick={() => select(r.name)}>
                {r.title}
                <small>
                  {r.steps.length} steps{r.builtIn ? '' : ' · saved in the vault'}
                  {r.warning ? ' · for testing' : ''}
                </small>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="fb-rb-card" aria-labelledby="fb-rb-runs">
        <h2 id="fb-rb-runs">Recent runs</h2>
        {runs.length === 0 ? <p className="fb-rb-muted">No runs yet.</p> : null}
        <ul className="fb-rb-list">
          {runs.slice(0, 8).map((r) => (
            <li key={r.id}>
              <button type="button" className="fb-rb-pick" onClick={() => void openRun(r.id)}>
                {r.title}
                <small>
                  {r.dryRun ? 'plan' : r.state}
                  {r.node ? ` · ${r.node}` : ''} · {r.updatedAt.slice(0, 16).replace('T', ' ')}
                  {r.signed ? ' · signed' : ''}
                </small>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}

function ParamsForm({ rb }: { rb: RunbookInfo }) {
  const { form, nodes, busy } = useRunbooksStore(useShallow((s) => ({ form: s.form, nodes: s.nodes, busy: s.busy })));
  const { setParam } = useRunbooksStore.getState();
  return (
    <div className="fb-rb-params">
      {rb.params.map((p) =>
        p.type === 'node' ? (
          <Select
            key={p.name}
            label={p.description || p.name}
            options={nodes.map((n) => ({ value: n.name, label: `${n.name} — ${n.host}` }))}
            value={form[p.name] ?? ''}
            placeholder="Choose a node"
            onChange={(e) => setParam(p.name, e.target.value)}
            disabled={busy !== undefined}
          />
        ) : (
          <TextField
            key={p.name}
            label={p.description || p.name}
            hint={p.type === 'list' ? 'Comma-separated' : p.type === 'cidr' ? 'Address/prefix, e.g. 192.168.2.196/24' : undefined}
            value={form[p.name] ?? ''}
            onChange={(e) => setParam(p.name, e.target.value)}
            mono={p.type === 'ip' || p.type === 'cidr'}
            required={p.required}
            disabled={busy !== undefined}
          />
        ),
      )}
    </div>
  );
}

function StepList({ rb, run }: { rb: RunbookInfo; run: RunRecord | undefined }) {
  const { live, busy, confirm } = useRunbooksStore(useShallow((s) => ({ live: s.live, busy: s.busy, confirm: s.confirm })));
  const { toggleConfirm } = useRunbooksStore.getState();
  const countdowns = useCountdowns(run);
  return (
    <ol className="fb-rb-steps">
      {rb.steps.map((step, i) => {
        const rec = run?.steps.find((s) => s.id === step.id);
        const state: StepState = (busy ? live.states[step.id] : undefined) ?? rec?.state ?? 'pending';
        const look = STATE_LOOK[state];
        return (
          <li key={step.id} className="fb-rb-step">
            <span className="fb-rb-step__n">{i + 1}</span>
            <div className="fb-rb-step__body">
              <strong>{step.title}</strong> <span className="fb-rb-muted">({step.uses})</span>
              {countdowns[step.id] ? <StepClock title={step.title} c={countdowns[step.id] as StepCountdown} /> : null}
              {step.risky ? (
                <Checkbox
                  label={step.confirmText ?? 'I confirm this step.'}
                  checked={confirm.includes(step.id)}
                  onChange={() => toggleConfirm(step.id)}
                  disabled={busy !== undefined}
                />
              ) : null}
            </div>
            <Badge tone={look.tone}>{look.text}</Badge>
            {rec && rec.changes.length > 0 && (state === 'planned' || state === 'paused' || state === 'done') ? (
              <div className="fb-rb-step__detail">
                <ul>
                  {rec.changes.map((c) => (
                    <li key={`${c.action}-${c.target}`}>
                      {c.action} {c.target}
                      {c.detail ? ` — ${c.detail}` : ''}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {rec && rec.verified.length > 0 && (state === 'done' || state === 'unchanged') ? (
              // As left: what verify saw (for a test step, each listener and its verdict), as the report prints it.
              <ul className="fb-rb-step__verified" aria-label={`${step.title}: checks`}>
                {rec.verified.map((v) => (
                  <li key={v.name} data-ok={v.ok}>
                    {v.ok ? '✔' : '✘'} {v.name} — {v.detail}
                  </li>
                ))}
              </ul>
            ) : null}
            {rec?.error && (state === 'failed' || state === 'paused' || state === 'cancelled') ? <div className="fb-rb-step__error">{rec.error}</div> : null}
          </li>
        );
      })}
    </ol>
  );
}

function RunLog({ run }: { run: RunRecord | undefined }) {
  const { live, busy } = useRunbooksStore(useShallow((s) => ({ live: s.live, busy: s.busy })));
  const lines = busy ? live.log : (run?.log ?? []);
  if (lines.length === 0) return null;
  return (
    <pre className="fb-rb-log" aria-label="Run log">
      {lines.slice(-200).map((l, i) => (
        <div key={`${l.at}-${i}`} data-level={l.level}>
          {l.at.slice(11, 19)} {l.step ? `[${l.step}] ` : ''}
          {l.message}
        </div>
      ))}
    </pre>
  );
}

function ReportPanel({ run }: { run: RunRecord }) {
  const report = useRunbooksStore((s) => s.report);
  const [site, setSite] = useState('');
  const [technician, setTechnician] = useState(run.technician ?? '');
  const [witness, setWitness] = useState('');
  const pdf = useRunbooksStore((s) => s.pdf);
  const { loadReport, signOff, savePdf } = useRunbooksStore.getState();
  return (
    <section className="fb-rb-card" aria-labelledby="fb-rb-report">
      <h2 id="fb-rb-report">Commissioning report</h2>
      <div className="fb-rb-actions">
        <TextField label="Site" value={site} onChange={(e) => setSite(e.target.value)} />
        <Button icon={<FileDown size={18} />} onClick={() => void loadReport(site || undefined)}>
          Build the report
        </Button>
        {report ? (
          <Button variant="primary" icon={<FileDown size={18} />} onClick={() => saveTextFile(`commissioning-${run.id}.html`, report.html, 'text/html')}>
            Save report (HTML)
          </Button>
        ) : null}
        {report ? (
          <Button icon={<FileDown size={18} />} loading={pdf?.busy} onClick={() => void savePdf(site || undefined)}>
            Save report (PDF)
          </Button>
        ) : null}
      </div>
      {pdf?.message ? (
        <p className="fb-rb-callout" data-tone={pdf.ok ? 'success' : 'warning'} role="status">
          {pdf.message}
        </p>
      ) : null}
      {report ? (
        <>
          <div>
            Configuration fingerprint <span className="fb-rb-fp">{report.fingerprint}</span>
          </div>
          <p className="fb-rb-callout" data-tone={report.punchList ? 'danger' : 'success'}>
            {report.punchList ? `${report.punchList} item(s) on the punch list: failed or skipped checks the customer should see.` : 'Punch list empty: every step verified.'}
          </p>
        </>
      ) : null}
      {run.signedOff ? (
        <p className="fb-rb-callout" data-tone="success">
          Signed by {run.signedOff.technician}, witnessed by {run.signedOff.witness} on {run.signedOff.at.slice(0, 16).replace('T', ' ')} (fingerprint {run.signedOff.fingerprint}).
        </p>
      ) : (
        <div className="fb-rb-sign">
          <TextField label="Tested by (technician)" value={technician} onChange={(e) => setTechnician(e.target.value)} />
          <TextField label="Witnessed by (customer)" value={witness} onChange={(e) => setWitness(e.target.value)} />
          <Button icon={<Stamp size={18} />} disabled={!technician.trim() || !witness.trim()} onClick={() => void signOff(technician, witness)}>
            Sign off
          </Button>
        </div>
      )}
    </section>
  );
}

function Detail() {
  const { runbooks, selected, run, busy, error, technician } = useRunbooksStore(
    useShallow((s) => ({ runbooks: s.runbooks, selected: s.selected, run: s.run, busy: s.busy, error: s.error, technician: s.technician })),
  );
  const { start, resume, pause, cancel, setTechnician } = useRunbooksStore.getState();
  const rb = runbooks.find((r) => r.name === selected);
  const shown = rb && run && run.runbook === rb.name ? run : undefined;
  const countdowns = useCountdowns(shown);
  if (!rb) return <p className="fb-rb-muted">Choose a runbook.</p>;
  const resumable = shown && !shown.dryRun && (shown.state === 'paused' || shown.state === 'failed' || shown.state === 'cancelled');
  return (
    <div className="fb-rb-main">
      <section className="fb-rb-card" aria-labelledby="fb-rb-title">
        <h2 id="fb-rb-title">{rb.title}</h2>
        {rb.description ? <p className="fb-rb-muted">{rb.description}</p> : null}
        {rb.warning ? (
          <p className="fb-rb-callout" role="note">
            {rb.warning}
          </p>
        ) : null}
        <ParamsForm rb={rb} />
        <div className="fb-rb-actions">
          <TextField label="Technician" value={technician} onChange={(e) => setTechnician(e.target.value)} disabled={busy !== undefined} />
          <Button icon={<TestTubeDiagonal size={18} />} onClick={() => void start(true)} loading={busy === 'plan'} disabled={busy !== undefined}>
            Plan (changes nothing)
          </Button>
          <Button variant="primary" icon={<Play size={18} />} onClick={() => void start(false)} loading={busy === 'run'} disabled={busy !== undefined}>
            Run
          </Button>
          {busy === 'run' || busy === 'resume' ? (
            <>
              <Button icon={<Pause size={18} />} onClick={() => void pause()}>
                Pause after this step
              </Button>
              <Button variant="danger" icon={<Square size={18} />} onClick={() => void cancel()}>
                Cancel
              </Button>
            </>
          ) : null}
          {resumable && !busy && !confirmStepOf(rb, shown) ? (
            <Button variant="primary" icon={<RotateCcw size={18} />} onClick={() => void resume()}>
              Resume from step “{shown.steps.find((s) => s.state !== 'done' && s.state !== 'unchanged')?.title}”
            </Button>
          ) : null}
        </div>
        {error ? (
          <p className="fb-rb-callout" data-tone="danger" role="alert">
            {error.message}
          </p>
        ) : null}
      </section>
      {shown && !busy ? <ConfirmPanel rb={rb} run={shown} /> : null}
      <section className="fb-rb-card" aria-labelledby="fb-rb-steps">
        <h2 id="fb-rb-steps">
          Steps{busy ? ` — ${busy === 'plan' ? 'planning…' : 'running…'}` : shown ? ` — ${shown.dryRun ? 'plan' : shown.state}` : ''}
          {shown && !busy ? <span className="fb-rb-muted fb-rb-mono"> {shown.id}</span> : null}
        </h2>
        <WaitingNow rb={rb} countdowns={countdowns} />
        <StepList rb={rb} run={shown} />
        {shown?.log.at(-1) && !busy ? <p>{shown.log.at(-1)?.message}</p> : null}
        <RunLog run={shown} />
      </section>
      {shown && !shown.dryRun && shown.state === 'done' ? <ReportPanel key={shown.id} run={shown} /> : null}
    </div>
  );
}

/** The Runbooks area: choose a flow, fill its parameters, plan it, run it with confirms, resume it, report and sign. */
export function RunbooksPage() {
  const vault = useRunbooksStore((s) => s.vault);
  const go = useNavigationStore((s) => s.go);
  useEffect(() => {
    void useRunbooksStore.getState().load();
  }, []);
  if (vault === 'missing' || vault === 'locked') {
    return (
      <div className="fb-rb-page">
        <PageHeader title="Runbooks" description={DESCRIPTION} />
        <div className="fb-rb-wide">
          <EmptyState
            icon={<KeyRound size={40} />}
            title={vault === 'missing' ? 'Create the vault first' : 'Unlock the vault first'}
            action={
              <Button variant="primary" size="lg" onClick={() => go('vault')}>
                Go to Vault & PKI
              </Button>
            }
          >
            <p>Runs are kept in the encrypted vault with every step's state, so a run can resume after a dropped link.</p>
          </EmptyState>
        </div>
      </div>
    );
  }
  return (
    <div className="fb-rb-page">
      <PageHeader title="Runbooks" description={DESCRIPTION} />
      <RunbookList />
      <Detail />
    </div>
  );
}
