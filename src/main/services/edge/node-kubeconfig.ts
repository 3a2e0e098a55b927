import type { Cluster, KubeConfig } from '@kubernetes/client-node';
import { isIP } from 'node:net';
import { FieldbenchError } from '@shared/errors';
import { loadKubeClient } from './kube-client-loader';

/** Loads kubeconfig text, saying which file was wrong when it cannot be read. */
export async function loadKubeconfig(yaml: string, source: string, context?: string): Promise<KubeConfig> {
  const { KubeConfig } = await loadKubeClient();
  const kc = new KubeConfig();
  try {
    kc.loadFromString(yaml);
  } catch (err) {
    throw new FieldbenchError('edge.kubeconfigInvalid', `${source} is not a kubeconfig Fieldbench can read. Check that it is the cluster's kubeconfig (YAML with clusters, users and contexts).`, { cause: err });
  }
  if (context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(context)) {
      throw new FieldbenchError('edge.kubeContextMissing', `${source} has no context "${context}". It has: ${names.join(', ') || 'none'}. Choose one of those in the node's profile.`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new FieldbenchError('edge.kubeconfigInvalid', `${source} names no current cluster. Set current-context in it, or choose a context in the node's profile.`);
  }
  return kc;
}

/** Where the kubeconfig's current cluster lives, as host and port (k3s: 127.0.0.1:6443 on the node). */
export function apiServerAddress(kc: KubeConfig, source: string): { host: string; port: number; url: URL } {
  const server = kc.getCurrentCluster()?.server ?? '';
  let url: URL;
  try {
    url = new URL(server);
  } catch (err) {
    throw new FieldbenchError('edge.kubeconfigInvalid', `The API server address in ${source} ("${server.slice(0, 100)}") is not a URL.`, { cause: err });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  return { host: host === '0.0.0.0' || host === 'localhost' ? '127.0.0.1' : host, port, url };
}

/**
 * A copy of the kubeconfig whose current cluster is reached on 127.0.0.1:localPort (an SSH tunnel to the
 * node's API server). The certificate still names the node's own address, so a host name is kept as the
 * TLS server name; k3s's serving certificate always lists 127.0.0.1, which covers the IP case.
 */
export async function throughLocalPort(kc: KubeConfig, localPort: number): Promise<KubeConfig> {
  const { KubeConfig } = await loadKubeClient();
  const current = kc.getCurrentCluster()!;
  const { url } = apiServerAddress(kc, 'the kubeconfig');
  const originalHost = url.hostname.replace(/^\[|\]$/g, '');
  const keepName = !isIP(originalHost) && originalHost !== 'localhost' && !current.tlsServerName;
  const clusters: Cluster[] = kc.clusters.map((c) =>
    c.name === current.name
      ? { ...c, server: `${url.protocol}//127.0.0.1:${localPort}`, ...(keepName ? { tlsServerName: originalHost } : {}) }
      : c,
  );
  const out = new KubeConfig();
  out.loadFromOptions({ clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  return out;
}
