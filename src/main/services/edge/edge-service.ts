import { readFile } from 'node:fs/promises';
import { FieldbenchError } from '@shared/errors';
import type { KubeConfig } from '@kubernetes/client-node';
import { ArcProxy, type ArcProxyOptions } from './arc-proxy';
import { edgeErrors } from './edge-errors';
import type { KubeAccess, KubeAccessProvider } from './kube-access';
import { LocalForward } from './local-forward';
import { apiServerAddress, loadKubeconfig, throughLocalPort } from './node-kubeconfig';
import { ACTIVITY_LIMIT, NodeStore, type StoredActivity, type StoredAuth, type StoredKey, type StoredKube, type StoredNode } from './node-store';
import { runNodeTest, type NodeTestResult } from './node-test';
import { openSsh, type ExecOptions, type ExecResult, type PresentedHostKey, type SshConnection, type SshEndpoint, type SshOptions, type SudoOptions } from './ssh-connection';
import { generateSshKey, importSshKey, type SshPrivateKey } from './ssh-keys';
import { SshPool } from './ssh-pool';
import type { VaultStore } from '../vault';

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
  user: string;
  auth: AuthInput;
  sudoPassword?: string | null | undefined;
  jumpHostId?: string | null | undefined;
  kube: KubeInput;
}

export interface NodeSummary {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  auth: { method: 'key'; keyId: string; type: string; fingerprint: string; publicKey: string } | { method: 'password' } | { method: 'agent' };
  hasSudoPassword: boolean;
  jumpHost?: { id: string; name: string };
  hostKey?: { type: string; fingerprint: string; trustedAt: string };
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

export type ActivityEntry = StoredActivity;

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

interface ArcEntry {
  nodeId: string;
  proxy: ArcProxy;
  kubeConfig: KubeConfig;
  refs: number;
}

/**
 * Edge node profiles and access to them: SSH (host key trust, sudo, SFTP, tunnels) through a per-node
 * connection pool, and the node's Kubernetes API through SSH, the Arc proxy or a kubeconfig file. Other
 * areas borrow the API through {@link KubeAccessProvider} and the shell through exec/sudo/readFile.
 */
export class EdgeService implements KubeAccessProvider {
  readonly store: NodeStore;
  private readonly pool: SshPool;
  /** Host keys nodes presented that are not trusted (yet): trustHostKey checks the person's choice against them. */
  private readonly presented = new Map<string, PresentedHostKey & { verdict: 'unknown' | 'changed' }>();
  private readonly arcs = new Map<string, ArcEntry>();
  private readonly arcStarting = new Map<string, Promise<ArcEntry>>();
  private readonly openAccesses = new Set<KubeAccess>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => Date;

  constructor(private readonly options: EdgeServiceOptions) {
    this.store = new NodeStore(options.vault);
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => new Date());
    const agentSocket = this.env.SSH_AUTH_SOCK;
    this.pool = new SshPool((id) => this.endpoint(id), {
      ...options.ssh,
      ...(agentSocket ? { agentSocket } : {}),
      onHostKey: (endpoint, key, verdict) => {
        if (verdict === 'trusted') {
          this.presented.delete(endpoint.id);
          // A key trusted from a typed fingerprint has no type yet; learn it so that type is asked for first.
          if (endpoint.hostKey?.type === 'unknown') void this.learnHostKeyType(endpoint.id, key).catch(() => undefined);
        } else this.presented.set(endpoint.id, { ...key, verdict });
      },
    });
    // A locked vault means the person stepped away: idle connections go, and new work needs the vault again.
    this.offVault = options.vault.onChange((e) => {
      if (e.kind === 'locked') this.pool.closeIdle();
    });
  }

  private readonly offVault: () => void;

  private async learnHostKeyType(nodeId: string, key: PresentedHostKey): Promise<void> {
    await this.store.update((d) => {
      const n = d.nodes[nodeId];
      if (n?.hostKey && n.hostKey.type === 'unknown' && n.hostKey.fingerprint === key.fingerprint) n.hostKey.type = key.type;
    });
  }

  // ---- profiles -------------------------------------------------------------------------------------

  /** Every node, without secrets. */
  listNodes(): NodeSummary[] {
    return this.store.list().map((n) => this.summary(n));
  }

  getNode(id: string): NodeSummary {
    return this.summary(this.store.get(id));
  }

