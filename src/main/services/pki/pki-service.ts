import { createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { FieldbenchError } from '@shared/errors';
import type {
  BatchIssueResult,
  CertificateDetail,
  CertificateRole,
  CertificateStatus,
  CertificateSummary,
  ChainExport,
  ChainValidation,
  ExpiryEntry,
  HostCheckResult,
  ImportFileResult,
  IssueResult,
  KeyAlgorithm,
  KeyFamily,
  PkiDefaults,
  PkiTreeNode,
  PkiWarning,
  RevocationInfo,
  RevocationReason,
  SubjectInput,
  ValidityInput,
} from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { DEFAULT_KEY_ALGORITHM, describeKeyAlgorithm, generateKey, publicKeyId, throwIfAborted, type CancelOptions } from './key-generator';
import { DEFAULT_VALIDITY, EXPIRING_WITHIN_DAYS, REVOCATION_REASON_CODES } from './certificate-profiles';
import { issueCertificate, type IssueProfile } from './certificate-issuer';
import { ParsedCertificate } from './parsed-certificate';
import { inspectCertificate, safeVerify } from './certificate-inspector';
import { MIXED_FAMILY_MESSAGE, validateChain } from './chain-validator';
import { parseImportFile } from './pki-importer';
import { parseImportFileOffThread } from './import-runner';
import { writePkcs12 } from './pkcs12-codec';
import { buildCrl } from './crl-builder';
import { PKI_SECTION, certificateIdFor, emptyPkiSection, type PkiSection, type StoredCertificate } from './pki-section';
import type { PkiVaultStore } from './pki-vault-store';

export type PkiOperationOptions = CancelOptions;

export interface CreateRootRequest {
  subject: SubjectInput;
  keyAlgorithm?: KeyAlgorithm;
  validity?: ValidityInput;
}

export interface CreateIntermediateRequest extends CreateRootRequest {
  issuerId: string;
  clampToIssuer?: boolean;
}

export interface CreateServerRequest extends CreateIntermediateRequest {
  /** Host names, IPs, e-mails or URIs; typed automatically. Empty → the CN becomes the SAN. */
  sans?: string[];
}

export interface CreateClientsRequest {
  issuerId: string;
  /** Explicit client ids, or a prefix + count giving prefix+'a', prefix+'b', … (client42a, client42b). */
  clientIds?: string[];
  prefix?: string;
  count?: number;
  organization?: string;
  keyAlgorithm?: KeyAlgorithm;
  validity?: ValidityInput;
  clampToIssuer?: boolean;
}

export interface RenewRequest {
  /** Reuse the existing key instead of generating a new one (new key is the default). */
  keepKey?: boolean;
  keyAlgorithm?: KeyAlgorithm;
  validity?: ValidityInput;
  clampToIssuer?: boolean;
}

export interface ImportInput {
  fileName: string;
  data: Uint8Array | string;
  passphrase?: string;
}

export interface PkiServiceOptions {
  vault: PkiVaultStore;
  /** Injected clock, for expiry tests. */
  now?: () => Date;
}

interface Entry {
  stored: StoredCertificate;
  cert: ParsedCertificate;
  issuerId: string | null;
}

interface Index {
  section: Readonly<PkiSection>;
  entries: Map<string, Entry>;
  bySha256: Map<string, string>;
}

const MAX_BATCH = 200;

/**
 * The PKI engine over the vault's 'pki' section: creates, imports, inspects, validates and exports
 * certificates. Everything it returns for display is a summary without key material; private keys leave
 * only through exportKey/exportPkcs12, which the caller invokes after the user confirmed.
 */
export class PkiService {
  private readonly vault: PkiVaultStore;
  private readonly now: () => Date;
  private readonly parsed = new Map<string, ParsedCertificate>();
  private index: Index | null = null;
  /** Issuer links survive re-indexing: a signature once verified does not need verifying again. */
  private readonly links = new Map<string, string>();

  constructor(options: PkiServiceOptions) {
    this.vault = options.vault;
    this.now = options.now ?? (() => new Date());
    this.vault.onChange((e) => {
      if (e.kind === 'locked') {
        this.parsed.clear();
        this.links.clear();
      }
      this.index = null;
    });
  }

  /** Defaults the wizards show before anything is issued. */
  defaults(): PkiDefaults {
    return { keyAlgorithm: DEFAULT_KEY_ALGORITHM, validity: { ...DEFAULT_VALIDITY }, expiringWithinDays: EXPIRING_WITHIN_DAYS };
  }

  /** All certificates as a forest: roots (and orphans whose issuer is not in the vault) → intermediates → leaves. */
  list(): PkiTreeNode[] {
    const idx = this.getIndex();
    const nodes = new Map<string, PkiTreeNode>();
    for (const e of idx.entries.values()) nodes.set(e.stored.id, { certificate: this.summarize(e, idx), children: [] });
    const roots: PkiTreeNode[] = [];
    for (const e of idx.entries.values()) {
      const node = nodes.get(e.stored.id)!;
      const parent = e.issuerId && e.issuerId !== e.stored.id ? nodes.get(e.issuerId) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    const sort = (list: PkiTreeNode[]): void => {
      list.sort((a, b) => a.certificate.commonName.localeCompare(b.certificate.commonName) || a.certificate.notBefore.localeCompare(b.certificate.notBefore));
      for (const n of list) sort(n.children);
    };
    sort(roots);
    return roots;
  }

  /** Flat list of summaries. */
  summaries(): CertificateSummary[] {
    const idx = this.getIndex();
    return [...idx.entries.values()].map((e) => this.summarize(e, idx));
  }

  /** Summary, full inspection and chain validation of one certificate. */
  get(id: string): CertificateDetail {
    const idx = this.getIndex();
    const e = this.entry(idx, id);
    return { summary: this.summarize(e, idx), inspection: inspectCertificate(e.cert), validation: this.validate(e.cert, idx) };
  }

  /** Creates a self-signed root CA (pathlen 1, keyCertSign + cRLSign). */
  async createRoot(req: CreateRootRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    const alg = req.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
    const key = await this.newKey(alg, op);
    const issued = await issueCertificate({ profile: 'root', subject: req.subject, validity: req.validity ?? DEFAULT_VALIDITY.root, subjectKey: key.privateKey, now: this.now() });
    return this.storeIssued('root', issued.certificate, key, issued.warnings, null, op);
  }

  /** Creates an intermediate CA (pathlen 0) signed by a CA in the vault. */
  async createIntermediate(req: CreateIntermediateRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.createSigned('intermediate', req, undefined, op);
  }

  /** Creates a server leaf (serverAuth) with SANs typed automatically. */
  async createServer(req: CreateServerRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.createSigned('server', req, req.sans ?? [], op);
  }

  /**
   * Creates several client leaves (clientAuth, CN = client id) from one request. All keys are generated
   * before anything is saved, so cancelling midway leaves the vault unchanged.
   */
  async createClients(req: CreateClientsRequest, op: PkiOperationOptions = {}): Promise<BatchIssueResult> {
    const ids = clientIdsOf(req);
    const idx = this.getIndex();
    const issuer = this.issuerMaterial(idx, req.issuerId);
    const alg = req.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
    const warnings: PkiWarning[] = [];
    const made: { cert: ParsedCertificate; key: KeyObject; pkcs8Pem: string }[] = [];
    for (const [i, clientId] of ids.entries()) {
      throwIfAborted(op.signal, 'Creating the client certificates');
      op.progress?.(`Generating the ${describeKeyAlgorithm(alg)} key for ${clientId}…`, i / ids.length);
      const key = await generateKey(alg, op);
      const issued = await issueCertificate({
        profile: 'client',
        subject: { commonName: clientId, ...(req.organization ? { organization: req.organization } : {}) },
        validity: req.validity ?? DEFAULT_VALIDITY.client,
        subjectKey: key.publicKey,
        issuer,
        clampToIssuer: req.clampToIssuer ?? false,
        now: this.now(),
      });
      for (const w of issued.warnings) if (!warnings.some((x) => x.message === w.message)) warnings.push(w);
      made.push({ cert: issued.certificate, key: key.privateKey, pkcs8Pem: key.pkcs8Pem });
    }
    const mixed = this.mixedFamilyWarning(idx, req.issuerId, made[0]?.cert.keyFamily);
    if (mixed) warnings.push(mixed);
    throwIfAborted(op.signal, 'Creating the client certificates');
    op.progress?.('Saving to the vault…', 1);
    const createdAt = this.now().toISOString();
    const ids2 = await this.vault.updateSection<PkiSection, string[]>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      return made.map((m) => addCertificate(draft, m.cert, 'client', 'created', createdAt, null, { id: publicKeyId(m.key), pkcs8Pem: m.pkcs8Pem }));
    });
    const after = this.getIndex();
    return { certificates: ids2.map((id) => this.summarize(this.entry(after, id), after)), warnings };
  }

  /**
   * Imports files (PEM/DER certificates and bundles, PKCS#1/PKCS#8/SEC1 keys, encrypted keys, PKCS#12).
   * Each file gets its own result; a file with errors still imports what it could read. The vault is not
   * written for a file that yields nothing.
   */
  async importFiles(files: readonly ImportInput[], op: PkiOperationOptions = {}): Promise<ImportFileResult[]> {
    const results: ImportFileResult[] = [];
    for (const [i, file] of files.entries()) {
      throwIfAborted(op.signal, 'The import');
      op.progress?.(`Reading ${file.fileName}…`, i / files.length);
      results.push(await this.importFile(file));
    }
    return results;
  }

  /** Imports one file; see importFiles. */
  async importFile(file: ImportInput): Promise<ImportFileResult> {
    const parsed = await parseImportFileOffThread(file.data, file.passphrase === undefined ? {} : { passphrase: file.passphrase });
    const result: ImportFileResult = {
      fileName: file.fileName,
      certificatesImported: 0,
      keysImported: 0,
      duplicates: 0,
      keysMatched: 0,
      keysUnmatched: 0,
      certificateIds: [],
      errors: parsed.errors,
      notes: parsed.notes,
    };
    if (parsed.certificates.length === 0 && parsed.keys.length === 0) return result;
    this.vault.getSection(PKI_SECTION, null); // fail fast with 'vault.locked' before doing any work
    const keys = parsed.keys.map((k) => ({ id: publicKeyId(k), pkcs8Pem: k.export({ format: 'pem', type: 'pkcs8' }).toString() }));
    const createdAt = this.now().toISOString();
    await this.vault.updateSection<PkiSection, void>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      const known = new Set(Object.values(draft.certificates).map((c) => c.sha256));
      for (const cert of parsed.certificates) {
        const id = certificateIdFor(cert.sha256Hex);
        if (!result.certificateIds.includes(id)) result.certificateIds.push(id);
        if (known.has(cert.sha256Hex)) {
          result.duplicates++;
          continue;
        }
        known.add(cert.sha256Hex);
        addCertificate(draft, cert, roleOf(cert), 'imported', createdAt, null, null);
        result.certificatesImported++;
      }
      const allCertKeyIds = new Set<string>();
      for (const c of Object.values(draft.certificates)) allCertKeyIds.add(this.parse(c).publicKeyId);
      for (const key of keys) {
        if (draft.keys[key.id]) result.duplicates++;
        else {
          draft.keys[key.id] = { id: key.id, pkcs8Pem: key.pkcs8Pem, createdAt };
          result.keysImported++;
        }
        if (allCertKeyIds.has(key.id)) result.keysMatched++;
        else result.keysUnmatched++;
      }
    });
    return result;
  }

  /** Re-issues a certificate with the same subject, SANs and profile; a new key unless keepKey. */
  async renew(id: string, req: RenewRequest = {}, op: PkiOperationOptions = {}): Promise<IssueResult> {
    const idx = this.getIndex();
    const e = this.entry(idx, id);
    const role = e.stored.role;
    const profile: IssueProfile = role === 'leaf' ? (e.cert.extendedKeyUsage.includes(x509.ExtendedKeyUsage.clientAuth) && !e.cert.extendedKeyUsage.includes(x509.ExtendedKeyUsage.serverAuth) ? 'client' : 'server') : role;
    let keyMaterial: { privateKey: KeyObject; publicKey: KeyObject; pkcs8Pem: string };
    if (req.keepKey) {
      const existing = this.privateKeyOf(idx, e);
      keyMaterial = { privateKey: existing, publicKey: e.cert.publicKey, pkcs8Pem: existing.export({ format: 'pem', type: 'pkcs8' }).toString() };
    } else {
      keyMaterial = await this.newKey(req.keyAlgorithm ?? algorithmOf(e.cert), op);
    }
    const subject = subjectOf(e.cert);
    const validity = req.validity ?? validityOf(e.cert);
    let issuerId: string | null = null;
    const issued =
      profile === 'root'
        ? await issueCertificate({ profile, subject, validity, subjectKey: keyMaterial.privateKey, now: this.now() })
        : await (async () => {
            issuerId = e.issuerId;
            if (!issuerId) throw new FieldbenchError('pki.issuer-missing', `The CA that issued "${e.cert.commonName}" is not in the vault, so Fieldbench cannot renew it. Import that CA with its key.`);
            return issueCertificate({
              profile,
              subject,
              sans: e.cert.sans,
              validity,
              subjectKey: keyMaterial.publicKey,
              issuer: this.issuerMaterial(idx, issuerId),
              clampToIssuer: req.clampToIssuer ?? false,
              now: this.now(),
            });
          })();
    return this.storeIssued(role, issued.certificate, keyMaterial, issued.warnings, issuerId, op, id);
  }

  /** Marks a certificate revoked; it shows as revoked everywhere and goes into its CA's next CRL. */
  async revoke(id: string, reason: RevocationReason = 'unspecified', date?: Date): Promise<CertificateSummary> {
    if (!(reason in REVOCATION_REASON_CODES)) throw new FieldbenchError('pki.bad-reason', `"${reason}" is not a revocation reason. Choose one of ${Object.keys(REVOCATION_REASON_CODES).join(', ')}.`);
    this.entry(this.getIndex(), id);
    const info: RevocationInfo = { reason, date: (date ?? this.now()).toISOString() };
    await this.vault.updateSection<PkiSection, void>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      const c = draft.certificates[id];
      if (c) c.revoked = info;
    });
    const idx = this.getIndex();
    return this.summarize(this.entry(idx, id), idx);
  }

  /** A CRL signed by the CA listing every revoked certificate it issued; the CRL number increases each time. */
  async crl(caId: string, options: { encoding?: 'pem' | 'der'; nextUpdateDays?: number } = {}): Promise<string | Buffer> {
    const idx = this.getIndex();
    const ca = this.entry(idx, caId);
    const caKey = this.privateKeyOf(idx, ca);
    const entries = [...idx.entries.values()]
      .filter((e) => e.issuerId === caId && e.stored.id !== caId && e.stored.revoked)
      .map((e) => ({ serialHex: e.cert.serialHex, date: new Date(e.stored.revoked!.date), reason: e.stored.revoked!.reason }));
    const crlNumber = await this.vault.updateSection<PkiSection, number>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      const n = (draft.crlNumbers[caId] ?? 0) + 1;
      draft.crlNumbers[caId] = n;
      return n;
    });
    const der = await buildCrl({ ca: ca.cert, caKey, entries, crlNumber, thisUpdate: this.now(), ...(options.nextUpdateDays ? { nextUpdateDays: options.nextUpdateDays } : {}) });
    return options.encoding === 'der' ? der : toPem('X509 CRL', der);
  }

  /** Builds and validates the chain of a vault certificate against the vault's roots. */
  verify(id: string): ChainValidation {
    const idx = this.getIndex();
    return this.validate(this.entry(idx, id).cert, idx);
  }

  /**
   * Validates a chain as a TLS peer would present it (PEM: leaf first, then intermediates) against the
   * vault's roots, without storing anything.
   */
  verifyPresented(pem: string): ChainValidation {
    const parsed = parseImportFile(pem);
    const [leaf, ...rest] = parsed.certificates;
    if (!leaf) throw new FieldbenchError('pki.no-certificate', parsed.errors[0]?.message ?? 'No certificate was found in the text. Paste the PEM chain, leaf first.');
    return this.validate(leaf, this.getIndex(), rest);
  }

  /** "Is this certificate valid for IP/host X?" — the same check a TLS client makes. */
  checkHost(id: string, host: string): HostCheckResult {
    const e = this.entry(this.getIndex(), id);
    const h = host.trim().replace(/^\[(.*)\]$/, '$1');
    if (h === '') throw new FieldbenchError('pki.bad-host', 'Type a host name or IP address to check.');
    const kind = isIP(h) ? 'ip' : 'dns';
    // SANs only: Go and Rust clients (and the AIO tooling) ignore the subject CN, so a CN match would be
    // a false "valid".
    const valid = kind === 'ip' ? e.cert.node.checkIP(h) !== undefined : e.cert.node.checkHost(h, { subject: 'never' }) !== undefined;
    const listed = e.cert.sans.map((s) => `${s.type.toUpperCase()}:${s.value}`).join(', ') || 'no subject alternative names';
    const message = valid
      ? `"${e.cert.commonName}" is valid for ${h}.`
      : `"${e.cert.commonName}" does not list ${h} (it lists ${listed}). Re-issue it with ${h} in its SANs.`;
    return { host: h, kind, valid, message, sans: e.cert.sans };
  }

  /** Every certificate, soonest expiry first, with its status colour. */
  expiryOverview(): ExpiryEntry[] {
    const idx = this.getIndex();
    return [...idx.entries.values()]
      .map((e) => {
        const s = this.summarize(e, idx);
        return { id: s.id, commonName: s.commonName, subject: s.subject, role: s.role, notAfter: s.notAfter, daysLeft: s.daysLeft, status: s.status };
      })
      .sort((a, b) => a.notAfter.localeCompare(b.notAfter));
  }

  /** PEM of the certificate, optionally with its issuer ('bundle'), intermediates ('chain') or up to the root ('full'). Public material only. */
  exportCertificatePem(id: string, options: { chain?: ChainExport } = {}): string {
    const idx = this.getIndex();
    return this.chainOf(idx, id, options.chain ?? 'none').map((c) => c.pem).join('');
  }

  /** DER of the certificate alone. */
  exportCertificateDer(id: string): Buffer {
    return Buffer.from(this.entry(this.getIndex(), id).cert.der);
  }

  /** The private key as PKCS#8 PEM, encrypted (AES-256, PBKDF2) when a passphrase is given. Only after the user confirmed. */
  exportKey(id: string, options: { passphrase?: string } = {}): string {
    const idx = this.getIndex();
    const key = this.privateKeyOf(idx, this.entry(idx, id));
    if (options.passphrase) return key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: options.passphrase }).toString();
    return key.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  /** PKCS#12 with the key and chain (leaf + intermediates by default). AES by default; `legacy` for old tools. */
  exportPkcs12(id: string, password: string, options: { legacy?: boolean; chain?: ChainExport; friendlyName?: string } = {}): Buffer {
    const idx = this.getIndex();
    const e = this.entry(idx, id);
    const key = this.privateKeyOf(idx, e);
    const certs = this.chainOf(idx, id, options.chain ?? 'chain');
    return writePkcs12(key, certs, password, { legacy: options.legacy ?? false, friendlyName: options.friendlyName ?? e.cert.commonName });
  }

  /** Removes a certificate (and its key when no other certificate uses it). */
  async remove(id: string): Promise<void> {
    const idx = this.getIndex();
    const e = this.entry(idx, id);
    const keyId = e.cert.publicKeyId;
    const keyStillUsed = [...idx.entries.values()].some((o) => o.stored.id !== id && o.cert.publicKeyId === keyId);
    await this.vault.updateSection<PkiSection, void>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      delete draft.certificates[id];
      if (!keyStillUsed) delete draft.keys[keyId];
    });
  }

  // ---------------------------------------------------------------------------------------------

  private async createSigned(profile: 'intermediate' | 'server', req: CreateIntermediateRequest, sans: string[] | undefined, op: PkiOperationOptions): Promise<IssueResult> {
    const idx = this.getIndex();
    const issuer = this.issuerMaterial(idx, req.issuerId);
    const alg = req.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
    // Refuse what the CA cannot sign before spending seconds on an RSA-4096 key.
    if (profile === 'intermediate' && issuer.certificate.basicConstraints?.pathLength === 0) {
      throw new FieldbenchError('pki.path-length', `"${issuer.certificate.commonName}" has path length 0, so it can sign only end-entity certificates, not another CA. Sign the intermediate with the root instead.`);
    }
    const key = await this.newKey(alg, op);
    const issued = await issueCertificate({
      profile,
      subject: req.subject,
      ...(sans ? { sans } : {}),
      validity: req.validity ?? DEFAULT_VALIDITY[profile],
      subjectKey: key.publicKey,
      issuer,
      clampToIssuer: req.clampToIssuer ?? false,
      now: this.now(),
    });
    const warnings = [...issued.warnings];
    const mixed = this.mixedFamilyWarning(idx, req.issuerId, issued.certificate.keyFamily);
    if (mixed) warnings.push(mixed);
    return this.storeIssued(profile, issued.certificate, key, warnings, req.issuerId, op);
  }

  private async newKey(alg: KeyAlgorithm, op: PkiOperationOptions): Promise<{ privateKey: KeyObject; publicKey: KeyObject; pkcs8Pem: string }> {
    op.progress?.(`Generating the ${describeKeyAlgorithm(alg)} key…`, 0);
    const key = await generateKey(alg, op);
    op.progress?.('Signing the certificate…', 0.8);
    return key;
  }

  private async storeIssued(
    role: CertificateRole,
    cert: ParsedCertificate,
    key: { privateKey: KeyObject; pkcs8Pem: string },
    warnings: PkiWarning[],
    _issuerId: string | null,
    op: PkiOperationOptions,
    renewedFrom: string | null = null,
  ): Promise<IssueResult> {
    throwIfAborted(op.signal, 'Creating the certificate');
    op.progress?.('Saving to the vault…', 0.95);
    const createdAt = this.now().toISOString();
    const id = await this.vault.updateSection<PkiSection, string>(PKI_SECTION, emptyPkiSection(), (draft) => {
      normalizeSection(draft);
      return addCertificate(draft, cert, role, 'created', createdAt, renewedFrom, { id: publicKeyId(key.privateKey), pkcs8Pem: key.pkcs8Pem });
    });
    op.progress?.('Done', 1);
    const idx = this.getIndex();
    return { certificate: this.summarize(this.entry(idx, id), idx), warnings };
  }

  private mixedFamilyWarning(idx: Index, issuerId: string, family: KeyFamily | undefined): PkiWarning | null {
    if (!family) return null;
    const families = new Set<KeyFamily>([family]);
    let cur: Entry | undefined = idx.entries.get(issuerId);
    for (let i = 0; cur && i < 10; i++) {
      families.add(cur.cert.keyFamily);
      cur = cur.issuerId && cur.issuerId !== cur.stored.id ? idx.entries.get(cur.issuerId) : undefined;
    }
    return families.has('ec') && families.has('rsa') ? { code: 'mixed-key-families', message: MIXED_FAMILY_MESSAGE } : null;
  }

  private issuerMaterial(idx: Index, issuerId: string): { certificate: ParsedCertificate; privateKey: KeyObject } {
    const e = this.entry(idx, issuerId);
    if (e.stored.revoked) throw new FieldbenchError('pki.issuer-revoked', `"${e.cert.commonName}" is marked revoked and must not sign anything. Choose another CA.`);
    return { certificate: e.cert, privateKey: this.privateKeyOf(idx, e) };
  }

  private privateKeyOf(idx: Index, e: Entry): KeyObject {
    const stored = idx.section.keys[e.cert.publicKeyId];
    if (!stored) throw new FieldbenchError('pki.no-private-key', `The vault has no private key for "${e.cert.commonName}". Import its key file first.`);
    return createPrivateKey(stored.pkcs8Pem);
  }

  private chainOf(idx: Index, id: string, mode: ChainExport): ParsedCertificate[] {
    const e = this.entry(idx, id);
    const out = [e.cert];
    if (mode === 'none') return out;
    let cur = e;
    for (let i = 0; i < 10; i++) {
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

  private validate(cert: ParsedCertificate, idx: Index, presented: ParsedCertificate[] = []): ChainValidation {
    const pool = [...idx.entries.values()].map((e) => e.cert);
    const trustedRoots = new Set([...idx.entries.values()].filter((e) => e.issuerId === e.stored.id).map((e) => e.cert.sha256Hex));
    return validateChain(cert, {
      pool,
      trustedRoots,
      presented,
      now: this.now(),
      idOf: (c) => idx.bySha256.get(c.sha256Hex) ?? null,
      revocationOf: (c) => {
        const id = idx.bySha256.get(c.sha256Hex);
        return id ? (idx.entries.get(id)?.stored.revoked ?? null) : null;
      },
    });
  }

  private summarize(e: Entry, idx: Index): CertificateSummary {
    const now = this.now().getTime();
    const c = e.cert;
    const daysLeft = Math.floor((c.notAfter.getTime() - now) / 86_400_000);
    let status: CertificateStatus = 'valid';
    if (e.stored.revoked) status = 'revoked';
    else if (c.notAfter.getTime() < now) status = 'expired';
    else if (c.notBefore.getTime() > now) status = 'not-yet-valid';
    else if (daysLeft <= EXPIRING_WITHIN_DAYS) status = 'expiring';
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
      status,
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

  private entry(idx: Index, id: string): Entry {
    const e = idx.entries.get(id);
    if (!e) throw new FieldbenchError('pki.not-found', `No certificate with id "${String(id).slice(0, 40)}" is in the vault. Refresh the list; it may have been removed.`);
    return e;
  }

  private parse(stored: StoredCertificate): ParsedCertificate {
    let p = this.parsed.get(stored.id);
    if (!p) {
      p = ParsedCertificate.fromPem(stored.pem);
      this.parsed.set(stored.id, p);
    }
    return p;
  }

  /** Parses the section once per saved version and links every certificate to its issuer in the vault. */
  private getIndex(): Index {
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

function normalizeSection(draft: PkiSection): void {
  draft.version ??= 1;
  draft.certificates ??= {};
  draft.keys ??= {};
  draft.crlNumbers ??= {};
}

function addCertificate(
  draft: PkiSection,
  cert: ParsedCertificate,
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

function roleOf(cert: ParsedCertificate): CertificateRole {
  if (cert.isCa) return cert.selfIssued ? 'root' : 'intermediate';
  const eku = cert.extendedKeyUsage;
  if (eku.includes(x509.ExtendedKeyUsage.serverAuth)) return 'server';
  if (eku.includes(x509.ExtendedKeyUsage.clientAuth)) return 'client';
  return 'leaf';
}

function clientIdsOf(req: CreateClientsRequest): string[] {
  let ids: string[];
  if (req.clientIds && req.clientIds.length > 0) ids = req.clientIds.map((s) => s.trim());
  else {
    const prefix = (req.prefix ?? '').trim();
    const count = req.count ?? 0;
    if (!prefix || !Number.isInteger(count) || count < 1) {
      throw new FieldbenchError('pki.bad-batch', 'Give the client ids, or a prefix and a count (e.g. "client42" and 2 for client42a and client42b).');
    }
    ids = Array.from({ length: count }, (_, i) => prefix + suffix(i));
  }
  if (ids.length > MAX_BATCH) throw new FieldbenchError('pki.bad-batch', `At most ${MAX_BATCH} client certificates can be made at once. Split the batch.`);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new FieldbenchError('pki.bad-batch', `The client id "${dup}" appears twice. Each client needs its own id.`);
  if (ids.some((id) => id === '')) throw new FieldbenchError('pki.bad-batch', 'A client id is empty. Remove the empty line.');
  return ids;
}

/** a, b, …, z, aa, ab, … */
function suffix(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

function subjectOf(cert: ParsedCertificate): SubjectInput {
  const get = (k: string): string | undefined => {
    for (const rdn of cert.x.subjectName.toJSON()) if (rdn[k]?.[0] !== undefined) return rdn[k]![0];
    return undefined;
  };
  const s: SubjectInput = { commonName: cert.commonName };
  const o = get('O');
  const ou = get('OU');
  const c = get('C');
  const st = get('ST');
  const l = get('L');
  if (o) s.organization = o;
  if (ou) s.organizationalUnit = ou;
  if (c) s.country = c;
  if (st) s.state = st;
  if (l) s.locality = l;
  return s;
}

function validityOf(cert: ParsedCertificate): ValidityInput {
  const hours = Math.max(1, Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 3_600_000));
  return hours % 24 === 0 ? { days: hours / 24 } : { hours };
}

function algorithmOf(cert: ParsedCertificate): KeyAlgorithm {
  const d = cert.keyDescription;
  if (d.family === 'ed25519') return 'ed25519';
  if (d.family === 'ec') return d.curve === 'P-384' ? 'ec-p384' : 'ec-p256';
  if (d.family === 'rsa') return d.bits === 4096 ? 'rsa-4096' : d.bits === 3072 ? 'rsa-3072' : 'rsa-2048';
  return DEFAULT_KEY_ALGORITHM;
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}
