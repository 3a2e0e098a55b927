import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { KeyRound, RefreshCw, Server } from 'lucide-react';
import { Button, EmptyState, PageHeader, Select } from '../../ui';
import { useNavigationStore } from '../../core/use-navigation-store';
import { ApplyConfirmDialog, ApplyPanel } from './apply-panel';
import { CrossCheckPanel } from './cross-check-panel';
import { InterfaceTable } from './interface-table';
import { PlanPanel } from './plan-panel';
import { SettingsForm } from './settings-form';
import { useNetworkStore } from './use-network-store';
import './network-page.css';

const DESCRIPTION = 'Give an edge node a static IP with netplan. If the node cannot be reached on the new address, it rolls back by itself.';

function NodePicker() {
  const { nodes, nodeId, snapshot, discovering, running } = useNetworkStore(
    useShallow((s) => ({ nodes: s.nodes, nodeId: s.nodeId, snapshot: s.snapshot, discovering: s.discovering, running: s.run?.running ?? false })),
  );
  const { selectNode, discover } = useNetworkStore.getState();
  return (
    <div className="fb-net-picker">
      <Select
        label="Node"
        options={nodes.map((n) => ({ value: n.id, label: `${n.name} — ${n.user}@${n.host}` }))}
        value={nodeId ?? ''}
        placeholder="Choose a node"
        onChange={(e) => void selectNode(e.target.value)}
        disabled={running}
      />
      <Button icon={<RefreshCw size={18} />} onClick={() => void discover()} loading={discovering} disabled={!nodeId || running}>
        Read the node again
      </Button>
      {snapshot ? (
        <p className="fb-net-picker__info">
          <strong>{snapshot.hostname || snapshot.host}</strong> at <span className="fb-net-mono">{snapshot.host}</span>
          {snapshot.defaultRoute ? (
            <>
              {' '}
              · default route via <span className="fb-net-mono">{snapshot.defaultRoute.gateway ?? '?'}</span> on <span className="fb-net-mono">{snapshot.defaultRoute.interface}</span>
            </>
          ) : null}
          {' '}· DNS <span className="fb-net-mono">{snapshot.dns.servers.join(', ') || 'none'}</span>
        </p>
      ) : null}
    </div>
  );
}

function Workspace() {
  const { snapshot, discovering, discoverError, run, nodeId } = useNetworkStore(
    useShallow((s) => ({ snapshot: s.snapshot, discovering: s.discovering, discoverError: s.discoverError, run: s.run, nodeId: s.nodeId })),
  );
  const go = useNavigationStore((s) => s.go);
  if (!nodeId) return <p className="fb-net-muted">Choose the node whose address you want to set.</p>;
  if (discoverError) {
    const hostKey = discoverError.code === 'edge.hostKeyUnknown' || discoverError.code === 'edge.hostKeyChanged';
    return (
      <div className="fb-net-callout" data-tone="danger" role="alert">
        <div>
          <p>{discoverError.message}</p>
          {hostKey ? (
            <Button onClick={() => go('edge')} icon={<Server size={18} />}>
              Open Edge nodes to check the host key
            </Button>
          ) : null}
        </div>
      </div>
    );
  }
  if (!snapshot) return <p className="fb-net-muted">{discovering ? 'Reading interfaces, routes, DNS and netplan files over SSH…' : ''}</p>;
  return (
    <>
      {run ? <ApplyPanel /> : null}
      <section className="fb-net-card" aria-labelledby="fb-net-ifaces">
        <div className="fb-net-card__head">
          <h2 id="fb-net-ifaces">Interfaces</h2>
        </div>
        {!snapshot.netplan.readable ? <p className="fb-net-warning-text">{snapshot.netplan.note ?? 'The netplan files could not be read.'}</p> : null}
        <InterfaceTable snapshot={snapshot} />
      </section>
      {run?.running ? null : (
        <div className="fb-net-columns">
          <section className="fb-net-card" aria-labelledby="fb-net-form-title">
            <div className="fb-net-card__head">
              <h2 id="fb-net-form-title">New static address</h2>
            </div>
            <SettingsForm />
          </section>
          <div className="fb-net-stack">
            <section className="fb-net-card" aria-labelledby="fb-net-plan-title">
              <div className="fb-net-card__head">
                <h2 id="fb-net-plan-title">netplan file</h2>
              </div>
              <PlanPanel />
            </section>
            <CrossCheckPanel />
          </div>
        </div>
      )}
      <ApplyConfirmDialog />
    </>
  );
}

/** The Network area: a static IP for a node, validated on the node and applied with automatic rollback. */
export function NetworkPage() {
  const { vault, nodes, nodesError } = useNetworkStore(useShallow((s) => ({ vault: s.vault, nodes: s.nodes, nodesError: s.nodesError })));
  const go = useNavigationStore((s) => s.go);
  useEffect(() => {
    void useNetworkStore.getState().load();
  }, []);
  let body;
  if (nodesError) body = <p className="fb-net-error-text">{nodesError.message}</p>;
  else if (vault === 'unknown') body = <p className="fb-net-muted">Opening…</p>;
  else if (vault !== 'unlocked') {
    body = (
      <EmptyState
        icon={<KeyRound size={40} />}
        title={vault === 'missing' ? 'Create the vault first' : 'Unlock the vault first'}
        action={
          <Button variant="primary" size="lg" onClick={() => go('vault')}>
            Go to Vault & PKI
          </Button>
        }
      >
        <p>Node profiles and their SSH keys live in the encrypted vault. {vault === 'missing' ? 'Create it' : 'Unlock it'} to choose a node.</p>
      </EmptyState>
    );
  } else if (nodes.length === 0) {
    body = (
      <EmptyState
        icon={<Server size={40} />}
        title="Add a node first"
        action={
          <Button variant="primary" size="lg" onClick={() => go('edge')}>
            Go to Edge nodes
          </Button>
        }
      >
        <p>Add the edge node with its SSH login and trust its host key under Edge nodes; then set its address here.</p>
      </EmptyState>
    );
  } else {
    body = (
      <>
        <NodePicker />
        <Workspace />
      </>
    );
  }
  return (
    <div className="fb-net-page">
      <PageHeader title="Network" description={DESCRIPTION} />
      {body}
    </div>
  );
}
