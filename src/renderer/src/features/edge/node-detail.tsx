import { useState } from 'react';
import { Pencil, PlugZap, Trash2 } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Dialog, Tabs } from '../../ui';
import { ActivityLog } from './activity-log';
import { CommissioningPanel } from './commissioning-panel';
import { BrokerView } from './broker-view';
import { ConnectionTestPanel } from './connection-test-panel';
import { CopyButton } from '../../ui';
import type { NodeSummary } from './edge-state';
import { useEdgeStore } from './use-edge-store';

export function kubeDescription(kube: NodeSummary['kube']): string {
  if (kube.mode === 'ssh') return `Through SSH: k3s kubeconfig at ${kube.kubeconfigPath}, API forwarded over the connection`;
  if (kube.mode === 'arc') return `Azure Arc proxy: cluster ${kube.clusterName} in ${kube.resourceGroup}${kube.hasToken ? ', with a service account token' : ''}`;
  return `Kubeconfig file ${kube.path}${kube.context ? `, context ${kube.context}` : ''}`;
}

function loginDescription(node: NodeSummary): string {
  if (node.auth.method === 'key') return `Key from the vault (${node.auth.type}, ${node.auth.fingerprint})`;
  if (node.auth.method === 'password') return 'Password (kept in the vault)';
  return 'SSH agent on this computer';
}

function RemoveNodeDialog({ node, open, onClose }: { node: NodeSummary; open: boolean; onClose: () => void }) {
  const { removeNode, removing } = useEdgeStore(useShallow((s) => ({ removeNode: s.removeNode, removing: s.removing })));
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="sm"
      title={`Remove ${node.name}?`}
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button variant="danger" icon={<Trash2 size={18} />} loading={removing === node.id} onClick={() => void removeNode(node.id).then((ok) => ok && onClose())}>
            Remove {node.name}
          </Button>
        </>
      }
    >
      <p>The profile, its trusted host key and its activity log leave the vault. SSH keys stay, and nothing changes on the node itself.</p>
    </Dialog>
  );
}

/** What Fieldbench keeps about the node (no secrets: only whether they are stored). */
function NodeProfile({ node }: { node: NodeSummary }) {
  return (
    <section className="fb-edge-section" aria-labelledby="fb-edge-profile">
      <h3 id="fb-edge-profile">Profile</h3>
      <dl className="fb-edge-facts">
        <dt>Login</dt>
        <dd>{loginDescription(node)}</dd>
        <dt>sudo</dt>
        <dd>{node.auth.method === 'password' ? 'Uses the login password' : node.hasSudoPassword ? 'Password kept in the vault' : 'No password stored (asked when needed)'}</dd>
        {node.jumpHost ? (
          <>
            <dt>Jump host</dt>
            <dd>{node.jumpHost.name}</dd>
          </>
        ) : null}
        <dt>Kubernetes</dt>
        <dd>{kubeDescription(node.kube)}</dd>
        <dt>Host key</dt>
        <dd>
          {node.hostKey ? (
            <span className="fb-mono fb-edge-break">
              {node.hostKey.type} {node.hostKey.fingerprint}
            </span>
          ) : (
            'Not confirmed yet — the first connection test shows it for you to compare.'
          )}
        </dd>
      </dl>

      {node.auth.method === 'key' ? (
        <div className="fb-edge-pubkey">
          <p className="fb-edge-pubkey__label">
            Public key for <code>~{node.user}/.ssh/authorized_keys</code> on the node:
          </p>
          <div className="fb-edge-pubkey__row">
            <code className="fb-edge-pubkey__line">{node.auth.publicKey}</code>
            <CopyButton size="sm" text={node.auth.publicKey} accessibleName="Copy public key line" />
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** The selected node: what Fieldbench knows about it, and the three things to do with it. */
export function NodeDetail() {
  const { node, testing, testNode, openEditor } = useEdgeStore(
    useShallow((s) => {
      const n = s.nodes.find((x) => x.id === s.selectedId);
      return { node: n, testing: n ? Boolean(s.tests[n.id]?.jobId) : false, testNode: s.testNode, openEditor: s.openEditor };
    }),
  );
  const [tab, setTab] = useState('connection');
  const [confirmRemove, setConfirmRemove] = useState(false);
  if (!node) return null;

  return (
    <section className="fb-edge-detail" aria-labelledby="fb-edge-detail-title">
      <header className="fb-edge-detail__head">
        <div className="fb-edge-detail__titles">
          <h2 id="fb-edge-detail-title">{node.name}</h2>
          <p>
            <span className="fb-mono">{node.auth.method === 'none' ? `${node.host} (no SSH login)` : `${node.user}@${node.host}:${node.port}`}</span>
            {node.jumpHost ? ` via ${node.jumpHost.name}` : ''} · Kubernetes {node.kube.mode === 'ssh' ? 'through SSH' : node.kube.mode === 'arc' ? 'through the Arc proxy' : 'from a kubeconfig file'}
          </p>
        </div>
        <div className="fb-edge-detail__actions">
          <Button
            variant="primary"
            icon={<PlugZap size={18} />}
            loading={testing}
            onClick={() => {
              setTab('connection');
              void testNode(node.id);
            }}
          >
            Test connection
          </Button>
          <Button icon={<Pencil size={18} />} onClick={() => openEditor(node.id)}>
            Edit
          </Button>
          <Button variant="ghost" icon={<Trash2 size={18} />} onClick={() => setConfirmRemove(true)}>
            Remove
          </Button>
        </div>
      </header>

      <Tabs
        label={`${node.name} sections`}
        value={tab}
        onChange={setTab}
        items={[
          {
            id: 'connection',
            label: 'Connection',
            content: (
              <>
                <ConnectionTestPanel node={node} />
                <NodeProfile node={node} />
              </>
            ),
          },
          { id: 'broker', label: 'MQTT broker', content: <BrokerView node={node} /> },
          { id: 'activity', label: 'Activity', content: <ActivityLog node={node} /> },
          { id: 'commissioning', label: 'Commissioning', content: <CommissioningPanel node={node} /> },
        ]}
      />
      <RemoveNodeDialog node={node} open={confirmRemove} onClose={() => setConfirmRemove(false)} />
    </section>
  );
}
