import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { FieldbenchError } from '@shared/errors';
import { shellQuote } from '@shared/shell-quote';
import { edgeErrors, type Target } from './edge-errors';
import { noCommonAlgorithm, OfferLog, sshAlgorithms } from './ssh-algorithms';
import { sshFingerprint, sshKeyType } from './ssh-keys';

const { Client } = ssh2;

export type SshAuth =
  | { method: 'key'; privateKey: string; passphrase?: string }
  | { method: 'password'; password: string }
  | { method: 'agent' };

/** Everything needed to open one SSH connection; built from a node profile and the vault. */
export interface SshEndpoint extends Target {
  /** The node profile's id. */
  id: string;
  auth: SshAuth;
  /** The trusted host key; absent until the person trusted one. The type is 'unknown' when only a fingerprint was given. */
  hostKey?: { type: string; fingerprint: string };
  /** Also offer the legacy algorithms (LEGACY_SSH_ALGORITHMS): the node's sshd offers nothing better. */
  legacyAlgorithms?: boolean;
  /** Password for sudo (for password logins, the login password unless set otherwise). */
  sudoPassword?: string;
  /** Reach this node through another one. */
  jump?: SshEndpoint;
}

export interface SshOptions {
  /** How long the TCP connect plus handshake may take. */
  readyTimeoutMs?: number;
  /** Keepalive probes every this many ms; after keepaliveCountMax unanswered, the connection counts as dropped. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** The SSH agent socket (SSH_AUTH_SOCK) for agent logins. */
  agentSocket?: string;
}

export interface PresentedHostKey {
  type: string;
  fingerprint: string;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's stdin, then EOF. */
  input?: string | Buffer;
  signal?: AbortSignal;
}

export interface SudoOptions extends ExecOptions {
  /** Overrides the endpoint's sudo password for this call. */
  password?: string;
}

/** Output beyond this is cut: commands here read configs and kubeconfigs, not bulk data. */
const MAX_OUTPUT = 32 * 1024 * 1024;

function cancelled(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new FieldbenchError('cancelled', 'The operation was cancelled.');
}

/**
 * One live SSH connection to a node. Opened only through {@link openSsh}, which refuses any host key that
 * is not the trusted one; closed by the pool when idle or by the caller.
 */
export class SshConnection {
  private sftpPromise: Promise<SFTPWrapper> | undefined;
  private isClosed = false;
  private readonly closeListeners = new Set<(err?: Error) => void>();
  private lastError: Error | undefined;

