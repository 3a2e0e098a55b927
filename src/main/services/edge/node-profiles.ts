import { FieldbenchError } from '@shared/errors';
import { edgeErrors, type Target } from './edge-errors';
import { NodeStore, type StoredAuth, type StoredKey, type StoredKube, type StoredNode } from './node-store';
import type { SshEndpoint } from './ssh-connection';
import { generateSshKey, importSshKey, type SshPrivateKey } from './ssh-keys';

export type AuthInput = { method: 'key'; keyId: string } | { method: 'password'; password?: string | undefined } | { method: 'agent' };
export type KubeInput =
  | { mode: 'ssh'; kubeconfigPath: string }
  | { mode: 'arc'; clusterName: string; resourceGroup: string; token?: string | null | undefined }
  | { mode: 'kubeconfig'; path: string; context?: string | undefined };

export interface SaveNodeInput {
  id?: string | undefined;
  name: string;
  host: string;
  port: number;
  /** Absent with `auth` for a node reached only through its kubeconfig. */
  user?: string | undefined;
  auth?: AuthInput | undefined;
  sudoPassword?: string | null | undefined;
  jumpHostId?: string | null | undefined;
  /** Allow the legacy SSH algorithms for this node; omitted on edit keeps the stored choice. */
  legacyAlgorithms?: boolean | undefined;
  kube: KubeInput;
}

export interface NodeSummary {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  auth: { method: 'key'; keyId: string; type: string; fingerprint: string; publicKey: string } | { method: 'password' } | { method: 'agent' } | { method: 'none' };
  hasSudoPassword: boolean;
  jumpHost?: { id: string; name: string };
  hostKey?: { type: string; fingerprint: string; trustedAt: string };
  legacyAlgorithms: boolean;
  kube: { mode: 'ssh'; kubeconfigPath: string } | { mode: 'arc'; clusterName: string; resourceGroup: string; hasToken: boolean } | { mode: 'kubeconfig'; path: string; context?: string };
  created: string;
  modified: string;
}

export interface KeySummary {
  id: string;
  type: string;
  publicKey: string;
  fingerprint: string;
  comment: string;
  hasPassphrase: boolean;
  created: string;
  usedBy: string[];
}

/** The profile's address and login user, the part every shape of a node (summary, SSH endpoint) starts from. */
function targetOf(n: StoredNode): Target & { id: string } {
  return { id: n.id, name: n.name, host: n.host, port: n.port, user: n.user };
}

/**
 * Node profiles and the SSH keys they log in with, over the vault's 'nodes' section. Everything secret
 * stays here: callers get summaries, and the SSH endpoint (with its secrets) only goes to the SSH client.
 */
export class NodeProfiles {
  constructor(
    private readonly store: NodeStore,
    private readonly now: () => Date,
  ) {}

  /** Every node, without secrets. */
  list(): NodeSummary[] {
    return this.store.list().map((n) => this.summary(n));
  }

  get(id: string): NodeSummary {
    return this.summary(this.store.get(id));
  }

  /** The stored profile, for the edge area's own use (it holds secrets). */
  stored(id: string): StoredNode {
    return this.store.get(id);
  }

  find(id: string): StoredNode | undefined {
    return this.store.find(id);
  }

  findByName(name: string): NodeSummary | undefined {
    const n = this.store.findByName(name);
    return n ? this.summary(n) : undefined;
  }

  private summary(n: StoredNode): NodeSummary {
    let auth: NodeSummary['auth'];
    if (n.auth.method === 'key') {
      let key: StoredKey | undefined;
      try {
        key = this.store.key(n.auth.keyId);
      } catch {
        key = undefined;
      }
      auth = { method: 'key', keyId: n.auth.keyId, type: key?.type ?? 'missing', fingerprint: key?.fingerprint ?? '', publicKey: key?.publicKey ?? '' };
    } else auth = { method: n.auth.method };
    const jump = n.jumpHostId ? this.store.find(n.jumpHostId) : undefined;
    const kube: NodeSummary['kube'] =
      n.kube.mode === 'arc'
        ? { mode: 'arc', clusterName: n.kube.clusterName, resourceGroup: n.kube.resourceGroup, hasToken: !!n.kube.token }
        : n.kube.mode === 'kubeconfig'
          ? { mode: 'kubeconfig', path: n.kube.path, ...(n.kube.context ? { context: n.kube.context } : {}) }
          : { mode: 'ssh', kubeconfigPath: n.kube.kubeconfigPath };
    return {
      ...targetOf(n),
      auth,
      hasSudoPassword: n.sudoPassword !== undefined,
      ...(jump ? { jumpHost: { id: jump.id, name: jump.name } } : {}),
      ...(n.hostKey ? { hostKey: { ...n.hostKey } } : {}),
      legacyAlgorithms: n.legacyAlgorithms === true,
      kube,
      created: n.created,
      modified: n.modified,
    };
  }

