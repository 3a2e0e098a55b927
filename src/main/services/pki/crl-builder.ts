import type { KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { RevocationReason } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { toSigningCryptoKey } from './key-generator';
import type { ParsedCertificate } from './parsed-certificate';
import { REVOCATION_REASON_CODES } from './certificate-profiles';
import { subjectKeyIdentifierOf } from './parsed-certificate';

export interface CrlEntry {
  serialHex: string;
  date: Date;
  reason: RevocationReason;
}

export interface CrlRequest {
  ca: ParsedCertificate;
  caKey: KeyObject;
  entries: readonly CrlEntry[];
  crlNumber: number;
  thisUpdate?: Date;
  /** Days until the next CRL is due; relying parties treat the CRL as stale afterwards. */
  nextUpdateDays?: number;
}

export const DEFAULT_CRL_NEXT_UPDATE_DAYS = 30;

/** Builds a v2 CRL signed by the CA, with CRL number and authority key identifier. Returns DER. */
export async function buildCrl(req: CrlRequest): Promise<Buffer> {
  if (!req.ca.isCa) throw new FieldbenchError('pki.crl-not-ca', `"${req.ca.commonName}" is not a CA, so it cannot publish a CRL. Choose the CA that issued the revoked certificates.`);
  if (!req.ca.hasKeyUsage(x509.KeyUsageFlags.cRLSign)) throw new FieldbenchError('pki.crl-not-allowed', `"${req.ca.commonName}" may not sign CRLs (its key usage lacks cRLSign). Re-issue the CA with cRLSign.`);
  const thisUpdate = req.thisUpdate ?? new Date();
  const nextUpdate = new Date(thisUpdate.getTime() + (req.nextUpdateDays ?? DEFAULT_CRL_NEXT_UPDATE_DAYS) * 86_400_000);
  const { key, algorithm } = await toSigningCryptoKey(req.caKey);
  const crl = await x509.X509CrlGenerator.create({
    issuer: req.ca.x.subjectName,
    thisUpdate,
    nextUpdate,
    signingKey: key,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.AuthorityKeyIdentifierExtension(req.ca.subjectKeyIdentifier ?? subjectKeyIdentifierOf(req.ca.publicKey), false),
      new x509.Extension('2.5.29.20', false, derInteger(req.crlNumber)),
    ],
    entries: req.entries.map((e) => ({ serialNumber: e.serialHex, revocationDate: e.date, reason: REVOCATION_REASON_CODES[e.reason] as x509.X509CrlReason })),
  });
  return Buffer.from(crl.rawData);
}

function derInteger(n: number): Buffer {
  let hex = Math.max(0, Math.floor(n)).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}
