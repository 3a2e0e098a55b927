import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { CircleAlert, Plus } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Checkbox, Dialog, Progress, Select, StatusBadge, TextField } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import type { KeyAlgorithm, PkiWarning } from '@shared/pki-types';
import { formatDate, formatDateTime, signingCas } from './pki-tree-model';
import { sanChips } from './san-chips';
import { SanChipList } from './san-chip-list';
import { useVaultStore } from './use-vault-store';
import { describeValidity, localProblems, parseClientIds, parseValidity, WIZARD_TITLES, switchUnit, wizardReady, type FieldProblems, type ValidityUnit, type WizardField, type WizardProfile } from './wizard-form';
import type { PreviewResult, WizardState } from './vault-state';

const DESCRIPTIONS: Record<WizardProfile, string> = {
  root: 'A self-signed CA at the top of a chain (path length 1: it can sign one level of intermediates).',
  intermediate: 'A CA signed by a root, which signs the server and client certificates (path length 0).',
  server: 'For a broker listener or any TLS server. Clients check its SANs against the address they dial.',
  client: 'One certificate per client id for X.509 authentication; the MQTT username becomes the CN.',
};

const CREATE_LABEL: Record<WizardProfile, string> = { root: 'Create root CA', intermediate: 'Create intermediate CA', server: 'Create server certificate', client: 'Create client certificates' };

/** New root / intermediate / server / client certificates: live checks as you type and a preview of exactly what will be issued. */
export function IssueWizard() {
  const wizard = useVaultStore((s) => s.wizard);
  const closeWizard = useVaultStore((s) => s.closeWizard);
  if (!wizard) return null;
  return (
    <Dialog open onClose={closeWizard} title={WIZARD_TITLES[wizard.profile]} description={DESCRIPTIONS[wizard.profile]} size="lg" closeOnBackdrop={false} footer={<WizardFooter wizard={wizard} />}>
      <WizardBody wizard={wizard} />
    </Dialog>
  );
}

function useWizardProblems(wizard: WizardState): { shown: FieldProblems; blocking: boolean } {
  const maxBatch = useVaultStore((s) => s.defaults?.maxBatch);
  return useMemo(() => {
    const local = localProblems(wizard.profile, wizard.form, maxBatch);
    if (wizard.profile === 'client' && wizard.form.fromList) {
      const plan = wizard.previewFor === wizard.revision ? wizard.listPlan : undefined;
      const remote: FieldProblems = {};
      const general = wizard.listPlan?.problems.find((p) => p.line === 0);
      const byLine = wizard.listPlan?.problems.filter((p) => p.line > 0) ?? [];
      if (general) remote.issuerId = general.message;
      if (byLine.length > 0) remote.clientIds = `${byLine.length} line${byLine.length === 1 ? ' has a problem' : 's have problems'}; see the table. Nothing is issued until every line is fixed.`;
      return { shown: { ...remote, ...local }, blocking: !wizardReady(local, plan, plan !== undefined) };
    }
    const fresh = wizard.previewFor === wizard.revision ? wizard.preview : undefined;
    const remote: FieldProblems = {};
    for (const p of wizard.preview?.problems ?? []) {
      const field: WizardField | undefined = p.field === 'subject' ? 'commonName' : p.field;
      if (field && !remote[field]) remote[field] = p.message;
    }
    const shown: FieldProblems = { ...remote, ...local };
    const blocking = !wizardReady(local, fresh, fresh !== undefined);
    return { shown, blocking };
  }, [wizard, maxBatch]);
}

function WizardFooter({ wizard }: { wizard: WizardState }) {
  const closeWizard = useVaultStore((s) => s.closeWizard);
  const { blocking } = useWizardProblems(wizard);
  const running = wizard.issueJobId !== undefined;
  return (
    <>
      <Button onClick={closeWizard} disabled={running}>
        Cancel
      </Button>
      <Button variant="primary" icon={<Plus size={18} />} type="submit" form="fb-issue-form" disabled={blocking && !running} loading={running}>
        {CREATE_LABEL[wizard.profile]}
      </Button>
    </>
  );
}

