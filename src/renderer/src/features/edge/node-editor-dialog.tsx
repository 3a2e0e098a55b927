import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { FileKey, KeyRound, Save } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Checkbox, Dialog, ErrorSummary, Select, TextField } from '../../ui';
import { CopyButton } from '../../ui';
import { LEGACY_SSH_DESCRIPTION } from '@shared/contract/edge-contract';
import { buildSaveRequest, emptyNodeForm, nodeFormFrom, type NodeFormField, type NodeFormValues } from './node-form';
import { useEdgeStore } from './use-edge-store';

const AUTH_OPTIONS = [
  { value: 'key', label: 'SSH key kept in the vault' },
  { value: 'password', label: 'Password' },
  { value: 'agent', label: 'SSH agent on this computer' },
];
const KUBE_OPTIONS = [
  { value: 'ssh', label: 'Through SSH (k3s on the node)' },
  { value: 'arc', label: 'Azure Arc proxy (az connectedk8s proxy)' },
  { value: 'kubeconfig', label: 'A kubeconfig file on this computer' },
];

/** Reads the chosen key file, hands its text to main and forgets it. */
function KeyImport({ onImported }: { onImported: (keyId: string) => void }) {
  const { importKey, keyBusy } = useEdgeStore(useShallow((s) => ({ importKey: s.importKey, keyBusy: s.keyBusy })));
  const [passphrase, setPassphrase] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const text = await file.text();
    const typed = passphrase;
    setPassphrase('');
    const key = await importKey(text, typed === '' ? undefined : typed);
    if (key) onImported(key.id);
  };
  return (
    <div className="fb-edge-keyimport">
      <TextField
        type="password"
        label="Passphrase of the key file"
        hint="Only if the key file is protected. It is kept in the vault with the key."
        value={passphrase}
        onChange={(e) => setPassphrase(e.target.value)}
      />
      <input ref={fileRef} type="file" className="fb-visually-hidden" aria-label="SSH private key file" tabIndex={-1} onChange={(e) => void onFile(e)} />
      <Button icon={<FileKey size={18} />} loading={keyBusy === 'import'} onClick={() => fileRef.current?.click()}>
        Import a key file…
      </Button>
    </div>
  );
}

const FIELD_LABEL: Record<NodeFormField, string> = {
  name: 'Name',
  host: 'Address',
  port: 'SSH port',
  user: 'SSH user',
  authMethod: 'Log in with',
  keyId: 'Key',
  password: 'SSH password',
  sudoPassword: 'sudo password',
  forgetSudoPassword: 'Forget the stored sudo password',
  jumpHostId: 'Jump host',
  legacyAlgorithms: 'Allow legacy SSH algorithms',
  kubeMode: 'Reach the cluster',
  kubeconfigPathOnNode: 'kubeconfig on the node',
  arcCluster: 'Arc cluster name',
  arcGroup: 'Resource group',
  arcToken: 'Service account token',
  kubeconfigPath: 'kubeconfig file',
  kubeconfigContext: 'Context',
};
const fieldId = (field: NodeFormField) => `fb-node-${field}`;

export function NodeEditorDialog() {
  const editor = useEdgeStore((s) => s.editor);
  if (!editor) return null;
  // A fresh form each time the dialog opens for a node (or for a new one).
  return <NodeEditorForm key={editor.editId ?? 'new'} editId={editor.editId} />;
}

