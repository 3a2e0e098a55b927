import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../src/main/services/pki/certificate-issuer';
import { inspectCertificate } from '../../../src/main/services/pki/certificate-inspector';
import { spkiDer } from '../../../src/main/services/pki/key-generator';
import { spkiPublicKeyBits } from '../../../src/main/services/pki/der-reader';
import { testKey } from '../../support/pki/test-keys';
import { craftCertificate } from '../../support/pki/craft-certificate';

async function chain(alg: 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'ed25519') {
  const [rk, ik, lk] = await Promise.all([testKey(alg, 0), testKey(alg, 1), testKey(alg, 2)]);
  const root = await issueCertificate({ profile: 'root', subject: { commonName: 'AIO42 Root CA' }, validity: { hours: 72000 }, subjectKey: rk.privateKey });
  const int = await issueCertificate({ profile: 'intermediate', subject: { commonName: 'AIO42 Intermediate CA 1' }, validity: { days: 3000 }, subjectKey: ik.publicKey, issuer: { certificate: root.certificate, privateKey: rk.privateKey }, clampToIssuer: true });
  const server = await issueCertificate({ profile: 'server', subject: { commonName: 'mqtts-endpoint' }, sans: ['192.168.2.196', 'aio-broker'], validity: { hours: 2400 }, subjectKey: lk.publicKey, issuer: { certificate: int.certificate, privateKey: ik.privateKey } });
  return { root: root.certificate, int: int.certificate, server: server.certificate, keys: { rk, ik, lk } };
}

describe('profiles and inspection', () => {
  it.each(['ec-p256', 'ec-p384', 'rsa-2048', 'ed25519'] as const)('%s chain carries the profile extensions', async (alg) => {
    const { root, int, server, keys } = await chain(alg);
    const r = inspectCertificate(root);
    expect(r.basicConstraints).toEqual({ ca: true, pathLength: 1, critical: true });
    expect(r.keyUsage).toEqual(['Certificate Sign', 'CRL Sign']);
    expect(r.selfSigned).toBe(true);
    expect(r.subject).toBe('CN = AIO42 Root CA');
    const i = inspectCertificate(int);
    expect(i.basicConstraints?.pathLength).toBe(0);
    expect(i.issuer).toBe('CN = AIO42 Root CA');
    expect(i.authorityKeyIdentifier).toBe(r.subjectKeyIdentifier);
    const s = inspectCertificate(server);
    expect(s.basicConstraints).toEqual({ ca: false, pathLength: null, critical: true });
    expect(s.keyUsage).toEqual(alg === 'rsa-2048' ? ['Digital Signature', 'Key Encipherment'] : ['Digital Signature']);
    expect(s.extendedKeyUsage).toEqual(['TLS Web Server Authentication']);
    expect(s.subjectAltNames).toEqual([{ type: 'ip', value: '192.168.2.196' }, { type: 'dns', value: 'aio-broker' }]);
    expect(s.authorityKeyIdentifier).toBe(i.subjectKeyIdentifier);
    // SKID = SHA-1 of the public key bit string (RFC 5280 method 1)
    const expected = createHash('sha1').update(spkiPublicKeyBits(spkiDer(keys.lk.publicKey))).digest('hex').toUpperCase();
    expect(s.subjectKeyIdentifier?.replace(/:/g, '')).toBe(expected);
    expect(s.fingerprints.sha1).toMatch(/^[0-9A-F]{40}$/);
    expect(s.fingerprints.sha256).toMatch(/^[0-9A-F]{64}$/);
    expect(s.fingerprints.sha256Colon.replace(/:/g, '')).toBe(s.fingerprints.sha256);
    expect(s.fingerprints.sha1Colon).toBe(server.node.fingerprint);
    expect(s.serialHex).toMatch(/^[0-9A-F]{32}$/);
    expect(s.signatureAlgorithm).toBe({ 'ec-p256': 'ecdsa-with-SHA256', 'ec-p384': 'ecdsa-with-SHA384', 'rsa-2048': 'sha256WithRSAEncryption', ed25519: 'ED25519' }[alg]);
    expect(s.publicKey.algorithm).toBe({ 'ec-p256': 'EC P-256', 'ec-p384': 'EC P-384', 'rsa-2048': 'RSA 2048', ed25519: 'Ed25519' }[alg]);
    expect(server.node.checkIP('192.168.2.196')).toBe('192.168.2.196');
    expect(server.node.verify(int.publicKey)).toBe(true);
  });

  it('a client leaf gets clientAuth and its CN as SAN', async () => {
    const { int, keys } = await chain('ec-p256');
    const c = await issueCertificate({ profile: 'client', subject: { commonName: 'client42a' }, validity: { days: 30 }, subjectKey: (await testKey('ec-p256', 3)).publicKey, issuer: { certificate: int, privateKey: keys.ik.privateKey } });
    const s = inspectCertificate(c.certificate);
    expect(s.extendedKeyUsage).toEqual(['TLS Web Client Authentication']);
    expect(s.subjectAltNames).toEqual([{ type: 'dns', value: 'client42a' }]);
    expect(s.subject).toBe('CN = client42a');
  });

  it('warns when neither SANs nor the CN can name a host', async () => {
    const { int, keys } = await chain('ec-p256');
    const c = await issueCertificate({ profile: 'server', subject: { commonName: 'My Broker' }, validity: { days: 30 }, subjectKey: keys.lk.publicKey, issuer: { certificate: int, privateKey: keys.ik.privateKey } });
    expect(c.warnings.map((w) => w.code)).toEqual(['no-sans']);
    expect(inspectCertificate(c.certificate).subjectAltNames).toEqual([]);
  });
});

