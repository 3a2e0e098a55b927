import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import { FieldbenchError } from '@shared/errors';
import type { AioCheckResultT, AioDiscoveryT, ApplyPlanT, ApplyResultT, ApplySpecInput, DiagnosticT } from '@shared/contract/aio-contract';
import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliIO, type CliVerb } from '../cli-command';
import { PASSWORD_ENV } from '../vault-access';

const TRUST_NOTE = 'Trust settings of the install (when it was created with --trust-settings): --trust-config-map CM --trust-key K --trust-issuer NAME --trust-issuer-kind Issuer|ClusterIssuer.';
const APPLY_USAGE = `    --spec FILE | --server-cert REF [--client-ca REF] --listener-port 8883 --service-type LoadBalancer
    --listener-name N --service-name S --secret-name N --client-ca-name N --auth-name N  rename them
    --node-port P               for a NodePort listener
    --dry-run                   show the YAML, the diff and the server's dry run; change nothing
    --force                     take over fields another field manager (the portal) owns
    --yes                       apply without asking (scripts); otherwise a terminal asks first`;
const APPLY_OPTIONS = ['spec', 'server-cert', 'client-ca', 'listener-port', 'service-type', 'node-port', 'listener-name', 'service-name', 'secret-name', 'client-ca-name', 'auth-name'] as const;
const VERBS: readonly CliVerb[] = [
  {
    name: 'listeners',
    usage: `  listeners                     listeners (ports, service types, TLS, auth refs), Services and their IPs,
                                policies, cert-manager Certificates and issuers, trust bundles`,
    options: ['node'],
  },
  {
    name: 'diagnose',
    usage: `  diagnose [--address IP]...    what is wrong with the broker setup and how to fix it; --address is how
                                clients reach the node (server certificates must list it)`,
    options: ['node', 'address', 'trust-config-map', 'trust-key', 'trust-issuer', 'trust-issuer-kind'],
    notes: TRUST_NOTE,
  },
  {
    name: 'check',
    usage: `  check [--address IP]... [--detail-level 0|1|2] [--no-live] [--wait S]
                                every check of \`az iot ops check --svc broker\` (pass/warn/fail), plus
                                certificate expiry, SANs, client CAs, key families and a live TLS+MQTT connect
                                per listener port; exit 1 when any check fails; --wait S waits for issuance`,
    options: ['node', 'address', 'detail-level', 'no-live', 'wait', 'trust-config-map', 'trust-key', 'trust-issuer', 'trust-issuer-kind'],
    notes: TRUST_NOTE,
  },
  {
    name: 'trust-bundle',
    usage: `  trust-bundle [--name CM] [--key K] [--secret]
                                import the cluster's trust bundle into the vault as a trusted CA`,
    options: ['node', 'name', 'key', 'secret'],
  },
  {
    name: 'render',
    usage: `  render [--spec FILE | the apply flags] [--out FILE]
                                no --node: the exact YAML apply would send, built from the vault with no
                                cluster; --out writes it with the private keys (mode 0600), stdout hides them`,
    options: [...APPLY_OPTIONS, 'out'],
    notes: `The apply flags (see \`fieldbench aio apply --help\`):\n${APPLY_USAGE}`,
  },
  {
    name: 'apply',
    usage: `  apply --spec FILE             apply a YAML/JSON spec (serverSecrets, clientCas, authentications,
                                authorizations, listeners; see docs/aio.md)
  apply --server-cert REF [--client-ca REF] --listener-port 8883 --service-type LoadBalancer
                                the seed 001 flow: Secret broker-server-cert, ConfigMap clients42-ca,
                                X.509 policy x509-policy, and the listener with Manual TLS
${APPLY_USAGE}`,
    options: ['node', ...APPLY_OPTIONS, 'dry-run', 'force', 'yes'],
  },
];
const COMMON_HELP = `--node NAME: a node in the vault, by name or id. REF: a certificate's common name or id (\`fieldbench pki list\`).
Common: --namespace NS (default azure-iot-operations), --vault PATH, --data-dir DIR, --password-stdin, --json.
The vault password comes from a prompt, ${PASSWORD_ENV} or --password-stdin; never from the command line.`;

const USAGE = areaUsage(`fieldbench aio <subcommand> --node NAME [options]`, VERBS, `${COMMON_HELP}`);

