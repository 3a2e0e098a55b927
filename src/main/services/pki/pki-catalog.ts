import { createPrivateKey, type KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import { EXPIRING_WITHIN_DAYS } from '@shared/pki-rules';
import type { CertificateRole, CertificateStatus, CertificateSummary, ChainExport, KeyFamily } from '@shared/pki-types';
import { ParsedCertificate } from './parsed-certificate';
import { safeVerify } from './certificate-inspector';
import { planIssuerOf, type IssuerMaterial } from './certificate-issuer';
import type { PlanIssuer } from './issuance-plan';
import { PKI_SECTION, certificateIdFor, emptyPkiSection, type PkiSection, type StoredCertificate } from './pki-section';
import type { PkiVaultStore } from './pki-vault-store';

export interface Entry {
  stored: StoredCertificate;
  cert: ParsedCertificate;
  issuerId: string | null;
}

export interface Index {
  section: Readonly<PkiSection>;
  entries: Map<string, Entry>;
  bySha256: Map<string, string>;
}

const MAX_DEPTH = 10;

/**
 * The vault's 'pki' section as the engine reads it: parsed once per saved version, every certificate
 * linked to its issuer in the vault, and summaries without key material. Issuance, import and checks all
 * read through here and write through `update`.
 */
export class PkiCatalog {
  readonly vault: PkiVaultStore;
  readonly now: () => Date;
  private readonly parsed = new Map<string, ParsedCertificate>();
  private index: Index | null = null;
  /** Issuer links survive re-indexing: a signature once verified does not need verifying again. */
  private readonly links = new Map<string, string>();

  constructor(vault: PkiVaultStore, now: () => Date) {
    this.vault = vault;
    this.now = now;
    this.vault.onChange((e) => {
      if (e.kind === 'locked') {
        this.parsed.clear();
        this.links.clear();
      }
      this.index = null;
    });
  }

  /** One save of the section; `mutate` works on a draft that is committed only if it returns. */
  update<R>(mutate: (draft: PkiSection) => R): Promise<R> {
    return this.vault.updateSection<PkiSection, R>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      return mutate(draft);
    });
  }

  /** Remembers a certificate parsed while issuing, so re-indexing after the save does not parse it again. */
  remember(id: string, cert: ParsedCertificate, issuerId: string | null): void {
    this.parsed.set(id, cert);
    if (issuerId) this.links.set(id, issuerId);
  }

  /** Remembers an issuer link verified by construction (a batch signed by this CA), sparing a signature check. */
  link(id: string, issuerId: string): void {
    this.links.set(id, issuerId);
  }

  entry(idx: Index, id: string): Entry {
    const e = idx.entries.get(id);
    if (!e) throw new FieldbenchError('pki.not-found', `No certificate with id "${String(id).slice(0, 40)}" is in the vault. Refresh the list; it may have been removed.`);
    return e;
  }

  privateKeyOf(idx: Index, e: Entry): KeyObject {
    const stored = idx.section.keys[e.cert.publicKeyId];
    if (!stored) throw new FieldbenchError('pki.no-private-key', `The vault has no private key for "${e.cert.commonName}". Import its key file first.`);
    return createPrivateKey(stored.pkcs8Pem);
  }

  /** The CA's certificate and key for signing; the plan has already said whether it may sign. */
  issuerMaterial(idx: Index, issuerId: string): IssuerMaterial {
    const e = this.entry(idx, issuerId);
    return { certificate: e.cert, privateKey: this.privateKeyOf(idx, e) };
  }

  /** The issuer as the issuance plan sees it, or `{missing}` when the id is not in the vault. */
  planIssuer(idx: Index, issuerId: string | undefined): PlanIssuer | undefined | { missing: true } {
    const id = issuerId?.trim() ?? '';
    if (id === '') return undefined;
    const e = idx.entries.get(id);
    if (!e) return { missing: true };
    return planIssuerOf(e.cert, {
      id,
      revoked: e.stored.revoked !== null,
      hasPrivateKey: idx.section.keys[e.cert.publicKeyId] !== undefined,
      chainFamilies: this.chainFamilies(idx, e),
    });
  }

  /** Key families from this certificate up to its root, as far as the vault holds the chain. */
  chainFamilies(idx: Index, from: Entry): KeyFamily[] {
    const out: KeyFamily[] = [];
    let cur: Entry | undefined = from;
    for (let i = 0; cur && i < MAX_DEPTH; i++) {
      out.push(cur.cert.keyFamily);
      cur = cur.issuerId && cur.issuerId !== cur.stored.id ? idx.entries.get(cur.issuerId) : undefined;
    }
    return out;
  }

  chainOf(idx: Index, id: string, mode: ChainExport): ParsedCertificate[] {
    const e = this.entry(idx, id);
    const out = [e.cert];
    if (mode === 'none') return out;
    let cur = e;
    for (let i = 0; i < MAX_DEPTH; i++) {
      const next = cur.issuerId && cur.issuerId !== cur.stored.id ? idx.entries.get(cur.issuerId) : undefined;
      if (!next) break;
      const isRoot = next.issuerId === next.stored.id;
      if (mode === 'chain' && isRoot) break;
      out.push(next.cert);
      if (mode === 'bundle') break;
      cur = next;
    }
    return out;
  }

  summarize(e: Entry, idx: Index): CertificateSummary {
    const now = this.now().getTime();
    const c = e.cert;
    const daysLeft = Math.floor((c.notAfter.getTime() - now) / 86_400_000);
    const key = c.keyDescription;
    return {
      id: e.stored.id,
      role: e.stored.role,
      commonName: c.commonName,
      subject: c.subjectLine,
      issuer: c.issuerLine,
      issuerId: e.issuerId,
      serialHex: c.serialHex,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      daysLeft,
      status: statusOf(c, e.stored.revoked !== null, now),
      isCa: c.isCa,
      pathLength: c.basicConstraints?.pathLength ?? null,
      keyAlgorithm: key.algorithm,
      keyFamily: key.family,
      hasPrivateKey: idx.section.keys[c.publicKeyId] !== undefined,
      sans: c.sans,
      fingerprintSha1: c.sha1Hex,
      fingerprintSha256: c.sha256Hex,
      source: e.stored.source,
      revoked: e.stored.revoked,
      renewedFrom: e.stored.renewedFrom,
      createdAt: e.stored.createdAt,
    };
  }

  parse(stored: StoredCertificate): ParsedCertificate {
    let p = this.parsed.get(stored.id);
    if (!p) {
      p = ParsedCertificate.fromPem(stored.pem);
      this.parsed.set(stored.id, p);
    }
    return p;
  }

  /** Parses the section once per saved version and links every certificate to its issuer in the vault. */
  getIndex(): Index {
    const section = this.vault.getSection<PkiSection>(PKI_SECTION, emptyPkiSection());
    if (this.index && this.index.section === section) return this.index;
    const entries = new Map<string, Entry>();
    const bySha256 = new Map<string, string>();
    const bySubject = new Map<string, Entry[]>();
    for (const stored of Object.values(section.certificates ?? {})) {
      const cert = this.parse(stored);
      const e: Entry = { stored, cert, issuerId: null };
      entries.set(stored.id, e);
      bySha256.set(cert.sha256Hex, stored.id);
      const list = bySubject.get(cert.node.subject) ?? [];
      list.push(e);
      bySubject.set(cert.node.subject, list);
    }
    for (const e of entries.values()) {
      const known = this.links.get(e.stored.id);
      if (known !== undefined && entries.has(known)) {
        e.issuerId = known;
        continue;
      }
      if (e.cert.selfIssued && safeVerify(e.cert, e.cert)) e.issuerId = e.stored.id;
      else {
        const candidates = bySubject.get(e.cert.node.issuer) ?? [];
        e.issuerId = candidates.find((c) => c !== e && safeVerify(e.cert, c.cert))?.stored.id ?? null;
      }
      if (e.issuerId) this.links.set(e.stored.id, e.issuerId);
    }
    this.index = { section, entries, bySha256 };
    return this.index;
  }
}

