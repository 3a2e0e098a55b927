import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFieldbenchSync, spawnFieldbench } from '../../support/cli/fieldbench-cli';
import pkg from '../../../package.json';

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runFieldbenchSync(args, { env });

describe('fieldbench CLI', () => {
  it('prints its version and help', () => {
    expect(run(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    expect(help.stdout).toMatch(/doctor/);
    expect(help.stdout).toMatch(/Exit codes/);
  });

  it('says what is wrong with a bad command line, on stderr, with exit code 2', () => {
    const unknown = run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/There is no command "frobnicate"/);
    expect(unknown.stdout).toBe('');
    const badPort = run(['serve', '--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a whole number/);
    expect(run([]).code).toBe(2);
  });

  it('doctor reports the tools truthfully', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fb-doctor-'));
    const r = run(['doctor', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { tools: Array<{ id: string; found: boolean; path?: string }>; dataDir: { path: string; writable: boolean } };
    for (const tool of report.tools) {
      const which = spawnSync('sh', ['-c', `command -v ${tool.id}`], { encoding: 'utf8' });
      expect({ id: tool.id, found: tool.found }).toEqual({ id: tool.id, found: which.status === 0 });
      if (tool.found) expect(tool.path).toBe(which.stdout.trim());
    }
    expect(report.dataDir).toMatchObject({ path: dataDir, writable: true });
    // With an empty PATH nothing is found, and doctor says so rather than guessing.
    const bare = JSON.parse(run(['doctor', '--json', '--data-dir', dataDir], { PATH: '' }).stdout) as typeof report;
    expect(bare.tools.every((t) => !t.found)).toBe(true);
  });

  it('serve prints an address, a token and a launcher, refuses the API without the token, and stops on Ctrl+C', async () => {
    const child = spawnFieldbench(['serve', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'fb-serve-'))]);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)\n[^]*Access token: ([\w-]+)\n[^]*Launcher[^\n]*: (file:\S+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    const u = new URL(url);
    const token = /Access token: ([\w-]+)/.exec(out)![1]!;
    expect(url).not.toContain(token);
    expect((await fetch(`${u.origin}/session`, { method: 'POST', body: new URLSearchParams({ ticket: 'wrong' }) })).status).toBe(401);
    const launcher = readFileSync(fileURLToPath(/Launcher[^\n]*: (file:\S+)\n/.exec(out)![1]!), 'utf8');
    expect(launcher).not.toContain(token);
    const ticket = /name="ticket" value="([\w-]+)"/.exec(launcher)![1]!;
    const opened = await fetch(`${u.origin}/session`, { method: 'POST', body: new URLSearchParams({ ticket }), redirect: 'manual' });
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain(token);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped/);
  });
});
