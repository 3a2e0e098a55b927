import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detached, probeScript, verifyScript } from '../../../src/main/services/network/node-scripts';

// Issue 10 row 10: the scripts are fed a hostile value directly, bypassing the validation in front of them,
// and really run by sh and bash here. Whatever reaches a nested `bash -c` must arrive as an argument.
const HOSTILE = '127.0.0.1/1;echo INJECTED;#';
const dir = mkdtempSync(join(tmpdir(), 'fb-inject-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string): string {
  try {
    return execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

describe('node scripts take values as arguments, never as shell text', () => {
  // bash's own error messages quote the rejected address, so "printed INJECTED" means a line of its own.
  const ran = (out: string) => out.split('\n').some((l) => l.trim() === 'INJECTED');
  // The gateway check discards the nudge's output, so a marker file shows whether anything ran.
  const marker = join(dir, 'ran');
  const touching = `127.0.0.1/1;touch ${marker};#`;

  it('the address probe does not run what an address smuggles in', () => {
    const out = run(probeScript('lo', HOSTILE));
    expect(out).toContain('@@end');
    expect(ran(out)).toBe(false);
    run(probeScript('lo', touching));
    expect(existsSync(marker)).toBe(false);
  });

  it('the gateway check does not run what a gateway smuggles in', () => {
    const out = run(verifyScript('lo', HOSTILE, undefined));
    expect(out).toContain('@@end');
    expect(ran(out)).toBe(false);
    run(verifyScript('lo', touching, undefined));
    expect(existsSync(marker)).toBe(false);
  });

  it('a detached command receives its values verbatim', async () => {
    const out = join(dir, 'arg.txt');
    const marker = join(dir, 'INJECTED');
    const hostile = `x'; touch ${marker}; '"$(touch ${marker})"`;
    run(detached('fieldbench-test-unit', 'printf %s "$1" > "$2"', [hostile, out]));
    for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(out, 'utf8')).toBe(hostile);
    expect(existsSync(marker)).toBe(false);
  });
});
