import { lazy, Suspense, useMemo, useState } from 'react';
import { Eraser, FileCode2 } from 'lucide-react';
import type { DecoderKindT } from '@shared/contract/mqtt-contract';
import { Button, Dialog, Select, Tabs, TextField } from '../../ui';
import { formatBytes, formatCount, formatTime } from './connection-state';
import { DecodedView, decoderLabel } from './decoded-view';
import { PublishPanel } from './publish-panel';
import { decodedText, numericSeries, payloadDiff } from './topic-values';
import { isError, useMqttStore } from './use-mqtt-store';

// The chart library loads when a chart is first shown: it measures the screen as it loads, which neither the
// start of the app nor a page that never charts should pay for.
const TopicChart = lazy(() => import('./topic-chart').then((m) => ({ default: m.TopicChart })));

const DECODER_OPTIONS: { value: DecoderKindT; label: string }[] = [
  { value: 'auto', label: 'Automatic (JSON, text, hex; Sparkplug B on spBv1.0)' },
  { value: 'json', label: 'JSON' },
  { value: 'text', label: 'Text' },
  { value: 'hex', label: 'Hex' },
  { value: 'base64', label: 'Base64' },
  { value: 'cbor', label: 'CBOR' },
  { value: 'sparkplug', label: 'Sparkplug B' },
  { value: 'protobuf', label: 'Protobuf (.proto file)' },
];

function ClearRetainedDialog({ topic, open, onClose }: { topic: string; open: boolean; onClose: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="sm"
      title="Clear the retained message?"
      description="The broker forgets the message it keeps for new subscribers of this topic. Messages already delivered stay where they are."
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Keep it
          </Button>
          <Button
            variant="danger"
            icon={<Eraser size={16} />}
            loading={busy}
            onClick={() => {
              setBusy(true);
              void useMqttStore
                .getState()
                .clearRetained(topic)
                .then((err) => {
                  setBusy(false);
                  if (err) setError(err.message);
                  else onClose();
                });
            }}
          >
            Clear retained
          </Button>
        </>
      }
    >
      <p className="fb-mqtt-mono fb-mqtt-wrap">{topic}</p>
      {error ? <p className="fb-field__error">{error}</p> : null}
    </Dialog>
  );
}

