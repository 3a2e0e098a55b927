import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ListChecks, ShieldCheck } from 'lucide-react';
import { Button, StatusBadge } from '../../ui';
import { useNavigationStore } from '../../core/use-navigation-store';
import type { NodeSummary } from './edge-state';
import { useCommissioningStore } from './use-commissioning-store';

/** The node's last commissioning run (signed or not) and whether anything drifted since: `runbook verify` in the app. */
export function CommissioningPanel({ node }: { node: NodeSummary }) {
  const { runs, drift, checking, error } = useCommissioningStore(
    useShallow((s) => ({ runs: s.runs[node.name], drift: s.drift[node.name], checking: s.checking[node.name] ?? false, error: s.error[node.name] })),
  );
  const go = useNavigationStore((s) => s.go);
  useEffect(() => {
    void useCommissioningStore.getState().load(node.name);
  }, [node.name]);
  const last = runs?.find((r) => r.state === 'done');
  return (
    <div className="fb-edge-panel">
      {error ? <p className="fb-edge-alert" role="alert">{error.message}</p> : null}
      {!runs ? <p className="fb-edge-muted">Reading the runs kept in the vault…</p> : null}
      {runs && !last ? (
        <p className="fb-edge-muted">
          {node.name} has no finished runbook run yet.{' '}
          <Button size="sm" icon={<ListChecks size={16} />} onClick={() => go('runbooks')}>
            Open Runbooks
          </Button>
        </p>
      ) : null}
      {last ? (
        <>
          <p>
            Last run: <strong>{last.title}</strong> on {new Date(last.updatedAt).toLocaleString()} ({last.changed ? `${last.changed} step(s) changed` : 'nothing had to change'}){last.signed ? ', signed off' : ', not signed yet'}.
          </p>
          <div className="fb-edge-toolbar">
            <Button icon={<ShieldCheck size={18} />} loading={checking} onClick={() => void useCommissioningStore.getState().verify(node.name, last.id)}>
              Check for drift
            </Button>
          </div>
          {drift && drift.runId === last.id ? (
            drift.drifted ? (
              <div className="fb-edge-alert" role="alert">
                <StatusBadge status="error" label="Drifted" /> Fingerprint {drift.fingerprintThen} → {drift.fingerprintNow}
                <ul>
                  {drift.items.map((i) => (
                    <li key={`${i.step}-${i.check}`}>
                      {i.step}: {i.check} changed
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p>
                <StatusBadge status="ok" label="No drift" /> Fingerprint {drift.fingerprintNow} is what the run left.
              </p>
            )
          ) : null}
        </>
      ) : null}
    </div>
  );
}
