import { FieldbenchError } from '@shared/errors';
import { DEFAULT_VALIDITY, EXPIRING_WITHIN_DAYS } from '@shared/pki-rules';
import type {
  BatchIssueResult,
  CertificateDetail,
  CertificateSummary,
  ChainExport,
  ChainValidation,
  ExpiryEntry,
  HostCheckResult,
  ImportFileResult,
  IssueResult,
  PkiDefaults,
  PkiTreeNode,
  RevocationInfo,
  RevocationReason,
} from '@shared/pki-types';
import type { z } from 'zod';
import type { InspectedCertificate, PreviewResult } from '@shared/contract/pki-contract';
import { resolveByName, type NameKind } from '../app';
import { DEFAULT_KEY_ALGORITHM } from './key-generator';
import { REVOCATION_REASON_CODES } from './certificate-profiles';
import { inspectCertificate } from './certificate-inspector';
import { writePkcs12 } from './pkcs12-codec';
import { buildCrl } from './crl-builder';
import { PkiCatalog } from './pki-catalog';
import { parseImportFileOffThread } from './import-runner';
import { fileSlug, inspectedCertificate, summariesByFingerprint, treeOverview, wizardDefaults } from './pki-views';
import { PkiIssuance, type CreateClientsRequest, type CreateIntermediateRequest, type CreateRootRequest, type CreateServerRequest, type PkiOperationOptions, type PreviewRequest, type RenewRequest } from './pki-issuance';
import { importFile, importFiles, type ImportInput } from './pki-import';
import { createClientList, planClientList, type ClientListPlan, type ClientListRequest, type ClientListResult } from './bulk-issuance';
import { chainValidator, checkHost, expiryOverview, verify, verifyPresented } from './pki-checks';
import type { PkiVaultStore } from './pki-vault-store';

export type { CreateClientsRequest, CreateIntermediateRequest, CreateRootRequest, CreateServerRequest, PkiOperationOptions, PreviewRequest, RenewRequest } from './pki-issuance';
export type { ImportInput } from './pki-import';
export type { ClientListPlan, ClientListRequest, ClientListResult, IssuedDevice, PlannedDevice } from './bulk-issuance';

export interface PkiServiceOptions {
  vault: PkiVaultStore;
  /** Injected clock, for expiry tests. */
  now?: () => Date;
}

/**
 * The PKI engine over the vault's 'pki' section: creates, imports, inspects, validates and exports
 * certificates. Everything it returns for display is a summary without key material; private keys leave
 * only through exportKey/exportPkcs12, which the caller invokes after the user confirmed. The work lives
 * in its seams: the catalog (index), issuance, import and checks; this class is the one interface the
 * other areas use.
 */
export class PkiService {
  private readonly catalog: PkiCatalog;
  private readonly issuance: PkiIssuance;
  private readonly vault: PkiVaultStore;
  private readonly now: () => Date;

  constructor(options: PkiServiceOptions) {
    this.vault = options.vault;
    this.now = options.now ?? (() => new Date());
    this.catalog = new PkiCatalog(this.vault, this.now);
    this.issuance = new PkiIssuance(this.catalog);
  }

  /** Defaults the wizards show before anything is issued. */
  defaults(): PkiDefaults {
    return { keyAlgorithm: DEFAULT_KEY_ALGORITHM, validity: { ...DEFAULT_VALIDITY }, expiringWithinDays: EXPIRING_WITHIN_DAYS };
  }

  /**
   * All certificates as a forest: roots (and orphans whose issuer is not in the vault) → intermediates →
   * leaves. A node whose chain does not validate says why in `chainProblem`.
   */
  list(): PkiTreeNode[] {
    const idx = this.catalog.getIndex();
    const validate = chainValidator(this.catalog, idx);
    const nodes = new Map<string, PkiTreeNode>();
    for (const e of idx.entries.values()) {
      const problem = validate(e.cert).issues.find((i) => i.severity === 'error');
      nodes.set(e.stored.id, { certificate: this.catalog.summarize(e, idx), children: [], ...(problem ? { chainProblem: problem.message } : {}) });
    }
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
    const idx = this.catalog.getIndex();
    return [...idx.entries.values()].map((e) => this.catalog.summarize(e, idx));
  }

