import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FieldbenchError } from '@shared/errors';
import type { CallRequest, CallResponse } from '@shared/contract';
import { LEGACY_SSH_DESCRIPTION } from '@shared/contract/edge-contract';
import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliIO, type CliVerb } from '../cli-command';
import { confirm } from '../confirm';
import { PASSWORD_ENV } from '../vault-access';

const VERBS: readonly CliVerb[] = [
  {
    name: 'add',
    usage: `  add NAME --host H --user U [--port 22] LOGIN [--sudo-password-stdin] [--jump NODE] [KUBE] [--trust-fingerprint FP] [--legacy-ssh]
  add NAME --kube kubeconfig --kubeconfig FILE [--context CTX] [--host H]
                            a node that is only a kubeconfig: no SSH user or login (no static address, host check or tunnel)
      LOGIN: --key-file FILE [--key-passphrase-stdin] | --generate-key | --key KEY-ID | --password-stdin-auth | --agent
      KUBE:  --kube ssh [--k3s-kubeconfig PATH]            (default: k3s.yaml read with sudo, API tunnelled over SSH)
             --kube arc --arc-cluster C --arc-group G [--arc-token-stdin]
             --kube kubeconfig --kubeconfig FILE [--context CTX]`,
    options: ['host', 'user', 'port', 'key-file', 'key-passphrase-stdin', 'generate-key', 'key', 'password-stdin-auth', 'agent', 'sudo-password-stdin', 'jump', 'kube', 'k3s-kubeconfig', 'arc-cluster', 'arc-group', 'arc-token-stdin', 'kubeconfig', 'context', 'trust-fingerprint', 'legacy-ssh'],
    notes: `--legacy-ssh: also accept old SSH algorithms for this node (its sshd offers nothing better); it
${LEGACY_SSH_DESCRIPTION}.
--jump NODE: a node in the vault, by name or id.`,
  },
  { name: 'list', usage: '  list                      the nodes, their logins and trusted host keys', options: [] },
  {
    name: 'test',
    usage: `  test NAME [--trust-fingerprint FP] [--sudo-password-stdin]
                            reach, host key, login, sudo, Kubernetes version, AIO present; exit 1 if a step fails.
                            An unknown host key is asked about on a terminal; scripts pass --trust-fingerprint.`,
    options: ['trust-fingerprint', 'sudo-password-stdin'],
  },
  { name: 'trust', usage: "  trust NAME [--fingerprint FP]   trust the node's host key (asks on a terminal when FP is omitted)", options: ['fingerprint'] },
  { name: 'remove', usage: '  remove NAME', options: [] },
];
const COMMON_HELP = `NAME is a node's name or id, as \`fieldbench node list\` shows it.
Common: --vault PATH, --data-dir DIR, --password-stdin, --json.
Secrets never come from the command line. The vault password comes from a prompt, ${PASSWORD_ENV} or
--password-stdin. Every *-stdin secret is one line of stdin, in this order: vault password, SSH password,
key passphrase, sudo password, Arc token.`;

const USAGE = areaUsage(`fieldbench node add|list|test|trust|remove [options]`, VERBS, `--legacy-ssh: also accept old SSH algorithms for this node (its sshd offers nothing better); it
${LEGACY_SSH_DESCRIPTION}.
${COMMON_HELP}`);

