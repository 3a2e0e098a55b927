import { describe, expect, it } from 'vitest';
import { calls } from '@shared/contract';
import { EdgeService, type SaveNodeInput } from '../../../src/main/services/edge/edge-service';
import { NODES_SECTION, type NodesSection } from '../../../src/main/services/edge/node-store';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

const FP = `SHA256:${'A'.repeat(43)}`;
const FP2 = `SHA256:${'B'.repeat(43)}`;

function setup() {
  const vault = new MemoryVaultStore();
  const activity: string[] = [];
  const changed: string[][] = [];
  let t = Date.parse('2025-01-01T00:00:00Z');
  const edge = new EdgeService({ vault, env: {}, now: () => new Date((t += 1000)), onActivity: (e) => activity.push(`${e.kind}|${e.message}`), onNodesChanged: (ids) => changed.push(ids) });
  return { vault, edge, activity, changed };
}

const base = (over: Partial<SaveNodeInput> = {}): SaveNodeInput => ({
  name: 'edge-01',
  host: '192.0.2.10',
  port: 22,
  user: 'tech',
  auth: { method: 'password', password: 'ssh-secret-1' },
  kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
  ...over,
});

describe('node profiles in the vault', () => {
  it('keeps secrets in the vault section and gives summaries without them', async () => {
    const { vault, edge } = setup();
    const key = await edge.generateKey('fb');
    const a = await edge.saveNode(base({ sudoPassword: 'sudo-secret-2', kube: { mode: 'arc', clusterName: 'c', resourceGroup: 'g', token: 'arc-token-3' } }));
    const b = await edge.saveNode(base({ name: 'edge-02', auth: { method: 'key', keyId: key.id } }));
    const everything = JSON.stringify([edge.listNodes(), edge.listKeys(), edge.activity(a.id)]);
    for (const secret of ['ssh-secret-1', 'sudo-secret-2', 'arc-token-3', 'PRIVATE KEY']) expect(everything).not.toContain(secret);
    expect(a).toMatchObject({ auth: { method: 'password' }, hasSudoPassword: true, kube: { mode: 'arc', hasToken: true } });
    expect(b.auth).toEqual({ method: 'key', keyId: key.id, type: 'ssh-ed25519', fingerprint: key.fingerprint, publicKey: key.publicKey });
    expect(edge.listKeys()[0]!.usedBy).toEqual(['edge-02']);

    const section = vault.getSection<NodesSection>(NODES_SECTION, { version: 1, nodes: {}, keys: {}, activity: {} });
    expect(section.nodes[a.id]).toMatchObject({ auth: { method: 'password', password: 'ssh-secret-1' }, sudoPassword: 'sudo-secret-2', kube: { token: 'arc-token-3' } });
    expect(section.keys[key.id]!.privateKey).toMatch(/OPENSSH PRIVATE KEY/);
  });

  it('on edit keeps omitted secrets, removes nulled ones, and forgets the host key when the address changes', async () => {
    const { vault, edge, activity } = setup();
    const a = await edge.saveNode(base({ sudoPassword: 'sudo-1' }));
    await edge.trustHostKey(a.id, FP);
    const kept = await edge.saveNode({ ...base({ user: 'admin', auth: { method: 'password' } }), id: a.id });
    expect(kept).toMatchObject({ user: 'admin', hasSudoPassword: true, hostKey: { fingerprint: FP, type: 'unknown' } });
    const section = () => vault.getSection<NodesSection>(NODES_SECTION, { version: 1, nodes: {}, keys: {}, activity: {} }).nodes[a.id]!;
    expect(section().auth).toEqual({ method: 'password', password: 'ssh-secret-1' });

    const cleared = await edge.saveNode({ ...base({ auth: { method: 'password' }, sudoPassword: null, host: '192.0.2.11' }), id: a.id });
    expect(cleared.hasSudoPassword).toBe(false);
    expect(cleared.hostKey).toBeUndefined();
    expect(activity.at(-1)).toBe('edited|Edited edge-01: address to 192.0.2.11:22, user to tech, removed the sudo password.');
    await expect(edge.saveNode({ ...base({ auth: { method: 'agent' } }), id: a.id }).then(() => edge.saveNode({ ...base({ auth: { method: 'password' } }), id: a.id }))).rejects.toMatchObject({ code: 'edge.passwordNeeded' });
  });

  it('refuses a duplicate name (any case), a missing key, jump loops, and removing what is in use', async () => {
    const { edge } = setup();
    const a = await edge.saveNode(base());
    await expect(edge.saveNode(base({ name: 'EDGE-01' }))).rejects.toMatchObject({ code: 'edge.nameTaken' });
    await expect(edge.saveNode(base({ name: 'x', auth: { method: 'key', keyId: 'nope' } }))).rejects.toMatchObject({ code: 'edge.keyNotFound' });
    const b = await edge.saveNode(base({ name: 'edge-02', jumpHostId: a.id }));
    await expect(edge.saveNode({ ...base({ jumpHostId: b.id }), id: a.id })).rejects.toMatchObject({ code: 'edge.jumpLoop' });
    await expect(edge.saveNode({ ...base({ jumpHostId: a.id }), id: a.id })).rejects.toMatchObject({ code: 'edge.jumpLoop' });
    await expect(edge.removeNode(a.id)).rejects.toMatchObject({ code: 'edge.nodeInUse', message: expect.stringContaining('edge-02') });
    const key = await edge.generateKey();
    await edge.saveNode({ ...base({ name: 'edge-02', auth: { method: 'key', keyId: key.id } }), id: b.id });
    await expect(edge.removeKey(key.id)).rejects.toMatchObject({ code: 'edge.keyInUse' });
    expect(await edge.removeNode(b.id)).toBe(true);
    expect(await edge.removeKey(key.id)).toBe(true);
    expect(await edge.removeNode(b.id)).toBe(false);
  });

  it('imports the same key twice as one entry', async () => {
    const { edge } = setup();
    const { generateSshKey } = await import('../../../src/main/services/edge/ssh-keys');
    const pk = generateSshKey().privateKey;
    const first = await edge.importKey(pk);
    const second = await edge.importKey(pk);
    expect(second.id).toBe(first.id);
    expect(edge.listKeys()).toHaveLength(1);
  });

  it('trusting a key replaces the old one and says so in the activity log, which is capped', async () => {
    const { edge, activity } = setup();
    const a = await edge.saveNode(base());
    await edge.trustHostKey(a.id, FP);
    await edge.trustHostKey(a.id, FP2);
    expect(activity.at(-1)).toBe(`hostKeyTrusted|Trusted a new host key ${FP2}, replacing ${FP}.`);
    for (let i = 0; i < 510; i++) await edge.recordActivity(a.id, { area: 'aio', kind: 'applied', message: `change ${i}`, ok: true });
    const log = edge.activity(a.id, 1000);
    expect(log).toHaveLength(500);
    expect(log.at(-1)).toMatchObject({ area: 'aio', message: 'change 509', nodeName: 'edge-01' });
    expect(edge.activity(a.id, 3).map((e) => e.message)).toEqual(['change 507', 'change 508', 'change 509']);
  });

  it('needs the vault unlocked', async () => {
    const { vault, edge } = setup();
    vault.lock();
    expect(() => edge.listNodes()).toThrow(expect.objectContaining({ code: 'vault.locked' }));
  });
});

describe('edge contract', () => {
  it('validates node input strictly and with sentences', () => {
    const save = calls['edge.saveNode'].request;
    const ok = save.safeParse({ name: 'edge-01', host: '10.0.0.2', user: 'tech', auth: { method: 'agent' } });
    expect(ok.success && ok.data).toMatchObject({ port: 22, kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' } });
    expect(save.safeParse({ name: 'edge 01', host: '10.0.0.2', user: 'tech', auth: { method: 'agent' } }).error?.issues[0]?.message).toMatch(/no spaces/);
    expect(save.safeParse({ name: 'e', host: 'ssh://10.0.0.2', user: 'tech', auth: { method: 'agent' } }).success).toBe(false);
    expect(save.safeParse({ name: 'e', host: 'h', user: 'tech', auth: { method: 'agent' }, extra: 1 }).success).toBe(false);
    const trust = calls['edge.trustHostKey'].request;
    expect(trust.safeParse({ nodeId: 'n', fingerprint: FP }).success).toBe(true);
    expect(trust.safeParse({ nodeId: 'n', fingerprint: 'MD5:aa:bb' }).error?.issues[0]?.message).toMatch(/SHA256:/);
    expect(calls['edge.testNode'].job).toBe(true);
  });
});