/** Decoder for a filter (the topic by default): the choice is made in main, which decodes every payload. */
function DecoderForm({ topic }: { topic: string }) {
  const rules = useMqttStore((s) => s.decoderRules);
  const subs = useMqttStore((s) => (s.activeId ? (s.connections[s.activeId]?.subscriptions ?? []) : []));
  const [filter, setFilter] = useState(topic);
  const existing = rules.find((r) => r.filter === filter);
  const [decoder, setDecoder] = useState<DecoderKindT>(existing?.decoder ?? 'auto');
  const [protoFile, setProtoFile] = useState(existing?.protoFile ?? '');
  const [types, setTypes] = useState<string[]>(existing?.messageType ? [existing.messageType] : []);
  const [messageType, setMessageType] = useState(existing?.messageType ?? '');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();

  async function readProto() {
    const res = await useMqttStore.getState().loadProto(protoFile);
    if (isError(res)) {
      setOutcome({ ok: false, text: res.message });
      return;
    }
    setTypes(res.messageTypes);
    setMessageType(res.messageTypes.includes(messageType) ? messageType : (res.messageTypes[0] ?? ''));
    setOutcome({ ok: true, text: `${res.messageTypes.length} message types in ${res.path}.` });
  }

  async function apply(remove = false) {
    const err = await useMqttStore
      .getState()
      .setDecoderRule(filter, remove ? undefined : { decoder, ...(decoder === 'protobuf' ? { protoFile, messageType } : {}) });
    setOutcome(err ? { ok: false, text: err.message } : { ok: true, text: remove ? `Messages on ${filter} are decoded automatically again.` : `Messages on ${filter} are decoded as ${DECODER_OPTIONS.find((o) => o.value === decoder)?.label}.` });
  }

  return (
    <form
      className="fb-mqtt-decoder"
      aria-label="Decoder"
      onSubmit={(e) => {
        e.preventDefault();
        void apply();
      }}
    >
      <TextField label="For topics matching" mono value={filter} onChange={(e) => setFilter(e.target.value)} list="fb-mqtt-decoder-filters" />
      <datalist id="fb-mqtt-decoder-filters">
        {[topic, ...subs.map((s) => s.filter)].map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <Select label="Decode as" value={decoder} onChange={(e) => setDecoder(e.target.value as DecoderKindT)} options={DECODER_OPTIONS} />
      {decoder === 'protobuf' ? (
        <>
          <div className="fb-mqtt-decoder__proto">
            <TextField label=".proto file on this machine" mono value={protoFile} onChange={(e) => setProtoFile(e.target.value)} placeholder="/home/tech/plant/telemetry.proto" />
            <Button icon={<FileCode2 size={16} />} disabled={!protoFile} onClick={() => void readProto()}>
              Read file
            </Button>
          </div>
          {types.length ? <Select label="Message type" value={messageType} onChange={(e) => setMessageType(e.target.value)} options={types.map((t) => ({ value: t, label: t }))} /> : null}
        </>
      ) : null}
      <div className="fb-mqtt-decoder__actions">
        <Button type="submit" variant="primary" disabled={!filter || (decoder === 'protobuf' && !messageType)}>
          Use this decoder
        </Button>
        {existing ? (
          <Button variant="ghost" onClick={() => void apply(true)}>
            Remove rule
          </Button>
        ) : null}
      </div>
      {outcome ? (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'fb-mqtt-muted' : 'fb-field__error'}>
          {outcome.text}
        </p>
      ) : null}
      {rules.length ? (
        <ul className="fb-mqtt-decoder__rules" aria-label="Decoder rules">
          {rules.map((r) => (
            <li key={r.filter} className="fb-mqtt-mono">
              {r.filter} → {r.decoder === 'auto' ? 'automatic' : decoderLabel(r.decoder)}
              {r.messageType ? ` (${r.messageType})` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

/** The selected topic: latest value, the change from the previous one, a chart, its history, publish, decoder. */
export function TopicDetail({ mqtt5 }: { mqtt5: boolean }) {
  const view = useMqttStore((s) => s.topicView);
  const [tab, setTab] = useState('value');
  const [confirmClear, setConfirmClear] = useState(false);
  const entries = view?.entries;
  const series = useMemo(() => numericSeries(entries ?? []), [entries]);
  if (!view) {
    return (
      <section className="fb-mqtt-topic" aria-label="Topic">
        <p className="fb-mqtt-muted">Choose a topic in the tree to see its value, history and chart.</p>
      </section>
    );
  }
  const latest = view.entries[view.entries.length - 1];
  const previous = view.entries[view.entries.length - 2];
  return (
    <section className="fb-mqtt-topic" aria-label="Topic">
      <div className="fb-mqtt-topic__head">
        <h3 className="fb-mqtt-mono fb-mqtt-wrap">
          {/* Break long topics after a slash, between levels, rather than inside one. */}
          {view.topic.split('/').map((level, i, all) => (
            <span key={i}>
              {level}
              {i < all.length - 1 ? (
                <>
                  /<wbr />
                </>
              ) : null}
            </span>
          ))}
        </h3>
        <Button size="sm" variant="danger" icon={<Eraser size={16} />} onClick={() => setConfirmClear(true)}>
          Clear retained
        </Button>
      </div>
      <p className="fb-mqtt-muted">
        {formatCount(view.received)} received · {formatCount(view.inMemory)} in memory
        {latest ? ` · last ${formatTime(latest.receivedAt)}${latest.retain ? ' (retained)' : ''}` : ''}
      </p>
      {view.error ? <p className="fb-field__error">{view.error.message}</p> : null}
      <Tabs
        label="Topic views"
        value={tab}
        onChange={setTab}
        items={[
          {
            id: 'value',
            label: 'Value',
            content: latest ? <DecodedView decoded={latest.decoded} label="Latest value" /> : <p className="fb-mqtt-muted">{view.loading ? 'Loading…' : 'No message of this topic is in memory.'}</p>,
          },
          {
            id: 'diff',
            label: 'Diff',
            content:
              latest && previous ? (
                <div aria-label="Change from the previous value">
                  <p className="fb-mqtt-muted">
                    {formatTime(previous.receivedAt)} → {formatTime(latest.receivedAt)}
                  </p>
                  <pre className="fb-mqtt-pre fb-mqtt-diff">
                    {payloadDiff(previous.decoded, latest.decoded).map((part, i) => (
                      <span key={i} data-change={part.added ? 'added' : part.removed ? 'removed' : undefined}>
                        {part.value
                          .replace(/\n$/, '')
                          .split('\n')
                          .map((line) => `${part.added ? '+ ' : part.removed ? '- ' : '  '}${line}`)
                          .join('\n')}
                        {'\n'}
                      </span>
                    ))}
                  </pre>
                </div>
              ) : (
                <p className="fb-mqtt-muted">The diff needs two messages of this topic.</p>
              ),
          },
          {
            id: 'chart',
            label: 'Chart',
            content: series.names.length ? (
              <Suspense fallback={<p className="fb-mqtt-muted">Loading the chart…</p>}>
                <TopicChart series={series} />
              </Suspense>
            ) : <p className="fb-mqtt-muted">No numeric value in this topic&apos;s messages.</p>,
          },
          {
            id: 'history',
            label: `History (${view.entries.length})`,
            content: (
              <ol className="fb-mqtt-history" aria-label="History" reversed>
                {[...view.entries].reverse().map((e) => (
                  <li key={e.seq}>
                    <span className="fb-mqtt-history__time">{formatTime(e.receivedAt)}</span>
                    <span className="fb-mqtt-history__size">{formatBytes(e.size)}</span>
                    <span className="fb-mqtt-history__value fb-mqtt-mono" data-failed={!e.decoded.ok || undefined}>
                      {decodedText(e.decoded).replace(/\s*\n\s*/g, ' ')}
                    </span>
                  </li>
                ))}
              </ol>
            ),
          },
          { id: 'publish', label: 'Publish', content: <PublishPanel key={view.topic} mqtt5={mqtt5} initialTopic={view.topic} /> },
          { id: 'decoder', label: 'Decoder', content: <DecoderForm key={view.topic} topic={view.topic} /> },
        ]}
      />
      <ClearRetainedDialog topic={view.topic} open={confirmClear} onClose={() => setConfirmClear(false)} />
    </section>
  );
}
