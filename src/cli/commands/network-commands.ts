import { LEGACY_SSH_DESCRIPTION } from '@shared/contract/edge-contract';
import type { CrossCheckReport, NetplanPlan, NetworkSnapshot, NodeTarget, NodeValidation } from '@shared/contract/network-contract';
import { FieldbenchError } from '@shared/errors';
import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliIO, type CliVerb } from '../cli-command';
import { canAsk, confirm } from '../confirm';
import { PASSWORD_ENV } from '../vault-access';

const SUDO_ENV = 'FIELDBENCH_SUDO_PASSWORD';

const NODE_NOTE = `NODE: --node NAME (a node profile in the vault, by name or id) or --host ADDR --user USER --key-file FILE [--port N] [--host-key SHA256:…] [--legacy-ssh]
      A --host login needs the node's host key: --host-key, or a yes on a terminal after comparing it. Without
      either Fieldbench refuses before sending any credential. --legacy-ssh ${LEGACY_SSH_DESCRIPTION}.`;
const SETTINGS_NOTE = 'SETTINGS: --iface NAME --address A.B.C.D/NN [--gateway A.B.C.D] [--dns A,B] [--search D1,D2]';
const VERBS: readonly CliVerb[] = [
  { name: 'show', usage: '  show     (NODE) interfaces, addresses, default route, DNS and the netplan files of the node', options: ['node', 'host', 'user', 'key-file', 'port', 'host-key', 'legacy-ssh'], notes: NODE_NOTE },
  { name: 'plan', usage: "  plan     (NODE) SETTINGS: the netplan file for a static address, its diff, and the node's own netplan check", options: ['node', 'host', 'user', 'key-file', 'port', 'host-key', 'legacy-ssh', 'iface', 'address', 'gateway', 'dns', 'search'], notes: `${NODE_NOTE}\n${SETTINGS_NOTE}` },
  {
    name: 'apply',
    usage: '  apply    (NODE) SETTINGS --yes: apply it with an automatic rollback on the node, then run the checks below',
    options: ['node', 'host', 'user', 'key-file', 'port', 'host-key', 'legacy-ssh', 'iface', 'address', 'gateway', 'dns', 'search', 'rollback-seconds', 'dns-check', 'allow-silent-gateway', 'yes'],
    notes: `${NODE_NOTE}\n${SETTINGS_NOTE}\nApply: --rollback-seconds N (default 120) [--dns-check NAME] [--allow-silent-gateway] --yes`,
  },
  {
    name: 'check',
    usage: `  check    --address A.B.C.D [--previous A.B.C.D] [--node NAME] [--reachability]: vault server certificates
           (and, with --node, the broker's listeners and cluster certificates) against the address`,
    options: ['address', 'previous', 'node', 'reachability'],
  },
  {
    name: 'reissue',
    usage: `  reissue  CERT --address A.B.C.D [--remove A.B.C.D]: a new server certificate with the address in its SANs
           (CERT: its common name or id)`,
    options: ['address', 'remove'],
  },
];
const COMMON_HELP = `Other: --json, --data-dir DIR, --vault PATH, --password-stdin. The vault password comes from a prompt,
${PASSWORD_ENV} or --password-stdin; the sudo password of a --host login from ${SUDO_ENV} (a node profile
keeps its own). Never from the command line.`;

const USAGE = areaUsage(`fieldbench net show|plan|apply|check|reissue [options]`, VERBS, `${NODE_NOTE}
${SETTINGS_NOTE}
Apply: --rollback-seconds N (default 120) [--dns-check NAME] [--allow-silent-gateway] --yes
${COMMON_HELP}`);

