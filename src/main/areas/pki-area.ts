import type { z } from 'zod';
import { FieldbenchError } from '@shared/errors';
import {
  PKI_MAX_BATCH,
  PKI_MAX_IMPORT_BYTES,
  PKI_MAX_IMPORT_FILES,
  PKI_MAX_VALIDITY_DAYS,
  SubjectInput as SubjectSchema,
  Validity as ValiditySchema,
  type PreviewCertificate,
  type PreviewProblem,
  type PreviewResult,
  type InspectedCertificate,
} from '@shared/contract/pki-contract';
import type { CertificateRole, CertificateStatus, CertificateSummary, ImportFileResult, KeyAlgorithm, KeyFamily, PkiWarning, SubjectAltName, ValidityInput } from '@shared/pki-types';
import type { Area, AreaDeps } from '../area';
import type { Handler } from '../ipc/dispatcher';
import type { ParsedRequest } from '@shared/contract';
import { PkiService } from '../services/pki/pki-service';
import { PKI_SECTION } from '../services/pki/pki-section';
import { KEY_ALGORITHMS, describeKeyAlgorithm, throwIfAborted } from '../services/pki/key-generator';
import { DEFAULT_VALIDITY, EXPIRING_WITHIN_DAYS, INTERMEDIATE_PATH_LENGTH, NOT_BEFORE_BACKDATE_MS, REVOCATION_REASON_CODES, ROOT_PATH_LENGTH, classifySan, validityMs } from '../services/pki/certificate-profiles';
import { buildName } from '../services/pki/certificate-issuer';
import { opensslOneLine, type ParsedCertificate } from '../services/pki/parsed-certificate';
import { extendedKeyUsageLabel, inspectCertificate, keyUsageLabels } from '../services/pki/certificate-inspector';
import { parseImportFileOffThread } from '../services/pki/import-runner';
import { x509 } from '../services/pki/x509-runtime';

export type { PkiService } from '../services/pki/pki-service';

const KU = x509.KeyUsageFlags;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** Same tolerance as the engine's issuer: a leaf made minutes after its CA with the same validity is clamped, not refused. */
const SLIGHT_OVERSHOOT_MS = 86_400_000;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;


/**
 * Wires the PKI engine into the app: one PkiService over the open vault (given to later areas as
 * `service`), a handler per `pki.*` call, progress and cancellation for key generation, and
 * `pki.onChanged` whenever a save touches the PKI section or the vault locks or unlocks.
 */
