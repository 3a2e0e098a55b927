import { edgeCalls } from '@shared/contract/edge-contract';
import type { CallRequest, CallResponse } from '@shared/contract';

export type NodeSummary = CallResponse<'edge.listNodes'>['nodes'][number];
export type SaveNodeRequest = CallRequest<'edge.saveNode'>;

/** `none`: no SSH at all, only a kubeconfig file (the contract allows it with that Kubernetes access only). */
export type AuthMethod = 'key' | 'password' | 'agent' | 'none';
export type KubeMode = 'ssh' | 'arc' | 'kubeconfig';

/**
 * What the node form holds while the person types. Secrets (login password, sudo password, Arc token) live
 * only in the form component's state until Save, then go straight into `edge.saveNode`; empty on edit
 * means "keep the stored one".
 */
export interface NodeFormValues {
  name: string;
  host: string;
  port: string;
  user: string;
  authMethod: AuthMethod;
  keyId: string;
  password: string;
  sudoPassword: string;
  forgetSudoPassword: boolean;
  jumpHostId: string;
  /** Also accept the legacy SSH algorithms for this node. */
  legacyAlgorithms: boolean;
  kubeMode: KubeMode;
  kubeconfigPathOnNode: string;
  arcCluster: string;
  arcGroup: string;
  arcToken: string;
  kubeconfigPath: string;
  kubeconfigContext: string;
}

export type NodeFormField = keyof NodeFormValues;
export type NodeFormErrors = Partial<Record<NodeFormField, string>>;

export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';

export function emptyNodeForm(): NodeFormValues {
  return {
    name: '',
    host: '',
    port: '22',
    user: '',
    authMethod: 'key',
    keyId: '',
    password: '',
    sudoPassword: '',
    forgetSudoPassword: false,
    jumpHostId: '',
    legacyAlgorithms: false,
    kubeMode: 'ssh',
    kubeconfigPathOnNode: K3S_KUBECONFIG,
    arcCluster: '',
    arcGroup: '',
    arcToken: '',
    kubeconfigPath: '',
    kubeconfigContext: '',
  };
}

/** The form for editing an existing profile: every public field filled in, every secret empty (kept unless retyped). */
export function nodeFormFrom(node: NodeSummary): NodeFormValues {
  const v = emptyNodeForm();
  v.name = node.name;
  v.host = node.host;
  v.port = String(node.port);
  v.user = node.user;
  v.authMethod = node.auth.method;
  if (node.auth.method === 'key') v.keyId = node.auth.keyId;
  v.jumpHostId = node.jumpHost?.id ?? '';
  v.legacyAlgorithms = node.legacyAlgorithms === true;
  v.kubeMode = node.kube.mode;
  if (node.kube.mode === 'ssh') v.kubeconfigPathOnNode = node.kube.kubeconfigPath;
  if (node.kube.mode === 'arc') {
    v.arcCluster = node.kube.clusterName;
    v.arcGroup = node.kube.resourceGroup;
  }
  if (node.kube.mode === 'kubeconfig') {
    v.kubeconfigPath = node.kube.path;
    v.kubeconfigContext = node.kube.context ?? '';
  }
  return v;
}

/** Where a schema issue path lands in the form. */
function fieldOf(path: readonly PropertyKey[], v: NodeFormValues): NodeFormField | undefined {
  const [head, sub] = path;
  switch (head) {
    case 'name':
    case 'host':
    case 'port':
    case 'user':
      return head;
    case 'sudoPassword':
      return 'sudoPassword';
    case 'jumpHostId':
      return 'jumpHostId';
    case 'auth':
      return sub === 'keyId' ? 'keyId' : sub === 'password' ? 'password' : 'authMethod';
    case 'kube':
      if (v.kubeMode === 'arc') return sub === 'resourceGroup' ? 'arcGroup' : sub === 'token' ? 'arcToken' : 'arcCluster';
      if (v.kubeMode === 'kubeconfig') return sub === 'context' ? 'kubeconfigContext' : 'kubeconfigPath';
      return 'kubeconfigPathOnNode';
    default:
      return undefined;
  }
}