const OPTIONS = {
  node: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'key-file': { type: 'string' },
  'host-key': { type: 'string' },
  'legacy-ssh': { type: 'boolean' },
  iface: { type: 'string' },
  address: { type: 'string' },
  gateway: { type: 'string' },
  dns: { type: 'string' },
  search: { type: 'string' },
  'rollback-seconds': { type: 'string' },
  'dns-check': { type: 'string' },
  'allow-silent-gateway': { type: 'boolean' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  vault: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  previous: { type: 'string' },
  remove: { type: 'string' },
  reachability: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

async function targetFrom(cli: CliApp, v: Values, io: CliIO): Promise<NodeTarget> {
  if (v.node) {
    if (v.host || v.user || v['key-file'] || v['host-key'] || v['legacy-ssh']) throw new UsageError('Give either --node NAME or --host --user --key-file, not both (a node profile keeps its own host key and algorithms).');
    await cli.unlock();
    return { kind: 'node', nodeId: (await cli.node(v.node)).id };
  }
  if (!v.host || !v.user || !v['key-file']) throw new UsageError('Say which node: --node NAME, or --host ADDR --user USER --key-file FILE.');
  const port = v.port === undefined ? 22 : Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`--port ${v.port} is not a port number.`);
  const sudo = io.env[SUDO_ENV];
  return {
    kind: 'direct',
    host: v.host,
    port,
    user: v.user,
    auth: { method: 'keyFile', path: v['key-file'] },
    ...(sudo ? { sudoPassword: sudo } : {}),
    ...(v['host-key'] ? { hostKeyFingerprint: v['host-key'] } : {}),
    ...(v['legacy-ssh'] ? { legacyAlgorithms: true } : {}),
  };
}

/**
 * Runs `call` with the target; a direct login whose host key nobody confirmed was refused by main before
 * any credential was sent, and on a terminal the person may compare the presented key and confirm it for
 * this run. A script gets the refusal, which names --host-key with the fingerprint.
 */
async function withConfirmedHostKey<T>(io: CliIO, target: NodeTarget, call: (t: NodeTarget) => Promise<T>): Promise<T> {
  try {
    return await call(target);
  } catch (err) {
    if (target.kind !== 'direct' || target.hostKeyFingerprint || !(err instanceof FieldbenchError) || err.code !== 'edge.hostKeyUnknown' || !err.detail || !canAsk(io)) throw err;
    const { type, fingerprint } = JSON.parse(err.detail) as { type: string; fingerprint: string };
    io.stderr.write(`\nThe host key of ${target.host}:${target.port} is not known:\n  ${type} ${fingerprint}\nCompare it with \`ssh-keygen -lf\` of the node's host key file on its console.\n`);
    if (!(await confirm(io, 'Is it the same? Connect and log in? [y/N] '))) {
      io.stderr.write(`Nothing was sent to ${target.host}. To connect from a script: --host-key ${fingerprint}\n`);
      throw err;
    }
    return call({ ...target, hostKeyFingerprint: fingerprint });
  }
}

const list = (s: string | undefined) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean));

function settingsFrom(v: Values) {
  if (!v.iface || !v.address) throw new UsageError('Give the interface and the address: --iface NAME --address A.B.C.D/NN.');
  const dns = list(v.dns);
  const search = list(v.search);
  return { interface: v.iface, address: v.address, ...(v.gateway ? { gateway: v.gateway } : {}), ...(dns ? { dns } : {}), ...(search ? { search } : {}) };
}

function showText(s: NetworkSnapshot): string {
  const out = [`Node ${s.hostname || s.host} (${s.host})${s.hostKeyFingerprint ? `, host key ${s.hostKeyFingerprint}` : ''}`, 'Interfaces:'];
  for (const i of s.interfaces) {
    const addrs = i.addresses.map((a) => `${a.address}/${a.prefix}${a.dynamic ? ' (DHCP)' : ''}`).join(', ') || 'no address';
    const flags = [i.carrier ? 'link' : 'no link', i.hasDefaultRoute ? `default route via ${i.gateway ?? '?'}` : '', i.connectedVia ? 'this SSH session' : '', i.configuredBy.length ? `netplan: ${i.configuredBy.join(', ')}` : ''].filter(Boolean);
    out.push(`  ${i.name.padEnd(10)} ${i.kind.padEnd(9)} ${i.state.padEnd(8)} ${addrs}  [${flags.join('; ')}]`);
  }
  out.push(`DNS (${s.dns.source}): ${s.dns.servers.join(', ') || 'none'}${s.dns.search.length ? `; search ${s.dns.search.join(', ')}` : ''}`);
  out.push(s.netplan.readable ? `netplan files: ${s.netplan.files.map((f) => `${f.path} (${f.mode ?? '?'}; ${f.interfaces.join(', ') || 'no interfaces'})`).join(', ') || 'none'}` : `netplan files: not readable. ${s.netplan.note ?? ''}`);
  return out.join('\n');
}

