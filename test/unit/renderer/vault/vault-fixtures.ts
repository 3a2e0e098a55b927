// Shared test data for the Vault & PKI renderer tests: summaries shaped like pki.list returns them.
import type { CallResponse } from '@shared/contract';
import type { CertificateSummary, PkiTreeNode } from '@shared/pki-types';

let serial = 0;

export function cert(partial: Partial<CertificateSummary> & Pick<CertificateSummary, 'id' | 'commonName' | 'role'>): CertificateSummary {
  serial += 1;
  const isCa = partial.role === 'root' || partial.role === 'intermediate';
  return {
    subject: `CN = ${partial.commonName}`,
    issuer: `CN = ${partial.commonName}`,
    issuerId: partial.id,
    serialHex: serial.toString(16).toUpperCase().padStart(32, '0'),
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2035-02-09T00:00:00.000Z',
    daysLeft: 3000,
    status: 'valid',
    isCa,
    pathLength: partial.role === 'root' ? 1 : partial.role === 'intermediate' ? 0 : null,
    keyAlgorithm: 'EC P-256',
    keyFamily: 'ec',
    hasPrivateKey: true,
    sans: [],
    fingerprintSha1: 'A'.repeat(40),
    fingerprintSha256: 'B'.repeat(64),
    source: 'created',
    revoked: null,
    renewedFrom: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...partial,
  };
}

export const ROOT = cert({ id: 'root', commonName: 'AIO42 Root CA', role: 'root' });
export const INTER = cert({ id: 'inter', commonName: 'AIO42 Intermediate CA 1', role: 'intermediate', issuerId: 'root', issuer: 'CN = AIO42 Root CA' });
export const SERVER = cert({
  id: 'server',
  commonName: 'mqtts-endpoint',
  role: 'server',
  issuerId: 'inter',
  issuer: 'CN = AIO42 Intermediate CA 1',
  sans: [{ type: 'ip', value: '192.168.2.196' }],
  fingerprintSha1: '5AA8D011E707308B97B0952269FC7496F77C1168',
});
export const EXPIRING = cert({ id: 'c-exp', commonName: 'client42a', role: 'client', issuerId: 'inter', status: 'expiring', daysLeft: 12, keyAlgorithm: 'RSA 2048', keyFamily: 'rsa' });
export const EXPIRED = cert({ id: 'c-old', commonName: 'client42b', role: 'client', issuerId: 'inter', status: 'expired', daysLeft: -3 });
export const REVOKED = cert({ id: 'c-rev', commonName: 'client42c', role: 'client', issuerId: 'inter', status: 'revoked', revoked: { reason: 'superseded', date: '2026-02-01T00:00:00.000Z' } });

export const TREE: PkiTreeNode[] = [
  {
    certificate: ROOT,
    children: [{ certificate: INTER, children: [SERVER, EXPIRING, EXPIRED, REVOKED].map((c) => ({ certificate: c, children: [] })) }],
  },
];

export const LIST: CallResponse<'pki.list'> = { tree: TREE, total: 6, counts: { valid: 3, expiring: 1, expired: 1, 'not-yet-valid': 0, revoked: 1 } };

export const STATUS_NEW: CallResponse<'vault.status'> = { path: '/home/tech/.fieldbench/vault.fbv', exists: false, unlocked: false, autoLockMinutes: 15 };
export const STATUS_LOCKED: CallResponse<'vault.status'> = { ...STATUS_NEW, exists: true };
export const STATUS_OPEN: CallResponse<'vault.status'> = { ...STATUS_NEW, exists: true, unlocked: true };

export const DEFAULTS: CallResponse<'pki.defaults'> = {
  keyAlgorithm: 'ec-p256',
  keyAlgorithms: [
    { id: 'ec-p256', label: 'EC P-256', family: 'ec', slow: false },
    { id: 'rsa-4096', label: 'RSA 4096', family: 'rsa', slow: true },
  ],
  validity: { root: { days: 3650 }, intermediate: { days: 3650 }, server: { days: 825 }, client: { days: 825 }, leaf: { days: 825 } },
  profiles: {
    root: { validity: { days: 3650 }, isCa: true, pathLength: 1, keyUsage: ['Certificate Sign', 'CRL Sign'], extendedKeyUsage: [] },
    intermediate: { validity: { days: 3650 }, isCa: true, pathLength: 0, keyUsage: ['Certificate Sign', 'CRL Sign'], extendedKeyUsage: [] },
    server: { validity: { days: 825 }, isCa: false, pathLength: null, keyUsage: ['Digital Signature'], extendedKeyUsage: ['TLS Web Server Authentication'] },
    client: { validity: { days: 825 }, isCa: false, pathLength: null, keyUsage: ['Digital Signature'], extendedKeyUsage: ['TLS Web Client Authentication'] },
  },
  expiringWithinDays: 30,
  maxValidityDays: 36500,
  maxBatch: 200,
  maxImportBytes: 8 * 1024 * 1024,
  maxImportFiles: 50,
  revocationReasons: ['unspecified', 'superseded'],
};

export function detailOf(c: CertificateSummary): CallResponse<'pki.get'> {
  return {
    summary: c,
    inspection: {
      version: 3,
      subject: c.subject,
      issuer: c.issuer,
      serialHex: c.serialHex,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      signatureAlgorithm: 'ecdsa-with-SHA256',
      publicKey: { family: 'ec', algorithm: 'EC P-256', bits: 256, curve: 'P-256' },
      publicNumbers: { modulusHex: null, exponent: null, pointHex: '04aa', curveOid: 'prime256v1' },
      signatureHex: '3045',
      basicConstraints: { ca: c.isCa, pathLength: c.pathLength, critical: true },
      keyUsage: c.isCa ? ['Certificate Sign', 'CRL Sign'] : ['Digital Signature'],
      keyUsageCritical: true,
      extendedKeyUsage: c.isCa ? [] : ['TLS Web Server Authentication'],
      subjectAltNames: c.sans,
      subjectKeyIdentifier: '60:A4',
      authorityKeyIdentifier: 'E8:F4',
      selfSigned: c.role === 'root',
      fingerprints: { sha1: c.fingerprintSha1, sha256: c.fingerprintSha256, sha1Colon: 'AA:AA', sha256Colon: 'BB:BB' },
    },
    validation: {
      valid: c.status === 'valid',
      chain: [
        { id: c.id, subject: c.subject, fingerprintSha256: c.fingerprintSha256 },
        { id: 'inter', subject: INTER.subject, fingerprintSha256: 'C'.repeat(64) },
        { id: 'root', subject: ROOT.subject, fingerprintSha256: 'D'.repeat(64) },
      ],
      issues:
        c.status === 'expired'
          ? [{ code: 'expired', severity: 'error', message: '"client42b" expired 3 days ago. Renew it.', subject: c.subject, certificateId: c.id }]
          : [],
    },
  };
}
