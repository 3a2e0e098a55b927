/**
 * A bounds-checked reader for the few DER structures the engine looks into itself (SPKI bit strings,
 * format sniffing). Everything hostile ends in a thrown RangeError, never an out-of-bounds read.
 */
export interface Tlv {
  tag: number;
  /** Offset of the value's first byte. */
  start: number;
  /** Offset after the value's last byte. */
  end: number;
}

export function readTlv(buf: Uint8Array, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new RangeError('DER: truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: multi-byte tags are not used here');
  let lenByte = buf[offset + 1]!;
  let pos = offset + 2;
  let len: number;
  if (lenByte < 0x80) {
    len = lenByte;
  } else {
    lenByte &= 0x7f;
    if (lenByte === 0 || lenByte > 4) throw new RangeError('DER: unsupported length form');
    if (pos + lenByte > buf.length) throw new RangeError('DER: truncated length');
    len = 0;
    for (let i = 0; i < lenByte; i++) len = len * 256 + buf[pos + i]!;
    pos += lenByte;
  }
  if (pos + len > buf.length) throw new RangeError('DER: value runs past the end');
  return { tag, start: pos, end: pos + len };
}

/** Children of a constructed value. */
export function readChildren(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(buf, pos);
    if (child.end > parent.end) throw new RangeError('DER: child runs past its parent');
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** The subjectPublicKey bit string's content (without the unused-bits byte) from an SPKI. */
export function spkiPublicKeyBits(spki: Uint8Array): Uint8Array {
  const outer = readTlv(spki, 0);
  const children = readChildren(spki, outer);
  const bits = children[1];
  if (!bits || bits.tag !== 0x03 || bits.end - bits.start < 1) throw new RangeError('SPKI: no public key bit string');
  return spki.subarray(bits.start + 1, bits.end);
}
