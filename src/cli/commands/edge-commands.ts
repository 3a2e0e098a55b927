import type { CliCommand } from '../cli-command';

/** The edge area's CLI commands. */
export const edgeCommands: CliCommand[] = [];
