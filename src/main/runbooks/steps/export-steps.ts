import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ExportChain, ExportTarget } from '@shared/contract/exports-contract';
import { defineStep, type Caller, type StepKind } from '../step-kind';

const Input = z
  .object({
    target: ExportTarget,
    certificates: z.array(z.string().min(1).max(200)).min(1).max(50),
    ca: z.string().min(1).max(200).optional(),
    chain: ExportChain.default('bundle'),
    broker: z.object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65_535) }).strict().optional(),
    /** A folder that does not exist yet; the export creates it, for the current user only. */
    out: z.string().min(1).max(4096),
  })
  .strict();
type Input = z.infer<typeof Input>;

interface Manifest {
  target: string;
  files: Array<{ path: string; certificate?: string }>;
}

function readManifest(out: string): Manifest | undefined {
  const file = join(resolve(out), 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

async function commonNames(call: Caller, ids: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const id of ids) names.push((await call('pki.get', { id })).summary.commonName);
  return names;
}

function request(input: Input, includeKey: boolean) {
  return {
    target: input.target,
    certificateIds: input.certificates,
    chain: input.chain,
    includeKey,
    ...(input.ca ? { caId: input.ca } : {}),
    ...(input.broker ? { broker: input.broker } : {}),
  };
}

/**
 * The exports area's engine as a runbook step. The folder is the step's record: one that holds this target's
 * manifest for these certificates is "already in place", so a re-run never writes the files (or keys) twice.
 */
function exportStep(name: string, includeKey: boolean): StepKind<never, unknown> {
  return defineStep({
    name,
    title: includeKey ? 'Export files with private keys' : 'Export files',
    risky: includeKey,
    ...(includeKey ? { confirmText: 'I confirm: this step writes the clients’ private keys into the export folder (0600, for this user only).' } : {}),
    input: Input,
    outputs: ['path'],
    sampleOutput: () => '/tmp/export',
    async check(input, ctx) {
      const manifest = readManifest(input.out);
      const names = await commonNames(ctx.call, input.certificates);
      const covered = manifest?.target === input.target && names.every((n) => manifest.files.some((f) => f.certificate === n));
      return {
        items: [{ name: `${input.target} export in ${input.out}`, ok: Boolean(covered), detail: covered ? `holds ${manifest?.files.length} files and manifest.json for ${names.join(', ')}` : manifest ? `holds a ${manifest.target} export of other certificates` : 'not written yet' }],
        observed: { covered, exists: existsSync(resolve(input.out)) },
        ...(covered ? { outputs: { path: resolve(input.out) } } : {}),
      };
    },
    async plan(input, found, ctx) {
      if (found.observed.covered) return [];
      const plan = await ctx.call('exports.plan', request(input, includeKey));
      const keys = plan.keys.map((k) => k.commonName);
      return [{ action: 'create', target: input.out, detail: `${plan.title}: ${plan.files.length} files${keys.length ? `, with the private keys of ${keys.join(', ')}` : ''}` }];
    },
    async apply(input, _found, ctx) {
      const plan = await ctx.call('exports.plan', request(input, includeKey));
      // The step's confirm is the confirmation of exactly the keys this plan lists (the same as the UI's dialog).
      const r = await ctx.call('exports.write', { ...request(input, includeKey), out: input.out, zip: false, confirmedKeys: plan.keys.map((k) => k.certificateId) });
      for (const n of r.notes) ctx.log(n);
      return { path: r.path };
    },
    async verify(input) {
      const manifest = readManifest(input.out);
      const missing = (manifest?.files ?? []).filter((f) => !existsSync(join(resolve(input.out), f.path)));
      const ok = Boolean(manifest) && missing.length === 0;
      // The manifest lists every file but itself, while the plan counts it too: say both, so 6 planned reads as 6 written.
      const text = manifest ? readFileSync(join(resolve(input.out), 'manifest.json')) : Buffer.alloc(0);
      return {
        items: [{ name: `${input.target} export in ${input.out}`, ok, detail: !manifest ? 'no manifest.json' : missing.length ? `missing ${missing.map((f) => f.path).join(', ')}` : `${manifest.files.length} files and manifest.json` }],
        fingerprint: { [`${input.target} export`]: createHash('sha256').update(text).digest('hex').slice(0, 16) },
      };
    },
  });
}

export const exportFilesStep = exportStep('export', false);
export const exportWithKeysStep = exportStep('export.with-keys', true);
