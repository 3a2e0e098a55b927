import { useEffect, useId } from 'react';
import { Download, FileLock2, FolderOutput, KeyRound, ShieldAlert } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { ExportChainT, ExportTargetT, PlannedFileT } from '@shared/contract/exports-contract';
import { Badge, Button, Checkbox, Dialog, EmptyState, PageHeader, Select, Table, TextField, type TableColumn } from '../../ui';
import { parseBroker, useExportsStore } from './use-exports-store';
import './exports-page.css';

/** Targets that describe a connection and so need the broker's address. */
const CONNECTION_TARGETS: readonly ExportTargetT[] = ['node-red', 'litmus', 'mqttx', 'mosquitto', 'kubernetes'];

/**
 * How hard a passphrase is to guess, in words. PKCS#12 passphrases are typed on a device keypad, so the
 * advice is about length, which helps most and costs the least there.
 */
export function passphraseHint(p: string): { label: string; tone: 'danger' | 'warning' | 'success' | 'neutral'; advice: string } {
  if (!p) return { label: '', tone: 'neutral', advice: 'Optional for PEM keys; required for PKCS#12. Give it to the person at the other end separately.' };
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  if (p.length < 8) return { label: 'Too short', tone: 'danger', advice: 'Use at least 12 characters; a few words are easy to type on a device.' };
  if (p.length < 12 && kinds < 3) return { label: 'Weak', tone: 'warning', advice: 'Longer is better: 12 characters or more, or four random words.' };
  if (p.length < 16) return { label: 'Fair', tone: 'warning', advice: 'Fine for a transfer you delete afterwards; 16+ characters for files that stay around.' };
  return { label: 'Strong', tone: 'success', advice: 'Long enough. Send it over another channel than the files.' };
}

const ROLE_WORD: Record<PlannedFileT['role'], string> = {
  certificate: 'Certificate',
  chain: 'Chain',
  key: 'Private key',
  ca: 'CA',
  pkcs12: 'PKCS#12',
  flow: 'Flow',
  config: 'Config',
  commands: 'Commands',
  yaml: 'YAML',
  readme: 'README',
};

const FILE_COLUMNS: readonly TableColumn<PlannedFileT>[] = [
  {
    key: 'path',
    header: 'File',
    render: (f) => (
      <span className="fb-exports__path">
        {f.secret ? <FileLock2 size={16} aria-label="Holds a private key, written 0600" /> : null}
        <code>{f.path}</code>
      </span>
    ),
  },
  { key: 'role', header: 'Role', width: '8rem', render: (f) => <Badge tone={f.secret ? 'warning' : 'neutral'}>{ROLE_WORD[f.role]}{f.encrypted ? ', encrypted' : ''}</Badge> },
  { key: 'purpose', header: 'What it is for', render: (f) => f.purpose },
];

