import { useState, type FormEvent, type ReactNode } from 'react';
import { Ban, FileDown, FileSearch, FolderOutput, KeyRound, Plus, RotateCw, Search } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { CertificateDetail as Detail, ValidationIssue } from '@shared/pki-types';
import { Badge, Button, EmptyState, StatusBadge, Tabs, TextField } from '../../ui';
import { CopyButton } from '../../ui';
import { formatDateTime, ROLE_LABEL, statusLook } from './pki-tree-model';
import { SanChipList } from './san-chip-list';
import { useVaultStore } from './use-vault-store';
import { maySignCa } from '@shared/pki-rules';
import { useNavigationStore } from '../../core/use-navigation-store';
import { EXPORT_CERTIFICATE_EVENT } from '@shared/contract/exports-contract';
import { useReissueStore } from '../../core/use-reissue-store';

function exportInExportsArea(certificateId: string): void {
  useNavigationStore.getState().go('exports');
  window.dispatchEvent(new CustomEvent(EXPORT_CERTIFICATE_EVENT, { detail: { certificateId } }));
}

const ISSUE_LABEL: Record<ValidationIssue['code'], string> = {
  expired: 'Expired',
  'not-yet-valid': 'Not yet valid',
  'wrong-issuer': 'Wrong issuer',
  'bad-signature': 'Bad signature',
  'path-length-exceeded': 'Path length exceeded',
  'missing-intermediate': 'Missing intermediate',
  'not-a-ca': 'Issuer is not a CA',
  'untrusted-root': 'Untrusted root',
  revoked: 'Revoked',
  'ca-key-usage': 'CA key usage',
  'mixed-key-families': 'EC and RSA mixed',
};

export interface CertificateDetailProps {
  onExport: () => void;
  onRenew: () => void;
  onRevoke: () => void;
}

/** The selected certificate: state, the chain and its problems, the host check, fingerprints and every field. */
export function CertificateDetail(props: CertificateDetailProps) {
  const { selectedId, detail, loading, error } = useVaultStore(useShallow((s) => ({ selectedId: s.selectedId, detail: s.detail, loading: s.detailLoading, error: s.detailError })));
  if (!selectedId) {
    return (
      <section className="fb-cert fb-cert--empty" aria-label="Certificate details">
        <EmptyState icon={<FileSearch size={28} strokeWidth={1.75} />} title="Select a certificate" headingLevel={2}>
          Pick one in the tree to see every field, its chain, its fingerprints, and whether it is valid for an IP or host name.
        </EmptyState>
      </section>
    );
  }
  if (error && !detail) {
    return (
      <section className="fb-cert" aria-label="Certificate details">
        <p role="alert" className="fb-vault-form__error">
          {error.message}
        </p>
      </section>
    );
  }
  if (!detail || detail.summary.id !== selectedId) {
    return (
      <section className="fb-cert" aria-label="Certificate details" aria-busy={loading}>
        <p className="fb-vault-muted">Reading the certificate…</p>
      </section>
    );
  }
  return <DetailBody detail={detail} {...props} />;
}

