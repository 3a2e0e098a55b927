import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDownToLine, Eraser, Search, Undo2 } from 'lucide-react';
import { Badge, Button, Dialog, TextField } from '../../ui';
import { formatBytes, formatCount, formatTime } from './connection-state';
import { rowKey, useMqttStore } from './use-mqtt-store';
import { CLEAR_UNDO_SECONDS, type MessagePreviewT } from '@shared/contract/mqtt-contract';

/** Row height in px: one line per message, so a 768 px screen shows 15 or more; still a glove-sized target. */
export const ROW_HEIGHT = 25;

/**
 * A topic elided in the middle: the levels before the last shrink with an ellipsis, the last level (the
 * one that says what the value is) is always shown whole.
 */
function Topic({ topic }: { topic: string }) {
  const cut = topic.lastIndexOf('/');
  const head = cut > 0 ? topic.slice(0, cut) : '';
  const end = cut > 0 ? topic.slice(cut) : topic;
  return (
    <span className="fb-mqtt-row__topic" title={topic}>
      {head ? <span className="fb-mqtt-row__topic-head">{head}</span> : null}
      <span className="fb-mqtt-row__topic-end">{end}</span>
    </span>
  );
}

function Row({ m, selected, onOpen }: { m: MessagePreviewT | undefined; selected: boolean; onOpen: (seq: number) => void }) {
  if (!m) return <div className="fb-mqtt-row fb-mqtt-row--loading">Loading…</div>;
  return (
    <button
      type="button"
      className="fb-mqtt-row"
      aria-current={selected ? 'true' : undefined}
      onClick={() => onOpen(m.seq)}
      style={{ '--sub-colour': m.color ?? 'transparent' } as CSSProperties}
    >
      <span className="fb-mqtt-row__time">{formatTime(m.receivedAt)}</span>
      <Topic topic={m.topic} />
      {m.system ? <Badge tone="info">{m.topic.startsWith('$SYS') ? '$SYS' : 'selftest'}</Badge> : null}
      {m.retain ? <Badge>retained</Badge> : null}
      <span className="fb-mqtt-row__payload" data-kind={m.payload.kind}>
        {m.decoded ?? (m.payload.kind === 'empty' ? '(empty payload)' : m.payload.text)}
        {m.payload.truncated ? <span className="fb-mqtt-row__cut"> — preview cut, open to see all {formatBytes(m.size)}</span> : null}
      </span>
      <span className="fb-mqtt-row__meta">
        QoS {m.qos} · {formatBytes(m.size)}
      </span>
    </button>
  );
}

/** Asks before a Clear (it removes every message of the connection from the list and the counters). */
function ClearDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const retained = useMqttStore((s) => s.stats?.retained ?? 0);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="sm"
      title={`Clear ${formatCount(retained)} message${retained === 1 ? '' : 's'}?`}
      description={`The list, the topic tree and the counters start again from zero. You can undo this for ${CLEAR_UNDO_SECONDS} seconds.`}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Keep them
          </Button>
          <Button
            variant="danger"
            icon={<Eraser size={16} />}
            onClick={() => {
              onClose();
              void useMqttStore.getState().clearMessages();
            }}
          >
            Clear
          </Button>
        </>
      }
    >
      <p>New messages keep arriving while the list is empty.</p>
    </Dialog>
  );
}

/** "10,010 messages cleared · Undo (24 s)", for as long as main keeps them. */
function UndoClearBar() {
  const cleared = useMqttStore((s) => (s.lastClear && s.lastClear.connectionId === s.activeId ? s.lastClear : undefined));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!cleared) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [cleared]);
  if (!cleared) return null;
  const left = Math.min(CLEAR_UNDO_SECONDS, Math.ceil((cleared.until - now) / 1000));
  if (left <= 0) return null;
  return (
    <div className="fb-mqtt-list__undo" role="status">
      <span>
        {formatCount(cleared.count)} message{cleared.count === 1 ? '' : 's'} cleared.
      </span>
      <Button size="sm" icon={<Undo2 size={16} />} onClick={() => void useMqttStore.getState().undoClear()}>
        Undo ({left} s)
      </Button>
    </div>
  );
}

