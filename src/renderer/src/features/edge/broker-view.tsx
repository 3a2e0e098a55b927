import { Download, ListChecks, RefreshCw, Settings2, Wrench } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Badge, Button, Progress, StatusBadge, Table, type Status, type TableColumn } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import type {
  AioCheckItemT,
  AioDiscoveryT,
  AuthenticationSummaryT,
  CertificateResourceSummaryT,
  DiagnosticT,
  IssuerSummaryT,
  ListenerSummaryT,
  TlsSummaryT,
  TrustBundleSummaryT,
} from '@shared/contract/aio-contract';
import type { NodeSummary } from './edge-state';
import { useEdgeStore } from './use-edge-store';

const SEVERITY: Record<DiagnosticT['severity'], { status: Status; label: string }> = {
  error: { status: 'error', label: 'Problem' },
  warning: { status: 'warning', label: 'Warning' },
  info: { status: 'unknown', label: 'Note' },
};

function readyBadge(ready: string, reason?: string) {
  if (ready === 'True') return <StatusBadge status="ok" label="Ready" />;
  if (ready === 'False') return <StatusBadge status="error" label={reason ? `Not ready: ${reason}` : 'Not ready'} />;
  return <StatusBadge status="unknown" label={reason ? `Unknown: ${reason}` : 'Unknown'} />;
}

function tlsText(tls: TlsSummaryT): string {
  if (tls.mode === 'None') return 'None (plain MQTT)';
  if (tls.mode === 'Manual') return `Manual, Secret ${tls.secretName ?? '?'}`;
  return `Automatic, ${tls.issuerRef ? `${tls.issuerRef.kind} ${tls.issuerRef.name}` : 'no issuer'}`;
}

