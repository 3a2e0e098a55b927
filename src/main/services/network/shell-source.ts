import { readFile } from 'node:fs/promises';
import { FieldbenchError } from '@shared/errors';
import type { NodeTarget } from '@shared/contract/network-contract';
import type { ConnectDirect, DirectSshLogin, NodeShell } from './node-shell';
import { SshNodeShell } from './ssh-node-shell';

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

export interface ShellSourceOptions {
  /** Node profiles (`{kind: 'node'}` targets). */
  profiles: NodeProfiles;
  /** The edge area's SSH client for direct logins (`openDirectSsh`). */
  connectDirect: ConnectDirect;
}

/** Opens shells for both kinds of target: node profiles through the edge area, direct logins with its SSH client. */
export class ShellSource {
  constructor(private readonly options: ShellSourceOptions) {}

  async open(target: NodeTarget, signal?: AbortSignal): Promise<OpenedShell> {
    if (target.kind === 'node') return this.options.profiles.open(target.nodeId, signal);
    let auth: DirectSshLogin['auth'];
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
    const login: DirectSshLogin = {
      name: target.host,
      host: target.host,
      port: target.port,
      user: target.user,
      auth,
      ...(target.sudoPassword ? { sudoPassword: target.sudoPassword } : {}),
      ...(target.hostKeyFingerprint ? { hostKeyFingerprint: target.hostKeyFingerprint } : {}),
      ...(target.legacyAlgorithms ? { legacyAlgorithms: true } : {}),
    };
    // Every reconnect (the node's new address included) needs the fingerprint confirmed for the first one.
    const shell = await SshNodeShell.open((host, ssh, s) => this.options.connectDirect({ ...login, host, name: host }, ssh, s), target.host, signal ? { signal } : {});
    return { shell, sshPort: target.port, updateHost: async () => false };
  }
}
