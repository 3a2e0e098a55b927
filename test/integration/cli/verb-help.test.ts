import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../../src/cli/run-cli';

/** Runs the CLI in this process (help needs no vault and no build) and collects what it prints. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (chunk: Buffer, _e, cb) => (add(chunk.toString()), cb()) });
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(argv, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), stdin, env: {}, interrupted: new Promise(() => {}) });
  return { code, stdout, stderr };
}

const areas = COMMANDS.filter((c) => c.verbs);

describe('fieldbench <area> <verb> --help is that verb\'s help', () => {
  it('every area with subcommands declares its verbs', () => {
    // serve and doctor take no verb; every other command does.
    expect(COMMANDS.filter((c) => !c.verbs).map((c) => c.name).sort()).toEqual(['doctor', 'serve']);
  });

  for (const area of areas) {
    for (const verb of area.verbs!) {
      it(`${area.name} ${verb.name} --help`, async () => {
        const r = await cli([area.name, verb.name, '--help']);
        expect(r.code).toBe(0);
        expect(r.stdout.startsWith(`Usage: fieldbench ${area.name} ${verb.name}`)).toBe(true);
        for (const option of verb.options) {
          // The option is one the area's parser knows, and the verb's help names it.
          expect(Object.keys(verb.parser ?? area.options ?? {}), `${area.name} ${verb.name} has no --${option}`).toContain(option);
          expect(r.stdout, `${area.name} ${verb.name} --help does not name --${option}`).toMatch(new RegExp(`--${option}(?![\\w-])`));
        }
        // Not the whole area's help: no other verb's synopsis.
        for (const other of area.verbs!.filter((v) => v !== verb)) {
          const synopsis = other.usage.split('\n')[0]!.trim();
          if (!verb.usage.includes(synopsis)) expect(r.stdout, `${area.name} ${verb.name} --help shows "${other.name}"`).not.toContain(synopsis);
        }
        expect((await cli([area.name, verb.name, '-h'])).stdout).toBe(r.stdout);
      });
    }
  }

  it('finds the verb behind options that take values, and keeps the area help without one', async () => {
    const r = await cli(['pki', '--vault', '/nowhere/v.fbv', 'show', '--help']);
    expect(r.stdout).toMatch(/^Usage: fieldbench pki show REF \[--pem \[--chain\]\]/);
    expect(r.stdout).not.toMatch(/create root/);
    const area = await cli(['pki', '--help']);
    expect(area.stdout).toMatch(/create root NAME/);
    expect(area.stdout).toMatch(/remove REF/);
  });

  it('a wrong command line of one verb prints that verb\'s usage, with exit code 2', async () => {
    const r = await cli(['pki', 'show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Say which certificate to show \(its id or common name\)\.\nUsage: fieldbench pki show REF/);
    expect(r.stderr).not.toMatch(/create root/);
  });
});
