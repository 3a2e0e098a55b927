import type { z } from 'zod';
import { FieldbenchError } from '@shared/errors';
import { SubjectInput as SubjectSchema, Validity as ValiditySchema, type PreviewField, type PreviewResult } from '@shared/contract/pki-contract';
import {
  DEFAULT_VALIDITY,
  INTERMEDIATE_PATH_LENGTH,
  MAX_BATCH,
  MIXED_FAMILY_MESSAGE,
  NO_SANS_MESSAGE,
  ROOT_PATH_LENGTH,
  SERVER_AUTH_OID,
  CLIENT_AUTH_OID,
  batchIds,
  classifySanList,
  clampedMessage,
  defaultAlgorithmFor,
  familyOfAlgorithm,
  issuerRefusal,
  leafSans,
  mixedChainRefusal,
  planValidity,
  type IssueProfile,
  type IssuerFacts,
} from '@shared/pki-rules';
import type { KeyAlgorithm, KeyFamily, PkiWarning, SubjectAltName, SubjectInput, ValidityInput } from '@shared/pki-types';
import { x509 } from './x509-runtime';
import { buildName } from './subject-name';
import { opensslOneLine } from './parsed-certificate';
import { describeKeyAlgorithm } from './key-generator';
import { extendedKeyUsageLabel, keyUsageLabels } from './certificate-inspector';

export type { IssueProfile } from '@shared/pki-rules';

const KU = x509.KeyUsageFlags;

/** The issuer as the plan sees it: the rules' facts plus what the issued certificate copies from it. */
export interface PlanIssuer extends IssuerFacts {
  id: string | null;
  subjectLine: string;
  /** Key families from the issuer up to its root (the issuer's own first). */
  chainFamilies: KeyFamily[];
}

/** A request as a form or a create call holds it; fields a profile does not use are ignored. */
export interface PlanRequest {
  profile: IssueProfile;
  subject?: Partial<SubjectInput> | undefined;
  /** The exact name to certify (a renewal); wins over `subject`. */
  subjectName?: x509.Name | undefined;
  sans?: readonly (string | SubjectAltName)[] | undefined;
  clientIds?: readonly string[] | undefined;
  prefix?: string | undefined;
  count?: number | undefined;
  organization?: string | undefined;
  keyAlgorithm?: KeyAlgorithm | undefined;
  validity?: ValidityInput | undefined;
  /** What an absent validity means (the profile's default; a renewal's old lifetime); it ends with the CA rather than being refused. */
  defaultValidity?: ValidityInput | undefined;
  /** Explicit "not before" / "not after" (ISO dates) for test certificates; see planValidity. */
  notBefore?: string | undefined;
  notAfter?: string | undefined;
  clampToIssuer?: boolean | undefined;
  /** Issue a key family other than the chain's (the AIO broker refuses such a client chain). */
  allowMixedKeyFamilies?: boolean | undefined;
}

export interface PlanContext {
  now: Date;
  /** Null for a root; undefined when the request names no issuer; a problem when it names a missing one. */
  issuer: PlanIssuer | null | undefined | { missing: true };
  maxBatch?: number;
}

export interface PlannedCertificate {
  profile: IssueProfile;
  commonName: string;
  subjectName: x509.Name;
  subjectLine: string;
  notBefore: Date;
  notAfter: Date;
  clamped: boolean;
  sans: SubjectAltName[];
  isCa: boolean;
  pathLength: number | null;
  keyUsage: number;
  extendedKeyUsage: string[];
}

export type PlanProblem = { field: z.output<typeof PreviewField>; code: string; message: string };

export interface IssuePlan {
  profile: IssueProfile;
  keyAlgorithm: KeyAlgorithm;
  problems: PlanProblem[];
  warnings: PkiWarning[];
  certificates: PlannedCertificate[];
  issuer: PlanIssuer | null;
}

/**
 * What a request would issue, and every reason it cannot: the one place the profile rules meet a request.
 * `pki.preview` shows this plan and every `pki.create*` signs exactly this plan, so the preview can never
 * say Ready for what create would refuse or change.
 */
