import { generateKeyPair, createPublicKey, createHash, webcrypto, type KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import type { KeyAlgorithm, KeyFamily } from '@shared/pki-types';

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ec-p256';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519'];

/** A freshly generated or imported private key, with what the engine needs to sign and match it. */
export interface KeyMaterial {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM, the only form stored in the vault. */
  pkcs8Pem: string;
}

export interface CancelOptions {
  signal?: AbortSignal;
  progress?: (message: string, fraction?: number) => void;
}

export function cancelledError(what = 'The operation'): FieldbenchError {
  return new FieldbenchError('cancelled', `${what} was cancelled. Nothing was saved.`);
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

/**
 * Generates a key pair natively (node:crypto; never pure JS). The native job cannot be interrupted, so on
 * abort the promise rejects at once with a 'cancelled' error and the key, when it arrives, is dropped.
 */
export function generateKey(algorithm: KeyAlgorithm, options: CancelOptions = {}): Promise<KeyMaterial> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(cancelledError('Key generation'));
  return new Promise<KeyMaterial>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      reject(cancelledError('Key generation'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      if (err) {
        reject(new FieldbenchError('pki.keygen-failed', `Generating the ${describeKeyAlgorithm(algorithm)} key failed. Try again or choose another key type.`, { cause: err }));
        return;
      }
      resolve({ privateKey, publicKey, pkcs8Pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    };
    switch (algorithm) {
      case 'ec-p256':
        generateKeyPair('ec', { namedCurve: 'P-256' }, done);
        break;
      case 'ec-p384':
        generateKeyPair('ec', { namedCurve: 'P-384' }, done);
        break;
      case 'rsa-2048':
      case 'rsa-3072':
      case 'rsa-4096':
        generateKeyPair('rsa', { modulusLength: Number(algorithm.slice(4)), publicExponent: 0x10001 }, done);
        break;
      case 'ed25519':
        generateKeyPair('ed25519', undefined, done);
        break;
      default:
        settled = true;
        reject(new FieldbenchError('pki.bad-key-algorithm', `"${String(algorithm)}" is not a key type Fieldbench can generate. Choose one of ${KEY_ALGORITHMS.join(', ')}.`));
    }
  });
}

export function describeKeyAlgorithm(algorithm: KeyAlgorithm): string {
  switch (algorithm) {
    case 'ec-p256':
      return 'EC P-256';
    case 'ec-p384':
      return 'EC P-384';
    case 'ed25519':
      return 'Ed25519';
    default:
      return `RSA ${algorithm.slice(4)}`;
  }
}

export function keyFamilyOf(key: KeyObject): KeyFamily {
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return 'rsa';
    case 'ec':
      return 'ec';
    case 'ed25519':
      return 'ed25519';
    default:
      return 'other';
  }
}

/** "EC P-256", "RSA 2048", "Ed25519" — for summaries. */
export function describePublicKey(key: KeyObject): { family: KeyFamily; algorithm: string; bits: number | null; curve: string | null } {
  const family = keyFamilyOf(key);
  const details = key.asymmetricKeyDetails ?? {};
  if (family === 'rsa') {
    const bits = details.modulusLength ?? null;
    return { family, algorithm: `RSA ${bits ?? '?'}`, bits, curve: null };
  }
  if (family === 'ec') {
    const curve = curveName(details.namedCurve);
    const bits = curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : curve === 'P-521' ? 521 : null;
    return { family, algorithm: `EC ${curve}`, bits, curve };
  }
  if (family === 'ed25519') return { family, algorithm: 'Ed25519', bits: 256, curve: 'Ed25519' };
  return { family, algorithm: key.asymmetricKeyType ?? 'unknown', bits: null, curve: null };
}

function curveName(named: string | undefined): string {
  switch (named) {
    case 'prime256v1':
    case 'P-256':
      return 'P-256';
    case 'secp384r1':
    case 'P-384':
      return 'P-384';
    case 'secp521r1':
    case 'P-521':
      return 'P-521';
    default:
      return named ?? 'unknown curve';
  }
}

/** The WebCrypto algorithm that signs with this key, and its import parameters. SHA-384 for P-384. */
export function signingAlgorithmFor(key: KeyObject): { importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm; sign: webcrypto.Algorithm | webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams } {
  const family = keyFamilyOf(key);
  if (family === 'rsa') {
    return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams };
  }
  if (family === 'ec') {
    const curve = curveName(key.asymmetricKeyDetails?.namedCurve);
    if (curve !== 'P-256' && curve !== 'P-384' && curve !== 'P-521') {
      throw new FieldbenchError('pki.unsupported-key', `This key uses the curve ${curve}, which Fieldbench cannot sign with. Use an EC P-256 or P-384 key.`);
    }
    const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
    return { importParams: { name: 'ECDSA', namedCurve: curve }, sign: { name: 'ECDSA', hash } as webcrypto.EcdsaParams };
  }
  if (family === 'ed25519') return { importParams: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
  throw new FieldbenchError('pki.unsupported-key', 'Fieldbench can sign with RSA, EC (P-256, P-384) and Ed25519 keys only. Use one of those for the CA.');
}

/** Imports a private key into WebCrypto for @peculiar/x509 (Node 20 has no KeyObject.toCryptoKey). */
export async function toSigningCryptoKey(privateKey: KeyObject): Promise<{ key: webcrypto.CryptoKey; algorithm: webcrypto.Algorithm }> {
  const { importParams, sign } = signingAlgorithmFor(privateKey);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, importParams, false, ['sign']);
  return { key, algorithm: sign };
}

/** SPKI DER of a public (or private) key. */
export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' });
}

/** Stable id for a public key: SHA-256 over its SPKI, used to match keys to certificates. */
export function publicKeyId(key: KeyObject): string {
  return createHash('sha256').update(spkiDer(key)).digest('hex');
}
