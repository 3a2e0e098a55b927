import type { AppliedResourceT, ResourceRefT, SpecIssueT } from '@shared/contract/aio-contract';
import { managersOf } from './aio-discovery';
import type { KubeObject } from './aio-resources';

// What a plan or an apply tells the person about the objects it sent: their names, the API server's
// warnings, the fields server-side apply could not take back, and the one-paragraph summary of an apply.

export const refOf = (o: KubeObject): ResourceRefT => ({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
export const label = (o: { kind: string; metadata: { name: string } } | ResourceRefT): string => ('metadata' in o ? `${o.kind} ${o.metadata.name}` : `${o.kind} ${o.name}`);

/**
 * Server-side apply only removes fields Fieldbench owned before; fields another manager set stay. For a
 * listener port switched between Automatic and Manual TLS that leaves both settings side by side, which
 * the person must clean up where the old one was set (usually the portal).
 */
export function leftoverFieldWarnings(sent: KubeObject, after: KubeObject): SpecIssueT[] {
  if (sent.kind !== 'BrokerListener') return [];
  const out: SpecIssueT[] = [];
  const ports = ((after['spec'] as Record<string, unknown> | undefined)?.['ports'] as Array<Record<string, unknown>> | undefined) ?? [];
  const sentPorts = ((sent['spec'] as Record<string, unknown>)['ports'] as Array<Record<string, unknown>>) ?? [];
  const managers = managersOf(after).filter((m) => m !== 'fieldbench');
  for (const p of ports) {
    const mine = sentPorts.find((x) => x['port'] === p['port']);
    const tls = p['tls'] as Record<string, unknown> | undefined;
    if (!mine?.['tls'] || !tls) continue;
    const mode = (mine['tls'] as Record<string, unknown>)['mode'];
    const stale = mode === 'Manual' ? 'certManagerCertificateSpec' : mode === 'Automatic' ? 'manual' : undefined;
    if (!stale || tls[stale] === undefined) continue;
    out.push({
      severity: 'warning',
      resource: { kind: 'BrokerListener', name: sent.metadata.name, ...(sent.metadata.namespace ? { namespace: sent.metadata.namespace } : {}) },
      field: `spec.ports.tls.${stale}`,
      sentence: `Port ${String(p['port'])} of listener ${sent.metadata.name} would switch to ${String(mode)} TLS but keep the old ${stale} settings${managers.length > 0 ? `, which ${managers.join(', ')} set` : ''}; Fieldbench cannot remove fields it does not own. Remove them where they were set (the portal), or delete the listener and apply it again.`,
    });
  }
  return out;
}

/** What the API server said with its answer (a deprecated field, a pruned one), shown with the resource it concerns. */
export function serverWarnings(obj: KubeObject, warnings: readonly string[]): SpecIssueT[] {
  return [...new Set(warnings)].map((w) => ({
    severity: 'warning' as const,
    resource: refOf(obj),
    sentence: `The cluster warned about ${label(obj)}: ${w}. Check the field against the cluster's version of the resource.`,
  }));
}

/** One paragraph on how an apply (or its dry run) went: what changed, what did not, and what to do next. */
export function summarize(results: readonly AppliedResourceT[], complete: boolean, dryRun: boolean, cancelled: boolean): string {
  const names = (o: AppliedResourceT['outcome'][]): string[] => results.filter((r) => o.includes(r.outcome)).map((r) => `${r.ref.kind} ${r.ref.name}`);
  const done = names(['applied', 'unchanged']);
  if (dryRun) return complete ? `The server accepted all ${results.length} resources in a dry run; nothing was changed.` : `The dry run stopped at ${names(['failed', 'unknown'])[0] ?? 'a resource'}; nothing was changed.`;
  if (complete) {
    const changed = names(['applied']).length;
    return changed === 0 ? `All ${results.length} resources were already as asked; nothing changed.` : `Applied ${changed} of ${results.length} resources${changed < results.length ? ` (${results.length - changed} were already as asked)` : ''}.`;
  }
  const failed = results.find((r) => r.outcome === 'failed' || r.outcome === 'unknown');
  const notDone = names(['not-attempted', 'failed', 'unknown']);
  const head = cancelled ? 'The apply was cancelled.' : failed ? `${failed.ref.kind} ${failed.ref.name} ${failed.outcome === 'unknown' ? 'may not have been applied' : 'was not applied'}: ${failed.error?.message ?? 'it failed'}` : 'The apply stopped.';
  return `${head} Applied: ${done.length > 0 ? done.join(', ') : 'none'}. Not applied: ${notDone.join(', ')}. Apply the same spec again to finish; what is already there is left as is.`;
}