export function statusOf(c: { notBefore: Date; notAfter: Date }, revoked: boolean, now: number): CertificateStatus {
  const daysLeft = Math.floor((c.notAfter.getTime() - now) / 86_400_000);
  if (revoked) return 'revoked';
  if (c.notAfter.getTime() < now) return 'expired';
  if (c.notBefore.getTime() > now) return 'not-yet-valid';
  if (daysLeft <= EXPIRING_WITHIN_DAYS) return 'expiring';
  return 'valid';
}

export function normalizeSection(draft: PkiSection): void {
  draft.version ??= 1;
  draft.certificates ??= {};
  draft.keys ??= {};
  draft.crlNumbers ??= {};
}

export function addCertificate(
  draft: PkiSection,
  cert: { sha256Hex: string; pem: string },
  role: CertificateRole,
  source: 'created' | 'imported',
  createdAt: string,
  renewedFrom: string | null,
  key: { id: string; pkcs8Pem: string } | null,
): string {
  const id = certificateIdFor(cert.sha256Hex);
  if (!draft.certificates[id]) {
    draft.certificates[id] = { id, sha256: cert.sha256Hex, pem: cert.pem, role, source, createdAt, revoked: null, renewedFrom };
  }
  if (key && !draft.keys[key.id]) draft.keys[key.id] = { id: key.id, pkcs8Pem: key.pkcs8Pem, createdAt };
  return id;
}