  /**
   * Adds (no id) or edits a node. Omitted secrets keep the stored ones; null removes them. A new address
   * or port forgets the trusted host key, since it may be another machine.
   */
  async save(input: SaveNodeInput): Promise<{ node: NodeSummary; edited: boolean; sameAddress: boolean; message: string }> {
    const at = this.now().toISOString();
    const existing = input.id ? this.store.get(input.id) : undefined;
    const clash = this.store.findByName(input.name);
    if (clash && clash.id !== existing?.id) {
      throw new FieldbenchError('edge.nameTaken', `There is already a node called ${clash.name}. Choose another name.`);
    }
    const auth: StoredAuth = input.auth === undefined ? { method: 'none' } : this.authFrom(input.auth, existing);
    const kube = kubeFrom(input.kube, existing);
    const jumpHostId = input.jumpHostId === undefined ? existing?.jumpHostId : (input.jumpHostId ?? undefined);
    const id = existing?.id ?? NodeStore.newId();
    if (jumpHostId !== undefined) this.checkJump(id, input.name, jumpHostId);
    const sudoPassword = input.sudoPassword === undefined ? existing?.sudoPassword : (input.sudoPassword ?? undefined);
    const sameAddress = existing !== undefined && existing.host === input.host && existing.port === input.port;
    const legacy = input.legacyAlgorithms ?? existing?.legacyAlgorithms === true;
    const node: StoredNode = {
      id,
      name: input.name,
      host: input.host,
      port: input.port,
      user: input.user ?? '',
      auth,
      ...(sudoPassword !== undefined ? { sudoPassword } : {}),
      ...(jumpHostId !== undefined ? { jumpHostId } : {}),
      ...(sameAddress && existing.hostKey ? { hostKey: existing.hostKey } : {}),
      ...(legacy ? { legacyAlgorithms: true as const } : {}),
      kube,
      created: existing?.created ?? at,
      modified: at,
    };
    const message = existing
      ? describeEdit(existing, node, input)
      : node.auth.method === 'none'
        ? `Added ${node.name} (${node.host}, Kubernetes through a kubeconfig file, no SSH login).`
        : `Added ${node.name} (${node.user}@${node.host}:${node.port}, ${node.auth.method} login, Kubernetes through ${node.kube.mode}).`;
    await this.store.update((d) => {
      d.nodes[id] = node;
    });
    return { node: this.get(id), edited: existing !== undefined, sameAddress, message };
  }

  /**
   * Points the profile at the node's new address and keeps its trusted host key. Not save(): a new address
   * there forgets the key, but here the same machine was just proven by presenting that key on the new address.
   */
  async move(id: string, host: string): Promise<void> {
    this.store.get(id);
    await this.store.update((d) => {
      const n = d.nodes[id];
      if (n) {
        n.host = host;
        n.modified = this.now().toISOString();
      }
    });
  }

  private authFrom(input: AuthInput, existing: StoredNode | undefined): StoredAuth {
    if (input.method === 'key') {
      this.store.key(input.keyId);
      return { method: 'key', keyId: input.keyId };
    }
    if (input.method === 'password') {
      const password = input.password ?? (existing?.auth.method === 'password' ? existing.auth.password : undefined);
      if (password === undefined) throw new FieldbenchError('edge.passwordNeeded', 'Enter the SSH password for this node, or choose key or agent login.');
      return { method: 'password', password };
    }
    return { method: 'agent' };
  }

  private checkJump(id: string, name: string, jumpHostId: string): void {
    const seen = new Set([id]);
    let next: string | undefined = jumpHostId;
    while (next !== undefined) {
      if (seen.has(next)) throw edgeErrors.jumpLoop(name);
      seen.add(next);
      const hop = this.store.find(next);
      if (!hop) throw new FieldbenchError('edge.nodeNotFound', 'The chosen jump host is not in the list of nodes any more. Choose another one.');
      next = hop.jumpHostId;
    }
  }

  /** Removes a node with its host key and activity log; refuses while another node jumps through it. */
  async remove(id: string): Promise<StoredNode | undefined> {
    const node = this.store.find(id);
    if (!node) return undefined;
    const dependents = this.store.list().filter((n) => n.jumpHostId === id);
    if (dependents.length > 0) {
      throw new FieldbenchError('edge.nodeInUse', `${node.name} is the jump host of ${dependents.map((d) => d.name).join(', ')}. Change their jump host first.`);
    }
    await this.store.update((d) => {
      delete d.nodes[id];
      delete d.activity[id];
    });
    return node;
  }

