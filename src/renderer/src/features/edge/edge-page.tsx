import { useEffect } from 'react';
import { Lock, Plus, RefreshCw, Server, ShieldCheck } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, EmptyState, PageHeader, StatusBadge } from '../../ui';
import { areaById } from '../../core/areas';
import { useNavigationStore } from '../../core/use-navigation-store';
import { ApplyDialog } from './apply-dialog';
import { BrokerSetupDialog } from './broker-setup-dialog';
import { HostKeyDialog } from './host-key-dialog';
import { NodeDetail } from './node-detail';
import { NodeEditorDialog } from './node-editor-dialog';
import { useEdgeStore } from './use-edge-store';
import './edge.css';
import { useReissueStore } from '../../core/use-reissue-store';

/** The vault holds the node profiles and keys: without it open there is nothing to show, and the way there is one click. */
function VaultGateNotice({ missing }: { missing: boolean }) {
  const go = useNavigationStore((s) => s.go);
  return (
    <EmptyState
      icon={<Lock size={40} />}
      title={missing ? 'Create the vault first' : 'Unlock the vault first'}
      action={
        <Button variant="primary" size="lg" icon={<ShieldCheck size={20} />} onClick={() => go('vault')}>
          Go to Vault & PKI
        </Button>
      }
    >
      <p>
        {missing
          ? 'Node profiles, SSH keys and sudo passwords are kept in the encrypted vault. Create it under Vault & PKI, then come back here.'
          : 'Node profiles, SSH keys and sudo passwords are kept in the encrypted vault, which is locked. Unlock it under Vault & PKI, then come back here.'}
      </p>
    </EmptyState>
  );
}

function NodeList() {
  const { nodes, selectedId, select, tests } = useEdgeStore(useShallow((s) => ({ nodes: s.nodes, selectedId: s.selectedId, select: s.select, tests: s.tests })));
  return (
    <nav className="fb-edge-list" aria-label="Nodes">
      <ul>
        {nodes.map((n) => {
          const test = tests[n.id]?.result;
          return (
            <li key={n.id}>
              <button type="button" className="fb-edge-list__item" aria-current={n.id === selectedId ? 'true' : undefined} onClick={() => select(n.id)}>
                <span className="fb-edge-list__name">{n.name}</span>
                <span className="fb-edge-list__address fb-mono">
                  {n.user}@{n.host}
                  {n.port !== 22 ? `:${n.port}` : ''}
                </span>
                <span className="fb-edge-list__badges">
                  {n.hostKey ? <StatusBadge status="ok" label="Host key trusted" /> : <StatusBadge status="warning" label="Host key not confirmed" />}
                  {test ? <StatusBadge status={test.ok ? 'ok' : 'error'} label={test.ok ? 'Test passed' : 'Test failed'} /> : null}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** Edge nodes: profiles, connection tests with host key confirmation, the broker view and apply, the activity log. */
export function EdgePage() {
  const { vault, vaultError, nodesLoaded, nodesError, hasNodes, init, loadNodes, openEditor } = useEdgeStore(
    useShallow((s) => ({
      vault: s.vault,
      vaultError: s.vaultError,
      nodesLoaded: s.nodesLoaded,
      nodesError: s.nodesError,
      hasNodes: s.nodes.length > 0,
      init: s.init,
      loadNodes: s.loadNodes,
      openEditor: s.openEditor,
    })),
  );
  useEffect(() => {
    void init();
  }, [init]);
  // A one-click fix elsewhere renewed a listener's certificate: open this node's broker setup with it.
  const pendingApply = useReissueStore((s) => s.pendingApply);
  useEffect(() => {
    if (!nodesLoaded || !pendingApply) return;
    const edge = useEdgeStore.getState();
    if (!edge.nodes.some((n) => n.id === pendingApply.nodeId)) return;
    edge.select(pendingApply.nodeId);
    edge.openSetup(pendingApply.nodeId);
  }, [nodesLoaded, pendingApply]);
  const { name } = areaById('edge');

  let body;
  if (vaultError) {
    body = (
      <div className="fb-edge-card" role="alert">
        <p>{vaultError.message}</p>
        <Button icon={<RefreshCw size={18} />} onClick={() => void init()}>
          Try again
        </Button>
      </div>
    );
  } else if (vault === 'unknown') {
    body = <p className="fb-edge-muted">Opening the vault…</p>;
  } else if (vault !== 'unlocked') {
    body = <VaultGateNotice missing={vault === 'missing'} />;
  } else if (nodesError) {
    body = (
      <div className="fb-edge-card" role="alert">
        <p>{nodesError.message}</p>
        <Button icon={<RefreshCw size={18} />} onClick={() => void loadNodes()}>
          Try again
        </Button>
      </div>
    );
  } else if (!nodesLoaded) {
    body = <p className="fb-edge-muted">Reading the node profiles…</p>;
  } else if (!hasNodes) {
    body = (
      <EmptyState
        icon={<Server size={40} />}
        title="No edge nodes yet"
        action={
          <Button variant="primary" size="lg" icon={<Plus size={20} />} onClick={() => openEditor()}>
            Add a node
          </Button>
        }
      >
        <p>Add the node you are commissioning: its address, the SSH user and how to log in. The first connection test shows its host key for you to confirm.</p>
      </EmptyState>
    );
  } else {
    body = (
      <div className="fb-edge-layout">
        <NodeList />
        <NodeDetail />
      </div>
    );
  }

  return (
    <div className="fb-page fb-edge" data-state={vault}>
      <PageHeader
        title={name}
        description="Reach each node over SSH, check sudo and Kubernetes, and set up its MQTT broker with a diff before every change."
        actions={
          vault === 'unlocked' && hasNodes ? (
            <Button icon={<Plus size={18} />} onClick={() => openEditor()}>
              Add a node
            </Button>
          ) : undefined
        }
      />
      {body}
      <NodeEditorDialog />
      <HostKeyDialog />
      <BrokerSetupDialog />
      <ApplyDialog />
    </div>
  );
}
