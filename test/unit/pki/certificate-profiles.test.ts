import { describe, expect, it } from 'vitest';
import { classifySan, classifySans, DEFAULT_VALIDITY, validityMs } from '../../../src/main/services/pki/certificate-profiles';
import { buildName, randomSerialHex } from '../../../src/main/services/pki/certificate-issuer';

describe('SAN typing (step rules)', () => {
  it.each([
    ['192.168.2.196', 'ip', '192.168.2.196'],
    ['fe80::1', 'ip', 'fe80::1'],
    ['[::1]', 'ip', '::1'],
    ['ops@contoso.com', 'email', 'ops@contoso.com'],
    ['spiffe://aio/broker', 'uri', 'spiffe://aio/broker'],
    ['https://user@host/x', 'uri', 'https://user@host/x'],
    ['aio-broker.azure-iot-operations', 'dns', 'aio-broker.azure-iot-operations'],
    ['*.edge.local', 'dns', '*.edge.local'],
    ['  node1  ', 'dns', 'node1'],
  ])('%s → %s', (raw, type, value) => {
    expect(classifySan(raw)).toEqual({ type, value });
  });

  it('rejects empty and malformed names with a sentence', () => {
    expect(() => classifySan('')).toThrow(/empty/);
    expect(() => classifySan('bad host')).toThrow(expect.objectContaining({ code: 'pki.bad-san' }));
    expect(() => classifySan('a'.repeat(70) + '.com')).toThrow(expect.objectContaining({ code: 'pki.bad-san' }));
  });

  it('drops duplicates case-insensitively', () => {
    expect(classifySans(['Node1', 'node1', '10.0.0.1', '10.0.0.1'])).toHaveLength(2);
  });
});

describe('validity', () => {
  it('accepts days or hours (the seeds use 72000h, 2400h and 3000 days)', () => {
    expect(validityMs({ hours: 72000 })).toBe(72000 * 3_600_000);
    expect(validityMs({ days: 3000 })).toBe(3000 * 86_400_000);
  });
  it('refuses zero, negative, NaN and absurd validities', () => {
    for (const v of [{ days: 0 }, { hours: -1 }, { days: Number.NaN }, { days: 100_000 }]) {
      expect(() => validityMs(v)).toThrow(expect.objectContaining({ code: 'pki.bad-validity' }));
    }
  });
  it('exports defaults the UI can show (CA 10 years, leaves 825 days)', () => {
    expect(DEFAULT_VALIDITY.root).toEqual({ days: 3650 });
    expect(DEFAULT_VALIDITY.intermediate).toEqual({ days: 3650 });
    expect(DEFAULT_VALIDITY.server).toEqual({ days: 825 });
    expect(DEFAULT_VALIDITY.client).toEqual({ days: 825 });
  });
});

describe('subject and serial', () => {
  it('builds names in conventional order and rejects bad input', () => {
    const n = buildName({ commonName: 'AIO42 Root CA', organization: 'Contoso, Ltd', country: 'nl' });
    expect(n.toString()).toContain('CN=AIO42 Root CA');
    expect(n.toJSON().map((r) => Object.keys(r)[0])).toEqual(['C', 'O', 'CN']);
    expect(() => buildName({ commonName: '  ' })).toThrow(expect.objectContaining({ code: 'pki.bad-subject' }));
    expect(() => buildName({ commonName: 'x'.repeat(65) })).toThrow(/64/);
    expect(() => buildName({ commonName: 'x', country: 'NLD' })).toThrow(/two-letter/);
  });

  it('makes positive 128-bit random serials', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const s = randomSerialHex();
      expect(s).toMatch(/^[0-9a-f]{32}$/);
      expect(parseInt(s.slice(0, 2), 16)).toBeLessThan(0x80);
      expect(parseInt(s.slice(0, 2), 16)).toBeGreaterThan(0);
      seen.add(s);
    }
    expect(seen.size).toBe(500);
  });
});
