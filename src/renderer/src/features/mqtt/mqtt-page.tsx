import { useEffect, useState } from 'react';
import { PlugZap, Plus, Unplug } from 'lucide-react';
import { Button, EmptyState, PageHeader, StatusBadge, Tabs } from '../../ui';
import { ConnectionDialog } from './connection-dialog';
import { emptyForm, formFromProfile, type ConnectionForm } from './connection-form';
import { connectionStateLook, formatBytes, formatCount } from './connection-state';
import { ConnectionsPanel } from './connections-panel';
import { MessageDetail } from './message-detail';
import { TopicTree } from './topic-tree';
import { MatrixView } from './matrix-view';
import { MessageList } from './message-list';
import { PublishPanel, SubscriptionsPanel } from './publish-panel';
import { stopTreeRefresh, useMqttStore } from './use-mqtt-store';
import './mqtt.css';

/** Totals of the active connection; drops are shown whenever there are any, never hidden. */
function StatsLine({ connectionId }: { connectionId: string }) {
  const stats = useMqttStore((s) => s.stats);
  const c = useMqttStore((s) => s.connections[connectionId]);
  if (!stats || !c) return null;
  return (
    <dl className="fb-mqtt-stats" aria-label="Message totals">
      <div>
        <dt>Received</dt>
        <dd>{formatCount(stats.received)}</dd>
      </div>
      <div>
        <dt>In memory</dt>
        <dd>
          {formatCount(stats.retained)} · {formatBytes(stats.retainedBytes)}
        </dd>
      </div>
      <div>
        <dt>Rate</dt>
        <dd>{formatCount(Math.round(stats.ratePerSecond))}/s</dd>
      </div>
      <div data-alert={stats.dropped > 0 || undefined}>
        <dt>Dropped</dt>
        <dd>
          {stats.dropped > 0 ? (
            <StatusBadge
              status="warning"
              label={`${formatCount(stats.dropped)}${stats.spilled ? ` (${formatCount(stats.spilled)} spilled to disk)` : ''}`}
              title={`The oldest messages left memory to stay within ${formatCount(stats.limits.maxMessages)} messages / ${formatBytes(stats.limits.maxBytes)}.`}
            />
          ) : (
            '0'
          )}
        </dd>
      </div>
    </dl>
  );
}

