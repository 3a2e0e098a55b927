import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The node-red devDependency's entry point, started as its own process like `npx node-red`. */
const RED = join(process.cwd(), 'node_modules', 'node-red', 'red.js');

export interface NodeRed {
  readonly url: string;
  /** Everything the runtime logged so far (connections, TLS errors). */
  log(): string;
  /** Replaces the running flows the way the editor's Import + Deploy does (POST /flows, full deploy). */
  deploy(flows: unknown[]): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Node-RED headless with its own user dir and settings: loopback only, no editor auth, no projects. */
export async function startNodeRed(dir: string): Promise<NodeRed> {
  const userDir = join(dir, 'node-red');
  mkdirSync(userDir, { recursive: true });
  const port = await freePort();
  const settings = join(userDir, 'settings.js');
  writeFileSync(
    settings,
    `module.exports = ${JSON.stringify({
      uiPort: port,
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      // A fixed secret: credentials of imported flows are stored encrypted, as on a real install.
      credentialSecret: 'fieldbench-test',
      logging: { console: { level: 'info', metrics: false, audit: false } },
      telemetry: { enabled: false },
      diagnostics: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      editorTheme: { projects: { enabled: false }, tours: false },
    })};\n`,
  );
  writeFileSync(join(userDir, 'flows.json'), '[]\n');
  const child: ChildProcess = spawn(process.execPath, [RED, '--settings', settings, '--userDir', userDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' } });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const waitForLog = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = output.match(pattern);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`Node-RED did not log ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      listeners.add(check);
      void exited.then(() => reject(new Error(`Node-RED exited:\n${output}`)));
      check();
    });
  const url = `http://127.0.0.1:${port}`;
  await waitForLog(/Started flows/, 60_000);
  return {
    url,
    log: () => output,
    waitForLog,
    async deploy(flows) {
      const res = await fetch(`${url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v1' }, body: JSON.stringify(flows) });
      if (res.status !== 204 && res.status !== 200) throw new Error(`Node-RED refused the flow (${res.status}): ${await res.text()}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
