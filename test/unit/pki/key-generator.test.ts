import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describePublicKey, generateKey, KEY_ALGORITHMS } from '../../../src/main/services/pki/key-generator';

describe('generateKey', () => {
  it.each([
    ['ec-p256', 'EC P-256'],
    ['ec-p384', 'EC P-384'],
    ['ed25519', 'Ed25519'],
    ['rsa-2048', 'RSA 2048'],
  ] as const)('%s produces a working %s key stored as PKCS#8', async (alg, label) => {
    const k = await generateKey(alg);
    expect(describePublicKey(k.publicKey).algorithm).toBe(label);
    expect(k.pkcs8Pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const priv = createPrivateKey(k.pkcs8Pem);
    const hash = alg === 'ed25519' ? null : 'sha256';
    const sig = sign(hash, Buffer.from('fieldbench'), priv);
    expect(verify(hash, Buffer.from('fieldbench'), createPublicKey(priv), sig)).toBe(true);
  });

  it('lists every supported algorithm', () => {
    expect(KEY_ALGORITHMS).toEqual(['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519']);
  });

  it('rejects at once when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(generateKey('rsa-4096', { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('rejects an RSA-4096 generation with "cancelled" as soon as it is aborted, dropping the key', async () => {
    const ac = new AbortController();
    const p = generateKey('rsa-4096', { signal: ac.signal });
    ac.abort();
    // The rejection is delivered from the abort event, not after the native job finishes.
    await expect(p).rejects.toMatchObject({ code: 'cancelled', message: expect.stringMatching(/cancelled/) });
  });

  it('refuses unknown algorithms with a sentence', async () => {
    await expect(generateKey('rsa-1024' as never)).rejects.toMatchObject({ code: 'pki.bad-key-algorithm' });
  });
});
