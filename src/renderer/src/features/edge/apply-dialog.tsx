import { useMemo } from 'react';
import { Play, RefreshCw, RotateCw, TriangleAlert } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Badge, Button, Checkbox, Dialog, Progress, StatusBadge, Tabs, type Status } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import type { AppliedResourceT, ApplyPlanT, PlannedResourceT, ReadBackItemT, ResourceRefT } from '@shared/contract/aio-contract';
import { diffLines, diffStats } from './diff-lines';
import { useEdgeStore } from './use-edge-store';

const OUTCOME: Record<AppliedResourceT['outcome'] | 'waiting', { status: Status; label: string }> = {
  applied: { status: 'ok', label: 'Applied' },
  unchanged: { status: 'ok', label: 'Unchanged' },
  failed: { status: 'error', label: 'Failed' },
  'not-attempted': { status: 'unknown', label: 'Not attempted' },
  unknown: { status: 'warning', label: 'Unknown — read it back' },
  waiting: { status: 'unknown', label: 'Waiting' },
};

const ACTION: Record<PlannedResourceT['action'], string> = { create: 'Create', update: 'Update', unchanged: 'No change' };

const refText = (r: ResourceRefT) => `${r.kind} ${r.name}`;

/** A unified diff, coloured and marked: + and − stay in the text so it reads without colour too. */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = useMemo(() => diffLines(diff), [diff]);
  if (lines.length === 0) return <p className="fb-edge-muted">No differences: the cluster already has exactly this.</p>;
  const { added, removed } = diffStats(lines);
  return (
    <div className="fb-edge-code-wrap">
      <p className="fb-edge-small">
        {added} line{added === 1 ? '' : 's'} added, {removed} removed
      </p>
      <pre className="fb-edge-code" tabIndex={0} aria-label={label}>
        {lines.map((l, i) => (
          <span key={i} className="fb-edge-code__line" data-kind={l.kind}>
            {l.text || ' '}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}

function ResourcePlan({ r }: { r: PlannedResourceT }) {
  return (
    <div className="fb-edge-resource">
      <div className="fb-edge-resource__badges">
        <Badge tone={r.action === 'create' ? 'info' : r.action === 'update' ? 'warning' : 'neutral'}>{ACTION[r.action]}</Badge>
        {r.dryRun.ok ? <StatusBadge status="ok" label="Dry run passed" /> : <StatusBadge status="error" label="Dry run refused" />}
        <span className="fb-edge-small fb-mono">{r.apiVersion}</span>
      </div>
      {!r.dryRun.ok && r.dryRun.message ? (
        <p className="fb-edge-alert" role="alert">
          {r.dryRun.message}
        </p>
      ) : null}
      {r.conflictsWith.length > 0 ? (
        <p className="fb-edge-alert" data-tone="warning">
          Fields this apply changes are owned by {r.conflictsWith.join(', ')}.
        </p>
      ) : null}
      <Tabs
        label={`${refText(r.ref)}: diff or YAML`}
        items={[
          { id: 'diff', label: 'Diff against the cluster', content: <DiffView diff={r.diff} label={`Diff of ${refText(r.ref)}`} /> },
          {
            id: 'yaml',
            label: 'Exact YAML sent',
            content: (
              <pre className="fb-edge-code" tabIndex={0} aria-label={`YAML of ${refText(r.ref)}`}>
                {r.yaml}
              </pre>
            ),
          },
        ]}
      />
    </div>
  );
}

function PlanView({ plan, force, onForce }: { plan: ApplyPlanT; force: boolean; onForce: (f: boolean) => void }) {
  const errors = plan.issues.filter((i) => i.severity === 'error');
  const warnings = plan.issues.filter((i) => i.severity === 'warning');
  const conflicts = plan.resources.filter((r) => r.conflictsWith.length > 0);
  return (
    <div className="fb-edge-plan">
      <p className="fb-edge-small">
        {plan.via} · namespace <span className="fb-mono">{plan.namespace}</span>
      </p>
      {errors.length > 0 ? (
        <ul className="fb-edge-issues" aria-label="Problems that stop the apply">
          {errors.map((i, n) => (
            <li key={n} className="fb-edge-alert fb-edge-issue" role="alert">
              <span className="fb-edge-issue__head">
                <StatusBadge status="error" label="Problem" /> <span className="fb-mono">{refText(i.resource)}</span>
              </span>
              <span>{i.sentence}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {warnings.length > 0 ? (
        <ul className="fb-edge-issues" aria-label="Warnings">
          {warnings.map((i, n) => (
            <li key={n} className="fb-edge-alert fb-edge-issue" data-tone="warning">
              <span className="fb-edge-issue__head">
                <StatusBadge status="warning" /> <span className="fb-mono">{refText(i.resource)}</span>
              </span>
              <span>{i.sentence}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {conflicts.length > 0 || force ? (
        <div className="fb-edge-force" data-forced={force || undefined}>
          <p>
            <TriangleAlert size={18} aria-hidden="true" />{' '}
            {conflicts.length > 0
              ? `Another tool owns fields this apply changes: ${conflicts.map((r) => `${refText(r.ref)} (${r.conflictsWith.join(', ')})`).join('; ')}. Without force the cluster refuses the apply.`
              : 'This plan takes over fields other tools own.'}
          </p>
          <Checkbox
            label="Force: take over those fields"
            hint="The other tool (often the Azure portal) may put its values back later, or show settings that no longer match. Force only when you mean to take the resource over."
            checked={force}
            onChange={(e) => onForce(e.target.checked)}
          />
        </div>
      ) : null}
      {plan.resources.length > 0 ? (
        <Tabs
          label="Resources in this apply"
          items={plan.resources.map((r, i) => ({
            id: String(i),
            label: (
              <span className="fb-edge-tab-label">
                {refText(r.ref)} <span className="fb-edge-small">· {ACTION[r.action]}</span>
              </span>
            ),
            content: <ResourcePlan r={r} />,
          }))}
        />
      ) : (
        <p className="fb-edge-muted">Nothing to apply.</p>
      )}
    </div>
  );
}

function Outcomes({ refs, outcomes }: { refs: readonly ResourceRefT[]; outcomes: (AppliedResourceT | undefined)[] }) {
  return (
    <ol className="fb-edge-steps" aria-label="Result per resource">
      {refs.map((ref, i) => {
        const o = outcomes[i];
        const look = OUTCOME[o?.outcome ?? 'waiting'];
        return (
          <li key={`${ref.kind}/${ref.name}`} className="fb-edge-steps__item" data-outcome={o?.outcome ?? 'waiting'}>
            <StatusBadge status={look.status} label={look.label} />
            <div className="fb-edge-steps__text">
              <span className="fb-edge-steps__label fb-mono">{refText(ref)}</span>
              {o?.error ? <span className="fb-edge-steps__message">{o.error.message}</span> : o?.message ? <span className="fb-edge-steps__message">{o.message}</span> : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function ReadBack({ items }: { items: readonly ReadBackItemT[] }) {
  if (items.length === 0) return null;
  return (
    <section className="fb-edge-section" aria-labelledby="fb-edge-readback">
      <h3 id="fb-edge-readback">Read back from the cluster</h3>
      <ul className="fb-edge-readback">
        {items.map((r) => (
          <li key={`${r.ref.kind}/${r.ref.name}`}>
            {r.exists ? <StatusBadge status="ok" label="Present" /> : <StatusBadge status="error" label="Missing" />}
            <span className="fb-mono">{refText(r.ref)}</span>
            {r.resourceVersion ? <span className="fb-edge-small">version {r.resourceVersion}</span> : null}
            {r.managers.length > 0 ? <span className="fb-edge-small">managed by {r.managers.join(', ')}</span> : null}
            {r.conditions.map((c) => (
              <span key={c.type} className="fb-edge-small">
                {c.type} {c.status}
                {c.reason ? ` (${c.reason})` : ''}
              </span>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Plan → Apply → result: the exact YAML and diff first, per-resource progress, and Re-run when something failed. */
export function ApplyDialog() {
  const { session, node, setForce, runApply, cancelApply, closeApply, startApply } = useEdgeStore(
    useShallow((s) => ({
      session: s.apply,
      node: s.nodes.find((n) => n.id === s.apply?.nodeId),
      setForce: s.setForce,
      runApply: s.runApply,
      cancelApply: s.cancelApply,
      closeApply: s.closeApply,
      startApply: s.startApply,
    })),
  );
  const job = useJobsStore((s) => (session?.jobId ? s.jobs[session.jobId] : undefined));
  if (!session) return null;
  const { stage, plan, result } = session;
  const refs = plan?.resources.map((r) => r.ref) ?? result?.resources.map((r) => r.ref) ?? [];
  const outcomes = stage === 'done' && result ? result.resources : refs.map((_, i) => session.progress[i]);
  const nodeName = node?.name ?? 'the node';

  let footer;
  if (stage === 'planning') footer = <Button onClick={closeApply}>Cancel</Button>;
  else if (stage === 'plan')
    footer = (
      <>
        <Button onClick={closeApply}>Cancel</Button>
        {session.planError ? (
          <Button icon={<RefreshCw size={18} />} onClick={() => void startApply(session.nodeId, session.spec, session.title, session.force)}>
            Plan again
          </Button>
        ) : null}
        <Button variant={session.force ? 'danger' : 'primary'} icon={<Play size={18} />} disabled={!plan?.canApply} onClick={() => void runApply()}>
          {session.force ? 'Force apply' : 'Apply'} {plan ? `${plan.resources.length} resource${plan.resources.length === 1 ? '' : 's'}` : ''} to {nodeName}
        </Button>
      </>
    );
  else if (stage === 'applying') footer = null;
  else
    footer = (
      <>
        {result && !result.complete ? (
          <Button icon={<RotateCw size={18} />} onClick={() => void runApply()}>
            Re-run the apply
          </Button>
        ) : session.applyError ? (
          <Button icon={<RotateCw size={18} />} onClick={() => void runApply()}>
            Re-run the apply
          </Button>
        ) : null}
        <Button variant="primary" onClick={closeApply}>
          Close
        </Button>
      </>
    );

  return (
    <Dialog
      open
      onClose={closeApply}
      size="lg"
      closeOnBackdrop={false}
      title={stage === 'done' ? `Applied to ${nodeName}` : stage === 'applying' ? `Applying to ${nodeName}…` : `Apply to ${nodeName}`}
      description={session.title}
      footer={footer}
    >
      <div className="fb-edge-apply" data-stage={stage}>
        {stage === 'planning' ? <Progress label="Planning" message={job?.message ?? 'Building the resources and asking the cluster for a dry run…'} fraction={job?.fraction} /> : null}
        {stage === 'plan' && session.planError ? (
          <div className="fb-edge-alert" role="alert">
            <StatusBadge status="error" label="No plan" />
            <p>{session.planError.message}</p>
          </div>
        ) : null}
        {stage === 'plan' && plan ? (
          <>
            <PlanView plan={plan} force={session.force} onForce={(f) => void setForce(f)} />
            {!plan.canApply ? (
              <p className="fb-edge-alert" role="status">
                Apply stays off until the problems above are fixed and every dry run passes. Nothing was changed on the cluster.
              </p>
            ) : null}
          </>
        ) : null}
        {stage === 'applying' ? (
          <>
            <Progress label="Applying" message={job?.message ?? 'Applying…'} fraction={job?.fraction} onCancel={() => void cancelApply()} cancelling={job?.status === 'cancelling'} />
            <Outcomes refs={refs} outcomes={outcomes} />
          </>
        ) : null}
        {stage === 'done' ? (
          <>
            {result ? (
              <p className="fb-edge-summary" role="status">
                {result.complete ? <StatusBadge status="ok" label="Complete" /> : <StatusBadge status="error" label="Incomplete" />} {result.summary}
              </p>
            ) : null}
            {session.applyError ? (
              <div className="fb-edge-alert" role="alert">
                <StatusBadge status="error" label="Apply failed" />
                <p>{session.applyError.message}</p>
              </div>
            ) : null}
            <Outcomes refs={refs} outcomes={outcomes} />
            {result && !result.complete ? <p className="fb-edge-small">Running the apply again finishes the job: what is already there stays as it is, nothing is duplicated.</p> : null}
            {result ? <ReadBack items={result.readBack} /> : null}
          </>
        ) : null}
      </div>
    </Dialog>
  );
}
