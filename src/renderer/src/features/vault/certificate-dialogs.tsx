import { useEffect, useState } from 'react';
import { Ban, Download, RotateCw } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { CertificateSummary, ChainExport, RevocationReason, SubjectAltName } from '@shared/pki-types';
import { Button, Checkbox, Dialog, Progress, Select } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import { saveTextFile } from '../../ui';
import { CopyButton } from '../../ui';
import { useVaultStore } from './use-vault-store';
import { MultilineField } from './issue-wizard';
import { SanChipList } from './san-chip-list';
import { sanChips } from './san-chips';

const CHAIN_OPTIONS: { value: ChainExport; label: string; caOnly?: boolean }[] = [
  { value: 'none', label: 'This certificate only' },
  { value: 'bundle', label: 'With its issuing CA (like step --bundle; what the broker’s tls.crt needs)' },
  { value: 'chain', label: 'With every intermediate, without the root' },
  { value: 'full', label: 'The full chain up to the root' },
];

/** Public PEM only, in a read-only box with Copy and Save; private keys never come this way. */
export function PemExportDialog({ certificate, onClose }: { certificate: CertificateSummary; onClose: () => void }) {
  const { pemExport, error, exportPem, closePemExport } = useVaultStore(
    useShallow((s) => ({ pemExport: s.pemExport, error: s.pemExportError, exportPem: s.exportPem, closePemExport: s.closePemExport })),
  );
  const [chain, setChain] = useState<ChainExport>(certificate.role === 'root' ? 'none' : 'bundle');
  useEffect(() => {
    void exportPem(certificate.id, chain);
  }, [certificate.id, chain, exportPem]);
  const close = () => {
    closePemExport();
    onClose();
  };
  const current = pemExport?.certificateId === certificate.id && pemExport.chain === chain ? pemExport : undefined;
  const options = certificate.role === 'root' ? CHAIN_OPTIONS.slice(0, 1) : CHAIN_OPTIONS;
  return (
    <Dialog
      open
      onClose={close}
      size="lg"
      title={`Export "${certificate.commonName}" as PEM`}
      description="Public certificates only — no private key is ever in this text."
      footer={
        <>
          <CopyButton text={current?.pem ?? ''} disabled={!current} />
          <Button icon={<Download size={18} />} disabled={!current} onClick={() => current && saveTextFile(current.fileName, current.pem)}>
            Save {current ? current.fileName : 'file'}
          </Button>
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        </>
      }
    >
      <div className="fb-export">
        <Select label="What to include" value={chain} onChange={(e) => setChain(e.target.value as ChainExport)} options={options} />
        {error ? (
          <p role="alert" className="fb-vault-form__error">
            {error.message}
          </p>
        ) : null}
        <label className="fb-field__label" htmlFor="fb-export-pem">
          PEM {current ? `(${current.count} certificate${current.count === 1 ? '' : 's'}, leaf first)` : ''}
        </label>
        <textarea id="fb-export-pem" className="fb-input fb-input--multiline fb-export__pem" data-mono readOnly spellCheck={false} value={current?.pem ?? ''} rows={12} onFocus={(e) => e.currentTarget.select()} />
      </div>
    </Dialog>
  );
}

/** A SAN as the certificate lists it, in the form the SAN box takes ("192.168.2.196", "broker.local"). */
export const sanText = (san: SubjectAltName): string => san.value;

/**
 * Renew (or re-issue) with the same subject and key type; the SANs are in an editable box, prefilled with
 * the certificate's own or with the ones a diagnosis asked for (`initialSans`), and typed as they are typed
 * with the same rule the issuing wizard and main apply.
 */
