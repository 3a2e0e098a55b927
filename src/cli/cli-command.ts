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

/** One verb of an area (`pki show`, `mqtt pub`): what `fieldbench <area> <verb> --help` prints. */
export interface CliVerb {
  name: string;
  /** Its synopsis and description, as the area's help lists it (without "fieldbench <area> "). */
  usage: string;
  /** The options this verb reads (without "--"); its help names every one of them. */
  options: readonly string[];
  /** Extra lines only this verb's help needs (option values, what a REF is). */
  notes?: string;
  /** The verb's own parser options when it does not use the area's (`mqtt connections`). */
  parser?: NonNullable<ParseArgsConfig['options']>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** The area's verbs, each with its own help; the area's parser options, to find the verb in a command line. */
  verbs?: readonly CliVerb[];
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Lines every verb's help ends with (vault, password, --json). */
  commonHelp?: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** The verb a command line names, read with the area's own options so `--vault X show` finds "show". */
export function verbOf(command: CliCommand, args: string[]): CliVerb | undefined {
  if (!command.verbs) return undefined;
  const { positionals } = parseArgs({ args, options: command.options ?? {}, allowPositionals: true, strict: false });
  return command.verbs.find((v) => v.name === positionals[0]);
}

/** `fieldbench <area> <verb> --help`: that verb's synopsis, its notes and the area's common lines, nothing else. */
export function verbHelp(command: CliCommand, verb: CliVerb): string {
  const indent = (text: string) => text.split('\n').map((l, i) => (i === 0 ? l : l.replace(/^ {0,4}/, '  '))).join('\n');
  return [`Usage: fieldbench ${command.name} ${indent(verb.usage.trimStart())}`, ...(verb.notes ? [verb.notes] : []), ...(command.commonHelp ? [command.commonHelp] : [])].join('\n');
}

/** An area's help: the verbs' synopses, one after the other, under a header and above a footer. */
export function areaUsage(header: string, verbs: readonly CliVerb[], footer: string): string {
  return [header, ...verbs.map((v) => v.usage), footer].join('\n');
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
