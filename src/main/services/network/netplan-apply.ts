import { FieldbenchError } from '@shared/errors';
import { APPLY_STEP_LABELS, APPLY_STEP_ORDER, type ApplyResult, type ApplyStep, type ApplyStepId, type NetplanPlan } from '@shared/contract/network-contract';
import type { NodeShell } from './node-shell';
import { isShellError, isSudoError } from './shell-errors';
import { parseIpv4Cidr, parseIpv4, inSubnet } from './ipv4';
import {
  BACKUP_ROOT,
  applyScript,
  armScript,
  backupScript,
  cancelScript,
  fireNowScript,
  neighAnswered,
  probeScript,
  stateScript,
  verifyScript,
  writeFileScript,
} from './node-scripts';
import { splitSections } from './network-discovery';
import type { NetworkSnapshot, NodeValidation } from '@shared/contract/network-contract';
import { probeTcp } from './tcp-probe';

export interface ApplyOptions {
  applyId: string;
  rollbackSeconds: number;
  dnsCheckName?: string;
  allowSilentGateway: boolean;
  signal?: AbortSignal;
  /** Called on every step change and once a second while the rollback is armed. */
  onProgress(update: { steps: ApplyStep[]; rollback?: { deadline: string; secondsLeft: number; state: 'armed' | 'cancelled' | 'fired' }; message: string; fraction: number }): void;
  /** Validates the plan with the node's own netplan (the service's validate). */
  validateOnNode(shell: NodeShell, plan: NetplanPlan): Promise<NodeValidation>;
  /** Updates the node profile's host; returns false when there is no profile (direct targets). */
  updateProfileHost(host: string): Promise<boolean>;
  /** The SSH port, for the laptop-side probe of the new address. */
  sshPort: number;
  /** Extra time after the deadline to wait for the node to come back on its old address. Default 90 s. */
  recoveryGraceMs?: number;
  now?: () => number;
}



const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Stamp for backup folders: sortable, no characters that need quoting. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Applies a plan to a node so that it is never left unreachable: refusals happen before anything on
 * the node changes; from the moment the files change, a countdown on the node restores them unless
 * Fieldbench reached the node on its new address, verified it and cancelled the countdown.
 */
export class NetplanApply {
  private readonly steps: ApplyStep[];
  private readonly now: () => number;
  private deadline: number | undefined;
  private rollbackState: 'armed' | 'cancelled' | 'fired' | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private lastMessage = '';
  private readonly dir: string;

