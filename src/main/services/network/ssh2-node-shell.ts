import { createHash, randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { FieldbenchError } from '@shared/errors';
import { SHELL_ERRORS, shellQuote, type NodeShell, type ShellConnectOptions, type ShellExecOptions, type ShellResult } from './node-shell';

const { Client } = ssh2;

/** An SSH login given directly (host, user, key or password) rather than through a node profile. */
export interface DirectSshTarget {
  host: string;
  port: number;
  user: string;
  auth: { method: 'key'; privateKey: string; passphrase?: string } | { method: 'password'; password: string };
  /** The password sudo asks for; password logins reuse the login password when absent. */
  sudoPassword?: string;
  /** `SHA256:…`: refuse any other host key. Absent: accept the first key seen and pin it for reconnects. */
  hostKeyFingerprint?: string;
}

const MAX_OUTPUT = 8 * 1024 * 1024;

function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function cancelled(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new FieldbenchError('cancelled', 'The operation was cancelled.');
}

/**
 * A NodeShell over one ssh2 connection. Used for `--host --user --key-file` targets and by the tests until
 * the edge area's connections are adapted in the network area. Pins the host key it first saw, so a
 * reconnect to a node's new address only succeeds when the same node answers there.
 */
export class Ssh2NodeShell implements NodeShell {
  private client: ssh2.Client | undefined;
  private isClosed = true;
  private pinned: string | undefined;
  private currentHost: string;

  private constructor(private readonly target: DirectSshTarget) {
    this.currentHost = target.host;
    this.pinned = target.hostKeyFingerprint;
  }

  /** Connects and returns the shell; throws 'network.connectFailed', 'network.hostKeyChanged' or auth errors. */
  static async open(target: DirectSshTarget, opts: ShellConnectOptions = {}): Promise<Ssh2NodeShell> {
    const shell = new Ssh2NodeShell(target);
    await shell.reconnect(undefined, opts);
    return shell;
  }

  get host(): string {
    return this.currentHost;
  }

  get hostKeyFingerprint(): string | undefined {
    return this.pinned;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  close(): void {
    this.client?.end();
    this.client?.destroy();
    this.isClosed = true;
  }

  async reconnect(host: string = this.currentHost, opts: ShellConnectOptions = {}): Promise<void> {
    this.close();
    if (opts.signal?.aborted) throw cancelled(opts.signal);
    const client = new Client();
    let presented: string | undefined;
    const config: ConnectConfig = {
      host,
      port: this.target.port,
      username: this.target.user,
      readyTimeout: opts.timeoutMs ?? 15_000,
      // Short keepalives: a node that moved away must be noticed in seconds, not minutes.
      keepaliveInterval: 2_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        presented = fingerprintOf(key);
        return this.pinned === undefined || this.pinned === presented;
      },
    };
    if (this.target.auth.method === 'key') {
      config.privateKey = this.target.auth.privateKey;
      if (this.target.auth.passphrase !== undefined) config.passphrase = this.target.auth.passphrase;
    } else {
      config.password = this.target.auth.password;
    }
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          client.end();
          client.destroy();
          reject(err);
        } else resolve();
      };
      const onAbort = () => done(cancelled(opts.signal!));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      client.once('ready', () => done());
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (presented !== undefined && this.pinned !== undefined && presented !== this.pinned) {
          return done(
            new FieldbenchError(
              SHELL_ERRORS.hostKeyChanged,
              `The machine answering at ${host} presents host key ${presented}, not the node's ${this.pinned}. It is not the same node (or someone is intercepting); Fieldbench did not log in.`,
            ),
          );
        }
        if (err.level === 'client-authentication') {
          return done(new FieldbenchError('network.authFailed', `${host} refused the login as ${this.target.user}. Check the key or password.`, { cause: err }));
        }
        done(new FieldbenchError(SHELL_ERRORS.connectFailed, `Cannot reach ${host}:${this.target.port} over SSH (${err.code ?? err.message}).`, { cause: err }));
      });
      client.on('close', () => {
        // An old connection closing late must not mark the current one closed.
        if (this.client === client) this.isClosed = true;
        done(new FieldbenchError(SHELL_ERRORS.connectFailed, `${host} closed the connection during the SSH handshake.`));
      });
      try {
        client.connect(config);
      } catch (err) {
        done(new FieldbenchError('network.keyInvalid', `The SSH key cannot be used: ${(err as Error).message}.`, { cause: err }));
      }
    });
    this.client = client;
    this.isClosed = false;
    this.currentHost = host;
    this.pinned ??= presented;
  }

  async exec(command: string, opts: ShellExecOptions = {}): Promise<ShellResult> {
    if (!opts.sudo) {
      const stream = await this.channel(command);
      const run = this.collect(stream, opts.signal);
      stream.end(opts.stdin ?? '');
      return run;
    }
    return this.sudo(command, opts);
  }

  /**
   * `sudo -S` with a random prompt: the password is written only when sudo asks, and the command's own
   * stdin follows once a start marker shows the command runs. The password never reaches the command.
   */
  private async sudo(command: string, opts: ShellExecOptions): Promise<ShellResult> {
    const tag = randomBytes(6).toString('hex');
    const prompt = `[fieldbench-sudo-${tag}]`;
    const start = `[fieldbench-start-${tag}]`;
    const inner = `printf '%s\\n' '${start}' >&2; ${command}`;
    const stream = await this.channel(`sudo -S -p '${prompt}' -- sh -c ${shellQuote(inner)}`);
    const password = this.target.sudoPassword ?? (this.target.auth.method === 'password' ? this.target.auth.password : undefined);
    let prompts = 0;
    let started = false;
    let outcome: 'needPassword' | 'refused' | undefined;
    const res = await this.collect(stream, opts.signal, (stderr) => {
      if (started) return;
      const seen = stderr.split(prompt).length - 1;
      if (seen > prompts) {
        prompts = seen;
        if (prompts === 1 && password !== undefined) stream.write(`${password}\n`);
        else {
          outcome = password === undefined ? 'needPassword' : 'refused';
          stream.end();
        }
      }
      if (stderr.includes(start)) {
        started = true;
        stream.end(opts.stdin ?? '');
      }
    });
    const at = res.stderr.indexOf(start);
    if (at === -1) {
      const text = res.stderr.split(prompt).join('').trim();
      const who = `${this.target.user} on ${this.currentHost}`;
      if (outcome === 'needPassword' || /a password is required|no password was provided/i.test(text)) {
        throw new FieldbenchError(SHELL_ERRORS.sudoPasswordNeeded, `sudo asks ${who} for a password. Give the sudo password and try again.`);
      }
      if (outcome === 'refused' || /incorrect password|Sorry, try again/i.test(text)) {
        throw new FieldbenchError(SHELL_ERRORS.sudoRefused, `sudo refused the password of ${who}. Check the sudo password.`);
      }
      throw new FieldbenchError(SHELL_ERRORS.noSudo, `${who} may not use sudo. Log in as a user with sudo rights; changing the network needs root.`, { detail: text.slice(0, 500) });
    }
    return { ...res, stderr: res.stderr.slice(at + start.length).replace(/^\r?\n/, '') };
  }

  private channel(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      const client = this.client;
      if (!client || this.isClosed) return reject(this.dropped());
      client.exec(command, (err, stream) => (err ? reject(this.isClosed ? this.dropped(err) : err) : resolve(stream)));
    });
  }

  private dropped(cause?: unknown): FieldbenchError {
    return new FieldbenchError(SHELL_ERRORS.dropped, `The SSH connection to ${this.currentHost} dropped.`, { cause });
  }

  private collect(stream: ClientChannel, signal: AbortSignal | undefined, onStderr?: (soFar: string) => void): Promise<ShellResult> {
    const client = this.client!;
    return new Promise<ShellResult>((resolve, reject) => {
      let out = '';
      let err = '';
      let code: number | null = null;
      let exited = false;
      const onAbort = () => {
        stream.close();
        reject(cancelled(signal!));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const onClientClose = () => {
        signal?.removeEventListener('abort', onAbort);
        if (!exited) reject(this.dropped());
      };
      client.once('close', onClientClose);
      stream.on('data', (d: Buffer) => {
        if (out.length < MAX_OUTPUT) out += d.toString('utf8');
      });
      stream.stderr.on('data', (d: Buffer) => {
        if (err.length < MAX_OUTPUT) err += d.toString('utf8');
        onStderr?.(err);
      });
      stream.on('exit', (c: number | null) => {
        exited = true;
        code = c;
      });
      stream.on('close', () => {
        client.off('close', onClientClose);
        signal?.removeEventListener('abort', onAbort);
        if (!exited && this.isClosed) return reject(this.dropped());
        resolve({ code, stdout: out, stderr: err });
      });
    });
  }
}
