import { randomUUID } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { ApplyResult, ApplyStep, CrossCheckReport, Finding, NetplanPlan, NetworkSettings, NetworkSnapshot, NodeTarget, NodeValidation } from '@shared/contract/network-contract';
import type { NodeShell } from './node-shell';
import { isSudoError } from './shell-errors';
import { discoverNetwork } from './network-discovery';
import { checkSettings, planNetplan } from './netplan-plan';
import { parseNetplanOutput, validateScript } from './node-scripts';
import { NetplanApply } from './netplan-apply';
import { crossCheck, type CertificateAuthority, type CrossCheckInput } from './cross-checks';
import type { ShellSource } from './shell-source';
import type { BrokerReader } from './aio-cross-check-inputs';

export interface ApplyRequest {
  target: NodeTarget;
  settings: NetworkSettings;
  rollbackSeconds: number;
  applyId?: string | undefined;
  dnsCheckName?: string | undefined;
  allowSilentGateway: boolean;
}

export interface ApplyProgress {
  applyId: string;
  steps: ApplyStep[];
  rollback?: { deadline: string; secondsLeft: number; state: 'armed' | 'cancelled' | 'fired' };
  message: string;
  fraction: number;
}

export interface NetworkServiceOptions {
  shells: ShellSource;
  /** The vault's PKI, for the SAN checks and re-issue; absent while the PKI area is not wired. */
  pki?: CertificateAuthority | undefined;
  /** The AIO area's service, to read a node's broker listeners and cluster certificates for the cross-checks. */
  aio: BrokerReader;
  /** Extra wait for a node to come back after a rollback (tests shorten it). */
  recoveryGraceMs?: number;
}

/**
 * Static addresses for edge nodes with netplan: discover, plan, validate on the node, apply with a
 * rollback the node runs by itself, and check certificates and listeners against the new address.
 */
export class NetworkService {
  constructor(private readonly options: NetworkServiceOptions) {}

  private async withShell<T>(target: NodeTarget, signal: AbortSignal | undefined, fn: (shell: NodeShell, sshPort: number, updateHost: (h: string) => Promise<boolean>) => Promise<T>): Promise<T> {
    const opened = await this.options.shells.open(target, signal);
    try {
      return await fn(opened.shell, opened.sshPort, opened.updateHost);
    } finally {
      opened.shell.close();
    }
  }

  /** Interfaces, routes, DNS and netplan files of the node. */
  async discover(target: NodeTarget, signal?: AbortSignal): Promise<NetworkSnapshot> {
    return this.withShell(target, signal, async (shell) => {
      const { files: _files, ...snapshot } = await discoverNetwork(shell, signal);
      return snapshot;
    });
  }

  /** Local checks only, for live validation of the form. */
  checkSettings(settings: NetworkSettings, snapshot?: NetworkSnapshot): { ok: boolean; findings: Finding[] } {
    const findings = checkSettings(settings, snapshot);
    return { ok: findings.every((f) => f.severity !== 'error'), findings };
  }

  private async planWith(shell: NodeShell, settings: NetworkSettings, signal?: AbortSignal): Promise<{ plan: NetplanPlan; snapshot: NetworkSnapshot }> {
    const { files, ...snapshot } = await discoverNetwork(shell, signal);
    return { plan: planNetplan({ settings, snapshot, files, host: shell.host }), snapshot };
  }

  /** The netplan YAML and diff for the settings, with local findings. Reads the node, changes nothing. */
  async plan(target: NodeTarget, settings: NetworkSettings, signal?: AbortSignal): Promise<NetplanPlan> {
    return this.withShell(target, signal, async (shell) => (await this.planWith(shell, settings, signal)).plan);
  }

  /** The plan, checked by the node's own netplan in a temporary copy of its config (null when the plan has errors). */
  async validate(target: NodeTarget, settings: NetworkSettings, signal?: AbortSignal): Promise<{ plan: NetplanPlan; node: NodeValidation | null }> {
    return this.withShell(target, signal, async (shell) => {
      const { plan } = await this.planWith(shell, settings, signal);
      if (!plan.ok) return { plan, node: null };
      return { plan, node: await this.validateOnNode(shell, plan, signal) };
    });
  }

  /** Runs `netplan generate --root-dir` on a temp copy of the node's config with the planned file in it. */
  async validateOnNode(shell: NodeShell, plan: NetplanPlan, signal?: AbortSignal): Promise<NodeValidation> {
    let res;
    try {
      res = await shell.exec(validateScript(plan.file.path), { sudo: true, stdin: plan.yaml, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (isSudoError(err)) throw new FieldbenchError((err as FieldbenchError).code, `${(err as Error).message} netplan reads its files as root, so the check needs sudo.`, { cause: err });
      throw err;
    }
    const root = /^@@root (.+)$/m.exec(res.stdout)?.[1]?.trim();
    const rc = /^@@rc (\d+)$/m.exec(res.stdout)?.[1];
    if (!root || rc === undefined) {
      throw new FieldbenchError('network.validateFailed', `The node could not prepare a temporary copy of its netplan config (exit ${res.code ?? 'signal'}). ${res.stderr.trim().slice(0, 200)}`);
    }
    const output = res.stdout
      .split('\n')
      .filter((l) => !l.startsWith('@@'))
      .join('\n')
      .split(root)
      .join('')
      .trim();
    const errors = rc === '0' ? [] : parseNetplanOutput(res.stdout, root);
    return { ok: rc === '0', errors, output };
  }

  /** The whole safe apply; progress goes to onProgress. */
  async apply(req: ApplyRequest, onProgress: (p: ApplyProgress) => void, signal?: AbortSignal): Promise<ApplyResult> {
    const applyId = req.applyId ?? randomUUID();
    return this.withShell(req.target, signal, async (shell, sshPort, updateHost) => {
      const { plan, snapshot } = await this.planWith(shell, req.settings, signal);
      const run = new NetplanApply(shell, plan, snapshot, {
        applyId,
        rollbackSeconds: req.rollbackSeconds,
        ...(req.dnsCheckName ? { dnsCheckName: req.dnsCheckName } : {}),
        allowSilentGateway: req.allowSilentGateway,
        ...(signal ? { signal } : {}),
        sshPort,
        ...(this.options.recoveryGraceMs !== undefined ? { recoveryGraceMs: this.options.recoveryGraceMs } : {}),
        onProgress: (p) => onProgress({ applyId, ...p }),
        validateOnNode: (s, p) => this.validateOnNode(s, p, signal),
        updateProfileHost: updateHost,
      });
      return run.run();
    });
  }

  /** Certificates, listeners and reachability for the node's (new) address; with a nodeId, its cluster's too. */
  crossCheck(input: CrossCheckInput): Promise<CrossCheckReport> {
    return crossCheck(input, this.options.pki, this.options.aio);
  }
}
