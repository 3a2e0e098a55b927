// A stand-in for the parts of the Azure CLI Fieldbench's tests need, for tests that cannot reach Azure:
// - `az connectedk8s proxy`, behaving as the Azure CLI documents it: it writes a kubeconfig (-f) pointing at
//   its local proxy port, prints "Proxy is listening on port N", forwards TCP to a Kubernetes API (the
//   emulator) and allows one proxy at a time (lock file). Like the real one, the listening part runs in a
//   child process, so only killing the process group ends it.
// - `az keyvault secret set|show|download`, with a Key Vault kept as files under FAKE_AZ_STATE_DIR
//   (see keyvault-secrets.mjs for the encoding rules, each taken from azure-cli's source).
//
// Environment:
//   FAKE_AZ_KUBECONFIG  kubeconfig of the cluster to forward to (its server, CA and user are reused)
//   FAKE_AZ_STATE_DIR   where the lock file and the key vaults live (default the temp folder)
//   FAKE_AZ_FAIL        print this as an ERROR and exit 1 before starting (e.g. a login problem)
//   FAKE_AZ_SILENT      start, but never print the ready line (for timeout tests)
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { keyvaultSecret } from './keyvault-secrets.mjs';

const RESERVED_PORT = 47010;
const DEFAULT_PORT = 47011;

// The Azure CLI expands `@path` argument values before it parses anything: azure-cli-core,
// azure/cli/core/commands/__init__.py, `_expand_file_prefixed_files` (documented as "Use @{file} to load
// from a file" in `az --help` of every file-taking argument and in "Tips for using the Azure CLI
// successfully", learn.microsoft.com/cli/azure/use-cli-effectively). Its rules, kept here one by one:
//   - every argument is split once at the first '=' and only the value part is considered (`--token=@f`);
//   - only a value that starts with '@' and has something after it is a file; `a@b` stays literal;
//   - `@-` reads standard input; `~` is expanded (os.path.expanduser);
//   - the file is read by `read_file_content`, trying utf-8-sig (so a BOM is dropped), utf-8, utf-16;
//   - trailing line ends are removed (`content.rstrip(os.linesep)`, every trailing '\n' on Linux);
//   - a file that cannot be opened (IOError) leaves the argument as written, '@' included.
function loadFileValue(value) {
  if (!value.startsWith('@') || value.length === 1) return value;
  let path = value.slice(1);
  let raw;
  try {
    if (path === '-') raw = readFileSync(0);
    else {
      if (path === '~' || path.startsWith('~/')) path = join(homedir(), path.slice(1));
      raw = readFileSync(path);
    }
  } catch {
    return value;
  }
  let text;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) text = raw.subarray(3).toString('utf8');
  else if ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff)) text = new TextDecoder('utf-16').decode(raw);
  else text = raw.toString('utf8');
  return text.replace(/\n+$/, '');
}
const expandFilePrefix = (arg) => {
  const eq = arg.indexOf('=');
  return eq === -1 ? loadFileValue(arg) : `${arg.slice(0, eq)}=${loadFileValue(arg.slice(eq + 1))}`;
};
// The internal `--serve` child is this stand-in's own, not an az command line: it is not expanded.
const argv = process.argv[2] === '--serve' ? process.argv.slice(2) : process.argv.slice(2).map(expandFilePrefix);
const err = (msg, code = 1) => {
  process.stderr.write(`ERROR: ${msg}\n`);
  process.exit(code);
};

// argparse (which az uses) takes both `--name value` and `--name=value`.
function option(names) {
  for (let i = 0; i < argv.length; i++) {
    if (names.includes(argv[i])) return argv[i + 1];
    const eq = argv[i].indexOf('=');
    if (eq > 0 && names.includes(argv[i].slice(0, eq))) return argv[i].slice(eq + 1);
  }
  return undefined;
}