  /** The certificate a person means by `ref` (see resolveByName); `ca` looks among CAs only. */
  resolve(ref: string, options: { ca?: boolean } = {}): CertificateSummary {
    const all = this.summaries().filter((c) => !options.ca || c.isCa);
    return resolveByName(all, ref, options.ca ? CA_NAMES : CERTIFICATE_NAMES);
  }

  /** Summary, full inspection and chain validation of one certificate. */
  get(id: string): CertificateDetail {
    const idx = this.catalog.getIndex();
    const e = this.catalog.entry(idx, id);
    return { summary: this.catalog.summarize(e, idx), inspection: inspectCertificate(e.cert), validation: chainValidator(this.catalog, idx)(e.cert) };
  }

  /** What a wizard would issue, without generating a key: the same plan every create call signs. */
  preview(req: PreviewRequest): z.output<typeof PreviewResult> {
    return this.issuance.preview(req);
  }

  /** Creates a self-signed root CA (pathlen 1, keyCertSign + cRLSign). */
  createRoot(req: CreateRootRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.issuance.createRoot(req, op);
  }

  /** Creates an intermediate CA (pathlen 0) signed by a CA in the vault. */
  createIntermediate(req: CreateIntermediateRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.issuance.createIntermediate(req, op);
  }

  /** Creates a server leaf (serverAuth) with SANs typed automatically. */
  createServer(req: CreateServerRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.issuance.createServer(req, op);
  }

  /** Creates several client leaves in one save; cancelling midway leaves the vault unchanged. */
  createClients(req: CreateClientsRequest, op: PkiOperationOptions = {}): Promise<BatchIssueResult> {
    return this.issuance.createClients(req, op);
  }

  /** What a device list would issue and every problem by line; nothing is generated (the wizard's table). */
  planClientList(req: ClientListRequest): ClientListPlan {
    const { issuer: _issuer, ...plan } = planClientList(this.catalog, req);
    return plan;
  }

  /** A client certificate per device of a list, in one vault save; a cancelled batch leaves the vault as it was. */
  createClientList(req: ClientListRequest, op: PkiOperationOptions = {}): Promise<ClientListResult> {
    return createClientList(this.catalog, req, op);
  }

  /** Re-issues with the same subject and key type; new SANs when given; a new key unless keepKey. */
  renew(id: string, req: RenewRequest = {}, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.issuance.renew(id, req, op);
  }

  /** Imports files; see pki-import.ts. */
  importFiles(files: readonly ImportInput[], op: PkiOperationOptions = {}): Promise<ImportFileResult[]> {
    return importFiles(this.catalog, files, op);
  }

  /** Imports one file. */
  importFile(file: ImportInput, signal?: AbortSignal): Promise<ImportFileResult> {
    return importFile(this.catalog, file, signal);
  }

  /** Builds and validates the chain of a vault certificate against the vault's roots. */
  verify(id: string): ChainValidation {
    return verify(this.catalog, id);
  }

  /** Validates a chain as a TLS peer would present it (PEM, leaf first) against the vault's roots. */
  verifyPresented(pem: string): ChainValidation {
    return verifyPresented(this.catalog, pem);
  }

  /** "Is this certificate valid for IP/host X?" — the same check a TLS client makes. */
  checkHost(id: string, host: string): HostCheckResult {
    return checkHost(this.catalog, id, host);
  }

  /** Every certificate, soonest expiry first, with its status colour. */
  expiryOverview(): ExpiryEntry[] {
    return expiryOverview(this.catalog);
  }

  /** The tree with its total and counts per status, as pki.list answers. */
  overview(): ReturnType<typeof treeOverview> {
    return treeOverview(this.list());
  }

