import { join } from 'node:path';
import type { Area, AreaDeps } from '../area';
import type { Handler } from '../ipc/dispatcher';
import { MqttService } from '../services/mqtt/mqtt-service';
import type { SatTokenProvider, TlsMaterialSource } from '../services/mqtt/tls-material';
import { PkiService } from '../services/pki/pki-service';
import type { EdgeService } from '../services/edge/edge-service';
import type { AioService } from '../services/aio/aio-service';
import { ListenerMatrixService } from '../services/mqtt/matrix/listener-matrix-service';
import { createTokenRequestProvider } from '../services/mqtt/matrix/token-request-provider';

export type MqttHandlers = {
  'mqtt.profiles': Handler<'mqtt.profiles'>;
  'mqtt.saveProfile': Handler<'mqtt.saveProfile'>;
  'mqtt.deleteProfile': Handler<'mqtt.deleteProfile'>;
  'mqtt.connect': Handler<'mqtt.connect'>;
  'mqtt.disconnect': Handler<'mqtt.disconnect'>;
  'mqtt.connections': Handler<'mqtt.connections'>;
  'mqtt.publish': Handler<'mqtt.publish'>;
  'mqtt.subscribe': Handler<'mqtt.subscribe'>;
  'mqtt.unsubscribe': Handler<'mqtt.unsubscribe'>;
  'mqtt.setView': Handler<'mqtt.setView'>;
  'mqtt.messages': Handler<'mqtt.messages'>;
  'mqtt.message': Handler<'mqtt.message'>;
  'mqtt.topicTree': Handler<'mqtt.topicTree'>;
  'mqtt.clearMessages': Handler<'mqtt.clearMessages'>;
  'mqtt.undoClear': Handler<'mqtt.undoClear'>;
  'mqtt.validateTopic': Handler<'mqtt.validateTopic'>;
  'mqtt.importConnections': Handler<'mqtt.importConnections'>;
  'mqtt.exportConnections': Handler<'mqtt.exportConnections'>;
  'mqtt.commandLine': Handler<'mqtt.commandLine'>;
  'mqtt.matrixPlan': Handler<'mqtt.matrixPlan'>;
  'mqtt.matrixRun': Handler<'mqtt.matrixRun'>;
};

export interface MqttAreaServices {
  /** Certificates for TLS; the PKI area's service once it exposes one. */
  pki?: TlsMaterialSource | undefined;
  /** K8S-SAT tokens through a node's TokenRequest; the edge area's, once it exists. */
  satTokens?: SatTokenProvider | undefined;
  /** Node profiles, SSH tunnels (ClusterIp listeners) and the node's Kubernetes API (TokenRequest). */
  edge?: EdgeService | undefined;
  /** AIO discovery: the listeners, their services and auth policies, the trust bundles. */
  aio?: AioService | undefined;
}

/**
 * Wires the MQTT workbench into the app. Messages reach the renderer only as mqtt.onMessages batches of
 * what the view shows; everything else stays in main and is paged with mqtt.messages.
 */
export function createMqttArea(deps: AreaDeps, services: MqttAreaServices = {}): Area<MqttHandlers, MqttService> {
  // Until the PKI area hands its service over, a PkiService of our own reads the same vault section.
  const pki = services.pki ?? new PkiService({ vault: deps.vault });
  const service = new MqttService({
    vault: deps.vault,
    pki,
    // Without an explicit provider, K8S-SAT tokens are minted through the node's TokenRequest via the edge area.
    satTokens: services.satTokens ?? (services.edge ? createTokenRequestProvider(services.edge) : undefined),
    spillDir: join(deps.env.dataDir, 'mqtt-spill'),
    events: {
      state: (summary) => deps.hub.emit('mqtt.onState', summary),
      messages: (batch) => deps.hub.emit('mqtt.onMessages', batch),
      profiles: (profiles) => deps.hub.emit('mqtt.onProfiles', { profiles }),
      wantsMessages: () => deps.hub.listenerCount('mqtt.onMessages') > 0,
    },
  });
  const edge = services.edge;
  const matrix = new ListenerMatrixService({
    pki: 'summaries' in pki ? (pki as PkiService) : undefined,
    satTokens: () => service.satTokenProvider,
    ...(edge ? { edge: { getNode: (id: string) => edge.getNode(id), forward: (nodeId: string, host: string, port: number) => edge.forward(nodeId, host, port) } } : {}),
    ...(services.aio ? { aio: services.aio } : {}),
    onProgress: (e) => deps.hub.emit('mqtt.onMatrixProgress', e),
  });
  const op = (ctx: { signal: AbortSignal; progress(message: string, fraction?: number): void }) => ({ signal: ctx.signal, progress: (m: string, f?: number) => ctx.progress(m, f) });
  const handlers: MqttHandlers = {
    'mqtt.profiles': () => service.listProfiles(),
    'mqtt.saveProfile': (req) => service.saveProfile(req.profile, req.password, req.satToken),
    'mqtt.deleteProfile': async (req) => ({ deleted: await service.deleteProfile(req.id) }),
    'mqtt.connect': (req, ctx) => service.connect(req, { signal: ctx.signal, progress: (m) => ctx.progress(m) }),
    'mqtt.disconnect': (req) => service.disconnect(req.connectionId),
    'mqtt.connections': () => service.listConnections(),
    'mqtt.publish': (req) => service.publish(req),
    'mqtt.subscribe': (req) => service.subscribe(req),
    'mqtt.unsubscribe': async (req) => ({ removed: await service.unsubscribe(req.connectionId, req.subscriptionId) }),
    'mqtt.setView': (req) => service.setView(req.connectionId, req),
    'mqtt.messages': (req) => service.messages(req),
    'mqtt.message': (req) => service.message(req),
    'mqtt.topicTree': (req) => service.topicTree(req),
    'mqtt.clearMessages': (req) => service.clearMessages(req.connectionId),
    'mqtt.undoClear': (req) => service.undoClear(req.connectionId),
    'mqtt.validateTopic': (req) => service.validateTopic(req.topic, req.kind),
    'mqtt.importConnections': (req) => service.importConnections(req.format, req.text),
    'mqtt.exportConnections': (req) => service.exportConnections(req),
    'mqtt.commandLine': (req) => service.commandLine(req),
    'mqtt.matrixPlan': (req, ctx) => matrix.plan(req, op(ctx)),
    'mqtt.matrixRun': (req, ctx) => matrix.run(req, op(ctx)),
  };
  return { handlers, service, dispose: () => service.dispose() };
}
