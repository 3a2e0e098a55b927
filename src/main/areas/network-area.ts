import type { Area, AreaDeps, AreaHandlers } from '../area';
import { NetworkService } from '../services/network/network-service';
import { ShellSource, type NodeProfiles } from '../services/network/shell-source';
import type { CertificateAuthority } from '../services/network/cross-checks';
import type { BrokerReader } from '../services/network/aio-cross-check-inputs';
import { EdgeNodeProfiles, type EdgeNodes } from '../services/network/edge-node-profiles';
import type { EdgeService } from '../services/edge/edge-service';
import type { EventHub } from '../ipc/event-hub';

export interface NetworkAreaDeps extends AreaDeps {
  /** The PKI service (SAN checks, re-issue). Optional until the PKI area provides it. */
  pki?: CertificateAuthority | undefined;
  /** The edge area's service: node profiles, their SSH access and activity log (`{kind: 'node'}` targets). */
  edge?: EdgeService | undefined;
  /** The AIO area's service: a node's broker listeners and cluster certificates for network.crossCheck. */
  aio?: BrokerReader | undefined;
  /** Node profiles from elsewhere (tests); `edge` builds them when absent. Without either only direct logins work. */
  nodes?: NodeProfiles | undefined;
  /** Tests shorten the wait for a node to come back after a rollback. */
  recoveryGraceMs?: number;
}

/** Wires the network area: netplan discovery, plan, validation, safe apply and cross-checks. */
export function createNetworkArea(deps: NetworkAreaDeps): Area<AreaHandlers<'network'>, NetworkService> {
  const edge = deps.edge ? edgeNodes(deps.edge, deps.hub) : undefined;
  const service = new NetworkService({
    shells: new ShellSource(deps.nodes ?? (edge ? new EdgeNodeProfiles(edge) : undefined)),
    pki: deps.pki,
    aio: deps.aio,
    ...(deps.recoveryGraceMs !== undefined ? { recoveryGraceMs: deps.recoveryGraceMs } : {}),
  });
  const handlers: AreaHandlers<'network'> = {
    'network.discover': (req, ctx) => service.discover(req.target, ctx.signal),
    'network.checkSettings': (req) => service.checkSettings(req.settings, req.snapshot),
    'network.plan': (req, ctx) => service.plan(req.target, req.settings, ctx.signal),
    'network.validate': (req, ctx) => {
      ctx.progress('Checking the file with the node\'s netplan…');
      return service.validate(req.target, req.settings, ctx.signal);
    },
    'network.apply': async (req, ctx) => {
      const result = await service.apply(
        {
          target: req.target,
          settings: req.settings,
          rollbackSeconds: req.rollbackSeconds,
          applyId: req.applyId,
          dnsCheckName: req.dnsCheckName,
          allowSilentGateway: req.allowSilentGateway,
        },
        (p) => {
          deps.hub.emit('network.onApplyProgress', { applyId: p.applyId, steps: p.steps, ...(p.rollback ? { rollback: p.rollback } : {}), message: p.message });
          ctx.progress(p.rollback && p.rollback.state === 'armed' ? `${p.message} (rollback in ${p.rollback.secondsLeft} s)` : p.message, p.fraction);
        },
        ctx.signal,
      );
      // A change that did not stay belongs in the node's history as much as one that did (which the profile update records).
      if (edge && req.target.kind === 'node' && result.outcome === 'rolled-back') {
        await edge.recordActivity(req.target.nodeId, { area: 'network', kind: 'rolledBack', message: `Static address ${req.settings.address} on ${req.settings.interface} was rolled back: ${result.message}`, ok: false }).catch(() => undefined);
      }
      return result;
    },
    'network.crossCheck': (req, ctx) =>
      service.crossCheck({
        address: req.address,
        previousAddress: req.previousAddress,
        certificateIds: req.certificateIds,
        clusterCertificates: req.clusterCertificates,
        listeners: req.listeners,
        nodeId: req.nodeId,
        namespace: req.namespace,
        checkReachability: req.checkReachability,
        timeoutMs: req.timeoutMs,
        signal: ctx.signal,
        progress: (message) => ctx.progress(message),
      }),
    'network.reissueCertificate': (req, ctx) => service.reissueCertificate(req.certificateId, req.addAddress, req.removeAddresses ?? [], ctx.signal),
  };
  return { handlers, service };
}

/** The edge service seen through what the network area needs of it. */
function edgeNodes(edge: EdgeService, hub: EventHub): EdgeNodes {
  return {
    getNode: (id) => edge.getNode(id),
    openConnection: (id, opts) => edge.openConnection(id, opts),
    async moveNode(id, host) {
      // Not saveNode: a new address there forgets the trusted host key, but this is the same machine, proven
      // by the reconnect that just presented that key on the new address.
      await edge.store.update((d) => {
        const n = d.nodes[id];
        if (n) {
          n.host = host;
          n.modified = new Date().toISOString();
        }
      });
      edge.disconnect(id);
      hub.emit('edge.onNodesChanged', { nodeIds: [id] });
    },
    recordActivity: (id, entry) => edge.recordActivity(id, entry),
  };
}
