import { describe, expect, it } from 'vitest';
import { deriveKeys, DEFAULT_KDF } from '../../../src/main/services/vault/vault-crypto';
import { argon2id } from 'hash-wasm';
import { randomBytes } from 'node:crypto';

// Issue 10 item 1: the vault's KDF runs off the main event loop, so an unlock (or a header at the caps)
// cannot stall the other calls of the app.
describe('vault key derivation', () => {
  it('lets the event loop run while Argon2id works, and derives what hash-wasm derives', async () => {
    const salt = randomBytes(16);
    const kdf = { ...DEFAULT_KDF, memoryKiB: 64 * 1024, iterations: 3 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const keys = await deriveKeys('correct horse battery staple', salt, kdf);
    clearInterval(timer);
    // Derived on this thread, a 64 MiB × 3 Argon2id is one synchronous WebAssembly call: no timer could fire.
    expect(ticks).toBeGreaterThanOrEqual(10);
    const master = await argon2id({ password: 'correct horse battery staple', salt, memorySize: kdf.memoryKiB, iterations: kdf.iterations, parallelism: kdf.parallelism, hashLength: 32, outputType: 'binary' });
    const { hkdfSync } = await import('node:crypto');
    expect(keys.enc.equals(Buffer.from(hkdfSync('sha256', master, salt, 'fieldbench vault v1 body', 32)))).toBe(true);
  });
});
