import { readFile } from 'node:fs/promises';
import { FieldbenchError } from '@shared/errors';
import type { NodeTarget } from '@shared/contract/network-contract';
import type { NodeShell } from './node-shell';
import { Ssh2NodeShell } from './ssh2-node-shell';

/** A connected shell plus what the network service needs to know about the target behind it. */
export interface OpenedShell {
  shell: NodeShell;
  sshPort: number;
  /** Points the node profile at its new address; false when there is no profile (direct logins). */
  updateHost(host: string): Promise<boolean>;
}

/** Node profiles live in the edge area; it provides this so the network area can open their shells. */
export interface NodeProfiles {
  open(nodeId: string, signal?: AbortSignal): Promise<OpenedShell>;
}

/** Opens shells for both kinds of target: node profiles through the edge area, direct logins with ssh2. */
export class ShellSource {
  constructor(private readonly profiles?: NodeProfiles) {}

  async open(target: NodeTarget, signal?: AbortSignal): Promise<OpenedShell> {
    if (target.kind === 'node') {
      if (!this.profiles) {
        throw new FieldbenchError('network.profilesUnavailable', 'Node profiles are not available in this build yet. Give the node address, user and key file instead.');
      }
      return this.profiles.open(target.nodeId, signal);
    }
    let auth: { method: 'key'; privateKey: string; passphrase?: string } | { method: 'password'; password: string };
    if (target.auth.method === 'keyFile') {
      let privateKey: string;
      try {
        privateKey = await readFile(target.auth.path, 'utf8');
      } catch (err) {
        throw new FieldbenchError('network.keyFileUnreadable', `The key file ${target.auth.path} cannot be read. Check the path and its permissions.`, { cause: err });
      }
      auth = { method: 'key', privateKey, ...(target.auth.passphrase ? { passphrase: target.auth.passphrase } : {}) };
    } else {
      auth = { method: 'password', password: target.auth.password };
    }
    const shell = await Ssh2NodeShell.open(
      {
        host: target.host,
        port: target.port,
        user: target.user,
        auth,
        ...(target.sudoPassword ? { sudoPassword: target.sudoPassword } : {}),
        ...(target.hostKeyFingerprint ? { hostKeyFingerprint: target.hostKeyFingerprint } : {}),
      },
      signal ? { signal } : {},
    );
    return { shell, sshPort: target.port, updateHost: async () => false };
  }
}
