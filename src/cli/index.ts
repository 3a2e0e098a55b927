import { runCli } from './run-cli';

const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, interrupted }).then(
  // Exit explicitly: a finished command must not linger on idle handles (a stdin listener, an SSH keepalive).
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Fieldbench stopped on an unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
