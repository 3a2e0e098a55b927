import { join } from 'node:path';
import type { Area, AreaDeps, AreaHandlers } from '../area';
import { operation as op } from '../ipc/dispatcher';
import { MqttService } from '../services/mqtt/mqtt-service';
import type { SatTokenProvider } from '../services/mqtt/tls-material';
import type { PkiService } from '../services/pki/pki-service';
import type { EdgeService } from '../services/edge/edge-service';
import type { AioService } from '../services/aio/aio-service';
import { ListenerMatrixService } from '../services/mqtt/matrix/listener-matrix-service';
import { createTokenRequestProvider } from '../services/mqtt/matrix/token-request-provider';

export interface MqttAreaServices {
  /** Certificates for TLS and the matrix's certificate list (the PKI area's service). */
  pki: PkiService;
  /** Node profiles, SSH tunnels (ClusterIp listeners) and the node's Kubernetes API (TokenRequest). */
  edge: EdgeService;
  /** AIO discovery: the listeners, their services and auth policies, the trust bundles. */
  aio: AioService;
  /** K8S-SAT tokens; by default minted through the node's TokenRequest via the edge area. */
  satTokens?: SatTokenProvider | undefined;
}

/**
 * Wires the MQTT workbench into the app. Messages reach the renderer only as mqtt.onMessages batches of
 * what the view shows; everything else stays in main and is paged with mqtt.messages.
 */
export function createMqttArea(deps: AreaDeps, services: MqttAreaServices): Area<AreaHandlers<'mqtt'>, MqttService> {
  const { pki, edge } = services;
  const service = new MqttService({
    vault: deps.vault,
    pki,
    satTokens: services.satTokens ?? createTokenRequestProvider(edge),
    spillDir: join(deps.env.dataDir, 'mqtt-spill'),
    events: {
      state: (summary) => deps.hub.emit('mqtt.onState', summary),
      messages: (batch) => deps.hub.emit('mqtt.onMessages', batch),
      profiles: (profiles) => deps.hub.emit('mqtt.onProfiles', { profiles }),
      wantsMessages: () => deps.hub.listenerCount('mqtt.onMessages') > 0,
    },
  });
  const matrix = new ListenerMatrixService({
    pki,
    satTokens: () => service.satTokenProvider,
    edge: { getNode: (id: string) => edge.getNode(id), forward: (nodeId: string, host: string, port: number) => edge.forward(nodeId, host, port) },
    aio: services.aio,
    onProgress: (e) => deps.hub.emit('mqtt.onMatrixProgress', e),
    vault: deps.vault,
  });
  const handlers: AreaHandlers<'mqtt'> = {
    'mqtt.profiles': () => service.listProfiles(),
    'mqtt.resolveProfile': ({ ref }) => service.resolveProfile(ref),
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
    'mqtt.topicHistory': (req) => service.topicHistory(req),
    'mqtt.setDecoders': (req) => service.setDecoders(req.connectionId, req.rules),
    'mqtt.decoders': (req) => service.decoderList(req.connectionId),
    'mqtt.loadProto': (req) => service.loadProto(req.path),
    'mqtt.clearMessages': (req) => service.clearMessages(req.connectionId),
    'mqtt.undoClear': (req) => service.undoClear(req.connectionId),
    'mqtt.validateTopic': (req) => service.validateTopic(req.topic, req.kind),
    'mqtt.importConnections': (req) => service.importConnections(req.format, req.text),
    'mqtt.exportConnections': (req) => service.exportConnections(req),
    'mqtt.commandLine': (req) => service.commandLine(req),
    'mqtt.matrixPlan': (req, ctx) => matrix.plan(req, op(ctx)),
    'mqtt.matrixRun': (req, ctx) => matrix.run(req, op(ctx)),
    'mqtt.matrixEndpoints': (req) => ({ endpoints: matrix.endpointDrafts(req.nodeId) }),
    'mqtt.saveMatrixEndpoints': async (req) => ({ saved: await matrix.saveEndpointDrafts(req.nodeId, req.endpoints) }),
  };
  return { handlers, service, dispose: () => service.dispose() };
}
