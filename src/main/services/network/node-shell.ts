/**
 * The little the network service needs from an SSH connection to a node. The edge area's connection
 * (src/main/services/edge) is adapted to this in the network area; `Ssh2NodeShell` implements it directly
 * with ssh2 for ad-hoc targets (`--host --user --key-file`) and the tests.
 */
export interface ShellResult {
  /** Exit code; null when the command was ended by a signal or the connection dropped. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ShellExecOptions {
  /** Run as root through sudo. Implementations throw FieldbenchError 'network.noSudo' / 'network.sudoRefused'. */
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

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Error codes a NodeShell implementation uses, so the service can word its own sentences. */
export const SHELL_ERRORS = {
  noSudo: 'network.noSudo',
  sudoRefused: 'network.sudoRefused',
  sudoPasswordNeeded: 'network.sudoPasswordNeeded',
  dropped: 'network.connectionDropped',
  connectFailed: 'network.connectFailed',
  hostKeyChanged: 'network.hostKeyChanged',
} as const;