export function planIssue(req: PlanRequest, ctx: PlanContext): IssuePlan {
  const problems: PlanProblem[] = [];
  const warnings: PkiWarning[] = [];
  const problem = (field: PlanProblem['field'], code: string, message: string): void => {
    if (!problems.some((p) => p.field === field && p.message === message)) problems.push({ field, code, message });
  };
  const warn = (w: PkiWarning): void => {
    if (!warnings.some((x) => x.code === w.code && x.message === w.message)) warnings.push(w);
  };
  const isCa = req.profile === 'root' || req.profile === 'intermediate';

  // Issuer first: its key family decides the default key.
  let issuer: PlanIssuer | null = null;
  let issuerCanSign = false;
  if (req.profile === 'root') {
    if (ctx.issuer && !('missing' in ctx.issuer)) problem('issuerId', 'pki.bad-profile', 'A root CA signs itself; it cannot have an issuer. Create an intermediate instead.');
  } else {
    if (ctx.issuer === undefined || ctx.issuer === null) problem('issuerId', 'pki.issuer-required', 'This certificate needs an issuing CA. Choose a root or intermediate from the vault.');
    else if ('missing' in ctx.issuer) problem('issuerId', 'pki.not-found', 'That CA is no longer in the vault. Choose another one.');
    else {
      issuer = ctx.issuer;
      const refusal = issuerRefusal(issuer, req.profile, ctx.now);
      if (refusal) problem('issuerId', refusal.code, refusal.message);
      issuerCanSign = refusal === null;
    }
  }

  const keyAlgorithm = req.keyAlgorithm ?? defaultAlgorithmFor(issuer?.keyFamily ?? null);
  const family = familyOfAlgorithm(keyAlgorithm);
  if (issuer) {
    const mixed = mixedChainRefusal(keyAlgorithm, issuer.chainFamilies, issuer.commonName);
    if (mixed && !req.allowMixedKeyFamilies) problem('keyAlgorithm', mixed.code, mixed.message);
    else if (mixed) warn({ code: 'mixed-key-families', message: MIXED_FAMILY_MESSAGE });
  }

  // Validity: the contract's own schema (whole numbers, limits), then the window against the issuer.
  const validity = req.validity ?? req.defaultValidity ?? DEFAULT_VALIDITY[req.profile];
  const parsedValidity = ValiditySchema.safeParse(validity);
  let window: { notBefore: Date; notAfter: Date; clamped: boolean } | null = null;
  if (!parsedValidity.success) problem('validity', 'pki.bad-validity', parsedValidity.error.issues[0]?.message ?? 'The validity is not valid.');
  else {
    const w = planValidity({ now: ctx.now, validity, issuer: issuer && issuerCanSign ? issuer : null, clampToIssuer: req.clampToIssuer ?? false, isDefault: req.validity === undefined, dates: { notBefore: req.notBefore, notAfter: req.notAfter } });
    if (!w.ok) problem('validity', w.code, w.message);
    else {
      window = w;
      if (w.clamped && issuer) warn({ code: 'validity-clamped', message: clampedMessage(issuer.commonName, w.notAfter) });
    }
  }

  // Subjects: one for a CA or server, one per client id for a batch.
  const subjects: { subject: SubjectInput | null; name: x509.Name | null; field: PlanProblem['field'] }[] = [];
  if (req.subjectName) subjects.push({ subject: null, name: req.subjectName, field: 'subject' });
  else if (req.profile === 'client' && (req.subject === undefined || (req.clientIds?.length ?? 0) > 0 || req.prefix !== undefined || req.count !== undefined)) {
    const { ids, problems: idProblems } = batchIds(req, ctx.maxBatch ?? MAX_BATCH);
    for (const p of idProblems) problem('clientIds', 'pki.bad-batch', p);
    const org = req.organization?.trim();
    for (const id of ids) subjects.push({ subject: { commonName: id, ...(org ? { organization: org } : {}) }, name: null, field: 'clientIds' });
  } else {
    // Empty optional fields are fields the person has not filled in, not values to check.
    const s = req.subject ?? {};
    const filled = Object.fromEntries(Object.entries(s).filter(([k, v]) => k !== 'commonName' && typeof v === 'string' && v.trim() !== ''));
    subjects.push({ subject: { ...filled, commonName: s.commonName ?? '' }, name: null, field: 'subject' });
  }

  // SANs: the typed ones (servers, renewals) are checked even while the subject is still being fixed.
  const typed: SubjectAltName[] = [];
  if (!isCa) {
    const raw = (req.sans ?? []).filter((s): s is string => typeof s === 'string');
    const given = (req.sans ?? []).filter((s): s is SubjectAltName => typeof s !== 'string' && s.type !== 'other').map((s) => s.value);
    const { sans, problems: sanProblems } = classifySanList([...raw, ...given]);
    for (const p of sanProblems) problem('sans', 'pki.bad-san', p.problem);
    typed.push(...sans);
  }

  const certificates: PlannedCertificate[] = [];
  for (const entry of subjects) {
    let name = entry.name;
    if (!name && entry.subject) {
      const parsed = SubjectSchema.safeParse(entry.subject);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const key = String(issue.path[0] ?? 'subject');
          const field: PlanProblem['field'] = entry.field === 'clientIds' ? 'clientIds' : key === 'commonName' ? 'commonName' : key === 'country' ? 'country' : 'subject';
          problem(field, 'pki.bad-subject', entry.field === 'clientIds' ? `${entry.subject.commonName}: ${issue.message}` : issue.message);
        }
        continue;
      }
      try {
        name = buildName(parsed.data);
      } catch (err) {
        problem(entry.field, err instanceof FieldbenchError ? err.code : 'pki.bad-subject', (err as Error).message);
        continue;
      }
    }
    if (!name) continue;
    const commonName = name.getField('CN')[0] ?? entry.subject?.commonName ?? '';
    let sans: SubjectAltName[] = [];
    if (!isCa) {
      const resolved = leafSans(typed, commonName);
      if (resolved) sans = resolved;
      else warn({ code: 'no-sans', message: NO_SANS_MESSAGE(commonName) });
    }
    if (!window) continue;
    certificates.push({
      profile: req.profile,
      commonName,
      subjectName: name,
      subjectLine: opensslOneLine(name),
      notBefore: window.notBefore,
      notAfter: window.notAfter,
      clamped: window.clamped,
      sans,
      isCa,
      pathLength: req.profile === 'root' ? ROOT_PATH_LENGTH : req.profile === 'intermediate' ? INTERMEDIATE_PATH_LENGTH : null,
      // keyEncipherment only makes sense for RSA key transport; EC and Ed25519 leaves sign only.
      keyUsage: isCa ? KU.keyCertSign | KU.cRLSign : family === 'rsa' ? KU.digitalSignature | KU.keyEncipherment : KU.digitalSignature,
      // step puts serverAuth+clientAuth on every leaf; we keep each profile to its one purpose so a client
      // certificate can never stand in for the broker.
      extendedKeyUsage: isCa ? [] : [req.profile === 'server' ? SERVER_AUTH_OID : CLIENT_AUTH_OID],
    });
  }
  return { profile: req.profile, keyAlgorithm, problems, warnings, certificates, issuer };
}

