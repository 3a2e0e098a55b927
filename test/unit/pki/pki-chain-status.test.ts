import { describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';

describe('the tree says when a chain is broken and why', () => {
  it('marks a leaf whose intermediate is missing, and one whose CA is revoked', async () => {
    const vault = new MemoryVaultStore();
    const pki = new PkiService({ vault });
    const root = await pki.createRoot({ subject: { commonName: 'Status Root' } });
    const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'Status Int' } });
    const leaf = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'broker' }, sans: ['10.0.0.5'] });
    const find = (id: string) => {
      const walk = (nodes: ReturnType<PkiService['list']>): ReturnType<PkiService['list']>[number] | undefined => {
        for (const n of nodes) {
          if (n.certificate.id === id) return n;
          const hit = walk(n.children);
          if (hit) return hit;
        }
        return undefined;
      };
      return walk(pki.list());
    };
    expect(find(leaf.certificate.id)!.chainProblem).toBeUndefined();

    await pki.revoke(int.certificate.id, 'cACompromise');
    expect(find(leaf.certificate.id)).toMatchObject({ certificate: { status: 'valid' }, chainProblem: expect.stringMatching(/revoked/i) });

    const other = new PkiService({ vault: new MemoryVaultStore() });
    await other.importFile({ fileName: 'leaf.pem', data: pki.exportCertificatePem(leaf.certificate.id) });
    await other.importFile({ fileName: 'root.pem', data: pki.exportCertificatePem(root.certificate.id) });
    const orphan = other.list().find((n) => n.certificate.commonName === 'broker')!;
    expect(orphan.certificate.status).toBe('valid');
    expect(orphan.chainProblem).toMatch(/intermediate|issuer/i);
  });

  it('issuing from an RSA CA defaults to RSA; a mixed chain is refused with a sentence', async () => {
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    const root = await pki.createRoot({ subject: { commonName: 'RSA Root' }, keyAlgorithm: 'rsa-2048' });
    const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'RSA Int' } });
    expect(int.certificate.keyFamily).toBe('rsa');
    await expect(pki.createClients({ issuerId: int.certificate.id, clientIds: ['ec1'], keyAlgorithm: 'ec-p256' })).rejects.toMatchObject({
      code: 'pki.mixed-key-families',
      message: expect.stringMatching(/RSA keys.*AIO broker rejects.*Choose an RSA key type/),
    });
  });
});
