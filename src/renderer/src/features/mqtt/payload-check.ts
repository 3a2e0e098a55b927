// Checks a payload as typed before it is sent, so the person sees what is wrong beside the field. Main checks
// again; this is only for the inline hint.

export type PayloadFormat = 'text' | 'json' | 'hex' | 'base64';

export function checkPayload(format: PayloadFormat, value: string): string | undefined {
  if (format === 'json') {
    if (value.trim() === '') return 'Enter a JSON value, e.g. {"temperature": 21.5}.';
    try {
      JSON.parse(value);
    } catch (e) {
      return `This is not valid JSON: ${(e as Error).message}.`;
    }
  }
  if (format === 'hex') {
    const compact = value.replace(/[\s:]/g, '');
    if (!/^[0-9a-fA-F]*$/.test(compact)) return 'Hex payloads use only 0–9 and a–f (spaces and colons are ignored).';
    if (compact.length % 2 !== 0) return 'Hex payloads need an even number of digits: two per byte.';
  }
  if (format === 'base64') {
    const compact = value.replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) return 'This is not valid base64.';
  }
  return undefined;
}

/** JSON pretty-printed with two spaces, or the text unchanged when it does not parse. */
export function prettyJson(value: string): string {
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}
