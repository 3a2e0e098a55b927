import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { CallResponse } from '@shared/contract';
import type { MqttProfileInputT } from '@shared/contract/mqtt-contract';
import { FieldbenchError } from '@shared/errors';
import { CliApp } from '../cli-app';
import { EXIT, parseCommandLine, UsageError, type CliIO } from '../cli-command';
import { canAsk, confirm } from '../confirm';
import { PASSWORD_ENV } from '../vault-access';

export const MQTT_CONNECTIONS_USAGE = `fieldbench mqtt connections list|show|import|export [options]
  list                          the saved connections (name, address, id)
  show NAME|ID                  one connection in full (never its password or token)
  import FILE [--format mqttx|fieldbench] [--keep-file-paths]
                                MQTTX's "Export data" JSON or Fieldbench's own file; the CA, certificate and
                                key files an MQTTX connection names are imported into the vault and the
                                connection then uses them from there (--keep-file-paths leaves the paths)
  export [NAME|ID…] [--format mqttx|fieldbench] [--out FILE] [--files-dir DIR] [--include-key] [--yes]
                                all connections, or those named; to stdout unless --out (a new file);
                                MQTTX needs files: --files-dir writes the vault's certificates there
                                (and, with --include-key, confirmed on a terminal or with --yes, the keys)
Vault: [--vault PATH] [--data-dir DIR] [--password-stdin]; the password from ${PASSWORD_ENV}, stdin or a prompt.
--json prints JSON for list, show and import. Exit codes: 0 ok, 1 failed, 2 usage, 4 wrong password.`;

export const MQTT_CONNECTIONS_OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'files-dir': { type: 'string' },
  'include-key': { type: 'boolean' },
  'keep-file-paths': { type: 'boolean' },
  yes: { type: 'boolean' },
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Profile = CallResponse<'mqtt.profiles'>[number];

function format(raw: string | undefined, fallback: 'mqttx' | 'fieldbench'): 'mqttx' | 'fieldbench' {
  if (raw === undefined) return fallback;
  if (raw !== 'mqttx' && raw !== 'fieldbench') throw new UsageError('--format is mqttx or fieldbench.');
  return raw;
}

function describeTls(p: Profile): string {
  if (!p.tls) return 'no TLS';
  const ca = p.tls.ca.source === 'system' ? 'system CAs' : p.tls.ca.source === 'vault' ? `vault CA ${p.tls.ca.certificateId}` : `CA file ${p.tls.ca.path}`;
  const cert = !p.tls.clientCertificate ? '' : p.tls.clientCertificate.source === 'vault' ? `, client certificate ${p.tls.clientCertificate.certificateId}` : `, client certificate file ${p.tls.clientCertificate.certPath}`;
  return `TLS (${ca}${cert}${p.insecure ? ', server NOT verified' : ''})`;
}

function showText(p: Profile): string {
  const lines = [
    `name:        ${p.name}`,
    `id:          ${p.id}`,
    `address:     ${p.url}`,
    `MQTT:        ${p.mqttVersion}, client id ${p.clientId || '(random at each connect)'}, keepalive ${p.keepaliveSeconds} s, clean start ${p.cleanStart ? 'yes' : 'no'}`,
    `security:    ${describeTls(p)}${p.username ? `, user ${p.username}` : ''}${p.hasPassword ? ', password saved' : ''}${p.auth.method === 'K8S-SAT' ? ', K8S-SAT' : ''}`,
    `subscribe:   ${p.subscriptions.length ? p.subscriptions.map((s) => `${s.filter} (QoS ${s.qos})`).join(', ') : '—'}`,
    `updated:     ${p.updatedAt}`,
  ];
  return lines.join('\n');
}

/**
 * MQTTX keeps certificates as file paths; in the vault they become vault certificates, so the connection
 * keeps working when the files are gone (another laptop, a cleaned Downloads folder). A file that cannot be
 * read or imported leaves that path as it was, with a note saying which and why.
 */
