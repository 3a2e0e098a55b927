import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { FieldbenchError } from '@shared/errors';
import type { ExportEachRequestT, ExportEachResultT, ExportLogEntryT, ExportPlanT, ExportRequestT, ExportResultT, ExportTargetT, ExportWriteRequestT, PlannedFileT } from '@shared/contract/exports-contract';
import type { CertificateSummary } from '@shared/pki-types';
import { isServer, slugOf, type BuiltExport, type Cert, type ExportAio, type ExportPki, type FileSpec, type TargetBuilder, type TargetContext } from './export-model';
import { derTarget, pemTarget, pkcs12Target } from './file-targets';
import { litmusTarget, mosquittoTarget, mqttxTarget, nodeRedTarget } from './connection-targets';
import { iotedgeTarget, keyvaultTarget, kubernetesTarget } from './platform-targets';
import { PUBLIC_MODE, SECRET_MODE, createFreshFolder, ensureParentFolder, writeInto, writeNewFile } from './safe-write';

const TARGETS: Record<ExportTargetT, TargetBuilder> = {
  pem: pemTarget,
  der: derTarget,
  pkcs12: pkcs12Target(false),
  'pkcs12-legacy': pkcs12Target(true),
  'node-red': nodeRedTarget,
  litmus: litmusTarget,
  mqttx: mqttxTarget,
  mosquitto: mosquittoTarget,
  kubernetes: kubernetesTarget,
  keyvault: keyvaultTarget,
  iotedge: iotedgeTarget,
};

/** Where the exports that carried keys are recorded (in the vault, beside what they came from). */
export interface ExportLog {
  record(entry: ExportLogEntryT): Promise<void>;
  list(limit: number): ExportLogEntryT[];
}

export interface ExportEngineOptions {
  pki: ExportPki;
  aio: ExportAio;
  log: ExportLog;
  now?: () => Date;
}

interface Assembled {
  built: BuiltExport;
  files: FileSpec[];
}

const CHAIN_MODE = { leaf: 'none', bundle: 'chain', full: 'full' } as const;

/**
 * The one export engine: a target turns a selection of vault certificates into files, the engine adds a
 * README and manifest.json, and writes them into a fresh folder (or zip) through the safe-write module.
 * Keys leave only when the request includes them and the write names every one of them as confirmed.
 */
export class ExportEngine {
  constructor(private readonly options: ExportEngineOptions) {}

  /** The exact files, roles and purposes, and the keys that would leave. Reads no key, builds no archive. */
  plan(req: ExportRequestT, out?: string): ExportPlanT {
    const { built, files } = this.assemble(req, out);
    return {
      target: req.target,
      title: built.title,
      files: files.map(describe),
      keys: built.keys.map((k) => ({ certificateId: k.id, commonName: k.cn })),
      passphraseRequired: req.target === 'pkcs12' || req.target === 'pkcs12-legacy',
      notes: built.notes,
    };
  }

  async write(req: ExportWriteRequestT): Promise<ExportResultT> {
    const out = resolve(req.out);
    const { built, files } = this.assemble(req, out);
    this.checkConfirmed(built, req.confirmedKeys);
    // Every byte is made before the first file exists, so a vault or PKCS#12 error leaves nothing behind.
    const contents = files.map((f) => ({ f, data: f.content() }));
    persist(out, req.zip, contents, built.keys.length > 0);
    await this.record(req, built, out);
    return { target: req.target, path: out, files: files.map(describe), keys: built.keys.map((k) => ({ certificateId: k.id, commonName: k.cn })), notes: built.notes };
  }

