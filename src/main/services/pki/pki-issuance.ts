import type { KeyObject } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import { MAX_BATCH } from '@shared/pki-rules';
import type { BatchIssueResult, CertificateRole, IssueResult, KeyAlgorithm, PkiWarning, SubjectInput, ValidityDates, ValidityInput } from '@shared/pki-types';
import type { z } from 'zod';
import type { PreviewResult } from '@shared/contract/pki-contract';
import { describeKeyAlgorithm, generateKey, publicKeyId, throwIfAborted, type CancelOptions, type KeyMaterial } from './key-generator';
import { signPlanned } from './certificate-issuer';
import { planIssue, requireIssuable, toPreviewResult, type IssuePlan, type IssueProfile, type PlanRequest } from './issuance-plan';
import type { ParsedCertificate } from './parsed-certificate';
import { addCertificate, type PkiCatalog } from './pki-catalog';

export type PkiOperationOptions = CancelOptions;

export interface CreateRootRequest extends ValidityDates {
  subject: SubjectInput;
  keyAlgorithm?: KeyAlgorithm;
  validity?: ValidityInput;
}

export interface CreateIntermediateRequest extends CreateRootRequest {
  issuerId: string;
  clampToIssuer?: boolean;
  /** Issue a key family other than the CA chain's (the AIO broker refuses a client chain that mixes EC and RSA). */
  allowMixedKeyFamilies?: boolean;
}

export interface CreateServerRequest extends CreateIntermediateRequest {
  /** Host names, IPs, e-mails or URIs; typed automatically. Empty → the CN becomes the SAN. */
  sans?: string[];
}

export interface CreateClientsRequest extends ValidityDates {
  issuerId: string;
  /** Explicit client ids, or a prefix + count giving prefix+'a', prefix+'b', … (client42a, client42b). */
  clientIds?: string[];
  prefix?: string;
  count?: number;
  organization?: string;
  keyAlgorithm?: KeyAlgorithm;
  validity?: ValidityInput;
  clampToIssuer?: boolean;
  allowMixedKeyFamilies?: boolean;
}

export interface RenewRequest extends ValidityDates {
  /**
   * New SANs for a leaf (typed automatically, as for createServer); absent keeps the old ones. The subject
   * and the key type always come from the certificate being renewed.
   */
  sans?: string[];
  /** Reuse the existing key instead of generating a new one (new key is the default). */
  keepKey?: boolean;
  keyAlgorithm?: KeyAlgorithm;
  validity?: ValidityInput;
  clampToIssuer?: boolean;
  allowMixedKeyFamilies?: boolean;
}

/** A preview request: what a half-filled wizard holds (see the pki.preview contract entry). */
export type PreviewRequest = Omit<PlanRequest, 'subjectName'> & { issuerId?: string | undefined };

/**
 * Creating certificates: every request is first planned by the shared issuance plan (the same one
 * pki.preview shows), refused with the plan's first sentence if it cannot be issued, and only then are
 * keys generated and the planned certificates signed and saved in one vault save.
 */
export class PkiIssuance {
  constructor(private readonly catalog: PkiCatalog) {}

  /** The plan for a request, against the vault as it is now. */
  plan(req: PlanRequest & { issuerId?: string | undefined }, maxBatch = MAX_BATCH): IssuePlan {
    const idx = this.catalog.getIndex();
    const issuer = req.profile === 'root' ? null : this.catalog.planIssuer(idx, req.issuerId);
    return planIssue(req, { now: this.catalog.now(), issuer, maxBatch });
  }

  /** The wizard's live preview: the plan, without generating a key. */
  preview(req: PreviewRequest): z.output<typeof PreviewResult> {
    return toPreviewResult(this.plan(req));
  }

  async createRoot(req: CreateRootRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.createOne({ profile: 'root', subject: req.subject, keyAlgorithm: req.keyAlgorithm, validity: req.validity, notBefore: req.notBefore, notAfter: req.notAfter }, 'root', op);
  }

  async createIntermediate(req: CreateIntermediateRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.createOne({ profile: 'intermediate', ...signedFields(req) }, 'intermediate', op);
  }

  async createServer(req: CreateServerRequest, op: PkiOperationOptions = {}): Promise<IssueResult> {
    return this.createOne({ profile: 'server', ...signedFields(req), sans: req.sans ?? [] }, 'server', op);
  }

