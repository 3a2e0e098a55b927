import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { FieldbenchError } from '@shared/errors';
import { KeyAlgorithm, type ImportFileResult, PKI_MAX_IMPORT_BASE64_TOTAL, PKI_MAX_IMPORT_BYTES, PKI_MAX_IMPORT_FILES, RevocationReason, type CertificateInspection, type PkiTreeNodeShape } from '@shared/contract/pki-contract';
import { validityNotes, ZERO_VALIDITY_MESSAGE } from '@shared/pki-rules';
import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliIO, type CliVerb } from '../cli-command';
import { PASSWORD_ENV } from '../vault-access';

/** Passphrase of encrypted key files and PKCS#12 archives being imported or inspected; never from argv. */
export const IMPORT_PASSPHRASE_ENV = 'FIELDBENCH_IMPORT_PASSPHRASE';

const ISSUE_OPTIONS = ['key', 'days', 'hours', 'not-before', 'not-after', 'org', 'ou', 'country', 'clamp', 'allow-mixed-keys'] as const;
const ISSUE_NOTES = `Options for create/renew: --key ec-p256|ec-p384|rsa-2048|rsa-3072|rsa-4096|ed25519, --days N | --hours N,
  --not-before DATE, --not-after DATE (ISO dates such as 2024-01-01 or 2024-01-01T08:00Z, for test
  certificates that are back-dated, expired or not yet valid; inspect says so loudly),
  --org O, --ou U, --country CC, --clamp (end at the CA's expiry instead of refusing),
  --allow-mixed-keys (a key family other than the CA chain's; the AIO broker refuses such a chain).
  Without --key, a certificate from a CA gets the CA's own key family.`;
const REF_NOTE = 'REF is a certificate id (or a unique start of one) or a common name; CA-REF the same, among CAs.';

/** Each verb with its synopsis; the area's help lists them all, `pki <verb> --help` one. */
export const PKI_VERBS: readonly CliVerb[] = [
  { name: 'list', usage: '  list                                  the certificates as a tree (root → intermediate → leaves)', options: [] },
  { name: 'show', usage: '  show REF [--pem [--chain]]            one certificate; --pem prints it as PEM, --chain adds the chain up to the root', options: ['pem', 'chain'], notes: REF_NOTE },
  { name: 'inspect', usage: '  inspect FILE|REF                      every field openssl x509 -text shows (a FILE needs no vault)', options: [], notes: `${REF_NOTE}\nPassphrases of encrypted files come from ${IMPORT_PASSPHRASE_ENV}.` },
  { name: 'verify', usage: '  verify REF|FILE [--host H]...         validate the chain against the vault\'s roots; --host checks an IP or name', options: ['host'], notes: REF_NOTE },
  {
    name: 'create',
    usage: `  create root NAME                      a root CA (path length 1)
  create intermediate NAME --issuer CA-REF  an intermediate CA (path length 0)
  create server NAME --issuer CA-REF --san 192.168.2.196 --san mqtts-endpoint
  create client ID... --issuer CA-REF   client certificates (CN = client id); or --prefix client42 --count 2
  create client --from FILE --issuer CA-REF [--summary OUT.csv]
                                        one per device of a list (one id per line, or CSV with device_id and
                                        optional sans, validity, key, iothub_device_id); every problem is
                                        listed by line and nothing is issued until there are none; the
                                        summary CSV (device id, serial, SHA-1/SHA-256 thumbprints, not-after)
                                        goes to OUT.csv or stdout`,
    options: ['issuer', 'san', 'prefix', 'count', 'from', 'summary', ...ISSUE_OPTIONS],
    notes: `${ISSUE_NOTES}\n${REF_NOTE}`,
  },
  { name: 'import', usage: '  import FILE...                        PEM/DER certificates and bundles, keys, PKCS#12; files with nothing to\n                                        import (a CSR) are skipped and listed; exit 1 only when a file failed\n                                        or nothing usable came in', options: [], notes: `Passphrases of encrypted files come from ${IMPORT_PASSPHRASE_ENV}.` },
  {
    name: 'renew',
    usage: '  renew REF [--san S]... [--keep-key]   same subject and key type; new SANs with --san (else the old ones);\n                                        a new key unless --keep-key',
    options: ['san', 'keep-key', ...ISSUE_OPTIONS.filter((o) => o !== 'org' && o !== 'ou' && o !== 'country')],
    notes: `${ISSUE_NOTES}\n${REF_NOTE}`,
  },
  { name: 'expiry', usage: '  expiry                                everything, soonest expiry first', options: [] },
  { name: 'revoke', usage: '  revoke REF [--reason R]               mark revoked (it goes into the CA\'s next CRL)', options: ['reason'], notes: `R is one of ${RevocationReason.options.join(', ')}.\n${REF_NOTE}` },
  { name: 'crl', usage: '  crl CA-REF [--out FILE]               a CRL signed by the CA, as PEM', options: ['out'], notes: REF_NOTE },
  { name: 'remove', usage: '  remove REF                            delete a certificate (and its key when unused)', options: [], notes: REF_NOTE },
];

