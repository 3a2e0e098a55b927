import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real openssl CLI in `cwd`; never throws on a non-zero exit (tests assert on it). */
export async function openssl(args: string[], cwd: string, input?: string): Promise<OpensslResult> {
  try {
    const child = execFileAsync('openssl', args, { cwd, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' });
    if (input !== undefined) child.child.stdin?.end(input);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs a shell script (the seeds' command blocks) in `cwd`. */
export async function sh(script: string, cwd: string): Promise<OpensslResult> {
  try {
    const { stdout, stderr } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', script], { cwd, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export function makeTempDir(prefix = 'fieldbench-pki-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