export function RenewDialog({
  certificate,
  onClose,
  initialSans,
  why,
  onRenewed,
}: {
  certificate: CertificateSummary;
  onClose: () => void;
  initialSans?: readonly string[];
  why?: string;
  /** Called with the new certificate's id instead of closing, when the caller has a next step to offer. */
  onRenewed?: (newId: string) => void;
}) {
  const { renew, cancelRenew, jobId, error } = useVaultStore(useShallow((s) => ({ renew: s.renew, cancelRenew: s.cancelRenew, jobId: s.renewJobId, error: s.renewError })));
  const job = useJobsStore((s) => (jobId ? s.jobs[jobId] : undefined));
  const [keepKey, setKeepKey] = useState(false);
  const original = certificate.sans.map(sanText);
  const [sansText, setSansText] = useState(() => (initialSans ?? original).join(', '));
  const running = jobId !== undefined;
  const isCa = certificate.role === 'root' || certificate.role === 'intermediate';
  const chips = sanChips(sansText);
  const problems = chips.filter((c) => c.kind === 'invalid');
  const typed = chips.map((c) => c.value);
  const changed = typed.length !== original.length || typed.some((v, i) => v.toLowerCase() !== original[i]?.toLowerCase());
  const sansError = problems[0]?.problem ?? (!isCa && chips.length === 0 && original.length > 0 ? 'Give at least one IP address or host name.' : undefined);
  const submit = () => {
    if (sansError) return;
    void renew(certificate.id, { keepKey, ...(changed && chips.length > 0 ? { sans: typed } : {}) }).then((ok) => {
      if (!ok) return;
      const newId = useVaultStore.getState().selectedId;
      if (onRenewed && newId) onRenewed(newId);
      else onClose();
    });
  };
  return (
    <Dialog
      open
      onClose={() => (running ? void cancelRenew() : onClose())}
      title={initialSans ? `Re-issue "${certificate.commonName}" with these SANs` : `Renew "${certificate.commonName}"`}
      description={`A new certificate with the same subject (${certificate.subject}), profile and key type (${certificate.keyAlgorithm}), valid from now for the default period. The old one stays until you remove it.`}
      closeOnBackdrop={false}
      footer={
        <>
          <Button onClick={onClose} disabled={running}>
            Cancel
          </Button>
          <Button variant="primary" icon={<RotateCw size={18} />} loading={running} disabled={Boolean(sansError)} onClick={submit}>
            {initialSans ? 'Re-issue' : 'Renew'}
          </Button>
        </>
      }
    >
      <div className="fb-export">
        {why ? <p>{why}</p> : null}
        {!isCa ? (
          <MultilineField
            label="IP addresses and host names (SANs)"
            value={sansText}
            onChange={setSansText}
            error={sansError}
            hint={changed ? 'Changed: the new certificate lists exactly these. Separate with commas, spaces or new lines.' : 'The same as now. Add or remove addresses; separate with commas, spaces or new lines.'}
          >
            <SanChipList chips={chips} label="SANs the new certificate will list" />
          </MultilineField>
        ) : null}
        <Checkbox label="Keep the current key" checked={keepKey} disabled={running || !certificate.hasPrivateKey} onChange={(e) => setKeepKey(e.target.checked)} hint="Off (recommended): a new key, so devices need the new key file too. On: only the certificate changes." />
        {running ? <Progress label="Renewing" message={job?.message ?? 'Renewing…'} fraction={job?.fraction} onCancel={() => void cancelRenew()} cancelling={job?.status === 'cancelling'} /> : null}
        {error ? (
          <p role="alert" className="fb-vault-form__error">
            {error.message}
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}

const REASON_LABEL: Record<RevocationReason, string> = {
  unspecified: 'No particular reason',
  keyCompromise: 'The key may have leaked',
  cACompromise: 'The CA’s key may have leaked',
  affiliationChanged: 'The device or owner changed',
  superseded: 'Replaced by a new certificate',
  cessationOfOperation: 'The device is out of service',
  certificateHold: 'On hold for now',
  privilegeWithdrawn: 'Access withdrawn',
};

export function RevokeDialog({ certificate, onClose }: { certificate: CertificateSummary; onClose: () => void }) {
  const { revoke, reasons } = useVaultStore(useShallow((s) => ({ revoke: s.revoke, reasons: s.defaults?.revocationReasons ?? (Object.keys(REASON_LABEL) as RevocationReason[]) })));
  const [reason, setReason] = useState<RevocationReason>('superseded');
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Revoke "${certificate.commonName}"?`}
      description="It is marked revoked in the vault and listed in its CA’s next CRL. This cannot be undone; issue a new certificate for the device."
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button
            variant="danger"
            icon={<Ban size={18} />}
            loading={busy}
            onClick={() => {
              setBusy(true);
              void revoke(certificate.id, reason).then((ok) => {
                setBusy(false);
                if (ok) onClose();
              });
            }}
          >
            Revoke
          </Button>
        </>
      }
    >
      <Select label="Reason" value={reason} onChange={(e) => setReason(e.target.value as RevocationReason)} options={reasons.map((r) => ({ value: r, label: REASON_LABEL[r] }))} />
    </Dialog>
  );
}