const COMMON_HELP = `Common: --vault PATH, --data-dir DIR, --password-stdin, --json.
The vault password comes from a prompt, ${PASSWORD_ENV} or --password-stdin; never from the command line.`;

const USAGE = areaUsage('fieldbench pki <subcommand> [options]', PKI_VERBS, `${ISSUE_NOTES}
${REF_NOTE}
${COMMON_HELP}
Passphrases of imported files come from ${IMPORT_PASSPHRASE_ENV}.`);

const OPTIONS = {
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  pem: { type: 'boolean' },
  chain: { type: 'boolean' },
  issuer: { type: 'string' },
  san: { type: 'string', multiple: true },
  host: { type: 'string', multiple: true },
  key: { type: 'string' },
  days: { type: 'string' },
  hours: { type: 'string' },
  'not-before': { type: 'string' },
  'not-after': { type: 'string' },
  org: { type: 'string' },
  ou: { type: 'string' },
  country: { type: 'string' },
  clamp: { type: 'boolean' },
  'allow-mixed-keys': { type: 'boolean' },
  from: { type: 'string' },
  summary: { type: 'string' },
  prefix: { type: 'string' },
  count: { type: 'string' },
  'keep-key': { type: 'boolean' },
  reason: { type: 'string' },
  out: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse>['values'];
type Summary = PkiTreeNodeShape['certificate'];

function parse(args: string[]) {
  return parseCommandLine(args, OPTIONS);
}


export const pkiCommand: CliCommand = {
  name: 'pki',
  summary: 'Create, inspect, verify, import and show certificates in the vault.',
  usage: USAGE,
  verbs: PKI_VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parse(args);
    const cli = new CliApp(values, io);
    try {
      return await runSub(positionals, values, io, cli);
    } finally {
      await cli.close();
    }
  },
};

/** The pki area's CLI commands. */
export const pkiCommands: CliCommand[] = [pkiCommand];