export function ExportsPage() {
  const s = useExportsStore(
    useShallow((st) => ({
      targets: st.targets,
      certificates: st.certificates,
      form: st.form,
      plan: st.plan,
      planError: st.planError,
      planning: st.planning,
      writing: st.writing,
      writeError: st.writeError,
      result: st.result,
      eachResult: st.eachResult,
      canDownload: st.canDownload,
      saveDialog: st.saveDialog,
    })),
  );
  const { load, update, toggleCertificate, requestWrite } = useExportsStore.getState();
  const listId = useId();
  useEffect(() => {
    void load();
  }, [load]);

  const f = s.form;
  const strength = passphraseHint(f.passphrase);
  const needsBroker = CONNECTION_TARGETS.includes(f.target);
  const brokerError = f.broker && !parseBroker(f.broker) ? 'Write it as HOST:PORT, e.g. 192.168.2.196:8883.' : undefined;
  const cas = s.certificates.filter((c) => c.isCa);
  // The desktop's dialog asks where (except for one bundle per certificate, whose folder is typed).
  const dialogSave = s.saveDialog && !f.each;
  const canWrite = s.plan !== null && (dialogSave || f.out.trim() !== '') && !s.writing;
  // A one-bundle-per-certificate export is written by main into a folder (or one zip); it is no browser download.
  const canDownload = s.canDownload && s.plan !== null && !s.writing && !f.each;

  return (
    <div className="fb-exports">
      <PageHeader title="Exports" description="Hand certificates, and keys when you confirm it, to the tool at the other end: each export is a new folder with a README for the person receiving it." />
      <div className="fb-exports__grid">
        <section className="fb-exports__panel" aria-labelledby={`${listId}-certs`}>
          <h2 id={`${listId}-certs`} className="fb-exports__heading">
            1. Certificates
          </h2>
          {s.certificates.length === 0 ? (
            <EmptyState icon={<KeyRound size={28} strokeWidth={1.75} />} title="No certificates yet" headingLevel={3}>
              Create or import certificates in the Vault first.
            </EmptyState>
          ) : (
            <ul className="fb-exports__certs" aria-label="Certificates to export">
              {s.certificates.map((c) => (
                <li key={c.id} style={{ paddingInlineStart: `${c.depth * 1.25}rem` }}>
                  <Checkbox
                    label={
                      <span className="fb-exports__cert">
                        {c.commonName}
                        <span className="fb-exports__muted">{c.role}</span>
                        {c.hasPrivateKey ? <KeyRound size={14} aria-label="key in vault" /> : null}
                      </span>
                    }
                    checked={f.certificateIds.includes(c.id)}
                    onChange={() => toggleCertificate(c.id)}
                  />
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="fb-exports__panel" aria-labelledby={`${listId}-target`}>
          <h2 id={`${listId}-target`} className="fb-exports__heading">
            2. Target and options
          </h2>
          <Select
            label="Target"
            value={f.target}
            options={s.targets.map((t) => ({ value: t.id, label: t.id }))}
            hint={s.targets.find((t) => t.id === f.target)?.summary}
            onChange={(e) => update({ target: e.target.value as ExportTargetT })}
          />
          <div className="fb-exports__row">
            <Select
              label="Certificate files hold"
              value={f.chain}
              options={[
                { value: 'leaf', label: 'the certificate alone' },
                { value: 'bundle', label: 'certificate + intermediates' },
                { value: 'full', label: 'certificate + intermediates + root' },
              ]}
              onChange={(e) => update({ chain: e.target.value as ExportChainT })}
            />
            <Select label="CA that verifies the broker" value={f.caId} placeholder="the root of a server certificate picked" options={[{ value: '', label: 'automatic' }, ...cas.map((c) => ({ value: c.id, label: c.commonName }))]} onChange={(e) => update({ caId: e.target.value })} />
          </div>
          {needsBroker ? <TextField label="Broker" mono placeholder="192.168.2.196:8883" value={f.broker} error={brokerError} hint="Where the tool connects: host or IP and port of the listener." onChange={(e) => update({ broker: e.target.value })} /> : null}
          <Checkbox label="Include the private keys" hint="You confirm which keys leave before anything is written." checked={f.includeKey} onChange={(e) => update({ includeKey: e.target.checked })} />
          <TextField
            label="Passphrase"
            type="password"
            value={f.passphrase}
            hint={
              <span className="fb-exports__strength">
                {strength.label ? <Badge tone={strength.tone}>{strength.label}</Badge> : null} {strength.advice}
              </span>
            }
            required={s.plan?.passphraseRequired}
            onChange={(e) => update({ passphrase: e.target.value })}
          />
          <div className="fb-exports__row">
            {dialogSave ? null : <TextField label="New folder to write" mono placeholder="/home/tech/exports/client42a" value={f.out} hint="Must not exist yet; Fieldbench creates it for you alone." onChange={(e) => update({ out: e.target.value })} />}
            <Checkbox label="One zip file" hint={dialogSave ? 'You name the .zip in the save dialog.' : 'Give the .zip path above.'} checked={f.zip} onChange={(e) => update({ zip: e.target.checked })} />
          </div>
          <Checkbox
            label="One bundle per certificate"
            hint={`A folder for each device, named after its CN, and summary.csv with serials and IoT Hub thumbprints${f.certificateIds.length > 1 ? ` (${f.certificateIds.length} bundles)` : ''}.`}
            checked={f.each}
            onChange={(e) => update({ each: e.target.checked })}
          />
        </section>

        <section className="fb-exports__panel fb-exports__files" aria-labelledby={`${listId}-files`} aria-busy={s.planning}>
          <h2 id={`${listId}-files`} className="fb-exports__heading">
            3. Files
          </h2>
          {s.planError ? (
            <p role="alert" className="fb-exports__error">
              {s.planError.message}
            </p>
          ) : s.plan ? (
            <>
              {f.each ? <p className="fb-exports__note">{f.certificateIds.length} bundles like this one, each in a folder named after its certificate, and summary.csv beside them.</p> : null}
              <Table caption={`${s.plan.title}: the files that will be written${f.each ? ' for each certificate' : ''}`} columns={FILE_COLUMNS} rows={s.plan.files} rowKey={(r) => r.path} density="compact" />
              {s.plan.notes.map((n) => (
                <p key={n} className="fb-exports__note">
                  {n}
                </p>
              ))}
            </>
          ) : (
            <p className="fb-exports__muted">Pick one or more certificates to see the exact files.</p>
          )}
          {s.writeError ? (
            <p role="alert" className="fb-exports__error">
              {s.writeError.message}
            </p>
          ) : null}
          {s.eachResult ? (
            <p role="status" className="fb-exports__done">
              Wrote {s.eachResult.bundles.length} bundles and {s.eachResult.summary} to <code>{s.eachResult.path}</code>
              {s.eachResult.keys ? ` with ${s.eachResult.keys} private keys (logged in the vault).` : '.'}
            </p>
          ) : null}
          {s.result ? (
            <p role="status" className="fb-exports__done">
              {s.result.path.startsWith('download ') ? <>Handed {s.result.files.length} files to your browser as <code>{s.result.path.slice('download '.length)}</code></> : <>Wrote {s.result.files.length} files to <code>{s.result.path}</code></>}
              {s.result.keys.length ? ` with the key${s.result.keys.length > 1 ? 's' : ''} of ${s.result.keys.map((k) => k.commonName).join(', ')} (logged in the vault).` : '.'}
            </p>
          ) : null}
          <div className="fb-exports__actions">
            {s.canDownload ? (
              <Button icon={<Download size={18} />} disabled={!canDownload} onClick={() => void requestWrite('download')}>
                Download zip
              </Button>
            ) : null}
            <Button variant="primary" icon={<FolderOutput size={18} />} disabled={!canWrite} loading={s.writing} onClick={() => void requestWrite('folder')}>
              {dialogSave ? 'Export…' : 'Export'}
            </Button>
          </div>
        </section>
      </div>
      <ConfirmKeys />
    </div>
  );
}

/** The confirm step: names every key that leaves, where it goes and whether it is encrypted. */
function ConfirmKeys() {
  const { confirming, plan, form, writing, mode, saveDialog } = useExportsStore(useShallow((st) => ({ confirming: st.confirming, plan: st.plan, form: st.form, writing: st.writing, mode: st.mode, saveDialog: st.saveDialog })));
  const { cancelConfirm, write } = useExportsStore.getState();
  if (!plan) return null;
  // One bundle per certificate: the plan shows the first bundle, the keys of every certificate picked leave.
  const names = form.each && plan.keys.length > 0 ? form.certificateIds.map((id) => useExportsStore.getState().certificates.find((c) => c.id === id)?.commonName ?? id) : plan.keys.map((k) => k.commonName);
  return (
    <Dialog
      open={confirming}
      onClose={cancelConfirm}
      title={names.length > 1 ? `Export ${names.length} private keys?` : `Export the private key of ${names[0]}?`}
      description="Anyone with these files can connect as these devices."
      size="md"
      footer={
        <>
          <Button variant="ghost" onClick={cancelConfirm}>
            Keep the keys in the vault
          </Button>
          <Button variant="danger" icon={<ShieldAlert size={18} />} loading={writing} onClick={() => void write()}>
            Export with {names.length > 1 ? `${names.length} keys` : 'the key'}
          </Button>
        </>
      }
    >
      <ul className="fb-exports__keys">
        {names.slice(0, 12).map((n, i) => (
          <li key={`${n}-${i}`}>
            <KeyRound size={16} aria-hidden="true" /> <strong>{n}</strong>
          </li>
        ))}
        {names.length > 12 ? <li>and {names.length - 12} more</li> : null}
      </ul>
      <p>
        {mode === 'download' ? <>They go to your browser&apos;s downloads as one zip</> : saveDialog && !form.each ? <>They go where you choose in the next dialog</> : <>They go to <code>{form.out}</code></>}
        {form.passphrase ? ', encrypted with your passphrase.' : mode === 'download' ? ' unencrypted (no passphrase given); move the zip to the device and delete it here.' : ' unencrypted (no passphrase given); files holding keys are readable by you alone (0600).'} The export is recorded in the vault&apos;s export log.
      </p>
    </Dialog>
  );
}