function Diagnostics({ node, diagnostics }: { node: NodeSummary; diagnostics: readonly DiagnosticT[] }) {
  const { startApply, importTrustBundle, importing } = useEdgeStore(useShallow((s) => ({ startApply: s.startApply, importTrustBundle: s.importTrustBundle, importing: s.importingBundle })));
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...diagnostics].sort((a, b) => order[a.severity] - order[b.severity]);
  return (
    <section className="fb-edge-section" aria-labelledby="fb-edge-diag">
      <h3 id="fb-edge-diag">Diagnostics</h3>
      {sorted.length === 0 ? (
        <p className="fb-edge-summary">
          <StatusBadge status="ok" label="No problems found" /> The listeners, certificates and policies Fieldbench can check look right.
        </p>
      ) : (
        <ul className="fb-edge-diagnostics">
          {sorted.map((d) => {
            const action = d.fix.action;
            return (
              <li key={d.id} className="fb-edge-diagnostic" data-severity={d.severity} data-id={d.id}>
                <div className="fb-edge-diagnostic__head">
                  <StatusBadge status={SEVERITY[d.severity].status} label={SEVERITY[d.severity].label} />
                  <span className="fb-edge-diagnostic__resource fb-mono">
                    {d.resource.kind} {d.resource.name}
                  </span>
                </div>
                <p className="fb-edge-diagnostic__sentence">{d.sentence}</p>
                {action?.call === 'aio.apply' ? (
                  <Button icon={<Wrench size={18} />} onClick={() => void startApply(node.id, action.spec, d.fix.label, action.force ?? false)}>
                    {d.fix.label}
                  </Button>
                ) : action?.call === 'aio.importTrustBundle' ? (
                  <Button
                    icon={<Download size={18} />}
                    loading={importing === `${action.name}/${action.key}`}
                    onClick={() =>
                      void importTrustBundle(node.id, { source: action.source, name: action.name, namespace: action.namespace, key: action.key, role: 'client-trust', certificates: [] })
                    }
                  >
                    {d.fix.label}
                  </Button>
                ) : (
                  <p className="fb-edge-diagnostic__fix">
                    <strong>What to do:</strong> {d.fix.label}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function ListenersTable({ d }: { d: AioDiscoveryT }) {
  const columns: TableColumn<ListenerSummaryT>[] = [
    {
      key: 'name',
      header: 'Listener',
      sortValue: (l) => l.name,
      render: (l) => (
        <span className="fb-edge-cell-stack">
          <span className="fb-mono">{l.name}</span>
          {l.isDefault ? <Badge tone="info">default — left alone</Badge> : null}
        </span>
      ),
    },
    { key: 'type', header: 'Service type', sortValue: (l) => l.serviceType, render: (l) => l.serviceType },
    {
      key: 'ports',
      header: 'Ports',
      render: (l) => (
        <span className="fb-edge-cell-stack fb-mono">
          {l.ports.map((p) => (
            <span key={p.port}>
              {p.port}
              {p.nodePort ? ` → node ${p.nodePort}` : ''} {p.protocol}
            </span>
          ))}
        </span>
      ),
    },
    {
      key: 'tls',
      header: 'TLS',
      render: (l) => (
        <span className="fb-edge-cell-stack">
          {l.ports.map((p) => (
            <span key={p.port}>{tlsText(p.tls)}</span>
          ))}
        </span>
      ),
    },
    {
      key: 'auth',
      header: 'Auth / authz',
      render: (l) => (
        <span className="fb-edge-cell-stack">
          {l.ports.map((p) => (
            <span key={p.port} className="fb-mono">
              {p.authenticationRef ?? 'none'} / {p.authorizationRef ?? 'none'}
            </span>
          ))}
        </span>
      ),
    },
    {
      key: 'address',
      header: 'Reachable at',
      render: (l) => {
        const svc = d.services.find((s) => s.listener === l.name || s.name === l.serviceName);
        if (!svc) return <span className="fb-edge-muted">No Service yet</span>;
        const ext = svc.externalIps.length > 0 ? svc.externalIps.join(', ') : svc.type === 'LoadBalancer' ? 'External IP pending' : undefined;
        const nodePorts = svc.ports.filter((p) => p.nodePort).map((p) => `node port ${p.nodePort}`);
        return (
          <span className="fb-edge-cell-stack">
            <span className="fb-mono">{svc.name}</span>
            {ext ? <span className="fb-mono">{ext}</span> : null}
            {nodePorts.length > 0 ? <span className="fb-mono">{nodePorts.join(', ')}</span> : null}
            {!ext && nodePorts.length === 0 ? <span className="fb-edge-muted">Inside the cluster only ({svc.clusterIp ?? 'ClusterIP'})</span> : null}
          </span>
        );
      },
    },
  ];
  return (
    <section className="fb-edge-section">
      <Table caption="Listeners" columns={columns} rows={d.listeners} rowKey={(l) => `${l.namespace}/${l.name}`} emptyText="No BrokerListeners in this namespace." density="compact" />
    </section>
  );
}

function AuthenticationTable({ rows }: { rows: readonly AuthenticationSummaryT[] }) {
  const columns: TableColumn<AuthenticationSummaryT>[] = [
    {
      key: 'name',
      header: 'Policy',
      sortValue: (a) => a.name,
      render: (a) => (
        <span className="fb-edge-cell-stack">
          <span className="fb-mono">{a.name}</span>
          {a.isDefault ? <Badge tone="info">default — left alone</Badge> : null}
        </span>
      ),
    },
    {
      key: 'methods',
      header: 'Methods, tried in order',
      render: (a) => (
        <span className="fb-edge-cell-stack">
          {a.methods.map((m, i) => (
            <span key={i}>
              {m.method === 'ServiceAccountToken'
                ? `Kubernetes SAT, audiences ${(m.audiences ?? []).join(', ') || '—'}`
                : m.method === 'X509'
                  ? `X.509, trusted client CAs from ConfigMap ${m.trustedClientCaCert ?? '?'}${m.attributeSubjects?.length ? `; attributes for ${m.attributeSubjects.join('; ')}` : ''}`
                  : `${m.method}${m.endpoint ? `, ${m.endpoint}` : ''}`}
            </span>
          ))}
        </span>
      ),
    },
  ];
  return (
    <section className="fb-edge-section">
      <Table caption="Authentication policies" columns={columns} rows={rows} rowKey={(a) => a.name} emptyText="No BrokerAuthentications." density="compact" />
    </section>
  );
}

function CertificatesTable({ rows }: { rows: readonly CertificateResourceSummaryT[] }) {
  const columns: TableColumn<CertificateResourceSummaryT>[] = [
    { key: 'name', header: 'Certificate', sortValue: (c) => c.name, render: (c) => <span className="fb-mono">{c.name}</span> },
    { key: 'listener', header: 'For listener', render: (c) => c.listener ?? '—' },
    { key: 'issuer', header: 'Issuer', render: (c) => `${c.issuerRef.kind} ${c.issuerRef.name}` },
    {
      key: 'ready',
      header: 'Ready',
      sortValue: (c) => c.ready,
      render: (c) => (
        <span className="fb-edge-cell-stack">
          {readyBadge(c.ready, c.reason)}
          {c.message && c.ready !== 'True' ? <span className="fb-edge-small">{c.message}</span> : null}
        </span>
      ),
    },
    { key: 'sans', header: 'SANs', render: (c) => <span className="fb-mono fb-edge-break">{[...c.dnsNames, ...c.ipAddresses].join(', ') || '—'}</span> },
    { key: 'notAfter', header: 'Expires', render: (c) => (c.notAfter ? new Date(c.notAfter).toLocaleDateString() : '—') },
  ];
  return (
    <section className="fb-edge-section">
      <Table caption="cert-manager certificates" columns={columns} rows={rows} rowKey={(c) => `${c.namespace}/${c.name}`} emptyText="No cert-manager Certificates." density="compact" />
    </section>
  );
}

function IssuersTable({ rows }: { rows: readonly IssuerSummaryT[] }) {
  const columns: TableColumn<IssuerSummaryT>[] = [
    { key: 'name', header: 'Issuer', sortValue: (i) => i.name, render: (i) => <span className="fb-mono">{i.name}</span> },
    { key: 'kind', header: 'Kind', render: (i) => `${i.kind}${i.namespace ? ` in ${i.namespace}` : ''}` },
    { key: 'type', header: 'Type', render: (i) => ({ ca: 'CA', selfSigned: 'Self-signed', acme: 'ACME', vault: 'Vault', other: 'Other' })[i.type] },
    {
      key: 'ready',
      header: 'Ready',
      render: (i) => (
        <span className="fb-edge-cell-stack">
          {readyBadge(i.ready, i.reason)}
          {i.message && i.ready !== 'True' ? <span className="fb-edge-small">{i.message}</span> : null}
        </span>
      ),
    },
  ];
  return (
    <section className="fb-edge-section">
      <Table caption="Issuers" columns={columns} rows={rows} rowKey={(i) => `${i.kind}/${i.namespace ?? ''}/${i.name}`} emptyText="No cert-manager issuers." density="compact" />
    </section>
  );
}

const ROLE_TEXT: Record<TrustBundleSummaryT['role'], string> = {
  'client-trust': 'What clients trust for the default listener',
  internal: 'The broker’s internal CA (usually not what clients trust)',
  other: 'Another CA bundle on the cluster',
};

function TrustBundles({ node, bundles }: { node: NodeSummary; bundles: readonly TrustBundleSummaryT[] }) {
  const { importTrustBundle, importing } = useEdgeStore(useShallow((s) => ({ importTrustBundle: s.importTrustBundle, importing: s.importingBundle })));
  return (
    <section className="fb-edge-section" aria-labelledby="fb-edge-bundles">
      <h3 id="fb-edge-bundles">Trust bundles</h3>
      {bundles.length === 0 ? <p className="fb-edge-muted">No trust bundle found on the cluster.</p> : null}
      <ul className="fb-edge-bundles">
        {bundles.map((b) => (
          <li key={`${b.source}/${b.name}/${b.key}`} className="fb-edge-bundle" data-role={b.role}>
            <div className="fb-edge-bundle__head">
              <div>
                <p className="fb-edge-bundle__name">
                  <span className="fb-mono">{b.name}</span> <span className="fb-edge-muted">({b.source}, key {b.key})</span>
                </p>
                <p className="fb-edge-small">{ROLE_TEXT[b.role]}</p>
              </div>
              <Button icon={<Download size={18} />} loading={importing === `${b.name}/${b.key}`} onClick={() => void importTrustBundle(node.id, b)}>
                Import into vault
              </Button>
            </div>
            <ul className="fb-edge-bundle__certs">
              {b.certificates.map((c) => (
                <li key={c.fingerprintSha256}>
                  <span>{c.subject}</span>
                  <span className="fb-edge-small">
                    {c.keyFamily.toUpperCase()}, {c.selfSigned ? 'self-signed root' : c.isCa ? 'CA' : 'certificate'}, expires {new Date(c.notAfter).toLocaleDateString()}
                  </span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

const LEVEL: Record<AioCheckItemT['level'], { status: Status; label: string }> = {
  pass: { status: 'ok', label: 'Pass' },
  warn: { status: 'warning', label: 'Warn' },
  fail: { status: 'error', label: 'Fail' },
  skip: { status: 'unknown', label: 'Skipped' },
};

const CHECK_GROUPS: Array<[AioCheckItemT['group'], string]> = [
  ['broker', 'Broker'],
  ['pods', 'Runtime health'],
  ['listener', 'Listeners'],
  ['authentication', 'Authentication'],
  ['authorization', 'Authorization'],
  ['certificates', 'Certificates'],
  ['sans', 'Server certificate names'],
  ['clients', 'Client certificates'],
  ['live', 'Live TLS + MQTT connect'],
];

/** `aio check`: az iot ops check --svc broker's checks with their levels, then what it does not check. */
function CheckPanel({ node }: { node: NodeSummary }) {
  const check = useEdgeStore((s) => s.checks[node.id]);
  const job = useJobsStore((s) => (check?.jobId ? s.jobs[check.jobId] : undefined));
  if (!check) return null;
  const r = check.result;
  return (
    <section className="fb-edge-section" aria-labelledby="fb-edge-check">
      <h3 id="fb-edge-check">Check</h3>
      {check.jobId ? <Progress label="Checking the broker" message={job?.message ?? 'Connecting…'} fraction={job?.fraction} onCancel={() => void (check.jobId && check.jobId !== 'starting' ? useJobsStore.getState().cancel(check.jobId) : undefined)} cancelling={job?.status === 'cancelling'} /> : null}
      {check.error ? (
        <div className="fb-edge-alert" role="alert">
          <StatusBadge status="error" label="The check could not run" />
          <p>{check.error.message}</p>
        </div>
      ) : null}
      {r ? (
        <>
          <p className="fb-edge-small">
            {r.summary.fail > 0 ? <StatusBadge status="error" label={`${r.summary.fail} failed`} /> : <StatusBadge status="ok" label="Nothing failed" />} {r.summary.pass} passed · {r.summary.warn} warnings · {r.summary.skip} skipped — the checks of <span className="fb-mono">az iot ops check --svc broker</span>, plus certificates, SANs, client chains and a live connect.
          </p>
          {CHECK_GROUPS.map(([group, title]) => {
            const items = r.checks.filter((c) => c.group === group);
            if (items.length === 0) return null;
            return (
              <div key={group} className="fb-edge-check-group">
                <h4>{title}</h4>
                <ul className="fb-edge-list">
                  {items.map((c) => (
                    <li key={c.id} data-level={c.level}>
                      <StatusBadge status={LEVEL[c.level].status} label={LEVEL[c.level].label} /> <strong>{c.target}</strong>: {c.sentence}
                      {c.fix && c.level !== 'pass' ? <span className="fb-edge-muted"> Fix: {c.fix}</span> : null}
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </>
      ) : null}
    </section>
  );
}

/** What the node's cluster has for the MQTT broker and what is wrong with it, read with aio.diagnose. */
export function BrokerView({ node }: { node: NodeSummary }) {
  const { read, readBroker, cancelBroker, openSetup, runCheck, checking } = useEdgeStore(
    useShallow((s) => ({ read: s.broker[node.id], readBroker: s.readBroker, cancelBroker: s.cancelBroker, openSetup: s.openSetup, runCheck: s.runCheck, checking: Boolean(s.checks[node.id]?.jobId) })),
  );
  const job = useJobsStore((s) => (read?.jobId ? s.jobs[read.jobId] : undefined));
  const result = read?.result;
  const d = result?.discovery;

  return (
    <div className="fb-edge-panel fb-edge-broker">
      <div className="fb-edge-toolbar">
        <Button icon={<RefreshCw size={18} />} loading={Boolean(read?.jobId)} onClick={() => void readBroker(node.id)}>
          {result ? 'Read again' : 'Read the broker'}
        </Button>
        <Button icon={<ListChecks size={18} />} loading={checking} onClick={() => void runCheck(node.id)}>
          Run check
        </Button>
        <Button icon={<Settings2 size={18} />} onClick={() => openSetup(node.id)}>
          Set up TLS and X.509 listener…
        </Button>
        {read?.readAt && !read.jobId ? <span className="fb-edge-muted">Read at {new Date(read.readAt).toLocaleTimeString()}</span> : null}
      </div>
      <p className="fb-edge-small fb-edge-muted">Listeners and policies applied here go through Kubernetes: they do not show in the Azure portal unless resource sync is enabled on the instance.</p>
      {read?.jobId ? (
        <Progress label="Reading the broker" message={job?.message ?? 'Connecting…'} fraction={job?.fraction} onCancel={() => void cancelBroker(node.id)} cancelling={job?.status === 'cancelling'} />
      ) : null}
      {read?.error ? (
        <div className="fb-edge-alert" role="alert">
          <StatusBadge status="error" label="Could not read the broker" />
          <p>{read.error.message}</p>
        </div>
      ) : null}
      {!result && !read?.jobId && !read?.error ? (
        <p className="fb-edge-muted">
          <strong>Read the broker</strong> lists the listeners, authentication policies, certificates, issuers and trust bundles on {node.name}, and explains anything that is wrong.
        </p>
      ) : null}
      <CheckPanel node={node} />
      {d && result ? (
        <>
          <p className="fb-edge-small">
            {d.description} · namespace <span className="fb-mono">{d.namespace}</span>
          </p>
          {!d.aioPresent ? (
            <div className="fb-edge-alert" role="alert">
              <StatusBadge status="error" label="AIO not found" />
              <p>The Azure IoT Operations broker API does not answer on this cluster. Install Azure IoT Operations first, or check the Kubernetes access of this node.</p>
            </div>
          ) : null}
          {d.warnings.map((w) => (
            <p key={w} className="fb-edge-alert" data-tone="warning">
              {w}
            </p>
          ))}
          <Diagnostics node={node} diagnostics={result.diagnostics} />
          <ListenersTable d={d} />
          <AuthenticationTable rows={d.authentications} />
          <CertificatesTable rows={d.certificates} />
          <IssuersTable rows={d.issuers} />
          <TrustBundles node={node} bundles={d.trustBundles} />
        </>
      ) : null}
    </div>
  );
}
