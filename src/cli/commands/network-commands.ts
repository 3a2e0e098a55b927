import type { CliCommand } from '../cli-command';

/** The network area's CLI commands. */
export const networkCommands: CliCommand[] = [];
