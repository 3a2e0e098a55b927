import { CliApp } from '../cli-app';
import { EXIT, parseCommandLine, type CliCommand } from '../cli-command';

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'Check the external tools, the data folder and the Electron runtime.',
  usage: 'fieldbench doctor [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parseCommandLine(args, { 'data-dir': { type: 'string' }, json: { type: 'boolean' } }, false);
    const cli = new CliApp({ 'data-dir': values['data-dir'], json: values.json }, io);
    try {
      // app.doctor, as the desktop's doctor dialog asks it; composing the app creates no data folder.
      const report = await cli.call('app.doctor', {});
      const out: string[] = ['External tools:'];
      for (const t of report.tools) {
        out.push(t.found ? `  ok       ${t.label}${t.version ? ` ${t.version}` : ''} (${t.path})` : `  missing  ${t.label}: used for ${t.usedFor}. ${t.hint ?? ''}`);
      }
      const d = report.dataDir;
      out.push('Data folder:', `  ${d.exists ? (d.writable ? 'ok      ' : 'read-only') : 'new     '} ${d.path}${d.exists ? '' : ' (created on first use)'}`);
      const e = report.electron;
      out.push('Desktop runtime:', `  ${e.found ? `ok       Electron (${e.path})` : 'missing  Electron runtime'}`, ...(e.hint ? [`           ${e.hint}`] : []));
      cli.print(out.join('\n'), report);
      return report.dataDir.writable ? EXIT.ok : EXIT.environment;
    } finally {
      await cli.close();
    }
  },
};
