import type { KubeConfig } from '@kubernetes/client-node';

/**
 * A usable connection to a node's Kubernetes API, however it was reached: through an SSH tunnel to k3s,
 * through the Arc proxy, or from a kubeconfig file. The AIO services only ever see this.
 */
export interface KubeAccess {
  /** Ready to use with @kubernetes/client-node: server, credentials and CA already set. */
  readonly kubeConfig: KubeConfig;
  /** How the API was reached, for messages ("through SSH to edge-01"). */
  readonly via: 'ssh' | 'arc' | 'kubeconfig';
  readonly description: string;
  /** Closes the tunnel or ends the proxy process. Safe to call twice. */
  release(): Promise<void>;
}

/** Implemented by the edge service; lets other areas borrow a node's Kubernetes API by node id. */
export interface KubeAccessProvider {
  openKube(nodeId: string, options?: { signal?: AbortSignal }): Promise<KubeAccess>;
}
