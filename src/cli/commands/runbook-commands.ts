import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunRecord } from '@shared/contract/runbooks-contract';
import { CliApp } from '../cli-app';
import { areaUsage, EXIT, parseCommandLine, UsageError, type CliCommand, type CliVerb } from '../cli-command';

/** Runbook outcomes a script can tell apart (terraform's -detailed-exitcode idea, clear of 2 = usage). */
export const RUNBOOK_EXIT = { unchanged: EXIT.ok, failed: EXIT.failed, changed: 10, paused: 11 } as const;

const PARAMS_NOTE = 'PARAMS: --param name=value (repeat; lists comma-separated). Other: --technician NAME, --pause-after STEP.';
const VERBS: readonly CliVerb[] = [
  { name: 'list', usage: '  list                      the built-in runbooks and the ones saved in the vault', options: [] },
  { name: 'show', usage: "  show NAME                 a runbook's YAML (copy it, edit it, save it under your own name)", options: [] },
  { name: 'validate', usage: '  validate FILE             check a runbook YAML; every problem with its line', options: [] },
  { name: 'save', usage: '  save FILE                 keep a runbook in the vault', options: [] },
  { name: 'plan', usage: '  plan NAME|FILE PARAMS     dry run: what every step would change, nothing is changed', options: ['param', 'technician'], notes: PARAMS_NOTE },
  { name: 'run', usage: '  run NAME|FILE PARAMS      run it; risky steps (network, default listener) need --confirm STEP', options: ['param', 'confirm', 'technician', 'pause-after'], notes: PARAMS_NOTE },
  { name: 'resume', usage: '  resume RUN [--confirm S] [--pause-after STEP]\n                            continue a paused, failed or interrupted run from the step it was in', options: ['confirm', 'pause-after'] },
  { name: 'runs', usage: '  runs [--node NODE]        the runs kept in the vault (NODE: a node name or id)', options: ['node'] },
  { name: 'verify', usage: "  verify RUN | --node NODE  re-run every check of a run (the node's last one) and list what drifted", options: ['node'] },
  { name: 'report', usage: '  report RUN [--out F.html] [--pdf F.pdf] [--site NAME]   the commissioning report', options: ['out', 'pdf', 'site'] },
  { name: 'sign', usage: '  sign RUN --technician NAME --witness NAME               sign off a finished run', options: ['technician', 'witness'] },
];
const COMMON_HELP = `Common: --json, --data-dir DIR, --vault PATH, --password-stdin.
Exit codes: 0 nothing changed (or no drift), 10 changed, 11 paused (confirm or resume), 1 failed or drifted.`;

const USAGE = areaUsage(`fieldbench runbook list|show|validate|save|plan|run|resume|runs|verify|report|sign [options]`, VERBS, `${PARAMS_NOTE}
${COMMON_HELP}`);

