// `az keyvault secret set|show|download` for the az stand-in, with each vault kept as JSON files under
// <state dir>/keyvault/<vault>/. Only vaults named in FAKE_AZ_KEYVAULTS (comma-separated) exist, as only
// vaults someone created resolve for the real az.
//
// The encoding rules are azure-cli's own, read from its source (github Azure/azure-cli):
//   set: src/azure-cli/azure/cli/command_modules/keyvault/_validators.py at
//        d8b6c85b50b8dbe114d833fbe6964f8410cafb79, process_secret_set_namespace (L75-132):
//        - `--value` and `--file` are exclusive and one is required (L83-86);
//        - the encoding defaults to utf-8 (L97) and is only a tag when the value is given with --value;
//        - a text encoding (utf-8, utf-16le, utf-16be, ascii; `secret_text_encoding_values`, L25) opens the
//          file in Python text mode (L100: locale utf-8, universal newlines, so CRLF is stored as LF); a file
//          that is not text fails "Unable to decode file ..." (L103-105); the value is the text itself;
//        - base64 reads the bytes and stores `base64.encodebytes` (L109-117: lines of 76 characters, each
//          ending in a newline);
//        - hex reads the bytes and stores `binascii.b2a_hex` (L118-123): lowercase hex of the file's bytes,
//          so `--encoding hex --file x.pem` expects the PEM itself, not a hex file;
//        - every set adds the tag `file-encoding: <encoding>` (L130).
//   download: src/azure-cli/azure/cli/command_modules/keyvault/custom.py at
//        0018057bf80aae69e91c0fb5f2e962f80e0434f7, download_secret ("region KeyVault Secret"):
//        - refuses a path where a file or directory exists;
//        - the encoding is --encoding, else the secret's `file-encoding` tag, else utf-8;
//        - text encodings write the value as text; base64 -> base64.b64decode; hex -> binascii.unhexlify
//          (an odd length or a non-hex digit fails, and the partial file is removed).
// And the service's own rules (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates,
// "Object identifiers", and .../service-limits): a secret name is 1-127 characters of 0-9, a-z, A-Z and
// '-', compared without regard to case; a secret value is at most 25 KB.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const TEXT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'ascii'];
const BINARY_ENCODINGS = ['base64', 'hex'];
const ENCODINGS = [...TEXT_ENCODINGS, ...BINARY_ENCODINGS];
const MAX_VALUE_BYTES = 25 * 1024;

/** Python's base64.encodebytes: MIME lines of 76 characters, every line (the last too) ending in '\n'. */
function encodebytes(buf) {
  const b64 = buf.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += `${b64.slice(i, i + 76)}\n`;
  return out;
}

/** Python's binascii.unhexlify, with its two refusals. */
function unhexlify(text) {
  if (text.length % 2 !== 0) throw new Error('binascii.Error: Odd-length string');
  if (!/^[0-9a-fA-F]*$/.test(text)) throw new Error('binascii.Error: Non-hexadecimal digit found');
  return Buffer.from(text, 'hex');
}

/** Python's base64.b64decode(validate=False): characters outside the alphabet are discarded first. */
function b64decode(text) {
  const clean = text.replace(/[^A-Za-z0-9+/=]/g, '');
  if (clean.replace(/=+$/, '').length % 4 === 1) throw new Error('binascii.Error: Invalid base64-encoded string');
  return Buffer.from(clean, 'base64');
}

/** Python 3's text-mode read with a utf-8 locale: strict utf-8, then universal newlines. */
function readText(path, encoding, err) {
  const raw = readFileSync(path);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    err(`Unable to decode file '${path}' with '${encoding}' encoding.`);
  }
  text = text.replace(/\r\n?/g, '\n');
  // `content.encode(encoding)` (L107): ascii cannot encode what is not ASCII, and az stops there.
  // eslint-disable-next-line no-control-regex
  if (encoding === 'ascii' && /[^\x00-\x7f]/.test(text)) err(`'ascii' codec can't encode characters in '${path}': ordinal not in range(128)`);
  return text;
}