function WizardBody({ wizard }: { wizard: WizardState }) {
  const { defaults, tree, updateWizard, issue, cancelIssue } = useVaultStore(
    useShallow((s) => ({ defaults: s.defaults, tree: s.tree, updateWizard: s.updateWizard, issue: s.issue, cancelIssue: s.cancelIssue })),
  );
  const job = useJobsStore((s) => (wizard.issueJobId ? s.jobs[wizard.issueJobId] : undefined));
  const [touched, setTouched] = useState<Set<WizardField>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const { shown } = useWizardProblems(wizard);
  const { profile, form } = wizard;
  const running = wizard.issueJobId !== undefined;
  const errorFor = (field: WizardField) => (attempted || touched.has(field) ? shown[field] : undefined);
  const touch = (field: WizardField) => () => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));

  const cas = profile === 'root' ? [] : signingCas(tree, profile);
  const defaultValidity = defaults?.profiles[profile].validity;
  const typedValidity = parseValidity(form);
  const keyAlgorithms = defaults?.keyAlgorithms ?? [{ id: 'ec-p256' as const, label: 'EC P-256', family: 'ec' as const, slow: false }];
  const slow = keyAlgorithms.find((k) => k.id === form.keyAlgorithm)?.slow ?? false;
  const validityHint = [
    defaultValidity ? `Default ${describeValidity(defaultValidity)}.` : '',
    typedValidity && (('days' in typedValidity ? typedValidity.days : typedValidity.hours) > 0) ? `That is ${describeValidity(typedValidity)}.` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    void issue();
  };

  const chips = profile === 'server' ? sanChips(form.sansText) : [];
  const clientIds = profile === 'client' ? parseClientIds(form.clientIdsText).ids : [];

  return (
    <form id="fb-issue-form" className="fb-wizard" onSubmit={onSubmit} noValidate>
      <fieldset className="fb-wizard__fields" disabled={running}>
        <legend className="fb-visually-hidden">What to issue</legend>
        {profile !== 'root' ? (
          <Select
            label="Signed by"
            value={form.issuerId}
            onChange={(e) => updateWizard({ issuerId: e.target.value })}
            options={cas.map((c) => ({ value: c.id, label: `${c.commonName} · ${c.keyAlgorithm}` }))}
            placeholder={cas.length === 0 ? 'No CA can sign this yet' : 'Choose a CA'}
            error={cas.length === 0 ? `There is no CA in the vault that can sign ${profile === 'intermediate' ? 'an intermediate' : 'this'} yet. Create ${profile === 'intermediate' ? 'a root CA' : 'a root and an intermediate CA'} first.` : errorFor('issuerId') ?? (form.issuerId ? shown.issuerId : undefined)}
          />
        ) : null}
        {profile !== 'client' ? (
          <TextField
            label="Common name (CN)"
            required
            // An example in the box read as a name already typed (issue 14); it is a hint below the box instead.
            hint={`For example ${profile === 'root' ? '"Plant 4 Root CA"' : profile === 'intermediate' ? '"Plant 4 Intermediate CA"' : '"mqtts-endpoint" or the broker\u2019s host name'}.`}
            value={form.commonName}
            onChange={(e) => updateWizard({ commonName: e.target.value })}
            onBlur={touch('commonName')}
            error={errorFor('commonName')}
          />
        ) : null}
        {profile === 'server' ? (
          <MultilineField
            label="IP addresses and host names (SANs)"
            placeholder="192.168.2.196, mqtts.plant.local"
            value={form.sansText}
            onChange={(v) => updateWizard({ sansText: v })}
            onBlur={touch('sans')}
            error={form.sansText.trim() ? shown.sans : errorFor('sans')}
            hint="Every address clients will dial. Separate with commas, spaces or new lines; each is typed as IP or DNS as you type. Leave empty to use the CN."
          >
            <SanChipList chips={chips} label="SANs as they will be issued" />
          </MultilineField>
        ) : null}
        {profile === 'client' ? (
          <Checkbox
            label="From a device list (paste or drop a CSV, or one id per line)"
            checked={form.fromList === true}
            onChange={(e) => updateWizard({ fromList: e.target.checked })}
            hint="For a line of PLCs or a site of sensors: every line is checked before anything is issued."
          />
        ) : null}
        {profile === 'client' && form.fromList ? (
          <MultilineField
            label="Device list"
            placeholder={'device_id,sans,validity,key,iothub_device_id\nplc-01,10.0.0.21,825,,Plant4-PLC01\nplc-02'}
            value={form.listText ?? ''}
            onChange={(v) => updateWizard({ listText: v })}
            onBlur={touch('clientIds')}
            onDropText={(v) => updateWizard({ listText: v })}
            rows={6}
            error={form.listText?.trim() ? shown.clientIds : errorFor('clientIds')}
            hint="One device id per line, or CSV with a device_id column and optional sans, validity (825 or 72000h), key and iothub_device_id. Each id becomes a certificate's CN."
          >
            <DeviceTable wizard={wizard} />
          </MultilineField>
        ) : null}
        {profile === 'client' && !form.fromList ? (
          <MultilineField
            label="Client ids (one certificate each)"
            placeholder="client42a, client42b"
            value={form.clientIdsText}
            onChange={(v) => updateWizard({ clientIdsText: v })}
            onBlur={touch('clientIds')}
            error={errorFor('clientIds') ?? (form.clientIdsText.trim() ? shown.clientIds : undefined)}
            hint="Each id becomes a certificate's CN and the client's MQTT username. Separate with commas, spaces or new lines."
          >
            {clientIds.length > 0 ? (
              <p className="fb-vault-muted">
                {clientIds.length} certificate{clientIds.length === 1 ? '' : 's'}: {clientIds.slice(0, 8).join(', ')}
                {clientIds.length > 8 ? ` and ${clientIds.length - 8} more` : ''}
              </p>
            ) : null}
          </MultilineField>
        ) : null}
        <div className="fb-wizard__pair">
          <TextField label="Organization (O)" placeholder="optional" value={form.organization} onChange={(e) => updateWizard({ organization: e.target.value })} />
          {profile !== 'client' ? (
            <TextField label="Country (C)" placeholder="optional, e.g. NL" maxLength={2} value={form.country} onChange={(e) => updateWizard({ country: e.target.value })} onBlur={touch('country')} error={errorFor('country')} />
          ) : null}
        </div>
        <Select
          label="Key type"
          value={form.keyAlgorithm}
          onChange={(e) => updateWizard({ keyAlgorithm: e.target.value as KeyAlgorithm })}
          options={keyAlgorithms.map((k) => ({ value: k.id, label: `${k.label}${k.id === defaults?.keyAlgorithm ? ' (default)' : ''}${k.slow ? ' — takes a few seconds' : ''}` }))}
          error={shown.keyAlgorithm}
        />
        <div className="fb-wizard__validity">
          <TextField
            label="Validity"
            inputMode="numeric"
            value={form.validityAmount}
            onChange={(e) => updateWizard({ validityAmount: e.target.value })}
            onBlur={touch('validity')}
            error={errorFor('validity') ?? (typedValidity ? shown.validity : undefined)}
            hint={validityHint}
          />
          <Select
            label="Unit"
            value={form.validityUnit}
            onChange={(e) => updateWizard(switchUnit(form.validityAmount, form.validityUnit, e.target.value as ValidityUnit))}
            options={[
              { value: 'days', label: 'days' },
              { value: 'hours', label: 'hours' },
            ]}
          />
        </div>
        {profile !== 'root' ? (
          <Checkbox
            label="Shorten the validity to the CA's expiry if it would outlive it"
            checked={form.clampToIssuer}
            onChange={(e) => updateWizard({ clampToIssuer: e.target.checked })}
            hint="Otherwise Fieldbench refuses a certificate that outlives its CA."
          />
        ) : null}
        {profile !== 'root' && (form.allowMixedKeyFamilies || wizard.preview?.problems.some((p) => p.code === 'pki.mixed-key-families')) ? (
          <Checkbox
            label="Allow a chain that mixes EC and RSA keys"
            checked={form.allowMixedKeyFamilies === true}
            onChange={(e) => updateWizard({ allowMixedKeyFamilies: e.target.checked })}
            hint="The AIO broker rejects such a client chain; only for other servers that accept it."
          />
        ) : null}
      </fieldset>
      <div className="fb-wizard__side">
        {running ? (
          <Progress
            label={WIZARD_TITLES[profile]}
            message={job?.message ?? (slow ? `Generating ${keyAlgorithms.find((k) => k.id === form.keyAlgorithm)?.label ?? ''} keys…` : 'Issuing…')}
            fraction={job?.fraction}
            onCancel={() => void cancelIssue()}
            cancelling={job?.status === 'cancelling'}
          />
        ) : null}
        {wizard.issueError ? (
          <p role="alert" className="fb-wizard__error">
            <CircleAlert size={16} aria-hidden="true" />
            <span>{wizard.issueError.message}</span>
          </p>
        ) : null}
        <PreviewPanel wizard={wizard} />
      </div>
    </form>
  );
}

