import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { SubjectAltName } from '@shared/pki-types';
import { readChildren, readTlv, spkiPublicKeyBits } from './der-reader';
import type { ParsedCertificate } from './parsed-certificate';
import { subjectKeyIdentifierOf } from './parsed-certificate';

// Leaf certificates for a batch, written straight as DER from a template and signed with node:crypto.
// Profiled on 1,000 EC P-256 clients, @peculiar/x509 spent ~7 ms per certificate in ASN.1 schema
// serialisation, WebCrypto key import and re-parsing its own output; the primitives (keygen + ECDSA sign)
// cost ~0.06 ms. Everything that is the same for the whole batch (issuer name, validity, usages, AKID,
// signature algorithm) is encoded once; per certificate only serial, subject, key, SAN and SKID change.
// The extensions and their order are those of certificate-issuer's signPlanned (RFC 5280 §4.2.1), so a
// batch certificate cannot be told apart from one the wizard makes; test/unit/pki/pki-bulk checks both
// with openssl and Node's X509Certificate.

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

const OID_CN = hex('55 04 03');
const OID_O = hex('55 04 0a');
const VERSION_3 = hex('a0 03 02 01 02');
const EXT_BASIC_CONSTRAINTS_LEAF = hex('30 0c 06 03 55 1d 13 01 01 ff 04 02 30 00');
// keyUsage: digitalSignature (bit 0) for EC/Ed25519; + keyEncipherment (bit 2) for RSA key transport.
const EXT_KEY_USAGE_SIGN = hex('30 0e 06 03 55 1d 0f 01 01 ff 04 04 03 02 07 80');
const EXT_KEY_USAGE_RSA = hex('30 0e 06 03 55 1d 0f 01 01 ff 04 04 03 02 05 a0');
const EXT_EKU = { clientAuth: hex('30 13 06 03 55 1d 25 04 0c 30 0a 06 08 2b 06 01 05 05 07 03 02'), serverAuth: hex('30 13 06 03 55 1d 25 04 0c 30 0a 06 08 2b 06 01 05 05 07 03 01') };
const OID_SAN = hex('06 03 55 1d 11');
const OID_SKID = hex('06 03 55 1d 0e');
const OID_AKID = hex('06 03 55 1d 23');

