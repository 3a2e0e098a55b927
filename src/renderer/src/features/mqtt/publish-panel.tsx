import { useEffect, useId, useState, type CSSProperties } from 'react';
import { Plus, Send, Trash2, X } from 'lucide-react';
import { Badge, Button, Checkbox, Select, TextField } from '../../ui';
import { SUBSCRIPTION_COLOURS } from './connection-state';
import { checkPayload, prettyJson, type PayloadFormat } from './payload-check';
import { isError, useMqttStore, type TopicField } from './use-mqtt-store';

const QOS_OPTIONS = [0, 1, 2].map((q) => ({ value: String(q), label: `QoS ${q}` }));

/** The MQTT rule a topic breaks, as main worded it, for the field's error line. */
function useTopicCheck(field: TopicField, topic: string): string | undefined {
  const check = useMqttStore((s) => s.topicChecks[field]);
  useEffect(() => {
    // A short pause so typing "factory/line1" does not send one check per key.
    const t = setTimeout(() => void useMqttStore.getState().validateTopic(field, topic), 150);
    return () => clearTimeout(t);
  }, [field, topic]);
  if (!check || check.topic !== topic || check.check.valid) return undefined;
  return check.check.message ?? `The topic breaks the MQTT rule "${check.check.rule ?? 'unknown'}".`;
}

