import type { CliCommand } from '../cli-command';

/** The pki area's CLI commands. */
export const pkiCommands: CliCommand[] = [];
