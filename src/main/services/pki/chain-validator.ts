import { MIXED_FAMILY_MESSAGE } from '@shared/pki-rules';
import type { ChainValidation, KeyFamily, RevocationInfo, ValidationCode, ValidationIssue } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import type { ParsedCertificate } from './parsed-certificate';
import { safeVerify } from './certificate-inspector';

export interface ChainContext {
  /** Certificates the chain may be built from (the vault's, plus anything imported alongside). */
  pool: readonly ParsedCertificate[];
  /** Trust anchors: a chain must end in one of these (by SHA-256 fingerprint). */
  trustedRoots: ReadonlySet<string>;
  /** The certificates presented with the leaf, in order (as a TLS peer sends them). */
  presented?: readonly ParsedCertificate[];
  now?: Date;
  idOf?: (cert: ParsedCertificate) => string | null;
  revocationOf?: (cert: ParsedCertificate) => RevocationInfo | null;
}

const MAX_DEPTH = 10;

export { MIXED_FAMILY_MESSAGE };

/**
 * Builds the path from `leaf` to a trust anchor and names every problem on it, each with a distinct
 * code. Path building prefers issuers whose signature verifies, so a re-created CA with the same name
 * shows up as "bad-signature" instead of silently validating.
 */
export function validateChain(leaf: ParsedCertificate, ctx: ChainContext): ChainValidation {
  const now = ctx.now ?? new Date();
  const idOf = ctx.idOf ?? (() => null);
  const issues: ValidationIssue[] = [];
  const add = (code: ValidationCode, cert: ParsedCertificate, message: string, severity: 'error' | 'warning' = 'error'): void => {
    issues.push({ code, severity, message, subject: cert.subjectLine, certificateId: idOf(cert) });
  };
  const chain: ParsedCertificate[] = [leaf];
  const inChain = new Set([leaf.sha256Hex]);
  const presented = ctx.presented ?? [];
  const candidatesPool = [...presented, ...ctx.pool];
  let current = leaf;

  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (current.selfIssued && safeVerify(current, current)) {
      if (!ctx.trustedRoots.has(current.sha256Hex)) {
        add('untrusted-root', current, `The chain ends at "${current.subjectLine}", which is not a root in this vault. Import that root if you trust it.`);
      }
      break;
    }
    const next = presented[depth];
    if (next && next.subjectLine !== current.issuerLine && next.node.subject !== current.node.issuer) {
      add('wrong-issuer', current, `The certificate sent after "${current.subjectLine}" is "${next.subjectLine}", but its issuer is "${current.issuerLine}". Send the chain in order: leaf, then the intermediate that issued it.`);
    }
    const byName = dedupe(candidatesPool.filter((c) => c.node.subject === current.node.issuer && !inChain.has(c.sha256Hex)));
    if (byName.length === 0) {
      add('missing-intermediate', current, `The issuer "${current.issuerLine}" of "${current.subjectLine}" is not in the vault or in the presented chain. Import that intermediate (or root) certificate.`);
      break;
    }
    const signer = byName.find((c) => safeVerify(current, c));
    if (!signer) {
      const candidate = byName[0]!;
      add('bad-signature', current, `"${current.subjectLine}" names "${current.issuerLine}" as its issuer, but the signature does not match that CA's key. It was signed by another CA with the same name (perhaps re-created); re-issue it or import the right CA.`);
      chain.push(candidate);
      break;
    }
    checkCa(signer, chain.slice(1).filter((c) => c.isCa).length, add);
    chain.push(signer);
    inChain.add(signer.sha256Hex);
    current = signer;
  }

  for (const cert of chain) {
    if (cert.notAfter.getTime() < now.getTime()) {
      add('expired', cert, `"${cert.subjectLine}" expired on ${cert.notAfter.toISOString().slice(0, 10)}. Renew it and deploy the new certificate.`);
    } else if (cert.notBefore.getTime() > now.getTime()) {
      add('not-yet-valid', cert, `"${cert.subjectLine}" is not valid before ${cert.notBefore.toISOString()}. Check the clock on this computer and on the node.`);
    }
    const revoked = ctx.revocationOf?.(cert);
    if (revoked) add('revoked', cert, `"${cert.subjectLine}" was marked revoked (${revoked.reason}) on ${revoked.date.slice(0, 10)}. Issue a replacement.`);
  }

  const families = new Set<KeyFamily>(chain.map((c) => c.keyFamily));
  if (families.has('ec') && families.has('rsa')) add('mixed-key-families', leaf, MIXED_FAMILY_MESSAGE, 'warning');

  return {
    valid: !issues.some((i) => i.severity === 'error'),
    chain: chain.map((c) => ({ id: idOf(c), subject: c.subjectLine, fingerprintSha256: c.sha256Hex })),
    issues,
  };
}

function checkCa(signer: ParsedCertificate, below: number, add: (code: ValidationCode, cert: ParsedCertificate, message: string) => void): void {
  // OpenSSL still accepts a self-signed X.509 v1 root as a CA; everything else must say CA:TRUE.
  const v1Root = (signer.version) === 1 && signer.selfIssued;
  if (!signer.isCa && !v1Root) {
    const v1 = (signer.version) === 1 ? ' It is an X.509 v1 certificate (openssl x509 -req without -extfile makes those).' : '';
    add('not-a-ca', signer, `"${signer.subjectLine}" signed another certificate but is not a CA (no basicConstraints CA:TRUE).${v1} Re-issue it as a CA, e.g. with basicConstraints=critical,CA:TRUE.`);
    return;
  }
  if (signer.keyUsageFlags !== null && (signer.keyUsageFlags & x509.KeyUsageFlags.keyCertSign) === 0) {
    add('ca-key-usage', signer, `"${signer.subjectLine}" is a CA but its key usage lacks Certificate Sign. Re-issue it with keyCertSign.`);
  }
  // `below` counts the CA certificates between the signer and the leaf; a non-CA in that spot is already
  // reported as not-a-ca and would only add noise here.
  const pathLength = signer.basicConstraints?.pathLength;
  if (pathLength !== null && pathLength !== undefined && below > pathLength) {
    add('path-length-exceeded', signer, `"${signer.subjectLine}" allows ${pathLength} intermediate CA(s) below it, but the chain has ${below}. Sign the intermediate with a CA that allows it, or shorten the chain.`);
  }
}

function dedupe(certs: ParsedCertificate[]): ParsedCertificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => (seen.has(c.sha256Hex) ? false : (seen.add(c.sha256Hex), true)));
}