  /**
   * Creates several client leaves (clientAuth, CN = client id) from one request. All keys are generated
   * before anything is saved, so cancelling midway leaves the vault unchanged.
   */
  async createClients(req: CreateClientsRequest, op: PkiOperationOptions = {}): Promise<BatchIssueResult> {
    const plan = requireIssuable(
      this.plan({
        profile: 'client',
        issuerId: req.issuerId,
        clientIds: req.clientIds,
        prefix: req.prefix,
        count: req.count,
        organization: req.organization,
        keyAlgorithm: req.keyAlgorithm,
        validity: req.validity,
        notBefore: req.notBefore,
        notAfter: req.notAfter,
        clampToIssuer: req.clampToIssuer,
        allowMixedKeyFamilies: req.allowMixedKeyFamilies,
      }),
    );
    const idx = this.catalog.getIndex();
    const issuer = this.catalog.issuerMaterial(idx, req.issuerId);
    const made: { cert: ParsedCertificate; key: KeyMaterial }[] = [];
    for (const [i, planned] of plan.certificates.entries()) {
      throwIfAborted(op.signal, 'Creating the client certificates');
      op.progress?.(`Generating the ${describeKeyAlgorithm(plan.keyAlgorithm)} key for ${planned.commonName}…`, i / plan.certificates.length);
      const key = await generateKey(plan.keyAlgorithm, op);
      made.push({ cert: await signPlanned(planned, key.publicKey, issuer), key });
    }
    throwIfAborted(op.signal, 'Creating the client certificates');
    op.progress?.('Saving to the vault…', 1);
    const createdAt = this.catalog.now().toISOString();
    const ids = await this.catalog.update((draft) =>
      made.map((m) => {
        const id = addCertificate(draft, m.cert, 'client', 'created', createdAt, null, { id: publicKeyId(m.key.privateKey), pkcs8Pem: m.key.pkcs8Pem });
        this.catalog.remember(id, m.cert, req.issuerId);
        return id;
      }),
    );
    const after = this.catalog.getIndex();
    return { certificates: ids.map((id) => this.catalog.summarize(this.catalog.entry(after, id), after)), warnings: plan.warnings };
  }

  /**
   * Re-issues a certificate with the same subject (its exact name), profile and key type, and the same
   * SANs unless new ones are given; a new key unless keepKey.
   */
  async renew(id: string, req: RenewRequest = {}, op: PkiOperationOptions = {}): Promise<IssueResult> {
    const idx = this.catalog.getIndex();
    const e = this.catalog.entry(idx, id);
    const role = e.stored.role;
    if (req.sans !== undefined && e.cert.isCa) {
      throw new FieldbenchError('pki.bad-san', `"${e.cert.commonName}" is a CA; a CA carries no subject alternative names. Renew it without new SANs.`);
    }
    const profile: IssueProfile = role === 'leaf' ? (e.cert.extendedKeyUsage.includes('1.3.6.1.5.5.7.3.2') && !e.cert.extendedKeyUsage.includes('1.3.6.1.5.5.7.3.1') ? 'client' : 'server') : role;
    const issuerId = profile === 'root' ? null : e.issuerId;
    if (profile !== 'root' && !issuerId) throw new FieldbenchError('pki.issuer-missing', `The CA that issued "${e.cert.commonName}" is not in the vault, so Fieldbench cannot renew it. Import that CA with its key.`);
    const keyAlgorithm = req.keepKey ? algorithmOfFamily(e.cert) : (req.keyAlgorithm ?? algorithmOf(e.cert));
    const plan = requireIssuable(
      this.plan({
        profile,
        ...(issuerId ? { issuerId } : {}),
        subjectName: e.cert.x.subjectName,
        sans: req.sans ?? e.cert.sans,
        keyAlgorithm,
        validity: req.validity,
        defaultValidity: validityOf(e.cert),
        notBefore: req.notBefore,
        notAfter: req.notAfter,
        clampToIssuer: req.clampToIssuer,
        allowMixedKeyFamilies: req.allowMixedKeyFamilies,
      }),
    );
    let key: KeyMaterial;
    if (req.keepKey) {
      const existing = this.catalog.privateKeyOf(idx, e);
      key = { privateKey: existing, publicKey: e.cert.publicKey, pkcs8Pem: existing.export({ format: 'pem', type: 'pkcs8' }).toString() };
    } else key = await this.newKey(plan.keyAlgorithm, op);
    const issuer = issuerId ? this.catalog.issuerMaterial(idx, issuerId) : null;
    const cert = await signPlanned(plan.certificates[0]!, profile === 'root' ? key.privateKey : key.publicKey, issuer);
    return this.store(role, cert, key, plan.warnings, issuerId, op, id);
  }