async function runSub(positionals: string[], values: Values, io: CliIO, cli: CliApp): Promise<number> {
  const [sub, ...rest] = positionals;
  const out = (human: string, data: unknown): void => {
    io.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
  };
  const warn = (lines: readonly { message: string }[]): void => {
    for (const w of lines) io.stderr.write(`warning: ${w.message}\n`);
  };
  const noMore = (extra: string[]): void => {
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}". Quote names that contain spaces.`);
  };
  const one = (what: string): string => {
    const [first, ...extra] = rest;
    if (!first) throw new UsageError(`Say which ${what}.`);
    noMore(extra);
    return first;
  };

  switch (sub) {
    case 'list': {
      noMore(rest);
      await cli.unlock();
      const list = await cli.call('pki.list', {});
      out(list.total === 0 ? 'The vault holds no certificates yet. Create a root with `fieldbench pki create root NAME`.' : formatTree(list.tree), list);
      return EXIT.ok;
    }

    case 'show': {
      const ref = one('certificate to show (its id or common name)');
      await cli.unlock();
      const id = await cli.certificateId(ref);
      if (values.pem || values.chain) {
        const pem = await cli.call('pki.exportPem', { id, chain: values.chain ? 'full' : 'none' });
        if (values.json) out('', pem);
        else io.stdout.write(pem.pem);
        return EXIT.ok;
      }
      const d = await cli.call('pki.get', { id });
      out(formatSummary(d.summary, d.validation), d);
      return EXIT.ok;
    }

    case 'inspect': {
      const target = one('file or certificate to inspect');
      if (isFile(target)) {
        const r = await cli.call('pki.inspectFile', fileRequest(target, io.env));
        for (const e of r.errors) io.stderr.write(`${r.fileName}: ${e.message}\n`);
        for (const n of r.notes) io.stderr.write(`${r.fileName}: ${n}\n`);
        out(r.certificates.map((c) => [...loudNotes(c.inspection), formatInspection(c.inspection)].join('\n')).join('\n\n'), r);
        return r.certificates.length > 0 ? EXIT.ok : EXIT.failed;
      }
      await cli.unlock();
      const d = await cli.call('pki.get', { id: await cli.certificateId(target) });
      out([...loudNotes(d.inspection, d.summary.createdAt), formatInspection(d.inspection)].join('\n'), d.inspection);
      return EXIT.ok;
    }

    case 'verify': {
      const target = one('certificate or file to verify');
      await cli.unlock();
      let id: string | undefined;
      let validation;
      if (isFile(target)) {
        validation = await cli.call('pki.verify', { pem: pemOf(readFileSync(target)) });
      } else {
        id = await cli.certificateId(target);
        validation = await cli.call('pki.verify', { id });
      }
      const hosts = [];
      for (const host of values.host ?? []) {
        if (!id) throw new UsageError('--host works with a certificate in the vault; import the file first, or check it by id.');
        hosts.push(await cli.call('pki.checkHost', { id, host }));
      }
      const lines = [formatValidation(validation), ...hosts.map((h) => `${h.valid ? 'OK' : 'FAIL'}  ${h.message}`)];
      out(lines.join('\n'), { ...validation, hosts });
      return validation.valid && hosts.every((h) => h.valid) ? EXIT.ok : EXIT.failed;
    }

    case 'create': {
      const [kind, ...names] = rest;
      const common = { ...keyOf(values), ...validityOf(values), ...(values['allow-mixed-keys'] ? { allowMixedKeyFamilies: true } : {}) };
      const subject = (commonName: string) => ({ commonName, ...subjectExtras(values) });
      const describe = (what: string, c: Summary) => [`Created ${what} "${c.commonName}"`, formatShort(c), ...loudNotes(c, c.createdAt)].join('\n');
      switch (kind) {
        case 'root': {
          const [name, ...extra] = names;
          if (!name) throw new UsageError('Give the root CA a name, e.g. `fieldbench pki create root "AIO42 Root CA"`.');
          noMore(extra);
          if (values.issuer) throw new UsageError('A root CA signs itself; leave out --issuer.');
          await cli.unlock();
          const r = await cli.call('pki.createRoot', { subject: subject(name), ...keyOf(values), ...validityOf(values) }, true);
          warn(r.warnings);
          out(describe('root CA', r.certificate), r);
          return EXIT.ok;
        }
        case 'intermediate':
        case 'server': {
          const [name, ...extra] = names;
          if (!name) throw new UsageError(`Give the ${kind} certificate a name.`);
          noMore(extra);
          const issuerRef = requireIssuer(values);
          if (kind === 'intermediate' && values.san) throw new UsageError('A CA has no subject alternative names; leave out --san.');
          await cli.unlock();
          const issuerId = await cli.certificateId(issuerRef, { ca: true });
          const signed = { subject: subject(name), issuerId, ...common, ...(values.clamp ? { clampToIssuer: true } : {}) };
          const r = kind === 'server' ? await cli.call('pki.createServer', { ...signed, sans: values.san ?? [] }, true) : await cli.call('pki.createIntermediate', signed, true);
          warn(r.warnings);
          out(describe(kind === 'server' ? 'server certificate' : 'intermediate CA', r.certificate), r);
          return EXIT.ok;
        }
        case 'client': {
          if (values.from !== undefined) return await createFromList(values, names, io, cli, out, warn);
          const issuerRef = requireIssuer(values);
          const count = values.count === undefined ? undefined : wholeNumber('--count', values.count);
          if (names.length === 0 && !(values.prefix && count)) throw new UsageError('Name the clients (e.g. client42a client42b), or give --prefix and --count.');
          if (names.length > 0 && (values.prefix || count)) throw new UsageError('Either name the clients or give --prefix and --count, not both.');
          if (values.san) throw new UsageError('Client certificates carry their client id as SAN; leave out --san.');
          await cli.unlock();
          const issuerId = await cli.certificateId(issuerRef, { ca: true });
          const r = await cli.call(
            'pki.createClients',
            {
              issuerId,
              ...(names.length > 0 ? { clientIds: names } : { prefix: values.prefix!, count: count! }),
              ...(values.org ? { organization: values.org } : {}),
              ...common,
              ...(values.clamp ? { clampToIssuer: true } : {}),
            },
            true,
          );
          warn(r.warnings);
          out(r.certificates.map((c) => describe('client certificate', c)).join('\n'), r);
          return EXIT.ok;
        }
        default:
          throw new UsageError(kind ? `There is no "pki create ${kind}"; create root, intermediate, server or client.` : 'Say what to create: root, intermediate, server or client.');
      }
    }

    case 'import': {
      if (rest.length === 0) throw new UsageError('Name the files to import.');
      await cli.unlock();
      const results: z.output<typeof ImportFileResult>[] = [];
      let batch: ReturnType<typeof fileRequest>[] = [];
      let size = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        results.push(...(await cli.call('pki.import', { files: batch }, true)).results);
        batch = [];
        size = 0;
      };
      for (const path of rest) {
        const local = localFileProblem(path);
        if (local) {
          results.push({ fileName: basename(path), certificatesImported: 0, keysImported: 0, duplicates: 0, keysMatched: 0, keysUnmatched: 0, certificateIds: [], errors: [local], notes: [] });
          continue;
        }
        const req = fileRequest(path, io.env);
        if (batch.length >= PKI_MAX_IMPORT_FILES || size + req.dataBase64.length > PKI_MAX_IMPORT_BASE64_TOTAL) await flush();
        batch.push(req);
        size += req.dataBase64.length;
      }
      await flush();
      // A file with nothing to import (a CSR beside its certificate, a README) is skipped, not a failure: the
      // run failed only when a file could not be read or opened, or nothing usable came in at all.
      const skipped = results.filter((r) => r.errors.length > 0 && r.errors.every((e) => SKIPPED_IMPORT_CODES.has(e.code)));
      const failed = results.filter((r) => r.errors.length > 0 && !skipped.includes(r));
      const usable = results.reduce((n, r) => n + r.certificatesImported + r.keysImported + r.duplicates + r.keysMatched, 0);
      for (const r of results) for (const e of r.errors) io.stderr.write(skipped.includes(r) ? `Skipped ${r.fileName}: ${e.message}\n` : `${r.fileName}: ${e.message}\n`);
      const closing = [
        skipped.length > 0 ? `Skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} with nothing to import: ${skipped.map((r) => r.fileName).join(', ')}.` : '',
        failed.length > 0 ? `${failed.length} file${failed.length === 1 ? '' : 's'} could not be imported: ${failed.map((r) => r.fileName).join(', ')} (see the messages above).` : '',
        usable === 0 && failed.length === 0 ? 'Nothing usable was imported.' : '',
      ].filter(Boolean);
      out([...results.map(formatImport), ...closing].join('\n'), { results, skipped: skipped.map((r) => r.fileName), failed: failed.map((r) => r.fileName) });
      return failed.length > 0 || usable === 0 ? EXIT.failed : EXIT.ok;
    }

    case 'renew': {
      const ref = one('certificate to renew');
      await cli.unlock();
      const id = await cli.certificateId(ref);
      const r = await cli.call('pki.renew', { id, ...(values.san ? { sans: values.san } : {}), ...keyOf(values), ...validityOf(values), ...(values['keep-key'] ? { keepKey: true } : {}), ...(values.clamp ? { clampToIssuer: true } : {}), ...(values['allow-mixed-keys'] ? { allowMixedKeyFamilies: true } : {}) }, true);
      warn(r.warnings);
      out(`Renewed "${r.certificate.commonName}"${values['keep-key'] ? ' (same key)' : ' with a new key'}${values.san ? ` for ${r.certificate.sans.map((s) => s.value).join(', ')}` : ''}\n${formatShort(r.certificate)}`, r);
      return EXIT.ok;
    }

    case 'expiry': {
      noMore(rest);
      await cli.unlock();
      const e = await cli.call('pki.expiry', {});
      const rows = e.entries.map((x) => [x.notAfter.slice(0, 10), `${x.daysLeft}d`, x.status, x.role, x.commonName, x.id]);
      out(e.entries.length === 0 ? 'The vault holds no certificates yet.' : table([['expires', 'left', 'status', 'role', 'name', 'id'], ...rows]), e);
      return EXIT.ok;
    }

    case 'revoke': {
      const ref = one('certificate to revoke');
      const reason = values.reason ?? 'unspecified';
      const parsedReason = RevocationReason.safeParse(reason);
      if (!parsedReason.success) throw new UsageError(`"${reason}" is not a revocation reason. Use one of ${RevocationReason.options.join(', ')}.`);
      await cli.unlock();
      const s = await cli.call('pki.revoke', { id: await cli.certificateId(ref), reason: parsedReason.data });
      const issuer = s.issuerId ? (await cli.certificate(s.issuerId)).commonName : null;
      out(`Marked "${s.commonName}" revoked (${parsedReason.data}). ${issuer ? `Publish a new CRL of its CA: \`fieldbench pki crl "${issuer}"\`.` : 'Its CA is not in the vault, so Fieldbench cannot publish the CRL.'}`, s);
      return EXIT.ok;
    }

    case 'crl': {
      const ref = one('CA');
      await cli.unlock();
      const r = await cli.call('pki.crl', { caId: await cli.certificateId(ref, { ca: true }) });
      if (values.out) {
        writeFileSync(values.out, r.pem);
        out(`Wrote the CRL (${r.revokedCount} revoked) to ${values.out}.`, { ...r, path: values.out });
      } else if (values.json) out('', r);
      else io.stdout.write(r.pem);
      return EXIT.ok;
    }

    case 'remove': {
      const ref = one('certificate to remove');
      await cli.unlock();
      const id = await cli.certificateId(ref);
      const name = (await cli.call('pki.get', { id })).summary.commonName;
      const r = await cli.call('pki.remove', { id });
      out(`Removed "${name}"${r.orphaned > 0 ? `; ${r.orphaned} certificate(s) it issued stay, without their issuer` : ''}.`, r);
      return EXIT.ok;
    }

    default:
      throw new UsageError(sub ? `There is no "pki ${sub}".` : 'Say what to do: list, show, inspect, verify, create, import, renew, expiry, revoke, crl or remove.');
  }
}

// ---------------------------------------------------------------------------------------------------

/** Import results that mean "this file holds nothing to import" (a CSR, a public key, notes), not a failure. */
const SKIPPED_IMPORT_CODES = new Set(['pki.import.nothing-found', 'pki.import.unrecognised']);

async function createFromList(values: Values, names: string[], io: CliIO, cli: CliApp, out: (human: string, data: unknown) => void, warn: (lines: readonly { message: string }[]) => void): Promise<number> {
  const file = values.from!;
  if (names.length > 0 || values.prefix || values.count) throw new UsageError('Either name the clients, give --prefix and --count, or --from a list; not several.');
  if (values.san) throw new UsageError('Give per-device SANs in the list\'s sans column; leave out --san.');
  if (values['not-before'] || values['not-after']) throw new UsageError('A device list is issued for production, so it takes no --not-before/--not-after; make test certificates with `pki create client ID`.');
  const issuerRef = requireIssuer(values);
  const problem = localFileProblem(file);
  if (problem) throw new UsageError(problem.message);
  const list = readFileSync(file, 'utf8');
  await cli.unlock();
  const request = {
    issuerId: await cli.certificateId(issuerRef, { ca: true }),
    list,
    ...(values.org ? { organization: values.org } : {}),
    ...keyOf(values),
    ...validityOf(values),
    ...(values.clamp ? { clampToIssuer: true } : {}),
    ...(values['allow-mixed-keys'] ? { allowMixedKeyFamilies: true } : {}),
  };
  const plan = await cli.call('pki.planClientList', request);
  if (!plan.canIssue) {
    for (const p of plan.problems) io.stderr.write(p.line > 0 ? `${basename(file)}:${p.line}: ${p.message}\n` : `${basename(file)}: ${p.message}\n`);
    io.stderr.write(`Nothing was issued: ${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'} in ${basename(file)}. Fix the lines above and run the command again.\n`);
    if (values.json) out('', plan);
    return EXIT.failed;
  }
  const r = await cli.call('pki.createClientList', request, true);
  warn(r.warnings);
  if (values.summary) {
    writeFileSync(values.summary, r.summaryCsv);
    out(`Issued ${r.issued.length} client certificates; the summary (device id, serial, thumbprints, not-after) is in ${values.summary}.`, { ...r, summaryPath: values.summary });
  } else if (values.json) out('', r);
  else io.stdout.write(r.summaryCsv);
  return EXIT.ok;
}

