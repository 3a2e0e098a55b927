import { diffLines, type ChangeObject } from 'diff';
import type { DecodedPayloadT, TopicHistoryEntryT } from '@shared/contract/mqtt-contract';

// Turning a topic's decoded history into what the detail pane shows: comparable text for the diff and
// numeric series for the chart. Pure functions, so they are tested without a browser.

/** Most lines a chart draws; more would be unreadable on a laptop screen. */
export const MAX_SERIES = 6;
const MAX_DEPTH = 4;

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  return JSON.stringify(v);
}

/** The decoded payload as stable text, one fact per line where possible, so a line diff reads well. */
export function decodedText(d: DecodedPayloadT): string {
  if (!d.ok) return `Not decoded as ${d.decoder}: ${d.reason ?? 'unknown reason'}\n${d.raw?.text ?? ''}`;
  if (d.sparkplug && d.sparkplug.messageType !== 'STATE') {
    return d.sparkplug.metrics
      .map((m) => `${m.name ?? (m.alias !== undefined ? `alias ${m.alias}` : '(unnamed)')} [${m.datatype ?? '?'}] = ${m.isNull ? 'null' : formatValue(m.value)}`)
      .join('\n');
  }
  if (typeof d.value === 'string') return d.value;
  return JSON.stringify(d.value, null, 2) ?? 'null';
}

/** Line changes from the previous decoded value to the latest. */
export function payloadDiff(previous: DecodedPayloadT, latest: DecodedPayloadT): ChangeObject<string>[] {
  return diffLines(decodedText(previous), decodedText(latest));
}

/** Named numbers in one decoded payload: the value itself, JSON leaves by path, Sparkplug metrics by name. */
export function numericFields(d: DecodedPayloadT): Map<string, number> {
  const out = new Map<string, number>();
  if (!d.ok) return out;
  if (d.sparkplug) {
    for (const m of d.sparkplug.metrics) {
      const v = typeof m.value === 'boolean' ? Number(m.value) : m.value;
      if (typeof v === 'number' && Number.isFinite(v) && !m.isNull) out.set(m.name ?? `alias ${m.alias ?? '?'}`, v);
    }
    return out;
  }
  const walk = (v: unknown, path: string, depth: number): void => {
    if (typeof v === 'number' && Number.isFinite(v)) out.set(path || 'value', v);
    else if (v && typeof v === 'object' && depth < MAX_DEPTH) {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) walk(child, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  if (d.decoder === 'text' && typeof d.value === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(d.value)) out.set('value', Number(d.value));
  else if (d.decoder !== 'hex' && d.decoder !== 'base64') walk(d.value, '', 0);
  return out;
}

export interface Series {
  /** Seconds since the epoch (uPlot's time axis). */
  x: number[];
  names: string[];
  /** One array per name, aligned with x; null where a message lacked that field. */
  ys: (number | null)[][];
}

/** The numeric fields across the history, the ones present in most messages first, at most MAX_SERIES. */
export function numericSeries(entries: TopicHistoryEntryT[]): Series {
  const fields = entries.map((e) => numericFields(e.decoded));
  const seen = new Map<string, number>();
  for (const f of fields) for (const k of f.keys()) seen.set(k, (seen.get(k) ?? 0) + 1);
  const names = [...seen.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_SERIES)
    .map(([k]) => k);
  return { x: entries.map((e) => e.receivedAt / 1000), names, ys: names.map((n) => fields.map((f) => f.get(n) ?? null)) };
}