function ActiveConnection({ connectionId }: { connectionId: string }) {
  const c = useMqttStore((s) => s.connections[connectionId]);
  const retryAt = useMqttStore((s) => s.retryAt[connectionId]);
  const detailSeq = useMqttStore((s) => s.detail?.seq);
  const [tab, setTab] = useState('messages');
  // Opening a message shows it; the person can go back to Publish until they open another one.
  const [sidePick, setSidePick] = useState<{ tab: string; forSeq: number | undefined } | undefined>();
  const side = sidePick && sidePick.forSeq === detailSeq ? sidePick.tab : detailSeq !== undefined ? 'message' : 'publish';
  const setSide = (tab: string) => setSidePick({ tab, forSeq: detailSeq });
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (retryAt === undefined) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [retryAt]);
  useEffect(() => {
    if (tab === 'tree') void useMqttStore.getState().refreshTree();
    else stopTreeRefresh();
    return stopTreeRefresh;
  }, [tab, connectionId]);

  if (!c) return null;
  const look = connectionStateLook(c, retryAt === undefined ? undefined : Math.max(0, Math.ceil((retryAt - now) / 1000)));
  return (
    <div className="fb-mqtt-main">
      <header className="fb-mqtt-head">
        <div className="fb-mqtt-head__title">
          <h2>{c.name}</h2>
          <span className="fb-mqtt-mono fb-mqtt-muted" title={`${c.url} · MQTT ${c.mqttVersion} · client id ${c.clientId}`}>
            {c.url} · MQTT {c.mqttVersion} · {c.clientId}
          </span>
        </div>
        <StatusBadge status={look.status} label={look.label} />
        <Button size="sm" icon={<Unplug size={16} />} onClick={() => void useMqttStore.getState().disconnect(connectionId)}>
          Disconnect
        </Button>
      </header>
      {c.lastError && c.state !== 'connected' ? (
        <div className="fb-mqtt-outcome" data-kind="error" role="alert">
          <p>{c.lastError.message}</p>
          {c.lastError.detail ? (
            <details>
              <summary>Details</summary>
              <pre>{c.lastError.detail}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
      {c.warnings.map((w) => (
        <p key={w} className="fb-mqtt-warning">
          {w}
        </p>
      ))}
      <SubscriptionsPanel connectionId={connectionId} />
      <div className="fb-mqtt-views">
      {/* The totals sit in the tab row's empty right end: in the header they pushed the name and Disconnect out at 1280 px. */}
      <StatsLine connectionId={connectionId} />
      <Tabs
        label="MQTT views"
        value={tab}
        onChange={setTab}
        items={[
          {
            id: 'messages',
            label: 'Messages',
            content: (
              <div className="fb-mqtt-work">
                <MessageList />
                <div className="fb-mqtt-pane">
                  <Tabs
                    label="Publish or read"
                    value={side}
                    onChange={setSide}
                    items={[
                      { id: 'publish', label: 'Publish', content: <PublishPanel mqtt5={c.mqttVersion === '5.0'} /> },
                      { id: 'message', label: 'Message', content: <MessageDetail /> },
                    ]}
                  />
                </div>
              </div>
            ),
          },
          { id: 'tree', label: 'Topic tree', content: <TopicTree mqtt5={c.mqttVersion === '5.0'} /> },
        ]}
      />
      </div>
    </div>
  );
}

/** The MQTT area: connections, subscriptions, publish, the message list and the topic tree. */
export function MqttPage() {
  const activeId = useMqttStore((s) => s.activeId);
  const connectError = useMqttStore((s) => s.connectError);
  const [dialog, setDialog] = useState<{ form: ConnectionForm; key: number } | undefined>();
  const [view, setView] = useState('client');

  useEffect(() => {
    void useMqttStore.getState().loadProfiles();
    void useMqttStore.getState().loadConnections();
  }, []);

  return (
    <div className="fb-mqtt">
      <PageHeader title="MQTT" />
      {connectError && !dialog ? (
        <div className="fb-mqtt-outcome" data-kind="error" role="alert">
          <p>{connectError.message}</p>
          {connectError.detail ? (
            <details>
              <summary>Details</summary>
              <pre>{connectError.detail}</pre>
            </details>
          ) : null}
          <Button size="sm" variant="ghost" onClick={() => useMqttStore.setState({ connectError: undefined })}>
            Dismiss
          </Button>
        </div>
      ) : null}
      <Tabs
        label="MQTT tools"
        value={view}
        onChange={setView}
        items={[
          {
            id: 'client',
            label: 'Client',
            content: (
              <div className="fb-mqtt-layout">
                <ConnectionsPanel onNew={() => setDialog({ form: emptyForm(), key: Date.now() })} onEdit={(p) => setDialog({ form: formFromProfile(p), key: Date.now() })} />
                {activeId ? (
                  <ActiveConnection connectionId={activeId} />
                ) : (
                  <EmptyState
                    icon={<PlugZap size={40} />}
                    title="Connect to a broker listener"
                    action={
                      <Button variant="primary" size="lg" icon={<Plus size={20} />} onClick={() => setDialog({ form: emptyForm(), key: Date.now() })}>
                        New connection
                      </Button>
                    }
                  >
                    Give the listener&apos;s address and port, the CA that signed its certificate and, for X.509 listeners, a client certificate from the vault.
                  </EmptyState>
                )}
              </div>
            ),
          },
          { id: 'matrix', label: 'Listener matrix', content: <MatrixView /> },
        ]}
      />
      {dialog ? <ConnectionDialog key={dialog.key} open initial={dialog.form} onClose={() => setDialog(undefined)} /> : null}
    </div>
  );
}