  constructor(
    private readonly shell: NodeShell,
    private readonly plan: NetplanPlan,
    private readonly snapshot: NetworkSnapshot,
    private readonly opts: ApplyOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.steps = APPLY_STEP_ORDER.map((id) => ({ id, label: APPLY_STEP_LABELS[id], status: 'pending' }));
    this.dir = `${BACKUP_ROOT}/netplan-backup-${stamp(this.now())}-${opts.applyId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
  }

  private emit(message: string): void {
    this.lastMessage = message;
    const done = this.steps.filter((s) => s.status !== 'pending' && s.status !== 'running').length;
    const rollback = this.deadline !== undefined && this.rollbackState
      ? { deadline: new Date(this.deadline).toISOString(), secondsLeft: Math.max(0, Math.ceil((this.deadline - this.now()) / 1000)), state: this.rollbackState }
      : undefined;
    this.opts.onProgress({ steps: this.steps.map((s) => ({ ...s })), ...(rollback ? { rollback } : {}), message, fraction: done / this.steps.length });
  }

  private step(id: ApplyStepId): ApplyStep {
    let s = this.steps.find((x) => x.id === id);
    if (!s) {
      s = { id, label: APPLY_STEP_LABELS[id], status: 'pending' };
      this.steps.push(s);
    }
    return s;
  }

  private start(id: ApplyStepId, message?: string): void {
    const s = this.step(id);
    s.status = 'running';
    s.startedAt = new Date(this.now()).toISOString();
    if (message) s.message = message;
    this.emit(message ?? `${s.label}…`);
  }

  private finish(id: ApplyStepId, status: ApplyStep['status'], message: string): void {
    const s = this.step(id);
    s.status = status;
    s.message = message;
    s.endedAt = new Date(this.now()).toISOString();
    this.emit(message);
  }

  /** Marks what has not run as skipped, fails the running step, and throws the refusal. */
  private refuse(id: ApplyStepId, err: FieldbenchError): never {
    this.finish(id, 'failed', err.message);
    for (const s of this.steps) if (s.status === 'pending') s.status = 'skipped';
    this.emit(err.message);
    throw err;
  }

  private async sudo(command: string, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return this.shell.exec(command, { sudo: true, ...(stdin !== undefined ? { stdin } : {}), ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
  }

  private startTicker(): void {
    this.ticker = setInterval(() => this.emit(this.lastMessage), 1000);
    this.ticker.unref?.();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  async run(): Promise<ApplyResult> {
    try {
      return await this.runSteps();
    } finally {
      this.stopTicker();
    }
  }

  private throwIfCancelledBeforeTouch(id: ApplyStepId): void {
    if (this.opts.signal?.aborted) this.refuse(id, new FieldbenchError('cancelled', 'The change was cancelled before anything on the node was changed.'));
  }

  private async runSteps(): Promise<ApplyResult> {
    const { plan, shell } = this;
    const previousHost = plan.previousHost;
    const newHost = plan.newHost;
    const iface = plan.settings.interface;
    const cidr = parseIpv4Cidr(plan.settings.address);

    // 1. Preflight: refuse before touching anything.
    this.start('preflight');
    const res = await this.sudo('command -v netplan >/dev/null 2>&1 || exit 97; command -v setsid >/dev/null 2>&1 || command -v systemd-run >/dev/null 2>&1 || exit 98; echo ok').catch((err: unknown) => {
      if (isSudoError(err)) this.refuse('preflight', new FieldbenchError((err as FieldbenchError).code, `${(err as Error).message} Changing the network needs root, so Fieldbench changed nothing.`, { cause: err }));
      if (isShellError(err, 'connectionDropped')) this.refuse('preflight', new FieldbenchError('network.connectionDropped', `The connection to ${previousHost} dropped before anything was changed. Reconnect and try again.`, { cause: err }));
      throw err;
    });
    if (res.code === 97) this.refuse('preflight', new FieldbenchError('network.noNetplan', `${previousHost} has no netplan for root. Nothing was changed.`));
    if (res.code === 98) this.refuse('preflight', new FieldbenchError('network.noDetach', `${previousHost} has neither setsid nor systemd-run, so a rollback could not outlive the SSH session. Nothing was changed.`));
    if (res.code !== 0) this.refuse('preflight', new FieldbenchError('network.preflightFailed', `Checking ${previousHost} failed: ${res.stderr.trim().slice(0, 200)}. Nothing was changed.`));
    if (!plan.ok || !cidr) {
      const first = plan.findings.find((f) => f.severity === 'error');
      this.refuse('preflight', new FieldbenchError('network.invalidPlan', `${first?.message ?? 'The settings are not valid.'} Nothing on the node was changed.`));
    }
    this.finish('preflight', 'ok', 'sudo works; netplan and a way to detach the rollback are present.');
    this.throwIfCancelledBeforeTouch('probe');

    // 2. Probe: is the new address already taken?
    const ifaceInfo = this.snapshot.interfaces.find((i) => i.name === iface);
    const alreadyOurs = ifaceInfo?.addresses.some((a) => a.address === cidr!.address) ?? false;
    if (alreadyOurs) {
      this.finish('probe', 'skipped', `${cidr!.address} is already this node's address.`);
    } else {
      this.start('probe', `Checking whether anything answers at ${cidr!.address}…`);
      const onSegment = (ifaceInfo?.addresses ?? []).some((a) => a.family === 'inet' && inSubnet(parseIpv4(a.address) ?? -1, cidr!.value, cidr!.prefix));
      const [nodeSide, laptopSide] = await Promise.all([
        onSegment ? this.sudoSafe(probeScript(iface, cidr!.address)) : Promise.resolve(undefined),
        probeTcp(cidr!.address, this.opts.sshPort, 3000, this.opts.signal),
      ]);
      const neigh = nodeSide ? splitSections(nodeSide.stdout).get('neigh') ?? '' : '';
      const tcp = nodeSide ? splitSections(nodeSide.stdout).get('tcp') ?? '' : '';
      const byNode = neighAnswered(neigh) || /connected|Connection refused/i.test(tcp);
      if (byNode || laptopSide.answered) {
        const who = byNode ? `a machine on ${iface}'s segment answered${/lladdr ([0-9a-f:]+)/.exec(neigh) ? ` (MAC ${/lladdr ([0-9a-f:]+)/.exec(neigh)![1]})` : ''}` : `something answered from this laptop (${laptopSide.detail})`;
        this.refuse('probe', new FieldbenchError('network.addressInUse', `${cidr!.address} is already in use: ${who}. Two machines with one address would both lose connections. Choose a free address; nothing was changed.`));
      }
      this.finish('probe', 'ok', onSegment ? `Nothing answered at ${cidr!.address} on ${iface}'s segment or from this laptop.` : `Nothing answered at ${cidr!.address} from this laptop (it is outside the node's current subnet, so the node could not look itself).`);
    }
    this.throwIfCancelledBeforeTouch('validate');

