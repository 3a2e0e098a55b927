import type { ApplyResultT, ApplySpecParsed } from '@shared/contract/aio-contract';
import type { AioOperation, AioService } from '../services/aio/aio-service';
import type { ActivityInput } from '../services/edge/activity-log';

export interface BrokerResourcesDeps {
  /** The AIO area's service: builds the Secrets, ConfigMaps, BrokerAuthentications and listeners from the spec's vault certificate ids (through its PKI) and applies them. */
  aio: Pick<AioService, 'apply'>;
  /** The node's activity log (the edge service): the one place this flow records what it changed. */
  activity: { recordActivity(nodeId: string, entry: ActivityInput): Promise<unknown> };
}

export interface BrokerApplyOptions {
  force?: boolean;
  dryRun?: boolean;
}

/**
 * "Apply the broker resources for a certificate set": the server certificate's TLS Secret, the client CA
 * ConfigMap, the X.509 BrokerAuthentication and the listener that uses them, applied with server-side apply,
 * then one entry in the node's history naming what changed. The desktop page, `fieldbench aio apply` and
 * the runbook step `aio.apply` all reach it through the aio.apply call, so each apply is recorded once,
 * whichever client asked.
 */
export class BrokerResourcesWorkflow {
  constructor(private readonly deps: BrokerResourcesDeps) {}

  async apply(nodeId: string, spec: ApplySpecParsed, opts: BrokerApplyOptions, op: AioOperation): Promise<ApplyResultT> {
    const result = await this.deps.aio.apply(nodeId, spec, opts, op);
    const changed = result.resources.filter((r) => r.outcome !== 'not-attempted' && r.outcome !== 'unchanged');
    // A dry run and an apply that found everything as asked change nothing on the node: no history entry.
    if (!result.dryRun && changed.length > 0) {
      const list = changed.map((r) => `${r.ref.kind} ${r.ref.name} (${r.outcome})`).join(', ');
      // The cluster has changed either way; a vault that cannot take the entry must not turn that into a failure.
      await this.deps.activity.recordActivity(nodeId, { area: 'aio', kind: 'applied', message: `${result.summary} ${list}.`, ok: result.complete }).catch(() => undefined);
    }
    return result;
  }
}
