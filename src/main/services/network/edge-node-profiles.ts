import type { LinkOptions, SshLink } from './node-shell';
import type { NodeProfiles, OpenedShell } from './shell-source';
import { SshNodeShell } from './ssh-node-shell';

/** What the network area needs from the edge service: its node profiles and a connection of its own. */
export interface EdgeNodes {
  getNode(nodeId: string): { id: string; name: string; host: string; port: number; hostKey?: { fingerprint: string } | undefined };
  openConnection(nodeId: string, opts: { host?: string; ssh?: LinkOptions; signal?: AbortSignal }): Promise<SshLink>;
  /** Points the profile at the node's new address, keeping its trusted host key (it is the same machine). */
  moveNode(nodeId: string, host: string): Promise<unknown>;
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
        // The node's history hears of the move from the workflow that asked for it (src/main/workflows).
        await this.edge.moveNode(nodeId, host);
        return true;
      },
    };
  }
}