    // 3. Validate with the node's netplan.
    this.start('validate');
    const validation = await this.opts.validateOnNode(shell, plan).catch((err: unknown) => this.refuseShell('validate', err));
    if (!validation.ok) {
      const e = validation.errors[0];
      const where = e ? `${e.file}:${e.line}:${e.column}: ${e.message}` : validation.output.trim().slice(0, 300);
      this.refuse('validate', new FieldbenchError('network.netplanRejected', `The node's netplan rejects the new file: ${where}. Nothing was changed.`, { detail: validation.output.slice(0, 4000) }));
    }
    this.finish('validate', 'ok', `netplan on the node accepts ${plan.file.path}.`);
    this.throwIfCancelledBeforeTouch('backup');

    // 4. Backup.
    this.start('backup');
    const backup = await this.sudo(backupScript(this.dir)).catch((err: unknown) => this.refuseShell('backup', err));
    if (backup.code !== 0) this.refuse('backup', new FieldbenchError('network.backupFailed', `Backing up /etc/netplan to ${this.dir} failed: ${backup.stderr.trim().slice(0, 200) || `exit ${backup.code}`}. Nothing was changed.`));
    const saved = backup.stdout.split('\n').filter(Boolean);
    this.finish('backup', 'ok', `${saved.length} file${saved.length === 1 ? '' : 's'} saved in ${this.dir}.`);
    this.throwIfCancelledBeforeTouch('arm');

    // 5. Arm the rollback.
    this.start('arm', `Arming a ${this.opts.rollbackSeconds} s rollback on the node…`);
    const armedFrom = this.now();
    const unit = `fieldbench-netplan-rollback-${this.dir.slice(this.dir.lastIndexOf('-') + 1)}`;
    const armed = await this.sudo(armScript(this.dir, this.opts.rollbackSeconds, unit)).catch((err: unknown) => this.refuseShell('arm', err, true));
    if (armed.code !== 0 || !armed.stdout.includes('armed')) {
      this.refuse('arm', new FieldbenchError('network.armFailed', `The rollback could not be started on ${previousHost} (${armed.stderr.trim().slice(0, 200) || armed.stdout.trim()}), so Fieldbench did not change anything.`));
    }
    // The node's countdown began no earlier than the request was sent: counting from then errs early.
    this.deadline = armedFrom + this.opts.rollbackSeconds * 1000;
    this.rollbackState = 'armed';
    this.startTicker();
    this.finish('arm', 'ok', `The node restores the backup by itself at ${new Date(this.deadline).toLocaleTimeString()} unless Fieldbench confirms the new address first.`);

