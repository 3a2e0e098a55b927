import { FieldbenchError } from '@shared/errors';
import type { ActivityLog } from './activity-log';
import type { NodeStore, StoredNode } from './node-store';
import type { PresentedHostKey, SshEndpoint } from './ssh-connection';

export type UntrustedHostKey = PresentedHostKey & { verdict: 'unknown' | 'changed' };

/**
 * First-use trust of node host keys. Remembers what a node presented on a refused connection, so the
 * person's choice can be checked against it, and learns a key's type when only its fingerprint was typed.
 */
export class HostKeyTrust {
  private readonly presented = new Map<string, UntrustedHostKey>();

  constructor(
    private readonly store: NodeStore,
    private readonly activity: ActivityLog,
    private readonly now: () => Date,
  ) {}

  /** Sees every key a node presents (the SSH pool's onHostKey). */
  seen(endpoint: SshEndpoint, key: PresentedHostKey, verdict: 'trusted' | 'unknown' | 'changed'): void {
    if (verdict !== 'trusted') {
      this.presented.set(endpoint.id, { ...key, verdict });
      return;
    }
    this.presented.delete(endpoint.id);
    // A key trusted from a typed fingerprint has no type yet; learn it so that type is asked for first.
    if (endpoint.hostKey?.type === 'unknown') void this.learnType(endpoint.id, key).catch(() => undefined);
  }

  private async learnType(nodeId: string, key: PresentedHostKey): Promise<void> {
    await this.store.update((d) => {
      const n = d.nodes[nodeId];
      if (n?.hostKey && n.hostKey.type === 'unknown' && n.hostKey.fingerprint === key.fingerprint) n.hostKey.type = key.type;
    });
  }

  /** What the node presented on the last refused connection (unknown or changed key), if any. */
  presentedHostKey(nodeId: string): UntrustedHostKey | undefined {
    return this.presented.get(nodeId);
  }

  /** Forgets what a node presented (its address changed, or it was removed). */
  forget(nodeId: string): void {
    this.presented.delete(nodeId);
  }

  /**
   * Trusts a host key after the person compared fingerprints. If the node presented a key in this session,
   * only that fingerprint is accepted, so a typo cannot trust something else. Returns whether anything changed.
   */
  async trust(nodeId: string, fingerprint: string): Promise<boolean> {
    const node: StoredNode = this.store.get(nodeId);
    const seen = this.presented.get(nodeId);
    if (seen && seen.fingerprint !== fingerprint) {
      throw new FieldbenchError('edge.fingerprintMismatch', `${node.name} presented ${seen.type} ${seen.fingerprint}, not ${fingerprint}. Nothing was trusted; compare the fingerprints again.`);
    }
    const previous = node.hostKey;
    if (previous?.fingerprint === fingerprint) return false;
    const hostKey = { type: seen?.type ?? 'unknown', fingerprint, trustedAt: this.now().toISOString() };
    await this.store.update((d) => {
      const n = d.nodes[nodeId];
      if (n) n.hostKey = hostKey;
    });
    this.presented.delete(nodeId);
    await this.activity.record(nodeId, {
      area: 'edge',
      kind: 'hostKeyTrusted',
      message: previous ? `Trusted a new host key ${fingerprint}, replacing ${previous.fingerprint}.` : `Trusted the host key ${hostKey.type === 'unknown' ? '' : `${hostKey.type} `}${fingerprint}.`,
      ok: true,
    });
    return true;
  }
}
