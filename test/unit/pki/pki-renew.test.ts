import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { x509 } from '../../../src/main/services/pki/x509-runtime';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';

async function chain(keyAlgorithm: 'ec-p256' | 'rsa-2048' = 'ec-p256') {
  const pki = new PkiService({ vault: new MemoryVaultStore() });
  const root = await pki.createRoot({ subject: { commonName: 'Renew Root' }, keyAlgorithm });
  const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'Renew Int' }, keyAlgorithm });
  return { pki, root, int };
}

describe('pki.renew with new SANs', () => {
  it('re-issues with the new SANs, the same subject and the same key type', async () => {
    const { pki, int } = await chain('rsa-2048');
    const server = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint', organization: 'Plant 4' }, sans: ['192.168.2.196'], keyAlgorithm: 'rsa-2048' });
    const renewed = await pki.renew(server.certificate.id, { sans: ['192.168.2.197', 'mqtts.plant.local'] });
    expect(renewed.certificate.sans).toEqual([
      { type: 'ip', value: '192.168.2.197' },
      { type: 'dns', value: 'mqtts.plant.local' },
    ]);
    expect(renewed.certificate.subject).toBe(server.certificate.subject);
    expect(renewed.certificate.keyAlgorithm).toBe('RSA 2048');
    expect(renewed.certificate.renewedFrom).toBe(server.certificate.id);
    expect(pki.checkHost(renewed.certificate.id, '192.168.2.197').valid).toBe(true);
    expect(pki.checkHost(renewed.certificate.id, '192.168.2.196').valid).toBe(false);
  });

  it('keeps a subject byte for byte, even attributes the wizards cannot type', async () => {
    const { pki, int } = await chain();
    // An imported leaf whose name carries DC and a second OU: rebuilding it from text would lose them.
    const key = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const intPem = pki.exportCertificatePem(int.certificate.id);
    const intKey = pki.exportKey(int.certificate.id);
    const signingKey = await crypto.subtle.importKey('pkcs8', pemBody(intKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const publicKey = await crypto.subtle.importKey('spki', key.publicKey.export({ format: 'der', type: 'spki' }), { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify']);
    const name = 'DC=plant, DC=local, OU=Line 2, OU=Presses, CN=press-08';
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: '0badc0de',
      subject: name,
      issuer: new x509.X509Certificate(intPem).subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
      publicKey,
      signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]), new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'press-08' }])],
    });
    const imported = await pki.importFile({ fileName: 'press.pem', data: leaf.toString('pem') + key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    const id = imported.certificateIds[0]!;
    const renewed = await pki.renew(id, { sans: ['press-08.plant.local'] });
    const before = new X509Certificate(pki.exportCertificateDer(id));
    const after = new X509Certificate(pki.exportCertificateDer(renewed.certificate.id));
    expect(after.subject).toBe(before.subject);
    expect(Buffer.from(new x509.X509Certificate(after.raw).subjectName.toArrayBuffer())).toEqual(Buffer.from(new x509.X509Certificate(before.raw).subjectName.toArrayBuffer()));
    // Key type from the certificate itself: P-384, not the default P-256.
    expect(renewed.certificate.keyAlgorithm).toBe('EC P-384');
    expect(after.checkIssued(new X509Certificate(intPem))).toBe(true);
    expect(after.subjectAltName).toBe('DNS:press-08.plant.local');
  });

  it('refuses new SANs on a CA, and SANs that are not addresses, with sentences', async () => {
    const { pki, int } = await chain();
    await expect(pki.renew(int.certificate.id, { sans: ['10.0.0.1'] })).rejects.toThrow(/is a CA; a CA carries no subject alternative names/);
    const server = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'broker' }, sans: ['10.0.0.1'] });
    await expect(pki.renew(server.certificate.id, { sans: ['10.0.0.999'] })).rejects.toThrow(/10\.0\.0\.999/);
  });
});

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
