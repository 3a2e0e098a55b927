import type { CliCommand } from '../cli-command';

/** The mqtt area's CLI commands. */
export const mqttCommands: CliCommand[] = [];
