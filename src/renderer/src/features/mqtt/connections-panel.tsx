import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Copy, Download, Pencil, Plug, Plus, Trash2, Upload } from 'lucide-react';
import { Button, Dialog, Select, StatusBadge, TextField } from '../../ui';
import { copyText } from '../../ui';
import { connectionStateLook } from './connection-state';
import { isError, useMqttStore } from './use-mqtt-store';
import type { MqttProfileSummaryT } from '@shared/contract/mqtt-contract';

/** Seconds until `at`, ticking once a second while someone waits. */
function useCountdown(at: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === undefined) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [at]);
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function ConnectionRow({ id }: { id: string }) {
  // Only what the row shows: the summary object changes with every message batch (its totals).
  const c = useMqttStore(
    useShallow((s) => {
      const x = s.connections[id];
      return x ? { name: x.name, url: x.url, state: x.state, attempt: x.attempt, lastError: x.lastError, insecure: x.insecure } : undefined;
    }),
  );
  const active = useMqttStore((s) => s.activeId === id);
  const retryAt = useMqttStore((s) => s.retryAt[id]);
  const seconds = useCountdown(retryAt);
  if (!c) return null;
  const look = connectionStateLook(c, seconds);
  return (
    <li>
      <button type="button" className="fb-mqtt-conn" aria-current={active ? 'true' : undefined} onClick={() => useMqttStore.getState().select(id)}>
        <span className="fb-mqtt-conn__name">{c.name}</span>
        <span className="fb-mqtt-conn__url">{c.url}</span>
        <span className="fb-mqtt-conn__state">
          <StatusBadge status={look.status} label={look.label} />
          {c.insecure ? <StatusBadge status="warning" label="Not verified" title="Server certificate verification is off" /> : null}
        </span>
      </button>
    </li>
  );
}

/** Open connections with their live state, saved connections, and import/export. */
export function ConnectionsPanel({ onNew, onEdit }: { onNew: () => void; onEdit: (p: MqttProfileSummaryT) => void }) {
  const order = useMqttStore(useShallow((s) => s.order));
  const profiles = useMqttStore((s) => s.profiles);
  const profilesError = useMqttStore((s) => s.profilesError);
  const connecting = useMqttStore((s) => s.connecting);
  const [interop, setInterop] = useState<'import' | 'export' | undefined>();
  const [command, setCommand] = useState<MqttProfileSummaryT | undefined>();

  return (
    <aside className="fb-mqtt-side" aria-label="Connections">
      <div className="fb-mqtt-side__head">
        <h2>Connections</h2>
        <Button variant="primary" size="sm" icon={<Plus size={16} />} onClick={onNew}>
          New
        </Button>
      </div>
      {connecting ? (
        <p className="fb-mqtt-muted" role="status">
          Connecting {connecting.label}…{' '}
          <Button size="sm" variant="ghost" onClick={() => useMqttStore.getState().cancelConnect()}>
            Cancel
          </Button>
        </p>
      ) : null}
      {order.length ? (
        <ul className="fb-mqtt-conns" aria-label="Open connections">
          {order.map((id) => (
            <ConnectionRow key={id} id={id} />
          ))}
        </ul>
      ) : (
        <p className="fb-mqtt-muted">No open connection. Connect a saved one below or start a new one.</p>
      )}

      <div className="fb-mqtt-side__head">
        <h2>Saved</h2>
        <span className="fb-mqtt-side__tools">
          <Button size="sm" variant="ghost" iconOnly aria-label="Import connections" title="Import (MQTTX or Fieldbench JSON)" icon={<Upload size={16} />} onClick={() => setInterop('import')} />
          <Button size="sm" variant="ghost" iconOnly aria-label="Export connections" title="Export (MQTTX or Fieldbench JSON)" icon={<Download size={16} />} onClick={() => setInterop('export')} />
        </span>
      </div>
      {profilesError ? (
        <p className="fb-mqtt-muted">
          {/locked|missing|no vault/i.test(profilesError.code + profilesError.message)
            ? 'The vault is locked, so no saved connection is listed. Unlock it in Vault & PKI to see them; you can still connect without saving.'
            : profilesError.message}
        </p>
      ) : null}
      {!profilesError && profiles.length === 0 ? <p className="fb-mqtt-muted">Saved connections live in the vault. Save one from the connection form.</p> : null}
      <ul className="fb-mqtt-profiles" aria-label="Saved connections">
        {profiles.map((p) => (
          <li key={p.id} className="fb-mqtt-profile">
            <div className="fb-mqtt-profile__text">
              <span className="fb-mqtt-conn__name">{p.name}</span>
              <span className="fb-mqtt-conn__url">{p.url}</span>
            </div>
            <div className="fb-mqtt-profile__actions">
              <Button size="sm" icon={<Plug size={16} />} onClick={() => void useMqttStore.getState().connect({ profileId: p.id }, p.name).then((r) => isError(r) && useMqttStore.setState({ connectError: r }))} aria-label={`Connect ${p.name}`}>
                Connect
              </Button>
              <Button size="sm" variant="ghost" iconOnly aria-label={`Edit ${p.name}`} icon={<Pencil size={16} />} onClick={() => onEdit(p)} />
              <Button size="sm" variant="ghost" iconOnly aria-label={`Copy ${p.name} as a mosquitto command`} icon={<Copy size={16} />} onClick={() => setCommand(p)} />
              <Button size="sm" variant="ghost" iconOnly aria-label={`Delete ${p.name}`} icon={<Trash2 size={16} />} onClick={() => void useMqttStore.getState().deleteProfile(p.id)} />
            </div>
          </li>
        ))}
      </ul>
      {/* Mounted per opening (key), so each starts empty without resetting state in effects. */}
      {interop ? <InteropDialog key={interop} mode={interop} onClose={() => setInterop(undefined)} /> : null}
      {command ? <CommandDialog key={command.id} profile={command} onClose={() => setCommand(undefined)} /> : null}
    </aside>
  );
}

