import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { answersOn } from '../../support/network/edge-targets';

const availability = edgeHostAvailability({ networkd: true });
if (!availability.ok) console.warn(`[network] node profile tests skipped: ${availability.reason}`);

const NETPLAN = '/etc/netplan/01-netcfg.yaml';

describe.skipIf(!availability.ok)('network: {kind: node} targets through the edge area\'s node profiles', () => {
  let host: EdgeHost;
  let app: AppContext;
  let dataDir: string;
  let original: string;
  let nodeId: string;
  let keyId: string;

  async function call<N extends CallName>(name: N, request: CallRequest<N>, jobId?: string): Promise<CallResponse<N>> {
    const res = await app.dispatcher.dispatch(name, request, jobId ? { jobId } : {});
    if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
    return res.value as CallResponse<N>;
  }

  async function failure(name: CallName, request: unknown): Promise<{ code: string; message: string }> {
    const res = await app.dispatcher.dispatch(name, request as never, {});
    expect(res.ok, `expected ${name} to fail`).toBe(false);
    return (res as { error: { code: string; message: string } }).error;
  }

  async function profile(id = nodeId) {
    return (await call('edge.listNodes', {})).nodes.find((n) => n.id === id)!;
  }

  async function addNode(name: string, user: string, sudoPassword: string): Promise<string> {
    const node = await call('edge.saveNode', { name, host: host.nodeAddress, port: host.sshPort, user, auth: { method: 'key', keyId }, sudoPassword });
    await call('edge.trustHostKey', { nodeId: node.id, fingerprint: host.hostKeys.ed25519.fingerprint });
    return node.id;
  }

  beforeAll(async () => {
    host = await startEdgeHost({ networkd: true });
    original = await host.readNodeFile(NETPLAN);
    dataDir = mkdtempSync(join(tmpdir(), 'fb-net-node-'));
    app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
    await call('vault.create', { password: 'long enough pw' });
    keyId = (await call('edge.importKey', { privateKey: host.clientKey.privateKey })).id;
    nodeId = await addNode('edge-01', host.users.key.name, host.users.key.sudoPassword);
  });

  afterAll(async () => {
    await app?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await host?.stop();
  });

  it('discovers the node from its profile, over the trusted host key', async () => {
    const snap = await call('network.discover', { target: { kind: 'node', nodeId } });
    expect(snap.host).toBe(host.nodeAddress);
    expect(snap.hostKeyFingerprint).toBe(host.hostKeys.ed25519.fingerprint);
    expect(snap.netplan).toMatchObject({ available: true, readable: true });
    expect(snap.interfaces.find((i) => i.name === 'eth0')?.connectedVia).toBe(true);
  });

  it('refuses a node whose host key was never trusted, with the edge area\'s sentence', async () => {
    const untrusted = await call('edge.saveNode', { name: 'edge-untrusted', host: host.nodeAddress, port: host.sshPort, user: host.users.key.name, auth: { method: 'key', keyId } });
    const err = await failure('network.discover', { target: { kind: 'node', nodeId: untrusted.id } });
    expect(err.code).toBe('edge.hostKeyUnknown');
    expect(err.message).toContain(host.hostKeys.ed25519.fingerprint.slice(0, 12));
  });

  it('keeps the edge sudo error codes and changes nothing for a user without sudo', async () => {
    const noSudo = await addNode('edge-nosudo', host.users.noSudo.name, host.users.noSudo.password);
    const err = await failure('network.apply', { target: { kind: 'node', nodeId: noSudo }, settings: { interface: 'eth0', address: `${host.nodeAddress.replace(/\.2$/, '.45')}/24`, gateway: host.laptopAddress }, rollbackSeconds: 10 });
    expect(err.code).toBe('edge.noSudo');
    expect(err.message).toMatch(/changed nothing/);
    expect(await host.readNodeFile(NETPLAN)).toBe(original);
  });

  it('rolls back by itself when the new address is unreachable; the profile keeps its address', async () => {
    const spare = await host.addSpareSubnet({ reachable: false });
    const before = await profile();
    const result = await call(
      'network.apply',
      { target: { kind: 'node', nodeId }, settings: { interface: 'eth0', address: `${spare.nodeAddress}/24`, gateway: spare.nodeAddress.replace(/\.2$/, '.1') }, rollbackSeconds: 8, applyId: 'unreachable-1' },
      'unreachable-1',
    );
    expect(result.outcome).toBe('rolled-back');
    expect(result.profileUpdated).toBe(false);
    expect(result.message).toMatch(/restored its previous settings by itself/);
    const after = await profile();
    expect(after.host).toBe(host.nodeAddress);
    expect(after.hostKey?.fingerprint).toBe(before.hostKey?.fingerprint);
    expect(await host.readNodeFile(NETPLAN)).toBe(original);
    const log = (await call('edge.activity', { nodeId })).entries;
    expect(log.at(-1)).toMatchObject({ area: 'network', kind: 'rolledBack', ok: false });
  });

  it('moves the node, reconnects with the same host key and points the profile at the new address', async () => {
    const spare = await host.addSpareSubnet({ reachable: true });
    const changed: string[][] = [];
    const off = app.hub.on('edge.onNodesChanged', (p) => changed.push((p as { nodeIds: string[] }).nodeIds));
    const result = await call(
      'network.apply',
      { target: { kind: 'node', nodeId }, settings: { interface: 'eth0', address: `${spare.nodeAddress}/24`, gateway: spare.laptopAddress }, rollbackSeconds: 30, applyId: 'move-node-1' },
      'move-node-1',
    );
    off();
    expect(result.outcome, result.message).toBe('applied');
    expect(result.host).toBe(spare.nodeAddress);
    expect(result.profileUpdated).toBe(true);
    expect(result.hostKeyFingerprint).toBe(host.hostKeys.ed25519.fingerprint);
    expect(result.steps.find((s) => s.id === 'profile')).toMatchObject({ status: 'ok' });

    const moved = await profile();
    expect(moved.host).toBe(spare.nodeAddress);
    // Same machine on a new address: the trusted key stays, unlike an edit of the address by hand.
    expect(moved.hostKey?.fingerprint).toBe(host.hostKeys.ed25519.fingerprint);
    expect(changed).toContainEqual([nodeId]);
    const log = (await call('edge.activity', { nodeId })).entries;
    expect(log.at(-1)).toMatchObject({ area: 'network', kind: 'addressChanged', ok: true });
    expect(log.at(-1)?.message).toContain(`from ${host.nodeAddress} to ${spare.nodeAddress}`);

    // The profile works on the new address for the next call, and the old one is gone.
    const snap = await call('network.discover', { target: { kind: 'node', nodeId } });
    expect(snap.host).toBe(spare.nodeAddress);
    expect(await answersOn(host, host.nodeAddress, 1)).toBe(false);
  });
});
