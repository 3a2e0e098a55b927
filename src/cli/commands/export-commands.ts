import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { FieldbenchError } from '@shared/errors';
import { EXPORT_TARGETS, ExportChain, ExportTarget, type ExportPlanT, type ExportTargetT } from '@shared/contract/exports-contract';
import { CliApp } from '../cli-app';
import { EXIT, parseCommandLine, UsageError, type CliCommand, type CliIO, type CliVerb } from '../cli-command';
import { PASSWORD_ENV } from '../vault-access';

const width = Math.max(...Object.keys(EXPORT_TARGETS).map((t) => t.length));
const OPTIONS_HELP = `Options:
  --cert NAME|ID        a certificate to export (repeat for more); names or ids as in \`pki list\`
  --out DIR             a folder that does not exist yet (with --zip: the .zip file to create)
  --zip                 one zip file instead of a folder
  --each                one bundle per certificate (a folder named after its CN) and summary.csv: bulk hand-over
  --from FILE           the certificates as a device list (one id per line, or a CSV whose first column is
                        device_id), e.g. the file \`pki create client --from\` issued; implies --each
  --include-key         the private keys come along; you confirm which (or pass --yes)
  --passphrase-stdin    read the key / PKCS#12 passphrase from stdin (after the vault password with --password-stdin)
  --chain leaf|bundle|full   certificate files hold the leaf, + intermediates (default), or + the root
  --broker HOST:PORT    where the broker is, for node-red, mqttx, mosquitto, litmus and kubernetes
  --ca NAME|ID          the CA that verifies the broker (default: the root of a server certificate picked)
  --servername NAME     TLS name to check when the broker is reached by an IP its certificate does not list
  --files-at DIR        where the files will be on the machine that uses them (file-path variants)
  --plan                show the files and what each is for, write nothing
  --yes                 confirm the keys without asking`;

const COMMON_HELP = `Common: --vault PATH, --data-dir DIR, --password-stdin, --json. The vault password comes from a prompt,
${PASSWORD_ENV} or --password-stdin; never from the command line. Every export with a key is logged in the vault.`;

/** Each target is a verb: `fieldbench export mqttx --help` says what that target writes, and the options. */
const VERBS: readonly CliVerb[] = (Object.keys(EXPORT_TARGETS) as ExportTargetT[]).map((t) => ({
  name: t,
  usage: `  ${t} --cert NAME [--cert NAME…] --out DIR [options]\n    ${EXPORT_TARGETS[t]}`,
  options: ['cert', 'out', 'zip', 'each', 'from', 'include-key', 'passphrase-stdin', 'chain', 'broker', 'ca', 'servername', 'files-at', 'plan', 'yes'],
  notes: OPTIONS_HELP,
}));

const USAGE = `fieldbench export TARGET --cert NAME [--cert NAME…] --out DIR [options]
Targets:
${(Object.keys(EXPORT_TARGETS) as ExportTargetT[]).map((t) => `  ${t.padEnd(width)}  ${EXPORT_TARGETS[t]}`).join('\n')}
${OPTIONS_HELP}
${COMMON_HELP}`;

const OPTIONS = {
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  cert: { type: 'string', multiple: true },
  out: { type: 'string' },
  zip: { type: 'boolean' },
  each: { type: 'boolean' },
  from: { type: 'string' },
  'include-key': { type: 'boolean' },
  'passphrase-stdin': { type: 'boolean' },
  chain: { type: 'string' },
  broker: { type: 'string' },
  ca: { type: 'string' },
  servername: { type: 'string' },
  'files-at': { type: 'string' },
  plan: { type: 'boolean' },
  yes: { type: 'boolean' },
} as const;

function parse(args: string[]) {
  return parseCommandLine(args, OPTIONS);
}

async function readStdinLines(io: CliIO): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
}

function parseBroker(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65_535) throw new UsageError(`--broker takes HOST:PORT, e.g. 192.168.2.196:8883 (got "${text}").`);
  return { host: m[1]!, port };
}

/** Asks on the terminal; anything but "yes" keeps the keys in the vault. */
function confirmOnTty(io: CliIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim().toLowerCase() === 'yes');
    });
  });
}

