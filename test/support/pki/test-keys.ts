import type { KeyAlgorithm } from '@shared/pki-types';
import { generateKey, type KeyMaterial } from '../../../src/main/services/pki/key-generator';

const cache = new Map<string, Promise<KeyMaterial>>();

/**
 * Keys for tests that are not about key generation, made once per test file and slot, so a suite that
 * needs RSA keys does not pay for fresh ones in every case.
 */
export function testKey(algorithm: KeyAlgorithm, slot = 0): Promise<KeyMaterial> {
  const k = `${algorithm}#${slot}`;
  let p = cache.get(k);
  if (!p) {
    p = generateKey(algorithm);
    cache.set(k, p);
  }
  return p;
}
