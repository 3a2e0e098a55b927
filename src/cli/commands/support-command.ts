import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FieldbenchError } from '@shared/errors';
import { defaultDataDir } from '../../main/services/app/data-dir';
import { CliApp } from '../cli-app';
import { EXIT, parseCommandLine, UsageError, type CliCommand, type CliVerb } from '../cli-command';

const USAGE = 'fieldbench support bundle [--out FILE] [--data-dir DIR] [--vault FILE] [--password-stdin]';
const OPTIONS = { out: { type: 'string' }, 'data-dir': { type: 'string' }, vault: { type: 'string' }, 'password-stdin': { type: 'boolean' } } as const;
const VERBS: readonly CliVerb[] = [{ name: 'bundle', usage: '  bundle [--out FILE] [--data-dir DIR] [--vault FILE] [--password-stdin]\n    the zip (default fieldbench-support-<time>.zip here); with the vault it adds the nodes, without secrets', options: ['out', 'vault', 'data-dir', 'password-stdin'] }];

export const supportCommand: CliCommand = {
  name: 'support',
  summary: 'Make a zip for a support engineer: the log, doctor, versions and the nodes (no secrets).',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, OPTIONS);
    if (positionals[0] !== 'bundle' || positionals.length > 1) throw new UsageError(positionals[0] ? `There is no "support ${positionals.join(' ')}".` : 'Say what to make: fieldbench support bundle.');
    const dataDir = values['data-dir'] ?? defaultDataDir(io.env);
    const out = resolve(values.out ?? `fieldbench-support-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`);

    const cli = new CliApp({ 'data-dir': dataDir, vault: values.vault, 'password-stdin': values['password-stdin'] }, io);
    let nodesNote: string | undefined;
    try {
      if (!cli.context().vault.status().exists) nodesNote = 'there is no vault in this data folder yet';
      else {
        try {
          await cli.unlock();
        } catch (err) {
          // The bundle is most wanted when something is wrong: a locked vault leaves the nodes out, not the rest.
          if (!(err instanceof FieldbenchError) || !['cli.noPassword', 'vault.wrongPassword'].includes(err.code)) throw err;
          nodesNote = err.code === 'cli.noPassword' ? 'no vault password was given' : 'the vault password was refused';
          io.stderr.write(`The vault stayed locked (${nodesNote}), so the bundle has no node profiles. Give the password (FIELDBENCH_VAULT_PASSWORD or --password-stdin) to include them.\n`);
        }
      }
      const made = await cli.call('app.supportBundle', nodesNote ? { nodesNote } : {});
      const bundle = { zip: Buffer.from(made.zipBase64, 'base64'), entries: made.entries };
      try {
        // Never over an existing file (or through a symlink someone left there); readable by this user only.
        writeFileSync(out, bundle.zip, { flag: 'wx', mode: 0o600 });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        io.stderr.write(code === 'EEXIST' ? `${out} already exists. Choose another name with --out.\n` : `Fieldbench could not write ${out} (${code ?? 'error'}). Choose another place with --out.\n`);
        return EXIT.environment;
      }
      io.stdout.write(`Support bundle written to ${out} (${bundle.entries.join(', ')}). It holds no password, key or token.\n`);
      return EXIT.ok;
    } finally {
      await cli.close();
    }
  },
};