  /** The wizards' defaults, usages in OpenSSL's words and the contract's limits. Works while locked. */
  wizardDefaults(): ReturnType<typeof wizardDefaults> {
    return wizardDefaults(this.defaults());
  }

  /** Reads a file's certificates without storing anything; works without a vault. */
  async inspectFile(fileName: string, data: Uint8Array, passphrase?: string, signal?: AbortSignal): Promise<{ fileName: string; certificates: z.output<typeof InspectedCertificate>[]; keysFound: number; errors: { code: string; message: string }[]; notes: string[] }> {
    const parsed = await parseImportFileOffThread(data, passphrase === undefined ? {} : { passphrase }, { ...(signal ? { signal } : {}), what: `Reading ${fileName}` });
    const known = summariesByFingerprint(() => this.summaries());
    const now = this.now();
    return { fileName, certificates: parsed.certificates.map((c) => inspectedCertificate(c, known, now)), keysFound: parsed.keys.length, errors: parsed.errors, notes: parsed.notes };
  }

  /** The CA's CRL as PEM, with how many it lists and a file name. */
  async crlFile(caId: string, nextUpdateDays?: number): Promise<{ pem: string; revokedCount: number; fileName: string }> {
    const ca = this.get(caId).summary;
    if (!ca.isCa) throw new FieldbenchError('pki.not-a-ca', `"${ca.commonName}" is not a CA, so it has no CRL. Choose the root or intermediate that issued the certificates.`);
    const pem = await this.crl(caId, { encoding: 'pem', ...(nextUpdateDays === undefined ? {} : { nextUpdateDays }) });
    const revokedCount = this.summaries().filter((s) => s.issuerId === caId && s.id !== caId && s.revoked).length;
    return { pem: String(pem), revokedCount, fileName: `${fileSlug(ca.commonName)}.crl` };
  }

  /** PEM of the certificate or its chain, how many certificates it holds, and a file name. Public material only. */
  exportPemFile(id: string, chain: ChainExport): { pem: string; count: number; fileName: string } {
    const pem = this.exportCertificatePem(id, { chain });
    // Belt and braces: this export is public material only, whatever the engine does in future.
    if (/PRIVATE KEY/.test(pem)) throw new FieldbenchError('internal', 'Fieldbench refused to export this PEM because it contained a private key. This is a bug; please report it.');
    const count = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
    const suffix = { none: '.crt', bundle: '-bundle.pem', chain: '-chain.pem', full: '-fullchain.pem' }[chain];
    return { pem, count, fileName: `${fileSlug(this.get(id).summary.commonName)}${suffix}` };
  }

  /** Marks a certificate revoked; it shows as revoked everywhere and goes into its CA's next CRL. */
  async revoke(id: string, reason: RevocationReason = 'unspecified', date?: Date): Promise<CertificateSummary> {
    if (!(reason in REVOCATION_REASON_CODES)) throw new FieldbenchError('pki.bad-reason', `"${reason}" is not a revocation reason. Choose one of ${Object.keys(REVOCATION_REASON_CODES).join(', ')}.`);
    this.catalog.entry(this.catalog.getIndex(), id);
    const info: RevocationInfo = { reason, date: (date ?? this.now()).toISOString() };
    await this.catalog.update((draft) => {
      const c = draft.certificates[id];
      if (c) c.revoked = info;
    });
    const idx = this.catalog.getIndex();
    return this.catalog.summarize(this.catalog.entry(idx, id), idx);
  }

