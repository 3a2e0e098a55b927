import { useEffect, useState, type ReactNode } from 'react';
import { Plus, Trash2, TriangleAlert } from 'lucide-react';
import { Button, Checkbox, Dialog, Select, TextField } from '../../ui';
import { DEFAULT_PORTS, emptyForm, profileFromForm, usesTls, validateForm, type ConnectionForm, type Protocol } from './connection-form';
import { isError, useMqttStore } from './use-mqtt-store';

export interface ConnectionDialogProps {
  open: boolean;
  /** The form to start from (a saved profile, or emptyForm()). */
  initial: ConnectionForm;
  onClose: () => void;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="fb-mqtt-form__section">
      <legend>{title}</legend>
      <div className="fb-mqtt-form__grid">{children}</div>
    </fieldset>
  );
}

/**
 * Mount it with a fresh `key` per opening: its state starts from `initial` and is not reset by effects.
 *
 * The connection form: basics, authentication, TLS, K8S-SAT, last will and user properties. The password and
 * token are held only here while the dialog is open and go straight into the save or connect call.
 */
export function ConnectionDialog({ open, initial, onClose }: ConnectionDialogProps) {
  const [form, setForm] = useState<ConnectionForm>(initial);
  const [password, setPassword] = useState('');
  const [clearPassword, setClearPassword] = useState(false);
  const [satToken, setSatToken] = useState('');
  const [touched, setTouched] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: 'error' | 'ok'; text: string; detail?: string | undefined } | undefined>();
  const [busy, setBusy] = useState<'save' | 'connect' | undefined>();
  const choices = useMqttStore((s) => s.choices);

  useEffect(() => {
    if (open) void useMqttStore.getState().loadChoices();
  }, [open]);

  const errors = validateForm(form);
  const shown = touched ? errors : {};
  const valid = Object.keys(errors).length === 0;
  const tls = usesTls(form.protocol);
  const up = <K extends keyof ConnectionForm>(key: K, value: ConnectionForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const setProtocol = (p: Protocol) =>
    setForm((f) => {
      // Follow the protocol's usual port unless the person typed their own.
      const wasDefault = Object.values(DEFAULT_PORTS).map(String).includes(f.port);
      return { ...f, protocol: p, port: wasDefault ? String(DEFAULT_PORTS[p]) : f.port };
    });

  const certificates = choices?.certificates ?? [];
  const caOptions = certificates.filter((c) => c.isCa).map((c) => ({ value: c.id, label: c.label }));
  const clientOptions = certificates.filter((c) => !c.isCa && c.hasPrivateKey).map((c) => ({ value: c.id, label: c.label }));

  async function save(): Promise<boolean> {
    setTouched(true);
    if (!valid) return false;
    setBusy('save');
    const pw = clearPassword ? null : password ? password : undefined;
    const res = await useMqttStore.getState().saveProfile(profileFromForm(form), pw, satToken ? satToken : undefined);
    setBusy(undefined);
    if (isError(res)) {
      setOutcome({ kind: 'error', text: res.message, detail: res.detail });
      return false;
    }
    setForm((f) => ({ ...f, id: res.id, hasPassword: res.hasPassword, hasSatToken: res.hasSatToken }));
    setPassword('');
    setSatToken('');
    setOutcome({ kind: 'ok', text: `Saved "${res.name}" in the vault.` });
    return true;
  }

  async function connect() {
    setTouched(true);
    if (!valid) return;
    setBusy('connect');
    setOutcome(undefined);
    const profile = profileFromForm(form);
    // A saved profile without new secrets connects by id, so main uses the password kept in the vault.
    const req = form.id && !password && !satToken ? { profileId: form.id } : { profile, ...(password ? { password } : {}), ...(satToken ? { satToken } : {}) };
    const res = await useMqttStore.getState().connect(req, profile.name);
    setBusy(undefined);
    if (isError(res)) {
      setOutcome({ kind: 'error', text: res.message, detail: res.detail });
      return;
    }
    onClose();
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      closeOnBackdrop={false}
      title={initial.id ? `Edit connection ${initial.name}` : 'New connection'}
      description="Everything but the password and token is saved with the profile; those stay in the vault and are never shown again."
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={busy === 'save'} disabled={busy !== undefined}>
            Save to vault
          </Button>
          <Button variant="primary" onClick={() => void connect()} loading={busy === 'connect'} disabled={busy !== undefined}>
            Connect
          </Button>
        </>
      }
    >
      <form
        className="fb-mqtt-form"
        aria-label="Connection settings"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        {outcome ? (
          <div className="fb-mqtt-outcome" data-kind={outcome.kind} role={outcome.kind === 'error' ? 'alert' : 'status'}>
            <p>{outcome.text}</p>
            {outcome.detail ? (
              <details>
                <summary>Details</summary>
                <pre>{outcome.detail}</pre>
              </details>
            ) : null}
          </div>
        ) : null}
        <Section title="Basics">
          <TextField label="Name" value={form.name} onChange={(e) => up('name', e.target.value)} error={shown.name} required className="fb-mqtt-form__wide" />
          <Select
            label="Protocol"
            value={form.protocol}
            onChange={(e) => setProtocol(e.target.value as Protocol)}
            options={[
              { value: 'mqtt', label: 'mqtt — plain TCP' },
              { value: 'mqtts', label: 'mqtts — TLS' },
              { value: 'ws', label: 'ws — WebSocket' },
              { value: 'wss', label: 'wss — WebSocket over TLS' },
            ]}
          />
          <TextField label="Host" mono value={form.host} onChange={(e) => up('host', e.target.value)} error={shown.host} hint="IP or host name of the listener" required />
          <TextField label="Port" mono inputMode="numeric" value={form.port} onChange={(e) => up('port', e.target.value)} error={shown.port} required />
          {form.protocol === 'ws' || form.protocol === 'wss' ? <TextField label="WebSocket path" mono value={form.path} onChange={(e) => up('path', e.target.value)} /> : null}
          <Select
            label="MQTT version"
            value={form.mqttVersion}
            onChange={(e) => up('mqttVersion', e.target.value as ConnectionForm['mqttVersion'])}
            options={[
              { value: '5.0', label: 'MQTT 5.0' },
              { value: '3.1.1', label: 'MQTT 3.1.1' },
            ]}
          />
          <TextField label="Client id" mono value={form.clientId} onChange={(e) => up('clientId', e.target.value)} hint="Empty: a random fieldbench-… id" />
          <TextField label="Keepalive (s)" mono inputMode="numeric" value={form.keepaliveSeconds} onChange={(e) => up('keepaliveSeconds', e.target.value)} error={shown.keepaliveSeconds} />
          <TextField
            label="Session expiry (s)"
            mono
            inputMode="numeric"
            value={form.sessionExpirySeconds}
            onChange={(e) => up('sessionExpirySeconds', e.target.value)}
            error={shown.sessionExpirySeconds}
            disabled={form.mqttVersion !== '5.0'}
            hint={form.mqttVersion !== '5.0' ? 'MQTT 5 only' : undefined}
          />
          <Checkbox label="Clean start" checked={form.cleanStart} onChange={(e) => up('cleanStart', e.target.checked)} hint="Off: resume the broker's session for this client id" />
        </Section>

        <Section title="Username and password">
          <TextField label="Username" mono value={form.username} onChange={(e) => up('username', e.target.value)} />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            disabled={clearPassword}
            hint={form.hasPassword ? 'A password is saved. Type to replace it.' : 'Saved in the vault, never shown again.'}
          />
          {form.hasPassword ? <Checkbox label="Remove the saved password" checked={clearPassword} onChange={(e) => setClearPassword(e.target.checked)} /> : null}
        </Section>

        {tls ? (
          <Section title="TLS">
            <Select
              label="Trust the server certificate from"
              value={form.caSource}
              onChange={(e) => up('caSource', e.target.value as ConnectionForm['caSource'])}
              options={[
                { value: 'vault', label: 'A CA in the vault' },
                { value: 'file', label: 'A CA file on this machine' },
                { value: 'system', label: "The system's public CAs" },
              ]}
            />
            {form.caSource === 'vault' ? (
              <Select
                label="CA certificate"
                value={form.caCertificateId}
                placeholder={caOptions.length ? 'Choose a CA…' : 'No CA in the vault (unlock it or create one)'}
                onChange={(e) => up('caCertificateId', e.target.value)}
                options={caOptions}
                error={shown.caCertificateId}
                hint={choices?.note}
              />
            ) : null}
            {form.caSource === 'file' ? <TextField label="CA file (PEM)" mono value={form.caPath} onChange={(e) => up('caPath', e.target.value)} error={shown.caPath} /> : null}
            <Select
              label="Client certificate (X.509 auth)"
              value={form.clientCert}
              onChange={(e) => up('clientCert', e.target.value as ConnectionForm['clientCert'])}
              options={[
                { value: 'none', label: 'None' },
                { value: 'vault', label: 'From the vault (leaf + intermediates sent)' },
                { value: 'file', label: 'Files on this machine' },
              ]}
            />
            {form.clientCert === 'vault' ? (
              <Select
                label="Client certificate and key"
                value={form.clientCertificateId}
                placeholder={clientOptions.length ? 'Choose a certificate…' : 'No certificate with a key in the vault'}
                onChange={(e) => up('clientCertificateId', e.target.value)}
                options={clientOptions}
                error={shown.clientCertificateId}
              />
            ) : null}
            {form.clientCert === 'file' ? (
              <>
                <TextField label="Certificate file" mono value={form.clientCertPath} onChange={(e) => up('clientCertPath', e.target.value)} error={shown.clientCertPath} />
                <TextField label="Key file" mono value={form.clientKeyPath} onChange={(e) => up('clientKeyPath', e.target.value)} error={shown.clientKeyPath} />
              </>
            ) : null}
            <TextField label="Server name (SNI)" mono value={form.servername} onChange={(e) => up('servername', e.target.value)} hint="When the host is an IP or a tunnel: the name in the certificate" />
            <TextField label="ALPN protocols" mono value={form.alpn} onChange={(e) => up('alpn', e.target.value)} hint="Comma separated, usually empty" />
            <div className="fb-mqtt-form__wide">
              <Checkbox label="Verify the server certificate" checked={form.verifyServer} onChange={(e) => up('verifyServer', e.target.checked)} />
              {!form.verifyServer ? (
                <p className="fb-mqtt-warning" role="alert">
                  <TriangleAlert size={18} aria-hidden="true" />
                  Without verification anyone on the network can pose as this broker and read every message and password. Use it only to look at a broken
                  certificate, then fix the certificate and turn verification back on.
                </p>
              ) : null}
            </div>
          </Section>
        ) : null}

        <Section title="K8S-SAT (service account token)">
          <Select
            label="Token"
            value={form.sat}
            onChange={(e) => up('sat', e.target.value as ConnectionForm['sat'])}
            error={shown.sat}
            options={[
              { value: 'none', label: 'Not used' },
              { value: 'tokenRequest', label: 'Minted on the node (TokenRequest)' },
              { value: 'file', label: 'A token file' },
              { value: 'vault', label: 'Pasted, kept in the vault' },
            ]}
            hint="MQTT 5 enhanced authentication, method K8S-SAT, over TLS"
          />
          {form.sat === 'file' ? <TextField label="Token file" mono value={form.satPath} onChange={(e) => up('satPath', e.target.value)} error={shown.satPath} /> : null}
          {form.sat === 'vault' ? (
            <TextField
              label="Token"
              type="password"
              value={satToken}
              onChange={(e) => setSatToken(e.target.value)}
              hint={form.hasSatToken ? 'A token is saved. Paste to replace it.' : 'From kubectl create token SA --audience aio-internal'}
            />
          ) : null}
          {form.sat === 'tokenRequest' ? (
            <>
              <Select
                label="Node"
                value={form.satNodeId}
                placeholder={choices?.nodes.length ? 'Choose a node…' : 'No node in the vault (add one in Edge nodes)'}
                onChange={(e) => up('satNodeId', e.target.value)}
                options={(choices?.nodes ?? []).map((n) => ({ value: n.id, label: n.name }))}
                error={shown.satNodeId}
              />
              <TextField label="Service account" mono value={form.satServiceAccount} onChange={(e) => up('satServiceAccount', e.target.value)} />
              <TextField label="Namespace" mono value={form.satNamespace} onChange={(e) => up('satNamespace', e.target.value)} />
              <TextField label="Audience" mono value={form.satAudience} onChange={(e) => up('satAudience', e.target.value)} />
            </>
          ) : null}
        </Section>

        <Section title="Last will">
          <Checkbox label="Send a last will" checked={form.willEnabled} onChange={(e) => up('willEnabled', e.target.checked)} className="fb-mqtt-form__wide" />
          {form.willEnabled ? (
            <>
              <TextField label="Will topic" mono value={form.willTopic} onChange={(e) => up('willTopic', e.target.value)} error={shown.willTopic} />
              <TextField label="Will payload" mono value={form.willPayload} onChange={(e) => up('willPayload', e.target.value)} />
              <Select
                label="Will QoS"
                value={String(form.willQos)}
                onChange={(e) => up('willQos', Number(e.target.value) as 0 | 1 | 2)}
                options={[0, 1, 2].map((q) => ({ value: String(q), label: `QoS ${q}` }))}
              />
              <Checkbox label="Retain the will" checked={form.willRetain} onChange={(e) => up('willRetain', e.target.checked)} />
            </>
          ) : null}
        </Section>

        <Section title="User properties (MQTT 5, sent in CONNECT)">
          <div className="fb-mqtt-form__wide fb-mqtt-kv">
            {form.userProperties.map((u, i) => (
              <div className="fb-mqtt-kv__row" key={i}>
                <TextField label={`Name ${i + 1}`} mono value={u.key} onChange={(e) => up('userProperties', form.userProperties.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
                <TextField label={`Value ${i + 1}`} mono value={u.value} onChange={(e) => up('userProperties', form.userProperties.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
                <Button iconOnly variant="ghost" aria-label={`Remove user property ${i + 1}`} icon={<Trash2 size={18} />} onClick={() => up('userProperties', form.userProperties.filter((_, j) => j !== i))} />
              </div>
            ))}
            {shown.userProperties ? <p className="fb-field__error">{shown.userProperties}</p> : null}
            <Button size="sm" icon={<Plus size={16} />} onClick={() => up('userProperties', [...form.userProperties, { key: '', value: '' }])} disabled={form.mqttVersion !== '5.0'}>
              Add user property
            </Button>
          </div>
        </Section>
        {/* Enter in any field connects, as in MQTTX. */}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}

export { emptyForm };
