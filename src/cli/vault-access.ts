import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { FieldbenchError } from '@shared/errors';
import type { CliIO } from './cli-command';

export const PASSWORD_ENV = 'FIELDBENCH_VAULT_PASSWORD';

/** Reads everything on stdin (for --password-stdin), trimming one trailing newline. */
async function readAllStdin(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal without echo. */
function promptHidden(io: CliIO, question: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY) {
    return Promise.reject(
      new FieldbenchError('cli.noPassword', `No vault password was given. Set ${PASSWORD_ENV}, pipe it with --password-stdin, or run the command in a terminal to be asked.`),
    );
  }
  io.stderr.write(question);
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  const rl = createInterface({ input: stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
  });
}

/**
 * The master password, never from argv (it would land in shell history and `ps`): from stdin when asked,
 * else the environment, else a hidden prompt.
 */
export async function obtainPassword(io: CliIO, opts: { passwordStdin?: boolean; prompt?: string; confirm?: boolean }): Promise<string> {
  if (opts.passwordStdin) return readAllStdin(io);
  const fromEnv = io.env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  const first = await promptHidden(io, opts.prompt ?? 'Vault password: ');
  if (opts.confirm) {
    const second = await promptHidden(io, 'Repeat it: ');
    if (first !== second) throw new FieldbenchError('cli.passwordMismatch', 'The two passwords differ. Nothing was changed; try again.');
  }
  return first;
}
