import { readFile } from 'node:fs/promises';
import type { ArcProxyOptions } from './arc-proxy';
import { ActivityLog, type ActivityEntry, type ActivityInput } from './activity-log';
import { HostKeyTrust, type UntrustedHostKey } from './host-key-trust';
import type { KubeAccess, KubeAccessProvider } from './kube-access';
import { LocalForward } from './local-forward';
import { FieldbenchError } from '@shared/errors';
import { NodeKube } from './node-kube';
import { apiServerAddress, loadKubeconfig } from './node-kubeconfig';
import { NodeProfiles, type KeySummary, type NodeSummary, type SaveNodeInput } from './node-profiles';
import { NodeStore } from './node-store';
import { runNodeTest, type NodeTestResult } from './node-test';
import { openSsh, type ExecOptions, type ExecResult, type SshConnection, type SshOptions, type SudoOptions } from './ssh-connection';
import { SshPool } from './ssh-pool';
import type { VaultStore } from '../vault';
import { resolveByName, type NameKind } from '../app';

export type { ActivityEntry } from './activity-log';
export type { AuthInput, KeySummary, KubeInput, NodeSummary, SaveNodeInput } from './node-profiles';

export interface EdgeServiceOptions {
  vault: VaultStore;
  /** For SSH_AUTH_SOCK (agent logins) and PATH (finding az). Default process.env. */
  env?: NodeJS.ProcessEnv;
  ssh?: SshOptions & { idleMs?: number };
  arc?: ArcProxyOptions;
  /** How long a Kubernetes call in the node test may take. */
  kubeTimeoutMs?: number;
  onActivity?: (entry: ActivityEntry) => void;
  onNodesChanged?: (nodeIds: string[]) => void;
  now?: () => Date;
}

/**
 * The edge area's interface: node profiles (node-profiles.ts), first-use trust of their host keys
 * (host-key-trust.ts), SSH through a per-node pool (ssh-pool.ts), the node's Kubernetes API
 * (node-kube.ts) and each node's activity log (activity-log.ts). This class keeps them consistent with
 * each other: an edit closes the node's connection, a trust re-opens it, a move keeps the key. Other
 * areas borrow the API through {@link KubeAccessProvider} and the shell through exec/sudo/readFile.
 */
export class EdgeService implements KubeAccessProvider {
  private readonly profiles: NodeProfiles;
  private readonly hostKeys: HostKeyTrust;
  private readonly log: ActivityLog;
  private readonly kube: NodeKube;
  private readonly pool: SshPool;
  private readonly env: NodeJS.ProcessEnv;
  private readonly offVault: () => void;

  constructor(private readonly options: EdgeServiceOptions) {
    const store = new NodeStore(options.vault);
    const now = options.now ?? (() => new Date());
    this.env = options.env ?? process.env;
    this.profiles = new NodeProfiles(store, now);
    this.log = new ActivityLog(store, now, options.onActivity);
    this.hostKeys = new HostKeyTrust(store, this.log, now);
    const agentSocket = this.env.SSH_AUTH_SOCK;
    this.pool = new SshPool((id) => this.profiles.endpoint(id), {
      ...options.ssh,
      ...(agentSocket ? { agentSocket } : {}),
      onHostKey: (endpoint, key, verdict) => this.hostKeys.seen(endpoint, key, verdict),
    });
    this.kube = new NodeKube(this.profiles, { pool: this.pool, withSsh: (id, fn, signal) => this.withSsh(id, fn, signal) }, { arc: options.arc, env: this.env });
    // A locked vault means the person stepped away: idle connections go, and new work needs the vault again.
    this.offVault = options.vault.onChange((e) => {
      if (e.kind === 'locked') this.pool.closeIdle();
    });
  }

  // ---- profiles -------------------------------------------------------------------------------------

  /** Every node, without secrets. */
  listNodes(): NodeSummary[] {
    return this.profiles.list();
  }

  getNode(id: string): NodeSummary {
    return this.profiles.get(id);
  }

  /** The node a person means by `ref`: its id or its name (see resolveByName). */
  resolveNode(ref: string): NodeSummary {
    return resolveByName(this.profiles.list(), ref, NODE_NAMES);
  }

  /** The node called `name` (case-insensitive), for the CLI. */
  findNodeByName(name: string): NodeSummary | undefined {
    return this.profiles.findByName(name);
  }