function describePlan(plan: ExportPlanT): string {
  const w = Math.max(...plan.files.map((f) => f.path.length));
  return [
    `${plan.title}:`,
    ...plan.files.map((f) => `  ${f.path.padEnd(w)}  ${f.purpose}${f.secret ? ' [0600]' : ''}`),
    ...plan.notes.map((n) => `Note: ${n}`),
  ].join('\n');
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Hand certificates (and, when confirmed, keys) to Node-RED, Litmus, MQTTX, mosquitto, Kubernetes, Key Vault, IoT Edge.',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parse(args);
    const [targetArg, ...extra] = positionals;
    if (!targetArg) throw new UsageError('Name the target, e.g. `fieldbench export pem --cert client42a --out ./client42a`.');
    if (extra.length) throw new UsageError(`Unexpected "${extra.join(' ')}": certificates go after --cert.`);
    const target = ExportTarget.safeParse(targetArg);
    if (!target.success) throw new UsageError(`There is no export target "${targetArg}". The targets are: ${Object.keys(EXPORT_TARGETS).join(', ')}.`);
    const fromList = values.from === undefined ? undefined : deviceIdsOf(readFileSync(values.from, 'utf8'));
    const each = values.each === true || fromList !== undefined;
    if (!values.cert?.length && !fromList?.length) throw new UsageError('Pick at least one certificate with --cert NAME (or --from FILE).');
    if (!values.out && !values.plan) throw new UsageError('Give --out DIR, a folder that does not exist yet (or --plan to see the files first).');
    const chain = values.chain === undefined ? 'bundle' : ExportChain.safeParse(values.chain).data;
    if (!chain) throw new UsageError('--chain is leaf, bundle or full.');
    const broker = values.broker === undefined ? undefined : parseBroker(values.broker);

    let presetPassword: string | undefined;
    let passphrase: string | undefined;
    if (values['passphrase-stdin']) {
      const lines = await readStdinLines(io);
      if (values['password-stdin']) presetPassword = lines.shift() ?? '';
      passphrase = lines[0] ?? '';
      if (!passphrase) throw new UsageError('--passphrase-stdin found no passphrase on stdin (with --password-stdin: the vault password on the first line, the passphrase on the second).');
    }
    const cli = new CliApp(values, io, presetPassword);
    try {
      await cli.unlock();
      const certificateIds: string[] = [];
      for (const ref of values.cert ?? []) certificateIds.push(await cli.certificateId(ref));
      if (fromList) certificateIds.push(...(await idsByName(cli, fromList)));
      if (each) return await writeEach(cli, io, values, { target: target.data, certificateIds, chain, passphrase, broker });
      const req = {
        target: target.data,
        certificateIds,
        chain,
        includeKey: values['include-key'] === true,
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(values.ca ? { caId: await cli.certificateId(values.ca, { ca: true }) } : {}),
        ...(broker ? { broker } : {}),
        ...(values.servername ? { servername: values.servername } : {}),
        ...(values['files-at'] ? { filesAt: values['files-at'] } : {}),
      };
      const plan = await cli.call('exports.plan', req);
      if (values.plan) {
        cli.print(describePlan(plan), plan);
        return EXIT.ok;
      }
      if (plan.keys.length > 0 && !values.yes) {
        const names = plan.keys.map((k) => k.commonName).join(', ');
        const tty = (io.stdin as { isTTY?: boolean }).isTTY === true && !values['passphrase-stdin'] && !values['password-stdin'];
        if (!tty) {
          throw new FieldbenchError('exports.confirmationRequired', `This export carries the private key${plan.keys.length > 1 ? 's' : ''} of ${names}. Nothing was written: run it in a terminal to confirm, or add --yes if you mean it.`);
        }
        io.stderr.write(`${describePlan(plan)}\n`);
        if (!(await confirmOnTty(io, `The private key${plan.keys.length > 1 ? 's' : ''} of ${names} will leave the vault${passphrase ? ' (encrypted with your passphrase)' : ' unencrypted'}. Type yes to write them: `))) {
          io.stderr.write('Nothing was written; the keys stay in the vault.\n');
          return EXIT.failed;
        }
      }
      const result = await cli.call('exports.write', { ...req, out: values.out!, zip: values.zip === true, confirmedKeys: plan.keys.map((k) => k.certificateId) });
      const keys = result.keys.length ? `\nPrivate keys in it: ${result.keys.map((k) => k.commonName).join(', ')} (recorded in the vault's export log).` : '';
      cli.print(`Wrote ${result.path}:\n${result.files.map((f) => `  ${f.path}`).join('\n')}${keys}${result.notes.map((n) => `\nNote: ${n}`).join('')}`, result);
      return EXIT.ok;
    } finally {
      await cli.close();
    }
  },
};

