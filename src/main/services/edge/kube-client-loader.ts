import { FieldbenchError } from '@shared/errors';

export type KubeClientModule = typeof import('@kubernetes/client-node');

let loading: Promise<KubeClientModule> | undefined;

/**
 * Loads @kubernetes/client-node on first use: it is large, and most CLI commands and app starts never
 * talk to a cluster. (package.json pins undici 6 under it, since client-node 2.x's undici 8 needs Node 22.)
 */
export function loadKubeClient(): Promise<KubeClientModule> {
  loading ??= import('@kubernetes/client-node').catch((err: unknown) => {
    loading = undefined;
    throw new FieldbenchError('edge.kubeClientUnavailable', `The Kubernetes client library could not load on Node ${process.versions.node}. Reinstall Fieldbench's dependencies (npm ci).`, { cause: err });
  });
  return loading;
}