const OPTIONS = {
  node: { type: 'string' },
  namespace: { type: 'string' },
  vault: { type: 'string' },
  'data-dir': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  address: { type: 'string', multiple: true },
  name: { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'boolean' },
  spec: { type: 'string' },
  'server-cert': { type: 'string' },
  'client-ca': { type: 'string' },
  'listener-port': { type: 'string' },
  'service-type': { type: 'string' },
  'node-port': { type: 'string' },
  'listener-name': { type: 'string' },
  'service-name': { type: 'string' },
  'secret-name': { type: 'string' },
  'client-ca-name': { type: 'string' },
  'auth-name': { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  yes: { type: 'boolean' },
  out: { type: 'string' },
  'detail-level': { type: 'string' },
  'no-live': { type: 'boolean' },
  wait: { type: 'string' },
  'trust-config-map': { type: 'string' },
  'trust-key': { type: 'string' },
  'trust-issuer': { type: 'string' },
  'trust-issuer-kind': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseCommandLine(args, OPTIONS);
}


/** Builds the seed 001 spec from flags: server Secret, client CA ConfigMap, X.509 policy, listener. */
async function specFromFlags(v: Values, cli: CliApp): Promise<ApplySpecInput> {
  const type = v['service-type'] ?? 'LoadBalancer';
  if (!['ClusterIp', 'NodePort', 'LoadBalancer'].includes(type)) throw new UsageError(`--service-type must be ClusterIp, NodePort or LoadBalancer, not "${type}".`);
  const port = Number(v['listener-port'] ?? '8883');
  if (!Number.isInteger(port)) throw new UsageError(`--listener-port must be a number, not "${v['listener-port']}".`);
  const nodePort = v['node-port'] !== undefined ? Number(v['node-port']) : undefined;
  if (nodePort !== undefined && !Number.isInteger(nodePort)) throw new UsageError(`--node-port must be a number, not "${v['node-port']}".`);
  const secretName = v['secret-name'] ?? 'broker-server-cert';
  const caName = v['client-ca-name'] ?? 'clients42-ca';
  const authName = v['auth-name'] ?? 'x509-policy';
  const spec: ApplySpecInput = { serverSecrets: [], clientCas: [], authentications: [], listeners: [] };
  if (v['server-cert']) spec.serverSecrets!.push({ name: secretName, certificateId: await cli.certificateId(v['server-cert']) });
  if (v['client-ca']) {
    spec.clientCas!.push({ name: caName, certificateIds: [await cli.certificateId(v['client-ca'], { ca: true })] });
    spec.authentications!.push({ name: authName, methods: [{ method: 'X509', trustedClientCaCert: caName }] });
  }
  const defaultName = type === 'LoadBalancer' ? 'loadbalancer-listener' : type === 'NodePort' ? 'nodeport-listener' : 'clusterip-listener';
  spec.listeners!.push({
    name: v['listener-name'] ?? defaultName,
    ...(v['service-name'] ? { serviceName: v['service-name'] } : {}),
    serviceType: type as 'LoadBalancer',
    ports: [
      {
        port,
        ...(nodePort !== undefined ? { nodePort } : {}),
        ...(v['client-ca'] ? { authenticationRef: authName } : {}),
        ...(v['server-cert'] ? { tls: { mode: 'Manual' as const, secretName } } : {}),
      },
    ],
  });
  return spec;
}

function readSpecFile(path: string): ApplySpecInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FieldbenchError('cli.fileNotFound', `Cannot read the spec file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text) as ApplySpecInput;
  } catch (err) {
    throw new FieldbenchError('cli.badSpec', `The spec file ${path} is not valid YAML or JSON: ${(err as Error).message}`);
  }
}

async function confirm(io: CliIO, question: string): Promise<boolean> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY) return false;
  const rl = createInterface({ input: stdin, output: io.stderr });
  const answer = await new Promise<string>((r) => rl.question(question, r));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

function printListeners(d: AioDiscoveryT): string {
  const lines = [`Broker resources in ${d.namespace} (${d.description}):`, '', 'Listeners:'];
  for (const l of d.listeners) {
    lines.push(`  ${l.name}${l.isDefault ? ' (default)' : ''}  ${l.serviceType}  service ${l.serviceName}${l.managers.length > 0 ? `  managed by ${l.managers.join(', ')}` : ''}`);
    for (const p of l.ports) {
      const tls = p.tls.mode === 'None' ? 'no TLS' : p.tls.mode === 'Manual' ? `TLS Manual (Secret ${p.tls.secretName ?? '?'})` : `TLS Automatic (${p.tls.issuerRef?.kind ?? '?'} ${p.tls.issuerRef?.name ?? '?'})`;
      lines.push(`    port ${p.port}${p.nodePort ? ` → nodePort ${p.nodePort}` : ''}  ${p.protocol}  ${tls}  auth ${p.authenticationRef ?? 'none'}  authz ${p.authorizationRef ?? 'none'}`);
    }
  }
  lines.push('', 'Services:');
  for (const s of d.services) lines.push(`  ${s.name}  ${s.type}  ${s.externalIps.length > 0 ? `external ${s.externalIps.join(', ')}` : `cluster ${s.clusterIp ?? '-'}`}  ports ${s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}`).join(', ')}`);
  lines.push('', 'Authentication:');
  for (const a of d.authentications) lines.push(`  ${a.name}${a.isDefault ? ' (default)' : ''}  ${a.methods.map((m) => `${m.method}${m.trustedClientCaCert ? ` (trusts ${m.trustedClientCaCert})` : ''}${m.audiences ? ` (audiences ${m.audiences.join(', ')})` : ''}`).join(', ')}`);
  if (d.authorizations.length > 0) {
    lines.push('', 'Authorization:');
    for (const a of d.authorizations) lines.push(`  ${a.name}  ${a.ruleCount} rule${a.ruleCount === 1 ? '' : 's'}`);
  }
  lines.push('', 'Certificates:');
  for (const c of d.certificates) lines.push(`  ${c.name}  Ready ${c.ready}${c.reason ? ` (${c.reason})` : ''}  ${c.issuerRef.kind} ${c.issuerRef.name}${c.listener ? `  listener ${c.listener}` : ''}`);
  lines.push('', 'Issuers:');
  for (const i of d.issuers) lines.push(`  ${i.kind} ${i.name}  ${i.type}  Ready ${i.ready}${i.message ? `  ${i.message}` : ''}`);
  lines.push('', 'Trust bundles:');
  for (const b of d.trustBundles) lines.push(`  ${b.source} ${b.name} key ${b.key}  ${b.role}  ${b.certificates.map((c) => c.subject).join('; ')}`);
  for (const w of d.warnings) lines.push('', `Note: ${w}`);
  return lines.join('\n');
}