  /** The connection settings of a node, with its secrets from the vault and its jump hosts resolved. */
  endpoint(id: string, chain: string[] = []): SshEndpoint {
    const n = this.store.get(id);
    if (n.auth.method === 'none') throw edgeErrors.noSsh(n.name);
    if (chain.includes(id)) throw edgeErrors.jumpLoop(n.name);
    let auth: SshEndpoint['auth'];
    if (n.auth.method === 'key') {
      const k = this.store.key(n.auth.keyId);
      auth = { method: 'key', privateKey: k.privateKey, ...(k.passphrase !== undefined ? { passphrase: k.passphrase } : {}) };
    } else if (n.auth.method === 'password') auth = { method: 'password', password: n.auth.password };
    else auth = { method: 'agent' };
    const sudoPassword = n.sudoPassword ?? (n.auth.method === 'password' ? n.auth.password : undefined);
    return {
      ...targetOf(n),
      auth,
      ...(n.hostKey ? { hostKey: { type: n.hostKey.type, fingerprint: n.hostKey.fingerprint } } : {}),
      ...(sudoPassword !== undefined ? { sudoPassword } : {}),
      ...(n.legacyAlgorithms ? { legacyAlgorithms: true } : {}),
      ...(n.jumpHostId ? { jump: this.endpoint(n.jumpHostId, [...chain, id]) } : {}),
    };
  }

  // ---- keys -----------------------------------------------------------------------------------------

  listKeys(): KeySummary[] {
    return this.store.keys().map((k) => this.keySummary(k));
  }

  private keySummary(k: StoredKey): KeySummary {
    return {
      id: k.id,
      type: k.type,
      publicKey: k.publicKey,
      fingerprint: k.fingerprint,
      comment: k.comment,
      hasPassphrase: k.passphrase !== undefined,
      created: k.created,
      usedBy: this.store
        .list()
        .filter((n) => n.auth.method === 'key' && n.auth.keyId === k.id)
        .map((n) => n.name),
    };
  }

  /** Generates an Ed25519 key in the vault; the summary carries the authorized_keys line. */
  generateKey(comment?: string): Promise<KeySummary> {
    return this.addKey(generateSshKey(comment || 'fieldbench'));
  }

  /** Imports a private key into the vault (the passphrase is kept with it, both encrypted by the vault). */
  async importKey(privateKey: string, passphrase?: string, comment?: string): Promise<KeySummary> {
    const key = importSshKey(privateKey, passphrase, comment);
    const same = this.store.keys().find((k) => k.fingerprint === key.fingerprint);
    if (same) return this.keySummary(same);
    return this.addKey(key);
  }

  private async addKey(key: SshPrivateKey): Promise<KeySummary> {
    const stored: StoredKey = {
      id: NodeStore.newId(),
      type: key.type,
      publicKey: key.publicKey,
      fingerprint: key.fingerprint,
      comment: key.comment,
      privateKey: key.privateKey,
      ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}),
      created: this.now().toISOString(),
    };
    await this.store.update((d) => {
      d.keys[stored.id] = stored;
    });
    return this.keySummary(stored);
  }

  async removeKey(id: string): Promise<boolean> {
    const key = this.store.keys().find((k) => k.id === id);
    if (!key) return false;
    const users = this.keySummary(key).usedBy;
    if (users.length > 0) throw new FieldbenchError('edge.keyInUse', `The key ${key.fingerprint} is used by ${users.join(', ')}. Give those nodes another login first.`);
    await this.store.update((d) => {
      delete d.keys[id];
    });
    return true;
  }
}

function kubeFrom(input: KubeInput, existing: StoredNode | undefined): StoredKube {
  if (input.mode === 'arc') {
    const old = existing?.kube.mode === 'arc' ? existing.kube.token : undefined;
    const token = input.token === undefined ? old : (input.token ?? undefined);
    return { mode: 'arc', clusterName: input.clusterName, resourceGroup: input.resourceGroup, ...(token ? { token } : {}) };
  }
  if (input.mode === 'kubeconfig') return { mode: 'kubeconfig', path: input.path, ...(input.context ? { context: input.context } : {}) };
  return { mode: 'ssh', kubeconfigPath: input.kubeconfigPath };
}

function describeEdit(before: StoredNode, after: StoredNode, input: SaveNodeInput): string {
  const changed: string[] = [];
  if (before.name !== after.name) changed.push(`name (was ${before.name})`);
  if (before.host !== after.host || before.port !== after.port) changed.push(`address to ${after.host}:${after.port}`);
  if (before.user !== after.user) changed.push(`user to ${after.user}`);
  if (before.auth.method !== after.auth.method || (input.auth?.method === 'password' && input.auth.password !== undefined) || (before.auth.method === 'key' && after.auth.method === 'key' && before.auth.keyId !== after.auth.keyId)) {
    changed.push(`login (${after.auth.method})`);
  }
  if (input.sudoPassword !== undefined) changed.push(input.sudoPassword === null ? 'removed the sudo password' : 'sudo password');
  if (before.jumpHostId !== after.jumpHostId) changed.push('jump host');
  if ((before.legacyAlgorithms === true) !== (after.legacyAlgorithms === true)) changed.push(after.legacyAlgorithms ? 'allowed legacy SSH algorithms' : 'refused legacy SSH algorithms');
  if (JSON.stringify({ ...before.kube, token: undefined }) !== JSON.stringify({ ...after.kube, token: undefined }) || (input.kube.mode === 'arc' && input.kube.token !== undefined)) {
    changed.push(`Kubernetes access (${after.kube.mode})`);
  }
  return changed.length > 0 ? `Edited ${after.name}: ${changed.join(', ')}.` : `Saved ${after.name} without changes.`;
}