  /** A CRL signed by the CA listing every revoked certificate it issued; the CRL number increases each time. */
  async crl(caId: string, options: { encoding?: 'pem' | 'der'; nextUpdateDays?: number } = {}): Promise<string | Buffer> {
    const idx = this.catalog.getIndex();
    const ca = this.catalog.entry(idx, caId);
    const caKey = this.catalog.privateKeyOf(idx, ca);
    const entries = [...idx.entries.values()]
      .filter((e) => e.issuerId === caId && e.stored.id !== caId && e.stored.revoked)
      .map((e) => ({ serialHex: e.cert.serialHex, date: new Date(e.stored.revoked!.date), reason: e.stored.revoked!.reason }));
    const crlNumber = await this.catalog.update((draft) => {
      const n = (draft.crlNumbers[caId] ?? 0) + 1;
      draft.crlNumbers[caId] = n;
      return n;
    });
    const der = await buildCrl({ ca: ca.cert, caKey, entries, crlNumber, thisUpdate: this.now(), ...(options.nextUpdateDays ? { nextUpdateDays: options.nextUpdateDays } : {}) });
    return options.encoding === 'der' ? der : toPem('X509 CRL', der);
  }

  /** PEM of the certificate, optionally with its issuer ('bundle'), intermediates ('chain') or up to the root ('full'). Public material only. */
  exportCertificatePem(id: string, options: { chain?: ChainExport } = {}): string {
    const idx = this.catalog.getIndex();
    return this.catalog.chainOf(idx, id, options.chain ?? 'none').map((c) => c.pem).join('');
  }

  /** The common name of a certificate in the vault, for sentences; undefined when there is none with this id. */
  commonNameOf(id: string): string | undefined {
    return this.catalog.getIndex().entries.get(id)?.cert.commonName;
  }

  /** DER of the certificate alone. */
  exportCertificateDer(id: string): Buffer {
    return Buffer.from(this.catalog.entry(this.catalog.getIndex(), id).cert.der);
  }

  /** The private key as PKCS#8 PEM, encrypted (AES-256, PBKDF2) when a passphrase is given. Only after the user confirmed. */
  exportKey(id: string, options: { passphrase?: string } = {}): string {
    const idx = this.catalog.getIndex();
    const key = this.catalog.privateKeyOf(idx, this.catalog.entry(idx, id));
    if (options.passphrase) return key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: options.passphrase }).toString();
    return key.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  /** PKCS#12 with the key and chain (leaf + intermediates by default). AES by default; `legacy` for old tools. */
  exportPkcs12(id: string, password: string, options: { legacy?: boolean; chain?: ChainExport; friendlyName?: string } = {}): Buffer {
    const idx = this.catalog.getIndex();
    const e = this.catalog.entry(idx, id);
    const key = this.catalog.privateKeyOf(idx, e);
    const certs = this.catalog.chainOf(idx, id, options.chain ?? 'chain');
    return writePkcs12(key, certs, password, { legacy: options.legacy ?? false, friendlyName: options.friendlyName ?? e.cert.commonName });
  }

  /** Removes a certificate (and its key when no other certificate uses it); says how many it leaves without their issuer. */
  async remove(id: string): Promise<{ id: string; orphaned: number }> {
    const idx = this.catalog.getIndex();
    const e = this.catalog.entry(idx, id);
    const keyId = e.cert.publicKeyId;
    const keyStillUsed = [...idx.entries.values()].some((o) => o.stored.id !== id && o.cert.publicKeyId === keyId);
    const orphaned = [...idx.entries.values()].filter((o) => o.issuerId === id && o.stored.id !== id).length;
    await this.catalog.update((draft) => {
      delete draft.certificates[id];
      if (!keyStillUsed) delete draft.keys[keyId];
    });
    return { id, orphaned };
  }
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

const CERTIFICATE_NAMES: NameKind<CertificateSummary> = {
  singular: 'certificate',
  plural: 'certificates',
  listHint: '`fieldbench pki list`',
  name: (c) => c.commonName,
  detail: (c) => `${c.role}, until ${c.notAfter.slice(0, 10)}${c.status === 'valid' ? '' : `, ${c.status}`}, issued by ${c.issuer}`,
};

const CA_NAMES: NameKind<CertificateSummary> = { ...CERTIFICATE_NAMES, singular: 'CA certificate', plural: 'CA certificates' };
