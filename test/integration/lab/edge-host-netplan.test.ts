import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { netplanText } from '../../support/edge-host/node-files.js';
import { sleep } from '../../support/edge-host/run-command.js';
import { SystemSsh } from '../../support/edge-host/system-ssh.js';

const availability = edgeHostAvailability({ networkd: true });
if (!availability.ok) console.warn(`[edge host + networkd] self-tests skipped: ${availability.reason}`);

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await sleep(200);
  }
}

describe.skipIf(!availability.ok)('edge test host with netplan and a standalone networkd', () => {
  let host: EdgeHost;
  let ssh: SystemSsh;

  beforeAll(async () => {
    host = await startEdgeHost({ networkd: true });
    ssh = new SystemSsh(host);
  });

  afterAll(async () => {
    ssh?.dispose();
    await host?.stop();
  });

  const key = (address?: string) => ({
    user: 'fbkey',
    keyFile: host.clientKey.privateKeyPath,
    ...(address ? { address } : {}),
  });

  it('has networkd configure the node interface from /etc/netplan', async () => {
    await eventually('networkd to configure eth0', async () =>
      /Configuring with \/run\/systemd\/network\/10-netplan-eth0\.network/.test(host.logs()) ? true : undefined,
    );
    const netplan = await host.readNodeFile('/run/systemd/network/10-netplan-eth0.network');
    expect(netplan).toContain(`Address=${host.nodeAddress}/24`);
  });

  it('resolves `sudo netplan` to the node\'s stand-in that restarts its networkd', async () => {
    const res = await ssh.run({ ...key(), input: 'fbkey-sudo\n' }, "sudo -S -p '' sh -c 'command -v netplan'");
    expect(res.stdout.trim()).toBe(join(host.root, 'node-bin', 'netplan'));
  });

  it('moves the node to a new address with `sudo netplan apply` over SSH', async () => {
    const spare = await host.addSpareSubnet({ reachable: true });
    await host.writeNodeFile(
      '/etc/netplan/01-netcfg.yaml',
      netplanText(host.nodeInterface, spare.nodeAddress, spare.prefixLength, spare.laptopAddress),
      0o600,
    );
    // Detached, as Fieldbench must do it: the SSH session dies with the old address.
    const res = await ssh.run(
      { ...key(), input: 'fbkey-sudo\n' },
      "sudo -S -p '' sh -c 'setsid netplan apply > /run/fieldbench/apply.log 2>&1 < /dev/null &'",
    );
    expect(res.code, res.stderr).toBe(0);
    ssh.refreshKnownHosts(spare.nodeAddress);
    const who = await eventually('the node to answer on its new address', async () => {
      const r = await ssh.run({ ...key(spare.nodeAddress), connectTimeoutSeconds: 2 }, 'id -un');
      return r.code === 0 ? r.stdout.trim() : undefined;
    });
    expect(who).toBe('fbkey');
    const addrs = await host.execInNode('ip', ['-4', '-o', 'addr', 'show', 'dev', host.nodeInterface]);
    expect(addrs.stdout).toContain(`${spare.nodeAddress}/24`);
    expect(addrs.stdout).not.toContain(`${host.nodeAddress}/`);
    const route = await host.execInNode('ip', ['-4', 'route', 'show', 'default']);
    expect(route.stdout).toContain(`via ${spare.laptopAddress}`);
  });

  it('offers an unreachable subnet whose addresses fail at once, without leaving the machine', async () => {
    const spare = await host.addSpareSubnet({ reachable: false });
    ssh.refreshKnownHosts(spare.nodeAddress);
    const res = await ssh.run({ ...key(spare.nodeAddress), connectTimeoutSeconds: 2 }, 'true');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/No route to host|unreachable/i);
  });
});
