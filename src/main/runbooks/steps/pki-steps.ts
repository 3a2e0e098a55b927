import { z } from 'zod';
import type { CallResponse } from '@shared/contract';
import { KeyAlgorithm } from '@shared/contract/pki-contract';
import { FieldbenchError } from '@shared/errors';
import { defineStep, type Caller } from '../step-kind';

type Summary = CallResponse<'pki.get'>['summary'];

async function allCertificates(call: Caller): Promise<Summary[]> {
  const { tree } = await call('pki.list', {});
  const out: Summary[] = [];
  const walk = (nodes: typeof tree) => {
    for (const n of nodes) {
      out.push(n.certificate);
      walk(n.children);
    }
  };
  walk(tree);
  return out;
}

const usable = (c: Summary) => c.hasPrivateKey && !c.revoked && (c.status === 'valid' || c.status === 'expiring');
/** Newest first, so a re-issued certificate wins over the one it replaced. */
const newest = (a: Summary, b: Summary) => b.createdAt.localeCompare(a.createdAt);

/** An issuer named by id or by common name; two CAs with one name must be told apart by id. */
async function findIssuer(call: Caller, ref: string): Promise<Summary> {
  const all = (await allCertificates(call)).filter((c) => c.isCa && usable(c));
  const byId = all.find((c) => c.id === ref);
  if (byId) return byId;
  const named = all.filter((c) => c.commonName === ref).sort(newest);
  if (named.length === 0) throw new FieldbenchError('runbooks.issuerMissing', `There is no usable CA called "${ref}" in the vault (with its key, not revoked or expired).`);
  return named[0] as Summary;
}

const certificateFingerprint = (c: Summary) => `${c.subject} serial ${c.serialHex} SHA-256 ${c.fingerprintSha256} until ${c.notAfter}`;

async function verifyCertificates(call: Caller, ids: string[]) {
  const items = [];
  const fingerprint: Record<string, string> = {};
  for (const id of ids) {
    const d = await call('pki.get', { id });
    const problems = d.validation.issues.filter((i) => i.severity === 'error');
    items.push({ name: `${d.summary.commonName} chain`, ok: problems.length === 0, detail: problems.length ? problems.map((p) => p.message).join(' ') : `valid until ${d.summary.notAfter.slice(0, 10)}` });
    fingerprint[d.summary.commonName] = certificateFingerprint(d.summary);
  }
  return { items, fingerprint };
}

const Subject = { commonName: z.string().trim().min(1).max(64), organization: z.string().max(64).optional() };
const Days = z.number().int().min(1).max(36_500).optional();

export const pkiRootStep = defineStep({
  name: 'pki.root',
  title: 'Root CA',
  risky: false,
  input: z.object({ ...Subject, keyAlgorithm: KeyAlgorithm.optional(), days: Days }).strict(),
  outputs: ['certificateId'],
  sampleOutput: () => 'c-sample',
  async check(input, ctx) {
    const hit = (await allCertificates(ctx.call)).filter((c) => c.role === 'root' && c.commonName === input.commonName && usable(c)).sort(newest)[0];
    return {
      items: [{ name: `root CA ${input.commonName}`, ok: Boolean(hit), detail: hit ? `in the vault, serial ${hit.serialHex}` : 'not in the vault' }],
      observed: hit,
      ...(hit ? { outputs: { certificateId: hit.id } } : {}),
    };
  },
  plan: async (input, found) => (found.observed ? [] : [{ action: 'create', target: `root CA "${input.commonName}"`, detail: input.keyAlgorithm ?? 'EC P-256' }]),
  async apply(input, _found, ctx) {
    const r = await ctx.call('pki.createRoot', {
      subject: { commonName: input.commonName, ...(input.organization ? { organization: input.organization } : {}) },
      ...(input.keyAlgorithm ? { keyAlgorithm: input.keyAlgorithm } : {}),
      ...(input.days ? { validity: { days: input.days } } : {}),
    });
    return { certificateId: r.certificate.id };
  },
  verify: (_input, outputs, ctx) => verifyCertificates(ctx.call, [String(outputs['certificateId'])]),
});

