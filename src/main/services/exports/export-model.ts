import type { ApplySpecParsed } from '@shared/contract/aio-contract';
import type { ExportRequestT, ExportFileRoleT } from '@shared/contract/exports-contract';
import type { CertificateSummary } from '@shared/pki-types';
import { FieldbenchError } from '@shared/errors';

/** What the exports need from the PKI area; PkiService satisfies it as is. */
export interface ExportPki {
  summaries(): CertificateSummary[];
  exportCertificatePem(id: string, options?: { chain?: 'none' | 'bundle' | 'chain' | 'full' }): string;
  exportCertificateDer(id: string): Buffer;
  exportKey(id: string, options?: { passphrase?: string }): string;
  exportPkcs12(id: string, password: string, options?: { legacy?: boolean; chain?: 'none' | 'bundle' | 'chain' | 'full'; friendlyName?: string }): Buffer;
}

/** A Kubernetes object as the AIO area builds it. */
export interface ExportKubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [field: string]: unknown;
}

/** What the exports need from the AIO area: its builders, the same objects `aio apply` sends. */
export interface ExportAio {
  build(spec: ApplySpecParsed): { objects: ExportKubeObject[]; issues: { severity: string; sentence: string }[] };
}

/** A vault certificate as the targets use it. */
export interface Cert {
  id: string;
  cn: string;
  /** File-name form of the CN, unique within one export (aio42_root_ca, client42a). */
  slug: string;
  summary: CertificateSummary;
}

/** One file of an export, its bytes made only when it is written (a plan builds no PKCS#12, reads no key). */
export interface FileSpec {
  path: string;
  role: ExportFileRoleT;
  certificate: string;
  encrypted: boolean;
  secret: boolean;
  purpose: string;
  content(): string | Uint8Array;
}

export interface BuiltExport {
  title: string;
  files: FileSpec[];
  /** Markdown lines for the README, after the file table. */
  readme: string[];
  notes: string[];
  /** Certificates whose private keys are in the files. */
  keys: Cert[];
}

export interface TargetContext {
  req: ExportRequestT;
  pki: ExportPki;
  aio: ExportAio;
  /** The selected certificates, in request order. */
  certs: Cert[];
  /** Every vault certificate by id (CAs of the chains included), with slugs. */
  byId(id: string): Cert;
  /** The certificate's chain from itself up to its root, as far as the vault has it. */
  chainOf(c: Cert): Cert[];
  /** The root (top) of a certificate's chain. */
  rootOf(c: Cert): Cert;
  /** PEM of the certificate with the chain the person asked for. */
  chainPem(c: Cert): string;
  /** The CA certificate(s) that verify the broker, PEM, and the certificate they stand for. */
  brokerCa(): { pem: string; cert: Cert; guessed: boolean } | undefined;
  /** Where the broker is, from --broker or the server certificate's first SAN. */
  broker(): { host: string; port: number };
  /** The private key as PKCS#8 PEM (encrypted with the passphrase when one was given); records that it leaves. */
  key(c: Cert): () => string;
  /** Absolute folder the file-path variants point at. */
  filesAt: string;
  notes: string[];
}

export type TargetBuilder = (ctx: TargetContext) => BuiltExport;

/** X.509 common names as file names: lower case, runs of other characters as one underscore. */
export function slugOf(cn: string): string {
  return cn.toLowerCase().replace(/[^a-z0-9.-]+/g, '_').replace(/^[_.]+|_+$/g, '') || 'certificate';
}

/** A Kubernetes object name (RFC 1123 label) from a common name. */
export function kubeNameOf(cn: string): string {
  return cn.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '') || 'fieldbench';
}

export const isLeaf = (c: Cert): boolean => !c.summary.isCa;
export const isServer = (c: Cert): boolean => c.summary.role === 'server';
export const isClient = (c: Cert): boolean => !c.summary.isCa && c.summary.role !== 'server';

export function needKey(ctx: TargetContext, what: string): void {
  if (!ctx.req.includeKey) {
    throw new FieldbenchError('exports.keyRequired', `${what} needs the private key. Add --include-key (Fieldbench asks you to confirm which keys leave), or choose the pem target for the certificates alone.`);
  }
}

export function refusePassphrase(ctx: TargetContext, why: string): void {
  if (ctx.req.passphrase !== undefined) throw new FieldbenchError('exports.passphraseUnsupported', `${why} Leave out the passphrase for this target, or use pem or pkcs12 for an encrypted key.`);
}

/** Leaf certificates of the selection, or a sentence saying which kind to pick. */
export function leavesOf(ctx: TargetContext, kind: 'client' | 'server' | 'any', target: string): Cert[] {
  const pick = ctx.certs.filter(kind === 'client' ? isClient : kind === 'server' ? isServer : isLeaf);
  if (pick.length === 0) {
    const words = kind === 'client' ? 'a client certificate' : kind === 'server' ? 'a server certificate' : 'a server or client certificate';
    throw new FieldbenchError('exports.noLeaf', `The ${target} export needs ${words}, and none was picked. Pick it (for example client42a) and export again.`);
  }
  return pick;
}

export const hex = (data: string | Uint8Array): string => Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('hex');
