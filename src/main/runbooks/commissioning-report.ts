import type { CallResponse } from '@shared/contract';
import type { RunRecord } from '@shared/contract/runbooks-contract';
import { configurationFingerprint } from './runbook-engine';
import type { Caller } from './step-kind';

type Summary = CallResponse<'pki.get'>['summary'];

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

interface MatrixLine {
  label: string;
  ok: boolean;
  tls: string;
  auth: string;
  why: string;
}

/** Certificates the run made or used, read from the vault now (summaries only: never a key). */
async function certificatesOf(run: RunRecord, call: Caller): Promise<Summary[]> {
  const ids = new Set<string>();
  // Any step's certificate outputs, not only pki.*: the broker's CA that aio.trust-bundle put in the vault is
  // what every client of the node is told to trust, so the customer signs its fingerprint too.
  for (const s of run.steps) {
    const one = s.outputs['certificateId'];
    if (typeof one === 'string') ids.add(one);
    const many = s.outputs['certificateIds'];
    if (Array.isArray(many)) for (const id of many) if (typeof id === 'string') ids.add(id);
  }
  const out: Summary[] = [];
  for (const id of ids) {
    try {
      out.push((await call('pki.get', { id })).summary);
    } catch {
      // A certificate removed since the run is a finding of its own: verify names it; the report lists what is there.
    }
  }
  return out;
}

export interface ReportOptions {
  site?: string | undefined;
  nodeName?: string | undefined;
}

/**
 * The commissioning record a customer signs: as found and as left per step, every change with its time, the
 * certificates (subjects, SANs, serials, fingerprints, expiry), the listener matrix, a punch list of what failed
 * or was skipped, and the configuration fingerprint `runbook verify` re-checks later. Built only from the run
 * record and the vault, so it cannot disagree with what the services recorded.
 */
