import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { edgeHostAvailability, startEdgeHost, type EdgeHost, type EdgeHostOptions } from '../edge-host/edge-host';
import type { CommandResult } from '../edge-host/run-command';
import { runFieldbench } from '../cli/fieldbench-cli';

const ROOT = resolve(import.meta.dirname, '../../..');

export { edgeHostAvailability };

/** The edge test host with the Kubernetes API emulator running inside the node, as k3s would. */
export interface EdgeLab {
  host: EdgeHost;
  /** The emulator's folder: kubeconfig.yaml (admin), ca.crt, ready. */
  kubeDir: string;
  /** The real kubectl inside the node, against the emulator on 127.0.0.1:6443. */
  kubectl(args: readonly string[], input?: string): Promise<CommandResult>;
  stop(): Promise<void>;
}

export interface EdgeLabOptions extends EdgeHostOptions {
  /** The address LoadBalancer Services get (default the node's): a flow that moves the node passes its new one. */
  loadBalancerIp?: (host: EdgeHost) => string;
}

export async function startEdgeLab(opts: EdgeLabOptions = {}): Promise<EdgeLab> {
  const { loadBalancerIp, ...hostOptions } = opts;
  const host = await startEdgeHost(hostOptions);
  let emulator: ChildProcess | undefined;
  try {
    const kubeDir = join(host.root, 'kube');
    // nsenter starts in /, so the loader and the script are named by absolute paths.
    const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    emulator = host.runInNode(process.execPath, [
      '--import',
      tsx,
      join(ROOT, 'test/support/kube/kube-emulator-cli.ts'),
      '--host',
      '127.0.0.1',
      '--port',
      '6443',
      '--dir',
      kubeDir,
      // k3s's servicelb hands LoadBalancer Services the node's own address.
      '--load-balancer-ip',
      loadBalancerIp ? loadBalancerIp(host) : host.nodeAddress,
    ]);
    let output = '';
    emulator.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    emulator.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!existsSync(join(kubeDir, 'ready'))) {
      if (emulator.exitCode !== null) throw new Error(`The Kubernetes API emulator exited (${emulator.exitCode}): ${output}`);
      if (Date.now() > deadline) throw new Error(`The Kubernetes API emulator did not get ready in 90 s: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await host.setK3sKubeconfig(readFileSync(join(kubeDir, 'kubeconfig.yaml'), 'utf8'));
    const emu = emulator;
    return {
      host,
      kubeDir,
      kubectl: (args, input) => host.execInNode('/usr/bin/kubectl', ['--kubeconfig', join(kubeDir, 'kubeconfig.yaml'), ...args], input === undefined ? {} : { input }),
      async stop() {
        emu.kill();
        await host.stop();
      },
    };
  } catch (err) {
    emulator?.kill();
    await host.stop();
    throw err;
  }
}

/** What the seed 001 flow needs in the vault, created with the real CLI before the app opens the folder. */
export interface SeedVault {
  dataDir: string;
  password: string;
}

/**
 * A vault with the seed 001 certificates: a broker chain (root → intermediate → server leaf whose SANs list
 * the node's address) and the Clients42 chain (root → intermediate → client). Made with `fieldbench vault
 * create` and `fieldbench pki create`, so no key material passes through the page.
 */
export async function prepareSeedVault(nodeAddress: string): Promise<SeedVault> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fb-e2e-edge-'));
  const password = 'e2e edge vault password';
  const cli = async (...args: string[]) => {
    const r = await runFieldbench([...args, '--data-dir', dataDir], { env: { FIELDBENCH_SKIP_BUILD: '1', FIELDBENCH_VAULT_PASSWORD: password } });
    if (r.code !== 0) throw new Error(`fieldbench ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  };
  await cli('vault', 'create');
  await cli('pki', 'create', 'root', 'Broker Root CA');
  await cli('pki', 'create', 'intermediate', 'Broker Intermediate CA', '--issuer', 'Broker Root CA');
  await cli('pki', 'create', 'server', 'mqtts-endpoint', '--issuer', 'Broker Intermediate CA', '--san', nodeAddress, '--san', 'mqtts-endpoint', '--days', '800');
  await cli('pki', 'create', 'root', 'Clients42 Root CA');
  await cli('pki', 'create', 'intermediate', 'Clients42 Intermediate CA', '--issuer', 'Clients42 Root CA');
  await cli('pki', 'create', 'client', 'client42-1', '--issuer', 'Clients42 Intermediate CA', '--days', '800');
  return { dataDir, password };
}