  constructor(
    private readonly client: ssh2.Client,
    readonly endpoint: SshEndpoint,
    readonly hostKey: PresentedHostKey,
    private readonly jump?: SshConnection,
  ) {
    client.on('error', (err) => {
      this.lastError = err;
    });
    client.on('close', () => {
      this.isClosed = true;
      this.jump?.close();
      for (const l of [...this.closeListeners]) l(this.lastError);
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Called once when the connection ends, for whatever reason. Returns unsubscribe. */
  onClose(listener: (err?: Error) => void): () => void {
    if (this.isClosed) {
      listener(this.lastError);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    if (!this.isClosed) this.client.end();
  }

  private channel(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(edgeErrors.dropped(this.endpoint, this.lastError));
      this.client.exec(command, (err, stream) => (err ? reject(this.isClosed ? edgeErrors.dropped(this.endpoint, err) : err) : resolve(stream)));
    });
  }

  /** Runs a command as the login user and collects its output; a non-zero exit is returned, not thrown. */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const stream = await this.channel(command);
    const run = collect(stream, this, opts.signal);
    if (opts.input !== undefined) stream.end(opts.input);
    else stream.end();
    return run.done;
  }

  /**
   * Runs a command as root through `sudo -S`. The password is written to sudo's stdin only when sudo
   * prompts (a random prompt marks it), so a passwordless sudo never passes the password to the command;
   * the command's own input follows only once a start marker shows it runs. Never logs the password.
   */
  async sudo(command: string, opts: SudoOptions = {}): Promise<ExecResult> {
    const tag = randomBytes(6).toString('hex');
    const prompt = `[fieldbench-sudo-${tag}]`;
    const start = `[fieldbench-start-${tag}]`;
    const inner = `printf '%s\\n' '${start}' >&2; ${command}`;
    const stream = await this.channel(`sudo -S -p '${prompt}' -- sh -c ${shellQuote(inner)}`);
    const password = opts.password ?? this.endpoint.sudoPassword;
    let prompts = 0;
    let started = false;
    let outcome: 'needPassword' | 'refused' | undefined;
    const run = collect(stream, this, opts.signal, (stderrSoFar) => {
      if (started) return;
      const seen = stderrSoFar.split(prompt).length - 1;
      if (seen > prompts) {
        prompts = seen;
        if (prompts === 1 && password !== undefined) stream.write(`${password}\n`);
        else {
          // No password to give, or sudo asked again (the first one was wrong): end stdin so sudo gives up.
          outcome = password === undefined ? 'needPassword' : 'refused';
          stream.end();
        }
      }
      if (stderrSoFar.includes(start)) {
        started = true;
        if (opts.input !== undefined) stream.end(opts.input);
        else stream.end();
      }
    });
    const res = await run.done;
    const startAt = res.stderr.indexOf(start);
    const before = startAt === -1 ? res.stderr : res.stderr.slice(0, startAt);
    if (startAt === -1) {
      const text = before.split(prompt).join('');
      if (outcome === 'needPassword' || /no password was provided|a password is required|no tty present/i.test(text)) {
        throw edgeErrors.sudoPasswordNeeded(this.endpoint);
      }
      if (outcome === 'refused' || /incorrect password|Sorry, try again|authentication failure/i.test(text)) throw edgeErrors.sudoRefused(this.endpoint);
      if (/not in the sudoers|may not run sudo|is not allowed to (execute|run)|sudo: (command )?not found|sudo: not found/i.test(text) || res.code === 127) {
        throw edgeErrors.noSudo(this.endpoint, text);
      }
      throw edgeErrors.commandFailed(this.endpoint, 'sudo', res.code, text);
    }
    return { ...res, stderr: res.stderr.slice(startAt + start.length).replace(/^\r?\n/, '') };
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpPromise ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) => {
        if (err) {
          this.sftpPromise = undefined;
          reject(new FieldbenchError('edge.sftpUnavailable', `${this.endpoint.name} does not offer SFTP. Enable the sftp subsystem in sshd_config.`, { cause: err }));
        } else {
          sftp.on('close', () => (this.sftpPromise = undefined));
          resolve(sftp);
        }
      });
    });
    return this.sftpPromise;
  }

  /** Reads a file the login user may read, over SFTP. */
  async readFile(path: string): Promise<Buffer> {
    const sftp = await this.sftp();
    return new Promise((resolve, reject) => {
      sftp.readFile(path, (err: Error | undefined, data: Buffer) => (err ? reject(this.sftpError(err, path, 'read')) : resolve(data)));
    });
  }

  /** Writes a file the login user may write, over SFTP. */
  async writeFile(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => {
      sftp.writeFile(path, data, { mode }, (err: Error | undefined | null) => (err ? reject(this.sftpError(err, path, 'write')) : resolve()));
    });
  }

  /** Reads a file only root may read (k3s.yaml, netplan files) with `sudo cat`. */
  async sudoReadFile(path: string, opts: SudoOptions = {}): Promise<Buffer> {
    const res = await this.sudo(`cat -- ${shellQuote(path)}`, opts);
    if (res.code !== 0) throw edgeErrors.commandFailed(this.endpoint, `Reading ${path}`, res.code, res.stderr);
    return res.stdout;
  }

  /** Writes a root-owned file: SFTP to a private temp file, then `sudo install` it into place with the mode. */
  async sudoWriteFile(path: string, data: string | Buffer, mode = 0o600, opts: SudoOptions = {}): Promise<void> {
    const tmp = `/tmp/.fieldbench-${randomBytes(8).toString('hex')}`;
    await this.writeFile(tmp, data, 0o600);
    const res = await this.sudo(`install -m ${mode.toString(8)} -- ${shellQuote(tmp)} ${shellQuote(path)}; rc=$?; rm -f -- ${shellQuote(tmp)}; exit $rc`, opts).catch(async (err: unknown) => {
      await this.exec(`rm -f -- ${shellQuote(tmp)}`).catch(() => undefined);
      throw err;
    });
    if (res.code !== 0) throw edgeErrors.commandFailed(this.endpoint, `Writing ${path}`, res.code, res.stderr);
  }

  /** A channel to host:port as seen from the node (a direct-tcpip forward). */
  forwardOut(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(edgeErrors.dropped(this.endpoint, this.lastError));
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (err) {
          reject(
            this.isClosed
              ? edgeErrors.dropped(this.endpoint, err)
              : new FieldbenchError('edge.forwardRefused', `${this.endpoint.name} refused to forward to ${host}:${port}: nothing listens there, or sshd forbids forwarding (AllowTcpForwarding).`, { cause: err }),
          );
        } else resolve(stream);
      });
    });
  }

  private sftpError(err: Error, path: string, verb: string): FieldbenchError {
    const code = (err as { code?: number }).code;
    if (code === 2) return new FieldbenchError('edge.fileNotFound', `${path} does not exist on ${this.endpoint.name}.`, { cause: err });
    if (code === 3) return new FieldbenchError('edge.permissionDenied', `${this.endpoint.user} may not ${verb} ${path} on ${this.endpoint.name}.`, { cause: err });
    if (this.isClosed) return edgeErrors.dropped(this.endpoint, err);
    return new FieldbenchError('edge.sftpFailed', `Could not ${verb} ${path} on ${this.endpoint.name}.`, { cause: err });
  }
}

