import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

// The built CLI as a technician runs it (`node bin/fieldbench.js …`), for every test that spawns it. npm test
// builds first and sets FIELDBENCH_SKIP_BUILD=1; without it the bin rebuilds when the sources are newer.

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const FIELDBENCH_BIN = join(ROOT, 'bin', 'fieldbench.js');

/** Secrets a developer's shell may export; a test that wants one passes it in `env`. */
const SECRET_ENV = ['FIELDBENCH_VAULT_PASSWORD', 'FIELDBENCH_VAULT_NEW_PASSWORD', 'FIELDBENCH_IMPORT_PASSPHRASE', 'FIELDBENCH_MQTT_PASSWORD', 'FIELDBENCH_SUDO_PASSWORD'];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (the secrets stream of --password-stdin). */
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

function cliEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SECRET_ENV) delete env[name];
  return { ...env, ...extra };
}

// The bin announces a rebuild when sources changed since the last build; that line is not the command's.
const withoutBuildNotice = (stderr: string) => stderr.replace(/^Building Fieldbench.*\n/m, '');

/** Runs one command to its end; async, so several runs (each an Argon2id unlock) overlap. */
export function runFieldbench(args: readonly string[], opts: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIELDBENCH_BIN, ...args], { env: cliEnv(opts.env), cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: withoutBuildNotice(stderr) });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The same, blocking: for tests that run one command after another and read nothing in between. */
export function runFieldbenchSync(args: readonly string[], opts: CliRunOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [FIELDBENCH_BIN, ...args], { encoding: 'utf8', env: cliEnv(opts.env), cwd: opts.cwd ?? ROOT, input: opts.input ?? '', timeout: opts.timeoutMs ?? 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: withoutBuildNotice(r.stderr) };
}

/** A long-running command (serve, mqtt sub) the test talks to over its pipes and stops itself. */
export function spawnFieldbench(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [FIELDBENCH_BIN, ...args], { cwd: opts.cwd ?? ROOT, env: cliEnv(opts.env), stdio: 'pipe' });
}
