/**
 * The little the network service needs from an SSH connection to a node. There is one SSH client, the edge
 * area's (src/main/services/edge/ssh-connection.ts); `SshNodeShell` adapts its connections to this, for
 * node profiles and direct logins (`--host --user --key-file`) alike.
 */
export interface ShellResult {
  /** Exit code; null when the command was ended by a signal or the connection dropped. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ShellExecOptions {
  /** Run as root through sudo. Refusals are the edge client's FieldbenchErrors 'edge.noSudo' / 'edge.sudoRefused' / 'edge.sudoPasswordNeeded'. */
  sudo?: boolean;
  /** Written to the command's stdin (after any sudo password), then EOF. */
  stdin?: string;
  signal?: AbortSignal;
}

export interface ShellConnectOptions {
  /** How long one connection attempt (TCP + handshake) may take. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface NodeShell {
  /** The address the shell is connected (or was last connected) to. */
  readonly host: string;
  /** SHA256 fingerprint of the node's host key as first seen; a reconnect must present the same key. */
  readonly hostKeyFingerprint: string | undefined;
  /** True once the connection has ended for any reason. */
  readonly closed: boolean;
  /** Runs a command through the login shell; a non-zero exit is returned, not thrown. */
  exec(command: string, opts?: ShellExecOptions): Promise<ShellResult>;
  /**
   * Opens a fresh connection, to `host` when given (the node's new address) or to the current one. Must
   * refuse a node whose host key differs from the first one seen: the new address could be someone else.
   */
  reconnect(host?: string, opts?: ShellConnectOptions): Promise<void>;
  close(): void;
}

/** The little of an SSH connection (the edge area's SshConnection) a node shell runs commands over. */
export interface SshLink {
  readonly closed: boolean;
  readonly hostKey: { fingerprint: string };
  exec(command: string, opts?: { input?: string; signal?: AbortSignal }): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
  /** sudo with the login's sudo password; throws edge.noSudo / edge.sudoRefused / edge.sudoPasswordNeeded. */
  sudo(command: string, opts?: { input?: string; signal?: AbortSignal }): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
  close(): void;
}

/** SSH settings for the network area's own connections. */
export interface LinkOptions {
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

/** A direct login as the edge area's `openDirectSsh` takes it (declared here so this area imports none of edge's internals). */
export interface DirectSshLogin {
  name: string;
  host: string;
  port: number;
  user: string;
  auth: { method: 'key'; privateKey: string; passphrase?: string } | { method: 'password'; password: string };
  sudoPassword?: string;
  hostKeyFingerprint?: string;
  legacyAlgorithms?: boolean;
}

/** Opens a direct login; refuses an unconfirmed or different host key before sending any credential. */
export type ConnectDirect = (login: DirectSshLogin, ssh: LinkOptions, signal?: AbortSignal) => Promise<SshLink>;