export function keyvaultSecret(args, { option, err, stateDir }) {
  const verb = args[0];
  if (!['set', 'show', 'download'].includes(verb)) err(`'keyvault secret ${verb ?? ''}' is not supported by the Fieldbench test stand-in for az.`, 2);
  const vault = option(['--vault-name']);
  const name = option(['-n', '--name']);
  if (!vault || !name) err('the following arguments are required: --vault-name, --name/-n', 2);
  const known = (process.env.FAKE_AZ_KEYVAULTS ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
  if (!known.includes(vault.toLowerCase())) err(`HTTPSConnectionPool(host='${vault}.vault.azure.net', port=443): Max retries exceeded (Failed to resolve '${vault}.vault.azure.net'). Check the vault name.`);
  if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) err(`(BadParameter) The request URI contains an invalid name: ${name}`);
  const dir = join(stateDir, 'keyvault', vault.toLowerCase());
  const file = join(dir, `${name.toLowerCase()}.json`);
  const versions = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  const out = (bundle) => {
    const query = option(['--query']);
    const output = option(['-o', '--output']) ?? 'json';
    let result = bundle;
    if (query !== undefined) {
      // Only plain JMESPath field paths; anything else would need the real JMESPath.
      if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(query)) err(`--query '${query}' is not supported by the Fieldbench test stand-in for az (field paths only).`, 2);
      for (const part of query.split('.')) result = result == null ? null : result[part];
    }
    if (output === 'tsv') process.stdout.write(`${result === null || result === undefined ? '' : typeof result === 'object' ? Object.values(result).join('\t') : String(result)}\n`);
    else if (output === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else err(`-o ${output} is not supported by the Fieldbench test stand-in for az (json, tsv).`, 2);
  };
  const notFound = () => err(`(SecretNotFound) A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`, 3);

  if (verb === 'set') {
    const value = option(['--value']);
    const path = option(['-f', '--file']);
    const encoding = option(['-e', '--encoding']) ?? 'utf-8';
    if (!ENCODINGS.includes(encoding)) err(`argument --encoding/-e: invalid choice: '${encoding}' (choose from ${ENCODINGS.map((e) => `'${e}'`).join(', ')})`, 2);
    if ((value && path) || (!value && !path)) err('incorrect usage: [Required] --value VALUE | --file PATH');
    let content = value;
    if (path) {
      if (!existsSync(path)) err(`[Errno 2] No such file or directory: '${path}'`);
      if (TEXT_ENCODINGS.includes(encoding)) content = readText(path, encoding, err);
      else if (encoding === 'base64') content = encodebytes(readFileSync(path));
      else content = readFileSync(path).toString('hex');
    }
    if (Buffer.byteLength(content, 'utf8') > MAX_VALUE_BYTES) err(`(BadParameter) The secret ${name} is ${Buffer.byteLength(content, 'utf8')} bytes; Key Vault keeps at most ${MAX_VALUE_BYTES}.`);
    const now = Math.floor(Date.now() / 1000);
    const stored = versions[0]?.name ?? name;
    const bundle = {
      attributes: { created: new Date(now * 1000).toISOString(), enabled: true, expires: null, notBefore: null, recoverableDays: 90, recoveryLevel: 'Recoverable+Purgeable', updated: new Date(now * 1000).toISOString() },
      contentType: option(['--content-type', '--description']) ?? null,
      id: `https://${vault.toLowerCase()}.vault.azure.net/secrets/${stored}/${randomBytes(16).toString('hex')}`,
      kid: null,
      managed: null,
      name: stored,
      tags: { 'file-encoding': encoding },
      value: content,
    };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify([bundle, ...versions]), { mode: 0o600 });
    out(bundle);
    return;
  }

  const version = option(['--version']);
  const bundle = version ? versions.find((v) => v.id.endsWith(`/${version}`)) : versions[0];
  if (!bundle) notFound();
  if (verb === 'show') {
    out(bundle);
    return;
  }
  const target = option(['-f', '--file']);
  if (!target) err('the following arguments are required: --file/-f', 2);
  if (existsSync(target)) err(`File or directory named '${target}' already exists.`);
  const encoding = option(['-e', '--encoding']) ?? bundle.tags?.['file-encoding'] ?? 'utf-8';
  if (!ENCODINGS.includes(encoding)) err(`argument --encoding/-e: invalid choice: '${encoding}' (choose from ${ENCODINGS.map((e) => `'${e}'`).join(', ')})`, 2);
  try {
    if (TEXT_ENCODINGS.includes(encoding)) writeFileSync(target, bundle.value, 'utf8');
    else writeFileSync(target, encoding === 'hex' ? unhexlify(bundle.value) : b64decode(bundle.value));
  } catch (e) {
    rmSync(target, { force: true });
    err(e.message);
  }
}

/** The secrets a stand-in vault holds (latest versions), for tests that look at what was stored. */
export function storedSecrets(stateDir, vault) {
  const dir = join(stateDir, 'keyvault', vault.toLowerCase());
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))[0]);
}
