import { useState } from 'react';
import { Copy, X } from 'lucide-react';
import { Badge, Button, Select } from '../../ui';
import { copyText } from '../../ui';
import { formatBytes, formatCount, formatTime } from './connection-state';
import { DecodedView } from './decoded-view';
import { useMqttStore } from './use-mqtt-store';

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
          {v.decoded ? <DecodedView decoded={v.decoded} /> : null}
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
