import { spawn } from 'node:child_process';
import { composeApp } from '../../main/compose';
import { defaultDataDir, ensureDataDir } from '../../main/services/app/data-dir';
import { startLoopbackHost } from '../../main/host/loopback-host';
import { builtRendererDir, projectRoot } from '../cli-paths';
import { EXIT, parseCommandLine, UsageError, type CliCommand } from '../cli-command';

/** Opens the launcher file: its path, unlike a token URL, tells nobody reading the process list anything. */
function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : process.platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the app to a browser on this machine (127.0.0.1 only, token required).',
  usage: 'fieldbench serve [--port N] [--data-dir DIR] [--open]',
  async run(args, io) {
    const { values } = parseCommandLine(args, { port: { type: 'string' }, 'data-dir': { type: 'string' }, open: { type: 'boolean' } }, false);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
    const dataDir = values['data-dir'] ?? defaultDataDir(io.env);

    let context;
    try {
      // A host runs for hours: a data folder it cannot use is said at start, not at the first save.
      ensureDataDir(dataDir);
      context = composeApp({ dataDir, runtime: 'loopback-host', projectRoot: projectRoot() });
    } catch (err) {
      io.stderr.write(`Fieldbench cannot use the data folder ${dataDir}: ${(err as Error).message}\n`);
      return EXIT.environment;
    }
    let host;
    try {
      host = await startLoopbackHost({ context, rendererDir: builtRendererDir(io.env), port });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      io.stderr.write(e.code === 'EADDRINUSE' ? `Port ${port} is already in use. Choose another with --port, or --port 0 for any free port.\n` : `${e.message}\n`);
      await context.dispose();
      return EXIT.environment;
    }
    io.stdout.write(`Fieldbench is serving on ${host.url}\n`);
    io.stdout.write(`Access token: ${host.token}\n`);
    io.stdout.write(`Launcher (opens the app without typing the token; this user only): ${host.launcherUrl}\n`);
    io.stdout.write(
      `Data folder: ${dataDir}\nOpen the launcher in a browser on this machine, or open the address and paste the token when the page asks (through an SSH tunnel too). The token is new at every start. Press Ctrl+C to stop.\n`,
    );
    if (values.open) openInBrowser(host.launcherUrl);
    await io.interrupted;
    await host.close();
    await context.dispose();
    io.stdout.write('Fieldbench host stopped.\n');
    return EXIT.ok;
  },
};