    // From here on the rollback protects the node: any failure ends in recovery, not in a refusal.
    try {
      // 6. Write.
      this.start('write');
      const written = await this.sudo(writeFileScript(plan.file.path), plan.yaml);
      if (written.code !== 0) throw new FieldbenchError('network.writeFailed', `Writing ${plan.file.path} failed: ${written.stderr.trim().slice(0, 200)}.`);
      this.finish('write', 'ok', `${plan.file.path} written (mode 600).`);

      // 7. Apply, detached: the session dies with the old address.
      this.start('apply');
      const applyUnit = `fieldbench-netplan-apply-${this.dir.slice(this.dir.lastIndexOf('-') + 1)}`;
      const launched = await this.sudo(applyScript(this.dir, applyUnit));
      if (launched.code !== 0) throw new FieldbenchError('network.applyFailed', `netplan apply could not be started: ${launched.stderr.trim().slice(0, 200)}.`);
      this.finish('apply', 'ok', newHost === previousHost ? 'netplan apply started.' : `netplan apply started; the node moves from ${previousHost} to ${newHost}, so this SSH session ends.`);
    } catch (err) {
      return this.recover(err, previousHost, newHost, 'before the new settings were applied');
    }

    // 8. Reconnect on the new address until shortly before the deadline.
    this.start('reconnect', `Connecting to ${newHost}…`);
    if (newHost !== previousHost) shell.close();
    else await this.waitForApplyOnSameHost();
    const reserve = Math.min(15_000, Math.max(2_000, this.opts.rollbackSeconds * 150));
    const reached = await this.connectUntil(newHost, this.deadline - reserve);
    if (!reached) {
      this.finish('reconnect', 'failed', `${newHost} did not answer before the rollback deadline.`);
      return this.awaitRollback(previousHost, newHost, `${newHost} could not be reached over SSH`);
    }
    this.finish('reconnect', 'ok', `Connected to ${newHost} (same host key as before).`);

    // 9. Verify.
    this.start('verify');
    let verification: ApplyResult['verification'];
    try {
      verification = await this.verify(cidr!.address, cidr!.prefix);
    } catch (err) {
      return this.recover(err, previousHost, newHost, 'while verifying the new address');
    }
    const problems: string[] = [];
    if (verification.address !== 'ok') problems.push(`${cidr!.address} is not on ${iface}`);
    if (verification.gateway === 'silent' && !this.opts.allowSilentGateway) problems.push(`the gateway ${plan.settings.gateway} does not answer`);
    if (problems.length > 0) {
      this.finish('verify', 'failed', `Verification failed: ${problems.join(' and ')}.`);
      await this.sudoSafe(fireNowScript(this.dir));
      return this.awaitRollback(previousHost, newHost, `verification failed (${problems.join(' and ')})`, true);
    }
    const notes = [`${cidr!.address}/${cidr!.prefix} is on ${iface}`];
    if (verification.gateway === 'ok') notes.push(`the gateway ${plan.settings.gateway} answers`);
    if (verification.gateway === 'silent') notes.push(`the gateway ${plan.settings.gateway} does not answer (kept as asked)`);
    if (verification.dns === 'ok') notes.push(`${this.opts.dnsCheckName} resolves`);
    if (verification.dns === 'failed') notes.push(`${this.opts.dnsCheckName} does not resolve; check the DNS servers`);
    this.finish('verify', verification.dns === 'failed' || verification.gateway === 'silent' ? 'warning' : 'ok', `${notes.join('; ')}.`);

    // 10. Cancel the rollback.
    this.start('cancelRollback');
    let cancelled: string;
    try {
      cancelled = (await this.sudo(this.cancelCommand())).stdout.trim();
    } catch (err) {
      return this.recover(err, previousHost, newHost, 'while cancelling the rollback');
    }
    if (cancelled !== 'cancelled') {
      this.finish('cancelRollback', 'failed', `Too late: the node had already started restoring the previous settings (${cancelled}).`);
      this.rollbackState = 'fired';
      return this.awaitRollback(previousHost, newHost, 'the rollback deadline passed before Fieldbench could confirm the new address');
    }
    this.rollbackState = 'cancelled';
    this.stopTicker();
    this.finish('cancelRollback', 'ok', 'Rollback cancelled; the new settings stay.');