function planText(plan: NetplanPlan, node: NodeValidation | null): string {
  const out = [`File: ${plan.file.path}${plan.file.exists ? '' : ' (new)'}; kept: ${plan.keptFiles.join(', ') || 'no other files'}`];
  for (const f of plan.findings) out.push(`${f.severity === 'error' ? 'error  ' : 'warning'} ${f.message}`);
  if (plan.changes.length) out.push('Changes:', ...plan.changes.map((c) => `  ${c}`));
  out.push('', plan.diff.trimEnd());
  if (node) {
    out.push('', node.ok ? 'The node\'s netplan accepts the new configuration.' : 'The node\'s netplan rejects the new configuration:');
    for (const e of node.errors) out.push(`  ${e.file}:${e.line}:${e.column}: ${e.message}${e.excerpt ? `\n${e.excerpt}` : ''}`);
  }
  return out.join('\n');
}

interface CheckOptions {
  address: string;
  previous?: string;
  nodeId?: string;
  reachability: boolean;
  json: boolean;
}

/**
 * network.crossCheck for the address. With a node, main also reads the broker's listeners and the
 * certificates in their Secrets from its cluster; when it cannot, only the vault's server certificates are
 * checked and the report says why.
 */
async function runChecks(cli: CliApp, io: CliIO, o: CheckOptions): Promise<CrossCheckReport> {
  const report = await cli.call(
    'network.crossCheck',
    { address: o.address, ...(o.previous ? { previousAddress: o.previous } : {}), ...(o.nodeId ? { nodeId: o.nodeId } : {}), checkReachability: o.reachability },
    true,
  );
  if (report.cluster?.state === 'unavailable' && !o.json) io.stderr.write(`Listeners and cluster certificates were not checked: ${report.cluster.reason}\n`);
  return report;
}

function checkText(r: CrossCheckReport): string {
  const out = [`Checks for ${r.address}: ${r.warnings === 0 ? 'no problems' : `${r.warnings} problem${r.warnings === 1 ? '' : 's'}`}`];
  for (const c of r.certificates) {
    out.push(`  ${c.valid ? 'ok     ' : 'warning'} certificate ${c.name} (${c.source}${c.id ? ` ${c.id}` : ''}): ${c.message}`);
    if (c.canReissue && c.id) out.push(`          re-issue it: fieldbench net reissue ${c.id} --address ${r.address}`);
  }
  for (const l of r.listeners) out.push(`  ${l.ok ? 'ok     ' : 'warning'} listener ${l.name}: ${l.message}`);
  for (const x of r.reachability) out.push(`  ${x.reachable ? 'ok     ' : 'warning'} ${x.message}`);
  if (r.certificates.length === 0 && r.listeners.length === 0) out.push('  No server certificate in the vault lists the old address, and no listeners were given.');
  return out.join('\n');
}

