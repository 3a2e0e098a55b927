import { useShallow } from 'zustand/react/shallow';
import { RefreshCw } from 'lucide-react';
import { Button, StatusBadge } from '../../ui';
import { useNetworkStore } from './use-network-store';
import { useReissueStore } from '../../core/use-reissue-store';

/**
 * What else names the node's address: the broker's server certificates (vault and cluster) and its
 * listeners. A certificate that lacks the new IP gets a Re-issue button when its CA is in the vault.
 */
export function CrossCheckPanel() {
  const { report, checking, error, reissued, reissuing } = useNetworkStore(
    useShallow((s) => ({ report: s.crossCheck, checking: s.crossChecking, error: s.crossCheckError, reissued: s.reissued, reissuing: s.reissuing })),
  );
  const { runCrossCheck, reissue } = useNetworkStore.getState();
  // The one-click fix with the SANs open for editing: the new address in, the old one out, as Re-issue does.
  const { nodeId, previousHost } = useNetworkStore(useShallow((s) => ({ nodeId: s.nodeId, previousHost: s.run?.result?.previousHost ?? s.plan?.previousHost ?? s.snapshot?.host })));
  const cluster = report?.cluster;
  const clusterNote =
    cluster?.state === 'unavailable'
      ? `Listeners and cluster certificates are not checked: ${cluster.reason}`
      : cluster?.state === 'read'
        ? `Listeners and cluster certificates read ${cluster.description}.`
        : undefined;
  return (
    <section className="fb-net-card" aria-labelledby="fb-net-checks">
      <div className="fb-net-card__head">
        <h2 id="fb-net-checks">Certificates and listeners</h2>
        {report ? (
          <Button size="sm" variant="ghost" icon={<RefreshCw size={16} />} loading={checking} onClick={() => void runCrossCheck({ reachability: report.reachability.length > 0 })}>
            Check again
          </Button>
        ) : null}
      </div>
      {clusterNote ? <p className="fb-net-muted">{clusterNote}</p> : null}
      {error ? <p className="fb-net-error-text">{error.message}</p> : null}
      {!report ? (
        <p className="fb-net-muted">{checking ? 'Checking…' : 'Preview a new address to check the broker certificates and listeners against it.'}</p>
      ) : (
        <>
          <p>
            Against <strong className="fb-net-mono">{report.address}</strong>:{' '}
            {report.warnings - Object.keys(reissued).length <= 0 ? 'nothing needs attention.' : `${report.warnings - Object.keys(reissued).length} to fix.`}
          </p>
          <ul className="fb-net-checks">
            {report.certificates.length === 0 ? <li className="fb-net-muted">No server certificate in the vault lists the node's current address.</li> : null}
            {report.certificates.map((c) => {
              const done = c.id ? reissued[c.id] : undefined;
              return (
                <li key={`${c.source}-${c.id ?? c.name}`} className="fb-net-check">
                  <StatusBadge status={done ? 'ok' : c.valid ? 'ok' : 'warning'} label={done ? 'Re-issued' : c.valid ? 'Lists the IP' : 'IP missing'} />
                  <div className="fb-net-check__body">
                    <p>
                      <strong>{c.name}</strong> <span className="fb-net-muted">({c.source === 'vault' ? 'vault' : 'cluster'})</span>
                    </p>
                    <p className="fb-net-muted">{done ? `Re-issued as ${done.commonName} with ${done.sans.join(', ')}. Put it on the broker to use it.` : c.message}</p>
                    <p className="fb-net-mono fb-net-muted">SANs: {c.sans.join(', ') || 'none'}</p>
                  </div>
                  {c.canReissue && c.id && !done ? (
                    <div className="fb-net-check__actions">
                      <Button size="md" onClick={() => void reissue(c.id!)} loading={reissuing === c.id} disabled={reissuing !== undefined && reissuing !== c.id}>
                        Re-issue with {report.address}
                      </Button>
                      <Button
                        size="md"
                        variant="ghost"
                        disabled={reissuing !== undefined}
                        onClick={() => {
                          const sans = c.sans.map((x) => x.replace(/^(IP|DNS|IP Address|email|URI):/, '')).filter((v) => v !== previousHost);
                          useReissueStore.getState().open({ certificateId: c.id!, sans: [...sans, report.address].filter((v, i, a) => a.indexOf(v) === i), why: c.message, ...(nodeId ? { nodeId } : {}) });
                        }}
                      >
                        Edit the SANs…
                      </Button>
                    </div>
                  ) : null}
                </li>
              );
            })}
            {report.listeners.map((l) => (
              <li key={`l-${l.name}`} className="fb-net-check">
                <StatusBadge status={l.ok ? 'ok' : 'warning'} label={l.ok ? 'OK' : 'Check'} />
                <div className="fb-net-check__body">
                  <p>
                    <strong>Listener {l.name}</strong> <span className="fb-net-muted">({l.serviceType})</span>
                  </p>
                  <p className="fb-net-muted">{l.message}</p>
                </div>
              </li>
            ))}
            {report.reachability.map((r) => (
              <li key={`r-${r.listener}-${r.port}`} className="fb-net-check">
                <StatusBadge status={r.reachable ? 'ok' : 'error'} label={r.reachable ? 'Reachable' : 'Not reachable'} />
                <div className="fb-net-check__body">
                  <p className="fb-net-mono">
                    {r.host}:{r.port}
                  </p>
                  <p className="fb-net-muted">{r.message}</p>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