  /**
   * One bundle per certificate (a bulk-issued batch: one folder per device, named after its CN) and a
   * summary.csv an IoT Hub registration script or an asset list takes. Everything is built before the first
   * file exists, keys need the same confirmation as write, and a cancel before writing leaves nothing.
   */
  async writeEach(req: ExportEachRequestT, progress: (message: string, fraction?: number) => void = () => undefined, signal?: AbortSignal): Promise<ExportEachResultT> {
    const out = resolve(req.out);
    const summaries = new Map(this.options.pki.summaries().map((s) => [s.id, s]));
    const used = new Set<string>();
    const bundles: Array<{ id: string; cn: string; folder: string; built: BuiltExport; files: FileSpec[] }> = [];
    for (const [i, id] of req.certificateIds.entries()) {
      if (signal?.aborted) throw new FieldbenchError('cancelled', 'The export was cancelled before anything was written.');
      const cn = summaries.get(id)?.commonName ?? id;
      let folder = slugOf(cn);
      for (let n = 2; used.has(folder.toLowerCase()); n++) folder = `${slugOf(cn)}-${n}`;
      used.add(folder.toLowerCase());
      const { built, files } = this.assemble({ ...req, certificateIds: [id] }, req.zip ? undefined : join(out, folder));
      bundles.push({ id, cn, folder, built, files });
      if (i % 50 === 0) progress(`Preparing ${i + 1} of ${req.certificateIds.length}…`, (i / req.certificateIds.length) * 0.5);
    }
    const allKeys: BuiltExport = { ...(bundles[0]?.built as BuiltExport), keys: bundles.flatMap((b) => b.built.keys), files: bundles.flatMap((b) => b.built.files) };
    this.checkConfirmed(allKeys, req.confirmedKeys);
    const summary = bulkSummaryCsv(req.certificateIds.map((id) => summaries.get(id)).filter((c): c is CertificateSummary => c !== undefined));
    const contents: Array<{ f: FileSpec; data: string | Uint8Array }> = [];
    for (const b of bundles) for (const f of b.files) contents.push({ f: { ...f, path: `${b.folder}/${f.path}` }, data: f.content() });
    const summaryFile: FileSpec = { path: 'summary.csv', role: 'config', certificate: '', encrypted: false, secret: false, purpose: 'One line per device: id, serial, thumbprints, expiry.', content: () => summary };
    contents.push({ f: summaryFile, data: summary });
    if (signal?.aborted) throw new FieldbenchError('cancelled', 'The export was cancelled before anything was written.');
    progress('Writing…', 0.6);
    persist(out, req.zip, contents, allKeys.keys.length > 0);
    await this.record(req, allKeys, out);
    return {
      target: req.target,
      path: out,
      bundles: bundles.map((b) => ({ certificateId: b.id, commonName: b.cn, folder: b.folder, files: b.files.length })),
      summary: 'summary.csv',
      keys: allKeys.keys.length,
    };
  }

  /**
   * The export as one zip in memory, for a host to hand to the browser as a download (see
   * OneTimeDownloads). The same confirmation rule as write; the log names the download.
   */
  async pack(req: ExportRequestT & { confirmedKeys: string[] }): Promise<{ fileName: string; bytes: Uint8Array; secret: boolean; result: ExportResultT }> {
    const name = `${req.target}-${slugOf(this.options.pki.summaries().find((c) => c.id === req.certificateIds[0])?.commonName ?? 'export')}`;
    const { built, files } = this.assemble(req, `/${name}`);
    this.checkConfirmed(built, req.confirmedKeys);
    const bytes = zipOf(`${name}.zip`, files.map((f) => ({ f, data: f.content() })));
    const where = `download ${name}.zip`;
    await this.record(req, built, where);
    return { fileName: `${name}.zip`, bytes, secret: built.keys.length > 0, result: { target: req.target, path: where, files: files.map(describe), keys: built.keys.map((k) => ({ certificateId: k.id, commonName: k.cn })), notes: built.notes } };
  }

  /** Refuses (as write would) when a key in this export was not confirmed; for callers that ask something first. */
  assertConfirmed(req: ExportRequestT & { confirmedKeys: readonly string[] }): void {
    this.checkConfirmed(this.assemble(req, undefined).built, req.confirmedKeys);
  }

  private checkConfirmed(built: BuiltExport, confirmedKeys: readonly string[]): void {
    const confirmed = new Set(confirmedKeys);
    const unconfirmed = built.keys.filter((k) => !confirmed.has(k.id));
    if (unconfirmed.length > 0) {
      throw new FieldbenchError(
        'exports.keysNotConfirmed',
        `Nothing was written: the private key${unconfirmed.length > 1 ? 's' : ''} of ${unconfirmed.map((k) => k.cn).join(', ')} would leave the vault, and that was not confirmed. Confirm the keys (or leave out the key) and export again.`,
      );
    }
  }

  private async record(req: ExportRequestT, built: BuiltExport, where: string): Promise<void> {
    if (built.keys.length === 0) return;
    await this.options.log.record({
      at: (this.options.now?.() ?? new Date()).toISOString(),
      target: req.target,
      path: where,
      certificates: [...new Set(built.files.map((f) => f.certificate).filter(Boolean))],
      keys: built.keys.map((k) => k.cn),
      encrypted: req.passphrase !== undefined,
    });
  }