  private async createOne(req: PlanRequest & { issuerId?: string }, role: CertificateRole, op: PkiOperationOptions): Promise<IssueResult> {
    // Refuse what the CA cannot sign before spending seconds on an RSA-4096 key.
    const plan = requireIssuable(this.plan(req));
    const key = await this.newKey(plan.keyAlgorithm, op);
    const idx = this.catalog.getIndex();
    const issuer = req.profile === 'root' ? null : this.catalog.issuerMaterial(idx, req.issuerId!);
    const cert = await signPlanned(plan.certificates[0]!, issuer ? key.publicKey : key.privateKey, issuer);
    return this.store(role, cert, key, plan.warnings, req.issuerId ?? null, op);
  }

  private async newKey(alg: KeyAlgorithm, op: PkiOperationOptions): Promise<KeyMaterial> {
    op.progress?.(`Generating the ${describeKeyAlgorithm(alg)} key…`, 0);
    const key = await generateKey(alg, op);
    op.progress?.('Signing the certificate…', 0.8);
    return key;
  }

  private async store(
    role: CertificateRole,
    cert: ParsedCertificate,
    key: { privateKey: KeyObject; pkcs8Pem: string },
    warnings: PkiWarning[],
    issuerId: string | null,
    op: PkiOperationOptions,
    renewedFrom: string | null = null,
  ): Promise<IssueResult> {
    throwIfAborted(op.signal, 'Creating the certificate');
    op.progress?.('Saving to the vault…', 0.95);
    const createdAt = this.catalog.now().toISOString();
    const id = await this.catalog.update((draft) => addCertificate(draft, cert, role, 'created', createdAt, renewedFrom, { id: publicKeyId(key.privateKey), pkcs8Pem: key.pkcs8Pem }));
    this.catalog.remember(id, cert, role === 'root' ? id : issuerId);
    op.progress?.('Done', 1);
    const idx = this.catalog.getIndex();
    return { certificate: this.catalog.summarize(this.catalog.entry(idx, id), idx), warnings };
  }
}

function signedFields(req: CreateIntermediateRequest): Omit<PlanRequest, 'profile'> & { issuerId: string } {
  return {
    issuerId: req.issuerId,
    subject: req.subject,
    keyAlgorithm: req.keyAlgorithm,
    validity: req.validity,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    clampToIssuer: req.clampToIssuer,
    allowMixedKeyFamilies: req.allowMixedKeyFamilies,
  };
}

function validityOf(cert: ParsedCertificate): ValidityInput {
  const hours = Math.max(1, Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 3_600_000));
  return hours % 24 === 0 ? { days: hours / 24 } : { hours };
}

/** The generator's name for a certificate's own key type, so a renewal keeps it exactly. */
function algorithmOf(cert: ParsedCertificate): KeyAlgorithm {
  const d = cert.keyDescription;
  if (d.family === 'ed25519') return 'ed25519';
  if (d.family === 'ec' && d.curve === 'P-256') return 'ec-p256';
  if (d.family === 'ec' && d.curve === 'P-384') return 'ec-p384';
  // RSA sizes the generator does not offer (1024, 2047) go up to the next one it does, never down.
  if (d.family === 'rsa' && d.bits !== null && d.bits <= 4096) return d.bits <= 2048 ? 'rsa-2048' : d.bits <= 3072 ? 'rsa-3072' : 'rsa-4096';
  throw new FieldbenchError('pki.bad-key-algorithm', `"${cert.commonName}" has a ${d.algorithm} key, which Fieldbench cannot generate. Renew it with a key type chosen explicitly (e.g. ec-p256).`);
}

/** For a kept key only its family matters to the plan (usages, the mixed-chain rule). */
function algorithmOfFamily(cert: ParsedCertificate): KeyAlgorithm {
  const f = cert.keyFamily;
  return f === 'rsa' ? 'rsa-2048' : f === 'ed25519' ? 'ed25519' : 'ec-p256';
}
