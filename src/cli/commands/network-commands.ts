import { parseArgs } from 'node:util';
import type { ApplyResult, NetplanPlan, NetworkSnapshot, NodeTarget, NodeValidation } from '@shared/contract/network-contract';
import { composeApp } from '../../main/compose';
import { defaultDataDir } from '../../main/services/app/data-dir';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../cli-command';

const SUDO_ENV = 'FIELDBENCH_SUDO_PASSWORD';

const USAGE = `fieldbench net show|plan|apply (--node NAME | --host ADDR --user USER --key-file FILE [--port N] [--host-key SHA256:…]) [options]
  show    interfaces, addresses, default route, DNS and the netplan files of the node
  plan    the netplan file for a static address, its diff, and the node's own netplan check
  apply   apply it with an automatic rollback on the node (needs --yes)
Settings (plan, apply): --iface NAME --address A.B.C.D/NN [--gateway A.B.C.D] [--dns A,B] [--search D1,D2]
Apply: --rollback-seconds N (default 120) [--dns-check NAME] [--allow-silent-gateway] --yes
Other: --json, --data-dir DIR. The sudo password comes from ${SUDO_ENV}, never from the command line.
--node needs node profiles (edge area); until they exist use --host --user --key-file.`;

const OPTIONS = {
  node: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'key-file': { type: 'string' },
  'host-key': { type: 'string' },
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
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function targetFrom(v: Values, io: CliIO): NodeTarget {
  if (v.node) throw new UsageError('Node profiles are not available in this build yet. Give --host, --user and --key-file instead of --node.');
  if (!v.host || !v.user || !v['key-file']) throw new UsageError('Say which node: --host ADDR --user USER --key-file FILE.');
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
  };
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

export const netCommand: CliCommand = {
  name: 'net',
  summary: 'Show, plan and apply a static IP on an edge node (netplan, automatic rollback).',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    if (sub !== 'show' && sub !== 'plan' && sub !== 'apply') throw new UsageError(sub ? `There is no "net ${sub}".` : 'Say what to do: show, plan or apply.');
    const target = targetFrom(values, io);
    const app = composeApp({ dataDir: values['data-dir'] ?? defaultDataDir(io.env), runtime: 'cli' });
    const print = (human: string, data: unknown) => io.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    const controller = new AbortController();
    void io.interrupted.then(() => controller.abort());
    try {
      if (sub === 'show') {
        const res = await app.dispatcher.dispatch('network.discover', { target }, { signal: controller.signal });
        if (!res.ok) throw res.error;
        print(showText(res.value as NetworkSnapshot), res.value);
        return EXIT.ok;
      }
      const settings = settingsFrom(values);
      if (sub === 'plan') {
        const res = await app.dispatcher.dispatch('network.validate', { target, settings }, { signal: controller.signal });
        if (!res.ok) throw res.error;
        const v = res.value as { plan: NetplanPlan; node: NodeValidation | null };
        print(planText(v.plan, v.node), v);
        return v.plan.ok && v.node?.ok === true ? EXIT.ok : EXIT.failed;
      }
      if (!values.yes) throw new UsageError('net apply changes the node\'s network. Check `fieldbench net plan` first, then add --yes.');
      const rollbackSeconds = values['rollback-seconds'] === undefined ? 120 : Number(values['rollback-seconds']);
      if (!Number.isInteger(rollbackSeconds) || rollbackSeconds < 5) throw new UsageError('--rollback-seconds must be a whole number of at least 5.');
      const seen = new Map<string, string>();
      const off = app.hub.on('network.onApplyProgress', (p) => {
        const payload = p as { steps: Array<{ id: string; label: string; status: string; message?: string }> };
        for (const s of payload.steps) {
          const key = `${s.status}:${s.message ?? ''}`;
          if (s.status === 'pending' || seen.get(s.id) === key) continue;
          seen.set(s.id, key);
          if (!values.json) io.stderr.write(`[${s.status}] ${s.label}${s.message ? `: ${s.message}` : ''}\n`);
        }
      });
      const res = await app.dispatcher.dispatch(
        'network.apply',
        { target, settings, rollbackSeconds, ...(values['dns-check'] ? { dnsCheckName: values['dns-check'] } : {}), allowSilentGateway: values['allow-silent-gateway'] ?? false },
        { signal: controller.signal, jobId: 'cli-apply' },
      );
      off();
      if (!res.ok) throw res.error;
      const r = res.value as ApplyResult;
      print(`${r.message}\nThe node answers on ${r.host}. Backup on the node: ${r.backupDir}`, r);
      return r.outcome === 'applied' ? EXIT.ok : EXIT.failed;
    } finally {
      await app.dispose();
    }
  },
};

/** The network area's CLI commands. */
export const networkCommands: CliCommand[] = [netCommand];
