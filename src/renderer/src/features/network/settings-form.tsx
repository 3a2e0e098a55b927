import type { FormEvent, ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CircleX, TriangleAlert } from 'lucide-react';
import { Button, Select, TextField } from '../../ui';
import { findingFor } from './network-form';
import { useNetworkStore } from './use-network-store';

const ROLLBACK_CHOICES = [
  { value: '30', label: '30 seconds' },
  { value: '60', label: '1 minute' },
  { value: '120', label: '2 minutes (default)' },
  { value: '300', label: '5 minutes' },
  { value: '600', label: '10 minutes' },
];

/** Interface, address/prefix, gateway, DNS and search domains, checked in main as the technician types. */
export function SettingsForm() {
  const { snapshot, form, findings, rollbackSeconds, planning, validating, running } = useNetworkStore(
    useShallow((s) => ({ snapshot: s.snapshot, form: s.form, findings: s.findings, rollbackSeconds: s.rollbackSeconds, planning: s.planning, validating: s.validating, running: s.run?.running ?? false })),
  );
  const { setField, setRollbackSeconds, preview, validate, openConfirm } = useNetworkStore.getState();
  if (!snapshot) return null;
  const options = snapshot.interfaces.filter((i) => i.kind !== 'loopback').map((i) => ({ value: i.name, label: `${i.name}${i.connectedVia ? ' (this SSH session)' : ''}` }));
  const hasErrors = findings.some((f) => f.severity === 'error');
  const general = findings.filter((f) => f.field === 'general');
  const message = (field: 'interface' | 'address' | 'gateway' | 'dns' | 'search') => {
    const f = findingFor(findings, field);
    return f?.severity === 'error' ? { error: f.message } : f ? { hint: <span className="fb-net-warning-text">{f.message}</span> } : {};
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void preview();
  };
  const missing = !form.interface || !form.address;
  return (
    <form className="fb-net-form" onSubmit={onSubmit} aria-label="New static address">
      <Select label="Interface" options={options} value={form.interface} placeholder="Choose the interface" onChange={(e) => setField('interface', e.target.value)} required {...message('interface')} />
      <TextField label="Address / prefix" mono value={form.address} onChange={(e) => setField('address', e.target.value)} placeholder="192.168.2.196/24" required {...withHint(message('address'), "The node's new address with its prefix, e.g. 192.168.2.196/24.")} />
      <TextField label="Gateway" mono value={form.gateway} onChange={(e) => setField('gateway', e.target.value)} placeholder="192.168.2.1" {...withHint(message('gateway'), 'The default router on that subnet. Leave empty for a segment without one.')} />
      <div className="fb-net-form__pair">
        <TextField label="DNS servers" mono value={form.dns} onChange={(e) => setField('dns', e.target.value)} placeholder="192.168.2.1, 1.1.1.1" {...withHint(message('dns'), 'Separate with commas. Empty keeps what the file has.')} />
        <TextField label="Search domains" mono value={form.search} onChange={(e) => setField('search', e.target.value)} placeholder="plant.local" {...withHint(message('search'), 'Optional, separated with commas.')} />
      </div>
      {general.length > 0 ? (
        <ul className="fb-net-findings" aria-label="Other findings">
          {general.map((f) => (
            <li key={f.code} data-severity={f.severity}>
              {f.severity === 'error' ? <CircleX size={16} aria-hidden="true" /> : <TriangleAlert size={16} aria-hidden="true" />}
              <span>{f.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <Select
        label="Automatic rollback after"
        options={ROLLBACK_CHOICES}
        value={String(rollbackSeconds)}
        onChange={(e) => setRollbackSeconds(Number(e.target.value))}
        hint="If Fieldbench cannot confirm the new address within this time, the node restores its previous settings by itself."
      />
      <div className="fb-net-form__actions">
        <Button type="submit" loading={planning} disabled={missing || running}>
          Preview the change
        </Button>
        <Button onClick={() => void validate()} loading={validating} disabled={missing || hasErrors || running}>
          Validate on the node
        </Button>
        <Button variant="primary" size="lg" onClick={openConfirm} disabled={missing || hasErrors || running}>
          Apply…
        </Button>
      </div>
    </form>
  );
}

/** A warning stays visible under the field; without one the field shows its usual hint. */
function withHint(m: { error?: string; hint?: ReactNode }, fallback: string) {
  if (m.error) return { error: m.error, hint: fallback };
  return { hint: m.hint ?? fallback };
}
