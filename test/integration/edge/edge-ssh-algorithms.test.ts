import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_SSH_DESCRIPTION } from '@shared/contract/edge-contract';
import { EdgeService } from '../../../src/main/services/edge/edge-service';
import { openDirectSsh } from '../../../src/main/services/edge/ssh-connection';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { startExtraSshd, type ExtraSshd } from '../../support/network/edge-targets';

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[edge ssh algorithms] tests skipped: ${availability.reason}`);

// Issue 10 row 11: the node's real OpenSSH server, configured the way an old one is. Each offers only one
// weak choice in one category; everything else is its (modern) default. Ciphers are pinned to a non-AEAD
// mode where the MAC is the point, since an AEAD cipher needs no MAC at all.
const OLD_SERVERS = [
  { what: 'host key signature', offered: 'ssh-rsa', port: 2201, o: { HostKeyAlgorithms: 'ssh-rsa', MACs: 'hmac-sha1', Ciphers: 'aes128-ctr' } },
  { what: 'MAC', offered: 'hmac-sha1', port: 2202, o: { MACs: 'hmac-sha1', Ciphers: 'aes128-ctr' } },
  { what: 'key exchange', offered: 'diffie-hellman-group14-sha1', port: 2203, o: { KexAlgorithms: 'diffie-hellman-group14-sha1' } },
  { what: 'cipher', offered: 'aes128-cbc', port: 2204, o: { Ciphers: 'aes128-cbc' } },
] as const;

describe.skipIf(!availability.ok)('SSH algorithms against old OpenSSH servers', () => {
  let host: EdgeHost;
  let edge: EdgeService;
  let keyId: string;
  const servers: ExtraSshd[] = [];

  beforeAll(async () => {
    host = await startEdgeHost();
    edge = new EdgeService({ vault: new MemoryVaultStore(), ssh: { readyTimeoutMs: 8000, idleMs: 60_000 }, env: {} });
    keyId = (await edge.importKey(host.clientKey.privateKey)).id;
    for (const s of OLD_SERVERS) servers.push(await startExtraSshd(host, s.port, s.o));
  });

  afterAll(async () => {
    await edge?.dispose();
    for (const s of servers) await s.stop();
    await host?.stop();
  });

  const node = (name: string, port: number, legacyAlgorithms?: boolean) =>
    edge.saveNode({
      name,
      host: host.nodeAddress,
      port,
      user: host.users.key.name,
      auth: { method: 'key', keyId },
      ...(legacyAlgorithms !== undefined ? { legacyAlgorithms } : {}),
      kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' },
    });

  it.each(OLD_SERVERS)('a server offering only $offered ($what) is refused with a sentence naming the switch', async (s) => {
    const n = await node(`old-${s.port}`, s.port);
    expect(n.legacyAlgorithms).toBe(false);
    const err = (await edge.exec(n.id, 'true').catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('edge.legacyAlgorithms');
    expect(err.message).toContain(`${s.what}: ${s.offered}`);
    expect(err.message).toContain('"Allow legacy SSH algorithms"');
    expect(err.message).toContain('--legacy-ssh');
    expect(err.message).toContain(LEGACY_SSH_DESCRIPTION);
    // The real server agrees: the negotiation failed, and no login was attempted.
    const log = await servers.find((x) => x.port === s.port)!.waitFor(/Unable to negotiate/);
    expect(log).toMatch(/Unable to negotiate with \S+ port \d+: no matching/);
    expect(log).not.toContain(host.users.key.name);
  });

  it.each(OLD_SERVERS)('with the switch on, the $offered server is accepted', async (s) => {
    const n = await node(`legacy-${s.port}`, s.port, true);
    expect(n.legacyAlgorithms).toBe(true);
    const unknown = (await edge.exec(n.id, 'true').catch((e: unknown) => e)) as { code: string };
    expect(unknown.code).toBe('edge.hostKeyUnknown');
    const presented = edge.presentedHostKey(n.id)!;
    expect(presented.fingerprint).toBe(s.what === 'host key signature' ? host.hostKeys.rsa.fingerprint : host.hostKeys.ed25519.fingerprint);
    await edge.trustHostKey(n.id, presented.fingerprint);
    const res = await edge.exec(n.id, 'id -un');
    expect(res.stdout.toString().trim()).toBe(host.users.key.name);
  });

  it('turning the switch off again refuses the old server again', async () => {
    const n = edge.listNodes().find((x) => x.name === 'legacy-2202')!;
    await edge.saveNode({ id: n.id, name: n.name, host: n.host, port: n.port, user: n.user, auth: { method: 'key', keyId }, legacyAlgorithms: false, kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' } });
    expect(edge.getNode(n.id).legacyAlgorithms).toBe(false);
    await expect(edge.exec(n.id, 'true')).rejects.toMatchObject({ code: 'edge.legacyAlgorithms' });
  });

  it('the node\'s ordinary sshd still connects with the modern lists', async () => {
    const c = await openDirectSsh({
      name: host.nodeAddress,
      host: host.nodeAddress,
      port: host.sshPort,
      user: host.users.key.name,
      auth: { method: 'key', privateKey: host.clientKey.privateKey },
      hostKeyFingerprint: host.hostKeys.ed25519.fingerprint,
    });
    try {
      expect((await c.exec('id -un')).stdout.toString().trim()).toBe(host.users.key.name);
    } finally {
      c.close();
    }
  });

  it('a direct login takes the same switch', async () => {
    const login = {
      name: host.nodeAddress,
      host: host.nodeAddress,
      port: 2201,
      user: host.users.key.name,
      auth: { method: 'key' as const, privateKey: host.clientKey.privateKey },
      hostKeyFingerprint: host.hostKeys.rsa.fingerprint,
    };
    await expect(openDirectSsh(login)).rejects.toMatchObject({ code: 'edge.legacyAlgorithms' });
    const c = await openDirectSsh({ ...login, legacyAlgorithms: true });
    try {
      expect(c.hostKey).toMatchObject({ type: 'ssh-rsa', fingerprint: host.hostKeys.rsa.fingerprint });
    } finally {
      c.close();
    }
  });
});
