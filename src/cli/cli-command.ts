import type { Readable, Writable } from 'node:stream';

/** Exit codes, documented in docs/cli.md. Scripts rely on them: never renumber. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed (a check found problems, the node refused). */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** Something on this machine is missing or unusable (built app, data folder, external tool). */
  environment: 3,
  /** A password or token was refused. */
  auth: 4,
  /** Stopped by Ctrl+C. */
  interrupted: 130,
} as const;

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Resolves when the person asks to stop (Ctrl+C); long-running commands wait on it. */
  interrupted: Promise<void>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** A wrong command line: printed with the command's usage and exit code 2. */
export class UsageError extends Error {}