export function createPkiArea(deps: AreaDeps) {
  const service = new PkiService({ vault: deps.vault });
  const op = (ctx: { signal: AbortSignal; progress(m: string, f?: number): void }) => ({ signal: ctx.signal, progress: (m: string, f?: number) => ctx.progress(m, f) });

  const detach = deps.vault.onChange((e) => {
    if (e.kind === 'saved' && !(e.sections ?? []).includes(PKI_SECTION)) return;
    deps.hub.emit('pki.onChanged', { reason: e.kind });
  });

  const handlers = {
    'pki.defaults': (() => defaultsOf(service)) satisfies Handler<'pki.defaults'>,

    'pki.list': (() => {
      const tree = service.list();
      const counts: Record<CertificateStatus, number> = { valid: 0, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 };
      let total = 0;
      const walk = (nodes: typeof tree): void => {
        for (const n of nodes) {
          total++;
          counts[n.certificate.status]++;
          walk(n.children);
        }
      };
      walk(tree);
      return { tree, total, counts };
    }) satisfies Handler<'pki.list'>,

    'pki.get': (({ id }) => service.get(id)) satisfies Handler<'pki.get'>,

    'pki.createRoot': ((req, ctx) => service.createRoot(req, op(ctx))) satisfies Handler<'pki.createRoot'>,
    'pki.createIntermediate': ((req, ctx) => service.createIntermediate(req, op(ctx))) satisfies Handler<'pki.createIntermediate'>,
    'pki.createServer': ((req, ctx) => service.createServer(req, op(ctx))) satisfies Handler<'pki.createServer'>,
    'pki.createClients': ((req, ctx) => service.createClients(req, op(ctx))) satisfies Handler<'pki.createClients'>,

    'pki.preview': ((req) => previewIssue(service, req, new Date())) satisfies Handler<'pki.preview'>,

    'pki.import': (async ({ files }, ctx) => {
      // Fail before reading anything when there is nowhere to put it.
      deps.vault.getSection(PKI_SECTION, null);
      const results: ImportFileResult[] = [];
      for (const [i, file] of files.entries()) {
        throwIfAborted(ctx.signal, 'The import');
        ctx.progress(`Reading ${file.name}…`, i / files.length);
        const bytes = decodeBase64(file.dataBase64);
        if (!bytes) {
          results.push(emptyImportResult(file.name, { code: 'pki.import.bad-encoding', message: 'The file did not arrive intact (its transfer encoding is broken). Pick the file again.' }));
          continue;
        }
        results.push(await service.importFile({ fileName: file.name, data: bytes, ...(file.passphrase === undefined ? {} : { passphrase: file.passphrase }) }));
      }
      ctx.progress('Done', 1);
      return { results };
    }) satisfies Handler<'pki.import'>,

    'pki.inspectFile': (async ({ name, dataBase64, passphrase }, ctx) => {
      const bytes = decodeBase64(dataBase64);
      if (!bytes) return { fileName: name, certificates: [], keysFound: 0, errors: [{ code: 'pki.import.bad-encoding', message: 'The file did not arrive intact (its transfer encoding is broken). Pick the file again.' }], notes: [] };
      const parsed = await parseImportFileOffThread(bytes, passphrase === undefined ? {} : { passphrase }, { signal: ctx.signal, what: `Reading ${name}` });
      const known = vaultIndex(service);
      return {
        fileName: name,
        certificates: parsed.certificates.map((c) => inspectParsed(c, known, new Date())),
        keysFound: parsed.keys.length,
        errors: parsed.errors,
        notes: parsed.notes,
      };
    }) satisfies Handler<'pki.inspectFile'>,

    'pki.renew': (({ id, ...rest }, ctx) => service.renew(id, rest, op(ctx))) satisfies Handler<'pki.renew'>,

    'pki.revoke': (({ id, reason }) => service.revoke(id, reason)) satisfies Handler<'pki.revoke'>,

    'pki.crl': (async ({ caId, nextUpdateDays }) => {
      const ca = service.get(caId).summary;
      if (!ca.isCa) throw new FieldbenchError('pki.not-a-ca', `"${ca.commonName}" is not a CA, so it has no CRL. Choose the root or intermediate that issued the certificates.`);
      const pem = await service.crl(caId, { encoding: 'pem', ...(nextUpdateDays === undefined ? {} : { nextUpdateDays }) });
      const revokedCount = service.summaries().filter((s) => s.issuerId === caId && s.id !== caId && s.revoked).length;
      return { pem: String(pem), revokedCount, fileName: `${fileSlug(ca.commonName)}.crl` };
    }) satisfies Handler<'pki.crl'>,

    'pki.verify': ((req) => ('id' in req ? service.verify(req.id) : service.verifyPresented(req.pem))) satisfies Handler<'pki.verify'>,

    'pki.checkHost': (({ id, host }) => service.checkHost(id, host)) satisfies Handler<'pki.checkHost'>,

    'pki.expiry': (() => ({ entries: service.expiryOverview(), expiringWithinDays: EXPIRING_WITHIN_DAYS })) satisfies Handler<'pki.expiry'>,

    'pki.exportPem': (({ id, chain }) => {
      const pem = service.exportCertificatePem(id, { chain });
      // Belt and braces: this call is public material only, whatever the engine does in future.
      if (/PRIVATE KEY/.test(pem)) throw new FieldbenchError('internal', 'Fieldbench refused to export this PEM because it contained a private key. This is a bug; please report it.');
      const count = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
      const name = fileSlug(service.get(id).summary.commonName);
      const suffix = { none: '.crt', bundle: '-bundle.pem', chain: '-chain.pem', full: '-fullchain.pem' }[chain];
      return { pem, count, fileName: `${name}${suffix}` };
    }) satisfies Handler<'pki.exportPem'>,

    'pki.remove': (async ({ id }) => {
      const orphaned = service.summaries().filter((s) => s.issuerId === id && s.id !== id).length;
      await service.remove(id);
      return { id, orphaned };
    }) satisfies Handler<'pki.remove'>,
  };

  const area: Area<typeof handlers, PkiService> = { handlers, service, dispose: () => void detach() };
  return area;
}

