import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFieldbenchSync, type CliRunOptions } from '../../support/cli/fieldbench-cli';

const run = (args: string[], opts: CliRunOptions = {}) => runFieldbenchSync(args, opts);

describe('fieldbench vault', () => {
  it('creates a vault from --password-stdin, shows it, changes its password, and refuses a wrong one with exit 4', () => {
    const vault = join(mkdtempSync(join(tmpdir(), 'fb-vcli-')), 'field.fbv');
    const created = run(['vault', 'create', '--vault', vault, '--password-stdin', '--json'], { input: 'a long enough password\n' });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ path: vault, exists: true, unlocked: true });

    const info = run(['vault', 'info', '--vault', vault]);
    expect(info.code).toBe(0);
    const mib = Number(info.stdout.match(/Argon2id, (\d+) MiB/)?.[1]);
    expect(mib).toBeGreaterThanOrEqual(64);

    const passwd = run(['vault', 'passwd', '--vault', vault], { env: { FIELDBENCH_VAULT_PASSWORD: 'a long enough password', FIELDBENCH_VAULT_NEW_PASSWORD: 'another long password' } });
    expect(passwd.stderr).toBe('');
    expect(passwd.code).toBe(0);

    const wrong = run(['vault', 'passwd', '--vault', vault], { env: { FIELDBENCH_VAULT_PASSWORD: 'a long enough password', FIELDBENCH_VAULT_NEW_PASSWORD: 'x'.repeat(12) } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/password does not open this vault/i);
  });

  it('never takes the password from the command line and says how to give it', () => {
    const vault = join(mkdtempSync(join(tmpdir(), 'fb-vcli-')), 'v.fbv');
    const r = run(['vault', 'create', '--vault', vault]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FIELDBENCH_VAULT_PASSWORD/);
    expect(run(['vault', 'create', '--vault', vault, '--password', 'x']).code).toBe(2);
  });

  it('says plainly when there is no vault', () => {
    const r = run(['vault', 'info', '--vault', join(tmpdir(), 'does-not-exist.fbv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/There is no vault at/);
  });
});