  log(limit: number): ExportLogEntryT[] {
    return this.options.log.list(limit);
  }

  private assemble(req: ExportRequestT, out: string | undefined): Assembled {
    const ctx = this.context(req, out);
    const built = TARGETS[req.target](ctx);
    built.notes.push(...ctx.notes);
    const keys = [...new Map(built.keys.map((k) => [k.id, k])).values()];
    const withKeys: BuiltExport = { ...built, keys };
    const readme: FileSpec = { path: 'README.md', role: 'readme', certificate: ctx.certs.map((c) => c.cn).join(', '), encrypted: false, secret: false, purpose: 'What is in this folder and what to do with it, for the person at the other end.', content: () => readmeOf(req.target, withKeys, ctx) };
    const listed = [...built.files, readme];
    const manifest: FileSpec = {
      path: 'manifest.json',
      role: 'config',
      certificate: readme.certificate,
      encrypted: false,
      secret: false,
      purpose: 'The list of files with their roles, for programs.',
      content: () => `${JSON.stringify({ target: req.target, files: listed.map((f) => ({ path: f.path, role: f.role, certificate: f.certificate, encrypted: f.encrypted })) }, null, 2)}\n`,
    };
    const files = [...listed, manifest];
    const dup = files.find((f, i) => files.findIndex((g) => g.path === f.path) !== i);
    if (dup) throw new FieldbenchError('exports.nameClash', `Two files of this export would both be called ${dup.path}. Export the certificates one at a time.`);
    return { built: withKeys, files };
  }

  private context(req: ExportRequestT, out: string | undefined): TargetContext {
    const { pki } = this.options;
    const all = new Map<string, CertificateSummary>(pki.summaries().map((s) => [s.id, s]));
    const slugs = new Map<string, string>();
    const used = new Set<string>();
    const byId = (id: string): Cert => {
      const summary = all.get(id);
      if (!summary) throw new FieldbenchError('pki.not-found', `No certificate with id "${id.slice(0, 40)}" is in the vault. See \`fieldbench pki list\` and pick it again.`);
      let slug = slugs.get(id);
      if (!slug) {
        const base = slugOf(summary.commonName);
        slug = base;
        for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
        used.add(slug);
        slugs.set(id, slug);
      }
      return { id, cn: summary.commonName, slug, summary };
    };
    const certs = [...new Set(req.certificateIds)].map(byId);
    const chainOf = (c: Cert): Cert[] => {
      const chain = [c];
      let cur = c;
      for (let i = 0; i < 10; i++) {
        const next = cur.summary.issuerId;
        if (!next || next === cur.id || !all.has(next)) break;
        cur = byId(next);
        chain.push(cur);
      }
      return chain;
    };
    const rootOf = (c: Cert): Cert => chainOf(c).at(-1)!;
    const notes: string[] = [];
    let caNoted = false;
    const brokerCa = (): { pem: string; cert: Cert; guessed: boolean } | undefined => {
      if (req.caId) {
        const ca = byId(req.caId);
        if (ca.summary.isCa) return { pem: pki.exportCertificatePem(ca.id, { chain: 'full' }), cert: ca, guessed: false };
        const root = rootOf(ca);
        return { pem: pki.exportCertificatePem(root.id), cert: root, guessed: false };
      }
      const server = certs.find(isServer);
      const from = server ?? certs.find((c) => !c.summary.isCa);
      if (!from) return undefined;
      const root = rootOf(from);
      if (root.id === from.id) return undefined;
      if (!server && !caNoted) {
        caNoted = true;
        notes.push(`No broker CA was named, so the CA file is ${root.cn}, the root of ${from.cn}'s own chain. If the broker's certificate comes from another CA (seed 001: AIO42 Root CA), export again with --ca naming it.`);
      }
      return { pem: pki.exportCertificatePem(root.id), cert: root, guessed: !server };
    };
    const broker = (): { host: string; port: number } => {
      if (req.broker) return req.broker;
      const server = certs.find(isServer);
      const san = server?.summary.sans.find((s) => s.type === 'ip') ?? server?.summary.sans.find((s) => s.type === 'dns');
      if (san) return { host: san.value, port: 8883 };
      throw new FieldbenchError('exports.brokerRequired', `The ${req.target} export describes a connection, so it needs the broker's address. Give it with --broker HOST:PORT (e.g. 192.168.2.196:8883).`);
    };
    const key = (c: Cert): (() => string) => {
      if (!c.summary.hasPrivateKey) throw new FieldbenchError('pki.no-private-key', `The vault has no private key for "${c.cn}", so it cannot go into this export. Import its key first, or export without it.`);
      return () => pki.exportKey(c.id, req.passphrase === undefined ? {} : { passphrase: req.passphrase });
    };
    return {
      req,
      pki,
      aio: this.options.aio,
      certs,
      byId,
      chainOf,
      rootOf,
      chainPem: (c) => pki.exportCertificatePem(c.id, { chain: CHAIN_MODE[req.chain] }),
      brokerCa,
      broker,
      key,
      // Before the folder is chosen a plan names it in words; the written files carry the real path.
      filesAt: req.filesAt ?? (out ? resolve(out).replace(/\.zip$/i, '') : '<export folder>'),
      notes,
    };
  }
}

