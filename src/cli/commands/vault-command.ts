import { parseArgs } from 'node:util';
import { VaultSession } from '../../main/services/session/vault-session';
import { defaultDataDir } from '../../main/services/app/data-dir';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../cli-command';
import { obtainPassword, PASSWORD_ENV } from '../vault-access';

const USAGE = `fieldbench vault create|passwd|info [--vault PATH] [--data-dir DIR] [--password-stdin] [--json]
  create   make a new encrypted vault (refuses to overwrite one)
  passwd   change the master password (the new one from FIELDBENCH_VAULT_NEW_PASSWORD or a prompt)
  info     show the vault file, its format and KDF parameters (no password needed)
The password comes from a prompt, ${PASSWORD_ENV}, or --password-stdin; never from the command line.`;

export function vaultSessionFor(values: { vault?: string | undefined; 'data-dir'?: string | undefined }, io: CliIO): VaultSession {
  return new VaultSession({ dataDir: values['data-dir'] ?? defaultDataDir(io.env), ...(values.vault ? { path: values.vault } : {}) });
}

export const VAULT_OPTIONS = {
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const vaultCommand: CliCommand = {
  name: 'vault',
  summary: 'Create the encrypted vault, change its password, show its details.',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, options: VAULT_OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    const session = vaultSessionFor(values, io);
    const print = (human: string, data: unknown) => io.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    switch (sub) {
      case 'create': {
        const password = await obtainPassword(io, { passwordStdin: values['password-stdin'] ?? false, prompt: 'New vault password: ', confirm: true });
        const status = await session.create(password);
        print(`Created an encrypted vault at ${status.path}.`, status);
        await session.dispose();
        return EXIT.ok;
      }
      case 'passwd': {
        const current = await obtainPassword(io, { passwordStdin: values['password-stdin'] ?? false, prompt: 'Current password: ' });
        const next = io.env.FIELDBENCH_VAULT_NEW_PASSWORD ?? (await obtainPassword({ ...io, env: {} }, { prompt: 'New password: ', confirm: true }));
        const status = await session.changePassword(current, next).catch(async (err: unknown) => {
          if ((err as { code?: string }).code !== 'vault.locked') throw err;
          await session.unlock(current);
          return session.changePassword(current, next);
        });
        print(`Changed the password of ${status.path}.`, status);
        await session.dispose();
        return EXIT.ok;
      }
      case 'info': {
        const status = session.status();
        if (!status.exists) {
          io.stderr.write(`There is no vault at ${status.path}. Create one with \`fieldbench vault create\`.\n`);
          return EXIT.failed;
        }
        const { Vault } = await import('../../main/services/vault/vault');
        const info = (await Vault.open(status.path)).info();
        print(
          [`Vault:   ${info.path}`, `Format:  ${info.formatVersion}`, `KDF:     Argon2id, ${info.kdf.memoryKiB / 1024} MiB, ${info.kdf.iterations} passes, ${info.kdf.parallelism} lanes`, `Created: ${info.created}`, `Changed: ${info.modified}`].join('\n'),
          info,
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(sub ? `There is no "vault ${sub}".` : 'Say what to do with the vault.');
    }
  },
};