/** Collects a channel's output; `onStderr` sees the whole stderr so far after each chunk. */
function collect(stream: ClientChannel, conn: SshConnection, signal: AbortSignal | undefined, onStderr?: (stderrSoFar: string) => void): { done: Promise<ExecResult> } {
  const out: Buffer[] = [];
  let outLen = 0;
  let err = '';
  const done = new Promise<ExecResult>((resolve, reject) => {
    let exit: { code: number | null; signal?: string } | undefined;
    const onAbort = () => {
      stream.close();
      reject(cancelled(signal!));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const offClose = conn.onClose((cause) => {
      signal?.removeEventListener('abort', onAbort);
      if (!exit) reject(edgeErrors.dropped(conn.endpoint, cause));
    });
    stream.on('data', (d: Buffer) => {
      if (outLen < MAX_OUTPUT) {
        out.push(d);
        outLen += d.length;
      }
    });
    stream.stderr.on('data', (d: Buffer) => {
      if (err.length < MAX_OUTPUT) err += d.toString('utf8');
      onStderr?.(err);
    });
    stream.on('exit', (code: number | null, sig?: string) => {
      exit = sig ? { code, signal: sig } : { code };
    });
    stream.on('close', () => {
      offClose();
      signal?.removeEventListener('abort', onAbort);
      if (conn.closed && !exit) return reject(edgeErrors.dropped(conn.endpoint));
      resolve({ code: exit?.code ?? null, ...(exit?.signal ? { signal: exit.signal } : {}), stdout: Buffer.concat(out), stderr: err });
    });
  });
  return { done };
}

/** The verdict of the host key check, kept so the connect error can say which case it was. */
type HostKeyVerdict = { kind: 'trusted' | 'unknown' | 'changed'; presented: PresentedHostKey } | undefined;

/**
 * Opens an SSH connection, through the endpoint's jump host when it has one. Refuses an unknown host key
 * (edge.hostKeyUnknown, carrying the fingerprint so the person can confirm it) and a changed one
 * (edge.hostKeyChanged, with both fingerprints). `onHostKey` sees what the node presented either way.
 */
export async function openSsh(endpoint: SshEndpoint, options: SshOptions = {}, signal?: AbortSignal, onHostKey?: (endpoint: SshEndpoint, key: PresentedHostKey, verdict: 'trusted' | 'unknown' | 'changed') => void): Promise<SshConnection> {
  if (signal?.aborted) throw cancelled(signal);
  let jump: SshConnection | undefined;
  let sock: Duplex | undefined;
  if (endpoint.jump) {
    try {
      jump = await openSsh(endpoint.jump, options, signal, onHostKey);
      sock = await jump.forwardOut(endpoint.host, endpoint.port);
    } catch (err) {
      jump?.close();
      if (err instanceof FieldbenchError && err.code === 'edge.forwardRefused') {
        throw new FieldbenchError('edge.unreachable', `Cannot reach ${endpoint.name} (${endpoint.host}:${endpoint.port}) through the jump host ${endpoint.jump.name}: it could not connect there. Check the address and that sshd runs on the node.`, { cause: err });
      }
      throw err;
    }
  }
  if (endpoint.auth.method === 'agent' && !options.agentSocket) {
    jump?.close();
    throw edgeErrors.noAgent();
  }

  const client = new Client();
  let verdict: HostKeyVerdict;
  const trusted = endpoint.hostKey;
  const offers = new OfferLog();
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: options.readyTimeoutMs ?? 20_000,
    keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    ...(sock ? { sock } : {}),
    algorithms: sshAlgorithms(endpoint.legacyAlgorithms === true, trusted?.type),
    debug: offers.debug,
    hostVerifier: (key: Buffer): boolean => {
      const presented = { type: sshKeyType(key), fingerprint: sshFingerprint(key) };
      const kind = !trusted ? 'unknown' : trusted.fingerprint === presented.fingerprint ? 'trusted' : 'changed';
      verdict = { kind, presented };
      onHostKey?.(endpoint, presented, kind);
      return kind === 'trusted';
    },
  };
  if (endpoint.auth.method === 'key') {
    config.privateKey = endpoint.auth.privateKey;
    if (endpoint.auth.passphrase !== undefined) config.passphrase = endpoint.auth.passphrase;
  } else if (endpoint.auth.method === 'password') {
    config.password = endpoint.auth.password;
    config.tryKeyboard = true;
    client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
      finish(prompts.map(() => (endpoint.auth as { password: string }).password));
    });
  } else {
    config.agent = options.agentSocket!;
  }

  return new Promise<SshConnection>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      client.end();
      jump?.close();
      reject(err);
    };
    const onAbort = () => fail(cancelled(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(new SshConnection(client, endpoint, verdict!.presented, jump));
    });
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      if (verdict?.kind === 'unknown') return fail(edgeErrors.hostKeyUnknown(endpoint, verdict.presented.type, verdict.presented.fingerprint));
      if (verdict?.kind === 'changed') return fail(edgeErrors.hostKeyChanged(endpoint, verdict.presented.type, verdict.presented.fingerprint, `${trusted!.type} ${trusted!.fingerprint}`));
      if (err.level === 'client-authentication') return fail(edgeErrors.authFailed(endpoint, endpoint.auth.method, err));
      const offer = err.level === 'handshake' ? offers.offerFor(err.message) : undefined;
      if (offer) return fail(noCommonAlgorithm(`${endpoint.name} (${endpoint.host}:${endpoint.port})`, endpoint.legacyAlgorithms === true, offer, err));
      if (endpoint.auth.method === 'agent' && err.level === 'agent') {
        return fail(new FieldbenchError('edge.noAgent', `The SSH agent at SSH_AUTH_SOCK did not answer. Start your agent and add your key (ssh-add), then try again.`, { cause: err }));
      }
      if (/encrypted|passphrase|Cannot parse privateKey/i.test(err.message)) {
        return fail(new FieldbenchError('edge.keyInvalid', `The SSH key for ${endpoint.name} cannot be used: ${err.message}. Import the key again.`, { cause: err }));
      }
      fail(edgeErrors.unreachable(endpoint, err));
    });
    client.on('close', () => {
      if (!settled) fail(verdict ? edgeErrors.dropped(endpoint) : edgeErrors.unreachable(endpoint, { code: 'ECONNRESET' }));
    });
    try {
      client.connect(config);
    } catch (err) {
      fail(new FieldbenchError('edge.keyInvalid', `The SSH settings for ${endpoint.name} cannot be used: ${(err as Error).message}.`, { cause: err }));
    }
  });
}

