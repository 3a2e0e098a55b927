import { FieldbenchError } from '@shared/errors';
import type { PayloadInputT, PayloadPreviewT } from '@shared/contract/mqtt-contract';

type Format = PayloadInputT['format'];

/** Turns what the person typed into the bytes to send, refusing input that is not what its format says. */
export function encodePayload(input: { format: Format; value: string }): Buffer {
  switch (input.format) {
    case 'text':
      return Buffer.from(input.value, 'utf8');
    case 'json': {
      if (input.value.trim() === '') return Buffer.alloc(0);
      try {
        JSON.parse(input.value);
      } catch (err) {
        throw new FieldbenchError('mqtt.invalidPayload', `The payload is not valid JSON (${(err as Error).message}). Fix it or send it as text.`, { cause: err });
      }
      return Buffer.from(input.value, 'utf8');
    }
    case 'hex': {
      const compact = input.value.replace(/[\s:]/g, '').replace(/^0x/i, '');
      if (!/^([0-9a-fA-F]{2})*$/.test(compact)) {
        throw new FieldbenchError('mqtt.invalidPayload', 'The payload is not valid hex: use pairs of 0-9 and a-f (spaces and colons are ignored).');
      }
      return Buffer.from(compact, 'hex');
    }
    case 'base64': {
      const compact = input.value.replace(/\s/g, '');
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
        throw new FieldbenchError('mqtt.invalidPayload', 'The payload is not valid base64. Check for stray characters or a cut-off end.');
      }
      return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
    }
  }
}

const JSON_PARSE_LIMIT = 256 * 1024;

function looksLikeText(s: string): boolean {
  // Control characters other than tab/CR/LF mean the bytes are binary even when they decode as UTF-8.
  // eslint-disable-next-line no-control-regex -- finding control bytes is the point here
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s);
}

function decodeUtf8(bytes: Uint8Array, partial: boolean): string | null {
  try {
    // stream:true tolerates a multi-byte character cut off at the preview boundary.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: partial });
  } catch {
    return null;
  }
}

/**
 * A preview of at most `maxBytes` bytes of payload: UTF-8 text (kind 'json' when the whole payload parses
 * as JSON) or spaced hex for binary. Cut previews end with a marker saying how much is left out.
 */
export function previewPayload(payload: Uint8Array, maxBytes = 512): PayloadPreviewT {
  if (payload.length === 0) return { text: '', kind: 'empty', truncated: false };
  const truncated = payload.length > maxBytes;
  const head = truncated ? payload.subarray(0, maxBytes) : payload;
  const text = decodeUtf8(head, truncated);
  if (text !== null && looksLikeText(text)) {
    let kind: PayloadPreviewT['kind'] = 'text';
    const first = text.trimStart()[0];
    if (!truncated && (first === '{' || first === '[') && payload.length <= JSON_PARSE_LIMIT) {
      try {
        JSON.parse(text);
        kind = 'json';
      } catch {}
    }
    return { text: truncated ? `${text}${marker(payload.length, head.length)}` : text, kind, truncated };
  }
  // Hex takes three characters per byte, so show a third as many bytes.
  const hexBytes = Math.max(1, Math.floor(maxBytes / 3));
  const cut = payload.length > hexBytes;
  const hex = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.length, hexBytes)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return { text: cut ? `${hex}${marker(payload.length, hexBytes)}` : hex, kind: 'binary', truncated: cut };
}

function marker(total: number, shown: number): string {
  return ` … [truncated: ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} bytes shown]`;
}

/** The whole payload in the asked format; JSON is pretty-printed when it parses, else reported. */
export function decodePayload(payload: Uint8Array, format: Format): { value: string; jsonError?: string } {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  switch (format) {
    case 'hex':
      return { value: buf.toString('hex') };
    case 'base64':
      return { value: buf.toString('base64') };
    case 'text':
      return { value: buf.toString('utf8') };
    case 'json': {
      const text = buf.toString('utf8');
      try {
        return { value: JSON.stringify(JSON.parse(text), null, 2) };
      } catch (err) {
        return { value: text, jsonError: `The payload is not valid JSON: ${(err as Error).message}` };
      }
    }
  }
}

/** The format to show a payload in by default: JSON when it parses, text when UTF-8, else hex. */
export function naturalFormat(payload: Uint8Array): Format {
  const p = previewPayload(payload, Math.min(payload.length, JSON_PARSE_LIMIT) || 1);
  if (p.kind === 'json') return 'json';
  if (p.kind === 'binary') return 'hex';
  return 'text';
}
