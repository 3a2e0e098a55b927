import { randomUUID } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { VaultStore } from '../vault';

export const NODES_SECTION = 'nodes';
/** Activity entries kept per node; older ones roll off. */
export const ACTIVITY_LIMIT = 500;

/** `none`: a node that is only a kubeconfig, with no SSH login at all. */
export type StoredAuth = { method: 'key'; keyId: string } | { method: 'password'; password: string } | { method: 'agent' } | { method: 'none' };

export type StoredKube =
  | { mode: 'ssh'; kubeconfigPath: string }
  | { mode: 'arc'; clusterName: string; resourceGroup: string; token?: string }
  | { mode: 'kubeconfig'; path: string; context?: string };

export interface StoredHostKey {
  type: string;
  fingerprint: string;
  trustedAt: string;
}

export interface StoredNode {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  auth: StoredAuth;
  sudoPassword?: string;
  jumpHostId?: string;
  hostKey?: StoredHostKey;
  /** The person allowed the legacy SSH algorithms for this node. */
  legacyAlgorithms?: true;
  kube: StoredKube;
  created: string;
  modified: string;
}

export interface StoredKey {
  id: string;
  type: string;
  publicKey: string;
  fingerprint: string;
  comment: string;
  privateKey: string;
  passphrase?: string;
  created: string;
}

export interface StoredActivity {
  at: string;
  nodeId: string;
  nodeName: string;
  area: string;
  kind: string;
  message: string;
  ok: boolean;
}

/** The vault section 'nodes': profiles, the SSH keys they log in with, and each node's activity log. */
export interface NodesSection {
  version: 1;
  nodes: Record<string, StoredNode>;
  keys: Record<string, StoredKey>;
  activity: Record<string, StoredActivity[]>;
}

const EMPTY: NodesSection = { version: 1, nodes: {}, keys: {}, activity: {} };

/**
 * Node profiles, keys and activity over the vault's 'nodes' section. Everything secret lives here and
 * nowhere else; callers turn what they read into summaries before it leaves main.
 */
export class NodeStore {
  constructor(private readonly vault: VaultStore) {}

  private read(): Readonly<NodesSection> {
    const s = this.vault.getSection<NodesSection>(NODES_SECTION, EMPTY);
    return s.version === 1 ? s : EMPTY;
  }

  update<R>(mutate: (draft: NodesSection) => R): Promise<R> {
    return this.vault.updateSection<NodesSection, R>(NODES_SECTION, EMPTY, (draft) => {
      draft.nodes ??= {};
      draft.keys ??= {};
      draft.activity ??= {};
      return mutate(draft);
    });
  }

  list(): readonly StoredNode[] {
    return Object.values(this.read().nodes).sort((a, b) => a.name.localeCompare(b.name));
  }

  find(id: string): StoredNode | undefined {
    return this.read().nodes[id];
  }

  /** The node with this id, or a sentence saying it is gone. */
  get(id: string): StoredNode {
    const node = this.find(id);
    if (!node) throw new FieldbenchError('edge.nodeNotFound', 'There is no such edge node (it may have been removed). Reload the list of nodes.');
    return node;
  }

  findByName(name: string): StoredNode | undefined {
    const lower = name.toLowerCase();
    return this.list().find((n) => n.name.toLowerCase() === lower);
  }

  keys(): readonly StoredKey[] {
    return Object.values(this.read().keys).sort((a, b) => a.created.localeCompare(b.created));
  }

  key(id: string): StoredKey {
    const key = this.read().keys[id];
    if (!key) throw new FieldbenchError('edge.keyNotFound', 'That SSH key is no longer in the vault. Generate or import a key for this node again.');
    return key;
  }

  activity(nodeId: string): readonly StoredActivity[] {
    return this.read().activity[nodeId] ?? [];
  }

  static newId(): string {
    return randomUUID();
  }
}
