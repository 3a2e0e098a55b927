import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { readChildren, readTlv, type Tlv } from '../../../src/main/services/pki/der-reader';

/**
 * Hostile password-protected files, made by the real openssl and then edited. openssl itself would run
 * the KDF it writes (10^9 iterations takes hours), so the files are exported with a marker iteration
 * count and the DER is rewritten afterwards, re-encoding every enclosing length — including inside the
 * OCTET STRINGs that wrap a PKCS#12's AuthenticatedSafe and SafeContents, where the inner PBES2
 * parameters live.
 */
export const MARKER_ITERATIONS = 4099;
export const PASSWORD = 'hostile';

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encodeInteger(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return Buffer.from([0x02, ...encodeLength(bytes.length), ...bytes]);
}

function intValue(d: Buffer, t: Tlv): number {
  let v = 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + d[i]!;
  return v;
}

/** Returns `der` with every INTEGER equal to `from` replaced by `to`, at any depth. */
export function rewriteIntegers(der: Buffer, from: number, to: number): Buffer {
  const walk = (d: Buffer, start: number, end: number): Buffer => {
    const parts: Buffer[] = [];
    let pos = start;
    while (pos < end) {
      const t = readTlv(d, pos);
      let value: Buffer;
      if (t.tag === 0x02 && intValue(d, t) === from && t.end - t.start <= 4 ) {
        parts.push(encodeInteger(to));
        pos = t.end;
        continue;
      } else if (t.tag & 0x20) {
        value = walk(d, t.start, t.end);
      } else if (t.tag === 0x04 && d[t.start] === 0x30 && parsesWhole(d, t)) {
        value = walk(d, t.start, t.end);
      } else {
        value = d.subarray(t.start, t.end);
      }
      parts.push(Buffer.concat([Buffer.from([d[pos]!]), encodeLength(value.length), value]));
      pos = t.end;
    }
    return Buffer.concat(parts);
  };
  return walk(der, 0, der.length);
}

function parsesWhole(d: Buffer, t: Tlv): boolean {
  try {
    return readTlv(d, t.start).end === t.end;
  } catch {
    return false;
  }
}

/** Recomputes a PKCS#12's SHA-256 MacData over its (edited) AuthenticatedSafe, so the MAC verifies. */
export function remac(p12: Buffer, password: string, iterations: number): Buffer {
  const { asn1, pkcs12, md, hmac, util } = forge;
  const pfx = asn1.fromDer(p12.toString('binary'));
  const [version, authSafe] = pfx.value as forge.asn1.Asn1[];
  const octets = ((authSafe!.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!.value as string;
  const salt = forge.random.getBytesSync(16);
  const key = pkcs12.generateKey(password, util.createBuffer(salt), 3, iterations, 32, md.sha256.create());
  const h = hmac.create();
  h.start(md.sha256.create(), key);
  h.update(octets);
  const macData = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('2.16.840.1.101.3.4.2.1').getBytes()), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, h.digest().getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, salt),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(iterations).getBytes()),
  ]);
  return Buffer.from(asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [version!, authSafe!, macData])).getBytes(), 'binary');
}

export interface HostileFiles {
  /** Inner PBES2 (key bag and encrypted certificate section) at `iterations`, no MacData. */
  noMac: Buffer;
  /** Inner PBES2 and the MAC at `iterations`. */
  withMac: Buffer;
  /** Inner PBES2 at `iterations`, a MAC that verifies at 1 iteration (the attacker knows the password). */
  validMac: Buffer;
  /** PKCS#8 EncryptedPrivateKeyInfo (PBES2/PBKDF2) at `iterations`, PEM. */
  pkcs8: Buffer;
  /** The untouched openssl export (marker iterations, MAC), as a control. */
  control: Buffer;
}

/** Makes the hostile set in `dir` with the real openssl (RSA-less: an EC key keeps it fast). */
export function makeHostileFiles(dir: string, iterations: number): HostileFiles {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=Hostile', '-days', '2']);
  const iter = String(MARKER_ITERATIONS);
  run(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'mac.p12', '-passout', `pass:${PASSWORD}`, '-iter', iter]);
  run(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'nomac.p12', '-passout', `pass:${PASSWORD}`, '-iter', iter, '-nomac']);
  run(['pkcs8', '-topk8', '-in', 'key.pem', '-out', 'key.p8.der', '-outform', 'DER', '-v2', 'aes-256-cbc', '-iter', iter, '-passout', `pass:${PASSWORD}`]);
  const control = readFileSync(join(dir, 'mac.p12'));
  const noMac = rewriteIntegers(readFileSync(join(dir, 'nomac.p12')), MARKER_ITERATIONS, iterations);
  const withMac = rewriteIntegers(control, MARKER_ITERATIONS, iterations);
  const validMac = remac(noMac, PASSWORD, 1);
  const p8 = rewriteIntegers(readFileSync(join(dir, 'key.p8.der')), MARKER_ITERATIONS, iterations);
  const pkcs8 = Buffer.from(`-----BEGIN ENCRYPTED PRIVATE KEY-----\n${p8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ENCRYPTED PRIVATE KEY-----\n`);
  for (const [name, data] of Object.entries({ noMac, withMac, validMac, pkcs8 })) writeFileSync(join(dir, `hostile-${name}`), data);
  return { noMac, withMac, validMac, pkcs8, control };
}

/** How many INTEGERs equal to `value` the file holds at any depth (proves the rewrite reached them). */
export function countIntegers(der: Buffer, value: number): number {
  let n = 0;
  const walk = (start: number, end: number): void => {
    for (const t of readChildren(der, { tag: 0x30, start, end })) {
      if (t.tag === 0x02 && intValue(der, t) === value) n++;
      else if (t.tag & 0x20) walk(t.start, t.end);
      else if (t.tag === 0x04 && der[t.start] === 0x30 && parsesWhole(der, t)) walk(t.start, t.end);
    }
  };
  walk(0, der.length);
  return n;
}