/** The plan, or the first reason it cannot be issued as the error a create call throws. */
export function requireIssuable(plan: IssuePlan): IssuePlan {
  const first = plan.problems[0];
  if (first) throw new FieldbenchError(first.code, first.message);
  if (plan.certificates.length === 0) throw new FieldbenchError('pki.bad-batch', 'There is nothing to issue. Give at least one name.');
  return plan;
}

/** The wizard's view of a plan. */
export function toPreviewResult(plan: IssuePlan, keyGenerationCount = plan.certificates.length): z.output<typeof PreviewResult> {
  const alg = plan.keyAlgorithm;
  const label = describeKeyAlgorithm(alg);
  return {
    profile: plan.profile,
    canIssue: plan.problems.length === 0 && plan.certificates.length > 0,
    problems: plan.problems,
    warnings: plan.warnings,
    certificates: plan.certificates.map((c) => ({
      commonName: c.commonName,
      subject: c.subjectLine,
      issuer: plan.profile === 'root' ? c.subjectLine : (plan.issuer?.subjectLine ?? ''),
      issuerId: plan.profile === 'root' ? null : (plan.issuer?.id ?? null),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      validityClamped: c.clamped,
      isCa: c.isCa,
      pathLength: c.pathLength,
      keyUsage: keyUsageLabels(c.keyUsage),
      extendedKeyUsage: c.extendedKeyUsage.map(extendedKeyUsageLabel),
      sans: c.sans,
      keyAlgorithm: alg,
      keyAlgorithmLabel: label,
      keyFamily: familyOfAlgorithm(alg),
    })),
    keyGeneration: { algorithm: alg, label, count: plan.profile === 'client' ? keyGenerationCount : 1, slow: isSlowAlgorithm(alg) },
  };
}

/** RSA 3072/4096 take about a second or more natively: worth a progress bar and a Cancel button. */
export function isSlowAlgorithm(alg: KeyAlgorithm): boolean {
  return alg === 'rsa-3072' || alg === 'rsa-4096';
}
