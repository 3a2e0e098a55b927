import { randomBytes, type KeyObject } from 'node:crypto';
import { x509 } from '../../../src/main/services/pki/x509-runtime';
import { spkiDer, toSigningCryptoKey } from '../../../src/main/services/pki/key-generator';
import { ParsedCertificate, subjectKeyIdentifierOf } from '../../../src/main/services/pki/parsed-certificate';

export interface CraftRequest {
  cn: string;
  key: KeyObject;
  issuer?: { cert: ParsedCertificate; key: KeyObject };
  /** Name to write as issuer without signing with that CA (for bad-signature cases). */
  issuerName?: x509.Name;
  ca?: boolean;
  pathLength?: number;
  keyUsage?: number;
  notBefore?: Date;
  notAfter?: Date;
  noBasicConstraints?: boolean;
}

/**
 * Builds certificates the engine itself refuses to issue (CAs beyond their path length, leaves acting as
 * CAs, expired or future validity) so the validator's findings can be tested one by one.
 */
export async function craftCertificate(req: CraftRequest): Promise<ParsedCertificate> {
  const subject = new x509.Name([{ CN: [req.cn] }]);
  const extensions: x509.Extension[] = [];
  if (!req.noBasicConstraints) extensions.push(new x509.BasicConstraintsExtension(req.ca ?? false, req.pathLength, true));
  if (req.keyUsage !== undefined) extensions.push(new x509.KeyUsagesExtension(req.keyUsage, true));
  else if (req.ca) extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  extensions.push(new x509.SubjectKeyIdentifierExtension(subjectKeyIdentifierOf(req.key), false));
  const signer = req.issuer?.key ?? req.key;
  const { key, algorithm } = await toSigningCryptoKey(signer);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01' + randomBytes(8).toString('hex'),
    subject,
    issuer: req.issuerName ?? req.issuer?.cert.x.subjectName ?? subject,
    notBefore: req.notBefore ?? new Date(Date.now() - 3_600_000),
    notAfter: req.notAfter ?? new Date(Date.now() + 30 * 86_400_000),
    publicKey: spkiDer(req.key),
    signingKey: key,
    signingAlgorithm: algorithm,
    extensions,
  });
  return new ParsedCertificate(Buffer.from(cert.rawData));
}
