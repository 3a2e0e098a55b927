import { useShallow } from 'zustand/react/shallow';
import { CircleCheck, CircleX, TriangleAlert } from 'lucide-react';
import { Tabs } from '../../ui';
import { useNetworkStore } from './use-network-store';

function DiffView({ diff }: { diff: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  if (diff.trim() === '') return <p className="fb-net-muted">The file would not change.</p>;
  return (
    <pre className="fb-net-code fb-net-diff" aria-label="Diff against the current file">
      {lines.map((text, i) => {
        const kind = text.startsWith('+++') || text.startsWith('---') || text.startsWith('Index:') || text.startsWith('===') ? 'header' : text.startsWith('@@') ? 'hunk' : text.startsWith('+') ? 'added' : text.startsWith('-') ? 'removed' : 'context';
        return (
          <span key={i} className="fb-net-diff__line" data-kind={kind}>
            {text || ' '}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

/** The planned file: what changes in words, the diff against the current file, the whole YAML, and netplan's verdict. */
export function PlanPanel() {
  const { plan, validation, validateError, planError } = useNetworkStore(useShallow((s) => ({ plan: s.plan, validation: s.validation, validateError: s.validateError, planError: s.planError })));
  if (planError) {
    return (
      <div className="fb-net-callout" data-tone="danger" role="alert">
        <CircleX size={18} aria-hidden="true" />
        <p>{planError.message}</p>
      </div>
    );
  }
  if (!plan) {
    return <p className="fb-net-muted">Fill in the form and choose <strong>Preview the change</strong> to see the netplan file and its diff. Nothing on the node changes until you apply.</p>;
  }
  const errors = plan.findings.filter((f) => f.severity === 'error');
  const warnings = plan.findings.filter((f) => f.severity === 'warning');
  return (
    <div className="fb-net-plan">
      <p className="fb-net-plan__file">
        Writes <span className="fb-net-mono">{plan.file.path}</span>
        {plan.file.exists ? '' : ' (a new file)'}
        {plan.keptFiles.length > 0 ? (
          <>
            ; keeps <span className="fb-net-mono">{plan.keptFiles.join(', ')}</span>
          </>
        ) : null}
        . The node answers on <strong className="fb-net-mono">{plan.newHost}</strong> afterwards.
      </p>
      {errors.length + warnings.length > 0 ? (
        <ul className="fb-net-findings" aria-label="Findings">
          {[...errors, ...warnings].map((f) => (
            <li key={`${f.field}-${f.code}`} data-severity={f.severity}>
              {f.severity === 'error' ? <CircleX size={16} aria-hidden="true" /> : <TriangleAlert size={16} aria-hidden="true" />}
              <span>{f.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <Tabs
        label="Planned netplan file"
        items={[
          {
            id: 'changes',
            label: 'Changes',
            content: plan.changes.length ? (
              <ul className="fb-net-changes">
                {plan.changes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            ) : (
              <p className="fb-net-muted">Nothing changes.</p>
            ),
          },
          { id: 'diff', label: 'Diff', content: <DiffView diff={plan.diff} /> },
          { id: 'yaml', label: 'New file', content: <pre className="fb-net-code">{plan.yaml}</pre> },
          { id: 'current', label: 'Current file', content: plan.currentYaml === null ? <p className="fb-net-muted">The file does not exist yet.</p> : <pre className="fb-net-code">{plan.currentYaml}</pre> },
        ]}
      />
      {validateError ? (
        <div className="fb-net-callout" data-tone="danger" role="alert">
          <CircleX size={18} aria-hidden="true" />
          <p>{validateError.message}</p>
        </div>
      ) : validation ? (
        validation.ok ? (
          <div className="fb-net-callout" data-tone="success" role="status">
            <CircleCheck size={18} aria-hidden="true" />
            <p>The node's own netplan accepts the new configuration (checked in a temporary copy; nothing was written).</p>
          </div>
        ) : (
          <div className="fb-net-callout" data-tone="danger" role="alert">
            <CircleX size={18} aria-hidden="true" />
            <div>
              <p>The node's netplan rejects the configuration. Fix this before applying:</p>
              <ul className="fb-net-netplan-errors">
                {validation.errors.map((e) => (
                  <li key={`${e.file}:${e.line}:${e.column}`}>
                    <span className="fb-net-mono">
                      {e.file}:{e.line}:{e.column}
                    </span>{' '}
                    {e.message}
                    {e.excerpt ? <pre className="fb-net-code">{e.excerpt}</pre> : null}
                  </li>
                ))}
              </ul>
              {validation.errors.length === 0 ? <pre className="fb-net-code">{validation.output}</pre> : null}
            </div>
          </div>
        )
      ) : null}
    </div>
  );
}
