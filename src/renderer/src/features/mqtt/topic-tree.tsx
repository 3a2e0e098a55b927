import { ChevronDown, ChevronRight, Search } from 'lucide-react';
import type { TopicNodeT } from '@shared/contract/mqtt-contract';
import { Badge, Button, TextField } from '../../ui';
import { formatCount } from './connection-state';
import { TopicDetail } from './topic-detail';
import { useMqttStore } from './use-mqtt-store';

function TreeItem({ node, level, searching }: { node: TopicNodeT; level: number; searching: boolean }) {
  const open = useMqttStore((s) => s.tree.expanded.includes(node.topic));
  const loaded = useMqttStore((s) => s.tree.levels[node.topic]?.nodes);
  const selected = useMqttStore((s) => s.tree.selected === node.topic);
  // A search answer holds its branches whole, and shows them expanded.
  const expanded = searching || open;
  const children = searching ? node.children : loaded;
  const hasChildren = node.childCount > 0;
  const hasValue = node.latest !== undefined;
  return (
    <li role="treeitem" aria-level={level} aria-expanded={hasChildren ? expanded : undefined} aria-selected={selected} aria-label={`${node.name} ${node.totalCount}`} className="fb-mqtt-tree__item">
      <div className="fb-mqtt-tree__row" data-selected={selected || undefined}>
        {hasChildren && !searching ? (
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
        <button
          type="button"
          className="fb-mqtt-tree__pick"
          title={node.topic}
          aria-label={`Show ${node.topic}`}
          onClick={() => (hasValue ? useMqttStore.getState().selectTopic(node.topic) : !searching && hasChildren ? useMqttStore.getState().toggleTree(node.topic) : undefined)}
        >
          <span className="fb-mqtt-tree__name">{node.name || '(empty level)'}</span>
          {node.system ? <Badge tone="info">{node.topic.startsWith('$SYS') ? '$SYS' : 'selftest'}</Badge> : null}
          <span className="fb-mqtt-tree__count" title={`${node.count} on this topic, ${node.totalCount} here and below`}>
            {formatCount(node.totalCount)}
          </span>
          {node.latest ? (
            <span className="fb-mqtt-tree__latest">
              {node.latest.payload.kind === 'binary' ? `${node.latest.size} bytes · ` : ''}
              {node.latest.payload.text}
              {node.latest.payload.truncated ? ' …' : ''}
            </span>
          ) : null}
        </button>
      </div>
      {expanded && children?.length ? (
        <ul role="group">
          {children.map((c) => (
            <TreeItem key={c.topic} node={c} level={level + 1} searching={searching} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function TreeSearch() {
  const search = useMqttStore((s) => s.tree.search);
  const result = useMqttStore((s) => s.tree.searchResult);
  const topics = useMqttStore((s) => s.tree.topics);
  const count = result && result.text === search ? result.matches : undefined;
  return (
    <div className="fb-mqtt-tree__search">
      <TextField
        label="Search topics"
        mono
        type="search"
        value={search}
        placeholder="station08 or temperature"
        onChange={(e) => useMqttStore.getState().setTreeSearch(e.target.value)}
        className="fb-mqtt-tree__search-field"
      />
      <p className="fb-mqtt-muted" role="status" aria-live="polite">
        <Search size={14} aria-hidden="true" />{' '}
        {search && count !== undefined
          ? `${formatCount(count)} of ${formatCount(topics)} topics match${count > 500 ? ' (the first 500 shown)' : ''}`
          : `${formatCount(topics)} topics`}
      </p>
    </div>
  );
}

/** Topics seen, level by level, with counts and the latest value; select one to see it whole beside the tree. */
export function TopicTree({ mqtt5 }: { mqtt5: boolean }) {
  const root = useMqttStore((s) => s.tree.levels['']);
  const search = useMqttStore((s) => s.tree.search);
  const result = useMqttStore((s) => s.tree.searchResult);
  const searching = Boolean(search && result);
  const nodes = searching ? result!.nodes : (root?.nodes ?? []);
  return (
    <div className="fb-mqtt-treework">
      <div className="fb-mqtt-tree">
        <TreeSearch />
        {!root ? (
          <p className="fb-mqtt-muted">Loading topics…</p>
        ) : !nodes.length ? (
          <p className="fb-mqtt-muted">{search ? 'No topic matches the search.' : 'No topic yet. Messages that arrive build the tree here.'}</p>
        ) : (
          <ul role="tree" aria-label="Topic tree">
            {nodes.map((n) => (
              <TreeItem key={n.topic} node={n} level={1} searching={searching} />
            ))}
          </ul>
        )}
      </div>
      <div className="fb-mqtt-pane fb-mqtt-treework__detail">
        <TopicDetail mqtt5={mqtt5} />
      </div>
    </div>
  );
}