describe('what a CA may sign', () => {
  it('an intermediate with pathlen 0 cannot sign a CA', async () => {
    const { int, keys } = await chain('ec-p256');
    await expect(issueCertificate({ profile: 'intermediate', subject: { commonName: 'Sub CA' }, validity: { days: 10 }, subjectKey: keys.lk.publicKey, issuer: { certificate: int, privateKey: keys.ik.privateKey } })).rejects.toMatchObject({
      code: 'pki.path-length',
      message: expect.stringMatching(/path length 0/),
    });
  });

  it('refuses to outlast the CA, and offers the clamp', async () => {
    const { int, keys } = await chain('ec-p256');
    const req = { profile: 'server' as const, subject: { commonName: 'node1' }, validity: { days: 4000 }, subjectKey: keys.lk.publicKey, issuer: { certificate: int, privateKey: keys.ik.privateKey } };
    await expect(issueCertificate(req)).rejects.toMatchObject({ code: 'pki.validity-exceeds-issuer', message: expect.stringMatching(/outlast.*end it on the CA's expiry date/) });
    const clamped = await issueCertificate({ ...req, clampToIssuer: true });
    // The same validity as the CA, issued a moment later, outlasts it by seconds: refused too, never
    // shortened without asking (issue 9: "shorten" unticked still issued it shortened).
    await expect(issueCertificate({ ...req, validity: { days: 3000 } })).rejects.toMatchObject({ code: 'pki.validity-exceeds-issuer', message: expect.stringMatching(/by \d+ minutes?/) });
    const same = await issueCertificate({ ...req, validity: { days: 3000 }, clampToIssuer: true });
    expect(same.certificate.notAfter.getTime()).toBe(int.notAfter.getTime());
    expect(same.warnings.map((w) => w.code)).toEqual(['validity-clamped']);
    expect(clamped.certificate.notAfter.getTime()).toBe(int.notAfter.getTime());
    expect(clamped.warnings[0]?.code).toBe('validity-clamped');
  });

  it('refuses a leaf, an expired CA and a missing issuer as signer', async () => {
    const { server, int, keys } = await chain('ec-p256');
    await expect(issueCertificate({ profile: 'client', subject: { commonName: 'x' }, validity: { days: 1 }, subjectKey: keys.lk.publicKey, issuer: { certificate: server, privateKey: keys.lk.privateKey } })).rejects.toMatchObject({ code: 'pki.issuer-not-ca' });
    await expect(issueCertificate({ profile: 'client', subject: { commonName: 'x' }, validity: { days: 1 }, subjectKey: keys.lk.publicKey, issuer: { certificate: int, privateKey: keys.ik.privateKey }, now: new Date(int.notAfter.getTime() + 1000) })).rejects.toMatchObject({ code: 'pki.issuer-expired' });
    await expect(issueCertificate({ profile: 'client', subject: { commonName: 'x' }, validity: { days: 1 }, subjectKey: keys.lk.publicKey })).rejects.toMatchObject({ code: 'pki.issuer-required' });
    const noCertSign = await craftCertificate({ cn: 'Odd CA', key: keys.ik.privateKey, ca: true, keyUsage: 1 });
    await expect(issueCertificate({ profile: 'client', subject: { commonName: 'x' }, validity: { days: 1 }, subjectKey: keys.lk.publicKey, issuer: { certificate: noCertSign, privateKey: keys.ik.privateKey } })).rejects.toMatchObject({ code: 'pki.issuer-not-ca', message: expect.stringMatching(/keyCertSign/) });
  });
});
