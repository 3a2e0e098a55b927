import { FieldbenchError, toErrorInfo } from '@shared/errors';
import type { UntrustedHostKey } from './host-key-trust';
import type { KubeAccess } from './kube-access';
import { loadKubeClient } from './kube-client-loader';
import type { StoredNode } from './node-store';
import type { ExecResult, SshConnection, SudoOptions } from './ssh-connection';

/** What the test uses of the edge service (EdgeService satisfies it). */
export interface NodeTestAccess {
  withSsh<T>(nodeId: string, fn: (c: SshConnection) => Promise<T>, signal?: AbortSignal): Promise<T>;
  sudo(nodeId: string, command: string, opts?: SudoOptions): Promise<ExecResult>;
  presentedHostKey(nodeId: string): UntrustedHostKey | undefined;
  openKube(nodeId: string, options?: { signal?: AbortSignal; sudoPassword?: string }): Promise<KubeAccess>;
}

export const AIO_API_GROUP = 'mqttbroker.iotoperations.azure.com';

export type StepId = 'connect' | 'hostKey' | 'login' | 'sudo' | 'kubernetes' | 'aio';

export interface TestStep {
  id: StepId;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  message: string;
  code?: string;
  detail?: string;
}

export interface NodeTestResult {
  nodeId: string;
  ok: boolean;
  steps: TestStep[];
  hostKey?: { status: 'trusted' | 'unknown' | 'changed'; type: string; fingerprint: string; expected?: string };
  kubernetesVersion?: string;
  aioVersions?: string[];
}

const LABELS: Record<StepId, string> = {
  connect: 'Reach the node',
  hostKey: 'Host key',
  login: 'Log in',
  sudo: 'sudo',
  kubernetes: 'Kubernetes API',
  aio: 'Azure IoT Operations',
};
const ORDER: StepId[] = ['connect', 'hostKey', 'login', 'sudo', 'kubernetes', 'aio'];

interface TestOptions {
  sudoPassword?: string;
  signal?: AbortSignal;
  progress?: (message: string, fraction?: number) => void;
  kubeTimeoutMs: number;
}