export async function buildReport(run: RunRecord, call: Caller, opts: ReportOptions = {}) {
  const fingerprint = run.signedOff?.fingerprint ?? configurationFingerprint(run);
  const certificates = await certificatesOf(run, call);
  const matrix = (run.steps.find((s) => s.uses === 'mqtt.matrix')?.outputs['matrix'] ?? []) as MatrixLine[];
  const punch: Array<{ step: string; item: string; detail: string }> = [];
  for (const s of run.steps) {
    if (s.state === 'failed' || s.state === 'pending' || s.state === 'skipped' || s.state === 'cancelled' || s.state === 'paused') punch.push({ step: s.title, item: s.state, detail: s.error ?? (s.state === 'pending' ? 'not run' : '') });
    for (const v of s.verified) if (!v.ok) punch.push({ step: s.title, item: v.name, detail: v.detail });
  }
  for (const m of matrix) if (!m.ok && !punch.some((p) => p.item === m.label)) punch.push({ step: 'Listener matrix', item: m.label, detail: m.why });
  const changes = run.log.filter((l) => l.level === 'change' || l.level === 'error');
  const stepTitle = (id?: string) => run.steps.find((s) => s.id === id)?.title ?? '';
  // As found is a record, not a verdict: something absent before the run is what the run was for.
  const rows = (items: Array<{ name: string; ok: boolean; detail: string }>, judged: boolean) =>
    items.length
      ? items.map((i) => `<li class="${judged ? (i.ok ? 'ok' : 'bad') : ''}">${judged ? (i.ok ? '✔ ' : '✘ ') : ''}${esc(i.name)} — ${esc(i.detail)}</li>`).join('')
      : '<li class="muted">nothing checked</li>';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Commissioning report — ${esc(run.title)}</title>
<style>
  body { font: 11pt/1.4 system-ui, sans-serif; margin: 24px; color: #111; }
  h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 13pt; margin: 20px 0 6px; border-bottom: 1px solid #999; }
  table { border-collapse: collapse; width: 100%; font-size: 9.5pt; } td, th { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
  th { background: #eee; } .ok { color: #0a6b2b; } .bad { color: #b00020; font-weight: 600; } .muted { color: #666; }
  ul { margin: 2px 0 6px 18px; padding: 0; } .fp { font: 13pt ui-monospace, monospace; letter-spacing: 1px; }
  .sign td { height: 42px; } code { font: 9pt ui-monospace, monospace; word-break: break-all; }
</style></head><body>
<h1>Commissioning report</h1>
<div>${esc(run.title)} · run <code>${esc(run.id)}</code> · ${esc(run.state)}${run.changed === 0 ? ' · nothing had to change' : ` · ${run.changed} step(s) changed`}</div>
<table><tr><th>Site</th><td>${esc(opts.site ?? '')}</td><th>Node</th><td>${esc(opts.nodeName ?? run.params['node'] ?? '')}</td></tr>
<tr><th>Started</th><td>${esc(when(run.createdAt))}</td><th>Last change</th><td>${esc(when(run.updatedAt))}</td></tr>
<tr><th>Parameters</th><td colspan="3">${Object.entries(run.params).map(([k, v]) => `${esc(k)} = ${esc(Array.isArray(v) ? v.join(', ') : v)}`).join(' · ')}</td></tr></table>
<h2>Configuration fingerprint</h2><div class="fp">${esc(fingerprint)}</div>
<div class="muted">A hash over the objects applied and the certificates' serials. <code>fieldbench runbook verify</code> recomputes it and names what changed.</div>
<h2>As found and as left</h2>
<table><tr><th>Step</th><th>Result</th><th>As found</th><th>As left</th></tr>
${run.steps.map((s) => `<tr><td>${esc(s.title)}<br><code>${esc(s.id)}</code></td><td class="${s.state === 'done' || s.state === 'unchanged' ? 'ok' : 'bad'}">${esc(s.state === 'done' ? 'changed' : s.state === 'unchanged' ? 'already in place' : s.state)}</td><td><ul>${rows(s.found, false)}</ul></td><td><ul>${rows(s.verified, true)}</ul></td></tr>`).join('\n')}
</table>
<h2>Changes</h2>
<table><tr><th>Time</th><th>Step</th><th>Change</th></tr>
${changes.length ? changes.map((c) => `<tr><td>${esc(when(c.at))}</td><td>${esc(stepTitle(c.step))}</td><td class="${c.level === 'error' ? 'bad' : ''}">${esc(c.message)}</td></tr>`).join('\n') : '<tr><td colspan="3" class="muted">No change was needed.</td></tr>'}
</table>
<h2>Certificates</h2>
<table><tr><th>Subject</th><th>Issuer</th><th>SANs</th><th>Serial</th><th>SHA-256</th><th>Expires</th></tr>
${certificates.map((c) => `<tr><td>${esc(c.subject)}</td><td>${esc(c.issuer)}</td><td>${esc(c.sans.map((s) => `${s.type.toUpperCase()} ${s.value}`).join(', '))}</td><td><code>${esc(c.serialHex)}</code></td><td><code>${esc(c.fingerprintSha256)}</code></td><td>${esc(c.notAfter.slice(0, 10))}</td></tr>`).join('\n')}
</table>
<h2>Listener matrix</h2>
<table><tr><th>Listener</th><th>Result</th><th>TLS</th><th>Auth</th><th>Why</th></tr>
${matrix.length ? matrix.map((m) => `<tr><td>${esc(m.label)}</td><td class="${m.ok ? 'ok' : 'bad'}">${m.ok ? 'pass' : 'fail'}</td><td>${esc(m.tls)}</td><td>${esc(m.auth)}</td><td>${esc(m.why)}</td></tr>`).join('\n') : '<tr><td colspan="5" class="muted">The run has no listener test.</td></tr>'}
</table>
<h2>Punch list</h2>
${punch.length ? `<table><tr><th>Step</th><th>Item</th><th>Detail</th></tr>${punch.map((p) => `<tr><td>${esc(p.step)}</td><td class="bad">${esc(p.item)}</td><td>${esc(p.detail)}</td></tr>`).join('')}</table>` : '<div class="ok">Nothing open.</div>'}
<h2>Sign-off</h2>
<table class="sign"><tr><th>Tested by</th><td>${esc(run.signedOff?.technician ?? run.technician ?? '')}</td><th>Witnessed by (customer)</th><td>${esc(run.signedOff?.witness ?? '')}</td></tr>
<tr><th>Date</th><td>${esc(run.signedOff ? when(run.signedOff.at) : '')}</td><th>Signature</th><td></td></tr></table>
</body></html>`;
  return { html, fingerprint, punchList: punch.length };
}
