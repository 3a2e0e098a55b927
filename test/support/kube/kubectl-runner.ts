/** Runs the real kubectl against an emulator with an isolated HOME and discovery cache. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** True when the kubectl the tests drive is installed. */
export function kubectlAvailable(): boolean {
  return existsSync(KUBECTL);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kubectl args...` with KUBECONFIG and a private cache dir (kubectl caches discovery per
 * host:port for hours; a stale cache from an earlier emulator would hide resources), stdin closed.
 */
export function kubectl(args: string[], env: { kubeconfig: string; home: string; input?: string }): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      args,
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env.home, KUBECONFIG: env.kubeconfig, KUBECACHEDIR: `${env.home}/.kube/cache` },
        timeout: 30_000,
        maxBuffer: 8 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(env.input ?? '');
  });
}
