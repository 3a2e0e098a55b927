import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this many milliseconds (it then reports signal SIGKILL). */
  timeoutMs?: number;
}

/** Runs a command to completion and never throws for a non-zero exit; callers decide what a failure means. */
export function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: 32 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code === 'string') {
          // ENOENT and friends: the program itself could not be started.
          reject(err);
          return;
        }
        resolve({
          code: child.exitCode,
          signal: child.signalCode,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Like runCommand, but a non-zero exit becomes an Error carrying the command's stderr. */
export async function runChecked(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const res = await runCommand(cmd, args, opts);
  if (res.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${res.code ?? res.signal}): ${res.stderr.trim() || res.stdout.trim()}`,
    );
  }
  return res.stdout;
}

/** Keeps the tail of a process's output so failure messages can show what it said without growing forever. */
export class OutputTail {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly limit = 256 * 1024) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  text(): string {
    return this.chunks.join('');
  }

  attach(child: ChildProcess): void {
    child.stdout?.on('data', (c: Buffer) => this.push(c));
    child.stderr?.on('data', (c: Buffer) => this.push(c));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once a TCP connection to host:port succeeds, rejects after the deadline with the last error. */
export async function waitForTcp(
  host: string,
  port: number,
  opts: { timeoutMs?: number; isDead?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    const dead = opts.isDead?.();
    if (dead !== undefined) throw new Error(dead);
    try {
      await new Promise<void>((resolve, reject) => {
        const sock = connect({ host, port });
        sock.setTimeout(1000, () => sock.destroy(new Error('connect timed out')));
        sock.once('connect', () => {
          sock.destroy();
          resolve();
        });
        sock.once('error', reject);
      });
      return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Nothing accepted connections on ${host}:${port}: ${String(lastError)}`);
    }
    await sleep(50);
  }
}

/** Spawns a long-running process with piped output; the caller owns its lifetime. */
export function spawnLogged(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; tail?: OutputTail; cwd?: string } = {},
): { child: ChildProcess; tail: OutputTail } {
  const tail = opts.tail ?? new OutputTail();
  const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  tail.attach(child);
  // An unhandled 'error' (e.g. ENOENT) would crash the test worker; the exit path reports it instead.
  child.on('error', (err) => tail.push(`\n[spawn error] ${String(err)}\n`));
  return { child, tail };
}
