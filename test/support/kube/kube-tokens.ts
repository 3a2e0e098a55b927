/** ServiceAccount tokens: JWTs shaped and checked like kube-apiserver's bound tokens (RS256). */
import { createPublicKey, generateKeyPairSync, createHash, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
}

export interface TokenCheck {
  ok: boolean;
  claims?: ServiceAccountClaims;
  /** Audiences of the token that the caller accepts. */
  audiences?: string[];
  error?: string;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.kid = b64url(createHash('sha256').update(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).digest());
  }

  /** Mints a bound service account token. */
  mint(namespace: string, name: string, uid: string, audiences: string[], expirationSeconds: number): { token: string; exp: number } {
    const iat = Math.floor(Date.now() / 1000);
    const claims: ServiceAccountClaims = {
      aud: audiences,
      exp: iat + expirationSeconds,
      iat,
      iss: ISSUER,
      jti: randomUUID(),
      'kubernetes.io': { namespace, serviceaccount: { name, uid } },
      nbf: iat,
      sub: `system:serviceaccount:${namespace}:${name}`,
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), this.privateKey);
    return { token: `${head}.${body}.${b64url(sig)}`, exp: claims.exp };
  }

  /**
   * Checks signature, time and audience. `accepted` empty means the API server's own audience.
   * The caller still checks that the ServiceAccount exists with the same uid.
   */
  check(token: string, accepted: string[]): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, error: 'invalid bearer token' };
    const [head, body, sig] = parts as [string, string, string];
    let claims: ServiceAccountClaims;
    try {
      const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
      if (header.alg !== 'RS256') return { ok: false, error: 'invalid bearer token' };
      if (!verify('sha256', Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(sig, 'base64url'))) return { ok: false, error: 'invalid bearer token' };
      claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as ServiceAccountClaims;
    } catch {
      return { ok: false, error: 'invalid bearer token' };
    }
    const nowS = Math.floor(Date.now() / 1000);
    if (claims.exp <= nowS) return { ok: false, error: '[invalid bearer token, service account token has expired]' };
    const want = accepted.length > 0 ? accepted : [API_AUDIENCE];
    const audiences = claims.aud.filter((a) => want.includes(a));
    if (audiences.length === 0) {
      return { ok: false, error: `[invalid bearer token, token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(want)}]` };
    }
    return { ok: true, claims, audiences };
  }
}