/** One zip with every file under a folder named like the zip; Unix modes kept so keys unzip as 0600. */
/** Writes prepared files as one new zip, or into a fresh folder of our own that a failure takes back whole. */
function persist(out: string, zip: boolean, contents: ReadonlyArray<{ f: FileSpec; data: string | Uint8Array }>, holdsKeys: boolean): void {
  if (zip) {
    // The zip itself is created exclusively, so its folder may be any existing one.
    ensureParentFolder(out);
    writeNewFile(out, zipOf(basename(out), contents), holdsKeys ? SECRET_MODE : PUBLIC_MODE);
    return;
  }
  createFreshFolder(out);
  try {
    for (const { f, data } of contents) writeInto(out, f.path, data, f.secret ? SECRET_MODE : PUBLIC_MODE);
  } catch (err) {
    // The folder is new and only ours: take back what was started rather than leave half an export.
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
}

function zipOf(zipName: string, contents: ReadonlyArray<{ f: FileSpec; data: string | Uint8Array }>): Uint8Array {
  const folder = zipName.replace(/\.zip$/i, '') || 'export';
  const entries: Zippable = {};
  for (const { f, data } of contents) {
    const mode = f.secret ? SECRET_MODE : PUBLIC_MODE;
    entries[`${folder}/${f.path}`] = [typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { os: 3, attrs: ((0o100000 | mode) << 16) >>> 0 }];
  }
  return zipSync(entries, { level: 6 });
}

/** IoT Hub's thumbprint format (uppercase hex, no colons) is how the vault keeps fingerprints already. */
function bulkSummaryCsv(certs: readonly CertificateSummary[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = certs.map((c) => [c.commonName, c.serialHex, c.fingerprintSha1, c.fingerprintSha256, c.notAfter].map(cell).join(','));
  return ['device_id,serial,sha1_thumbprint,sha256_thumbprint,not_after', ...lines].join('\n') + '\n';
}

function describe(f: FileSpec): PlannedFileT {
  return { path: f.path, role: f.role, certificate: f.certificate, encrypted: f.encrypted, secret: f.secret, purpose: f.purpose };
}

function readmeOf(target: ExportTargetT, built: BuiltExport, ctx: TargetContext): string {
  const rows = built.files.map((f) => `| ${f.path} | ${f.purpose.replace(/\|/g, '\\|')} |`);
  const keyWords = built.keys.length
    ? [
        '## Private keys',
        '',
        `This folder holds the private key${built.keys.length > 1 ? 's' : ''} of ${built.keys.map((k) => k.cn).join(', ')}${ctx.req.passphrase ? ', encrypted with the passphrase you were given separately' : ''}.`,
        'Anyone with these files can connect as these devices. Move them only over a channel you trust, and delete this copy when the device has them.',
      ]
    : ['No private key is in this folder.'];
  return [
    `# ${built.title}: ${ctx.certs.map((c) => c.cn).join(', ')}`,
    '',
    `Exported by Fieldbench (target \`${target}\`). manifest.json lists the same files for programs.`,
    '',
    '| File | What it is for |',
    '| --- | --- |',
    ...rows,
    '',
    ...built.readme.flatMap((l) => [l, '']),
    ...(built.notes.length ? ['## Notes', '', ...built.notes.map((n) => `- ${n}`), ''] : []),
    ...keyWords,
    '',
  ].join('\n');
}
