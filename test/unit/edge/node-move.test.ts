import { describe, expect, it } from 'vitest';
import { EdgeService } from '../../../src/main/services/edge/edge-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

const FP = `SHA256:${'A'.repeat(43)}`;

describe('moving a node to its new address', () => {
  const setup = () => {
    const changed: string[][] = [];
    const edge = new EdgeService({ vault: new MemoryVaultStore(), env: {}, onNodesChanged: (ids) => changed.push(ids) });
    return { edge, changed };
  };
  const input = { name: 'edge-01', host: '192.0.2.10', port: 22, user: 'tech', auth: { method: 'password' as const, password: 'pw' }, kube: { mode: 'ssh' as const, kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' } };

  it('keeps the trusted host key, unlike an edit of the address', async () => {
    const { edge, changed } = setup();
    const n = await edge.saveNode(input);
    await edge.trustHostKey(n.id, FP);
    changed.length = 0;
    const moved = await edge.moveNode(n.id, '192.0.2.20');
    expect(moved).toMatchObject({ host: '192.0.2.20', hostKey: { fingerprint: FP } });
    expect(changed).toEqual([[n.id]]);
    const edited = await edge.saveNode({ ...input, id: n.id, host: '192.0.2.30' });
    expect(edited.hostKey).toBeUndefined();
  });

  it('refuses a node that is gone', async () => {
    const { edge } = setup();
    await expect(edge.moveNode('nope', '192.0.2.20')).rejects.toMatchObject({ code: 'edge.nodeNotFound' });
  });
});