  /**
   * Adds (no id) or edits a node. Omitted secrets keep the stored ones; null removes them. A new address
   * or port forgets the trusted host key, since it may be another machine.
   */
  async saveNode(input: Omit<SaveNodeInput, 'host'> & { host?: string | undefined }): Promise<NodeSummary> {
    // A node that is only a kubeconfig is where its API server is, unless the person named its address.
    const host = input.host ?? (input.kube.mode === 'kubeconfig' ? await kubeconfigHost(input.kube.path, input.kube.context) : undefined);
    if (host === undefined) throw new FieldbenchError('edge.hostNeeded', 'Enter the node address or host name.');
    const saved = await this.profiles.save({ ...input, host });
    const id = saved.node.id;
    this.pool.close(id);
    if (saved.edited) await this.kube.stopArc(id);
    if (!saved.sameAddress) this.hostKeys.forget(id);
    await this.log.record(id, { area: 'edge', kind: saved.edited ? 'edited' : 'added', message: saved.message, ok: true });
    this.options.onNodesChanged?.([id]);
    return this.profiles.get(id);
  }

  /**
   * Points the profile at the node's new address (a static address applied on it), keeping its trusted
   * host key: the caller proved it is the same machine by reconnecting there with that key.
   */
  async moveNode(id: string, host: string): Promise<NodeSummary> {
    await this.profiles.move(id, host);
    this.pool.close(id);
    this.options.onNodesChanged?.([id]);
    return this.profiles.get(id);
  }

  /** Removes a node with its host key and activity log; refuses while another node jumps through it. */
  async removeNode(id: string): Promise<boolean> {
    const node = await this.profiles.remove(id);
    if (!node) return false;
    this.pool.close(id);
    await this.kube.stopArc(id);
    this.hostKeys.forget(id);
    this.log.announceRemoval(id, node.name);
    this.options.onNodesChanged?.([id]);
    return true;
  }

  // ---- keys -----------------------------------------------------------------------------------------

  listKeys(): KeySummary[] {
    return this.profiles.listKeys();
  }

  /** Generates an Ed25519 key in the vault; the summary carries the authorized_keys line. */
  generateKey(comment?: string): Promise<KeySummary> {
    return this.profiles.generateKey(comment);
  }

  /** Imports a private key into the vault (the passphrase is kept with it, both encrypted by the vault). */
  importKey(privateKey: string, passphrase?: string, comment?: string): Promise<KeySummary> {
    return this.profiles.importKey(privateKey, passphrase, comment);
  }

  removeKey(id: string): Promise<boolean> {
    return this.profiles.removeKey(id);
  }

  // ---- host keys ------------------------------------------------------------------------------------

  /** What the node presented on the last refused connection (unknown or changed key), if any. */
  presentedHostKey(nodeId: string): UntrustedHostKey | undefined {
    return this.hostKeys.presentedHostKey(nodeId);
  }

  /**
   * Trusts a host key after the person compared fingerprints. If the node presented a key in this session,
   * only that fingerprint is accepted, so a typo cannot trust something else.
   */
  async trustHostKey(nodeId: string, fingerprint: string): Promise<NodeSummary> {
    if (await this.hostKeys.trust(nodeId, fingerprint)) {
      this.pool.close(nodeId);
      this.options.onNodesChanged?.([nodeId]);
    }
    return this.profiles.get(nodeId);
  }

  // ---- SSH ------------------------------------------------------------------------------------------