async function certificatesIntoVault(cli: CliApp, profile: MqttProfileInputT, baseDir: string, notes: string[]): Promise<MqttProfileInputT> {
  const tls = profile.tls;
  if (!tls) return profile;
  const where = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const importFiles = async (paths: string[]): Promise<string | undefined> => {
    const files: { name: string; dataBase64: string }[] = [];
    for (const p of paths) {
      try {
        files.push({ name: basename(p), dataBase64: readFileSync(where(p)).toString('base64') });
      } catch (err) {
        notes.push(`${profile.name}: ${p} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the connection keeps the file path.`);
        return undefined;
      }
    }
    const { results } = await cli.call('pki.import', { files });
    const problems = results.flatMap((r) => r.errors.map((e) => `${r.fileName}: ${e.message}`));
    const first = results[0]?.certificateIds[0];
    if (problems.length > 0 || !first) {
      notes.push(`${profile.name}: ${paths.join(', ')} did not import (${problems.join('; ') || 'no certificate in the file'}); the connection keeps the file path.`);
      return undefined;
    }
    if (paths.length > 1 && results.slice(1).some((r) => r.keysImported + r.duplicates === 0)) {
      notes.push(`${profile.name}: the key in ${paths[1]} did not import; the connection keeps the file paths.`);
      return undefined;
    }
    return first;
  };
  const next = { ...tls };
  if (tls.ca.source === 'file') {
    const id = await importFiles([tls.ca.path]);
    if (id) next.ca = { source: 'vault', certificateId: id };
  }
  if (tls.clientCertificate?.source === 'file') {
    const id = await importFiles([tls.clientCertificate.certPath, tls.clientCertificate.keyPath]);
    if (id) next.clientCertificate = { source: 'vault', certificateId: id };
  }
  return { ...profile, tls: next };
}

async function runImport(cli: CliApp, file: string, values: { format?: string | undefined; 'keep-file-paths'?: boolean | undefined }): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FieldbenchError('cli.fileUnreadable', `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check the path.`, { cause: err });
  }
  // Fieldbench's own file says what it is; anything else is taken as MQTTX's export.
  const fmt = format(values.format, /"format"\s*:\s*"fieldbench\.mqtt-connections"/.test(text) ? 'fieldbench' : 'mqttx');
  await cli.unlock();
  const result = await cli.call('mqtt.importConnections', { format: fmt, text });
  const notes: string[] = [];
  let imported = result.imported;
  if (fmt === 'mqttx' && values['keep-file-paths'] !== true) {
    imported = [];
    for (const p of result.imported) {
      const { hasPassword: _pw, hasSatToken: _sat, insecure: _insecure, url: _url, updatedAt: _updated, ...input } = p;
      const moved = await certificatesIntoVault(cli, input, dirname(resolve(file)), notes);
      imported.push(moved === input ? p : await cli.call('mqtt.saveProfile', { profile: moved }));
    }
  }
  const human = [
    `Imported ${imported.length} connection${imported.length === 1 ? '' : 's'} from ${basename(file)} (${fmt}).`,
    ...imported.map((p) => `  ${p.name}  ${p.url}  ${describeTls(p)}  [${p.id}]`),
    ...result.skipped.map((s) => `Skipped entry ${s.index}: ${s.reason}`),
    ...notes,
  ].join('\n');
  cli.print(human, { imported, skipped: result.skipped, notes });
  return result.skipped.length > 0 && imported.length === 0 ? EXIT.failed : EXIT.ok;
}

