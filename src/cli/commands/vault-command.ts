import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliVerb } from '../cli-command';
import { obtainPassword, PASSWORD_ENV } from '../vault-access';

const VERBS: readonly CliVerb[] = [
  { name: 'create', usage: '  create   make a new encrypted vault (refuses to overwrite one)', options: [] },
  { name: 'passwd', usage: '  passwd   change the master password (the new one from FIELDBENCH_VAULT_NEW_PASSWORD or a prompt)', options: [] },
  { name: 'info', usage: '  info     show the vault file, its format and KDF parameters (no password needed)', options: [] },
];
const COMMON_HELP = `Common: --vault PATH, --data-dir DIR, --password-stdin, --json.
The password comes from a prompt, ${PASSWORD_ENV}, or --password-stdin; never from the command line.`;

const USAGE = areaUsage(`fieldbench vault create|passwd|info [--vault PATH] [--data-dir DIR] [--password-stdin] [--json]`, VERBS, `${COMMON_HELP}`);

const VAULT_OPTIONS = {
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const vaultCommand: CliCommand = {
  name: 'vault',
  summary: 'Create the encrypted vault, change its password, show its details.',
  usage: USAGE,
  verbs: VERBS,
  options: VAULT_OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, VAULT_OPTIONS);
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    if (sub !== 'create' && sub !== 'passwd' && sub !== 'info') throw new UsageError(sub ? `There is no "vault ${sub}".` : 'Say what to do with the vault.');
    const passwordStdin = values['password-stdin'] ?? false;
    const cli = new CliApp(values, io);
    try {
      if (sub === 'create') {
        const password = await obtainPassword(io, { passwordStdin, prompt: 'New vault password: ', confirm: true });
        const status = await cli.call('vault.create', { password }, true);
        cli.print(`Created an encrypted vault at ${status.path}.`, status);
      } else if (sub === 'passwd') {
        const current = await obtainPassword(io, { passwordStdin, prompt: 'Current password: ' });
        const next = io.env.FIELDBENCH_VAULT_NEW_PASSWORD ?? (await obtainPassword({ ...io, env: {} }, { prompt: 'New password: ', confirm: true }));
        await cli.call('vault.unlock', { password: current }, true);
        const status = await cli.call('vault.changePassword', { current, next }, true);
        cli.print(`Changed the password of ${status.path}.`, status);
      } else {
        const info = await cli.call('vault.info', {});
        cli.print(
          [`Vault:   ${info.path}`, `Format:  ${info.formatVersion}`, `KDF:     Argon2id, ${info.kdf.memoryKiB / 1024} MiB, ${info.kdf.iterations} passes, ${info.kdf.parallelism} lanes`, `Created: ${info.created}`, `Changed: ${info.modified}`].join('\n'),
          info,
        );
      }
      return EXIT.ok;
    } finally {
      await cli.close();
    }
  },
};