export const netCommand: CliCommand = {
  name: 'net',
  summary: 'Show, plan and apply a static IP on an edge node (netplan, automatic rollback).',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, OPTIONS);
    const [sub, ...rest] = positionals;
    const extra = sub === 'reissue' ? rest.slice(1) : [];
    const subs = ['show', 'plan', 'apply', 'check', 'reissue'];
    if (!sub || !subs.includes(sub)) throw new UsageError(sub ? `There is no "net ${sub}".` : 'Say what to do: show, plan, apply, check or reissue.');
    if (extra.length > 0 || (sub !== 'reissue' && rest.length > 0)) throw new UsageError(`Unexpected argument "${[...rest, ...extra][0]}".`);
    const cli = new CliApp(values, io);
    try {
      if (sub === 'check') {
        if (!values.address) throw new UsageError('Give the address to check: --address A.B.C.D.');
        await cli.unlock();
        const nodeId = values.node ? (await cli.node(values.node)).id : undefined;
        const report = await runChecks(cli, io, { address: values.address, ...(values.previous ? { previous: values.previous } : {}), ...(nodeId ? { nodeId } : {}), reachability: values.reachability ?? false, json: values.json ?? false });
        cli.print(checkText(report), report);
        return report.warnings === 0 ? EXIT.ok : EXIT.failed;
      }
      if (sub === 'reissue') {
        const ref = rest[0];
        if (!ref || !values.address) throw new UsageError('Say which certificate and which address: net reissue CERT --address A.B.C.D [--remove OLD].');
        await cli.unlock();
        const id = await cli.certificateId(ref);
        const remove = list(values.remove);
        const r = await cli.call('network.reissueCertificate', { certificateId: id, addAddress: values.address, ...(remove ? { removeAddresses: remove } : {}) }, true);
        cli.print([`Issued ${r.commonName} (${r.certificateId}), replacing ${r.replaces}: SANs ${r.sans.join(', ')}; valid until ${r.notAfter}.`, ...r.warnings.map((w) => `warning ${w}`)].join('\n'), r);
        return EXIT.ok;
      }
      let target = await targetFrom(cli, values, io);
      // Confirms a direct login's host key once (the first call), then every later call uses it.
      const confirmed = <T>(call: (t: NodeTarget) => Promise<T>) =>
        withConfirmedHostKey(io, target, (t) => {
          target = t;
          return call(t);
        });
      if (sub === 'show') {
        const snapshot = await confirmed((t) => cli.call('network.discover', { target: t }, true));
        cli.print(showText(snapshot), snapshot);
        return EXIT.ok;
      }
      const settings = settingsFrom(values);
      if (sub === 'plan') {
        const v = await confirmed((t) => cli.call('network.validate', { target: t, settings }, true));
        cli.print(planText(v.plan, v.node), v);
        return v.plan.ok && v.node?.ok === true ? EXIT.ok : EXIT.failed;
      }
      if (!values.yes) throw new UsageError('net apply changes the node\'s network. Check `fieldbench net plan` first, then add --yes.');
      const rollbackSeconds = values['rollback-seconds'] === undefined ? 120 : Number(values['rollback-seconds']);
      if (!Number.isInteger(rollbackSeconds) || rollbackSeconds < 5) throw new UsageError('--rollback-seconds must be a whole number of at least 5.');
      const seen = new Map<string, string>();
      const off = cli.context().hub.on('network.onApplyProgress', (p) => {
        const payload = p as { steps: Array<{ id: string; label: string; status: string; message?: string }> };
        for (const s of payload.steps) {
          const key = `${s.status}:${s.message ?? ''}`;
          if (s.status === 'pending' || seen.get(s.id) === key) continue;
          seen.set(s.id, key);
          if (!values.json) io.stderr.write(`[${s.status}] ${s.label}${s.message ? `: ${s.message}` : ''}\n`);
        }
      });
      let r;
      try {
        r = await confirmed((t) =>
          cli.call('network.apply', { target: t, settings, rollbackSeconds, ...(values['dns-check'] ? { dnsCheckName: values['dns-check'] } : {}), allowSilentGateway: values['allow-silent-gateway'] ?? false }, true),
        );
      } finally {
        off();
      }
      const checks = r.checks;
      if (r.checksError && !values.json) io.stderr.write(`The certificate and listener checks did not run: ${r.checksError}\n`);
      if (checks?.cluster?.state === 'unavailable' && !values.json) io.stderr.write(`Listeners and cluster certificates were not checked: ${checks.cluster.reason}\n`);
      const profileLine = target.kind === 'node' ? (r.profileUpdated ? ` The node profile now connects to ${r.host}.` : '') : r.outcome === 'applied' && r.newHost !== r.previousHost ? ` Use --host ${r.host} from now on.` : '';
      cli.print(`${r.message}\nThe node answers on ${r.host}.${profileLine} Backup on the node: ${r.backupDir}${checks ? `\n${checkText(checks)}` : ''}`, r);
      return r.outcome === 'applied' ? EXIT.ok : EXIT.failed;
    } finally {
      await cli.close();
    }
  },
};

/** The network area's CLI commands. */
export const networkCommands: CliCommand[] = [netCommand];
