import type { Area, AreaDeps, AreaHandlers } from '../area';
import { NetworkService } from '../services/network/network-service';
import { StaticAddressWorkflow, type CertificateRenewal } from '../workflows/static-address-workflow';
import { ShellSource } from '../services/network/shell-source';
import { openDirectSsh } from '../services/edge/ssh-connection';
import type { BrokerReader } from '../services/network/aio-cross-check-inputs';
import { EdgeNodeProfiles } from '../services/network/edge-node-profiles';
import type { EdgeService } from '../services/edge/edge-service';

export interface NetworkAreaDeps extends AreaDeps {
  /** The PKI service: SAN checks, and the renewal the static-address workflow re-issues with. */
  pki: CertificateRenewal;
  /** The edge area's service: node profiles, their SSH access and activity log (`{kind: 'node'}` targets). */
  edge: EdgeService;
  /** The AIO area's service: a node's broker listeners and cluster certificates for network.crossCheck. */
  aio: BrokerReader;
  /** Tests shorten the wait for a node to come back after a rollback. */
  recoveryGraceMs?: number;
}

/** Wires the network area: netplan discovery, plan, validation, safe apply and cross-checks. */
export function createNetworkArea(deps: NetworkAreaDeps): Area<AreaHandlers<'network'>, NetworkService> {
  const edge = deps.edge;
  const service = new NetworkService({
    shells: new ShellSource({ profiles: new EdgeNodeProfiles(edge), connectDirect: openDirectSsh }),
    pki: deps.pki,
    aio: deps.aio,
    ...(deps.recoveryGraceMs !== undefined ? { recoveryGraceMs: deps.recoveryGraceMs } : {}),
  });
  const flow = new StaticAddressWorkflow({ network: service, pki: deps.pki, activity: edge });
  const handlers: AreaHandlers<'network'> = {
    'network.discover': (req, ctx) => service.discover(req.target, ctx.signal),
    'network.checkSettings': (req) => service.checkSettings(req.settings, req.snapshot),
    'network.plan': (req, ctx) => service.plan(req.target, req.settings, ctx.signal),
    'network.validate': (req, ctx) => {
      ctx.progress('Checking the file with the node\'s netplan…');
      return service.validate(req.target, req.settings, ctx.signal);
    },
    'network.apply': (req, ctx) =>
      flow.apply(
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
        (message) => ctx.progress(message),
      ),
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
    'network.reissueCertificate': (req, ctx) => flow.reissue(req.certificateId, req.addAddress, req.removeAddresses ?? [], ctx.signal),
  };
  return { handlers, service };
}