/** Subscriptions of the active connection: filter, QoS, colour; add and remove. */
export function SubscriptionsPanel({ connectionId }: { connectionId: string }) {
  const subs = useMqttStore((s) => s.connections[connectionId]?.subscriptions ?? []);
  const [filter, setFilter] = useState('');
  const [qos, setQos] = useState<0 | 1 | 2>(0);
  const [pickedColour, setColour] = useState<string | undefined>();
  // Each new subscription gets the next colour unless the person picked one.
  const colour = pickedColour ?? SUBSCRIPTION_COLOURS[subs.length % SUBSCRIPTION_COLOURS.length] ?? SUBSCRIPTION_COLOURS[0];
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const ruleBroken = useTopicCheck('subscribe', filter);


  async function add() {
    if (!filter || ruleBroken) return;
    setBusy(true);
    const err = await useMqttStore.getState().subscribeTo(filter, qos, colour);
    setBusy(false);
    if (err) setError(err.message);
    else {
      setError(undefined);
      setFilter('');
      setColour(undefined);
    }
  }

  return (
    <section className="fb-mqtt-subs" aria-label="Subscriptions">
      <form
        className="fb-mqtt-subs__form"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <TextField
          label="Subscribe to"
          mono
          value={filter}
          placeholder="factory/+/temperature or #"
          onChange={(e) => setFilter(e.target.value)}
          error={ruleBroken ?? error}
          className="fb-mqtt-subs__filter"
        />
        <Select label="QoS" value={String(qos)} onChange={(e) => setQos(Number(e.target.value) as 0 | 1 | 2)} options={QOS_OPTIONS} className="fb-mqtt-subs__qos" />
        <div className="fb-field fb-mqtt-subs__colour">
          <span className="fb-field__label" id="fb-mqtt-colour-label">
            Colour
          </span>
          <div className="fb-mqtt-swatches" role="radiogroup" aria-labelledby="fb-mqtt-colour-label">
            {SUBSCRIPTION_COLOURS.slice(0, 6).map((c) => (
              <button
                key={c}
                type="button"
                role="radio"
                aria-checked={colour === c}
                aria-label={`Colour ${c}`}
                className="fb-mqtt-swatch"
                data-colour={c}
                onClick={() => setColour(c)}
                style={{ '--swatch': c } as CSSProperties}
              />
            ))}
          </div>
        </div>
        <Button type="submit" icon={<Plus size={18} />} loading={busy} disabled={!filter || Boolean(ruleBroken)}>
          Subscribe
        </Button>
      </form>
      {subs.length ? (
        <ul className="fb-mqtt-chips" aria-label="Active subscriptions">
          {subs.map((s) => (
            <li key={s.id} className="fb-mqtt-chip" style={{ '--sub-colour': s.color } as CSSProperties}>
              <span className="fb-mqtt-chip__dot" aria-hidden="true" />
              <span className="fb-mqtt-chip__filter">{s.filter}</span>
              <span className="fb-mqtt-chip__meta">
                QoS {s.grantedQos ?? s.qos}
              </span>
              {s.state === 'refused' ? <Badge tone="danger">Refused</Badge> : s.state === 'pending' ? <Badge tone="info">Pending</Badge> : null}
              <Button size="sm" variant="ghost" iconOnly aria-label={`Unsubscribe ${s.filter}`} icon={<X size={16} />} onClick={() => void useMqttStore.getState().unsubscribe(s.id)} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

interface PropRow {
  key: string;
  value: string;
}

/** Publish: topic (checked against the MQTT rules), QoS, retain, payload format and MQTT 5 properties. */
export function PublishPanel({ mqtt5, initialTopic = '' }: { mqtt5: boolean; initialTopic?: string }) {
  const [topic, setTopic] = useState(initialTopic);
  const [format, setFormat] = useState<PayloadFormat>('text');
  const [payload, setPayload] = useState('');
  const [qos, setQos] = useState<0 | 1 | 2>(0);
  const [retain, setRetain] = useState(false);
  const [showProps, setShowProps] = useState(false);
  const [contentType, setContentType] = useState('');
  const [responseTopic, setResponseTopic] = useState('');
  const [correlation, setCorrelation] = useState('');
  const [expiry, setExpiry] = useState('');
  const [userProps, setUserProps] = useState<PropRow[]>([]);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const ruleBroken = useTopicCheck('publish', topic);
  const payloadId = useId();
  const payloadError = payload || format === 'json' ? checkPayload(format, payload) : undefined;
  const expiryError = expiry && !/^\d+$/.test(expiry) ? 'Enter whole seconds.' : undefined;
  const correlationError = correlation && !/^([0-9a-fA-F]{2})*$/.test(correlation) ? 'Give correlation data as hex pairs, e.g. 0a1b.' : undefined;
  const blocked = !topic || Boolean(ruleBroken || payloadError || expiryError || correlationError);

  async function send() {
    if (blocked) return;
    setBusy(true);
    const props = {
      ...(contentType ? { contentType } : {}),
      ...(responseTopic ? { responseTopic } : {}),
      ...(correlation ? { correlationDataHex: correlation } : {}),
      ...(expiry ? { messageExpirySeconds: Number(expiry) } : {}),
      ...(userProps.some((u) => u.key) ? { userProperties: userProps.filter((u) => u.key) } : {}),
    };
    const res = await useMqttStore.getState().publish({
      topic,
      payload: { format, value: format === 'hex' ? payload.replace(/[\s:]/g, '') : payload },
      qos,
      retain,
      ...(mqtt5 && Object.keys(props).length ? { properties: props } : {}),
    });
    setBusy(false);
    if (isError(res)) setOutcome({ ok: false, text: res.message });
    else setOutcome({ ok: true, text: `Published ${res.bytes.toLocaleString('en-US')} bytes${qos > 0 ? ', acknowledged by the broker' : ''}.${res.warnings.length ? ` ${res.warnings.join(' ')}` : ''}` });
  }

  return (
    <form
      className="fb-mqtt-publish"
      aria-label="Publish"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <TextField label="Topic" mono value={topic} onChange={(e) => setTopic(e.target.value)} error={ruleBroken} placeholder="factory/line1/temperature" />
      <div className="fb-mqtt-publish__row">
        <Select
          label="Payload format"
          value={format}
          onChange={(e) => setFormat(e.target.value as PayloadFormat)}
          options={[
            { value: 'text', label: 'Text' },
            { value: 'json', label: 'JSON' },
            { value: 'hex', label: 'Hex' },
            { value: 'base64', label: 'Base64' },
          ]}
        />
        <Select label="QoS" value={String(qos)} onChange={(e) => setQos(Number(e.target.value) as 0 | 1 | 2)} options={QOS_OPTIONS} />
        <Checkbox label="Retain" checked={retain} onChange={(e) => setRetain(e.target.checked)} />
      </div>
      <div className="fb-field">
        <label className="fb-field__label" htmlFor={payloadId}>
          Payload
        </label>
        <textarea
          id={payloadId}
          className="fb-input fb-mqtt-textarea"
          data-mono
          rows={5}
          value={payload}
          spellCheck={false}
          aria-invalid={payloadError ? true : undefined}
          aria-describedby={payloadError ? 'fb-mqtt-payload-error' : undefined}
          onChange={(e) => setPayload(e.target.value)}
        />
        {payloadError ? (
          <span className="fb-field__error" id="fb-mqtt-payload-error">
            {payloadError}
          </span>
        ) : null}
      </div>
      {format === 'json' && !payloadError && payload ? (
        <Button size="sm" variant="ghost" onClick={() => setPayload(prettyJson(payload))}>
          Format JSON
        </Button>
      ) : null}
      {mqtt5 ? (
        <details className="fb-mqtt-props" open={showProps} onToggle={(e) => setShowProps((e.target as HTMLDetailsElement).open)}>
          <summary>MQTT 5 properties</summary>
          <div className="fb-mqtt-props__grid">
            <TextField label="Content type" mono value={contentType} onChange={(e) => setContentType(e.target.value)} placeholder="application/json" />
            <TextField label="Response topic" mono value={responseTopic} onChange={(e) => setResponseTopic(e.target.value)} />
            <TextField label="Correlation data (hex)" mono value={correlation} onChange={(e) => setCorrelation(e.target.value)} error={correlationError} />
            <TextField label="Message expiry (s)" mono inputMode="numeric" value={expiry} onChange={(e) => setExpiry(e.target.value)} error={expiryError} />
            {userProps.map((u, i) => (
              <div className="fb-mqtt-kv__row fb-mqtt-props__wide" key={i}>
                <TextField label={`Property ${i + 1} name`} mono value={u.key} onChange={(e) => setUserProps(userProps.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
                <TextField label={`Property ${i + 1} value`} mono value={u.value} onChange={(e) => setUserProps(userProps.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
                <Button iconOnly variant="ghost" aria-label={`Remove property ${i + 1}`} icon={<Trash2 size={18} />} onClick={() => setUserProps(userProps.filter((_, j) => j !== i))} />
              </div>
            ))}
            <Button size="sm" icon={<Plus size={16} />} onClick={() => setUserProps([...userProps, { key: '', value: '' }])}>
              Add user property
            </Button>
          </div>
        </details>
      ) : null}
      <div className="fb-mqtt-publish__send">
        <Button type="submit" variant="primary" icon={<Send size={18} />} loading={busy} disabled={blocked}>
          Publish
        </Button>
        {outcome ? (
          <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'fb-mqtt-muted' : 'fb-field__error'}>
            {outcome.text}
          </p>
        ) : null}
      </div>
    </form>
  );
}
