import { APP_VERSION } from '../main/version';
import { EXIT, UsageError, exitCodeFor, verbHelp, verbOf, type CliCommand, type CliIO } from './cli-command';
import { doctorCommand } from './commands/doctor-command';
import { serveCommand } from './commands/serve-command';
import { vaultCommand } from './commands/vault-command';
import { pkiCommands } from './commands/pki-commands';
import { edgeCommands } from './commands/edge-commands';
import { aioCommands } from './commands/aio-commands';
import { networkCommands } from './commands/network-commands';
import { mqttCommands } from './commands/mqtt-commands';
import { runbookCommands } from './commands/runbook-commands';
import { supportCommand } from './commands/support-command';
import { exportCommands } from './commands/export-commands';

/** Every subcommand; later areas add theirs here. */
export const COMMANDS: CliCommand[] = [serveCommand, doctorCommand, vaultCommand, ...pkiCommands, ...edgeCommands, ...aioCommands, ...networkCommands, ...mqttCommands, ...exportCommands, ...runbookCommands, supportCommand];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Fieldbench ${APP_VERSION} — certificates and connections for commissioning Azure IoT Operations edge nodes.`,
    '',
    'Usage: fieldbench <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options: --help, --version. `fieldbench <command> --help` shows a command\'s options.',
    'Exit codes: 0 ok, 1 failed, 2 wrong usage, 3 missing tool or folder, 4 password refused, 130 interrupted.',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`${helpText()}\n`);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${APP_VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.stderr.write(`There is no command "${first}". Run \`fieldbench --help\` to see the commands.\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const verb = verbOf(command, rest.filter((a) => a !== '--help' && a !== '-h'));
    io.stdout.write(verb ? `${verbHelp(command, verb)}\n` : `${command.summary}\n\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const verb = verbOf(command, rest);
      io.stderr.write(verb ? `${err.message}\n${verbHelp(command, verb)}\n` : `${err.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${(err as { message?: string }).message ?? String(err)}\n`);
    return exitCodeFor(err);
  }
}
