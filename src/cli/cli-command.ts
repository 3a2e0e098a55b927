import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

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

/** Error codes that mean something other than "failed"; every command's error reaches exitCodeFor. */
const EXIT_BY_CODE: Readonly<Record<string, number>> = {
  cancelled: EXIT.interrupted,
  'vault.wrongPassword': EXIT.auth,
  'mqtt.badCredentials': EXIT.auth,
  'mqtt.notAuthorized': EXIT.auth,
  'mqtt.badAuthMethod': EXIT.auth,
  'cli.noPassword': EXIT.usage,
  // Two things answer to the name given: the person has to pick one of the ids listed (AMBIGUOUS_NAME).
  'ref.ambiguous': EXIT.usage,
};

/** The one map from a thrown error to the process's exit code. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  const code = (err as { code?: unknown } | undefined)?.code;
  return (typeof code === 'string' && EXIT_BY_CODE[code]) || EXIT.failed;
}

/** node:util's parseArgs, strict, with a wrong command line turned into a UsageError (exit 2, usage printed). */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>, P extends boolean = true>(args: string[], options: O, allowPositionals: P = true as P) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
