import type { LinkOptions, SshLink } from './node-shell';
import type { NodeProfiles, OpenedShell } from './shell-source';
import { SshNodeShell } from './ssh-node-shell';

/** What the network area needs from the edge service: its node profiles, a connection of its own, the activity log. */
export interface EdgeNodes {
  getNode(nodeId: string): { id: string; name: string; host: string; port: number; hostKey?: { fingerprint: string } | undefined };
  openConnection(nodeId: string, opts: { host?: string; ssh?: LinkOptions; signal?: AbortSignal }): Promise<SshLink>;
  /** Points the profile at the node's new address, keeping its trusted host key (it is the same machine). */
  moveNode(nodeId: string, host: string): Promise<unknown>;
  recordActivity(nodeId: string, entry: { area: string; kind: string; message: string; ok: boolean }): Promise<unknown>;
}

/** Node profiles for the network service, backed by the edge area. */
export class EdgeNodeProfiles implements NodeProfiles {
  constructor(private readonly edge: EdgeNodes) {}

  async open(nodeId: string, signal?: AbortSignal): Promise<OpenedShell> {
    const node = this.edge.getNode(nodeId);
    const shell = await SshNodeShell.open((host, ssh, s) => this.edge.openConnection(nodeId, { host, ssh, ...(s ? { signal: s } : {}) }), node.host, signal ? { signal } : {});
    return {
      shell,
      sshPort: node.port,
      updateHost: async (host) => {
        const previous = this.edge.getNode(nodeId).host;
        if (previous === host) return false;
        await this.edge.moveNode(nodeId, host);
        await this.edge
          .recordActivity(nodeId, { area: 'network', kind: 'addressChanged', message: `Static address applied with netplan: the node moved from ${previous} to ${host}, and its profile now connects there.`, ok: true })
          .catch(() => undefined);
        return true;
      },
    };
  }
}