const SENTENCES: Partial<Record<NodeFormField, string>> = {
  port: 'Enter a port from 1 to 65535 (SSH is usually 22).',
  keyId: 'Choose a key from the vault, or generate or import one.',
  password: 'Enter the SSH password.',
  kubeconfigPathOnNode: 'Enter where k3s keeps its kubeconfig on the node.',
  kubeconfigPath: 'Enter the path of the kubeconfig file on this computer.',
  arcCluster: 'Enter the Arc cluster name.',
  arcGroup: 'Enter the resource group.',
};

/**
 * Builds the `edge.saveNode` request and checks it with the contract's own schema, so the form shows the
 * same sentences main would answer with, field by field, while the person types.
 */
export function buildSaveRequest(v: NodeFormValues, editId: string | undefined): { request: SaveNodeRequest; errors: NodeFormErrors } {
  const editing = editId !== undefined;
  const port = /^\d+$/.test(v.port.trim()) ? Number(v.port.trim()) : Number.NaN;
  const sshLess = v.authMethod === 'none';
  const auth: SaveNodeRequest['auth'] =
    v.authMethod === 'none'
      ? undefined
      : v.authMethod === 'key'
      ? { method: 'key', keyId: v.keyId }
      : v.authMethod === 'password'
        ? v.password === '' && editing
          ? { method: 'password' }
          : { method: 'password', password: v.password }
        : { method: 'agent' };
  const kube: NonNullable<SaveNodeRequest['kube']> =
    v.kubeMode === 'ssh'
      ? { mode: 'ssh', kubeconfigPath: v.kubeconfigPathOnNode.trim() }
      : v.kubeMode === 'arc'
        ? { mode: 'arc', clusterName: v.arcCluster, resourceGroup: v.arcGroup, ...(v.arcToken !== '' ? { token: v.arcToken } : {}) }
        : { mode: 'kubeconfig', path: v.kubeconfigPath.trim(), ...(v.kubeconfigContext.trim() !== '' ? { context: v.kubeconfigContext.trim() } : {}) };
  const request: SaveNodeRequest = {
    ...(editing ? { id: editId } : {}),
    name: v.name,
    // Without SSH the address is optional: main then takes the kubeconfig's API server host.
    ...(sshLess && v.host.trim() === '' ? {} : { host: v.host }),
    port,
    ...(sshLess ? {} : { user: v.user, auth }),
    kube,
    // A password login reuses its password for sudo; a separate one only matters for key and agent logins.
    ...(!sshLess && v.authMethod !== 'password' && v.sudoPassword !== '' ? { sudoPassword: v.sudoPassword } : {}),
    ...(v.forgetSudoPassword && v.sudoPassword === '' ? { sudoPassword: null } : {}),
    ...(v.jumpHostId !== '' ? { jumpHostId: v.jumpHostId } : editing ? { jumpHostId: null } : {}),
    ...(v.legacyAlgorithms || editing ? { legacyAlgorithms: v.legacyAlgorithms } : {}),
  };

  const errors: NodeFormErrors = {};
  const parsed = edgeCalls['edge.saveNode'].request.safeParse(request);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path, v);
      if (!field || errors[field]) continue;
      // zod's own words ("Too small: expected…") are for programmers; the contract's custom ones are sentences.
      const own = issue.message && !/^(Invalid|Too (small|big)|Expected)/i.test(issue.message) ? issue.message : undefined;
      errors[field] = own ?? SENTENCES[field] ?? 'Check this value.';
    }
  }
  if (Number.isNaN(port) && !sshLess) errors.port = SENTENCES.port;
  if (editId !== undefined && v.jumpHostId === editId) errors.jumpHostId = 'A node cannot be its own jump host. Choose another node or none.';
  return { request, errors };
}