/** A device list's names to certificate ids with one read of the vault (a thousand lookups would read it a thousand times). */
async function idsByName(cli: CliApp, names: string[]): Promise<string[]> {
  const { tree } = await cli.call('pki.list', {});
  const byName = new Map<string, string[]>();
  const walk = (nodes: typeof tree) => {
    for (const n of nodes) {
      if (!n.certificate.isCa) byName.set(n.certificate.commonName, [...(byName.get(n.certificate.commonName) ?? []), n.certificate.id]);
      walk(n.children);
    }
  };
  walk(tree);
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) throw new FieldbenchError('pki.not-found', `${missing.length} device id(s) of the list have no certificate in the vault: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''}. Issue them first with \`fieldbench pki create client --from FILE\`.`);
  const twice = names.filter((n) => (byName.get(n)?.length ?? 0) > 1);
  if (twice.length) throw new FieldbenchError('ref.ambiguous', `${twice.length} device id(s) name more than one certificate (renewed ones keep their name): ${twice.slice(0, 10).join(', ')}. Export those by id with --cert.`);
  return names.map((n) => (byName.get(n) as string[])[0] as string);
}

/** Device ids from a plain list or a CSV whose first column is device_id (the header line is skipped). */
function deviceIdsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.split(',')[0]?.trim().replace(/^"|"$/g, '') ?? '')
    .filter((l, i) => l !== '' && !l.startsWith('#') && !(i === 0 && /^device_?id$/i.test(l)));
}

async function writeEach(
  cli: CliApp,
  io: CliIO,
  values: { out?: string | undefined; zip?: boolean | undefined; yes?: boolean | undefined; 'include-key'?: boolean | undefined; plan?: boolean | undefined; ca?: string | undefined; servername?: string | undefined; 'password-stdin'?: boolean | undefined; 'passphrase-stdin'?: boolean | undefined },
  r: { target: ExportTargetT; certificateIds: string[]; chain: 'leaf' | 'bundle' | 'full'; passphrase: string | undefined; broker: { host: string; port: number } | undefined },
): Promise<number> {
  const req = {
    target: r.target,
    chain: r.chain,
    includeKey: values['include-key'] === true,
    ...(r.passphrase === undefined ? {} : { passphrase: r.passphrase }),
    ...(values.ca ? { caId: await cli.certificateId(values.ca, { ca: true }) } : {}),
    ...(r.broker ? { broker: r.broker } : {}),
    ...(values.servername ? { servername: values.servername } : {}),
  };
  // Every bundle has the same shape: the first certificate's plan shows it.
  const sample = await cli.call('exports.plan', { ...req, certificateIds: [r.certificateIds[0] as string] });
  if (values.plan) {
    cli.print(`${r.certificateIds.length} bundles like this one, plus summary.csv:\n${describePlan(sample)}`, sample);
    return EXIT.ok;
  }
  const withKeys = sample.keys.length > 0;
  if (withKeys && !values.yes) {
    const tty = (io.stdin as { isTTY?: boolean }).isTTY === true && !values['passphrase-stdin'] && !values['password-stdin'];
    if (!tty) throw new FieldbenchError('exports.confirmationRequired', `These ${r.certificateIds.length} bundles carry their certificates' private keys. Nothing was written: run it in a terminal to confirm, or add --yes if you mean it.`);
    if (!(await confirmOnTty(io, `The private keys of ${r.certificateIds.length} certificates will leave the vault${r.passphrase ? ' (encrypted with your passphrase)' : ' unencrypted'}. Type yes to write them: `))) {
      io.stderr.write('Nothing was written; the keys stay in the vault.\n');
      return EXIT.failed;
    }
  }
  const result = await cli.call('exports.writeEach', { ...req, certificateIds: r.certificateIds, out: values.out!, zip: values.zip === true, confirmedKeys: withKeys ? r.certificateIds : [] }, true);
  cli.print(`Wrote ${result.path}: ${result.bundles.length} bundles (${result.bundles[0]?.files ?? 0} files each) and ${result.summary}${result.keys ? `, with ${result.keys} private keys (recorded in the vault's export log)` : ''}.`, result);
  return EXIT.ok;
}

export const exportCommands: CliCommand[] = [exportCommand];
