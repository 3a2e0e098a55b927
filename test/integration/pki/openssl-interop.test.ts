import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyAlgorithm } from '@shared/pki-types';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';
import { hasOpenssl, makeTempDir, openssl } from '../../support/pki/openssl-runner';

if (!hasOpenssl) console.warn('openssl is not installed; skipping the PKI openssl interop tests');

describe.skipIf(!hasOpenssl)('openssl accepts what Fieldbench issues', () => {
  const tmp = makeTempDir();
  const pki = new PkiService({ vault: new MemoryVaultStore() });
  const write = (name: string, text: string | Buffer) => {
    writeFileSync(join(tmp.dir, name), text);
    return name;
  };
  afterAll(() => tmp.cleanup());

  const algs: KeyAlgorithm[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'ed25519'];
  const made: Record<string, { root: string; int: string; server: string; client: string; clientId: string; serverId: string; intId: string }> = {};

  beforeAll(async () => {
    for (const alg of algs) {
      const root = await pki.createRoot({ subject: { commonName: `Root ${alg}` }, keyAlgorithm: alg });
      const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: `Intermediate ${alg}` }, keyAlgorithm: alg });
      const server = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196', 'aio-broker.local'], keyAlgorithm: alg, validity: { hours: 72000 } });
      const client = await pki.createClients({ issuerId: int.certificate.id, clientIds: [`client-${alg}`], keyAlgorithm: alg });
      made[alg] = {
        root: write(`${alg}-root.pem`, pki.exportCertificatePem(root.certificate.id)),
        int: write(`${alg}-int.pem`, pki.exportCertificatePem(int.certificate.id)),
        server: write(`${alg}-server.pem`, pki.exportCertificatePem(server.certificate.id)),
        client: write(`${alg}-client.pem`, pki.exportCertificatePem(client.certificates[0]!.id)),
        clientId: client.certificates[0]!.id,
        serverId: server.certificate.id,
        intId: int.certificate.id,
      };
    }
  });

  it.each(algs)('%s: openssl verify with -purpose sslserver/sslclient and -verify_ip', async (alg) => {
    const m = made[alg]!;
    const server = await openssl(['verify', '-CAfile', m.root, '-untrusted', m.int, '-purpose', 'sslserver', '-verify_ip', '192.168.2.196', m.server], tmp.dir);
    expect(server.stdout + server.stderr).toContain(': OK');
    expect(server.code).toBe(0);
    const host = await openssl(['verify', '-CAfile', m.root, '-untrusted', m.int, '-purpose', 'sslserver', '-verify_hostname', 'aio-broker.local', m.server], tmp.dir);
    expect(host.code).toBe(0);
    const client = await openssl(['verify', '-CAfile', m.root, '-untrusted', m.int, '-purpose', 'sslclient', m.client], tmp.dir);
    expect(client.code).toBe(0);
    // and the negative controls openssl must reject
    expect((await openssl(['verify', '-CAfile', m.root, '-untrusted', m.int, '-purpose', 'sslclient', m.server], tmp.dir)).code).not.toBe(0);
    expect((await openssl(['verify', '-CAfile', m.root, '-untrusted', m.int, '-verify_ip', '10.13.100.11', m.server], tmp.dir)).code).not.toBe(0);
    expect((await openssl(['verify', '-CAfile', m.root, m.server], tmp.dir)).code).not.toBe(0);
  });

  it.each(algs)('%s: our inspection matches openssl x509 -text', async (alg) => {
    const m = made[alg]!;
    const text = (await openssl(['x509', '-in', m.server, '-noout', '-text', '-fingerprint', '-sha256'], tmp.dir)).stdout;
    const d = pki.get(m.serverId).inspection;
    expect(text).toContain(`Subject: ${d.subject}`);
    expect(text).toContain(`Issuer: ${d.issuer}`);
    expect(text).toContain(d.subjectKeyIdentifier!);
    expect(text).toContain(d.authorityKeyIdentifier!);
    expect(text).toContain(`sha256 Fingerprint=${d.fingerprints.sha256Colon}`);
    expect(text).toContain('IP Address:192.168.2.196, DNS:aio-broker.local');
    expect(text).toContain(`Signature Algorithm: ${d.signatureAlgorithm}`);
    const serial = (await openssl(['x509', '-in', m.server, '-noout', '-serial'], tmp.dir)).stdout.trim();
    expect(serial).toBe(`serial=${d.serialHex}`);
  });

  it('openssl reads our PKCS#12, modern and legacy, with -nokeys and -nocerts', async () => {
    for (const alg of ['ec-p256', 'rsa-2048'] as const) {
      for (const legacy of [false, true]) {
        const f = write(`${alg}-${legacy}.p12`, pki.exportPkcs12(made[alg]!.clientId, 'p12 pass', { legacy }));
        const certs = await openssl(['pkcs12', '-in', f, '-passin', 'pass:p12 pass', '-nokeys'], tmp.dir);
        expect(certs.code, certs.stderr).toBe(0);
        expect(certs.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
        const keys = await openssl(['pkcs12', '-in', f, '-passin', 'pass:p12 pass', '-nocerts', '-nodes'], tmp.dir);
        expect(keys.code, keys.stderr).toBe(0);
        expect(keys.stdout).toContain('BEGIN PRIVATE KEY');
        expect((await openssl(['pkcs12', '-in', f, '-passin', 'pass:wrong', '-nokeys'], tmp.dir)).code).not.toBe(0);
      }
    }
  });

  it('openssl accepts our encrypted PKCS#8 key export', async () => {
    const f = write('enc.key', pki.exportKey(made['ec-p256']!.clientId, { passphrase: 'k pass' }));
    const r = await openssl(['pkey', '-in', f, '-passin', 'pass:k pass', '-noout'], tmp.dir);
    expect(r.code, r.stderr).toBe(0);
  });

  it('openssl verifies our CRL and rejects the revoked certificate with it', async () => {
    const m = made['ec-p256']!;
    await pki.revoke(m.clientId, 'keyCompromise');
    const crl = write('int.crl.pem', (await pki.crl(m.intId)) as string);
    const rootCrl = write('root.crl.pem', (await pki.crl(pki.get(m.intId).summary.issuerId!)) as string);
    const check = await openssl(['crl', '-in', crl, '-CAfile', m.int, '-noout', '-text'], tmp.dir);
    expect(check.stdout + check.stderr).toMatch(/verify OK|Key Compromise/);
    expect(check.stdout).toContain('Key Compromise');
    writeFileSync(join(tmp.dir, 'chain.pem'), pki.exportCertificatePem(m.intId, { chain: 'full' }));
    const revoked = await openssl(['verify', '-crl_check_all', '-CAfile', 'chain.pem', '-CRLfile', crl, '-CRLfile', rootCrl, m.client], tmp.dir);
    expect(revoked.code).not.toBe(0);
    expect(revoked.stdout + revoked.stderr).toMatch(/certificate revoked/);
    const fine = await openssl(['verify', '-crl_check_all', '-CAfile', 'chain.pem', '-CRLfile', crl, '-CRLfile', rootCrl, m.server], tmp.dir);
    expect(fine.code, fine.stdout + fine.stderr).toBe(0);
  });
});
