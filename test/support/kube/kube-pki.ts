import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256 everywhere: it is instant to generate and every client here (Go, Node, OpenSSL) accepts it. */
const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** A certificate with its key, both PEM; `key` is PKCS#8. */
export interface IssuedCertificate {
  cert: string;
  key: string;
  /** Kept so this certificate can sign others without re-importing the PEM. */
  signingKey: CryptoKey;
  certificate: x509.X509Certificate;
}

export interface LeafOptions {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  serverAuth?: boolean;
  clientAuth?: boolean;
  days?: number;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER
  return bytes.toString('hex');
}

function dn(commonName: string, organizations: string[] = []): string {
  // RFC 4514 strings: O values go after CN so Go and OpenSSL both see them in order.
  const esc = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${esc(commonName)}`, ...organizations.map((o) => `O=${esc(o)}`)].join(', ');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Creates a self-signed root CA (pathlen 1, certSign + crlSign). */
export async function createRootCa(commonName: string, days = 3650): Promise<IssuedCertificate> {
  const keys = await newKeys();
  const notBefore = new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(commonName),
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    keys,
    signingAlgorithm: EC_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certificate.toString('pem') + '\n', key: await keyPem(keys.privateKey), signingKey: keys.privateKey, certificate };
}

/** Issues a leaf signed by `ca`; SANs are typed by shape (IP or DNS). */
export async function issueLeaf(ca: IssuedCertificate, opts: LeafOptions): Promise<IssuedCertificate> {
  const keys = await newKeys();
  const notBefore = new Date(Date.now() - 60_000);
  const serverAuth = opts.serverAuth ?? true;
  const clientAuth = opts.clientAuth ?? false;
  const usages: string[] = [];
  if (serverAuth) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (clientAuth) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const names: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).filter((ip) => isIP(ip) !== 0).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(opts.commonName, opts.organizations),
    issuer: ca.certificate.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.days ?? 365) * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: EC_ALG,
    extensions,
  });
  return { cert: certificate.toString('pem') + '\n', key: await keyPem(keys.privateKey), signingKey: keys.privateKey, certificate };
}

/** Imports a PEM CA (certificate + PKCS#8 EC P-256 key) so it can sign, e.g. a cert-manager CA issuer's secret. */
export async function importCa(certPem: string, keyPemText: string): Promise<IssuedCertificate> {
  const certificate = new x509.X509Certificate(certPem);
  const body = keyPemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const signingKey = await webcrypto.subtle.importKey('pkcs8', Buffer.from(body, 'base64'), EC_ALG, true, ['sign']);
  return { cert: certPem, key: keyPemText, signingKey, certificate };
}

/** A PKCS#10 request as cert-manager puts in a CertificateRequest's spec.request (PEM). */
export async function createCsr(commonName: string, dnsNames: string[], ipAddresses: string[]): Promise<string> {
  const keys = await newKeys();
  const names: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.filter((ip) => isIP(ip) !== 0).map((value) => ({ type: 'ip' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: dn(commonName),
    keys,
    signingAlgorithm: EC_ALG,
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : [],
  });
  return csr.toString('pem') + '\n';
}