function InteropDialog({ mode, onClose }: { mode: 'import' | 'export' | undefined; onClose: () => void }) {
  const [format, setFormat] = useState<'mqttx' | 'fieldbench'>('mqttx');
  const [text, setText] = useState('');
  const [result, setResult] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const fileRef = useRef<HTMLInputElement>(null);

  async function run() {
    setError(undefined);
    setResult(undefined);
    if (mode === 'import') {
      const r = await useMqttStore.getState().importConnections(format, text);
      if (isError(r)) return setError(r.message);
      const skipped = r.skipped.map((s) => `entry ${s.index + 1}: ${s.reason}`).join('; ');
      setResult(`Imported ${r.imported.length} connection${r.imported.length === 1 ? '' : 's'}.${skipped ? ` Skipped ${skipped}.` : ''}`);
    } else {
      const r = await useMqttStore.getState().exportConnections(format);
      if (isError(r)) return setError(r.message);
      setText(r.text);
      const copied = await copyText(r.text);
      setResult(`${copied ? 'Copied to the clipboard. ' : ''}Passwords and keys are not included.${r.notes.length ? ` ${r.notes.join(' ')}` : ''}`);
    }
  }

  return (
    <Dialog
      open={mode !== undefined}
      onClose={onClose}
      title={mode === 'import' ? 'Import connections' : 'Export connections'}
      closeOnBackdrop={false}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
          <Button variant="primary" onClick={() => void run()} disabled={mode === 'import' && !text.trim()}>
            {mode === 'import' ? 'Import' : 'Export and copy'}
          </Button>
        </>
      }
    >
      <div className="fb-mqtt-form">
        <Select
          label="Format"
          value={format}
          onChange={(e) => setFormat(e.target.value as 'mqttx' | 'fieldbench')}
          options={[
            { value: 'mqttx', label: 'MQTTX (JSON array)' },
            { value: 'fieldbench', label: 'Fieldbench JSON' },
          ]}
        />
        {mode === 'import' ? (
          <>
            <input
              ref={fileRef}
              type="file"
              accept=".json,application/json"
              hidden
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void f.text().then(setText);
              }}
            />
            <Button size="sm" onClick={() => fileRef.current?.click()}>
              Choose a file…
            </Button>
          </>
        ) : null}
        <label className="fb-field">
          <span className="fb-field__label">{mode === 'import' ? 'Paste the exported JSON' : 'Exported JSON'}</span>
          <textarea className="fb-input fb-mqtt-textarea" data-mono rows={10} value={text} readOnly={mode === 'export'} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </label>
        {error ? <p className="fb-field__error" role="alert">{error}</p> : null}
        {result ? <p role="status">{result}</p> : null}
      </div>
    </Dialog>
  );
}

function CommandDialog({ profile, onClose }: { profile: MqttProfileSummaryT | undefined; onClose: () => void }) {
  const [tool, setTool] = useState<'mosquitto_sub' | 'mosquitto_pub'>('mosquitto_sub');
  const [topic, setTopic] = useState('#');
  const [out, setOut] = useState<{ command: string; notes: string[] } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);
  const reset = () => {
    setOut(undefined);
    setError(undefined);
    setCopied(false);
  };

  async function make() {
    if (!profile) return;
    const r = await useMqttStore.getState().commandLine(profile.id, tool, topic);
    if (isError(r)) return setError(r.message);
    setOut({ command: r.command, notes: r.notes });
    setCopied(await copyText(r.command));
  }

  return (
    <Dialog
      open={profile !== undefined}
      onClose={onClose}
      title={`Copy ${profile?.name ?? ''} as a command`}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
          <Button variant="primary" icon={<Copy size={18} />} onClick={() => void make()}>
            {copied ? 'Copied' : `Copy as ${tool}`}
          </Button>
        </>
      }
    >
      <div className="fb-mqtt-form">
        <Select
          label="Tool"
          value={tool}
          onChange={(e) => {
            setTool(e.target.value as 'mosquitto_sub' | 'mosquitto_pub');
            reset();
          }}
          options={[
            { value: 'mosquitto_sub', label: 'mosquitto_sub (subscribe)' },
            { value: 'mosquitto_pub', label: 'mosquitto_pub (publish)' },
          ]}
        />
        <TextField
          label="Topic"
          mono
          value={topic}
          onChange={(e) => {
            setTopic(e.target.value);
            reset();
          }}
        />
        {error ? <p className="fb-field__error" role="alert">{error}</p> : null}
        {out ? (
          <>
            <pre className="fb-mqtt-pre" aria-label="Command line">
              {out.command}
            </pre>
            {out.notes.map((n) => (
              <p key={n} className="fb-mqtt-muted">
                {n}
              </p>
            ))}
          </>
        ) : null}
      </div>
    </Dialog>
  );
}
