// The edge area's exported interface to other areas' services: Kubernetes access to a node.
export type { KubeAccess, KubeAccessProvider } from './kube-access';