/** Which step an SSH connect error belongs to. */
function connectStepOf(code: string): StepId {
  if (code === 'edge.hostKeyUnknown' || code === 'edge.hostKeyChanged') return 'hostKey';
  if (code === 'edge.authFailed' || code === 'edge.noAgent' || code === 'edge.keyInvalid' || code === 'edge.keyNotFound') return 'login';
  return 'connect';
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FieldbenchError('edge.kubeTimeout', `${what} did not answer within ${Math.round(ms / 1000)} s. Check that the cluster is running.`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns a Kubernetes client failure into a sentence (401/403 say which credentials; network errors say where). */
export function kubeError(err: unknown, access: KubeAccess): FieldbenchError {
  if (err instanceof FieldbenchError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number' && code >= 400) {
    if (code === 401) return new FieldbenchError('edge.kubeUnauthorized', `The Kubernetes API ${access.description} refused the credentials (401). The kubeconfig's certificate or token is not valid for this cluster; fetch a fresh kubeconfig.`, { cause: err });
    if (code === 403) return new FieldbenchError('edge.kubeForbidden', `The Kubernetes API ${access.description} says these credentials may not do this (403). Use an admin kubeconfig.`, { cause: err });
    return new FieldbenchError('edge.kubeFailed', `The Kubernetes API ${access.description} answered ${code}.`, { cause: err });
  }
  return new FieldbenchError('edge.kubeUnreachable', `The Kubernetes API did not answer ${access.description}. Check that k3s (or the cluster) is running on the node.`, { cause: err });
}

/**
 * The "Test connection" flow: each step either passes with a sentence, fails with one (and the error
 * code), or is skipped because an earlier step it needs failed. Progress reports each step as it ends.
 */
export async function runNodeTest(service: NodeTestAccess, node: StoredNode, opts: TestOptions): Promise<NodeTestResult> {
  const steps: TestStep[] = [];
  const result: NodeTestResult = { nodeId: node.id, ok: false, steps };
  const report = (id: StepId, status: TestStep['status'], message: string, err?: unknown) => {
    const info = err === undefined ? undefined : toErrorInfo(err);
    const step: TestStep = { id, label: LABELS[id], status, message, ...(info ? { code: info.code } : {}), ...(info?.detail ? { detail: info.detail } : {}) };
    steps.push(step);
    opts.progress?.(`${step.label}: ${message}`, steps.length / ORDER.length);
  };
  const skipRest = (why: string) => {
    for (const id of ORDER) if (!steps.some((s) => s.id === id)) report(id, 'skipped', why);
  };
  const address = `${node.host}:${node.port}`;

  // A node that is only a kubeconfig has no SSH steps to pass: they are skipped, and do not count against it.
  const sshLess = node.auth.method === 'none';
  if (sshLess) {
    for (const id of ['connect', 'hostKey', 'login', 'sudo'] as const) report(id, 'skipped', 'Skipped: this node has no SSH login; Fieldbench reaches it only through its kubeconfig file.');
  }

  // 1–3: one connection attempt answers reach, host key and login.
  let sshOk = false;
  if (!sshLess) try {
    await service.withSsh(node.id, async () => undefined, opts.signal);
    sshOk = true;
    const hostKey = node.hostKey;
    report('connect', 'ok', `Reached ${address}${node.jumpHostId ? ' through the jump host' : ''}; the SSH server answered.`);
    if (hostKey) result.hostKey = { status: 'trusted', type: hostKey.type, fingerprint: hostKey.fingerprint };
    report('hostKey', 'ok', `The node presented the trusted host key ${hostKey?.fingerprint ?? ''}.`.replace(' .', '.'));
    report('login', 'ok', `Logged in as ${node.user} with ${node.auth.method === 'key' ? 'the key from the vault' : node.auth.method === 'password' ? 'the password' : 'the SSH agent'}.`);
  } catch (err) {
    const info = toErrorInfo(err);
    if (info.code === 'cancelled') throw err;
    const step = connectStepOf(info.code);
    const presented = service.presentedHostKey(node.id);
    if (step !== 'connect') report('connect', 'ok', `Reached ${address}; the SSH server answered.`);
    if (step === 'hostKey' && presented) {
      result.hostKey = { status: presented.verdict, type: presented.type, fingerprint: presented.fingerprint, ...(node.hostKey ? { expected: node.hostKey.fingerprint } : {}) };
    }
    if (step === 'login') report('hostKey', 'ok', `The node presented the trusted host key ${node.hostKey?.fingerprint ?? ''}.`);
    report(step, 'failed', info.message, err);
    skipRest('Skipped: the SSH connection is needed first.');
  }
  if (!sshOk && !sshLess) return result;

  // 4: sudo (the SSH route to Kubernetes needs it to read k3s.yaml).
  let sudoOk = false;
  if (!sshLess) try {
    await service.sudo(node.id, 'true', { ...(opts.sudoPassword ? { password: opts.sudoPassword } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    sudoOk = true;
    report('sudo', 'ok', `${node.user} may use sudo.`);
  } catch (err) {
    if (toErrorInfo(err).code === 'cancelled') throw err;
    report('sudo', 'failed', toErrorInfo(err).message, err);
  }
  if (!sudoOk && node.kube.mode === 'ssh') {
    skipRest('Skipped: reading the k3s kubeconfig needs sudo.');
    return result;
  }

  // 5–6: Kubernetes version and the AIO API group.
  let access: KubeAccess | undefined;
  try {
    access = await service.openKube(node.id, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.sudoPassword ? { sudoPassword: opts.sudoPassword } : {}) });
    const a = access;
    const { ApisApi, VersionApi } = await loadKubeClient();
    const version = await withTimeout(a.kubeConfig.makeApiClient(VersionApi).getCode(), opts.kubeTimeoutMs, 'The Kubernetes API').catch((err: unknown) => {
      throw kubeError(err, a);
    });
    result.kubernetesVersion = version.gitVersion;
    report('kubernetes', 'ok', `Kubernetes ${version.gitVersion} answers ${a.description}.`);
    try {
      const groups = await withTimeout(a.kubeConfig.makeApiClient(ApisApi).getAPIVersions(), opts.kubeTimeoutMs, 'The Kubernetes API').catch((err: unknown) => {
        throw kubeError(err, a);
      });
      const aio = groups.groups.find((g) => g.name === AIO_API_GROUP);
      if (aio) {
        result.aioVersions = aio.versions.map((v) => v.version);
        report('aio', 'ok', `Azure IoT Operations is installed (${AIO_API_GROUP} ${result.aioVersions.join(', ')}).`);
      } else {
        report('aio', 'failed', `The cluster has no ${AIO_API_GROUP} API: Azure IoT Operations is not installed there, or its install has not finished. Deploy AIO to this cluster first.`, new FieldbenchError('edge.aioMissing', 'AIO missing'));
      }
    } catch (err) {
      if (toErrorInfo(err).code === 'cancelled') throw err;
      report('aio', 'failed', toErrorInfo(err).message, err);
    }
  } catch (err) {
    if (toErrorInfo(err).code === 'cancelled') throw err;
    report('kubernetes', 'failed', toErrorInfo(err).message, err);
    skipRest('Skipped: the Kubernetes API is needed first.');
  } finally {
    await access?.release();
  }
  result.ok = steps.every((s) => s.status === 'ok' || (sshLess && s.status === 'skipped' && s.id !== 'kubernetes' && s.id !== 'aio'));
  return result;
}
