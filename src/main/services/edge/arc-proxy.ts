import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { FieldbenchError } from '@shared/errors';
import { loadKubeconfig } from './node-kubeconfig';

/** `az connectedk8s proxy` uses this port itself and refuses it as --port. */
export const ARC_RESERVED_PORT = 47010;

export interface ArcTarget {
  clusterName: string;
  resourceGroup: string;
  /** A service account token: the proxy then authenticates with it instead of the Azure login. */
  token?: string;
}

export interface ArcProxyOptions {
  /** Where to look for `az`; default the process environment's PATH. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for "Proxy is listening on port N". */
  readyTimeoutMs?: number;
}

const INSTALL_HINT = 'Install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli), then run `az extension add --name connectedk8s` and `az login`. Without internet, use SSH access to the node instead.';

/** The first executable called `name` on PATH (with Windows' extensions there). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext.toLowerCase());
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* keep looking */
      }
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1, never the one the Arc proxy keeps for itself. */
export async function freeLocalPort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (port !== ARC_RESERVED_PORT) return port;
  }
}

/** Keeps the last few KiB of a process's output for error messages, with the token blanked out. */
class OutputTail {
  private text = '';
  constructor(private readonly secret?: string) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-8192);
  }
  toString(): string {
    const t = this.secret ? this.text.split(this.secret).join('***') : this.text;
    return t.trim();
  }
}

/**
 * A supervised `az connectedk8s proxy`: its own process group (so the proxy binary az starts ends with
 * it), a private kubeconfig file in a 0700 temp folder, a free port. `stop()` ends the whole group.
 */