function upstream() {
  const path = process.env.FAKE_AZ_KUBECONFIG;
  if (!path) err('FAKE_AZ_KUBECONFIG is not set (test setup).', 2);
  const kc = parse(readFileSync(path, 'utf8'));
  const ctx = kc.contexts.find((c) => c.name === kc['current-context']) ?? kc.contexts[0];
  const cluster = kc.clusters.find((c) => c.name === ctx.context.cluster).cluster;
  const user = kc.users.find((u) => u.name === ctx.context.user).user;
  const url = new URL(cluster.server);
  return { cluster, user, host: url.hostname, port: Number(url.port || 443) };
}

// --- the child: the listening proxy ------------------------------------------------------------------
if (argv[0] === '--serve') {
  const [, portText, host, upstreamPort] = argv;
  const server = createServer((socket) => {
    const up = connect(Number(upstreamPort), host);
    socket.on('error', () => up.destroy());
    up.on('error', () => socket.destroy());
    socket.pipe(up).pipe(socket);
  });
  server.on('error', (e) => {
    process.stderr.write(`ERROR: Port ${portText} is already in use. Use --port to choose another one. (${e.code})\n`);
    process.exit(1);
  });
  server.listen(Number(portText), '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => process.exit(0));
} else if (argv[0] === '--version' || argv[0] === 'version') {
  process.stdout.write('azure-cli                         2.67.0 (fieldbench test stand-in)\n\nExtensions:\nconnectedk8s                      1.10.0\n');
} else if (argv[0] === 'connectedk8s' && argv[1] === 'proxy') {
  const name = option(['-n', '--name']);
  const group = option(['-g', '--resource-group']);
  const token = option(['--token']);
  const port = Number(option(['--port']) ?? DEFAULT_PORT);
  const file = option(['-f', '--file']) ?? join(process.env.HOME ?? tmpdir(), '.kube', 'config');
  if (!name || !group) err('the following arguments are required: --name/-n, --resource-group/-g', 2);
  if (port === RESERVED_PORT) err(`Port ${RESERVED_PORT} is in use by the proxy internally. Please use a different port.`);
  if (process.env.FAKE_AZ_FAIL) err(process.env.FAKE_AZ_FAIL);

  const stateDir = process.env.FAKE_AZ_STATE_DIR ?? tmpdir();
  mkdirSync(stateDir, { recursive: true });
  const lock = join(stateDir, 'fake-az-connectedk8s-proxy.lock');
  const takeLock = () => {
    const fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
  };
  try {
    takeLock();
  } catch {
    let owner = 0;
    try {
      owner = Number(readFileSync(lock, 'utf8'));
      process.kill(owner, 0);
    } catch {
      owner = 0;
    }
    if (owner) err('Another instance of the proxy is already running. Only one instance of `az connectedk8s proxy` can run at a time; close it and try again.');
    rmSync(lock, { force: true });
    takeLock();
  }

  const up = upstream();
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': up.cluster['certificate-authority-data'] } }],
    users: [{ name: `clusterUser_${group}_${name}`, user: token ? { token } : up.user }],
    contexts: [{ name, context: { cluster: name, user: `clusterUser_${group}_${name}` } }],
    'current-context': name,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(kubeconfig), { mode: 0o600 });

  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', String(port), up.host, String(up.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const release = () => rmSync(lock, { force: true });
  const stop = () => {
    child.kill('SIGTERM');
    release();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  child.on('exit', (code) => {
    release();
    process.exit(code ?? 1);
  });
  child.stdout.on('data', (d) => {
    if (!d.toString().includes('ready') || process.env.FAKE_AZ_SILENT) return;
    process.stdout.write(`Proxy is listening on port ${port}\n`);
    process.stdout.write(`Start sending kubectl requests on '${name}' context using kubeconfig at ${file}\n`);
    process.stdout.write('Press Ctrl+C to close proxy.\n');
  });
} else if (argv[0] === 'keyvault' && argv[1] === 'secret') {
  keyvaultSecret(argv.slice(2), { option, err, stateDir: process.env.FAKE_AZ_STATE_DIR ?? tmpdir() });
} else {
  err(`'${argv.join(' ')}' is not supported by the Fieldbench test stand-in for az.`, 2);
}
