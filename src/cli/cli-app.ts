import { dirname, resolve } from 'node:path';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import { FieldbenchError } from '@shared/errors';
import { composeApp, type AppContext } from '../main/compose';
import { defaultDataDir } from '../main/services/app/data-dir';
import { silentLogger } from '../main/services/app/logger';
import type { CliIO } from './cli-command';
import { projectRoot } from './cli-paths';
import { obtainPassword } from './vault-access';

export interface CliAppOptions {
  vault?: string | undefined;
  'data-dir'?: string | undefined;
  'password-stdin'?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * One open app for one command. Commands go through the same dispatcher (and so the same request
 * validation) as the desktop window and the loopback host; nothing in the CLI calls a service directly.
 */
export class CliApp {
  private app: AppContext | undefined;
  private unlocked = false;
  private jobs = 0;

  constructor(
    private readonly values: CliAppOptions,
    private readonly io: CliIO,
    /** A vault password already read (e.g. the first line of a secrets stream on stdin). */
    private readonly presetPassword?: string,
  ) {}

  context(): AppContext {
    if (!this.app) {
      const vault = this.values.vault ? resolve(this.values.vault) : undefined;
      // With --vault alone, the vault's own folder is the data folder: nothing is created elsewhere.
      const dataDir = this.values['data-dir'] ?? (vault ? dirname(vault) : defaultDataDir(this.io.env));
      // For the same reason no log folder appears beside a vault named alone (a USB stick, a shared folder):
      // that run is not logged; --data-dir gives it a log.
      const quiet = vault !== undefined && this.values['data-dir'] === undefined;
      this.app = composeApp({ dataDir, runtime: 'cli', projectRoot: projectRoot(), toolEnv: this.io.env, ...(vault ? { vault: { path: vault } } : {}), ...(quiet ? { log: silentLogger } : {}) });
    }
    return this.app;
  }

  async unlock(): Promise<void> {
    if (this.unlocked) return;
    const status = this.context().vault.status();
    if (!status.exists) throw new FieldbenchError('vault.notFound', `There is no vault at ${status.path}. Create one with \`fieldbench vault create\`, or name another with --vault.`);
    const password = this.presetPassword ?? (await obtainPassword(this.io, { passwordStdin: this.values['password-stdin'] ?? false }));
    await this.call('vault.unlock', { password });
    this.unlocked = true;
  }

  /** Dispatches one contract call; long work reports progress on a terminal and stops on Ctrl+C. */
  async call<N extends CallName>(name: N, request: CallRequest<N>, job = false): Promise<CallResponse<N>> {
    const ctx = this.context();
    const jobId = job ? `cli-${process.pid}-${++this.jobs}` : undefined;
    const tty = (this.io.stderr as { isTTY?: boolean }).isTTY === true;
    const off = jobId && tty ? ctx.hub.on('jobs.onProgress', (p) => (p as { jobId: string }).jobId === jobId && this.io.stderr.write(`${(p as { message: string }).message}\n`)) : undefined;
    let done = false;
    // Ctrl+C cancels a job by id; any other call (e.g. pki.inspectFile) through its signal.
    const interrupt = new AbortController();
    void this.io.interrupted.then(() => !done && (jobId ? ctx.dispatcher.cancel(jobId) : interrupt.abort()));
    try {
      const r = await ctx.dispatcher.dispatch(name, request, jobId ? { jobId } : { signal: interrupt.signal });
      if (!r.ok) throw new FieldbenchError(r.error.code, r.error.message, r.error.detail === undefined ? {} : { detail: r.error.detail });
      return r.value as CallResponse<N>;
    } finally {
      done = true;
      off?.();
    }
  }

  /** A node profile by name or id, through the edge area's one resolver. */
  node(ref: string): Promise<CallResponse<'edge.resolveNode'>> {
    return this.call('edge.resolveNode', { ref });
  }

  /**
   * A certificate as a person names it: an id, a unique start of one, or a common name (the pki area's one
   * resolver; ambiguous names are refused with the candidates' ids). `ca` looks among CAs only.
   */
  async certificate(ref: string, options: { ca?: boolean } = {}): Promise<CallResponse<'pki.resolve'>> {
    return this.call('pki.resolve', { ref, ...options });
  }

  async certificateId(ref: string, options: { ca?: boolean } = {}): Promise<string> {
    return (await this.certificate(ref, options)).id;
  }

  /** A saved MQTT connection by name or id, through the mqtt area's one resolver. */
  async profileId(ref: string): Promise<string> {
    return (await this.call('mqtt.resolveProfile', { ref })).id;
  }

  print(human: string, data: unknown): void {
    this.io.stdout.write(this.values.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
  }

  async close(): Promise<void> {
    await this.app?.dispose();
  }
}