export type PkiArea = ReturnType<typeof createPkiArea>;

// ---------------------------------------------------------------------------------------------------

function defaultsOf(service: PkiService) {
  const d = service.defaults();
  const ca = keyUsageLabels(KU.keyCertSign | KU.cRLSign);
  const leaf = keyUsageLabels(KU.digitalSignature);
  return {
    keyAlgorithm: d.keyAlgorithm,
    keyAlgorithms: KEY_ALGORITHMS.map((id) => ({ id, label: describeKeyAlgorithm(id), family: familyOf(id), slow: isSlow(id) })),
    validity: d.validity,
    profiles: {
      root: { validity: d.validity.root, isCa: true, pathLength: ROOT_PATH_LENGTH, keyUsage: ca, extendedKeyUsage: [] },
      intermediate: { validity: d.validity.intermediate, isCa: true, pathLength: INTERMEDIATE_PATH_LENGTH, keyUsage: ca, extendedKeyUsage: [] },
      server: { validity: d.validity.server, isCa: false, pathLength: null, keyUsage: leaf, extendedKeyUsage: [extendedKeyUsageLabel(SERVER_AUTH)] },
      client: { validity: d.validity.client, isCa: false, pathLength: null, keyUsage: leaf, extendedKeyUsage: [extendedKeyUsageLabel(CLIENT_AUTH)] },
    },
    expiringWithinDays: d.expiringWithinDays,
    // The contract's own limits (what its schemas accept); test/unit/pki-contract checks they match the engine's.
    maxValidityDays: PKI_MAX_VALIDITY_DAYS,
    maxBatch: PKI_MAX_BATCH,
    maxImportBytes: PKI_MAX_IMPORT_BYTES,
    maxImportFiles: PKI_MAX_IMPORT_FILES,
    revocationReasons: Object.keys(REVOCATION_REASON_CODES) as (keyof typeof REVOCATION_REASON_CODES)[],
  };
}

function familyOf(alg: KeyAlgorithm): KeyFamily {
  return alg.startsWith('rsa') ? 'rsa' : alg.startsWith('ec') ? 'ec' : 'ed25519';
}

/** RSA 3072/4096 take about a second or more natively: worth a progress bar and a Cancel button. */
function isSlow(alg: KeyAlgorithm): boolean {
  return alg === 'rsa-3072' || alg === 'rsa-4096';
}

type PreviewRequest = ParsedRequest<'pki.preview'>;
type Problem = z.output<typeof PreviewProblem>;

/**
 * The wizard's live preview: the engine's rules applied to a half-filled form without generating a key.
 * Rules the engine enforces at issue time are mirrored here; an issue-time refusal the preview missed is a
 * bug in this function (the tests compare both).
 */
