import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Circle, CircleCheck, CircleMinus, CircleX, LoaderCircle, ShieldCheck, TriangleAlert, Undo2 } from 'lucide-react';
import { APPLY_STEP_LABELS, APPLY_STEP_ORDER, type ApplyStep } from '@shared/contract/network-contract';
import { Button, Dialog } from '../../ui';
import { clock, settingsOf } from './network-form';
import { useNetworkStore } from './use-network-store';


const STATUS_WORDS: Record<ApplyStep['status'], string> = { pending: 'Waiting', running: 'Running', ok: 'Done', warning: 'Warning', failed: 'Failed', skipped: 'Skipped' };

function StepIcon({ status }: { status: ApplyStep['status'] }) {
  const p = { size: 20, 'aria-hidden': true } as const;
  if (status === 'running') return <LoaderCircle {...p} className="fb-spinner" />;
  if (status === 'ok') return <CircleCheck {...p} />;
  if (status === 'warning') return <TriangleAlert {...p} />;
  if (status === 'failed') return <CircleX {...p} />;
  if (status === 'skipped') return <CircleMinus {...p} />;
  return <Circle {...p} />;
}

/** Steps as the service reports them; before the first report, the planned list so the person sees what will happen. */
function stepsToShow(steps: ApplyStep[]): ApplyStep[] {
  if (steps.length > 0) return steps;
  return APPLY_STEP_ORDER.map((id) => ({ id, label: APPLY_STEP_LABELS[id], status: 'pending' }));
}

/** The big countdown: what the node will do by itself, and when. */
function Countdown() {
  const { rollback, running, armedSeconds } = useNetworkStore(useShallow((s) => ({ rollback: s.run?.rollback, running: s.run?.running ?? false, armedSeconds: s.rollbackSeconds })));
  let big: string;
  let caption: string;
  let tone: 'neutral' | 'warning' | 'success' | 'danger';
  if (!rollback) {
    big = clock(armedSeconds);
    caption = running ? 'The rollback is armed before anything on the node changes.' : 'No rollback was armed: nothing on the node changed.';
    tone = 'neutral';
  } else if (rollback.state === 'armed') {
    big = clock(rollback.secondsLeft);
    caption = 'until the node restores its previous settings by itself, unless Fieldbench confirms the new address first.';
    tone = 'warning';
  } else if (rollback.state === 'cancelled') {
    big = 'Kept';
    caption = 'The rollback was cancelled: the new settings stay.';
    tone = 'success';
  } else if (running) {
    big = 'Rolling back';
    caption = 'The node is restoring its previous settings.';
    tone = 'danger';
  } else {
    // Once the run is over the restore has happened; "Rolling back" beside the result read as still in progress.
    big = 'Rolled back';
    caption = 'The node restored its previous settings by itself.';
    tone = 'warning';
  }
  return (
    <div className="fb-net-countdown" data-tone={tone} role="timer" aria-label="Automatic rollback" aria-live="off">
      <span className="fb-net-countdown__big">{big}</span>
      <span className="fb-net-countdown__caption">{caption}</span>
    </div>
  );
}