/** The signature algorithm for the issuer's key, as the AlgorithmIdentifier DER and node:crypto's digest. */
function signatureAlgorithm(key: KeyObject): { der: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { der: hex('30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00'), digest: 'sha256' };
    case 'ed25519':
      return { der: hex('30 05 06 03 2b 65 70'), digest: null };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return { der: hex('30 0a 06 08 2a 86 48 ce 3d 04 03 02'), digest: 'sha256' };
      if (curve === 'secp384r1' || curve === 'P-384') return { der: hex('30 0a 06 08 2a 86 48 ce 3d 04 03 03'), digest: 'sha384' };
      if (curve === 'secp521r1' || curve === 'P-521') return { der: hex('30 0a 06 08 2a 86 48 ce 3d 04 03 04'), digest: 'sha512' };
      break;
    }
  }
  throw new FieldbenchError('pki.unsupported-key', 'Fieldbench can sign with RSA, EC (P-256, P-384) and Ed25519 keys only. Use one of those for the CA.');
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function derTime(d: Date): Buffer {
  const iso = d.toISOString();
  const year = d.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** The issuer's subject exactly as its certificate encodes it (name matching compares these bytes). */
function subjectDerOf(cert: ParsedCertificate): Buffer {
  const der = cert.der;
  const tbs = readChildren(der, readTlv(der, 0))[0]!;
  const children = readChildren(der, tbs);
  // version [0] is present in v3 certificates; subject is the fifth field after it.
  const offset = children[0]!.tag === 0xa0 ? 1 : 0;
  const index = offset + 4;
  const header = children[index - 1]!.end;
  return Buffer.from(der.subarray(header, children[index]!.end));
}

function generalName(san: SubjectAltName): Buffer {
  switch (san.type) {
    case 'ip':
      return tlv(0x87, ipBytes(san.value));
    case 'email':
      return tlv(0x81, Buffer.from(san.value, 'ascii'));
    case 'uri':
      return tlv(0x86, Buffer.from(san.value, 'ascii'));
    default:
      return tlv(0x82, Buffer.from(san.value, 'ascii'));
  }
}

/** The 4 or 16 octets of an address the shared SAN rule accepted (IPv6 in pure hex form). */
function ipBytes(ip: string): Buffer {
  if (!ip.includes(':')) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

export interface TemplateLeaf {
  commonName: string;
  organization?: string | undefined;
  sans: readonly SubjectAltName[];
  /** The subject's public key as SPKI DER. */
  spki: Buffer;
  /** The subject key is RSA (its leaf also gets keyEncipherment). */
  rsa: boolean;
}

export interface SignedLeaf {
  der: Buffer;
  serialHex: string;
  sha1Hex: string;
  sha256Hex: string;
}

/** Signs leaves for one issuer and one validity window: the shared parts are encoded once. */
export class LeafTemplate {
  private readonly issuerName: Buffer;
  private readonly validity: Buffer;
  private readonly algorithm: { der: Buffer; digest: string | null };
  private readonly akid: Buffer;
  private readonly eku: Buffer;

  constructor(
    private readonly issuer: { certificate: ParsedCertificate; privateKey: KeyObject },
    window: { notBefore: Date; notAfter: Date },
    purpose: 'clientAuth' | 'serverAuth',
  ) {
    this.issuerName = subjectDerOf(issuer.certificate);
    this.validity = seq(derTime(window.notBefore), derTime(window.notAfter));
    this.algorithm = signatureAlgorithm(issuer.privateKey);
    const keyId = hex(issuer.certificate.subjectKeyIdentifier ?? subjectKeyIdentifierOf(issuer.certificate.publicKey));
    this.akid = seq(OID_AKID, tlv(0x04, seq(tlv(0x80, keyId))));
    this.eku = EXT_EKU[purpose];
  }

  /**
   * Signs on the thread pool (node:crypto's callback form): a batch signs on every core at once and the
   * main thread stays free for the UI's calls while a thousand certificates are made.
   */
  signAsync(leaf: TemplateLeaf): Promise<SignedLeaf> {
    const tbs = this.tbsFor(leaf);
    return new Promise((resolve, reject) => {
      sign(this.algorithm.digest, tbs.der, this.issuer.privateKey, (err, signature) => {
        if (err) reject(err);
        else resolve(this.assemble(tbs.der, tbs.serial, signature));
      });
    });
  }

  private assemble(tbs: Buffer, serial: Buffer, signature: Buffer): SignedLeaf {
    const der = seq(tbs, this.algorithm.der, tlv(0x03, Buffer.from([0]), signature));
    return {
      der,
      serialHex: serial.toString('hex').toUpperCase(),
      sha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
      sha256Hex: createHash('sha256').update(der).digest('hex').toUpperCase(),
    };
  }

  private tbsFor(leaf: TemplateLeaf): { der: Buffer; serial: Buffer } {
    const serial = randomBytes(16);
    // Positive and never zero: the top bit cleared so DER needs no sign byte (as randomSerialHex).
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const rdns: Buffer[] = [];
    if (leaf.organization) rdns.push(tlv(0x31, seq(tlv(0x06, OID_O), tlv(0x0c, Buffer.from(leaf.organization, 'utf8')))));
    rdns.push(tlv(0x31, seq(tlv(0x06, OID_CN), tlv(0x0c, Buffer.from(leaf.commonName, 'utf8')))));
    const extensions: Buffer[] = [EXT_BASIC_CONSTRAINTS_LEAF, leaf.rsa ? EXT_KEY_USAGE_RSA : EXT_KEY_USAGE_SIGN, this.eku];
    if (leaf.sans.length > 0) extensions.push(seq(OID_SAN, tlv(0x04, seq(...leaf.sans.map(generalName)))));
    const skid = createHash('sha1').update(spkiPublicKeyBits(leaf.spki)).digest();
    extensions.push(seq(OID_SKID, tlv(0x04, tlv(0x04, skid))), this.akid);
    return { der: seq(VERSION_3, tlv(0x02, serial), this.algorithm.der, this.issuerName, this.validity, seq(...rdns), leaf.spki, tlv(0xa3, seq(...extensions))), serial };
  }
}

export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