function NodeEditorForm({ editId }: { editId: string | undefined }) {
  const { nodes, keys, saving, saveError, keyBusy, keyError, saveNode, closeEditor, generateKey } = useEdgeStore(
    useShallow((s) => ({
      nodes: s.nodes,
      keys: s.keys,
      saving: s.saving,
      saveError: s.saveError,
      keyBusy: s.keyBusy,
      keyError: s.keyError,
      saveNode: s.saveNode,
      closeEditor: s.closeEditor,
      generateKey: s.generateKey,
    })),
  );
  const editing = nodes.find((n) => n.id === editId);
  const [values, setValues] = useState<NodeFormValues>(() => (editing ? nodeFormFrom(editing) : emptyNodeForm()));
  const [touched, setTouched] = useState<Partial<Record<NodeFormField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [submits, setSubmits] = useState(0);
  const summaryRef = useRef<HTMLDivElement>(null);
  const { request, errors } = useMemo(() => buildSaveRequest(values, editId), [values, editId]);

  const change = <K extends NodeFormField>(field: K, value: NodeFormValues[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
  };
  const show = (field: NodeFormField) => (submitted || touched[field] ? errors[field] : undefined);
  const text = (field: NodeFormField) => ({
    value: values[field] as string,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => change(field, e.target.value as never),
    onBlur: () => setTouched((t) => ({ ...t, [field]: true })),
    error: show(field),
    id: fieldId(field),
  });
  const hasErrors = Object.keys(errors).length > 0;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setSubmits((n) => n + 1);
    if (hasErrors) return;
    await saveNode(request);
  };
  // Each refused Save brings the summary into view at the top of the (long) dialog and reads it out.
  useEffect(() => {
    if (submits === 0) return;
    // focus() also scrolls the dialog body to it.
    summaryRef.current?.focus();
  }, [submits]);
  const summary = submitted ? (Object.keys(errors) as NodeFormField[]).map((f) => ({ fieldId: fieldId(f), label: FIELD_LABEL[f], message: errors[f]! })) : [];
  const chosenKey = keys.find((k) => k.id === values.keyId);
  const jumpOptions = [{ value: '', label: 'None (connect directly)' }, ...nodes.filter((n) => n.id !== editId).map((n) => ({ value: n.id, label: `${n.name} (${n.host})` }))];
  const formId = 'fb-edge-node-form';

  return (
    <Dialog
      open
      onClose={closeEditor}
      size="lg"
      closeOnBackdrop={false}
      title={editing ? `Edit ${editing.name}` : 'Add an edge node'}
      description={editing ? 'Leave a password field empty to keep the one in the vault.' : 'Everything here, passwords and keys included, is kept in the encrypted vault.'}
      footer={
        <>
          <Button onClick={closeEditor}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} icon={<Save size={18} />} loading={saving}>
            {editing ? 'Save changes' : 'Add node'}
          </Button>
        </>
      }
    >
      <form id={formId} className="fb-edge-form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorSummary ref={summaryRef} title="Some fields need attention before the node can be saved" items={summary} />
        {saveError ? (
          <p className="fb-edge-alert" role="alert">
            {saveError.message}
          </p>
        ) : null}
        <fieldset className="fb-edge-form__group">
          <legend>The node</legend>
          <div className="fb-edge-form__grid">
            <TextField label="Name" required hint="How you call it, e.g. edge-01 or n013edge." {...text('name')} />
            <TextField label="Address" required mono hint="IP address or host name, e.g. 192.168.2.196." {...text('host')} />
            <TextField label="SSH port" mono inputMode="numeric" {...text('port')} />
            <TextField label="SSH user" required mono {...text('user')} />
          </div>
        </fieldset>

        <fieldset className="fb-edge-form__group">
          <legend>SSH login</legend>
          <Select label="Log in with" options={AUTH_OPTIONS} {...text('authMethod')} />
          {values.authMethod === 'key' ? (
            <div className="fb-edge-form__stack">
              <Select
                label="Key"
                placeholder={keys.length === 0 ? 'No keys in the vault yet: generate or import one' : 'Choose a key'}
                options={keys.map((k) => ({ value: k.id, label: `${k.comment || k.type} — ${k.fingerprint}${k.usedBy.length ? ` (used by ${k.usedBy.join(', ')})` : ''}` }))}
                {...text('keyId')}
              />
              <div className="fb-edge-form__row">
                <Button icon={<KeyRound size={18} />} loading={keyBusy === 'generate'} onClick={() => void generateKey(values.name ? `fieldbench@${values.name}` : 'fieldbench').then((k) => k && change('keyId', k.id))}>
                  Generate a new key
                </Button>
              </div>
              <KeyImport onImported={(id) => change('keyId', id)} />
              {keyError ? (
                <p className="fb-edge-alert" role="alert">
                  {keyError.message}
                </p>
              ) : null}
              {chosenKey ? (
                <div className="fb-edge-pubkey">
                  <p className="fb-edge-pubkey__label">
                    Paste this line into <code>~{values.user || 'user'}/.ssh/authorized_keys</code> on the node:
                  </p>
                  <div className="fb-edge-pubkey__row">
                    <code className="fb-edge-pubkey__line" data-testid="public-key-line">
                      {chosenKey.publicKey}
                    </code>
                    <CopyButton size="sm" text={chosenKey.publicKey} accessibleName="Copy public key line" />
                  </div>
                </div>
              ) : null}
            </div>
          ) : null}
          {values.authMethod === 'password' ? (
            <TextField
              type="password"
              label="SSH password"
              hint={editing?.auth.method === 'password' ? 'Leave empty to keep the stored password. It is also used for sudo.' : 'Also used for sudo.'}
              {...text('password')}
            />
          ) : null}
          {values.authMethod !== 'password' ? (
            <>
              <TextField
                type="password"
                label="sudo password"
                hint={editing?.hasSudoPassword ? 'Leave empty to keep the stored one.' : 'Optional: without it, Fieldbench asks when sudo needs it.'}
                {...text('sudoPassword')}
              />
              {editing?.hasSudoPassword ? (
                <Checkbox label="Forget the stored sudo password" checked={values.forgetSudoPassword} onChange={(e) => change('forgetSudoPassword', e.target.checked)} />
              ) : null}
            </>
          ) : null}
          <Select label="Jump host" hint="Another node to reach this one through, when it is not reachable directly." options={jumpOptions} {...text('jumpHostId')} />
          <Checkbox
            label="Allow legacy SSH algorithms"
            hint={`Only for a node whose sshd offers nothing better. Fieldbench then ${LEGACY_SSH_DESCRIPTION}; all of them are weak.`}
            checked={values.legacyAlgorithms}
            onChange={(e) => change('legacyAlgorithms', e.target.checked)}
          />
        </fieldset>

        <fieldset className="fb-edge-form__group">
          <legend>Kubernetes access</legend>
          <Select label="Reach the cluster" options={KUBE_OPTIONS} {...text('kubeMode')} />
          {values.kubeMode === 'ssh' ? (
            <TextField label="kubeconfig on the node" mono hint="Read with sudo; the API port is forwarded over the SSH connection." {...text('kubeconfigPathOnNode')} />
          ) : null}
          {values.kubeMode === 'arc' ? (
            <div className="fb-edge-form__grid">
              <TextField label="Arc cluster name" mono {...text('arcCluster')} />
              <TextField label="Resource group" mono {...text('arcGroup')} />
              <TextField
                type="password"
                label="Service account token"
                hint={editing?.kube.mode === 'arc' && editing.kube.hasToken ? 'Leave empty to keep the stored token.' : 'Optional. Needs the Azure CLI (az) and internet on both ends.'}
                {...text('arcToken')}
              />
            </div>
          ) : null}
          {values.kubeMode === 'kubeconfig' ? (
            <div className="fb-edge-form__grid">
              <TextField label="kubeconfig file" mono hint="Path on the computer running Fieldbench." {...text('kubeconfigPath')} />
              <TextField label="Context" mono hint="Leave empty for the file's current context." {...text('kubeconfigContext')} />
            </div>
          ) : null}
        </fieldset>

      </form>
    </Dialog>
  );
}
