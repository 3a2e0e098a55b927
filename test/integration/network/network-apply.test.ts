import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldbenchError } from '@shared/errors';
import type { ApplyResult, NetworkSnapshot } from '@shared/contract/network-contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { NetworkService } from '../../../src/main/services/network/network-service';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { answersOn, directShells, directTarget, FaultyShell, WrappingShellSource } from '../../support/network/edge-targets';
import { noClusterRead } from '../../support/services/absent-areas';

const availability = edgeHostAvailability({ networkd: true });
if (!availability.ok) console.warn(`[network] apply tests skipped: ${availability.reason}`);

const NETPLAN = '/etc/netplan/01-netcfg.yaml';

async function refusal(p: Promise<unknown>): Promise<FieldbenchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FieldbenchError) return err;
    throw err;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

describe.skipIf(!availability.ok)('network: netplan on the edge test host', () => {
  let host: EdgeHost;
  let original: string;
  let service: NetworkService;
  const settings = (address: string, gateway?: string) => ({ interface: 'eth0', address, ...(gateway ? { gateway } : {}) });

  beforeAll(async () => {
    host = await startEdgeHost({ networkd: true });
    original = await host.readNodeFile(NETPLAN);
    service = new NetworkService({ aio: noClusterRead, shells: directShells(), recoveryGraceMs: 30_000 });
  });

  afterAll(async () => {
    await host?.stop();
  });

  /** The node is where it was, with its file untouched: the invariant every refusal must keep. */
  async function expectUntouched(): Promise<void> {
    expect(await host.readNodeFile(NETPLAN)).toBe(original);
    expect(await answersOn(host, host.nodeAddress)).toBe(true);
    const addrs = await host.execInNode('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(addrs.stdout).toContain(`${host.nodeAddress}/24`);
  }

  it('discovers interfaces, the default route and the netplan file that configures eth0', async () => {
    const snap: NetworkSnapshot = await service.discover(directTarget(host));
    const eth0 = snap.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0).toBeDefined();
    expect(eth0.carrier).toBe(true);
    expect(eth0.up).toBe(true);
    expect(eth0.connectedVia).toBe(true);
    expect(eth0.hasDefaultRoute).toBe(true);
    expect(eth0.gateway).toBe(host.laptopAddress);
    expect(eth0.addresses.find((a) => a.family === 'inet')).toMatchObject({ address: host.nodeAddress, prefix: 24, dynamic: false });
    expect(eth0.configuredBy).toEqual([NETPLAN]);
    expect(snap.interfaces.find((i) => i.name === 'lo')?.kind).toBe('loopback');
    expect(snap.defaultRoute).toEqual({ interface: 'eth0', gateway: host.laptopAddress });
    expect(snap.netplan).toMatchObject({ available: true, readable: true });
    expect(snap.netplan.files).toEqual([{ path: NETPLAN, mode: '600', interfaces: ['eth0'], renderer: 'networkd' }]);
    expect(snap.suggestedSettings).toMatchObject({ interface: 'eth0', address: `${host.nodeAddress}/24`, gateway: host.laptopAddress });
    expect(snap.hostKeyFingerprint).toBe(host.hostKeys.ed25519.fingerprint);
  });

  it('plans a change as a diff of the one file and validates it with the node\'s netplan', async () => {
    const addr = host.nodeAddress.replace(/\.2$/, '.40');
    const { plan, node } = await service.validate(directTarget(host), { ...settings(`${addr}/24`, host.laptopAddress), dns: ['10.231.0.53'], search: ['plant.local'] });
    expect(plan.ok).toBe(true);
    expect(plan.file).toEqual({ path: NETPLAN, exists: true });
    expect(plan.diff).toContain(`-        - ${host.nodeAddress}/24`);
    expect(plan.diff).toContain(`+        - ${addr}/24`);
    expect(plan.yaml).toContain('dhcp4: false');
    expect(plan.yaml).toContain('plant.local');
    expect(plan.newHost).toBe(addr);
    expect(node).toEqual({ ok: true, errors: [], output: expect.any(String) });
    await expectUntouched();
  });

  it('shows netplan\'s own error with file, line and column, and apply refuses before touching the node', async () => {
    await host.writeNodeFile('/etc/netplan/50-extra.yaml', 'network:\n  version: 2\n  ethernets:\n    eth9:\n      adresses: [10.9.9.9/24]\n', 0o600);
    try {
      const { node } = await service.validate(directTarget(host), settings(`${host.nodeAddress.replace(/\.2$/, '.41')}/24`, host.laptopAddress));
      expect(node?.ok).toBe(false);
      expect(node?.errors[0]).toMatchObject({ file: '/etc/netplan/50-extra.yaml', line: 5, column: 7 });
      expect(node?.errors[0]?.message).toContain("unknown key 'adresses'");
      expect(node?.errors[0]?.excerpt).toContain('adresses');
      const err = await refusal(service.apply({ target: directTarget(host), settings: settings(`${host.nodeAddress.replace(/\.2$/, '.41')}/24`, host.laptopAddress), rollbackSeconds: 10, allowSilentGateway: false }, () => {}));
      expect(err.code).toBe('network.netplanRejected');
      expect(err.message).toContain('/etc/netplan/50-extra.yaml:5:7');
    } finally {
      await host.execInNode('rm', ['-f', '/etc/netplan/50-extra.yaml']);
    }
    await expectUntouched();
  });

  it('refuses an invalid address and a gateway outside the subnet without touching the node', async () => {
    const bad = await refusal(service.apply({ target: directTarget(host), settings: settings('10.231.300.5/24', host.laptopAddress), rollbackSeconds: 10, allowSilentGateway: false }, () => {}));
    expect(bad.code).toBe('network.invalidPlan');
    expect(bad.message).toMatch(/not an IPv4 address/);
    const outside = await refusal(service.apply({ target: directTarget(host), settings: settings(`${host.nodeAddress.replace(/\.2$/, '.42')}/24`, '10.99.0.1'), rollbackSeconds: 10, allowSilentGateway: false }, () => {}));
    expect(outside.message).toMatch(/outside .*\/24/);
    await expectUntouched();
  });

  it('refuses an address that already answers on the segment', async () => {
    const taken = host.nodeAddress.replace(/\.2$/, '.77');
    await host.addSegmentAddress(taken);
    const steps: string[] = [];
    const err = await refusal(service.apply({ target: directTarget(host), settings: settings(`${taken}/24`, host.laptopAddress), rollbackSeconds: 10, allowSilentGateway: false }, (p) => steps.push(p.steps.map((s) => `${s.id}:${s.status}`).join(','))));
    expect(err.code).toBe('network.addressInUse');
    expect(err.message).toContain(taken);
    expect(steps.at(-1)).toContain('probe:failed');
    expect(steps.at(-1)).toContain('backup:skipped');
    await expectUntouched();
  });

  it('refuses a user without sudo', async () => {
    const snap = await service.discover(directTarget(host, { noSudo: true }));
    expect(snap.netplan.readable).toBe(false);
    expect(snap.netplan.note).toMatch(/sudo/);
    const err = await refusal(service.apply({ target: directTarget(host, { noSudo: true }), settings: settings(`${host.nodeAddress.replace(/\.2$/, '.43')}/24`, host.laptopAddress), rollbackSeconds: 10, allowSilentGateway: false }, () => {}));
    // One SSH client for profiles and direct logins: the same refusal code as network-node-profile's.
    expect(err.code).toBe('edge.noSudo');
    expect(err.message).toMatch(/may not use sudo.*changed nothing/);
    await expectUntouched();
  });

  it('stops with nothing changed when the SSH connection drops before the rollback is armed', async () => {
    // The node's /var/lib/fieldbench outlives test runs (an interrupted run leaves its state): judge only
    // the apply folders this test makes.
    const stateDirs = async () => (await host.execInNode('/bin/sh', ['-c', 'ls /var/lib/fieldbench 2>/dev/null; true'])).stdout.split('\n').filter(Boolean);
    const before = new Set(await stateDirs());
    let dropped = false;
    const faulty = new NetworkService({
      aio: noClusterRead,
      shells: new WrappingShellSource(
        (shell) =>
          new FaultyShell(shell, async (command) => {
            if (!dropped && command.includes('rollback.sh')) {
              dropped = true;
              await host.stopSsh({ dropSessions: true });
            }
          }),
      ),
    });
    try {
      const err = await refusal(faulty.apply({ target: directTarget(host), settings: settings(`${host.nodeAddress.replace(/\.2$/, '.44')}/24`, host.laptopAddress), rollbackSeconds: 10, allowSilentGateway: false }, () => {}));
      expect(dropped).toBe(true);
      expect(err.code).toBe('network.droppedBeforeArm');
      expect(err.message).toMatch(/unchanged/);
    } finally {
      await host.startSsh();
    }
    await expectUntouched();
    for (const dir of (await stateDirs()).filter((d) => !before.has(d))) {
      const state = await host.execInNode('/bin/sh', ['-c', 'cat "/var/lib/fieldbench/$1/state" 2>/dev/null; true', '_', dir]);
      expect(state.stdout, dir).not.toMatch(/armed|firing/);
    }
  });

  it('rolls back by itself when the new address cannot be reached, and reports it', async () => {
    const spare = await host.addSpareSubnet({ reachable: false });
    const states: string[] = [];
    const result: ApplyResult = await service.apply(
      { target: directTarget(host), settings: settings(`${spare.nodeAddress}/24`, spare.nodeAddress.replace(/\.2$/, '.1')), rollbackSeconds: 8, allowSilentGateway: false },
      (p) => {
        if (p.rollback) states.push(p.rollback.state);
      },
    );
    expect(result.outcome).toBe('rolled-back');
    expect(result.host).toBe(host.nodeAddress);
    expect(result.message).toMatch(/restored its previous settings by itself/);
    expect(result.steps.find((s) => s.id === 'reconnect')?.status).toBe('failed');
    expect(result.steps.find((s) => s.id === 'rollback')?.status).toBe('ok');
    expect(states).toContain('armed');
    await expectUntouched();
    const state = await host.readNodeFile(`${result.backupDir}/state`);
    expect(state.trim()).toBe('rolled-back 0');
  });

  describe('through the app\'s dispatcher', () => {
    let app: AppContext;
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'fb-net-'));
      app = composeApp({ dataDir, runtime: 'cli' });
    });
    afterAll(async () => {
      await app?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('moves the node to a reachable subnet, reconnects, verifies and cancels the rollback', async () => {
      const spare = await host.addSpareSubnet({ reachable: true });
      const events: Array<{ steps: Array<{ id: string; status: string }>; rollback?: { secondsLeft: number; state: string } }> = [];
      const off = app.hub.on('network.onApplyProgress', (p) => events.push(p as (typeof events)[number]));
      const res = await app.dispatcher.dispatch(
        'network.apply',
        { target: directTarget(host), settings: { interface: 'eth0', address: `${spare.nodeAddress}/24`, gateway: spare.laptopAddress }, rollbackSeconds: 30, applyId: 'move-1' },
        { jobId: 'move-1' },
      );
      off();
      expect(res.ok, JSON.stringify(res)).toBe(true);
      const result = (res as { value: ApplyResult }).value;
      expect(result.outcome).toBe('applied');
      expect(result.host).toBe(spare.nodeAddress);
      expect(result.verification).toEqual({ address: 'ok', gateway: 'ok', dns: 'skipped' });
      expect(result.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
        'preflight:ok', 'probe:ok', 'validate:ok', 'backup:ok', 'arm:ok', 'write:ok', 'apply:ok', 'reconnect:ok', 'verify:ok', 'cancelRollback:ok', 'profile:skipped',
      ]);
      expect(events.some((e) => e.rollback?.state === 'armed' && e.rollback.secondsLeft > 0)).toBe(true);
      expect(events.at(-1)?.rollback?.state).toBe('cancelled');
      // The node really lives on the new address, the file says so, and the countdown is gone for good.
      expect(await answersOn(host, spare.nodeAddress)).toBe(true);
      expect(await answersOn(host, host.nodeAddress, 1)).toBe(false);
      expect(await host.readNodeFile(NETPLAN)).toContain(`${spare.nodeAddress}/24`);
      expect((await host.readNodeFile(`${result.backupDir}/state`)).trim()).toBe('cancelled');
      const pid = (await host.readNodeFile(`${result.backupDir}/rollback.pid`)).trim();
      expect((await host.execInNode('/bin/sh', ['-c', `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`])).stdout.trim()).toBe('gone');
      expect(await host.readNodeFile(`${result.backupDir}/files/01-netcfg.yaml`)).toBe(original);
    });
  });
});