/** A labelled, monospace text box for lists (SANs, client ids, device lists); also used by the renew dialog. */
export function MultilineField({
  label,
  value,
  onChange,
  onBlur,
  onDropText,
  rows = 2,
  error,
  hint,
  placeholder,
  children,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  onBlur?: () => void;
  /** A text file dropped on the field replaces its content (the workspace's own drop imports certificates). */
  onDropText?: (text: string) => void;
  rows?: number;
  error: string | undefined;
  hint: string;
  placeholder?: string;
  children?: ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', `${id}-hint`].filter(Boolean).join(' ');
  return (
    <div className="fb-field">
      <label htmlFor={id} className="fb-field__label">
        {label}
      </label>
      <textarea
        id={id}
        className="fb-input fb-input--multiline"
        data-mono
        rows={rows}
        spellCheck={false}
        onDragOver={onDropText ? (e) => e.stopPropagation() : undefined}
        onDrop={
          onDropText
            ? (e) => {
                const file = e.dataTransfer.files[0];
                if (!file) return;
                e.preventDefault();
                e.stopPropagation();
                void file.text().then(onDropText);
              }
            : undefined
        }
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {children}
      {error ? (
        <p id={`${id}-error`} className="fb-field__error">
          <CircleAlert size={14} aria-hidden="true" />
          <span>{error}</span>
        </p>
      ) : null}
      <p id={`${id}-hint`} className="fb-field__hint">
        {hint}
      </p>
    </div>
  );
}

function PreviewHead({ stale, blocking, answered }: { stale: boolean; blocking: boolean; answered: boolean }) {
  return (
    <div className="fb-preview__head">
      <h3 id="fb-preview-title">What will be issued</h3>
      {stale ? <span className="fb-vault-muted">Updating…</span> : !blocking ? <StatusBadge status="ok" label="Ready" /> : answered ? <StatusBadge status="warning" label="Not yet" /> : null}
    </div>
  );
}

const WARNING_LABEL: Record<PkiWarning['code'], string> = { 'mixed-key-families': 'EC and RSA mixed', 'validity-clamped': 'Validity shortened', 'no-sans': 'No SANs' };

function PreviewWarnings({ warnings }: { warnings: readonly PkiWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="fb-preview__warnings">
      {warnings.map((w) => (
        <li key={w.code}>
          <StatusBadge status="warning" label={WARNING_LABEL[w.code]} />
          <span>{w.message}</span>
        </li>
      ))}
    </ul>
  );
}

function ListPreview({ wizard, blocking, stale }: { wizard: WizardState; blocking: boolean; stale: boolean }) {
  const plan = wizard.listPlan;
  const first = plan?.devices[0];
  return (
    <section className="fb-preview" aria-labelledby="fb-preview-title" aria-busy={stale || undefined}>
      <PreviewHead stale={stale} blocking={blocking} answered={plan !== undefined} />
      {wizard.previewError ? <p className="fb-wizard__error">{wizard.previewError.message}</p> : null}
      {plan && first ? (
        <dl className="fb-facts fb-facts--preview">
          <dt>Certificates</dt>
          <dd>
            {plan.devices.length} client certificates, one vault save
          </dd>
          <dt>Subjects</dt>
          <dd>
            CN = {first.deviceId}
            {plan.devices.length > 1 ? ` and ${plan.devices.length - 1} more` : ''}
          </dd>
          <dt>Validity</dt>
          <dd>
            until {formatDateTime(first.notAfter)}
            {first.validityClamped ? ' — shortened to the CA’s expiry' : ''}
          </dd>
          <dt>Usages</dt>
          <dd>Digital Signature, TLS Web Client Authentication</dd>
        </dl>
      ) : plan ? (
        <p className="fb-vault-muted">Paste the list on the left; each device appears in the table as it is checked.</p>
      ) : null}
      {plan ? <PreviewWarnings warnings={plan.warnings} /> : null}
    </section>
  );
}

/** The device list as it will be issued: each line's device, SANs, key and expiry, or its problem. */
function DeviceTable({ wizard }: { wizard: WizardState }) {
  const plan = wizard.listPlan;
  if (!plan || !wizard.form.listText?.trim()) return null;
  const byLine = plan.problems.filter((p) => p.line > 0);
  const SHOWN = 50;
  return (
    <div className="fb-device-list">
      {byLine.length > 0 ? (
        <ul className="fb-device-list__problems" aria-label="Problems in the list">
          {byLine.slice(0, SHOWN).map((p) => (
            <li key={`${p.line}-${p.message}`}>
              <CircleAlert size={14} aria-hidden="true" />
              <span>
                Line {p.line}: {p.message}
              </span>
            </li>
          ))}
          {byLine.length > SHOWN ? <li>and {byLine.length - SHOWN} more</li> : null}
        </ul>
      ) : null}
      {plan.devices.length > 0 ? (
        <table className="fb-device-list__table" aria-label="Certificates that will be issued">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Device id (CN)</th>
              <th scope="col">SANs</th>
              <th scope="col">Key</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {plan.devices.slice(0, SHOWN).map((d) => (
              <tr key={d.line}>
                <td>{d.line}</td>
                <td data-mono>{d.deviceId}</td>
                <td data-mono>{d.sans.map((x) => x.value).join(', ')}</td>
                <td>{d.keyAlgorithm}</td>
                <td>{formatDate(d.notAfter)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="fb-vault-muted">
        {plan.devices.length} certificate{plan.devices.length === 1 ? '' : 's'} ready
        {plan.devices.length > SHOWN ? ` (the first ${SHOWN} shown)` : ''}
        {byLine.length > 0 ? `; ${byLine.length} line${byLine.length === 1 ? '' : 's'} to fix first` : ''}.
      </p>
    </div>
  );
}

function PreviewPanel({ wizard }: { wizard: WizardState }) {
  const preview: PreviewResult | undefined = wizard.preview;
  const stale = wizard.previewFor !== wizard.revision;
  const { blocking } = useWizardProblems(wizard);
  const defaults = useVaultStore((s) => s.defaults);
  if (wizard.profile === 'client' && wizard.form.fromList) return <ListPreview wizard={wizard} blocking={blocking} stale={stale} />;
  const first = preview?.certificates[0];
  const more = (preview?.certificates.length ?? 0) - 1;
  const defaultValidity = defaults?.profiles[wizard.profile].validity;
  const typed = parseValidity(wizard.form);
  const isDefault = defaultValidity && typed && JSON.stringify(defaultValidity) === JSON.stringify(typed);
  return (
    <section className="fb-preview" aria-labelledby="fb-preview-title" aria-busy={stale || undefined}>
      <PreviewHead stale={stale} blocking={blocking} answered={preview !== undefined} />
      {wizard.previewError ? <p className="fb-wizard__error">{wizard.previewError.message}</p> : null}
      {first ? (
        <dl className="fb-facts fb-facts--preview">
          <dt>Subject</dt>
          <dd>{more > 0 ? `${first.subject} and ${more} more` : first.subject}</dd>
          <dt>Issuer</dt>
          <dd>{first.issuer}</dd>
          <dt>Validity</dt>
          <dd>
            {formatDateTime(first.notBefore)} → {formatDateTime(first.notAfter)}
            <br />
            <span className="fb-vault-muted">
              {typed ? describeValidity(typed) : ''}
              {isDefault ? ' (the default)' : ''}
              {first.validityClamped ? ' — shortened to the CA’s expiry' : ''}
            </span>
          </dd>
          <dt>Key type</dt>
          <dd>
            {first.keyAlgorithmLabel}
            {preview && preview.keyGeneration.count > 1 ? <span className="fb-vault-muted"> ({preview.keyGeneration.count} keys)</span> : null}
            {preview?.keyGeneration.slow ? <span className="fb-vault-muted"> — takes a few seconds each; you can cancel</span> : null}
          </dd>
          <dt>Usages</dt>
          <dd>{[...first.keyUsage, ...first.extendedKeyUsage].join(', ') || 'None'}</dd>
          <dt>Constraints</dt>
          <dd>{first.isCa ? `CA, path length ${first.pathLength ?? 'unlimited'}` : 'Not a CA'}</dd>
          {wizard.profile === 'server' || first.sans.length > 0 ? (
            <>
              <dt>SANs</dt>
              <dd>{first.sans.length > 0 ? <SanChipList chips={first.sans} label="SANs in the preview" /> : 'None'}</dd>
            </>
          ) : null}
        </dl>
      ) : preview && !wizard.previewError ? (
        <p className="fb-vault-muted">Fill in the fields on the left; the certificate appears here as you type.</p>
      ) : null}
      {preview ? <PreviewWarnings warnings={preview.warnings} /> : null}
    </section>
  );
}
