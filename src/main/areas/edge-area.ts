import type { Area, AreaDeps, AreaHandlers } from '../area';
import { EdgeService, type EdgeServiceOptions } from '../services/edge/edge-service';


/** Test and embedding knobs: SSH timeouts, the environment az and the agent come from. */
export type EdgeAreaOptions = Omit<EdgeServiceOptions, 'vault' | 'onActivity' | 'onNodesChanged'>;

/**
 * Wires the edge area: node profiles in the vault's 'nodes' section, SSH and Kubernetes access. Its service
 * is the KubeAccessProvider the AIO area borrows clusters from (and the SSH access network uses).
 */
export function createEdgeArea(deps: AreaDeps, options: EdgeAreaOptions = {}): Area<AreaHandlers<'edge'>, EdgeService> {
  const service = new EdgeService({
    ...options,
    vault: deps.vault,
    onActivity: (entry) => deps.hub.emit('edge.onActivity', entry),
    onNodesChanged: (nodeIds) => deps.hub.emit('edge.onNodesChanged', { nodeIds }),
  });
  const handlers: AreaHandlers<'edge'> = {
    'edge.listNodes': () => ({ nodes: service.listNodes() }),
    'edge.resolveNode': ({ ref }) => service.resolveNode(ref),
    'edge.saveNode': (req) => service.saveNode(req),
    'edge.removeNode': async (req) => ({ removed: await service.removeNode(req.id) }),
    'edge.listKeys': () => ({ keys: service.listKeys() }),
    'edge.generateKey': (req) => service.generateKey(req.comment),
    'edge.importKey': (req) => service.importKey(req.privateKey, req.passphrase, req.comment),
    'edge.removeKey': async (req) => ({ removed: await service.removeKey(req.id) }),
    'edge.trustHostKey': (req) => service.trustHostKey(req.nodeId, req.fingerprint),
    'edge.testNode': (req, ctx) =>
      service.testNode(req.id, { signal: ctx.signal, progress: (m, f) => ctx.progress(m, f), ...(req.sudoPassword ? { sudoPassword: req.sudoPassword } : {}) }),
    'edge.activity': (req) => ({ entries: service.activity(req.nodeId, req.limit) }),
  };
  return { handlers, service, dispose: () => service.dispose() };
}