function Outcome() {
  const run = useNetworkStore((s) => s.run);
  if (!run || run.running) return null;
  if (run.error) {
    const cancelled = run.error.code === 'cancelled';
    return (
      <div className="fb-net-outcome" data-tone={cancelled ? 'neutral' : 'danger'} role="alert">
        <CircleX size={28} aria-hidden="true" />
        <div>
          <h3>{cancelled ? 'Stopped' : 'Not applied'}</h3>
          <p>{run.error.message}</p>
          {run.rollback ? null : <p>The node keeps its previous settings.</p>}
        </div>
      </div>
    );
  }
  const r = run.result!;
  if (r.outcome === 'applied') {
    return (
      <div className="fb-net-outcome" data-tone="success" role="status">
        <ShieldCheck size={28} aria-hidden="true" />
        <div>
          <h3>Applied: the node answers on {r.host}</h3>
          <p>{r.message}</p>
          {r.profileUpdated ? <p>The node profile now connects to {r.host}.</p> : null}
          <p className="fb-net-muted">
            The previous files are kept on the node in <span className="fb-net-mono">{r.backupDir}</span>.
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="fb-net-outcome" data-tone="warning" role="status">
      <Undo2 size={28} aria-hidden="true" />
      <div>
        <h3>Rolled back by itself: the node is back on {r.host}</h3>
        <p>
          Fieldbench could not confirm {r.newHost}, so the node put its previous network settings back on its own, exactly as
          planned. It answers on {r.host} again and nothing from this change remains. The profile was not changed.
        </p>
        <p className="fb-net-muted">{r.message}</p>
      </div>
    </div>
  );
}

/** The apply in progress or finished: countdown, live step list, and the outcome in plain words. */
export function ApplyPanel() {
  const run = useNetworkStore((s) => s.run);
  const { cancelApply, finishRun } = useNetworkStore.getState();
  const heading = useRef<HTMLHeadingElement>(null);
  const applyId = run?.applyId;
  const finished = run ? !run.running : false;
  // The Apply button sits below this panel: bring the countdown into view and move focus to it, and again to the outcome.
  useEffect(() => {
    if (!applyId) return;
    heading.current?.scrollIntoView?.({ block: 'start' });
    heading.current?.focus({ preventScroll: true });
  }, [applyId, finished]);
  if (!run) return null;
  const steps = stepsToShow(run.steps);
  const armed = steps.some((s) => s.id === 'arm' && s.status !== 'pending');
  return (
    <section className="fb-net-card fb-net-apply" aria-labelledby="fb-net-apply-title">
      <div className="fb-net-card__head">
        <h2 id="fb-net-apply-title" ref={heading} tabIndex={-1}>
          {run.running ? 'Applying' : 'Result'}: <span className="fb-net-mono">{run.address}</span>
        </h2>
        {run.running && !armed ? (
          <Button onClick={() => void cancelApply()}>Stop before anything changes</Button>
        ) : null}
        {!run.running ? (
          <Button variant="primary" onClick={() => void finishRun()}>
            Done — read the node again
          </Button>
        ) : null}
      </div>
      <Outcome />
      <div className="fb-net-apply__grid">
        <Countdown />
        <ol className="fb-net-steps" aria-label="Steps">
          {steps.map((s) => (
            <li key={s.id} className="fb-net-step" data-status={s.status} aria-current={s.status === 'running' ? 'step' : undefined}>
              <StepIcon status={s.status} />
              <div>
                <p className="fb-net-step__label">
                  {s.label} <span className="fb-net-step__status">— {STATUS_WORDS[s.status]}</span>
                </p>
                {s.message ? <p className="fb-net-step__message">{s.message}</p> : null}
              </div>
            </li>
          ))}
        </ol>
      </div>
      {run.running ? (
        <p className="fb-net-muted" aria-live="polite">
          {run.message}
        </p>
      ) : null}
    </section>
  );
}

/** Asks once more, in words, before the node's network changes. */
export function ApplyConfirmDialog() {
  const { open, form, nodeName, host, seconds } = useNetworkStore(
    useShallow((s) => ({ open: s.confirmOpen, form: s.form, nodeName: s.nodes.find((n) => n.id === s.nodeId)?.name ?? 'the node', host: s.snapshot?.host ?? '', seconds: s.rollbackSeconds })),
  );
  const { closeConfirm, apply } = useNetworkStore.getState();
  const settings = settingsOf(form);
  return (
    <Dialog
      open={open}
      onClose={closeConfirm}
      title={`Apply ${settings.address} to ${settings.interface} on ${nodeName}?`}
      footer={
        <>
          <Button onClick={closeConfirm}>Not now</Button>
          <Button variant="primary" onClick={() => void apply()}>
            Apply with automatic rollback
          </Button>
        </>
      }
    >
      <p>
        Fieldbench backs up <span className="fb-net-mono">/etc/netplan</span>, arms a rollback on the node, writes the new file and applies it. The SSH
        session to {host} ends when the address changes; Fieldbench then connects to the new address.
      </p>
      <p>
        If it cannot confirm the new address within <strong>{clock(seconds)}</strong>, the node restores its previous settings by itself — you do not
        need console access.
      </p>
    </Dialog>
  );
}
