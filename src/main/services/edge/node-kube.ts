import { readFile } from 'node:fs/promises';
import { FieldbenchError } from '@shared/errors';
import type { KubeConfig } from '@kubernetes/client-node';
import { ArcProxy, type ArcProxyOptions } from './arc-proxy';
import type { KubeAccess } from './kube-access';
import { LocalForward } from './local-forward';
import { apiServerAddress, loadKubeconfig, throughLocalPort } from './node-kubeconfig';
import type { NodeProfiles } from './node-profiles';
import type { StoredKube, StoredNode } from './node-store';
import type { SshConnection } from './ssh-connection';
import type { SshPool } from './ssh-pool';

interface ArcEntry {
  nodeId: string;
  proxy: ArcProxy;
  kubeConfig: KubeConfig;
  refs: number;
}

export interface NodeKubeOptions {
  arc?: ArcProxyOptions | undefined;
  /** PATH for finding az. */
  env: NodeJS.ProcessEnv;
}

/** The node's SSH, as the Kubernetes access needs it: the pooled connection and its tunnels. */
export interface NodeSsh {
  readonly pool: SshPool;
  withSsh<T>(nodeId: string, fn: (c: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * A node's Kubernetes API, reached the way its profile says: k3s's kubeconfig read with sudo and the API
 * tunnelled over SSH, the Arc proxy (one at a time, as az allows), or a kubeconfig file on this computer.
 */
export class NodeKube {
  private readonly arcs = new Map<string, ArcEntry>();
  private readonly arcStarting = new Map<string, Promise<ArcEntry>>();
  private readonly openAccesses = new Set<KubeAccess>();

  constructor(
    private readonly profiles: NodeProfiles,
    private readonly ssh: NodeSsh,
    private readonly options: NodeKubeOptions,
  ) {}

  /** The node's Kubernetes API, reached the way its profile says. Release it when done. */
  async openKube(nodeId: string, options: { signal?: AbortSignal; sudoPassword?: string } = {}): Promise<KubeAccess> {
    const node = this.profiles.stored(nodeId);
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
    const yaml = await this.ssh.withSsh(node.id, (c) => c.sudoReadFile(path, { ...(options.sudoPassword ? { password: options.sudoPassword } : {}), ...(options.signal ? { signal: options.signal } : {}) }), options.signal).catch((err: unknown) => {
      if (err instanceof FieldbenchError && err.code === 'edge.commandFailed' && /No such file/i.test(err.detail ?? '')) {
        throw new FieldbenchError('edge.kubeconfigMissing', `${node.name} has no ${path}. Is k3s installed there? If the cluster keeps its kubeconfig elsewhere, set that path in the node's profile.`, { cause: err });
      }
      throw err;
    });
    const source = `${path} on ${node.name}`;
    const kc = await loadKubeconfig(yaml.toString('utf8'), source);
    const { host, port } = apiServerAddress(kc, source);
    const forward = await LocalForward.open(this.ssh.pool, node.id, host, port);
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
          const otherName = this.profiles.find(other.nodeId)?.name ?? 'another node';
          throw new FieldbenchError('edge.arcProxyBusy', `The Arc proxy is already running for ${otherName}, and az allows only one at a time. Finish the work on ${otherName} first.`);
        }
        starting = ArcProxy.start({ clusterName: kube.clusterName, resourceGroup: kube.resourceGroup, ...(kube.token ? { token: kube.token } : {}) }, { ...this.options.arc, env: this.options.arc?.env ?? this.options.env }, signal).then(
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

  /** Stops the node's Arc proxy, if one runs (its profile changed or it was removed). */
  async stopArc(nodeId: string): Promise<void> {
    const e = this.arcs.get(nodeId);
    if (!e) return;
    this.arcs.delete(nodeId);
    await e.proxy.stop();
  }

  /** Releases every access and stops every Arc proxy. */
  async dispose(): Promise<void> {
    for (const a of [...this.openAccesses]) await a.release().catch(() => undefined);
    await Promise.allSettled([...this.arcStarting.values()]);
    for (const id of [...this.arcs.keys()]) await this.stopArc(id);
  }
}