/**
 * The message list: virtualised over every message main holds (100,000 or a million), rendering only the
 * rows in view; rows are paged in from main as the person scrolls. Follows the newest message until they
 * scroll up.
 */
export function MessageList() {
  const list = useMqttStore((s) => s.list);
  const selected = useMqttStore((s) => s.detail?.seq);
  const parentRef = useRef<HTMLDivElement>(null);
  const [topicFilter, setTopicFilter] = useState('');
  const [text, setText] = useState('');
  const [confirmClear, setConfirmClear] = useState(false);
  // We do not use the React Compiler, so the rule's memoisation concern does not apply to this hook.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: list.total,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // jsdom and the first paint have no layout yet; assume a typical list height.
    initialRect: { width: 800, height: 560 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (last >= 0) useMqttStore.getState().ensureRange(first, last);
  }, [first, last, list.total, list.generation]);

  // Following the newest row: one scroll write per batch. virtualizer.scrollToIndex would instead re-read the
  // layout every frame until it settles, which at 1,000 msg/s forced a reflow per frame (long tasks).
  useEffect(() => {
    if (!list.follow || list.total === 0) return;
    // In the next frame, where the layout is computed anyway, rather than forcing one right after the commit.
    const frame = requestAnimationFrame(() => {
      const el = parentRef.current;
      if (el) el.scrollTop = list.total * ROW_HEIGHT;
    });
    return () => cancelAnimationFrame(frame);
  }, [list.follow, list.total]);

  // Filters and search run in main over the whole store; a short pause avoids a query per keystroke.
  useEffect(() => {
    const t = setTimeout(() => {
      useMqttStore.getState().setFilter({ ...(topicFilter.trim() ? { topic: topicFilter.trim() } : {}), ...(text.trim() ? { text: text.trim() } : {}) });
    }, 250);
    return () => clearTimeout(t);
  }, [topicFilter, text]);

  const onScroll = () => {
    const el = parentRef.current;
    if (!el) return;
    // The content height is known without asking the layout: rows × row height.
    const atBottom = el.scrollTop + el.clientHeight >= list.total * ROW_HEIGHT - ROW_HEIGHT;
    useMqttStore.getState().setFollow(atBottom);
  };

  const open = (seq: number) => void useMqttStore.getState().openMessage(seq);

  return (
    <section className="fb-mqtt-list" aria-label="Messages">
      <div className="fb-mqtt-list__filters">
        <TextField label="Topic filter" mono value={topicFilter} onChange={(e) => setTopicFilter(e.target.value)} placeholder="Topic filter, e.g. factory/#" />
        <TextField label="Search topic and payload" value={text} onChange={(e) => setText(e.target.value)} placeholder="Search topic and payload" />
        <div className="fb-mqtt-list__tools">
          {list.filter ? (
            <span className="fb-mqtt-list__matches" role="status">
              {formatCount(list.total)} {list.total === 1 ? 'message matches' : 'messages match'} the filter
            </span>
          ) : null}
          {!list.follow ? (
            <Button size="sm" icon={<ArrowDownToLine size={16} />} onClick={() => useMqttStore.getState().setFollow(true)}>
              Newest
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" icon={<Eraser size={16} />} onClick={() => setConfirmClear(true)}>
            Clear
          </Button>
        </div>
      </div>
      <UndoClearBar />
      <ClearDialog open={confirmClear} onClose={() => setConfirmClear(false)} />
      <div
        ref={parentRef}
        className="fb-mqtt-list__scroll"
        onScroll={onScroll}
        role="list"
        aria-label={`${formatCount(list.total)} messages${list.filter ? ' matching the filter' : ''}`}
        tabIndex={0}
      >
        {list.total === 0 ? (
          <p className="fb-mqtt-list__empty">
            <Search size={18} aria-hidden="true" /> {list.filter ? 'No message matches the filter.' : 'No message yet. Subscribe to a topic (# for everything) and publish.'}
          </p>
        ) : null}
        <div className="fb-mqtt-list__space" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => (
            <div key={item.key} role="listitem" className="fb-mqtt-list__item" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}>
              {(() => {
                const m = list.rows.get(rowKey(list, item.index));
                return <Row m={m} selected={m !== undefined && m.seq === selected} onOpen={open} />;
              })()}
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}