    // 11. Node profile.
    this.start('profile');
    let profileUpdated = false;
    try {
      profileUpdated = newHost === previousHost ? false : await this.opts.updateProfileHost(newHost);
      this.finish('profile', profileUpdated ? 'ok' : 'skipped', profileUpdated ? `The node profile now connects to ${newHost}.` : newHost === previousHost ? 'The node keeps its address.' : `No node profile to update; connect to ${newHost} from now on.`);
    } catch (err) {
      this.finish('profile', 'warning', `The node moved to ${newHost}, but its profile could not be updated (${(err as Error).message}). Change the profile's host by hand.`);
    }
    const message = newHost === previousHost ? `${iface} now has the static address ${cidr!.address}/${cidr!.prefix}.` : `The node moved from ${previousHost} to ${newHost}; the new settings are confirmed.`;
    this.emit(message);
    return this.result('applied', newHost, previousHost, newHost, message, verification, profileUpdated);
  }

  private cancelCommand(): string {
    return cancelScript(this.dir);
  }

  private async sudoSafe(command: string): Promise<{ code: number | null; stdout: string; stderr: string } | undefined> {
    try {
      return await this.sudo(command);
    } catch {
      return undefined;
    }
  }

  /** Before the rollback is armed a lost session or refused sudo means: stop, nothing changed. */
  private refuseShell(id: ApplyStepId, err: unknown, armCouldHaveStarted = false): never {
    if (isShellError(err, 'connectionDropped')) {
      const tail = armCouldHaveStarted
        ? ' If the node started the rollback countdown anyway, it restores the same files when it ends, which changes nothing.'
        : '';
      this.refuse(id, new FieldbenchError('network.droppedBeforeArm', `The connection to ${this.plan.previousHost} dropped before the rollback was armed, so Fieldbench stopped: /etc/netplan is unchanged.${tail} Reconnect and try again.`, { cause: err }));
    }
    if (isSudoError(err)) this.refuse(id, new FieldbenchError((err as FieldbenchError).code, `${(err as Error).message} Nothing was changed.`, { cause: err }));
    if (err instanceof FieldbenchError) this.refuse(id, err);
    this.refuse(id, new FieldbenchError('network.stepFailed', `${APPLY_STEP_LABELS[id]} failed: ${(err as Error).message}. Nothing was changed.`, { cause: err }));
  }

  private async waitForApplyOnSameHost(): Promise<void> {
    // Same address: the session may survive; wait for netplan apply to finish before verifying.
    const until = this.now() + 30_000;
    while (this.now() < until && !this.opts.signal?.aborted) {
      const st = await this.sudoSafe(stateScript(this.dir));
      if (st && /^apply=\d+/m.test(st.stdout)) return;
      if (!st) return;
      await sleep(300, this.opts.signal);
    }
  }

  private async connectUntil(host: string, until: number): Promise<boolean> {
    while (this.now() < until) {
      if (this.opts.signal?.aborted) return false;
      const left = until - this.now();
      try {
        await this.shell.reconnect(host, { timeoutMs: Math.max(1000, Math.min(5000, left)), ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
        return true;
      } catch (err) {
        if (isShellError(err, 'hostKeyChanged')) {
          this.lastMessage = (err as Error).message;
          return false;
        }
        await sleep(Math.min(1000, Math.max(0, until - this.now())), this.opts.signal);
      }
    }
    return false;
  }

  private async verify(address: string, prefix: number): Promise<ApplyResult['verification']> {
    const gw = this.plan.settings.gateway;
    const res = await this.sudo(verifyScript(this.plan.settings.interface, gw, this.plan.settings.dns?.length ? this.opts.dnsCheckName : undefined));
    const s = splitSections(res.stdout);
    let addressOk = false;
    try {
      const info = JSON.parse(s.get('addr') ?? '[]') as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
      addressOk = info.some((l) => (l.addr_info ?? []).some((a) => a.local === address && a.prefixlen === prefix));
    } catch {
      addressOk = false;
    }
    const gateway = !gw ? 'skipped' : neighAnswered(s.get('neigh') ?? '') ? 'ok' : 'silent';
    const dns = !s.has('dns') ? 'skipped' : (s.get('dns') ?? '').includes('@@dns-failed') || !(s.get('dns') ?? '').trim() ? 'failed' : 'ok';
    return { address: addressOk ? 'ok' : 'missing', gateway, dns };
  }

  /**
   * Something failed after the rollback was armed. Reach the node wherever it answers, make the rollback
   * restore now rather than at its deadline, and report the node back on its old address.
   */
  private async recover(err: unknown, previousHost: string, newHost: string, when: string): Promise<ApplyResult> {
    const running = this.steps.find((s) => s.status === 'running');
    if (running) this.finish(running.id, 'failed', err instanceof Error ? err.message : String(err));
    const reason = `${err instanceof Error ? err.message.replace(/\.$/, '') : String(err)} (${when})`;
    for (const host of [...new Set([this.shell.closed ? previousHost : this.shell.host, previousHost, newHost])]) {
      if (this.shell.closed || this.shell.host !== host) {
        const ok = await this.connectUntil(host, Math.min(this.now() + 5000, this.deadline! - 1000));
        if (!ok) continue;
      }
      const fired = await this.sudoSafe(fireNowScript(this.dir));
      if (fired) return this.awaitRollback(previousHost, newHost, reason, true);
    }
    return this.awaitRollback(previousHost, newHost, reason);
  }

  /** Waits for the node's rollback (now or at its deadline), then reconnects on the old address and confirms it. */
  private async awaitRollback(previousHost: string, newHost: string, reason: string, firedNow = false): Promise<ApplyResult> {
    this.start('rollback', firedNow ? 'The node is restoring its previous settings now…' : `Waiting for the node to restore its previous settings at the deadline…`);
    for (const s of this.steps) if (s.status === 'pending') s.status = 'skipped';
    this.shell.close();
    const startAt = firedNow ? this.now() : this.deadline!;
    if (!firedNow) {
      while (this.now() < startAt) {
        this.emit(`The node restores its previous settings in ${Math.ceil((startAt - this.now()) / 1000)} s…`);
        await sleep(Math.min(1000, startAt - this.now()));
      }
    }
    this.rollbackState = 'fired';
    const until = this.now() + (this.opts.recoveryGraceMs ?? 90_000);
    let state = '';
    while (this.now() < until) {
      if (await this.connectUntil(previousHost, until)) {
        const st = await this.sudoSafe(stateScript(this.dir));
        state = /^state=(.*)$/m.exec(st?.stdout ?? '')?.[1] ?? '';
        if (state.startsWith('rolled-back')) break;
        await sleep(500);
      }
    }
    this.stopTicker();
    if (!state.startsWith('rolled-back')) {
      const msg = `The node did not come back on ${previousHost} after the rollback (${state || 'no answer'}). It should have restored ${this.dir}/files by itself; check the node on its console.`;
      this.finish('rollback', 'failed', msg);
      throw new FieldbenchError('network.unreachableAfterRollback', msg);
    }
    const ok = state === 'rolled-back 0';
    const message = `${reason[0]!.toUpperCase()}${reason.slice(1)}, so the node restored its previous settings by itself and answers on ${previousHost} again. Nothing from this change remains${ok ? '' : ' (the re-apply reported a problem; see the backup folder\'s rollback-apply.log)'}.`;
    this.finish('rollback', ok ? 'ok' : 'warning', message);
    return this.result('rolled-back', previousHost, previousHost, newHost, message, { address: 'skipped', gateway: 'skipped', dns: 'skipped' }, false);
  }

  private result(outcome: ApplyResult['outcome'], host: string, previousHost: string, newHost: string, message: string, verification: ApplyResult['verification'], profileUpdated: boolean): ApplyResult {
    return {
      applyId: this.opts.applyId,
      outcome,
      host,
      previousHost,
      newHost,
      message,
      steps: this.steps.map((s) => ({ ...s })),
      backupDir: this.dir,
      verification,
      profileUpdated,
      ...(this.shell.hostKeyFingerprint ? { hostKeyFingerprint: this.shell.hostKeyFingerprint } : {}),
    };
  }
}
