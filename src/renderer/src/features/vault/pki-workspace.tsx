import { useRef, useState, type DragEvent } from 'react';
import { CircleCheck, Download, FileUp, FolderOutput, Plus, ShieldCheck, TriangleAlert, Upload, X } from 'lucide-react';
import { EXPORT_CERTIFICATE_EVENT } from '@shared/contract/exports-contract';
import { useShallow } from 'zustand/react/shallow';
import { Button, EmptyState, Tabs, saveTextFile, useAutoHide } from '../../ui';
import { CertificateDetail } from './certificate-detail';
import { PemExportDialog, RenewDialog, RevokeDialog } from './certificate-dialogs';
import { ExpiryOverview } from './expiry-overview';
import { ImportResults } from './import-results';
import { IssueWizard } from './issue-wizard';
import { PkiTree } from './pki-tree';
import { nextStep } from './pki-tree-model';
import { useVaultStore } from './use-vault-store';
import type { WizardProfile } from './wizard-form';
import { useNavigationStore } from '../../core/use-navigation-store';

/** The Exports area opens with the batch picked, one bundle per certificate (features do not import each other). */
function exportBundles(certificateIds: string[]): void {
  useNavigationStore.getState().go('exports');
  window.dispatchEvent(new CustomEvent(EXPORT_CERTIFICATE_EVENT, { detail: { certificateIds, each: true } }));
}

const WIZARD_BUTTONS: { profile: WizardProfile; label: string }[] = [
  { profile: 'root', label: 'New root' },
  { profile: 'intermediate', label: 'New intermediate' },
  { profile: 'server', label: 'New server certificate' },
  { profile: 'client', label: 'New client certificates' },
];

type Dialogs = 'export' | 'renew' | 'revoke' | undefined;

/** What the last action did (created, renewed, revoked) and anything to check, until dismissed or replaced. */
function WorkspaceNotice() {
  const { notice, dismiss } = useVaultStore(useShallow((s) => ({ notice: s.notice, dismiss: s.dismissNotice })));
  // A success that offers nothing more goes by itself; a warning, or a file to save, waits for the person.
  const hold = useAutoHide(notice?.kind === 'success' && !notice.download && !notice.bundleIds?.length, dismiss);
  if (!notice) return null;
  const Icon = notice.kind === 'warning' ? TriangleAlert : CircleCheck;
  return (
    <div className="fb-pki-notice" data-kind={notice.kind} role="status" {...hold}>
      <Icon size={20} aria-hidden="true" className="fb-pki-notice__icon" />
      <div className="fb-pki-notice__text">
        <p className="fb-pki-notice__title">{notice.title}</p>
        {notice.messages.map((m, i) => (
          <p key={i}>{m}</p>
        ))}
        {notice.download ? (
          <div className="fb-pki-notice__actions">
            <Button size="sm" icon={<Download size={16} />} onClick={() => notice.download && saveTextFile(notice.download.fileName, notice.download.text, notice.download.type)}>
              {notice.download.label}
            </Button>
            {notice.bundleIds?.length ? (
              <Button size="sm" icon={<FolderOutput size={16} />} onClick={() => notice.bundleIds && exportBundles(notice.bundleIds)}>
                Export one bundle per device…
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
      <Button variant="ghost" size="sm" iconOnly aria-label="Dismiss" icon={<X size={18} />} onClick={dismiss} />
    </div>
  );
}

/** The unlocked vault: wizards and import on top, the tree beside the selected certificate, the expiry overview. */
export function PkiWorkspace() {
  const { tree, total, loaded, error, openWizard, importFiles, select, detail, refreshPki } = useVaultStore(
    useShallow((s) => ({ tree: s.tree, total: s.total, loaded: s.pkiLoaded, error: s.pkiError, openWizard: s.openWizard, importFiles: s.importFiles, select: s.select, detail: s.detail, refreshPki: s.refreshPki })),
  );
  const [tab, setTab] = useState('certificates');
  const [dialog, setDialog] = useState<Dialogs>(undefined);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const primary = nextStep(tree);

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const onDragEnter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth.current += 1;
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    void importFiles(Array.from(e.dataTransfer.files));
  };

  const pickFiles = () => fileInput.current?.click();
  const selected = detail?.summary;

  return (
    <div className="fb-pki" onDragEnter={onDragEnter} onDragLeave={onDragLeave} onDragOver={onDragOver} onDrop={onDrop} data-dragging={dragging || undefined}>
      <div className="fb-pki-toolbar" role="toolbar" aria-label="Create and import">
        {/* With nothing in the vault the empty state offers the one first step instead. */}
        {total > 0
          ? WIZARD_BUTTONS.map((b) => (
              <Button key={b.profile} variant={b.profile === primary ? 'primary' : 'secondary'} icon={<Plus size={18} />} onClick={() => openWizard(b.profile)}>
                {b.label}
              </Button>
            ))
          : null}
        <span className="fb-pki-toolbar__grow" />
        <Button icon={<Upload size={18} />} onClick={pickFiles}>
          Import files
        </Button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Certificate, key or PKCS#12 files to import"
          accept=".pem,.crt,.cer,.der,.key,.p12,.pfx,.p7b,.txt,application/x-pem-file,application/x-x509-ca-cert,application/x-pkcs12"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            void importFiles(files);
          }}
        />
      </div>
      <WorkspaceNotice />
      <ImportResults />
      {error ? (
        <div className="fb-vault-card" role="alert">
          <p className="fb-vault-form__error">{error.message}</p>
          <Button onClick={() => void refreshPki()}>Try again</Button>
        </div>
      ) : loaded && total === 0 ? (
        <EmptyState
          icon={<ShieldCheck size={28} strokeWidth={1.75} />}
          title="No certificates yet"
          action={
            <div className="fb-pki-empty__actions">
              <Button variant="primary" size="lg" icon={<Plus size={20} />} onClick={() => openWizard('root')}>
                New root CA
              </Button>
              <Button size="lg" icon={<FileUp size={20} />} onClick={pickFiles}>
                Import files
              </Button>
            </div>
          }
        >
          Start a chain with a root CA (for example “AIO42 Root CA”), or import the certificates and keys you made with step or openssl. You can also drop files anywhere here.
        </EmptyState>
      ) : (
        <Tabs
          label="Vault views"
          value={tab}
          onChange={setTab}
          items={[
            {
              id: 'certificates',
              label: `Certificates${total ? ` (${total})` : ''}`,
              content: (
                <div className="fb-pki-split">
                  <PkiTree />
                  <CertificateDetail onExport={() => setDialog('export')} onRenew={() => setDialog('renew')} onRevoke={() => setDialog('revoke')} />
                </div>
              ),
            },
            {
              id: 'expiry',
              label: 'Expiry',
              content: (
                <ExpiryOverview
                  onOpen={(id) => {
                    setTab('certificates');
                    void select(id);
                  }}
                />
              ),
            },
          ]}
        />
      )}
      {dragging ? (
        <div className="fb-pki-drop" aria-hidden="true">
          <FileUp size={40} strokeWidth={1.5} />
          <p>Drop certificate, key or PKCS#12 files to import them</p>
        </div>
      ) : null}
      <IssueWizard />
      {selected && dialog === 'export' ? <PemExportDialog certificate={selected} onClose={() => setDialog(undefined)} /> : null}
      {selected && dialog === 'renew' ? <RenewDialog certificate={selected} onClose={() => setDialog(undefined)} /> : null}
      {selected && dialog === 'revoke' ? <RevokeDialog certificate={selected} onClose={() => setDialog(undefined)} /> : null}
    </div>
  );
}
