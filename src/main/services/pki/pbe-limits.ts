import { FieldbenchError } from '@shared/errors';
import { readTlv } from './der-reader';

/**
 * Highest key-derivation work factor Fieldbench will run on an imported file. openssl and step write
 * 2,048 (PKCS#12, PKCS#8); OWASP-minded tools 600,000. A hostile file could ask for 2^31 iterations and
 * freeze the app, so anything above this is refused before any KDF runs.
 */
export const MAX_KDF_ITERATIONS = 2_000_000;

/**
 * Scans DER for INTEGERs that follow an OCTET STRING inside the same SEQUENCE — the shape of PBKDF2,
 * PKCS#12-PBE, scrypt and PKCS#12 MAC parameters — and refuses oversized ones. Bounded by depth and by
 * the input length, so the scan itself is cheap on any input.
 */
export function assertKdfWorkBounded(der: Uint8Array, what: string): void {
  const visit = (start: number, end: number, depth: number): void => {
    if (depth > 32) throw new FieldbenchError('pki.import.malformed', `${what} is nested too deeply to be a real key file. Check that you chose the right file.`);
    let pos = start;
    let sawOctets = false;
    while (pos < end) {
      const tlv = readTlv(der, pos);
      if (tlv.end > end) throw new RangeError('DER: child past parent');
      if (tlv.tag === 0x04) sawOctets = true;
      else if (tlv.tag === 0x02 && sawOctets) {
        const len = tlv.end - tlv.start;
        let value = 0;
        for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + der[i]!;
        if (len > 4 || value > MAX_KDF_ITERATIONS) {
          throw new FieldbenchError('pki.import.kdf-too-costly', `${what} asks for more than ${MAX_KDF_ITERATIONS.toLocaleString('en-US')} key-derivation iterations, which would freeze Fieldbench. Re-export it with default settings.`);
        }
      }
      if (tlv.tag & 0x20) visit(tlv.start, tlv.end, depth + 1);
      pos = tlv.end;
    }
  };
  try {
    visit(0, der.length, 0);
  } catch (err) {
    if (err instanceof FieldbenchError) throw err;
    // Indefinite-length BER or other shapes this scanner does not read: let the real parser decide.
  }
}