const OPTIONS = {
  param: { type: 'string', multiple: true },
  confirm: { type: 'string', multiple: true },
  technician: { type: 'string' },
  witness: { type: 'string' },
  site: { type: 'string' },
  node: { type: 'string' },
  out: { type: 'string' },
  pdf: { type: 'string' },
  'pause-after': { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  vault: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

const looksLikeFile = (ref: string) => ref.endsWith('.yaml') || ref.endsWith('.yml') || ref.includes('/');

function stateText(run: RunRecord): string {
  const mark: Record<string, string> = { done: 'changed', unchanged: 'ok', planned: 'would change', failed: 'FAILED', paused: 'PAUSED', pending: '-', cancelled: 'cancelled' };
  const lines = [`${run.title} — run ${run.id}: ${run.state}`];
  for (const s of run.steps) {
    lines.push(`  ${(mark[s.state] ?? s.state).padEnd(12)} ${s.title} (${s.id})`);
    for (const c of s.changes) if (s.state === 'planned' || s.state === 'paused') lines.push(`               ${c.action} ${c.target}${c.detail ? `: ${c.detail}` : ''}`);
    if (s.error) lines.push(`               ${s.error}`);
  }
  lines.push(run.log.at(-1)?.message ?? '');
  return lines.join('\n');
}

function exitOf(run: RunRecord): number {
  if (run.state === 'failed') return RUNBOOK_EXIT.failed;
  if (run.state === 'paused' || run.state === 'cancelled') return RUNBOOK_EXIT.paused;
  if (run.state === 'planned') return run.steps.some((s) => s.state === 'planned') ? RUNBOOK_EXIT.changed : RUNBOOK_EXIT.unchanged;
  return run.changed > 0 ? RUNBOOK_EXIT.changed : RUNBOOK_EXIT.unchanged;
}

export const runbookCommand: CliCommand = {
  name: 'runbook',
  summary: 'Run the field flows end to end (plan, run, resume, verify) and print the commissioning report.',
  usage: USAGE,
  verbs: VERBS,
  options: OPTIONS,
  commonHelp: COMMON_HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, OPTIONS);
    const [verb, ref] = positionals;
    if (!verb) throw new UsageError('Say what to do: list, show, plan, run, resume, runs, verify, report or sign.');
    const cli = new CliApp(values, io);
    const need = (what: string) => {
      if (!ref) throw new UsageError(`Give the ${what}.`);
      return ref;
    };
    try {
      switch (verb) {
        case 'list': {
          const { runbooks } = await cli.call('runbooks.list', {});
          cli.print(runbooks.map((r) => `${r.name.padEnd(30)} ${r.title}${r.builtIn ? '' : ' (saved)'}`).join('\n'), runbooks);
          return EXIT.ok;
        }
        case 'show': {
          const r = await cli.call('runbooks.show', { name: need('runbook name') });
          cli.print(r.yaml.trimEnd(), r);
          return EXIT.ok;
        }
        case 'validate':
        case 'save': {
          const yaml = readFileSync(need('runbook file'), 'utf8');
          const v = await cli.call('runbooks.validate', { yaml });
          if (!v.ok) {
            cli.print(v.problems.map((p) => `${ref}:${p.line}:${p.column}: ${p.message}`).join('\n'), v);
            return EXIT.failed;
          }
          if (verb === 'save') {
            await cli.unlock();
            const info = await cli.call('runbooks.save', { yaml });
            cli.print(`Saved "${info.name}" in the vault.`, info);
          } else cli.print(`${ref}: no problems.`, v);
          return EXIT.ok;
        }
        case 'plan':
        case 'run': {
          const name = need('runbook name or file');
          await cli.unlock();
          const source = looksLikeFile(name) ? { yaml: readFileSync(name, 'utf8') } : { name };
          const info = 'name' in source ? (await cli.call('runbooks.show', { name })).info : (await cli.call('runbooks.validate', { yaml: source.yaml })).info;
          if (!info) throw new UsageError(`${name} has problems; run \`fieldbench runbook validate ${name}\`.`);
          if (info.warning) io.stderr.write(`Warning: ${info.warning}\n`);
          const params: Record<string, string | number | boolean | string[]> = {};
          for (const p of values.param ?? []) {
            const eq = p.indexOf('=');
            if (eq < 1) throw new UsageError(`--param ${p}: write it as name=value.`);
            const key = p.slice(0, eq);
            const raw = p.slice(eq + 1);
            const type = info.params.find((x) => x.name === key)?.type;
            params[key] = type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : type === 'boolean' && /^(true|false)$/.test(raw) ? raw === 'true' : type === 'list' ? raw.split(',').map((x) => x.trim()).filter(Boolean) : raw;
          }
          const run = await cli.call('runbooks.run', { source, params, dryRun: verb === 'plan', confirm: values.confirm ?? [], ...(values.technician ? { technician: values.technician } : {}), ...(values['pause-after'] ? { pauseAfter: values['pause-after'] } : {}) }, true);
          cli.print(stateText(run), run);
          return exitOf(run);
        }
        case 'resume': {
          await cli.unlock();
          const run = await cli.call('runbooks.resume', { runId: need('run id'), confirm: values.confirm ?? [], ...(values['pause-after'] ? { pauseAfter: values['pause-after'] } : {}) }, true);
          cli.print(stateText(run), run);
          return exitOf(run);
        }
        case 'runs': {
          await cli.unlock();
          const { runs } = await cli.call('runbooks.runs', values.node ? { node: (await cli.node(values.node)).name } : {});
          cli.print(runs.map((r) => `${r.id}  ${r.state.padEnd(9)} ${r.runbook}${r.node ? ` on ${r.node}` : ''}  ${r.updatedAt.slice(0, 16)}${r.signed ? '  signed' : ''}${r.dryRun ? '  (plan)' : ''}`).join('\n') || 'No runs yet.', runs);
          return EXIT.ok;
        }
        case 'verify': {
          await cli.unlock();
          let runId = ref;
          if (!runId) {
            if (!values.node) throw new UsageError('Give the run id, or --node NODE for its last finished run.');
            const node = (await cli.node(values.node)).name;
            const { runs } = await cli.call('runbooks.runs', { node });
            runId = runs.find((r) => r.state === 'done' && !r.dryRun)?.id;
            if (!runId) throw new UsageError(`Node "${node}" has no finished run to verify.`);
          }
          const v = await cli.call('runbooks.verify', { runId }, true);
          const human = v.drifted
            ? [`Drifted since run ${runId}: fingerprint ${v.fingerprintThen} → ${v.fingerprintNow}`, ...v.items.map((i) => `  ${i.step}: ${i.check} changed (was ${i.before.slice(0, 60)}, now ${i.now.slice(0, 60)})`)].join('\n')
            : `No drift since run ${runId}: fingerprint ${v.fingerprintNow}.`;
          cli.print(human, v);
          return v.drifted ? EXIT.failed : EXIT.ok;
        }
        case 'report': {
          await cli.unlock();
          const r = await cli.call('runbooks.report', { runId: need('run id'), ...(values.site ? { site: values.site } : {}) });
          if (values.out) writeFileSync(values.out, r.html, { flag: 'wx', mode: 0o644 });
          let pdfNote = '';
          if (values.pdf) {
            // runbooks.reportPdf, as the Runbooks page prints it (the runtime's printer, never over an existing file).
            const p = await cli.call('runbooks.reportPdf', { runId: need('run id'), ...(values.site ? { site: values.site } : {}), out: resolve(values.pdf) });
            pdfNote = p.written ? ` PDF: ${values.pdf}.` : ` No PDF: ${p.reason}`;
            if (!p.written && !values.out) writeFileSync(values.pdf.replace(/\.pdf$/i, '') + '.html', r.html, { flag: 'wx', mode: 0o644 });
          }
          if (!values.out && !values.pdf) io.stdout.write(r.html);
          else cli.print(`Report of ${ref}: fingerprint ${r.fingerprint}, ${r.punchList} open item(s).${values.out ? ` HTML: ${values.out}.` : ''}${pdfNote}`, { fingerprint: r.fingerprint, punchList: r.punchList });
          return EXIT.ok;
        }
        case 'sign': {
          if (!values.technician || !values.witness) throw new UsageError('Give --technician NAME and --witness NAME.');
          await cli.unlock();
          const run = await cli.call('runbooks.signOff', { runId: need('run id'), technician: values.technician, witness: values.witness });
          cli.print(`Signed: ${run.signedOff?.technician}, witnessed by ${run.signedOff?.witness}; fingerprint ${run.signedOff?.fingerprint}.`, run.signedOff);
          return EXIT.ok;
        }
        default:
          throw new UsageError(`There is no "runbook ${verb}".`);
      }
    } finally {
      await cli.close();
    }
  },
};

export const runbookCommands: CliCommand[] = [runbookCommand];
