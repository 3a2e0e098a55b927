import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, naturalFormat, previewPayload } from '../../../src/main/services/mqtt/payload-codec';

describe('payload formats', () => {
  it('encodes text, JSON, hex and base64, and refuses what is not what it claims', () => {
    expect(encodePayload({ format: 'text', value: 'hé' })).toEqual(Buffer.from('hé'));
    expect(encodePayload({ format: 'json', value: '{"a": [1, 2]}' }).toString()).toBe('{"a": [1, 2]}');
    expect(encodePayload({ format: 'hex', value: '00 ff:10' })).toEqual(Buffer.from([0, 255, 16]));
    expect(encodePayload({ format: 'hex', value: '0xCAFE' })).toEqual(Buffer.from([0xca, 0xfe]));
    expect(encodePayload({ format: 'base64', value: 'AP8Q' })).toEqual(Buffer.from([0, 255, 16]));
    expect(encodePayload({ format: 'base64', value: '_-8' })).toEqual(Buffer.from([0xff, 0xef]));
    expect(() => encodePayload({ format: 'json', value: '{a: 1}' })).toThrow(/not valid JSON/);
    expect(() => encodePayload({ format: 'hex', value: 'abc' })).toThrow(/not valid hex/);
    expect(() => encodePayload({ format: 'hex', value: 'zz' })).toThrow(/not valid hex/);
    expect(() => encodePayload({ format: 'base64', value: 'A' })).toThrow(/not valid base64/);
    expect(() => encodePayload({ format: 'base64', value: 'ab$c' })).toThrow(/not valid base64/);
  });

  it('previews text, JSON, binary and empty payloads, cutting long ones with a marker', () => {
    expect(previewPayload(Buffer.alloc(0))).toEqual({ text: '', kind: 'empty', truncated: false });
    expect(previewPayload(Buffer.from('hello'))).toEqual({ text: 'hello', kind: 'text', truncated: false });
    expect(previewPayload(Buffer.from(' {"a":1}'))).toMatchObject({ kind: 'json' });
    expect(previewPayload(Buffer.from('{"a":'))).toMatchObject({ kind: 'text' });
    expect(previewPayload(Buffer.from([0, 1, 2, 255]))).toEqual({ text: '00 01 02 ff', kind: 'binary', truncated: false });
    const long = previewPayload(Buffer.from('a'.repeat(1000)), 10);
    expect(long).toEqual({ text: 'aaaaaaaaaa … [truncated: 10 of 1,000 bytes shown]', kind: 'text', truncated: true });
    // A multi-byte character cut at the boundary does not turn the preview into hex.
    const cut = previewPayload(Buffer.from('ééééé'), 3);
    expect(cut.kind).toBe('text');
    expect(cut.text.startsWith('é')).toBe(true);
    const bin = previewPayload(Buffer.alloc(100, 1), 30);
    expect(bin.kind).toBe('binary');
    expect(bin.text).toMatch(/^(01 ){9}01 … \[truncated: 10 of 100 bytes shown\]$/);
  });

  it('decodes whole payloads in any format, pretty-printing JSON and reporting invalid JSON', () => {
    const p = Buffer.from('{"a":[1,2]}');
    expect(decodePayload(p, 'json')).toEqual({ value: '{\n  "a": [\n    1,\n    2\n  ]\n}' });
    expect(decodePayload(Buffer.from('nope'), 'json').jsonError).toMatch(/not valid JSON/);
    expect(decodePayload(Buffer.from([1, 2]), 'hex').value).toBe('0102');
    expect(decodePayload(Buffer.from([1, 2]), 'base64').value).toBe('AQI=');
    expect(naturalFormat(p)).toBe('json');
    expect(naturalFormat(Buffer.from('plain'))).toBe('text');
    expect(naturalFormat(Buffer.from([0, 1]))).toBe('hex');
  });
});
