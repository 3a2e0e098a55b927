import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';
import { hasOpenssl, makeTempDir, openssl, sh } from '../../support/pki/openssl-runner';
import { SEED_001_FILES, runSeed000Litmus, runSeed001Openssl, runSeed001Step } from '../../support/pki/seed-chains';

if (!hasOpenssl) console.warn('openssl is not installed; skipping the seed import tests');

async function importDir(pki: PkiService, dir: string, files: readonly string[], passphrase?: string) {
  return pki.importFiles(files.map((f) => ({ fileName: f, data: readFileSync(join(dir, f)), ...(passphrase ? { passphrase } : {}) })));
}

describe.skipIf(!hasOpenssl)('files made by the seeds import and form their chains', () => {
  const dirs: (() => void)[] = [];
  const temp = () => {
    const t = makeTempDir();
    dirs.push(t.cleanup);
    return t.dir;
  };
  afterAll(() => dirs.forEach((c) => c()));

  async function seed001(bits: { ca: number; leaf: number }) {
    const dir = temp();
    await runSeed001Openssl(dir, bits);
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    const results = await importDir(pki, dir, SEED_001_FILES);
    return { dir, pki, results };
  }

  it('seed 001 openssl commands (2048-bit CAs): every file imports, keys match, trees form', async () => {
    const { dir, pki, results } = await seed001({ ca: 2048, leaf: 2048 });
    for (const r of results) expect(r.errors, r.fileName).toEqual([]);
    expect(results.reduce((n, r) => n + r.certificatesImported, 0)).toBe(7);
    expect(results.reduce((n, r) => n + r.keysMatched, 0)).toBe(7);
    const tree = pki.list();
    expect(tree.map((n) => n.certificate.commonName)).toEqual(['AIO42 Root CA', 'Clients42 Root CA']);
    expect(tree[0]!.children[0]!.certificate.commonName).toBe('AIO42 Intermediate CA 1');
    expect(tree[0]!.children[0]!.children[0]!.certificate.commonName).toBe('mqtts-endpoint');
    expect(tree[1]!.children[0]!.children.map((n) => n.certificate.commonName)).toEqual(['client42a', 'client42b']);
    expect(pki.summaries().every((s) => s.hasPrivateKey)).toBe(true);

    // The seed's `openssl x509 -req` without -extfile makes X.509 v1 intermediates. openssl verify rejects
    // them, and Fieldbench names the same problem instead of calling the chain valid.
    const server = pki.summaries().find((s) => s.commonName === 'mqtts-endpoint')!;
    const v = pki.verify(server.id);
    expect(v.valid).toBe(false);
    expect(v.issues.map((i) => i.code)).toEqual(['not-a-ca']);
    expect(v.issues[0]!.message).toMatch(/X\.509 v1 certificate/);
    const o = await openssl(['verify', '-CAfile', 'aio42_root_ca.crt', '-untrusted', 'aio42_intermediate_ca.crt', 'mqtts-endpoint.crt'], dir);
    expect(o.code).not.toBe(0);
    expect(o.stdout + o.stderr).toMatch(/invalid CA certificate/);
    expect(pki.checkHost(server.id, '192.168.2.196').valid).toBe(true);

    // Fieldbench can issue a correct replacement under the imported root, and openssl agrees.
    const root = pki.summaries().find((s) => s.commonName === 'AIO42 Root CA')!;
    expect(root.isCa).toBe(true);
    const int = await pki.createIntermediate({ issuerId: root.id, subject: { commonName: 'AIO42 Intermediate CA 2' }, keyAlgorithm: 'rsa-2048', validity: { days: 2000 } });
    const leaf = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196'], keyAlgorithm: 'rsa-2048', validity: { days: 800 } });
    expect(int.warnings).toEqual([]);
    expect(pki.verify(leaf.certificate.id).valid).toBe(true);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'new-chain.pem'), pki.exportCertificatePem(leaf.certificate.id, { chain: 'bundle' }));
    writeFileSync(join(dir, 'new-int.pem'), pki.exportCertificatePem(int.certificate.id));
    const ok = await openssl(['verify', '-CAfile', 'aio42_root_ca.crt', '-untrusted', 'new-int.pem', '-purpose', 'sslserver', '-verify_ip', '192.168.2.196', 'new-chain.pem'], dir);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });

  it('seed 001 openssl commands with RSA-4096 CAs, as written in the seed', async () => {
    const { pki, results } = await seed001({ ca: 4096, leaf: 2048 });
    for (const r of results) expect(r.errors, r.fileName).toEqual([]);
    const root = pki.summaries().find((s) => s.commonName === 'Clients42 Root CA')!;
    expect(root.keyAlgorithm).toBe('RSA 4096');
    expect(pki.get(root.id).inspection.publicKey.bits).toBe(4096);
    expect(pki.list().flatMap((n) => n.children.flatMap((c) => c.children)).length).toBe(3);
  }, 90_000);

  it('seed 000 Litmus chain (step, EC P-256, bundled leaf, 2400h) imports and validates', async () => {
    const dir = temp();
    await runSeed000Litmus(dir);
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    const files = ['litmusedge_root_ca.crt', 'litmusedge_root_ca.key', 'litmusedge_intermediate_ca.crt', 'litmusedge_intermediate_ca.key', 'aiomqttconnector.crt', 'aiomqttconnector.key'];
    const results = await importDir(pki, dir, files);
    for (const r of results) expect(r.errors, r.fileName).toEqual([]);
    // the bundled leaf file repeats the intermediate, which is recognised as a duplicate
    expect(results.find((r) => r.fileName === 'aiomqttconnector.crt')).toMatchObject({ certificatesImported: 1, duplicates: 1 });
    const leaf = pki.summaries().find((s) => s.commonName === 'aiomqttconnector')!;
    expect(leaf).toMatchObject({ keyAlgorithm: 'EC P-256', hasPrivateKey: true, role: 'server' });
    expect(leaf.daysLeft).toBe(99);
    const v = pki.verify(leaf.id);
    expect(v.valid).toBe(true);
    expect(v.chain.map((l) => l.subject)).toEqual(['CN = aiomqttconnector', 'CN = Litmus Edge Intermediate CA 1', 'CN = Litmus Edge Root CA']);
    // the subject string the AIO x509 authorizationAttributes use
    expect(pki.get(v.chain[1]!.id!).inspection.subject).toBe('CN = Litmus Edge Intermediate CA 1');
    const i = pki.get(v.chain[1]!.id!).inspection;
    expect(i.basicConstraints).toEqual({ ca: true, pathLength: 0, critical: true });
  });

  it('seed 001 step variant (72000h, --bundle, IP SAN) imports; the presented bundle validates as the broker would see it', async () => {
    const dir = temp();
    await runSeed001Step(dir);
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    await importDir(pki, dir, ['aio42_root_ca.crt']);
    const bundle = readFileSync(join(dir, 'mqtts-endpoint.crt'), 'utf8');
    const v = pki.verifyPresented(bundle);
    expect(v.valid).toBe(true);
    expect(v.chain).toHaveLength(3);
    const results = await importDir(pki, dir, ['mqtts-endpoint.crt', 'mqtts-endpoint.key', 'aio42_intermediate_ca.key']);
    for (const r of results) expect(r.errors).toEqual([]);
    const leaf = pki.summaries().find((s) => s.commonName === 'mqtts-endpoint')!;
    expect(pki.checkHost(leaf.id, '192.168.2.196').valid).toBe(true);
  });

  it('imports openssl PKCS#12 (modern and -legacy) and encrypted keys made by openssl', async () => {
    const dir = temp();
    await runSeed000Litmus(dir);
    const r = await sh(
      `openssl pkcs12 -export -in aiomqttconnector.crt -inkey aiomqttconnector.key -passout pass:pw -out modern.p12
openssl pkcs12 -export -legacy -in aiomqttconnector.crt -inkey aiomqttconnector.key -passout pass:pw -out legacy.p12
openssl pkcs8 -topk8 -in litmusedge_root_ca.key -passout pass:pw -out root.enc.p8
openssl ec -in litmusedge_intermediate_ca.key -aes256 -passout pass:pw -out int.enc.pem 2>/dev/null`,
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['modern.p12', 'legacy.p12']) {
      const pki = new PkiService({ vault: new MemoryVaultStore() });
      const [res] = await importDir(pki, dir, [f], 'pw');
      expect(res, f).toMatchObject({ certificatesImported: 2, keysImported: 1, keysMatched: 1, errors: [] });
      const [bad] = await importDir(pki, dir, [f], 'wrong');
      expect(bad!.errors[0]!.code).toBe('pki.import.bad-passphrase');
    }
    const pki = new PkiService({ vault: new MemoryVaultStore() });
    const res = await importDir(pki, dir, ['root.enc.p8', 'int.enc.pem'], 'pw');
    expect(res.map((x) => x.keysImported)).toEqual([1, 1]);
  });
});
