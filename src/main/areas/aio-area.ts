import { FieldbenchError } from '@shared/errors';
import type { Area, AreaDeps } from '../area';
import type { Handler } from '../ipc/dispatcher';
import { AioService, type AioPki, type AioServiceOptions } from '../services/aio/aio-service';
import type { KubeAccessProvider } from '../services/edge/kube-access';
import { PkiService } from '../services/pki/pki-service';

export type AioHandlers = {
  'aio.discover': Handler<'aio.discover'>;
  'aio.plan': Handler<'aio.plan'>;
  'aio.apply': Handler<'aio.apply'>;
  'aio.readBack': Handler<'aio.readBack'>;
  'aio.render': Handler<'aio.render'>;
  'aio.check': Handler<'aio.check'>;
  'aio.diagnose': Handler<'aio.diagnose'>;
  'aio.importTrustBundle': Handler<'aio.importTrustBundle'>;
};

export interface AioAreaServices {
  /** The edge area's access to a node's Kubernetes API; without it every call says so. */
  kube?: KubeAccessProvider | undefined;
  /** Vault certificates; the PKI area's service once it exposes one. */
  pki?: AioPki | undefined;
  /** The node's activity log (the edge area's); every change made to a cluster is written there. */
  activity?: { recordActivity(nodeId: string, entry: { area: string; kind: string; message: string; ok: boolean }): Promise<unknown> } | undefined;
  /** The MQTT area's listener matrix through its contract call (mqtt.matrixRun), for `aio check`'s live connect. */
  liveMatrix?: AioServiceOptions['liveMatrix'];
}

/** Stands in for the edge area until it provides node access, so the calls answer with a sentence. */
const noEdge: KubeAccessProvider = {
  openKube() {
    return Promise.reject(new FieldbenchError('edge.unavailable', 'Edge node access is not available in this build, so Fieldbench cannot reach the node\'s Kubernetes API. Add the node under Edge nodes once that area is installed.'));
  },
};

/** Wires the AIO broker area: discovery, plan/apply with server-side apply, read-back, diagnostics, trust bundle import. */
export function createAioArea(deps: AreaDeps, services: AioAreaServices = {}): Area<AioHandlers, AioService> {
  // Until the PKI area hands its service over, a PkiService of our own reads the same vault section.
  const pki = services.pki ?? new PkiService({ vault: deps.vault });
  const service = new AioService({
    kube: services.kube ?? noEdge,
    pki,
    onApplyProgress: (e) => deps.hub.emit('aio.onApplyProgress', e),
    liveMatrix: services.liveMatrix,
  });
  const op = (ctx: { signal: AbortSignal; progress(message: string, fraction?: number): void }) => ({ signal: ctx.signal, progress: (m: string, f?: number) => ctx.progress(m, f) });
  const handlers: AioHandlers = {
    'aio.discover': (req, ctx) => service.discover(req.nodeId, req.namespace, op(ctx), req.trust),
    'aio.plan': (req, ctx) => service.plan(req.nodeId, req.spec, { force: req.force }, op(ctx)),
    'aio.apply': async (req, ctx) => {
      const result = await service.apply(req.nodeId, req.spec, { force: req.force, dryRun: req.dryRun }, op(ctx));
      const changed = result.resources.filter((r) => r.outcome !== 'not-attempted' && r.outcome !== 'unchanged');
      if (!result.dryRun && changed.length > 0) {
        const list = changed.map((r) => `${r.ref.kind} ${r.ref.name} (${r.outcome})`).join(', ');
        await services.activity?.recordActivity(req.nodeId, { area: 'aio', kind: 'applied', message: `${result.summary} ${list}.`, ok: result.complete }).catch(() => undefined);
      }
      return result;
    },
    'aio.readBack': async (req, ctx) => ({ nodeId: req.nodeId, resources: await service.readBack(req.nodeId, req.resources, op(ctx)) }),
    'aio.render': (req) => service.renderBrokerYaml(req.spec, req.outputPath),
    'aio.check': (req, ctx) => service.check(req, op(ctx)),
    'aio.diagnose': (req, ctx) => service.diagnose(req, op(ctx)),
    'aio.importTrustBundle': (req, ctx) => service.importTrustBundle(req, op(ctx)),
  };
  return { handlers, service };
}
