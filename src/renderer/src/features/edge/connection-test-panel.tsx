import { useState, type FormEvent } from 'react';
import { KeyRound, PlugZap } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Progress, StatusBadge, TextField, type Status } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import type { NodeSummary, NodeTestResult } from './edge-state';
import { useEdgeStore } from './use-edge-store';

type Step = NodeTestResult['steps'][number];

const STEP_LOOK: Record<Step['status'], { status: Status; label: string }> = {
  ok: { status: 'ok', label: 'Passed' },
  failed: { status: 'error', label: 'Failed' },
  skipped: { status: 'unknown', label: 'Skipped' },
};

/** One line per step: badge, what was checked, and the sentence that says what was found or what to do. */
export function TestSteps({ steps }: { steps: readonly Step[] }) {
  return (
    <ol className="fb-edge-steps" aria-label="Connection test steps">
      {steps.map((s) => (
        <li key={s.id} className="fb-edge-steps__item" data-status={s.status}>
          <StatusBadge status={STEP_LOOK[s.status].status} label={STEP_LOOK[s.status].label} />
          <div className="fb-edge-steps__text">
            <span className="fb-edge-steps__label">{s.label}</span>
            <span className="fb-edge-steps__message">{s.message}</span>
            {s.detail && s.status === 'failed' ? (
              <details className="fb-edge-details">
                <summary>Details</summary>
                <pre className="fb-edge-pre">{s.detail}</pre>
              </details>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** Asks for the sudo password for this one test; it goes straight into the call and is not kept. */
function SudoPasswordForm({ node }: { node: NodeSummary }) {
  const testNode = useEdgeStore((s) => s.testNode);
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password === '') return;
    const typed = password;
    setPassword('');
    void testNode(node.id, typed);
  };
  return (
    <form className="fb-edge-inline-form" onSubmit={submit}>
      <TextField
        type="password"
        label={`sudo password for ${node.user}`}
        hint="Used for this test only. To keep it, edit the node and enter it as the sudo password."
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" icon={<KeyRound size={18} />} disabled={password === ''}>
        Test again with this password
      </Button>
    </form>
  );
}

export function ConnectionTestPanel({ node }: { node: NodeSummary }) {
  const { test, cancelTest, reviewHostKey, testNode } = useEdgeStore(
    useShallow((s) => ({ test: s.tests[node.id], cancelTest: s.cancelTest, reviewHostKey: s.reviewHostKey, testNode: s.testNode })),
  );
  const job = useJobsStore((s) => (test?.jobId ? s.jobs[test.jobId] : undefined));

  if (test?.jobId) {
    return (
      <div className="fb-edge-panel">
        <Progress
          label="Connection test"
          message={job?.message ?? 'Starting…'}
          fraction={job?.fraction}
          onCancel={() => void cancelTest(node.id)}
          cancelling={job?.status === 'cancelling'}
        />
        {test.result ? <TestSteps steps={test.result.steps} /> : null}
      </div>
    );
  }
  if (test?.error) {
    return (
      <div className="fb-edge-panel">
        <div className="fb-edge-alert" role="alert">
          <StatusBadge status="error" label="Test did not run" />
          <p>{test.error.message}</p>
        </div>
      </div>
    );
  }
  const result = test?.result;
  if (!result) {
    return (
      <div className="fb-edge-panel">
        <p className="fb-edge-muted">
          Not tested yet. <strong>Test connection</strong> checks, in order: the node answers, its host key, the login, sudo, the Kubernetes API and Azure IoT Operations.
        </p>
      </div>
    );
  }
  const failed = result.steps.find((s) => s.status === 'failed');
  const hostKeyPending = result.hostKey && result.hostKey.status !== 'trusted';
  return (
    <div className="fb-edge-panel">
      <div className="fb-edge-summary" role="status">
        {result.ok ? (
          <StatusBadge status="ok" label="All steps passed" />
        ) : (
          <StatusBadge status="error" label={failed ? `Failed at: ${failed.label}` : 'Failed'} />
        )}
        {result.kubernetesVersion ? <span>Kubernetes {result.kubernetesVersion}</span> : null}
        {result.aioVersions && result.aioVersions.length > 0 ? <span>AIO broker API {result.aioVersions.join(', ')}</span> : null}
      </div>
      <TestSteps steps={result.steps} />
      {hostKeyPending ? (
        <Button icon={<KeyRound size={18} />} onClick={() => reviewHostKey(node.id)}>
          Review the host key
        </Button>
      ) : null}
      {test?.needsSudoPassword ? <SudoPasswordForm node={node} /> : null}
      {!result.ok && !hostKeyPending && !test?.needsSudoPassword ? (
        <Button icon={<PlugZap size={18} />} onClick={() => void testNode(node.id)}>
          Test again
        </Button>
      ) : null}
    </div>
  );
}