export const pkiIntermediateStep = defineStep({
  name: 'pki.intermediate',
  title: 'Intermediate CA',
  risky: false,
  input: z.object({ ...Subject, issuer: z.string().min(1).max(200), keyAlgorithm: KeyAlgorithm.optional(), days: Days }).strict(),
  outputs: ['certificateId'],
  sampleOutput: () => 'c-sample',
  async check(input, ctx) {
    const issuer = await findIssuer(ctx.call, input.issuer);
    const hit = (await allCertificates(ctx.call)).filter((c) => c.role === 'intermediate' && c.commonName === input.commonName && c.issuerId === issuer.id && usable(c)).sort(newest)[0];
    return {
      items: [{ name: `intermediate CA ${input.commonName}`, ok: Boolean(hit), detail: hit ? `signed by ${issuer.commonName}, serial ${hit.serialHex}` : `not in the vault under ${issuer.commonName}` }],
      observed: { issuerId: issuer.id, issuerName: issuer.commonName, hit },
      ...(hit ? { outputs: { certificateId: hit.id } } : {}),
    };
  },
  plan: async (input, found) => (found.observed.hit ? [] : [{ action: 'create', target: `intermediate CA "${input.commonName}"`, detail: `signed by ${found.observed.issuerName}` }]),
  async apply(input, found, ctx) {
    const r = await ctx.call('pki.createIntermediate', {
      subject: { commonName: input.commonName, ...(input.organization ? { organization: input.organization } : {}) },
      issuerId: found.observed.issuerId,
      ...(input.keyAlgorithm ? { keyAlgorithm: input.keyAlgorithm } : {}),
      ...(input.days ? { validity: { days: input.days } } : {}),
    });
    return { certificateId: r.certificate.id };
  },
  verify: (_input, outputs, ctx) => verifyCertificates(ctx.call, [String(outputs['certificateId'])]),
});

const sanKey = (s: { type: string; value: string }) => `${s.type}:${s.value.toLowerCase()}`;

export const pkiServerStep = defineStep({
  name: 'pki.server',
  title: 'Server certificate',
  risky: false,
  input: z.object({ ...Subject, issuer: z.string().min(1).max(200), sans: z.array(z.string().min(1).max(253)).min(1, 'A broker certificate needs the addresses clients use in its SANs.').max(100), keyAlgorithm: KeyAlgorithm.optional(), days: Days }).strict(),
  outputs: ['certificateId'],
  sampleOutput: () => 'c-sample',
  async check(input, ctx) {
    const issuer = await findIssuer(ctx.call, input.issuer);
    // SANs typed by the engine's own rule (the preview), so the comparison is the one issuance would make.
    const preview = await ctx.call('pki.preview', { profile: 'server', issuerId: issuer.id, subject: { commonName: input.commonName }, sans: input.sans });
    const wanted = (preview.certificates[0]?.sans ?? []).map(sanKey);
    const candidates = (await allCertificates(ctx.call)).filter((c) => c.role === 'server' && c.commonName === input.commonName && c.issuerId === issuer.id && usable(c)).sort(newest);
    const hit = candidates.find((c) => {
      const has = new Set(c.sans.map(sanKey));
      return wanted.every((w) => has.has(w));
    });
    const missing = candidates[0] ? wanted.filter((w) => !new Set(candidates[0]?.sans.map(sanKey)).has(w)) : wanted;
    return {
      items: [
        {
          name: `server certificate ${input.commonName}`,
          ok: Boolean(hit),
          detail: hit ? `has ${input.sans.join(', ')} in its SANs` : candidates[0] ? `exists but lacks ${missing.join(', ')} in its SANs` : 'not in the vault',
        },
      ],
      observed: { issuerId: issuer.id, issuerName: issuer.commonName, hit, previous: candidates[0] },
      ...(hit ? { outputs: { certificateId: hit.id } } : {}),
    };
  },
  plan: async (input, found) =>
    found.observed.hit ? [] : [{ action: found.observed.previous ? 'update' : 'create', target: `server certificate "${input.commonName}"`, detail: `SANs ${input.sans.join(', ')}, signed by ${found.observed.issuerName}` }],
  async apply(input, found, ctx) {
    const r = await ctx.call('pki.createServer', {
      subject: { commonName: input.commonName, ...(input.organization ? { organization: input.organization } : {}) },
      sans: input.sans,
      issuerId: found.observed.issuerId,
      ...(input.keyAlgorithm ? { keyAlgorithm: input.keyAlgorithm } : {}),
      ...(input.days ? { validity: { days: input.days } } : {}),
    });
    return { certificateId: r.certificate.id };
  },
  verify: (_input, outputs, ctx) => verifyCertificates(ctx.call, [String(outputs['certificateId'])]),
});

