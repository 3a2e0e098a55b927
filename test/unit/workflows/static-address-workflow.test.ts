import { describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { NetworkService } from '../../../src/main/services/network/network-service';
import { StaticAddressWorkflow } from '../../../src/main/workflows/static-address-workflow';
import { directShells } from '../../support/network/edge-targets';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';
import { noClusterRead } from '../../support/services/absent-areas';

// Issue 9: the re-issue used to re-parse the subject from openssl's one-line text (losing or inventing
// attributes) and guess the key type from a label. It is pki.renew now: the subject and key come from the
// certificate itself.
describe('static-address workflow: re-issue with the new address', () => {
  async function setup() {
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    const root = await pki.createRoot({ subject: { commonName: 'Plant Root CA' }, keyAlgorithm: 'rsa-3072' });
    const flow = new StaticAddressWorkflow({ network: new NetworkService({ aio: noClusterRead, shells: directShells(), pki }), pki, activity: { recordActivity: async () => undefined } });
    return { pki, root: root.certificate.id, flow };
  }

  it('keeps the exact subject, even one openssl text would split wrongly', async () => {
    const { pki, root, flow } = await setup();
    const leaf = await pki.createServer({ issuerId: root, subject: { commonName: 'broker', organization: 'Plant 7, L = Elsewhere', organizationalUnit: 'OT' }, sans: ['192.168.2.196'], keyAlgorithm: 'rsa-3072' });
    const before = pki.summaries().find((c) => c.id === leaf.certificate.id)!;
    const r = await flow.reissue(leaf.certificate.id, '192.168.2.200', ['192.168.2.196']);
    const after = pki.summaries().find((c) => c.id === r.certificateId)!;
    expect(after.subject).toBe(before.subject);
    expect(after.sans).toEqual([{ type: 'ip', value: '192.168.2.200' }]);
  });

  it('keeps the key type of the certificate itself', async () => {
    const { pki, root, flow } = await setup();
    const ecRoot = (await pki.createRoot({ subject: { commonName: 'EC Root CA' }, keyAlgorithm: 'ec-p256' })).certificate.id;
    for (const [issuerId, keyAlgorithm] of [[root, 'rsa-4096'], [ecRoot, 'ec-p384']] as const) {
      const leaf = await pki.createServer({ issuerId, subject: { commonName: `b-${keyAlgorithm}` }, sans: ['10.0.0.2'], keyAlgorithm });
      const before = pki.summaries().find((c) => c.id === leaf.certificate.id)!;
      const r = await flow.reissue(leaf.certificate.id, '10.0.0.3', []);
      const after = pki.summaries().find((c) => c.id === r.certificateId)!;
      expect([after.keyFamily, after.keyAlgorithm]).toEqual([before.keyFamily, before.keyAlgorithm]);
      expect(r.sans).toEqual(['IP:10.0.0.2', 'IP:10.0.0.3']);
    }
  });
});
