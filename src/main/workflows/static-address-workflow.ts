import type { ApplyResult, CrossCheckReport } from '@shared/contract/network-contract';
import { FieldbenchError, toErrorInfo } from '@shared/errors';
import type { ActivityInput } from '../services/edge/activity-log';
import type { IssueResult } from '@shared/pki-types';
import type { PkiOperationOptions } from '../services/pki';
import type { ApplyProgress, ApplyRequest, NetworkService } from '../services/network/network-service';
import { missing, sanText, type CertificateAuthority } from '../services/network/cross-checks';
import { parseIpv4 } from '../services/network/ipv4';

/** What the re-issue uses of the PKI service (PkiService satisfies it). */
export interface CertificateRenewal extends CertificateAuthority {
  /** Same subject (its exact bytes), profile and key type as the certificate; `sans` replaces its SANs. */
  renew(id: string, req: { sans?: string[]; clampToIssuer?: boolean }, op?: PkiOperationOptions): Promise<IssueResult>;
}

export interface StaticAddressDeps {
  network: Pick<NetworkService, 'apply' | 'crossCheck'>;
  /** The vault's PKI: the certificates the checks look at, and the renewal that re-issues one. */
  pki: CertificateRenewal;
  /** The node's activity log (the edge service): the one place this flow records what it did. */
  activity: { recordActivity(nodeId: string, entry: ActivityInput): Promise<unknown> };
}

/** A network.apply result, with the checks run against the node's new address when it moved. */
export type StaticAddressResult = ApplyResult & { checks?: CrossCheckReport; checksError?: string };

/**
 * "Give the node a static address, then see what the move broke": apply with the node's own rollback,
 * record the outcome in the node's history, cross-check the certificates and listeners that named the
 * old address, and re-issue a server certificate with the new one. Written once here; the desktop UI and
 * the CLI reach it through network.apply / network.reissueCertificate, and runbooks call it directly.
 */
export class StaticAddressWorkflow {
  constructor(private readonly deps: StaticAddressDeps) {}

  /** The safe apply; when the node moved, the checks against its new address (reachability included). */
  async apply(req: ApplyRequest, onProgress: (p: ApplyProgress) => void, signal?: AbortSignal, onChecking?: (message: string) => void): Promise<StaticAddressResult> {
    const result = await this.deps.network.apply(req, onProgress, signal);
    const nodeId = req.target.kind === 'node' ? req.target.nodeId : undefined;
    if (nodeId) await this.record(nodeId, req, result);
    if (result.outcome !== 'applied' || result.newHost === result.previousHost) return result;
    try {
      const checks = await this.deps.network.crossCheck({
        address: result.newHost,
        previousAddress: result.previousHost,
        nodeId,
        checkReachability: true,
        timeoutMs: 3_000,
        signal,
        progress: onChecking,
      });
      return { ...result, checks };
    } catch (err) {
      if (signal?.aborted) throw err;
      // The address change itself succeeded and stays; the person still needs to hear why the checks did not run.
      return { ...result, checksError: toErrorInfo(err).message };
    }
  }

  private async record(nodeId: string, req: ApplyRequest, result: ApplyResult): Promise<void> {
    let entry: ActivityInput | undefined;
    if (result.outcome === 'rolled-back') {
      // A change that did not stay belongs in the node's history as much as one that did.
      entry = { area: 'network', kind: 'rolledBack', message: `Static address ${req.settings.address} on ${req.settings.interface} was rolled back: ${result.message}`, ok: false };
    } else if (result.profileUpdated) {
      entry = { area: 'network', kind: 'addressChanged', message: `Static address applied with netplan: the node moved from ${result.previousHost} to ${result.host}, and its profile now connects there.`, ok: true };
    }
    if (entry) await this.deps.activity.recordActivity(nodeId, entry).catch(() => undefined);
  }

  /**
   * Renews a server certificate with the address in its SANs and the old addresses dropped: pki.renew keeps
   * the subject and key type of the certificate itself, and the lifetime (clamped to the issuer's). The old
   * certificate stays in the vault until the person removes it.
   */
  async reissue(certificateId: string, addAddress: string, removeAddresses: readonly string[], signal?: AbortSignal) {
    const pki = this.deps.pki;
    if (parseIpv4(addAddress) === null) throw new FieldbenchError('network.badAddress', `"${addAddress}" is not an IPv4 address. Give the node's new address, for example 192.168.2.196.`);
    const all = pki.summaries();
    const c = all.find((x) => x.id === certificateId) ?? missing(certificateId);
    if (c.isCa) throw new FieldbenchError('network.notServerCertificate', `"${c.commonName}" is a CA certificate. Choose the broker's server certificate.`);
    const issuer = c.issuerId ? all.find((x) => x.id === c.issuerId) : undefined;
    if (!issuer || !issuer.hasPrivateKey || c.issuerId === c.id) {
      throw new FieldbenchError('network.issuerMissing', `The CA that issued "${c.commonName}" (with its key) is not in the vault, so Fieldbench cannot re-issue it. Import that CA with its key, or re-issue the certificate where it was made.`);
    }
    const keep = c.sans.filter((s) => !(s.type === 'ip' && removeAddresses.includes(s.value))).map((s) => s.value);
    const sans = keep.includes(addAddress) ? keep : [...keep, addAddress];
    const issued = await pki.renew(c.id, { sans, clampToIssuer: true }, signal ? { signal } : {});
    return {
      certificateId: issued.certificate.id,
      replaces: c.id,
      commonName: issued.certificate.commonName,
      sans: issued.certificate.sans.map(sanText),
      notAfter: issued.certificate.notAfter,
      warnings: issued.warnings.map((w) => w.message),
    };
  }
}