function DetailBody({ detail, onExport, onRenew, onRevoke }: { detail: Detail } & CertificateDetailProps) {
  const { summary: c } = detail;
  const openWizard = useVaultStore((s) => s.openWizard);
  const look = statusLook(c.status, c.daysLeft);
  const canIssueIntermediate = c.isCa && c.hasPrivateKey && maySignCa(c.pathLength);
  const canIssueLeaves = c.isCa && c.hasPrivateKey && c.status !== 'revoked' && c.status !== 'expired';
  return (
    <section className="fb-cert" aria-labelledby="fb-cert-title">
      <header className="fb-cert__head">
        <div className="fb-cert__titles">
          <h2 id="fb-cert-title" className="fb-cert__title">
            {c.commonName || c.subject}
          </h2>
          <div className="fb-cert__badges">
            <StatusBadge status={look.status} label={look.label} />
            <Badge tone="neutral">{ROLE_LABEL[c.role]}</Badge>
            <Badge tone="neutral">{c.keyAlgorithm}</Badge>
            {c.hasPrivateKey ? (
              <Badge tone="info" icon={<KeyRound size={14} aria-hidden="true" />}>
                Private key in vault
              </Badge>
            ) : (
              <Badge tone="neutral">Certificate only</Badge>
            )}
          </div>
        </div>
      </header>
      <div className="fb-cert__actions">
        <Button icon={<FileDown size={18} />} onClick={onExport}>
          Export PEM
        </Button>
        <Button icon={<FolderOutput size={18} />} onClick={() => exportInExportsArea(c.id)}>
          Export…
        </Button>
        <Button icon={<RotateCw size={18} />} onClick={onRenew}>
          Renew
        </Button>
        <Button variant="ghost" icon={<Ban size={18} />} onClick={onRevoke} disabled={c.revoked !== null}>
          {c.revoked ? 'Revoked' : 'Revoke'}
        </Button>
      </div>
      {canIssueLeaves ? (
        <div className="fb-cert__issue" role="group" aria-label={`Issue from ${c.commonName}`}>
          <span className="fb-cert__issue-label">Issue from this CA:</span>
          {canIssueIntermediate ? (
            <Button size="sm" variant="ghost" icon={<Plus size={16} />} onClick={() => openWizard('intermediate', c.id)}>
              Intermediate
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" icon={<Plus size={16} />} onClick={() => openWizard('server', c.id)}>
            Server certificate
          </Button>
          <Button size="sm" variant="ghost" icon={<Plus size={16} />} onClick={() => openWizard('client', c.id)}>
            Client certificates
          </Button>
        </div>
      ) : null}
      <Tabs
        label="Certificate details"
        items={[
          { id: 'overview', label: 'Overview', content: <Overview detail={detail} /> },
          { id: 'fields', label: 'All fields', content: <AllFields detail={detail} /> },
        ]}
      />
    </section>
  );
}

function Overview({ detail }: { detail: Detail }) {
  const { summary: c } = detail;
  return (
    <div className="fb-cert__overview">
      {!c.isCa ? <HostCheck key={c.id} certificateId={c.id} /> : null}
      <ChainSection detail={detail} />
      <dl className="fb-facts">
        <dt>Valid from</dt>
        <dd>{formatDateTime(c.notBefore)}</dd>
        <dt>Valid until</dt>
        <dd>
          {formatDateTime(c.notAfter)} <span className="fb-vault-muted">({c.daysLeft >= 0 ? `${c.daysLeft} days left` : `expired ${-c.daysLeft} days ago`})</span>
        </dd>
        {c.sans.length > 0 ? (
          <>
            <dt>SANs</dt>
            <dd>
              <SanChipList chips={c.sans} label="Subject alternative names" />
            </dd>
          </>
        ) : null}
        {c.revoked ? (
          <>
            <dt>Revoked</dt>
            <dd>
              {formatDateTime(c.revoked.date)} ({c.revoked.reason})
            </dd>
          </>
        ) : null}
      </dl>
      <Fingerprints sha1={c.fingerprintSha1} sha256={c.fingerprintSha256} />
    </div>
  );
}

function HostCheck({ certificateId }: { certificateId: string }) {
  const { hostCheck, checkHost } = useVaultStore(useShallow((s) => ({ hostCheck: s.hostCheck, checkHost: s.checkHost })));
  const state = hostCheck?.certificateId === certificateId ? hostCheck : undefined;
  const current = useVaultStore((s) => (s.detail?.summary.id === certificateId ? s.detail.summary : undefined));
  // Only a server or client certificate is re-issued for a host; the checked name joins its SANs.
  const reissueSans =
    current && !current.isCa && state?.host
      ? [...current.sans.map((x) => x.value), state.host.trim()].filter((v, i, a) => a.findIndex((w) => w.toLowerCase() === v.toLowerCase()) === i)
      : undefined;
  // Keyed by certificate: a new selection starts empty; coming back to the tab shows what was checked.
  const [host, setHost] = useState(() => state?.host ?? '');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void checkHost(host);
  };
  return (
    <form className="fb-hostcheck" onSubmit={onSubmit} aria-label="Check an IP or host name">
      <div className="fb-hostcheck__row">
        <TextField
          label="Valid for this IP or host name?"
          mono
          placeholder="IP address or host name"
          value={host}
          onChange={(e) => setHost(e.target.value)}
          error={state?.error?.message}
          hint="For example 192.168.2.196. Checks the SANs, as MQTT clients and browsers do."
        />
        <Button type="submit" icon={<Search size={18} />} loading={state?.checking}>
          Check
        </Button>
      </div>
      {state?.result ? (
        <p className="fb-hostcheck__result" role="status" data-valid={state.result.valid}>
          <StatusBadge status={state.result.valid ? 'ok' : 'error'} label={state.result.valid ? 'Valid for this host' : 'Not valid for this host'} />
          <span>{state.result.message}</span>
        </p>
      ) : null}
      {state?.result && !state.result.valid && reissueSans ? (
        <div className="fb-hostcheck__fix">
          <Button
            variant="primary"
            icon={<RotateCw size={18} />}
            onClick={() => useReissueStore.getState().open({ certificateId, sans: reissueSans, why: state.result!.message })}
          >
            Re-issue with these SANs…
          </Button>
          <span className="fb-vault-muted">{reissueSans.join(', ')}</span>
        </div>
      ) : null}
    </form>
  );
}

function ChainSection({ detail }: { detail: Detail }) {
  const select = useVaultStore((s) => s.select);
  const { validation, summary } = detail;
  const root = validation.chain[validation.chain.length - 1];
  return (
    <section className="fb-chain" aria-labelledby="fb-chain-title">
      <div className="fb-chain__head">
        <h3 id="fb-chain-title">Chain</h3>
        {validation.valid ? (
          <StatusBadge status="ok" label={validation.chain.length > 1 ? `Valid up to ${root?.subject.replace(/^CN = /, '') ?? 'the root'}` : 'Valid'} />
        ) : (
          <StatusBadge status="error" label={`${validation.issues.filter((i) => i.severity === 'error').length || validation.issues.length} problem${validation.issues.length === 1 ? '' : 's'}`} />
        )}
      </div>
      <ol className="fb-chain__links">
        {validation.chain.map((link, i) => (
          <li key={`${link.fingerprintSha256}-${i}`} className="fb-chain__link">
            {link.id && link.id !== summary.id ? (
              <button type="button" className="fb-link-button" onClick={() => void select(link.id ?? undefined)}>
                {link.subject}
              </button>
            ) : (
              <span>{link.subject}</span>
            )}
            {i === 0 ? <span className="fb-vault-muted"> (this certificate)</span> : null}
          </li>
        ))}
      </ol>
      {validation.issues.length > 0 ? (
        <ul className="fb-chain__issues">
          {validation.issues.map((issue, i) => (
            <li key={`${issue.code}-${i}`} className="fb-chain__issue">
              <StatusBadge status={issue.severity === 'error' ? 'error' : 'warning'} label={ISSUE_LABEL[issue.code]} />
              <span>{issue.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Fingerprints({ sha1, sha256 }: { sha1: string; sha256: string }) {
  return (
    <section className="fb-fingerprints" aria-labelledby="fb-fp-title">
      <h3 id="fb-fp-title">Fingerprints</h3>
      <p className="fb-vault-muted">In the format IoT Hub expects: uppercase hex, no colons.</p>
      <FingerprintRow label="SHA-1" value={sha1} />
      <FingerprintRow label="SHA-256" value={sha256} />
    </section>
  );
}

function FingerprintRow({ label, value }: { label: string; value: string }) {
  return (
    <div className="fb-fingerprint">
      <span className="fb-fingerprint__label">{label}</span>
      <code className="fb-fingerprint__value">{value}</code>
      <CopyButton size="sm" text={value} accessibleName={`Copy ${label} fingerprint`} />
    </div>
  );
}

function AllFields({ detail }: { detail: Detail }) {
  const i = detail.inspection;
  const rows: [string, ReactNode][] = [
    ['Version', String(i.version)],
    ['Serial number', <code key="s">{i.serialHex}</code>],
    ['Subject', i.subject],
    ['Issuer', i.issuer],
    ['Not before', formatDateTime(i.notBefore)],
    ['Not after', formatDateTime(i.notAfter)],
    ['Signature algorithm', i.signatureAlgorithm],
    ['Public key', `${i.publicKey.algorithm}${i.publicKey.bits ? ` (${i.publicKey.bits} bit)` : ''}${i.publicKey.curve ? `, curve ${i.publicKey.curve}` : ''}`],
    ['Basic constraints', i.basicConstraints ? `${i.basicConstraints.ca ? 'CA:TRUE' : 'CA:FALSE'}${i.basicConstraints.pathLength !== null ? `, pathlen:${i.basicConstraints.pathLength}` : ''}${i.basicConstraints.critical ? ' (critical)' : ''}` : 'None'],
    ['Key usage', i.keyUsage.length ? `${i.keyUsage.join(', ')}${i.keyUsageCritical ? ' (critical)' : ''}` : 'None'],
    ['Extended key usage', i.extendedKeyUsage.length ? i.extendedKeyUsage.join(', ') : 'None'],
    ['Subject alternative names', i.subjectAltNames.length ? <SanChipList key="san" chips={i.subjectAltNames} label="Subject alternative names" /> : 'None'],
    ['Subject key identifier', i.subjectKeyIdentifier ? <code key="skid">{i.subjectKeyIdentifier}</code> : 'None'],
    ['Authority key identifier', i.authorityKeyIdentifier ? <code key="akid">{i.authorityKeyIdentifier}</code> : 'None'],
    ['Self-signed', i.selfSigned ? 'Yes' : 'No'],
    ['SHA-1 fingerprint', <code key="f1">{i.fingerprints.sha1Colon}</code>],
    ['SHA-256 fingerprint', <code key="f256">{i.fingerprints.sha256Colon}</code>],
  ];
  return (
    <dl className="fb-facts fb-facts--all">
      {rows.map(([k, v]) => (
        <div key={k} className="fb-facts__row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
