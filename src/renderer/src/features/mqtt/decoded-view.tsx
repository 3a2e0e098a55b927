import type { DecodedPayloadT } from '@shared/contract/mqtt-contract';
import { Badge } from '../../ui';
import { decodedText } from './topic-values';

const DECODER_LABELS: Record<DecodedPayloadT['decoder'], string> = {
  json: 'JSON',
  text: 'Text',
  hex: 'Hex',
  base64: 'Base64',
  cbor: 'CBOR',
  sparkplug: 'Sparkplug B',
  protobuf: 'Protobuf',
};

export function decoderLabel(d: DecodedPayloadT['decoder']): string {
  return DECODER_LABELS[d];
}

function metricValue(v: unknown, isNull: boolean | undefined): string {
  if (isNull) return 'null';
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? 'null';
}

/**
 * A payload as main decoded it: Sparkplug metrics as a table, structures as JSON, and a payload that did not
 * decode as its raw bytes (hex and text) under the reason, never as an empty object.
 */
export function DecodedView({ decoded, label = 'Decoded payload' }: { decoded: DecodedPayloadT; label?: string }) {
  const sp = decoded.sparkplug;
  return (
    <section className="fb-mqtt-decoded" aria-label={label}>
      <p className="fb-mqtt-decoded__head">
        <Badge tone={decoded.ok ? 'info' : 'warning'}>{decoderLabel(decoded.decoder)}</Badge>
        <span className="fb-mqtt-muted">{decoded.chosenBy === 'auto' ? 'chosen automatically' : `rule ${decoded.chosenBy}`}</span>
        {sp && sp.messageType !== 'STATE' ? (
          <span className="fb-mqtt-mono">
            {sp.messageType} · {sp.groupId}/{sp.edgeNodeId}
            {sp.deviceId ? `/${sp.deviceId}` : ''}
            {sp.seq !== undefined ? ` · seq ${sp.seq}` : ''}
          </span>
        ) : null}
      </p>
      {!decoded.ok ? (
        <div className="fb-mqtt-decoded__failed" role="note">
          <p className="fb-field__error">{decoded.reason}</p>
          {decoded.raw ? (
            <dl className="fb-mqtt-dl">
              <dt>Bytes</dt>
              <dd>{decoded.raw.size.toLocaleString('en-US')}</dd>
              <dt>Hex</dt>
              <dd>
                <pre className="fb-mqtt-pre" aria-label="Raw payload as hex">
                  {decoded.raw.hex || '(empty)'}
                  {decoded.raw.truncated ? ' …' : ''}
                </pre>
              </dd>
              <dt>Text</dt>
              <dd>
                <pre className="fb-mqtt-pre" aria-label="Raw payload as text">
                  {decoded.raw.text || '(empty)'}
                </pre>
              </dd>
            </dl>
          ) : null}
        </div>
      ) : sp && sp.messageType !== 'STATE' ? (
        <>
          <table className="fb-mqtt-metrics" aria-label="Sparkplug metrics">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {sp.metrics.map((m, i) => (
                <tr key={`${m.name ?? m.alias ?? ''}-${i}`}>
                  <td className="fb-mqtt-mono" title={m.alias !== undefined ? `alias ${m.alias}${m.fromBirth ? ', name from the birth message' : ''}` : undefined}>
                    {m.name ?? `alias ${m.alias ?? '?'} (no birth seen)`}
                  </td>
                  <td>{m.datatype ?? '?'}</td>
                  <td className="fb-mqtt-mono">{metricValue(m.value, m.isNull)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {sp.unknownAliases?.length ? (
            <p className="fb-mqtt-warning">
              Aliases {sp.unknownAliases.join(', ')} are not in any birth message seen so far. Subscribe before the edge node starts, or send it a rebirth command, to learn their names.
            </p>
          ) : null}
        </>
      ) : (
        <pre className="fb-mqtt-pre fb-mqtt-decoded__value" tabIndex={0}>
          {decodedText(decoded)}
        </pre>
      )}
    </section>
  );
}
