import type { Area, AreaDeps, AreaHandlers } from '../area';
import { operation as op } from '../ipc/dispatcher';
import { AioService, type AioPki, type AioServiceOptions } from '../services/aio/aio-service';
import type { KubeAccessProvider } from '../services/edge/kube-access';
import { BrokerResourcesWorkflow, type BrokerResourcesDeps } from '../workflows/broker-resources-workflow';
import type { OneTimeDownloads } from '../services/exports/one-time-downloads';
import { FieldbenchError } from '@shared/errors';
import { EXPORT_DOWNLOAD_PATH } from '@shared/contract/exports-contract';

export interface AioAreaServices {
  /** The edge area's access to a node's Kubernetes API. */
  kube: KubeAccessProvider;
  /** Vault certificates (the PKI area's service). */
  pki: AioPki;
  /** The node's activity log (the edge area's); the broker-resources workflow writes every change made to a cluster there. */
  activity: BrokerResourcesDeps['activity'];
  /** The loopback host's one-time downloads (the exports area's), for aio.renderDownload. */
  downloads?: () => OneTimeDownloads;
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
    'aio.render': (req) => {
      const { exactYaml: _keys, ...shown } = service.renderBrokerYaml(req.spec);
      return shown;
    },
    // Key material never crosses to a renderer: the exact text goes to the CLI, which writes the file it was
    // told to, or to a one-time download the browser fetches without the page's script reading it.
    'aio.renderExact': (req) => {
      if (deps.env.runtime !== 'cli') throw new FieldbenchError('aio.renderKeysRefused', 'The YAML with its private keys is only handed to the command line (fieldbench aio render --out FILE). Here it is shown with the keys hidden; in the browser version it can be downloaded.');
      return service.renderBrokerYaml(req.spec);
    },
    'aio.renderDownload': (req) => {
      const downloads = services.downloads?.();
      if (deps.env.runtime !== 'loopback-host' || !downloads) throw new FieldbenchError('aio.downloadUnavailable', 'Downloads are how the browser version hands over the YAML. Here, use fieldbench aio render --out FILE, or copy the YAML shown (its keys are hidden).');
      const { exactYaml, ...shown } = service.renderBrokerYaml(req.spec);
      const fileName = `${req.spec.namespace}-broker-resources.yaml`;
      const id = downloads.add({ fileName, bytes: new TextEncoder().encode(exactYaml), secret: shown.containsKeys });
      return { ...shown, url: `${EXPORT_DOWNLOAD_PATH}${id}`, fileName };
    },
    'aio.check': (req, ctx) => service.check(req, op(ctx)),
    'aio.diagnose': (req, ctx) => service.diagnose(req, op(ctx)),
    'aio.importTrustBundle': (req, ctx) => service.importTrustBundle(req, op(ctx)),
  };
  return { handlers, service };
}
