import { useEffect } from 'react';
import { RefreshCw } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Badge, Button, StatusBadge } from '../../ui';
import type { NodeSummary } from './edge-state';
import { useEdgeStore } from './use-edge-store';

const AREA_NAMES: Record<string, string> = { edge: 'Edge', aio: 'Broker', network: 'Network', mqtt: 'MQTT' };

/** Every change made on or for the node, newest first, as the vault keeps it. */
export function ActivityLog({ node }: { node: NodeSummary }) {
  const { entries, loadActivity } = useEdgeStore(useShallow((s) => ({ entries: s.activity[node.id], loadActivity: s.loadActivity })));
  useEffect(() => {
    void loadActivity(node.id);
  }, [node.id, loadActivity]);
  const newestFirst = entries ? [...entries].reverse() : undefined;
  return (
    <div className="fb-edge-panel">
      <div className="fb-edge-toolbar">
        <Button size="sm" icon={<RefreshCw size={16} />} onClick={() => void loadActivity(node.id)}>
          Refresh
        </Button>
      </div>
      {!newestFirst ? <p className="fb-edge-muted">Reading the activity log…</p> : null}
      {newestFirst && newestFirst.length === 0 ? <p className="fb-edge-muted">Nothing has been done on {node.name} yet.</p> : null}
      {newestFirst && newestFirst.length > 0 ? (
        <ol className="fb-edge-activity" aria-label={`Activity of ${node.name}`}>
          {newestFirst.map((e, i) => (
            <li key={`${e.at}-${i}`} className="fb-edge-activity__item">
              <time dateTime={e.at} className="fb-edge-activity__time fb-mono">
                {new Date(e.at).toLocaleString()}
              </time>
              <span className="fb-edge-activity__tags">
                <Badge>{AREA_NAMES[e.area] ?? e.area}</Badge>
                {e.ok ? <StatusBadge status="ok" label={e.kind} /> : <StatusBadge status="error" label={e.kind} />}
              </span>
              <span className="fb-edge-activity__message">{e.message}</span>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
