import { useState } from 'react';
import { ChevronDown, ChevronRight, Copy, X } from 'lucide-react';
import { Badge, Button, Select } from '../../ui';
import { copyText } from '../../ui';
import { formatBytes, formatCount, formatTime } from './connection-state';
import { useMqttStore } from './use-mqtt-store';
import type { TopicNodeT } from '@shared/contract/mqtt-contract';

/** The whole message: every byte of the payload (fetched from main on open), its properties and flags. */
export function MessageDetail() {
  const detail = useMqttStore((s) => s.detail);
  const [copied, setCopied] = useState(false);
  if (!detail) {
    return (
      <section className="fb-mqtt-detail" aria-label="Message">
        <p className="fb-mqtt-muted">Choose a message to see its whole payload and properties.</p>
      </section>
    );
  }
  const v = detail.value;
  const m = v?.message;
  return (
    <section className="fb-mqtt-detail" aria-label="Message">
      <div className="fb-mqtt-detail__head">
        <h3 className="fb-mqtt-detail__topic">{m?.topic ?? `Message ${detail.seq}`}</h3>
        <Button size="sm" variant="ghost" iconOnly aria-label="Close the message" icon={<X size={16} />} onClick={() => useMqttStore.getState().closeMessage()} />
      </div>
      {detail.error ? <p className="fb-field__error">{detail.error.message}</p> : null}
      {m && v ? (
        <>
          <dl className="fb-mqtt-dl">
            <dt>Received</dt>
            <dd>{formatTime(m.receivedAt)}</dd>
            <dt>Size</dt>
            <dd>
              {formatCount(m.size)} bytes ({formatBytes(m.size)})
            </dd>
            <dt>QoS · retain</dt>
            <dd>
              {m.qos} · {m.retain ? 'retained' : 'live'}
            </dd>
            {m.system ? (
              <>
                <dt>Kind</dt>
                <dd>
                  <Badge tone="info">Broker housekeeping</Badge>
                </dd>
              </>
            ) : null}
            {m.properties?.contentType ? (
              <>
                <dt>Content type</dt>
                <dd>{m.properties.contentType}</dd>
              </>
            ) : null}
            {m.properties?.responseTopic ? (
              <>
                <dt>Response topic</dt>
                <dd className="fb-mqtt-mono">{m.properties.responseTopic}</dd>
              </>
            ) : null}
            {m.properties?.correlationDataHex ? (
              <>
                <dt>Correlation</dt>
                <dd className="fb-mqtt-mono">{m.properties.correlationDataHex}</dd>
              </>
            ) : null}
            {m.properties?.messageExpirySeconds !== undefined ? (
              <>
                <dt>Expiry</dt>
                <dd>{m.properties.messageExpirySeconds} s</dd>
              </>
            ) : null}
            {(m.properties?.userProperties ?? []).map((u, i) => (
              <span key={i} className="fb-mqtt-dl__pair">
                <dt className="fb-mqtt-mono">{u.key}</dt>
                <dd className="fb-mqtt-mono">{u.value}</dd>
              </span>
            ))}
          </dl>
          <div className="fb-mqtt-detail__tools">
            <Select
              label="Show as"
              value={v.format}
              onChange={(e) => void useMqttStore.getState().openMessage(detail.seq, e.target.value as 'text' | 'json' | 'hex' | 'base64')}
              options={[
                { value: 'text', label: 'Text' },
                { value: 'json', label: 'JSON (pretty)' },
                { value: 'hex', label: 'Hex' },
                { value: 'base64', label: 'Base64' },
              ]}
            />
            <Button
              size="sm"
              icon={<Copy size={16} />}
              onClick={() =>
                void copyText(v.value).then((ok) => {
                  setCopied(ok);
                  setTimeout(() => setCopied(false), 2000);
                })
              }
            >
              {copied ? 'Copied' : 'Copy payload'}
            </Button>
          </div>
          {v.jsonError ? <p className="fb-field__error">{v.jsonError}</p> : null}
          <pre className="fb-mqtt-pre fb-mqtt-detail__payload" aria-label="Whole payload" tabIndex={0}>
            {v.value}
          </pre>
        </>
      ) : detail.loading ? (
        <p className="fb-mqtt-muted">Loading the whole message…</p>
      ) : null}
    </section>
  );
}

function TreeItem({ node, level }: { node: TopicNodeT; level: number }) {
  const expanded = useMqttStore((s) => s.tree.expanded.includes(node.topic));
  const children = useMqttStore((s) => s.tree.levels[node.topic]?.nodes);
  const hasChildren = node.childCount > 0;
  return (
    <li role="treeitem" aria-level={level} aria-expanded={hasChildren ? expanded : undefined} aria-label={`${node.name} ${node.totalCount}`} className="fb-mqtt-tree__item">
      <div className="fb-mqtt-tree__row">
        {hasChildren ? (
          <Button
            size="sm"
            variant="ghost"
            iconOnly
            aria-label={`${expanded ? 'Collapse' : 'Expand'} ${node.topic}`}
            icon={expanded ? <ChevronDown size={16} /> : <ChevronRight size={16} />}
            onClick={() => useMqttStore.getState().toggleTree(node.topic)}
          />
        ) : (
          <span className="fb-mqtt-tree__spacer" />
        )}
        <span className="fb-mqtt-tree__name">{node.name || '(empty level)'}</span>
        {node.system ? <Badge tone="info">{node.topic.startsWith('$SYS') ? '$SYS' : 'selftest'}</Badge> : null}
        <span className="fb-mqtt-tree__count" title={`${node.count} on this topic, ${node.totalCount} here and below`}>
          {formatCount(node.totalCount)}
        </span>
        {node.latest ? (
          <span className="fb-mqtt-tree__latest">
            {node.latest.payload.text}
            {node.latest.payload.truncated ? ' …' : ''}
          </span>
        ) : null}
      </div>
      {expanded && children?.length ? (
        <ul role="group">
          {children.map((c) => (
            <TreeItem key={c.topic} node={c} level={level + 1} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** Topics seen, level by level, with counts and the latest value; refreshed once a second while shown. */
export function TopicTree() {
  const root = useMqttStore((s) => s.tree.levels['']);
  const topics = useMqttStore((s) => s.tree.topics);
  if (!root) return <p className="fb-mqtt-muted">Loading topics…</p>;
  if (!root.nodes.length) return <p className="fb-mqtt-muted">No topic yet. Messages that arrive build the tree here.</p>;
  return (
    <div className="fb-mqtt-tree">
      <p className="fb-mqtt-muted">{formatCount(topics)} topics. $SYS and azedge/dmqtt/selftest are broker housekeeping, flagged as such.</p>
      <ul role="tree" aria-label="Topic tree">
        {root.nodes.map((n) => (
          <TreeItem key={n.topic} node={n} level={1} />
        ))}
      </ul>
    </div>
  );
}