const OPTIONS = {
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'key-file': { type: 'string' },
  'key-passphrase-stdin': { type: 'boolean' },
  'generate-key': { type: 'boolean' },
  key: { type: 'string' },
  'password-stdin-auth': { type: 'boolean' },
  agent: { type: 'boolean' },
  'sudo-password-stdin': { type: 'boolean' },
  jump: { type: 'string' },
  kube: { type: 'string' },
  'k3s-kubeconfig': { type: 'string' },
  'arc-cluster': { type: 'string' },
  'arc-group': { type: 'string' },
  'arc-token-stdin': { type: 'boolean' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'trust-fingerprint': { type: 'string' },
  fingerprint: { type: 'string' },
  'legacy-ssh': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse>['values'];
type NodeSummary = CallResponse<'edge.listNodes'>['nodes'][number];
type TestResult = CallResponse<'edge.testNode'>;

function parse(args: string[]) {
  return parseCommandLine(args, OPTIONS);
}

/** The secrets given on stdin, one line each, in the documented order. */
interface StdinSecrets {
  vault?: string;
  ssh?: string;
  passphrase?: string;
  sudo?: string;
  arcToken?: string;
}

async function readStdinSecrets(values: Values, io: CliIO): Promise<StdinSecrets> {
  const wanted: Array<keyof StdinSecrets> = [];
  if (values['password-stdin']) wanted.push('vault');
  if (values['password-stdin-auth']) wanted.push('ssh');
  if (values['key-passphrase-stdin']) wanted.push('passphrase');
  if (values['sudo-password-stdin']) wanted.push('sudo');
  if (values['arc-token-stdin']) wanted.push('arcToken');
  if (wanted.length === 0) return {};
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  const out: StdinSecrets = {};
  wanted.forEach((name, i) => {
    const line = lines[i];
    if (line === undefined || line === '') throw new UsageError(`stdin has no line ${i + 1} for the ${describeSecret(name)}. Give one line per *-stdin option, in the documented order.`);
    out[name] = line;
  });
  return out;
}

function describeSecret(name: keyof StdinSecrets): string {
  return { vault: 'vault password', ssh: 'SSH password', passphrase: 'key passphrase', sudo: 'sudo password', arcToken: 'Arc token' }[name];
}

/** Asks a yes/no question on the terminal; false when there is none. */
function loginOf(values: Values): 'key-file' | 'generate-key' | 'key' | 'password' | 'agent' {
  const chosen = (
    [
      ['key-file', values['key-file'] !== undefined],
      ['generate-key', values['generate-key'] === true],
      ['key', values.key !== undefined],
      ['password', values['password-stdin-auth'] === true],
      ['agent', values.agent === true],
    ] as const
  ).filter(([, on]) => on);
  if (chosen.length !== 1) throw new UsageError('Choose exactly one login: --key-file FILE, --generate-key, --key KEY-ID, --password-stdin-auth or --agent.');
  return chosen[0]![0];
}

type KubeRequest = NonNullable<CallRequest<'edge.saveNode'>['kube']>;

function kubeOf(values: Values, arcToken: string | undefined): KubeRequest {
  const mode = values.kube ?? (values.kubeconfig ? 'kubeconfig' : values['arc-cluster'] ? 'arc' : 'ssh');
  if (mode === 'ssh') return { mode: 'ssh', kubeconfigPath: values['k3s-kubeconfig'] ?? '/etc/rancher/k3s/k3s.yaml' };
  if (mode === 'arc') {
    if (!values['arc-cluster'] || !values['arc-group']) throw new UsageError('--kube arc needs --arc-cluster and --arc-group.');
    return { mode: 'arc', clusterName: values['arc-cluster'], resourceGroup: values['arc-group'], ...(arcToken ? { token: arcToken } : {}) };
  }
  if (mode === 'kubeconfig') {
    if (!values.kubeconfig) throw new UsageError('--kube kubeconfig needs --kubeconfig FILE.');
    return { mode: 'kubeconfig', path: resolve(values.kubeconfig), ...(values.context ? { context: values.context } : {}) };
  }
  throw new UsageError(`--kube is ssh, arc or kubeconfig, not "${mode}".`);
}

const MARK = { ok: '✓', failed: '✗', skipped: '–' } as const;

function formatTest(node: NodeSummary, r: TestResult): string {
  const lines = r.steps.map((s) => `${MARK[s.status]} ${s.label}: ${s.message}`);
  lines.push(r.ok ? `${node.name} is ready.` : `${node.name} is not ready: see the ✗ above.`);
  return lines.join('\n');
}

/** `node add NAME --kube kubeconfig --kubeconfig FILE` with no SSH user and no login: a node that is only a kubeconfig. */
async function addKubeOnly(cli: CliApp, values: Values, name: string, kube: KubeRequest): Promise<number> {
  await cli.unlock();
  const node = await cli.call('edge.saveNode', { name, ...(values.host ? { host: values.host } : {}), kube });
  const lines = [
    `Added ${node.name}: ${node.host}, Kubernetes through the kubeconfig ${kube.mode === 'kubeconfig' ? kube.path : ''}, no SSH login.`,
    'Static addresses, host checks and SSH tunnels need an SSH login; add one with `fieldbench node add` under another name if you need them.',
    `Next: \`fieldbench node test ${node.name}\` checks the Kubernetes API and AIO.`,
  ];
  cli.print(lines.join('\n'), { node });
  return EXIT.ok;
}

const LOGIN_FLAGS = ['key-file', 'generate-key', 'key', 'password-stdin-auth', 'agent'] as const;

async function add(cli: CliApp, values: Values, name: string, secrets: StdinSecrets, io: CliIO): Promise<number> {
  const kubeOnly = !values.user && LOGIN_FLAGS.every((f) => values[f] === undefined || values[f] === false) && (values.kube === 'kubeconfig' || (values.kube === undefined && values.kubeconfig !== undefined));
  if (kubeOnly) return addKubeOnly(cli, values, name, kubeOf(values, secrets.arcToken));
  if (!values.host) throw new UsageError('Give the node address with --host (a node reached only through --kube kubeconfig needs no SSH details).');
  if (!values.user) throw new UsageError('Give the SSH user with --user (a node reached only through --kube kubeconfig needs no SSH details).');
  const port = values.port === undefined ? 22 : Number(values.port);
  if (!Number.isInteger(port)) throw new UsageError('--port is a number.');
  const login = loginOf(values);
  const kube = kubeOf(values, secrets.arcToken);
  await cli.unlock();
  let jumpHostId: string | undefined;
  if (values.jump) jumpHostId = (await cli.node(values.jump)).id;
  let auth: CallRequest<'edge.saveNode'>['auth'];
  let generated: CallResponse<'edge.generateKey'> | undefined;
  if (login === 'key-file') {
    let text: string;
    try {
      text = readFileSync(values['key-file']!, 'utf8');
    } catch (err) {
      throw new FieldbenchError('cli.fileUnreadable', `Cannot read ${values['key-file']}. Check the path and that you may read it.`, { cause: err });
    }
    const key = await cli.call('edge.importKey', { privateKey: text, ...(secrets.passphrase ? { passphrase: secrets.passphrase } : {}) });
    auth = { method: 'key', keyId: key.id };
  } else if (login === 'generate-key') {
    generated = await cli.call('edge.generateKey', { comment: `fieldbench-${name}` });
    auth = { method: 'key', keyId: generated.id };
  } else if (login === 'key') auth = { method: 'key', keyId: values.key! };
  else if (login === 'password') auth = { method: 'password', password: secrets.ssh! };
  else auth = { method: 'agent' };

  let node = await cli.call('edge.saveNode', {
    name,
    host: values.host,
    port,
    user: values.user,
    auth,
    ...(secrets.sudo ? { sudoPassword: secrets.sudo } : {}),
    ...(jumpHostId ? { jumpHostId } : {}),
    ...(values['legacy-ssh'] ? { legacyAlgorithms: true } : {}),
    kube,
  });
  if (values['trust-fingerprint']) node = await cli.call('edge.trustHostKey', { nodeId: node.id, fingerprint: values['trust-fingerprint'] });
  const lines = [`Added ${node.name}: ${node.user}@${node.host}:${node.port}, ${node.auth.method} login, Kubernetes through ${node.kube.mode}.`];
  if (generated) lines.push(`Add this line to ~${node.user}/.ssh/authorized_keys on the node:`, generated.publicKey);
  if (!node.hostKey) lines.push(`Next: \`fieldbench node test ${node.name}\` shows the node's host key to trust.`);
  cli.print(lines.join('\n'), { node, ...(generated ? { publicKey: generated.publicKey } : {}) });
  void io;
  return EXIT.ok;
}

async function test(cli: CliApp, values: Values, name: string, secrets: StdinSecrets, io: CliIO): Promise<number> {
  await cli.unlock();
  const node = await cli.node(name);
  if (values['trust-fingerprint']) await cli.call('edge.trustHostKey', { nodeId: node.id, fingerprint: values['trust-fingerprint'] });
  const request = { id: node.id, ...(secrets.sudo ? { sudoPassword: secrets.sudo } : {}) };
  let result = await cli.call('edge.testNode', request, true);
  const hk = result.hostKey;
  if (hk && hk.status !== 'trusted' && !values.json) {
    io.stderr.write(
      hk.status === 'changed'
        ? `\nWARNING: THE HOST KEY OF ${node.name} HAS CHANGED.\nTrusted:   ${hk.expected}\nPresented: ${hk.type} ${hk.fingerprint}\nSomeone may be intercepting the connection, or the node was reinstalled. Check with whoever manages the node.\n`
        : `\nThe host key of ${node.name} (${node.host}:${node.port}) is not known yet:\n  ${hk.type} ${hk.fingerprint}\nCompare it with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on the node.\n`,
    );
    if (await confirm(io, hk.status === 'changed' ? 'Trust the NEW key anyway? Type yes: ' : 'Trust this host key? [y/N] ')) {
      await cli.call('edge.trustHostKey', { nodeId: node.id, fingerprint: hk.fingerprint });
      result = await cli.call('edge.testNode', request, true);
    } else {
      io.stderr.write(`To trust it from a script: fieldbench node test ${node.name} --trust-fingerprint ${hk.fingerprint}\n`);
    }
  }
  cli.print(formatTest(node, result), result);
  return result.ok ? EXIT.ok : EXIT.failed;
}

async function trust(cli: CliApp, values: Values, name: string, io: CliIO): Promise<number> {
  await cli.unlock();
  const node = await cli.node(name);
  let fingerprint = values.fingerprint;
  if (!fingerprint) {
    const result = await cli.call('edge.testNode', { id: node.id }, true);
    const hk = result.hostKey;
    if (!hk || hk.status === 'trusted') {
      const failed = result.steps.find((s) => s.status === 'failed' && (s.id === 'connect' || s.id === 'hostKey'));
      if (failed) throw new FieldbenchError(failed.code ?? 'edge.unreachable', failed.message);
      cli.print(`${node.name}'s host key ${node.hostKey?.fingerprint ?? ''} is already trusted.`, { node });
      return EXIT.ok;
    }
    io.stderr.write(`${node.name} presents ${hk.type} ${hk.fingerprint}${hk.status === 'changed' ? ` (it CHANGED; trusted was ${hk.expected})` : ''}.\n`);
    if (!(await confirm(io, 'Trust this host key? [y/N] '))) {
      io.stderr.write(`Nothing was trusted. To trust it without a prompt: fieldbench node trust ${node.name} --fingerprint ${hk.fingerprint}\n`);
      return EXIT.failed;
    }
    fingerprint = hk.fingerprint;
  }
  const updated = await cli.call('edge.trustHostKey', { nodeId: node.id, fingerprint });
  cli.print(`Trusted ${fingerprint} for ${updated.name}.`, { node: updated });
  return EXIT.ok;
}

export const nodeCommand: CliCommand = {
  name: 'node',
  summary: 'Add, list, test and remove edge nodes (SSH and Kubernetes access).',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parse(args);
    const [sub, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    if (sub !== 'list' && sub !== undefined && !name) throw new UsageError(`Name the node: fieldbench node ${sub} NAME.`);
    const secrets = await readStdinSecrets(values, io);
    const cli = new CliApp(values, io, secrets.vault);
    try {
      switch (sub) {
        case 'add':
          return await add(cli, values, name!, secrets, io);
        case 'list': {
          await cli.unlock();
          const { nodes } = await cli.call('edge.listNodes', {});
          const rows = nodes.map((n) => (n.auth.method === 'none' ? [n.name, n.host, '-', 'no SSH', n.kube.mode, '-'] : [n.name, `${n.host}:${n.port}`, n.user, n.auth.method, n.kube.mode, n.hostKey?.fingerprint ?? 'not trusted yet']));
          const head = ['NAME', 'ADDRESS', 'USER', 'LOGIN', 'KUBERNETES', 'HOST KEY'];
          const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
          const table = [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
          cli.print(nodes.length === 0 ? 'No nodes yet. Add one with `fieldbench node add`.' : table, { nodes });
          return EXIT.ok;
        }
        case 'test':
          return await test(cli, values, name!, secrets, io);
        case 'trust':
          return await trust(cli, values, name!, io);
        case 'remove': {
          await cli.unlock();
          const node = await cli.node(name!);
          await cli.call('edge.removeNode', { id: node.id });
          cli.print(`Removed ${node.name}.`, { removed: true, id: node.id });
          return EXIT.ok;
        }
        default:
          throw new UsageError(sub ? `There is no "node ${sub}".` : 'Say what to do: add, list, test, trust or remove.');
      }
    } finally {
      await cli.close();
    }
  },
};

/** The edge area's CLI commands. */
export const edgeCommands: CliCommand[] = [nodeCommand];
