import type { Area, AreaDeps, AreaHandlers } from '../area';
import { operation as op } from '../ipc/dispatcher';
import { AioService, type AioPki, type AioServiceOptions } from '../services/aio/aio-service';
import type { KubeAccessProvider } from '../services/edge/kube-access';
import { BrokerResourcesWorkflow, type BrokerResourcesDeps } from '../workflows/broker-resources-workflow';

export interface AioAreaServices {
  /** The edge area's access to a node's Kubernetes API. */
  kube: KubeAccessProvider;
  /** Vault certificates (the PKI area's service). */
  pki: AioPki;
  /** The node's activity log (the edge area's); the broker-resources workflow writes every change made to a cluster there. */
  activity: BrokerResourcesDeps['activity'];
  /** The MQTT area's listener matrix through its contract call (mqtt.matrixRun), for `aio check`'s live connect. */
  liveMatrix: AioServiceOptions['liveMatrix'];
}

/** Wires the AIO broker area: discovery, plan/apply with server-side apply, read-back, diagnostics, trust bundle import. */
export function createAioArea(deps: AreaDeps, services: AioAreaServices): Area<AreaHandlers<'aio'>, AioService> {
  const service = new AioService({
    kube: services.kube,
    pki: services.pki,
    onApplyProgress: (e) => deps.hub.emit('aio.onApplyProgress', e),
    liveMatrix: services.liveMatrix,
  });
  const broker = new BrokerResourcesWorkflow({ aio: service, activity: services.activity });
  const handlers: AreaHandlers<'aio'> = {
    'aio.discover': (req, ctx) => service.discover(req.nodeId, req.namespace, op(ctx), req.trust),
    'aio.plan': (req, ctx) => service.plan(req.nodeId, req.spec, { force: req.force }, op(ctx)),
    'aio.apply': (req, ctx) => broker.apply(req.nodeId, req.spec, { force: req.force, dryRun: req.dryRun }, op(ctx)),
    'aio.readBack': async (req, ctx) => ({ nodeId: req.nodeId, resources: await service.readBack(req.nodeId, req.resources, op(ctx)) }),
    'aio.render': (req) => service.renderBrokerYaml(req.spec, req.outputPath),
    'aio.check': (req, ctx) => service.check(req, op(ctx)),
    'aio.diagnose': (req, ctx) => service.diagnose(req, op(ctx)),
    'aio.importTrustBundle': (req, ctx) => service.importTrustBundle(req, op(ctx)),
  };
  return { handlers, service };
}
