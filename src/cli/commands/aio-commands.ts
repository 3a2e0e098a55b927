import type { CliCommand } from '../cli-command';

/** The AIO broker area's CLI commands (fieldbench aio …). */
export const aioCommands: CliCommand[] = [];