export class ArcProxy {
  private exited = false;
  private readonly exitListeners = new Set<() => void>();
  private readonly onProcessExit = () => this.killGroup('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    readonly kubeconfigPath: string,
    private readonly tail: OutputTail,
  ) {
    child.once('exit', () => {
      this.exited = true;
      for (const l of [...this.exitListeners]) l();
    });
    // If Fieldbench itself ends, a detached proxy would outlive it: take the group down synchronously.
    process.once('exit', this.onProcessExit);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Output so far (token removed), for diagnostics. */
  output(): string {
    return this.tail.toString();
  }

  onExit(listener: () => void): () => void {
    if (this.exited) {
      listener();
      return () => {};
    }
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Starts the proxy and waits until it listens; the kubeconfig it wrote is then loaded. */
  static async start(target: ArcTarget, options: ArcProxyOptions = {}, signal?: AbortSignal): Promise<{ proxy: ArcProxy; kubeConfig: KubeConfig }> {
    const env = options.env ?? process.env;
    const az = findExecutable('az', env);
    if (!az) throw new FieldbenchError('edge.azMissing', `The Azure CLI (az) is not installed on this computer, so the Arc proxy cannot start. ${INSTALL_HINT}`);
    const port = await freeLocalPort();
    const dir = mkdtempSync(join(tmpdir(), 'fieldbench-arc-'));
    chmodSync(dir, 0o700);
    const kubeconfigPath = join(dir, 'kubeconfig');
    // A token on argv is readable by every local user in /proc/PID/cmdline while the proxy runs. The Azure CLI
    // loads any `@path` argument value from that file (azure-cli-core `_expand_file_prefixed_files`), so the
    // token goes in a 0600 file, created exclusively in the private folder and deleted once az is listening.
    const tokenPath = join(dir, 'token');
    if (target.token) writeFileSync(tokenPath, target.token, { mode: 0o600, flag: 'wx' });
    const args = ['connectedk8s', 'proxy', '-n', target.clusterName, '-g', target.resourceGroup, ...(target.token ? ['--token', `@${tokenPath}`] : []), '--port', String(port), '-f', kubeconfigPath];
    const tail = new OutputTail(target.token);
    let child: ChildProcess;
    try {
      child = spawn(az, args, { detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], env: { ...env }, windowsHide: true });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw new FieldbenchError('edge.azMissing', `The Azure CLI (az) could not be started. ${INSTALL_HINT}`, { cause: err });
    }
    const proxy = new ArcProxy(child, dir, port, kubeconfigPath, tail);
    try {
      try {
        await proxy.waitReady(options.readyTimeoutMs ?? 60_000, target, signal);
      } finally {
        // az read its arguments before it printed anything; the file has done its job either way.
        rmSync(tokenPath, { force: true });
      }
      const yaml = readFileSync(kubeconfigPath, 'utf8');
      chmodSync(kubeconfigPath, 0o600);
      return { proxy, kubeConfig: await loadKubeconfig(yaml, 'The kubeconfig written by the Arc proxy') };
    } catch (err) {
      await proxy.stop();
      throw err;
    }
  }

  private waitReady(timeoutMs: number, target: ArcTarget, signal?: AbortSignal): Promise<void> {
    const { child, tail } = this;
    return new Promise<void>((resolve, reject) => {
      let lines = '';
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        child.stdout?.off('data', onOut);
        child.off('exit', onExit);
      };
      const onOut = (d: Buffer) => {
        tail.push(d);
        lines += d.toString();
        const m = /Proxy is listening on port (\d+)/i.exec(lines);
        if (m) {
          // az writes the kubeconfig before it starts listening; the file must be there now.
          if (!existsSync(this.kubeconfigPath)) {
            cleanup();
            return reject(new FieldbenchError('edge.arcProxyFailed', `The Arc proxy started but wrote no kubeconfig. Its output: ${tail.toString() || '(none)'}`));
          }
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(arcFailure(tail.toString(), code, target));
      };
      const onAbort = () => {
        cleanup();
        reject(signal!.reason instanceof Error ? signal!.reason : new FieldbenchError('cancelled', 'The operation was cancelled.'));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new FieldbenchError(
            'edge.arcProxyTimeout',
            `The Arc proxy did not report "Proxy is listening" within ${Math.round(timeoutMs / 1000)} s. It needs internet access and an az login. Its output: ${tail.toString() || '(none)'}`,
          ),
        );
      }, timeoutMs);
      child.stdout?.on('data', onOut);
      child.stderr?.on('data', (d: Buffer) => tail.push(d));
      child.once('exit', onExit);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private killGroup(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (!pid) return;
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      return;
    }
    try {
      process.kill(-pid, sig);
    } catch {
      /* the group is gone already */
    }
  }

  private groupAlive(): boolean {
    const pid = this.child.pid;
    if (!pid || process.platform === 'win32') return !this.exited;
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Ends the proxy's whole process group (TERM, then KILL after 3 s) and deletes its kubeconfig. Safe to call twice. */
  async stop(): Promise<void> {
    process.off('exit', this.onProcessExit);
    if (this.groupAlive()) {
      this.killGroup('SIGTERM');
      const deadline = Date.now() + 3000;
      while (this.groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      if (this.groupAlive()) this.killGroup('SIGKILL');
      const hard = Date.now() + 2000;
      while (this.groupAlive() && Date.now() < hard) await new Promise((r) => setTimeout(r, 25));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function arcFailure(output: string, code: number | null, target: ArcTarget): FieldbenchError {
  const said = output || '(no output)';
  if (/already (running|in use)|another instance|only one/i.test(output)) {
    return new FieldbenchError('edge.arcProxyBusy', `Another Arc proxy is already running on this computer, and az allows only one at a time. Close the other one (another Fieldbench window or a terminal running az connectedk8s proxy) and try again. az said: ${said}`);
  }
  if (/az login|not logged in|Please run 'az login'/i.test(output)) {
    return new FieldbenchError('edge.arcLoginNeeded', `The Azure CLI is not signed in. Run \`az login\` (this needs internet) and try again. az said: ${said}`);
  }
  if (/connectedk8s.*(misspelled|not recognized|not installed)|extension/i.test(output) && !/Proxy/.test(output)) {
    return new FieldbenchError('edge.arcExtensionMissing', `The connectedk8s extension of the Azure CLI is missing. Run \`az extension add --name connectedk8s\` and try again. az said: ${said}`);
  }
  if (/ResourceNotFound|could not be found|was not found/i.test(output)) {
    return new FieldbenchError('edge.arcClusterNotFound', `Azure has no Arc cluster ${target.clusterName} in resource group ${target.resourceGroup}. Check both names in the node's profile. az said: ${said}`);
  }
  return new FieldbenchError('edge.arcProxyFailed', `The Arc proxy stopped before it was ready (exit ${code ?? 'signal'}). az said: ${said}`);
}
