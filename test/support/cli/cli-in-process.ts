import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../../src/cli/run-cli';

/**
 * The CLI in-process with piped (not TTY) streams, as a script would run it: no build needed, and the
 * command sees exactly `env` (FIELDBENCH_VAULT_PASSWORD from the test's own environment is dropped).
 */
export async function cliInProcess(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const env = { ...process.env };
  delete env.FIELDBENCH_VAULT_PASSWORD;
  Object.assign(env, opts.env);
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]), env, interrupted: new Promise(() => undefined) });
  return { code, stdout: out, stderr: err };
}