/** An SSH login typed in directly (host, user, key or password) for a node that has no profile yet. */
export interface DirectLogin extends Target {
  auth: Exclude<SshAuth, { method: 'agent' }>;
  /** The password sudo asks for; password logins reuse the login password when absent. */
  sudoPassword?: string;
  /** `SHA256:…` the person confirmed; without it the connection is refused before any credential is sent. */
  hostKeyFingerprint?: string;
  legacyAlgorithms?: boolean;
}

/**
 * A direct login gets the same first-use rule as a node profile: no confirmed fingerprint, no login. The
 * handshake goes only as far as the host key (ssh2 sends no userauth request before the host verifier
 * accepts), and the refusal carries the presented key so the person can compare it and confirm it.
 */
export async function openDirectSsh(login: DirectLogin, options: SshOptions = {}, signal?: AbortSignal): Promise<SshConnection> {
  const endpoint: SshEndpoint = {
    id: `direct:${login.user}@${login.host}:${login.port}`,
    name: login.name,
    host: login.host,
    port: login.port,
    user: login.user,
    auth: login.auth,
    ...(login.hostKeyFingerprint ? { hostKey: { type: 'unknown', fingerprint: login.hostKeyFingerprint } } : {}),
    ...(login.legacyAlgorithms ? { legacyAlgorithms: true } : {}),
  };
  const sudoPassword = login.sudoPassword ?? (login.auth.method === 'password' ? login.auth.password : undefined);
  if (sudoPassword !== undefined) endpoint.sudoPassword = sudoPassword;
  try {
    return await openSsh(endpoint, options, signal);
  } catch (err) {
    if (err instanceof FieldbenchError && err.code === 'edge.hostKeyUnknown' && err.detail) {
      const { type, fingerprint } = JSON.parse(err.detail) as { type: string; fingerprint: string };
      throw edgeErrors.directHostKeyUnknown(endpoint, type, fingerprint);
    }
    throw err;
  }
}
