import { defaultDataDir } from '../../main/services/app/data-dir';
import { runDoctor } from '../../main/services/app/doctor';
import { projectRoot } from '../cli-paths';
import { EXIT, parseCommandLine, type CliCommand } from '../cli-command';

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'Check the external tools, the data folder and the Electron runtime.',
  usage: 'fieldbench doctor [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseCommandLine(args, { 'data-dir': { type: 'string' }, json: { type: 'boolean' } }, false);
    const report = await runDoctor({ dataDir: values['data-dir'] ?? defaultDataDir(io.env), projectRoot: projectRoot(), env: io.env });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const out: string[] = ['External tools:'];
      for (const t of report.tools) {
        out.push(t.found ? `  ok       ${t.label}${t.version ? ` ${t.version}` : ''} (${t.path})` : `  missing  ${t.label}: used for ${t.usedFor}. ${t.hint ?? ''}`);
      }
      const d = report.dataDir;
      out.push('Data folder:', `  ${d.exists ? (d.writable ? 'ok      ' : 'read-only') : 'new     '} ${d.path}${d.exists ? '' : ' (created on first use)'}`);
      const e = report.electron;
      out.push('Desktop runtime:', `  ${e.found ? `ok       Electron (${e.path})` : 'missing  Electron runtime'}`, ...(e.hint ? [`           ${e.hint}`] : []));
      io.stdout.write(`${out.join('\n')}\n`);
    }
    return report.dataDir.writable ? EXIT.ok : EXIT.environment;
  },
};
