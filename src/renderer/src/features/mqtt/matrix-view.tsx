import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CircleCheck, CircleMinus, CircleX, Download, Play, Plus, Trash2, Wrench } from 'lucide-react';
import { Button, Checkbox, Dialog, Progress, Select, StatusBadge, TextField } from '../../ui';
import { saveTextFile } from '../../ui';
import type { MatrixEndpointInputT, MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import { EMPTY_ENDPOINT, type MatrixRunRequest } from './matrix-slice';
import { useMqttStore } from './use-mqtt-store';
import './matrix-view.css';

/** One cell of the grid: colour, icon and a word, so it reads in sunlight and in greyscale. */
function Cell({ state, text, title }: { state: 'ok' | 'bad' | 'none'; text: string; title?: string }) {
  const Icon = state === 'ok' ? CircleCheck : state === 'bad' ? CircleX : CircleMinus;
  return (
    <td className="fb-matrix__cell" data-state={state} title={title}>
      <Icon size={16} aria-hidden="true" /> {text}
    </td>
  );
}

function verdictCells(row: MatrixRowT | undefined) {
  if (!row) return [<Cell key="c" state="none" text="…" />, <Cell key="t" state="none" text="…" />, <Cell key="a" state="none" text="…" />];
  const c = row.connect;
  const tls = row.tls.verdict;
  const auth = row.auth.verdict;
  return [
    <Cell key="c" state={c.ok ? 'ok' : 'bad'} text={c.ok ? `${c.ms !== undefined ? `${Math.round(c.ms)} ms` : 'OK'}` : 'Failed'} title={c.error?.message} />,
    <Cell key="t" state={tls === 'ok' ? 'ok' : tls === 'failed' ? 'bad' : 'none'} text={tls === 'ok' ? 'Verified' : tls === 'failed' ? 'Failed' : tls === 'notUsed' ? 'No TLS' : 'Not reached'} />,
    <Cell
      key="a"
      state={auth === 'accepted' ? 'ok' : auth === 'refused' ? 'bad' : 'none'}
      text={`${row.auth.method === 'none' ? 'None' : row.auth.method === 'x509' ? 'X.509' : 'SAT'}: ${auth === 'accepted' ? 'accepted' : auth === 'refused' ? `refused${row.auth.reasonCode !== undefined ? ` (${row.auth.reasonCode})` : ''}` : '—'}`}
    />,
  ];
}

function probeCell(row: MatrixRowT | undefined, from: MatrixTargetT) {
  if (!row) return <Cell key={from.id} state="none" text="…" />;
  const got = row.received.find((r) => r.fromTargetId === from.id);
  if (got) return <Cell key={from.id} state="ok" text={`${Math.round(got.latencyMs)} ms`} />;
  if (row.missing.includes(from.id)) return <Cell key={from.id} state="bad" text="Missing" />;
  return <Cell key={from.id} state="none" text="—" title="Not published or not subscribed" />;
}

/** The diagnosis drawer: the sentence, the fixes, and the certificate chain the server presented. */
function DiagnosisDialog() {
  const openId = useMqttStore((s) => s.matrix.openTargetId);
  const row = useMqttStore((s) => (openId ? s.matrix.rows[openId] : undefined));
  const target = useMqttStore((s) => s.matrix.targets.find((t) => t.id === openId));
  const fixOutcome = useMqttStore((s) => s.matrix.fixOutcome);
  const close = () => useMqttStore.getState().openDiagnosis(undefined);
  return (
    <Dialog open={openId !== undefined && row !== undefined} onClose={close} size="lg" title={target ? `Why ${target.label} ${row?.ok ? 'passed' : 'failed'}` : 'Diagnosis'}>
      {row ? (
        <div className="fb-mqtt-form">
          {row.diagnosis ? (
            <div className="fb-mqtt-outcome" data-kind={row.ok ? 'ok' : 'error'}>
              <p>{row.diagnosis.sentence}</p>
              {row.diagnosis.detail ? (
                <details>
                  <summary>Details</summary>
                  <pre>{row.diagnosis.detail}</pre>
                </details>
              ) : null}
            </div>
          ) : (
            <p>{row.ok ? 'Connected, verified, authorised, and every probe arrived.' : 'No diagnosis was given for this listener.'}</p>
          )}
          {row.diagnosis?.fixes.length ? (
            <div className="fb-matrix__fixes">
              {row.diagnosis.fixes.map((f) =>
                // A fix without an action is advice: shown as a step, not as a button that does nothing.
                f.action ? (
                  <Button key={f.label} icon={<Wrench size={18} />} onClick={() => void useMqttStore.getState().applyFix(f)}>
                    {f.label}
                  </Button>
                ) : (
                  <p key={f.label} className="fb-matrix__advice">
                    <Wrench size={18} aria-hidden="true" /> {f.label}
                  </p>
                ),
              )}
            </div>
          ) : null}
          {fixOutcome ? (
            <p role={fixOutcome.ok ? 'status' : 'alert'} className={fixOutcome.ok ? undefined : 'fb-field__error'}>
              {fixOutcome.text}
            </p>
          ) : null}
          {target?.notes.length ? (
            <ul className="fb-mqtt-muted">
              {target.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
          <h3 className="fb-matrix__chain-title">Certificate chain the server presented{row.tls.chainsTo ? ` — chains to ${row.tls.chainsTo}` : ''}</h3>
          {row.tls.presentedChain.length ? (
            <ol className="fb-matrix__chain">
              {row.tls.presentedChain.map((c) => (
                <li key={c.fingerprint256}>
                  <dl className="fb-mqtt-dl">
                    <dt>Subject</dt>
                    <dd>{c.subject}</dd>
                    <dt>Issuer</dt>
                    <dd>{c.issuer}</dd>
                    <dt>SANs</dt>
                    <dd className="fb-mqtt-mono">{c.sans.length ? c.sans.join(', ') : 'none'}</dd>
                    <dt>Valid</dt>
                    <dd>
                      {c.validFrom} → {c.validTo}
                    </dd>
                    <dt>SHA-256</dt>
                    <dd className="fb-mqtt-mono">{c.fingerprint256}</dd>
                  </dl>
                </li>
              ))}
            </ol>
          ) : (
            <p className="fb-mqtt-muted">{row.tls.verdict === 'notUsed' ? 'This listener does not use TLS.' : 'No certificate was presented (the connection ended before TLS).'}</p>
          )}
        </div>
      ) : null}
    </Dialog>
  );
}

/** The listener matrix: every listener of a node (or given endpoints) × every probe, green or red, with why. */
export function MatrixView() {
  const m = useMqttStore((s) => s.matrix);
  const choices = useMqttStore((s) => s.choices);
  const { source, nodeId, caId, clientId, endpoints } = useMqttStore(useShallow((s) => s.matrixSetup));
  const setup = useMqttStore((s) => s.setMatrixSetup);
  const setEndpoints = (endpoints: typeof EMPTY_ENDPOINT[]) => setup({ endpoints });

  useEffect(() => {
    void useMqttStore.getState().loadChoices();
    void useMqttStore.getState().loadMatrixEndpoints();
  }, []);

  const certs = choices?.certificates ?? [];
  const nodes = choices?.nodes ?? [];
  const endpointsValid = endpoints.every((e) => e.host.trim() && /^\d+$/.test(e.port) && Number(e.port) <= 65_535 && (!e.x509 || clientId));
  const canRun = !m.running && (source === 'node' ? Boolean(nodeId) : endpoints.length > 0 && endpointsValid);

  function run() {
    const common = { ...(caId ? { caCertificateId: caId } : {}), ...(clientId ? { clientCertificateId: clientId } : {}) };
    if (source === 'node') {
      void useMqttStore.getState().runMatrix({ nodeId, ...common } as MatrixRunRequest);
      return;
    }
    const list: MatrixEndpointInputT[] = endpoints.map((e) => ({
      ...(e.name.trim() ? { name: e.name.trim() } : {}),
      host: e.host.trim(),
      port: Number(e.port),
      tls: e.tls,
      ...(e.tls && caId ? { ca: { source: 'vault' as const, certificateId: caId } } : {}),
      auth: e.x509 && clientId ? { method: 'x509' as const, certificateId: clientId } : { method: 'none' as const },
      mqttVersion: '5.0',
      route: { kind: 'direct' },
    }));
    void useMqttStore.getState().runMatrix({ endpoints: list, ...common } as MatrixRunRequest);
  }

  const summary = m.result?.summary;
  return (
    <div className="fb-matrix">
      <form
        className="fb-matrix__setup"
        aria-label="Matrix setup"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <Select
          label="Listeners from"
          value={source}
          onChange={(e) => setup({ source: e.target.value as 'node' | 'endpoints' })}
          options={[
            { value: 'node', label: "A node's AIO broker (discovered)" },
            { value: 'endpoints', label: 'Addresses I give' },
          ]}
        />
        {source === 'node' ? (
          <Select label="Node" value={nodeId} onChange={(e) => setup({ nodeId: e.target.value })} placeholder={nodes.length ? 'Choose a node…' : 'No node yet (add one in Edge nodes)'} options={nodes.map((n) => ({ value: n.id, label: n.name }))} />
        ) : (
          <Select
            label="Addresses of node"
            hint="The addresses are kept for this node, also after a restart."
            value={nodeId}
            onChange={(e) => setup({ nodeId: e.target.value })}
            options={[{ value: '', label: 'No particular node' }, ...nodes.map((n) => ({ value: n.id, label: n.name }))]}
          />
        )}
        <Select label="CA for server certificates" value={caId} onChange={(e) => setup({ caId: e.target.value })} options={[{ value: '', label: 'Default (cluster trust bundle / system)' }, ...certs.filter((c) => c.isCa).map((c) => ({ value: c.id, label: c.label }))]} />
        <Select label="Client certificate (X.509 listeners)" value={clientId} onChange={(e) => setup({ clientId: e.target.value })} options={[{ value: '', label: 'Choose automatically' }, ...certs.filter((c) => !c.isCa && c.hasPrivateKey).map((c) => ({ value: c.id, label: c.label }))]} />
        {source === 'endpoints' ? (
          <div className="fb-matrix__endpoints">
            {endpoints.map((e, i) => (
              <div key={i} className="fb-matrix__endpoint">
                <TextField label={`Name ${i + 1}`} value={e.name} onChange={(x) => setEndpoints(endpoints.map((y, j) => (j === i ? { ...y, name: x.target.value } : y)))} placeholder="NodePort" />
                <TextField label={`Host ${i + 1}`} mono value={e.host} onChange={(x) => setEndpoints(endpoints.map((y, j) => (j === i ? { ...y, host: x.target.value } : y)))} />
                <TextField label={`Port ${i + 1}`} mono inputMode="numeric" value={e.port} onChange={(x) => setEndpoints(endpoints.map((y, j) => (j === i ? { ...y, port: x.target.value } : y)))} />
                <Checkbox label="TLS" checked={e.tls} onChange={(x) => setEndpoints(endpoints.map((y, j) => (j === i ? { ...y, tls: x.target.checked } : y)))} />
                <Checkbox label="X.509" checked={e.x509} disabled={!e.tls} onChange={(x) => setEndpoints(endpoints.map((y, j) => (j === i ? { ...y, x509: x.target.checked } : y)))} />
                <Button iconOnly variant="ghost" aria-label={`Remove endpoint ${i + 1}`} icon={<Trash2 size={18} />} onClick={() => setEndpoints(endpoints.filter((_, j) => j !== i))} />
              </div>
            ))}
            <Button size="sm" icon={<Plus size={16} />} onClick={() => setEndpoints([...endpoints, { ...EMPTY_ENDPOINT, host: endpoints[endpoints.length - 1]?.host ?? '', port: '', tls: true }])}>
              Add endpoint
            </Button>
            {endpoints.some((e) => e.x509) && !clientId ? <p className="fb-field__error">Choose the client certificate the X.509 endpoints use.</p> : null}
          </div>
        ) : null}
        <div className="fb-matrix__actions">
          <Button type="submit" variant="primary" icon={<Play size={18} />} disabled={!canRun} loading={m.running}>
            Run the matrix
          </Button>
          {m.result ? (
            <Button icon={<Download size={18} />} onClick={() => saveTextFile(`mqtt-matrix-${m.result!.runId}.json`, JSON.stringify(m.result, null, 2), 'application/json')}>
              Export JSON
            </Button>
          ) : null}
        </div>
      </form>
      {m.running && m.progress ? <Progress label="Listener matrix" message={m.progress.message} fraction={m.progress.fraction} onCancel={() => useMqttStore.getState().cancelMatrix()} /> : null}
      {m.error ? (
        <div className="fb-mqtt-outcome" data-kind="error" role="alert">
          <p>{m.error.message}</p>
        </div>
      ) : null}
      {summary ? (
        <p role="status" className="fb-matrix__summary">
          <StatusBadge status={summary.failed === 0 && summary.crossDeliveryComplete ? 'ok' : 'error'} label={`${summary.passed} of ${summary.total} listeners passed`} />{' '}
          {summary.crossDeliveryComplete ? 'Every listener received every probe.' : 'Some probes did not arrive: see the red cells.'}
          {m.result?.cancelled ? ' The run was cancelled.' : ''}
        </p>
      ) : null}
      {m.result?.skipped.length ? (
        <ul className="fb-mqtt-muted">
          {m.result.skipped.map((s) => (
            <li key={`${s.listener}:${s.port}`}>
              Not tested: {s.listener} :{s.port} — {s.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {m.targets.length ? (
        <div className="fb-matrix__scroll">
          <table className="fb-matrix__grid">
            <caption className="fb-visually-hidden">Listeners by probe: connect, TLS and auth verdicts, and which probes arrived</caption>
            <thead>
              <tr>
                <th scope="col">Listener</th>
                <th scope="col">Connect</th>
                <th scope="col">TLS</th>
                <th scope="col">Auth</th>
                {m.targets.map((t) => (
                  <th key={t.id} scope="col" title={t.label}>
                    Probe from {t.listener ?? t.label}
                  </th>
                ))}
                <th scope="col" className="fb-matrix__why">
                  Why
                </th>
              </tr>
            </thead>
            <tbody>
              {m.targets.map((t) => {
                const row = m.rows[t.id];
                return (
                  <tr key={t.id} data-ok={row ? row.ok : undefined}>
                    <th scope="row">
                      <span className="fb-matrix__label">{t.label}</span>
                      <span className="fb-mqtt-muted fb-mqtt-mono">
                        {t.tls ? 'mqtts' : 'mqtt'}://{t.host}:{t.port}
                      </span>
                    </th>
                    {verdictCells(row)}
                    {m.targets.map((from) => probeCell(row, from))}
                    <td className="fb-matrix__why">
                      <Button size="sm" disabled={!row} onClick={() => useMqttStore.getState().openDiagnosis(t.id)} aria-label={`Why ${t.label}`}>
                        {row && !row.ok ? 'Why it failed' : 'Details'}
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : !m.running ? (
        <p className="fb-mqtt-muted">Choose a node (or give the listener addresses) and run: every listener connects, subscribes and publishes a probe, and the grid shows what reached where.</p>
      ) : null}
      <DiagnosisDialog />
    </div>
  );
}