export function previewIssue(service: PkiService, req: PreviewRequest, now: Date): z.output<typeof PreviewResult> {
  const problems: Problem[] = [];
  const warnings: PkiWarning[] = [];
  const problem = (field: Problem['field'], code: string, message: string): void => {
    if (!problems.some((p) => p.field === field && p.message === message)) problems.push({ field, code, message });
  };
  const alg = req.keyAlgorithm ?? service.defaults().keyAlgorithm;
  const family = familyOf(alg);
  const isCa = req.profile === 'root' || req.profile === 'intermediate';

  // Validity, as the create call's schema and the engine check it.
  const validity: ValidityInput = req.validity ?? DEFAULT_VALIDITY[req.profile];
  const vParsed = ValiditySchema.safeParse(validity);
  let validMs: number | null = null;
  if (!vParsed.success) problem('validity', 'pki.bad-validity', vParsed.error.issues[0]?.message ?? 'The validity is not valid.');
  else {
    try {
      validMs = validityMs(validity);
    } catch (err) {
      problem('validity', 'pki.bad-validity', (err as Error).message);
    }
  }

  // Issuer: the same refusals as issueCertificate, in the same order.
  let issuer: CertificateSummary | null = null;
  let issuerCanSign = true;
  if (req.profile !== 'root') {
    const issuerId = req.issuerId?.trim() ?? '';
    if (issuerId === '') {
      problem('issuerId', 'pki.issuer-required', 'Choose the CA that signs this certificate.');
    } else {
      try {
        const detail = service.get(issuerId);
        issuer = detail.summary;
        const ku = detail.inspection.keyUsage;
        const name = issuer.commonName;
        const refuse = (code: string, message: string): void => {
          issuerCanSign = false;
          problem('issuerId', code, message);
        };
        if (!issuer.isCa) refuse('pki.issuer-not-ca', `"${name}" is not a CA certificate (no basicConstraints CA:TRUE), so it cannot sign. Choose a root or intermediate CA.`);
        else if (ku.length > 0 && !ku.includes('Certificate Sign')) refuse('pki.issuer-not-ca', `"${name}" is not allowed to sign certificates (its key usage lacks keyCertSign). Choose another CA.`);
        else if (req.profile === 'intermediate' && issuer.pathLength === 0) {
          refuse('pki.path-length', `"${name}" has path length 0, so it can sign only end-entity certificates, not another CA. Sign the intermediate with the root instead.`);
        }
        if (issuer.revoked) refuse('pki.issuer-revoked', `"${name}" is marked revoked and must not sign anything. Choose another CA.`);
        if (!issuer.hasPrivateKey) refuse('pki.no-private-key', `The vault has no private key for "${name}". Import its key file first.`);
        if (new Date(issuer.notAfter).getTime() <= now.getTime()) refuse('pki.issuer-expired', `"${name}" expired on ${issuer.notAfter.slice(0, 10)} and can no longer sign. Renew the CA first.`);
        else if (new Date(issuer.notBefore).getTime() > now.getTime()) refuse('pki.issuer-not-yet-valid', `"${name}" is not valid before ${issuer.notBefore}. Check the computer's clock.`);
      } catch (err) {
        if (err instanceof FieldbenchError && err.code === 'pki.not-found') problem('issuerId', 'pki.not-found', 'That CA is no longer in the vault. Choose another one.');
        else throw err;
      }
    }
  }

  // Validity window, clamped to the issuer like the engine does.
  let notBefore = new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS);
  let notAfter = new Date(now.getTime() + (validMs ?? 0));
  let clamped = false;
  if (issuer && issuerCanSign && validMs !== null) {
    const caEnd = new Date(issuer.notAfter);
    if (notAfter.getTime() > caEnd.getTime()) {
      const slight = notAfter.getTime() - caEnd.getTime() <= SLIGHT_OVERSHOOT_MS;
      if (!req.clampToIssuer && !slight) {
        problem('validity', 'pki.validity-exceeds-issuer', `This validity would outlast "${issuer.commonName}", which expires on ${issuer.notAfter.slice(0, 10)}. Shorten the validity, or let Fieldbench end it on the CA's expiry date.`);
      } else {
        notAfter = caEnd;
        clamped = true;
        warnings.push({ code: 'validity-clamped', message: `The validity was shortened to end with "${issuer.commonName}" on ${issuer.notAfter.slice(0, 10)}.` });
      }
    }
    const caStart = new Date(issuer.notBefore);
    if (notBefore.getTime() < caStart.getTime()) notBefore = caStart;
  }

  // Subjects: one for a CA or server, one per client id for a batch.
  const subjects: z.input<typeof SubjectSchema>[] = [];
  if (req.profile === 'client') {
    for (const id of clientIdsOf(req, problem)) subjects.push({ commonName: id, ...(req.organization?.trim() ? { organization: req.organization } : {}) });
  } else {
    // Empty optional fields are fields the person has not filled in, not values to check.
    const s = req.subject ?? { commonName: '' };
    const filled = Object.fromEntries(Object.entries(s).filter(([k, v]) => k !== 'commonName' && typeof v === 'string' && v.trim() !== ''));
    subjects.push({ ...filled, commonName: s.commonName ?? '' });
  }

  const certificates: z.output<typeof PreviewCertificate>[] = [];
  for (const subject of subjects) {
    const parsed = SubjectSchema.safeParse(subject);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'subject');
        const field: Problem['field'] = req.profile === 'client' ? 'clientIds' : key === 'commonName' ? 'commonName' : key === 'country' ? 'country' : 'subject';
        problem(field, 'pki.bad-subject', req.profile === 'client' ? `${subject.commonName}: ${issue.message}` : issue.message);
      }
      // The SAN rows still get their sentences while the subject is being fixed.
      if (req.profile === 'server') resolveSans(req.sans ?? [], subject.commonName, problem, []);
      continue;
    }
    let subjectLine: string;
    try {
      subjectLine = opensslOneLine(buildName(parsed.data));
    } catch (err) {
      problem(req.profile === 'client' ? 'clientIds' : 'subject', 'pki.bad-subject', (err as Error).message);
      continue;
    }
    const sans = isCa ? [] : resolveSans(req.profile === 'server' ? (req.sans ?? []) : [], parsed.data.commonName, problem, warnings);
    certificates.push({
      commonName: parsed.data.commonName,
      subject: subjectLine,
      issuer: req.profile === 'root' ? subjectLine : (issuer?.subject ?? ''),
      issuerId: req.profile === 'root' ? null : (issuer?.id ?? null),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      validityClamped: clamped,
      isCa,
      pathLength: req.profile === 'root' ? ROOT_PATH_LENGTH : req.profile === 'intermediate' ? INTERMEDIATE_PATH_LENGTH : null,
      keyUsage: isCa ? keyUsageLabels(KU.keyCertSign | KU.cRLSign) : keyUsageLabels(family === 'rsa' ? KU.digitalSignature | KU.keyEncipherment : KU.digitalSignature),
      extendedKeyUsage: isCa ? [] : [extendedKeyUsageLabel(req.profile === 'server' ? SERVER_AUTH : CLIENT_AUTH)],
      sans,
      keyAlgorithm: alg,
      keyAlgorithmLabel: describeKeyAlgorithm(alg),
      keyFamily: family,
    });
  }

  if (issuer) {
    const families = new Set<KeyFamily>([family, ...issuerFamilies(service, issuer)]);
    if (families.has('ec') && families.has('rsa')) {
      warnings.push({ code: 'mixed-key-families', message: 'The chain mixes EC and RSA keys; the AIO broker rejects a client chain that mixes EC and RSA. Issue the whole chain with one key family.' });
    }
  }

  return {
    profile: req.profile,
    canIssue: problems.length === 0 && certificates.length > 0,
    problems,
    warnings,
    certificates,
    keyGeneration: { algorithm: alg, label: describeKeyAlgorithm(alg), count: req.profile === 'client' ? certificates.length : 1, slow: isSlow(alg) },
  };
}