function requireIssuer(values: Values): string {
  if (!values.issuer) throw new UsageError('Say which CA signs it with --issuer (its id or common name; see `fieldbench pki list`).');
  return values.issuer;
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a whole number above 0, e.g. ${flag} 3000.`);
  return Number(text);
}

function keyOf(values: Values): { keyAlgorithm?: z.output<typeof KeyAlgorithm> } {
  if (values.key === undefined) return {};
  const k = KeyAlgorithm.safeParse(values.key.toLowerCase());
  if (!k.success) throw new UsageError(`"${values.key}" is not a key type. Use one of ${KeyAlgorithm.options.join(', ')}.`);
  return { keyAlgorithm: k.data };
}

function validityOf(values: Values): { validity?: { days: number } | { hours: number }; notBefore?: string; notAfter?: string } {
  if (values.days !== undefined && values.hours !== undefined) throw new UsageError('Give the validity in --days or in --hours, not both.');
  const amount = (flag: '--days' | '--hours', text: string): number => {
    if (/^0+$/.test(text)) throw new UsageError(ZERO_VALIDITY_MESSAGE);
    return wholeNumber(flag, text);
  };
  if ((values.days !== undefined || values.hours !== undefined) && values['not-after'] !== undefined) throw new UsageError('Give the end either as --days/--hours or as --not-after, not both.');
  // The dates go to the engine as typed: pki-rules parses them, so the wizard and the CLI refuse the same text.
  const dates = { ...(values['not-before'] !== undefined ? { notBefore: values['not-before'] } : {}), ...(values['not-after'] !== undefined ? { notAfter: values['not-after'] } : {}) };
  if (values.days !== undefined) return { validity: { days: amount('--days', values.days) }, ...dates };
  if (values.hours !== undefined) return { validity: { hours: amount('--hours', values.hours.replace(/h$/i, '')) }, ...dates };
  return dates;
}

function subjectExtras(values: Values) {
  return { ...(values.org ? { organization: values.org } : {}), ...(values.ou ? { organizationalUnit: values.ou } : {}), ...(values.country ? { country: values.country } : {}) };
}

/** The dates' warnings (expired, not yet valid, back-dated), loud enough not to be read past. */
function loudNotes(c: { notBefore: string; notAfter: string }, createdAt?: string): string[] {
  return validityNotes({ notBefore: new Date(c.notBefore), notAfter: new Date(c.notAfter), ...(createdAt ? { issuedAt: new Date(createdAt) } : {}) }, new Date()).map((n) => `!! ${n}`);
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The chain as PEM text; a binary (DER) certificate file is wrapped so one parser reads both. */
function pemOf(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) return text;
  const b64 = bytes.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function localFileProblem(path: string): { code: string; message: string } | null {
  if (!existsSync(path)) return { code: 'cli.fileNotFound', message: `There is no file ${path}. Check the path.` };
  const st = statSync(path);
  if (!st.isFile()) return { code: 'cli.notAFile', message: `${path} is not a file.` };
  if (st.size > PKI_MAX_IMPORT_BYTES) return { code: 'pki.import.too-large', message: `The file is ${(st.size / 1048576).toFixed(1)} MB; certificate and key files are far smaller (limit ${PKI_MAX_IMPORT_BYTES / 1048576} MB). Check that you chose the right file.` };
  return null;
}

function fileRequest(path: string, env: NodeJS.ProcessEnv) {
  const problem = localFileProblem(path);
  if (problem) throw new FieldbenchError(problem.code, problem.message);
  const passphrase = env[IMPORT_PASSPHRASE_ENV];
  return { name: basename(path), dataBase64: readFileSync(path).toString('base64'), ...(passphrase ? { passphrase } : {}) };
}


// ---------------------------------------------------------------------------------------------------
// Formatting for people. Machines use --json.

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function formatTree(tree: PkiTreeNodeShape[]): string {
  const rows: string[][] = [['name', 'role', 'status', 'key', 'expires', 'id']];
  const walk = (nodes: PkiTreeNodeShape[], prefix: string, top: boolean): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      const c = n.certificate;
      const branch = top ? '' : last ? '└─ ' : '├─ ';
      rows.push([`${prefix}${branch}${c.commonName}`, c.role, n.chainProblem && (c.status === 'valid' || c.status === 'expiring') ? 'chain broken' : c.status, c.keyAlgorithm + (c.hasPrivateKey ? '' : ' (no key)'), c.notAfter.slice(0, 10), c.id]);
      walk(n.children, top ? '' : prefix + (last ? '   ' : '│  '), false);
    });
  };
  walk(tree, '', true);
  const broken: string[] = [];
  const why = (nodes: PkiTreeNodeShape[]): void => {
    for (const n of nodes) {
      if (n.chainProblem) broken.push(`${n.certificate.commonName} (${n.certificate.id}): ${n.chainProblem}`);
      why(n.children);
    }
  };
  why(tree);
  return [table(rows), ...(broken.length > 0 ? ['', 'Chains that do not validate:', ...broken.map((b) => `  ${b}`)] : [])].join('\n');
}

function formatShort(c: Summary): string {
  const lines = [
    `  id:       ${c.id}`,
    `  subject:  ${c.subject}`,
    `  issuer:   ${c.issuer}`,
    `  key:      ${c.keyAlgorithm}`,
    `  valid:    ${c.notBefore} → ${c.notAfter} (${c.daysLeft} days left, ${c.status})`,
  ];
  if (c.sans.length > 0) lines.push(`  SANs:     ${c.sans.map(sanText).join(', ')}`);
  return lines.join('\n');
}

function formatSummary(c: Summary, v: { valid: boolean; chain: { subject: string }[]; issues: { severity: string; message: string }[] }): string {
  return [
    `${c.commonName} (${c.role}${c.isCa ? `, CA, path length ${c.pathLength ?? 'unlimited'}` : ''})`,
    formatShort(c),
    `  serial:   ${c.serialHex}`,
    `  SHA-1:    ${c.fingerprintSha1}`,
    `  SHA-256:  ${c.fingerprintSha256}`,
    `  private key in vault: ${c.hasPrivateKey ? 'yes' : 'no'}; ${c.source}${c.revoked ? `; REVOKED ${c.revoked.date.slice(0, 10)} (${c.revoked.reason})` : ''}`,
    formatValidation(v),
  ].join('\n');
}

function formatValidation(v: { valid: boolean; chain: { subject: string }[]; issues: { severity: string; message: string }[] }): string {
  const chain = v.chain.map((l) => l.subject).join(' → ');
  const head = v.valid ? `OK    chain: ${chain}` : `FAIL  chain: ${chain}`;
  return [head, ...v.issues.map((i) => `  ${i.severity}: ${i.message}`)].join('\n');
}

function formatImport(r: { fileName: string; certificatesImported: number; keysImported: number; duplicates: number; keysMatched: number; keysUnmatched: number; errors: unknown[]; notes: string[] }): string {
  const parts: string[] = [];
  if (r.certificatesImported) parts.push(`${r.certificatesImported} certificate(s) imported`);
  if (r.keysImported) parts.push(`${r.keysImported} key(s) imported`);
  if (r.keysMatched) parts.push(`${r.keysMatched} key(s) matched a certificate`);
  if (r.keysUnmatched) parts.push(`${r.keysUnmatched} key(s) waiting for their certificate`);
  if (r.duplicates) parts.push(`${r.duplicates} already in the vault`);
  if (r.errors.length) parts.push(`${r.errors.length} problem(s)`);
  return [`${r.fileName}: ${parts.join(', ') || 'nothing imported'}`, ...r.notes.map((n) => `  ${n}`)].join('\n');
}

function sanText(s: { type: string; value: string }): string {
  const label = { dns: 'DNS', ip: 'IP Address', email: 'email', uri: 'URI', other: 'othername' }[s.type] ?? s.type;
  return `${label}:${s.value}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** OpenSSL's date style: "Mar  5 10:00:00 2025 GMT". */
export function opensslDate(iso: string): string {
  const d = new Date(iso);
  const t = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${t} ${d.getUTCFullYear()} GMT`;
}

/** openssl's hex dump: lowercase byte pairs joined by ':', `perLine` bytes a line, every line but the last ending in ':'. */
function hexDump(hex: string, indent: number, perLine: number): string[] {
  const bytes = hex.match(/../g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += perLine) lines.push(`${' '.repeat(indent)}${bytes.slice(i, i + perLine).join(':')}${i + perLine < bytes.length ? ':' : ''}`);
  return lines;
}

/** The inspection laid out like `openssl x509 -text -noout` (every line it prints), then both fingerprints. */
export function formatInspection(i: z.output<typeof CertificateInspection>): string {
  const pk = i.publicKey;
  const data = i.publicNumbers;
  const keyLines =
    pk.family === 'rsa'
      ? [
          '            Public Key Algorithm: rsaEncryption',
          `                Public-Key: (${pk.bits ?? '?'} bit)`,
          '                Modulus:',
          ...hexDump(data.modulusHex ?? '', 20, 15),
          `                Exponent: ${data.exponent ?? '?'} (0x${(data.exponent ?? 0).toString(16)})`,
        ]
      : pk.family === 'ec'
        ? [
            '            Public Key Algorithm: id-ecPublicKey',
            `                Public-Key: (${pk.bits ?? '?'} bit)`,
            '                pub:',
            ...hexDump(data.pointHex ?? '', 20, 15),
            ...(data.curveOid ? [`                ASN1 OID: ${data.curveOid}`] : []),
            `                NIST CURVE: ${pk.curve ?? '?'}`,
          ]
        : pk.family === 'ed25519'
          ? ['            Public Key Algorithm: ED25519', '                ED25519 Public-Key:', '                pub:', ...hexDump(data.pointHex ?? '', 20, 15)]
          : [`            Public Key Algorithm: ${pk.algorithm}`];
  const ext: string[] = [];
  if (i.basicConstraints) {
    ext.push(`            X509v3 Basic Constraints:${i.basicConstraints.critical ? ' critical' : ''}`);
    ext.push(`                CA:${i.basicConstraints.ca ? 'TRUE' : 'FALSE'}${i.basicConstraints.ca && i.basicConstraints.pathLength !== null ? `, pathlen:${i.basicConstraints.pathLength}` : ''}`);
  }
  if (i.keyUsage.length > 0) ext.push(`            X509v3 Key Usage:${i.keyUsageCritical ? ' critical' : ''}`, `                ${i.keyUsage.join(', ')}`);
  if (i.extendedKeyUsage.length > 0) ext.push('            X509v3 Extended Key Usage: ', `                ${i.extendedKeyUsage.join(', ')}`);
  if (i.subjectAltNames.length > 0) ext.push('            X509v3 Subject Alternative Name: ', `                ${i.subjectAltNames.map(sanText).join(', ')}`);
  if (i.subjectKeyIdentifier) ext.push('            X509v3 Subject Key Identifier: ', `                ${i.subjectKeyIdentifier}`);
  if (i.authorityKeyIdentifier) ext.push('            X509v3 Authority Key Identifier: ', `                ${i.authorityKeyIdentifier}`);
  return [
    'Certificate:',
    '    Data:',
    `        Version: ${i.version} (0x${(i.version - 1).toString(16)})`,
    '        Serial Number:',
    `            ${(i.serialHex.length % 2 ? `0${i.serialHex}` : i.serialHex).toLowerCase().match(/../g)!.join(':')}`,
    `        Signature Algorithm: ${i.signatureAlgorithm}`,
    `        Issuer: ${i.issuer}`,
    '        Validity',
    `            Not Before: ${opensslDate(i.notBefore)}`,
    `            Not After : ${opensslDate(i.notAfter)}`,
    `        Subject: ${i.subject}`,
    '        Subject Public Key Info:',
    ...keyLines,
    ...(ext.length > 0 ? ['        X509v3 extensions:', ...ext] : []),
    `    Signature Algorithm: ${i.signatureAlgorithm}`,
    '    Signature Value:',
    ...hexDump(i.signatureHex, 8, 18),
    `SHA1 Fingerprint=${i.fingerprints.sha1Colon}`,
    `SHA256 Fingerprint=${i.fingerprints.sha256Colon}`,
    `IoT Hub thumbprints: SHA-1 ${i.fingerprints.sha1}, SHA-256 ${i.fingerprints.sha256}`,
  ].join('\n');
}