async function runExport(cli: CliApp, refs: string[], values: { format?: string | undefined; out?: string | undefined; 'files-dir'?: string | undefined; 'include-key'?: boolean | undefined; yes?: boolean | undefined }, io: CliIO): Promise<number> {
  const fmt = format(values.format, 'fieldbench');
  if (values['include-key'] && !values['files-dir']) throw new UsageError('--include-key writes the keys as files: add --files-dir DIR.');
  if (values['files-dir'] && fmt !== 'mqttx') throw new UsageError('--files-dir is for --format mqttx; Fieldbench\'s own file keeps the vault references.');
  await cli.unlock();
  const profiles = await cli.call('mqtt.profiles', {});
  const chosen: Profile[] = [];
  // The mqtt area's one resolver turns each name into a connection (ambiguous names are refused with ids).
  for (const r of refs) chosen.push(await cli.call('mqtt.resolveProfile', { ref: r }));
  if (refs.length === 0) chosen.push(...profiles);
  if (chosen.length === 0) throw new FieldbenchError('mqtt.nothingToExport', 'There are no saved MQTT connections to export. Save one in the app, or import one with `fieldbench mqtt connections import`.');
  if (values['include-key'] && !values.yes) {
    const names = chosen.filter((p) => p.tls?.clientCertificate?.source === 'vault').map((p) => p.name);
    if (names.length > 0) {
      const question = `The client private key${names.length > 1 ? 's' : ''} of ${names.join(', ')} will be written unencrypted to ${values['files-dir']}. Write them? [y/N] `;
      if (!canAsk(io)) throw new FieldbenchError('exports.confirmationRequired', `This export carries the client private key${names.length > 1 ? 's' : ''} of ${names.join(', ')}. Nothing was written: run it in a terminal to confirm, or add --yes if you mean it.`);
      if (!(await confirm(io, question))) {
        io.stderr.write('Nothing was written; the keys stay in the vault.\n');
        return EXIT.failed;
      }
    }
  }
  const result = await cli.call('mqtt.exportConnections', {
    format: fmt,
    profileIds: chosen.map((p) => p.id),
    ...(values['files-dir'] ? { filesDir: resolve(values['files-dir']) } : {}),
    includeKeys: values['include-key'] === true,
  });
  if (values.out) {
    try {
      // A new file only: an earlier export (or anything else) under that name is never overwritten.
      writeFileSync(values.out, result.text, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new FieldbenchError('exports.exists', code === 'EEXIST' ? `${values.out} already exists. Choose a new file name; Fieldbench never overwrites an export.` : `${values.out} could not be written (${code ?? (err as Error).message}).`, { cause: err });
    }
    io.stderr.write(`Wrote ${chosen.length} connection${chosen.length === 1 ? '' : 's'} to ${values.out}${result.files.length ? ` and ${result.files.length} file${result.files.length === 1 ? '' : 's'} to ${values['files-dir']}` : ''}.\n`);
  } else {
    io.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  }
  for (const n of result.notes) io.stderr.write(`${n}\n`);
  return EXIT.ok;
}

/** `fieldbench mqtt connections …`: the saved MQTT connections, through the same contract as the app. */
export async function runMqttConnections(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandLine(args, MQTT_CONNECTIONS_OPTIONS);
  const [verb, ...rest] = positionals;
  const cli = new CliApp(values, io);
  try {
    switch (verb) {
      case 'list': {
        if (rest.length) throw new UsageError(`Unexpected argument "${rest[0]}".`);
        await cli.unlock();
        const profiles = await cli.call('mqtt.profiles', {});
        const human = profiles.length ? profiles.map((p) => `${p.name}  ${p.url}  ${describeTls(p)}  [${p.id}]`).join('\n') : 'No saved MQTT connections.';
        cli.print(human, profiles);
        return EXIT.ok;
      }
      case 'show': {
        if (rest.length !== 1) throw new UsageError('Say which connection: fieldbench mqtt connections show NAME|ID.');
        await cli.unlock();
        const p = await cli.call('mqtt.resolveProfile', { ref: rest[0]! });
        cli.print(showText(p), p);
        return EXIT.ok;
      }
      case 'import':
        if (rest.length !== 1) throw new UsageError('Say which file: fieldbench mqtt connections import FILE.');
        return await runImport(cli, rest[0]!, values);
      case 'export':
        return await runExport(cli, rest, values, io);
      default:
        throw new UsageError(verb ? `There is no "mqtt connections ${verb}".` : 'Say what to do: list, show, import or export.');
    }
  } finally {
    await cli.close();
  }
}