function printDiagnostics(list: readonly DiagnosticT[]): string {
  if (list.length === 0) return 'No problems found.';
  return list.map((d) => `${d.severity.toUpperCase()}  ${d.sentence}\n  Fix: ${d.fix.label}${d.fix.action ? ' (Fieldbench can apply this: see --json for the spec)' : ''}`).join('\n\n');
}

function printPlan(plan: ApplyPlanT): string {
  const out: string[] = [`Plan for ${plan.namespace} (${plan.via}):`];
  for (const r of plan.resources) {
    out.push('', `# ${r.ref.kind} ${r.ref.name}: ${r.action}${r.dryRun.ok ? '' : ` — the server's dry run failed: ${r.dryRun.message ?? r.dryRun.code ?? ''}`}`, r.yaml.trimEnd());
    if (r.diff) out.push('', r.diff.trimEnd());
  }
  for (const i of plan.issues) out.push('', `${i.severity.toUpperCase()}  ${i.sentence}`);
  return out.join('\n');
}

function printResult(r: ApplyResultT): string {
  const lines = [r.summary, ''];
  for (const x of r.resources) lines.push(`  ${x.outcome.padEnd(13)} ${x.ref.kind} ${x.ref.name}${x.error ? `  ${x.error.message}` : ''}`);
  for (const b of r.readBack) lines.push(`  read back: ${b.ref.kind} ${b.ref.name} ${b.exists ? `exists (resourceVersion ${b.resourceVersion ?? '?'}, managed by ${b.managers.join(', ')})` : 'missing'}${b.conditions.map((c) => `  ${c.type} ${c.status}${c.reason ? ` (${c.reason})` : ''}`).join('')}`);
  return lines.join('\n');
}

async function specOf(v: Values, cli: CliApp, namespace: string): Promise<ApplySpecInput> {
  if (v.spec && (v['server-cert'] || v['client-ca'])) throw new UsageError('Give either --spec FILE or the flags, not both.');
  if (!v.spec && !v['server-cert'] && !v['client-ca'] && !v['listener-port']) throw new UsageError('Say what to apply: --spec FILE, or --server-cert/--client-ca/--listener-port.');
  const input = v.spec ? readSpecFile(v.spec) : await specFromFlags(v, cli);
  return { namespace, ...input } as ApplySpecInput;
}

/** `aio render`: the objects apply would send, with no node and no API server. */
async function render(v: Values, io: CliIO, cli: CliApp, namespace: string): Promise<number> {
  if (v.node) throw new UsageError('aio render needs no node: it builds the YAML from the vault alone. Leave out --node, or use `aio apply --dry-run` to compare with the cluster.');
  await cli.unlock();
  const spec = await specOf(v, cli, namespace);
  // The exact text (keys included) only when it goes to the file this command was told to write.
  const out = v.out ? resolve(v.out) : undefined;
  const { exactYaml, ...r } = out ? await cli.call('aio.renderExact', { spec }) : { ...(await cli.call('aio.render', { spec })), exactYaml: undefined };
  if (out && exactYaml !== undefined) {
    await writeFile(out, exactYaml, { mode: 0o600 });
    // writeFile's mode only applies to a new file; an existing one may be world-readable.
    await chmod(out, 0o600);
  }
  const problems = r.issues.map((i) => `# ${i.severity.toUpperCase()}  ${i.sentence}`);
  if (v.json) cli.print('', { ...r, ...(out ? { written: out } : {}) });
  else {
    if (!out) io.stdout.write(r.yaml);
    const note = out
      ? [`Wrote ${r.resources.length} object${r.resources.length === 1 ? '' : 's'} to ${out}${r.containsKeys ? ' (it holds private keys: keep it safe and delete it once applied)' : ''}.`]
      : r.containsKeys ? ['# Private keys are hidden here; --out FILE writes them.'] : [];
    io.stderr.write([...note, ...problems, ...RESOURCE_SYNC_NOTE].join('\n') + '\n');
  }
  return r.issues.some((i) => i.severity === 'error') ? EXIT.failed : EXIT.ok;
}

/** Where a person applies: Kubernetes-made broker resources stay invisible to Azure unless resource sync is on. */
const RESOURCE_SYNC_NOTE = ['Note: resources applied through Kubernetes do not show in the Azure portal unless resource sync is enabled on the instance.'];

/** The install's --trust-settings, when it was created with them (configMapName, configMapKey, issuerName, issuerKind). */
function trustOf(v: Values): { trust?: { configMapName?: string; configMapKey?: string; issuerName?: string; issuerKind?: 'Issuer' | 'ClusterIssuer' } } {
  const kind = v['trust-issuer-kind'];
  if (kind !== undefined && kind !== 'Issuer' && kind !== 'ClusterIssuer') throw new UsageError(`--trust-issuer-kind is Issuer or ClusterIssuer, not "${kind}".`);
  const trust: { configMapName?: string; configMapKey?: string; issuerName?: string; issuerKind?: 'Issuer' | 'ClusterIssuer' } = {
    ...(v['trust-config-map'] ? { configMapName: v['trust-config-map'] } : {}),
    ...(v['trust-key'] ? { configMapKey: v['trust-key'] } : {}),
    ...(v['trust-issuer'] ? { issuerName: v['trust-issuer'] } : {}),
    ...(kind === 'Issuer' || kind === 'ClusterIssuer' ? { issuerKind: kind } : {}),
  };
  return Object.keys(trust).length > 0 ? { trust } : {};
}

const LEVEL_MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;
const GROUP_TITLE: Record<string, string> = {
  broker: 'Broker', pods: 'Runtime health', listener: 'Listeners', authentication: 'Authentication', authorization: 'Authorization',
  certificates: 'Certificates (beyond az iot ops check)', sans: 'Server certificate names', clients: 'Client certificates', live: 'Live TLS + MQTT connect',
};

/** Detail level 0: each group's verdict and what is not passing; 1: every check; 2: every check with its fix. */
function printCheck(r: AioCheckResultT, level: number): string {
  const lines = [`Broker check of ${r.namespace} (${r.via}):`];
  for (const group of Object.keys(GROUP_TITLE)) {
    const items = r.checks.filter((c) => c.group === group);
    if (items.length === 0) continue;
    const worst = items.some((c) => c.level === 'fail') ? 'fail' : items.some((c) => c.level === 'warn') ? 'warn' : items.every((c) => c.level === 'skip') ? 'skip' : 'pass';
    lines.push('', `${LEVEL_MARK[worst]}  ${GROUP_TITLE[group]}`);
    for (const c of items) {
      if (level === 0 && c.level === 'pass') continue;
      lines.push(`  ${LEVEL_MARK[c.level]}  ${c.target}: ${c.sentence}`);
      if (level >= 2 && c.fix) lines.push(`        Fix: ${c.fix}`);
    }
  }
  lines.push('', `${r.summary.pass} passed, ${r.summary.warn} warning${r.summary.warn === 1 ? '' : 's'}, ${r.summary.fail} failed, ${r.summary.skip} skipped.`);
  return lines.join('\n');
}

async function runSub(sub: string | undefined, v: Values, io: CliIO, cli: CliApp): Promise<number> {
  const out = (human: string, data: unknown): void => cli.print(human, data);
  const namespace = v.namespace ?? 'azure-iot-operations';
  if (!['listeners', 'diagnose', 'check', 'trust-bundle', 'apply', 'render'].includes(sub ?? '')) throw new UsageError(sub ? `There is no "aio ${sub}".` : 'Say what to do: listeners, diagnose, check, trust-bundle, apply or render.');
  if (sub === 'render') return render(v, io, cli, namespace);
  if (!v.node) throw new UsageError('Say which node with --node NAME (see `fieldbench node list`).');
  await cli.unlock();
  const nodeId = (await cli.node(v.node)).id;
  switch (sub) {
    case 'listeners': {
      const d = await cli.call('aio.discover', { nodeId, namespace }, true);
      out(printListeners(d), d);
      return EXIT.ok;
    }
    case 'check': {
      const level = Number(v['detail-level'] ?? '0');
      if (![0, 1, 2].includes(level)) throw new UsageError(`--detail-level is 0, 1 or 2, not "${v['detail-level']}".`);
      const wait = v.wait !== undefined ? Number(v.wait) : 0;
      if (!Number.isFinite(wait) || wait < 0 || wait > 600) throw new UsageError(`--wait takes seconds between 0 and 600, not "${v.wait}".`);
      const r = await cli.call('aio.check', { nodeId, namespace, nodeAddresses: v.address ?? [], live: !v['no-live'], issuanceWaitMs: Math.round(wait * 1000), ...trustOf(v) }, true);
      out(printCheck(r, level), r);
      return r.summary.fail > 0 ? EXIT.failed : EXIT.ok;
    }
    case 'diagnose': {
      const r = await cli.call('aio.diagnose', { nodeId, namespace, nodeAddresses: v.address ?? [], ...trustOf(v) }, true);
      out(printDiagnostics(r.diagnostics), r.diagnostics);
      return r.diagnostics.some((d) => d.severity === 'error') ? EXIT.failed : EXIT.ok;
    }
    case 'trust-bundle': {
      const r = await cli.call('aio.importTrustBundle', { nodeId, namespace, source: v.secret ? 'Secret' : 'ConfigMap', ...(v.name ? { name: v.name } : {}), ...(v.key ? { key: v.key } : {}) }, true);
      out(`Imported ${r.imported} certificate${r.imported === 1 ? '' : 's'} from ${r.source.kind} ${r.source.name} (key ${r.source.key}) into the vault${r.duplicates > 0 ? `; ${r.duplicates} ${r.duplicates === 1 ? 'was' : 'were'} already there` : ''}:\n${r.certificates.map((c) => `  ${c.subject}  ${c.certificateId}`).join('\n')}`, r);
      return EXIT.ok;
    }
    default: {
      const spec = await specOf(v, cli, namespace);
      const force = v.force ?? false;
      const plan = await cli.call('aio.plan', { nodeId, spec, force }, true);
      if (v['dry-run']) {
        out(printPlan(plan), plan);
        return plan.canApply ? EXIT.ok : EXIT.failed;
      }
      if (!v.json) io.stdout.write(`${printPlan(plan)}\n\n`);
      if (!plan.canApply) {
        const conflicts = plan.resources.some((r) => r.conflictsWith.length > 0);
        io.stderr.write(`Nothing was applied: ${conflicts && !force ? 'fields are owned by another field manager; run again with --force to take them over.' : 'fix the problems above first.'}\n`);
        if (v.json) io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        return EXIT.failed;
      }
      if (!v.yes && !(await confirm(io, `Apply ${plan.resources.length} resource${plan.resources.length === 1 ? '' : 's'} to ${v.node}? [y/N] `))) {
        io.stderr.write(`Nothing was applied. ${(io.stdin as NodeJS.ReadStream).isTTY ? '' : 'Pass --yes to apply without a terminal.'}\n`);
        return (io.stdin as NodeJS.ReadStream).isTTY ? EXIT.failed : EXIT.usage;
      }
      const r = await cli.call('aio.apply', { nodeId, spec, force }, true);
      out(printResult(r), r);
      if (!v.json && r.complete) io.stderr.write(`${RESOURCE_SYNC_NOTE.join('\n')}\n`);
      return r.complete ? EXIT.ok : EXIT.failed;
    }
  }
}

export const aioCommand: CliCommand = {
  name: 'aio',
  summary: 'See, apply and diagnose the AIO MQTT broker listeners, policies and certificates on a node.',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parse(args);
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    const cli = new CliApp(values, io);
    try {
      return await runSub(sub, values, io, cli);
    } finally {
      await cli.close();
    }
  },
};

/** The AIO broker area's CLI commands (fieldbench aio …). */
export const aioCommands: CliCommand[] = [aioCommand];