export const pkiClientsStep = defineStep({
  name: 'pki.clients',
  title: 'Client certificates',
  risky: false,
  input: z
    .object({
      /** client42 → client42a, client42b…; or the exact names. */
      prefix: z.string().min(1).max(60).optional(),
      count: z.number().int().min(1).max(200).optional(),
      names: z.array(z.string().min(1).max(64)).min(1).max(200).optional(),
      issuer: z.string().min(1).max(200),
      organization: z.string().max(64).optional(),
      keyAlgorithm: KeyAlgorithm.optional(),
      days: Days,
      hours: z.number().int().min(1).max(36_500 * 24).optional(),
    })
    .strict()
    .refine((i) => (i.names !== undefined) !== (i.prefix !== undefined && i.count !== undefined), 'Give either names, or a prefix and a count.'),
  outputs: ['certificateIds', 'firstCertificateId'],
  sampleOutput: (name) => (name === 'certificateIds' ? ['c-sample'] : 'c-sample'),
  async check(input, ctx) {
    const issuer = await findIssuer(ctx.call, input.issuer);
    // The names pki.createClients gives a prefix and a count (client42a, client42b…), from the engine's own plan.
    const preview = await ctx.call('pki.preview', { profile: 'client', issuerId: issuer.id, ...(input.names ? { clientIds: input.names } : { prefix: input.prefix, count: input.count }) });
    const ids = preview.certificates.map((c) => c.commonName);
    const mine = (await allCertificates(ctx.call)).filter((c) => c.role === 'client' && c.issuerId === issuer.id && usable(c)).sort(newest);
    const found = new Map<string, Summary>();
    for (const id of ids) {
      const c = mine.find((m) => m.commonName === id);
      if (c) found.set(id, c);
    }
    const missing = ids.filter((id) => !found.has(id));
    return {
      items: ids.map((id) => ({ name: `client certificate ${id}`, ok: found.has(id), detail: found.has(id) ? `signed by ${issuer.commonName}` : 'not in the vault' })),
      observed: { issuerId: issuer.id, issuerName: issuer.commonName, ids, found, missing },
      ...(missing.length === 0 ? { outputs: { certificateIds: ids.map((id) => found.get(id)?.id), firstCertificateId: found.get(ids[0] as string)?.id } } : {}),
    };
  },
  plan: async (_input, found) => found.observed.missing.map((id) => ({ action: 'create' as const, target: `client certificate "${id}"`, detail: `signed by ${found.observed.issuerName}` })),
  async apply(input, found, ctx) {
    const r = await ctx.call('pki.createClients', {
      clientIds: found.observed.missing,
      issuerId: found.observed.issuerId,
      ...(input.organization ? { organization: input.organization } : {}),
      ...(input.keyAlgorithm ? { keyAlgorithm: input.keyAlgorithm } : {}),
      ...(input.hours ? { validity: { hours: input.hours } } : input.days ? { validity: { days: input.days } } : {}),
    });
    const byName = new Map<string, string>([...found.observed.found].map(([k, v]) => [k, v.id]));
    for (const c of r.certificates) byName.set(c.commonName, c.id);
    const ids = found.observed.ids.map((id) => byName.get(id) as string);
    return { certificateIds: ids, firstCertificateId: ids[0] };
  },
  verify: (_input, outputs, ctx) => verifyCertificates(ctx.call, (outputs['certificateIds'] as string[]) ?? []),
});