function issuerFamilies(service: PkiService, issuer: CertificateSummary): KeyFamily[] {
  const byId = new Map(service.summaries().map((s) => [s.id, s]));
  const out: KeyFamily[] = [];
  let cur: CertificateSummary | undefined = issuer;
  for (let i = 0; cur && i < 10; i++) {
    out.push(cur.keyFamily);
    cur = cur.issuerId && cur.issuerId !== cur.id ? byId.get(cur.issuerId) : undefined;
  }
  return out;
}

function resolveSans(input: readonly string[], commonName: string, problem: (f: Problem['field'], c: string, m: string) => void, warnings: PkiWarning[]): SubjectAltName[] {
  const seen = new Set<string>();
  const out: SubjectAltName[] = [];
  for (const raw of input) {
    if (raw.trim() === '') continue; // an empty row the form has not filled yet
    try {
      const san = classifySan(raw);
      const key = `${san.type}:${san.value.toLowerCase()}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(san);
      }
    } catch (err) {
      problem('sans', 'pki.bad-san', (err as Error).message);
    }
  }
  if (out.length > 0) return out;
  try {
    return [classifySan(commonName)];
  } catch {
    if (!warnings.some((w) => w.code === 'no-sans')) {
      warnings.push({ code: 'no-sans', message: `The certificate has no subject alternative names and "${commonName}" cannot be one. Clients that check host names will reject it.` });
    }
    return [];
  }
}

function clientIdsOf(req: PreviewRequest, problem: (f: Problem['field'], c: string, m: string) => void): string[] {
  let ids: string[];
  const explicit = (req.clientIds ?? []).map((s) => s.trim()).filter((s) => s !== '');
  if (explicit.length > 0) ids = explicit;
  else {
    const prefix = (req.prefix ?? '').trim();
    const count = req.count ?? 0;
    if (!prefix || count < 1) {
      problem('clientIds', 'pki.bad-batch', 'Give the client ids, or a prefix and a count (e.g. "client42" and 2 for client42a and client42b).');
      return [];
    }
    ids = Array.from({ length: Math.min(count, PKI_MAX_BATCH + 1) }, (_, i) => prefix + letterSuffix(i));
  }
  if (ids.length > PKI_MAX_BATCH) {
    problem('clientIds', 'pki.bad-batch', `At most ${PKI_MAX_BATCH} client certificates can be made at once. Split the batch.`);
    return ids.slice(0, PKI_MAX_BATCH);
  }
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) problem('clientIds', 'pki.bad-batch', `The client id "${dup}" appears twice. Each client needs its own id.`);
  return [...new Set(ids)];
}

/** a, b, …, z, aa, ab, … — the engine's batch naming. */
function letterSuffix(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const stripped = text.replace(/[\r\n]/g, '');
  if (stripped.length % 4 === 1) return null;
  return Buffer.from(stripped, 'base64');
}

function emptyImportResult(fileName: string, error: { code: string; message: string }): ImportFileResult {
  return { fileName, certificatesImported: 0, keysImported: 0, duplicates: 0, keysMatched: 0, keysUnmatched: 0, certificateIds: [], errors: [error], notes: [] };
}

/** SHA-256 → summary of the unlocked vault; empty while locked (inspecting a file needs no vault). */
function vaultIndex(service: PkiService): Map<string, CertificateSummary> {
  try {
    return new Map(service.summaries().map((s) => [s.fingerprintSha256, s]));
  } catch (err) {
    if (err instanceof FieldbenchError && err.code === 'vault.locked') return new Map();
    throw err;
  }
}

function inspectParsed(cert: ParsedCertificate, known: Map<string, CertificateSummary>, now: Date): z.output<typeof InspectedCertificate> {
  const inVault = known.get(cert.sha256Hex);
  if (inVault) return { inspection: inspectCertificate(cert), commonName: cert.commonName, role: inVault.role, status: inVault.status, daysLeft: inVault.daysLeft, vaultId: inVault.id };
  const daysLeft = Math.floor((cert.notAfter.getTime() - now.getTime()) / 86_400_000);
  let status: CertificateStatus = 'valid';
  if (cert.notAfter.getTime() < now.getTime()) status = 'expired';
  else if (cert.notBefore.getTime() > now.getTime()) status = 'not-yet-valid';
  else if (daysLeft <= EXPIRING_WITHIN_DAYS) status = 'expiring';
  return { inspection: inspectCertificate(cert), commonName: cert.commonName, role: roleOf(cert), status, daysLeft, vaultId: null };
}

function roleOf(cert: ParsedCertificate): CertificateRole {
  if (cert.isCa) return cert.selfIssued ? 'root' : 'intermediate';
  if (cert.extendedKeyUsage.includes(SERVER_AUTH)) return 'server';
  if (cert.extendedKeyUsage.includes(CLIENT_AUTH)) return 'client';
  return 'leaf';
}

/** A file name from a common name: "AIO42 Root CA" → "aio42_root_ca", as the seeds name their files. */
export function fileSlug(commonName: string): string {
  const slug = commonName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '_')
    .replace(/^[_.]+|_+$/g, '');
  return slug || 'certificate';
}