  /** The node called `name` (case-insensitive), for the CLI. */
  findNodeByName(name: string): NodeSummary | undefined {
    const n = this.store.findByName(name);
    return n ? this.summary(n) : undefined;
  }

  private summary(n: StoredNode): NodeSummary {
    const keys = this.store;
    let auth: NodeSummary['auth'];
    if (n.auth.method === 'key') {
      let key: StoredKey | undefined;
      try {
        key = keys.key(n.auth.keyId);
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
      id: n.id,
      name: n.name,
      host: n.host,
      port: n.port,
      user: n.user,
      auth,
      hasSudoPassword: n.sudoPassword !== undefined,
      ...(jump ? { jumpHost: { id: jump.id, name: jump.name } } : {}),
      ...(n.hostKey ? { hostKey: { ...n.hostKey } } : {}),
      kube,
      created: n.created,
      modified: n.modified,
    };
  }

  /**
   * Adds (no id) or edits a node. Omitted secrets keep the stored ones; null removes them. A new address
   * or port forgets the trusted host key, since it may be another machine.
   */
  async saveNode(input: SaveNodeInput): Promise<NodeSummary> {
    const at = this.now().toISOString();
    const existing = input.id ? this.store.get(input.id) : undefined;
    const clash = this.store.findByName(input.name);
    if (clash && clash.id !== existing?.id) {
      throw new FieldbenchError('edge.nameTaken', `There is already a node called ${clash.name}. Choose another name.`);
    }
    const auth = this.authFrom(input.auth, existing);
    const kube = this.kubeFrom(input.kube, existing);
    const jumpHostId = input.jumpHostId === undefined ? existing?.jumpHostId : (input.jumpHostId ?? undefined);
    const id = existing?.id ?? NodeStore.newId();
    if (jumpHostId !== undefined) this.checkJump(id, input.name, jumpHostId);
    const sudoPassword = input.sudoPassword === undefined ? existing?.sudoPassword : (input.sudoPassword ?? undefined);
    const sameAddress = existing && existing.host === input.host && existing.port === input.port;
    const node: StoredNode = {
      id,
      name: input.name,
      host: input.host,
      port: input.port,
      user: input.user,
      auth,
      ...(sudoPassword !== undefined ? { sudoPassword } : {}),
      ...(jumpHostId !== undefined ? { jumpHostId } : {}),
      ...(sameAddress && existing.hostKey ? { hostKey: existing.hostKey } : {}),
      kube,
      created: existing?.created ?? at,
      modified: at,
    };
    const message = existing ? describeEdit(existing, node, input) : `Added ${node.name} (${node.user}@${node.host}:${node.port}, ${node.auth.method} login, Kubernetes through ${node.kube.mode}).`;
    await this.store.update((d) => {
      d.nodes[id] = node;
    });
    this.pool.close(id);
    if (existing) await this.stopArc(id);
    if (!sameAddress) this.presented.delete(id);
    await this.recordActivity(id, { area: 'edge', kind: existing ? 'edited' : 'added', message, ok: true });
    this.options.onNodesChanged?.([id]);
    return this.summary(this.store.get(id));
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

  private kubeFrom(input: KubeInput, existing: StoredNode | undefined): StoredKube {
    if (input.mode === 'arc') {
      const old = existing?.kube.mode === 'arc' ? existing.kube.token : undefined;
      const token = input.token === undefined ? old : (input.token ?? undefined);
      return { mode: 'arc', clusterName: input.clusterName, resourceGroup: input.resourceGroup, ...(token ? { token } : {}) };
    }
    if (input.mode === 'kubeconfig') return { mode: 'kubeconfig', path: input.path, ...(input.context ? { context: input.context } : {}) };
    return { mode: 'ssh', kubeconfigPath: input.kubeconfigPath };
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
  async removeNode(id: string): Promise<boolean> {
    const node = this.store.find(id);
    if (!node) return false;
    const dependents = this.store.list().filter((n) => n.jumpHostId === id);
    if (dependents.length > 0) {
      throw new FieldbenchError('edge.nodeInUse', `${node.name} is the jump host of ${dependents.map((d) => d.name).join(', ')}. Change their jump host first.`);
    }
    await this.store.update((d) => {
      delete d.nodes[id];
      delete d.activity[id];
    });
    this.pool.close(id);
    await this.stopArc(id);
    this.presented.delete(id);
    this.options.onActivity?.({ at: this.now().toISOString(), nodeId: id, nodeName: node.name, area: 'edge', kind: 'removed', message: `Removed ${node.name}.`, ok: true });
    this.options.onNodesChanged?.([id]);
    return true;
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
  async generateKey(comment?: string): Promise<KeySummary> {
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

  // ---- host keys ------------------------------------------------------------------------------------

  /** What the node presented on the last refused connection (unknown or changed key), if any. */
  presentedHostKey(nodeId: string): (PresentedHostKey & { verdict: 'unknown' | 'changed' }) | undefined {
    return this.presented.get(nodeId);
  }

  /**
   * Trusts a host key after the person compared fingerprints. If the node presented a key in this session,
   * only that fingerprint is accepted, so a typo cannot trust something else.
   */
  async trustHostKey(nodeId: string, fingerprint: string): Promise<NodeSummary> {
    const node = this.store.get(nodeId);
    const seen = this.presented.get(nodeId);
    if (seen && seen.fingerprint !== fingerprint) {
      throw new FieldbenchError('edge.fingerprintMismatch', `${node.name} presented ${seen.type} ${seen.fingerprint}, not ${fingerprint}. Nothing was trusted; compare the fingerprints again.`);
    }
    const previous = node.hostKey;
    const hostKey = { type: seen?.type ?? previous?.type ?? 'unknown', fingerprint, trustedAt: this.now().toISOString() };
    if (previous?.fingerprint === fingerprint) return this.summary(node);
    if (previous && !seen) hostKey.type = 'unknown';
    await this.store.update((d) => {
      const n = d.nodes[nodeId];
      if (n) n.hostKey = hostKey;
    });
    this.presented.delete(nodeId);
    this.pool.close(nodeId);
    await this.recordActivity(nodeId, {
      area: 'edge',
      kind: 'hostKeyTrusted',
      message: previous ? `Trusted a new host key ${fingerprint}, replacing ${previous.fingerprint}.` : `Trusted the host key ${hostKey.type === 'unknown' ? '' : `${hostKey.type} `}${fingerprint}.`,
      ok: true,
    });
    this.options.onNodesChanged?.([nodeId]);
    return this.summary(this.store.get(nodeId));
  }

  // ---- SSH ------------------------------------------------------------------------------------------

  /** The connection settings of a node, with its secrets from the vault and its jump hosts resolved. */
  private endpoint(id: string, chain: string[] = []): SshEndpoint {
    const n = this.store.get(id);
    if (chain.includes(id)) throw edgeErrors.jumpLoop(n.name);
    let auth: SshEndpoint['auth'];
    if (n.auth.method === 'key') {
      const k = this.store.key(n.auth.keyId);
      auth = { method: 'key', privateKey: k.privateKey, ...(k.passphrase !== undefined ? { passphrase: k.passphrase } : {}) };
    } else if (n.auth.method === 'password') auth = { method: 'password', password: n.auth.password };
    else auth = { method: 'agent' };
    const sudoPassword = n.sudoPassword ?? (n.auth.method === 'password' ? n.auth.password : undefined);
    return {
      id: n.id,
      name: n.name,
      host: n.host,
      port: n.port,
      user: n.user,
      auth,
      ...(n.hostKey ? { hostKey: { type: n.hostKey.type, fingerprint: n.hostKey.fingerprint } } : {}),
      ...(sudoPassword !== undefined ? { sudoPassword } : {}),
      ...(n.jumpHostId ? { jump: this.endpoint(n.jumpHostId, [...chain, id]) } : {}),
    };
  }

  /** Runs `fn` with the node's pooled SSH connection (connecting or reconnecting as needed). */
  async withSsh<T>(nodeId: string, fn: (c: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // Checked on every call, not only on connect: a pooled connection must not outlive a lock or a removal.
    this.store.get(nodeId);
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
    this.store.get(nodeId);
    return LocalForward.open(this.pool, nodeId, host, port);
  }

  /**
   * A connection of the caller's own, outside the pool, optionally to another address than the profile's
   * (the network area reconnects to a node's new address before the profile changes). The trusted host
   * key is still required, so a different machine answering there is refused. The caller closes it.
   */
  openConnection(nodeId: string, opts: { host?: string; ssh?: SshOptions; signal?: AbortSignal } = {}): Promise<SshConnection> {
    const endpoint = this.endpoint(nodeId);
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
  async openKube(nodeId: string, options: { signal?: AbortSignal; sudoPassword?: string } = {}): Promise<KubeAccess> {
    const node = this.store.get(nodeId);
    let access: KubeAccess;
    if (node.kube.mode === 'ssh') access = await this.kubeOverSsh(node, node.kube.kubeconfigPath, options);
    else if (node.kube.mode === 'arc') access = await this.kubeOverArc(node, options.signal);
    else access = await this.kubeFromFile(node.kube.path, node.kube.context);
    this.openAccesses.add(access);
    const release = access.release.bind(access);
    const tracked: KubeAccess = {
      kubeConfig: access.kubeConfig,
      via: access.via,
      description: access.description,
      release: async () => {
        this.openAccesses.delete(tracked);
        await release();
      },
    };
    this.openAccesses.delete(access);
    this.openAccesses.add(tracked);
    return tracked;
  }

  private async kubeOverSsh(node: StoredNode, path: string, options: { signal?: AbortSignal; sudoPassword?: string }): Promise<KubeAccess> {
    const yaml = await this.withSsh(node.id, (c) => c.sudoReadFile(path, { ...(options.sudoPassword ? { password: options.sudoPassword } : {}), ...(options.signal ? { signal: options.signal } : {}) }), options.signal).catch((err: unknown) => {
      if (err instanceof FieldbenchError && err.code === 'edge.commandFailed' && /No such file/i.test(err.detail ?? '')) {
        throw new FieldbenchError('edge.kubeconfigMissing', `${node.name} has no ${path}. Is k3s installed there? If the cluster keeps its kubeconfig elsewhere, set that path in the node's profile.`, { cause: err });
      }
      throw err;
    });
    const source = `${path} on ${node.name}`;
    const kc = await loadKubeconfig(yaml.toString('utf8'), source);
    const { host, port } = apiServerAddress(kc, source);
    const forward = await LocalForward.open(this.pool, node.id, host, port);
    return {
      kubeConfig: await throughLocalPort(kc, forward.port).catch(async (err: unknown) => {
        await forward.close();
        throw err;
      }),
      via: 'ssh',
      description: `through SSH to ${node.name} (${host}:${port} on the node)`,
      release: () => forward.close(),
    };
  }

  private async kubeFromFile(path: string, context?: string): Promise<KubeAccess> {
    let yaml: string;
    try {
      yaml = await readFile(path, 'utf8');
    } catch (err) {
      throw new FieldbenchError('edge.kubeconfigMissing', `Cannot read the kubeconfig file ${path}. Check that it exists and that you may read it, or choose another file in the node's profile.`, { cause: err });
    }
    const kc = await loadKubeconfig(yaml, path, context);
    return { kubeConfig: kc, via: 'kubeconfig', description: `with the kubeconfig ${path}${context ? ` (context ${context})` : ''}`, release: async () => {} };
  }

  private async kubeOverArc(node: StoredNode, signal?: AbortSignal): Promise<KubeAccess> {
    const kube = node.kube as Extract<StoredKube, { mode: 'arc' }>;
    let entry = this.arcs.get(node.id);
    if (entry && !entry.proxy.running) {
      this.arcs.delete(node.id);
      entry = undefined;
    }
    if (!entry) {
      let starting = this.arcStarting.get(node.id);
      if (!starting) {
        const other = [...this.arcs.values()].find((e) => e.nodeId !== node.id && e.proxy.running);
        if (other) {
          const otherName = this.store.find(other.nodeId)?.name ?? 'another node';
          throw new FieldbenchError('edge.arcProxyBusy', `The Arc proxy is already running for ${otherName}, and az allows only one at a time. Finish the work on ${otherName} first.`);
        }
        starting = ArcProxy.start({ clusterName: kube.clusterName, resourceGroup: kube.resourceGroup, ...(kube.token ? { token: kube.token } : {}) }, { ...this.options.arc, env: this.options.arc?.env ?? this.env }, signal).then(
          ({ proxy, kubeConfig }) => {
            const e: ArcEntry = { nodeId: node.id, proxy, kubeConfig, refs: 0 };
            this.arcs.set(node.id, e);
            proxy.onExit(() => {
              if (this.arcs.get(node.id) === e) this.arcs.delete(node.id);
            });
            return e;
          },
        );
        this.arcStarting.set(node.id, starting);
        void starting.finally(() => this.arcStarting.delete(node.id)).catch(() => undefined);
      }
      entry = await starting;
    }
    entry.refs += 1;
    const e = entry;
    let released = false;
    return {
      kubeConfig: e.kubeConfig,
      via: 'arc',
      description: `through the Arc proxy to ${kube.clusterName} (resource group ${kube.resourceGroup})`,
      release: async () => {
        if (released) return;
        released = true;
        e.refs -= 1;
        if (e.refs <= 0) {
          if (this.arcs.get(node.id) === e) this.arcs.delete(node.id);
          await e.proxy.stop();
        }
      },
    };
  }

  private async stopArc(nodeId: string): Promise<void> {
    const e = this.arcs.get(nodeId);
    if (!e) return;
    this.arcs.delete(nodeId);
    await e.proxy.stop();
  }

  // ---- test and activity ----------------------------------------------------------------------------

  /** Connects step by step (reach, host key, login, sudo, Kubernetes, AIO); see node-test.ts. */
  async testNode(id: string, opts: { sudoPassword?: string; signal?: AbortSignal; progress?: (message: string, fraction?: number) => void } = {}): Promise<NodeTestResult> {
    const node = this.store.get(id);
    const result = await runNodeTest(this, node, { ...opts, kubeTimeoutMs: this.options.kubeTimeoutMs ?? 20_000 });
    const failed = result.steps.find((s) => s.status === 'failed');
    await this.recordActivity(id, {
      area: 'edge',
      kind: 'tested',
      message: failed ? `Connection test failed at "${failed.label}": ${failed.message}` : `Connection test passed${result.kubernetesVersion ? ` (Kubernetes ${result.kubernetesVersion})` : ''}.`,
      ok: !failed,
    }).catch(() => undefined);
    return result;
  }

  /** Appends to the node's activity log in the vault and tells listeners. Other areas log their changes here. */
  async recordActivity(nodeId: string, entry: { area: string; kind: string; message: string; ok: boolean }): Promise<ActivityEntry> {
    const node = this.store.get(nodeId);
    const full: ActivityEntry = { at: this.now().toISOString(), nodeId, nodeName: node.name, ...entry };
    await this.store.update((d) => {
      const log = (d.activity[nodeId] ??= []);
      log.push(full);
      if (log.length > ACTIVITY_LIMIT) log.splice(0, log.length - ACTIVITY_LIMIT);
    });
    this.options.onActivity?.(full);
    return full;
  }

  /** The node's activity, newest last. */
  activity(nodeId: string, limit = 200): ActivityEntry[] {
    this.store.get(nodeId);
    return this.store.activity(nodeId).slice(-limit);
  }

  /** Closes every connection, tunnel and Arc proxy. */
  async dispose(): Promise<void> {
    for (const a of [...this.openAccesses]) await a.release().catch(() => undefined);
    await Promise.allSettled([...this.arcStarting.values()]);
    for (const id of [...this.arcs.keys()]) await this.stopArc(id);
    this.offVault();
    this.pool.dispose();
  }
}

function describeEdit(before: StoredNode, after: StoredNode, input: SaveNodeInput): string {
  const changed: string[] = [];
  if (before.name !== after.name) changed.push(`name (was ${before.name})`);
  if (before.host !== after.host || before.port !== after.port) changed.push(`address to ${after.host}:${after.port}`);
  if (before.user !== after.user) changed.push(`user to ${after.user}`);
  if (before.auth.method !== after.auth.method || (input.auth.method === 'password' && input.auth.password !== undefined) || (before.auth.method === 'key' && after.auth.method === 'key' && before.auth.keyId !== after.auth.keyId)) {
    changed.push(`login (${after.auth.method})`);
  }
  if (input.sudoPassword !== undefined) changed.push(input.sudoPassword === null ? 'removed the sudo password' : 'sudo password');
  if (before.jumpHostId !== after.jumpHostId) changed.push('jump host');
  if (JSON.stringify({ ...before.kube, token: undefined }) !== JSON.stringify({ ...after.kube, token: undefined }) || (input.kube.mode === 'arc' && input.kube.token !== undefined)) {
    changed.push(`Kubernetes access (${after.kube.mode})`);
  }
  return changed.length > 0 ? `Edited ${after.name}: ${changed.join(', ')}.` : `Saved ${after.name} without changes.`;
}