  /** Runs `fn` with the node's pooled SSH connection (connecting or reconnecting as needed). */
  async withSsh<T>(nodeId: string, fn: (c: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // Checked on every call, not only on connect: a pooled connection must not outlive a lock or a removal.
    this.profiles.stored(nodeId);
    return this.pool.run(nodeId, fn, signal);
  }

  exec(nodeId: string, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.withSsh(nodeId, (c) => c.exec(command, opts), opts.signal);
  }

  sudo(nodeId: string, command: string, opts: SudoOptions = {}): Promise<ExecResult> {
    return this.withSsh(nodeId, (c) => c.sudo(command, opts), opts.signal);
  }

  readFile(nodeId: string, path: string, signal?: AbortSignal): Promise<Buffer> {
    return this.withSsh(nodeId, (c) => c.readFile(path), signal);
  }

  writeFile(nodeId: string, path: string, data: string | Buffer, mode?: number, signal?: AbortSignal): Promise<void> {
    return this.withSsh(nodeId, (c) => c.writeFile(path, data, mode), signal);
  }

  sudoReadFile(nodeId: string, path: string, opts: SudoOptions = {}): Promise<Buffer> {
    return this.withSsh(nodeId, (c) => c.sudoReadFile(path, opts), opts.signal);
  }

  sudoWriteFile(nodeId: string, path: string, data: string | Buffer, mode?: number, opts: SudoOptions = {}): Promise<void> {
    return this.withSsh(nodeId, (c) => c.sudoWriteFile(path, data, mode, opts), opts.signal);
  }

  /** A local port on 127.0.0.1 tunnelled to host:port as seen from the node; it survives reconnects. */
  forward(nodeId: string, host: string, port: number): Promise<LocalForward> {
    this.profiles.stored(nodeId);
    return LocalForward.open(this.pool, nodeId, host, port);
  }

  /**
   * A connection of the caller's own, outside the pool, optionally to another address than the profile's
   * (the network area reconnects to a node's new address before the profile changes). The trusted host
   * key is still required, so a different machine answering there is refused. The caller closes it.
   */
  openConnection(nodeId: string, opts: { host?: string; ssh?: SshOptions; signal?: AbortSignal } = {}): Promise<SshConnection> {
    const endpoint = this.profiles.endpoint(nodeId);
    const agentSocket = this.env.SSH_AUTH_SOCK;
    return openSsh(opts.host ? { ...endpoint, host: opts.host } : endpoint, { ...this.options.ssh, ...(agentSocket ? { agentSocket } : {}), ...opts.ssh }, opts.signal);
  }

  isConnected(nodeId: string): boolean {
    return this.pool.isConnected(nodeId);
  }

  /** Closes the node's SSH connection (the next operation reconnects). */
  disconnect(nodeId: string): void {
    this.pool.close(nodeId);
  }

  // ---- Kubernetes -----------------------------------------------------------------------------------

  /** The node's Kubernetes API, reached the way its profile says. Release it when done. */
  openKube(nodeId: string, options: { signal?: AbortSignal; sudoPassword?: string } = {}): Promise<KubeAccess> {
    return this.kube.openKube(nodeId, options);
  }

  // ---- test and activity ----------------------------------------------------------------------------

  /** Connects step by step (reach, host key, login, sudo, Kubernetes, AIO); see node-test.ts. */
  async testNode(id: string, opts: { sudoPassword?: string; signal?: AbortSignal; progress?: (message: string, fraction?: number) => void } = {}): Promise<NodeTestResult> {
    const node = this.profiles.stored(id);
    const result = await runNodeTest(this, node, { ...opts, kubeTimeoutMs: this.options.kubeTimeoutMs ?? 20_000 });
    const failed = result.steps.find((s) => s.status === 'failed');
    await this.log
      .record(id, {
        area: 'edge',
        kind: 'tested',
        message: failed ? `Connection test failed at "${failed.label}": ${failed.message}` : `Connection test passed${result.kubernetesVersion ? ` (Kubernetes ${result.kubernetesVersion})` : ''}.`,
        ok: !failed,
      })
      .catch(() => undefined);
    return result;
  }

  /** Appends to the node's activity log in the vault and tells listeners. Other areas log their changes here. */
  recordActivity(nodeId: string, entry: ActivityInput): Promise<ActivityEntry> {
    return this.log.record(nodeId, entry);
  }

  /** The node's activity, newest last. */
  activity(nodeId: string, limit = 200): ActivityEntry[] {
    return this.log.list(nodeId, limit);
  }

  /** Closes every connection, tunnel and Arc proxy. */
  async dispose(): Promise<void> {
    await this.kube.dispose();
    this.offVault();
    this.pool.dispose();
  }
}

const NODE_NAMES: NameKind<NodeSummary> = {
  singular: 'node',
  plural: 'nodes',
  listHint: '`fieldbench node list`',
  name: (n) => n.name,
  detail: (n) => `${n.user}@${n.host}:${n.port}`,
};

/** The API server's host of a kubeconfig file: a kubeconfig-only node's address. */
async function kubeconfigHost(path: string, context: string | undefined): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FieldbenchError('edge.kubeconfigUnreadable', `Cannot read the kubeconfig ${path}. Check the path and that you may read it, or give the node's address.`, { cause: err });
  }
  return apiServerAddress(await loadKubeconfig(text, path, context), path).host;
}
