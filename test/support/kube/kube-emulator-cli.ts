/**
 * Runs the Kubernetes API emulator as a process (the edge test host starts it inside a network namespace):
 *   node --import tsx test/support/kube/kube-emulator-cli.ts --host 127.0.0.1 --port 6443 --dir DIR [--san IP]...
 * Writes DIR/kubeconfig.yaml (admin, client certificate), DIR/ca.crt, DIR/admin-token, DIR/viewer-token,
 * DIR/aio-ca.crt, then DIR/ready once listening. Exits 0 on SIGTERM/SIGINT.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeEmulator } from './kube-emulator.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '6443' },
      dir: { type: 'string' },
      san: { type: 'string', multiple: true, default: [] },
      'load-balancer-ip': { type: 'string' },
      'no-reconcile': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (!values.dir) {
    process.stderr.write('kube-emulator: --dir is required (the kubeconfig and the ready marker are written there).\n');
    process.exit(2);
  }
  const dir = values.dir;
  await mkdir(dir, { recursive: true });
  await rm(join(dir, 'ready'), { force: true });
  const emu = await startKubeEmulator({
    host: values.host,
    port: Number(values.port),
    sans: values.san,
    dir,
    reconcile: !values['no-reconcile'],
    ...(values.verbose ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    ...(values['load-balancer-ip'] ? { loadBalancerIp: values['load-balancer-ip'] } : {}),
  });
  await writeFile(join(dir, 'ca.crt'), emu.caPem);
  await writeFile(join(dir, 'aio-ca.crt'), emu.aioRootCa.cert);
  await writeFile(join(dir, 'admin-token'), emu.adminToken, { mode: 0o600 });
  await writeFile(join(dir, 'viewer-token'), emu.viewerToken, { mode: 0o600 });
  await writeFile(join(dir, 'ready'), `${emu.url}\n`);
  process.stdout.write(`kube-emulator listening on ${emu.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`kube-emulator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
