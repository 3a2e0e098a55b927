import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from '../../support/cli/cli-in-process';
import { composeApp } from '../../../src/main/compose';
import { EXPORT_TARGETS } from '@shared/contract/exports-contract';
import { seed001Vault, type Seed001 } from './export-fixture';

const PASSWORD = 'long enough pw';

const cli = cliInProcess;

describe('fieldbench export', () => {
  let s: Seed001;
  let vault: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    s = await seed001Vault();
    vault = join(s.dir, 'data', 'vault.fbv');
    // The CLI opens the vault file itself, as a second Fieldbench would.
    await s.app.dispose();
    env = { FIELDBENCH_VAULT_PASSWORD: PASSWORD, FIELDBENCH_DATA_DIR: join(s.dir, 'data') };
  }, 60_000);
  afterAll(() => rmSync(s.dir, { recursive: true, force: true }));

  it('--help lists every target on one line', async () => {
    const r = await cli(['export', '--help']);
    expect(r.code).toBe(0);
    for (const [t, line] of Object.entries(EXPORT_TARGETS)) expect(r.stdout).toMatch(new RegExp(`^  ${t.replace('-', '\\-')} +${line.slice(0, 20).replace(/[()+.]/g, '\\$&')}`, 'm'));
  });

  it('a key does not leave without confirmation: refused without a terminal or --yes, written with --yes', async () => {
    const out = join(s.dir, 'cli-pem');
    const refused = await cli(['export', 'pem', '--cert', 'client42a', '--out', out, '--include-key', '--vault', vault], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/private key of client42a\. Nothing was written/);
    expect(existsSync(out)).toBe(false);
    const ok = await cli(['export', 'pem', '--cert', 'client42a', '--cert', 'Clients42 Root CA', '--out', out, '--include-key', '--yes', '--vault', vault], { env });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Private keys in it: client42a, Clients42 Root CA/);
    expect(statSync(join(out, 'client42a.key')).mode & 0o777).toBe(0o600);
    const app = composeApp({ dataDir: join(s.dir, 'data'), runtime: 'cli' });
    try {
      await app.dispatcher.dispatch('vault.unlock', { password: PASSWORD });
      const log = await app.dispatcher.dispatch('exports.log', {});
      expect(log).toMatchObject({ ok: true, value: { entries: [{ target: 'pem', path: out, keys: ['client42a', 'Clients42 Root CA'] }] } });
    } finally {
      await app.dispose();
    }
    // Written again into the same folder: refused, the first export untouched.
    const again = await cli(['export', 'pem', '--cert', 'client42a', '--out', out, '--vault', vault], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('--password-stdin and --passphrase-stdin share stdin: a PKCS#12 openssl opens with that passphrase', async () => {
    const out = join(s.dir, 'cli-p12');
    const r = await cli(['export', 'pkcs12-legacy', '--cert', 'client42b', '--out', out, '--include-key', '--yes', '--password-stdin', '--passphrase-stdin', '--vault', vault, '--json'], { stdin: `${PASSWORD}\nplc passphrase\n` });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { keys: Array<{ commonName: string }>; files: Array<{ path: string }> };
    expect(result.keys.map((k) => k.commonName)).toEqual(['client42b']);
    const info = spawnSync('openssl', ['pkcs12', '-info', '-noout', '-legacy', '-in', join(out, 'client42b.p12'), '-passin', 'pass:plc passphrase'], { encoding: 'utf8' });
    expect(info.status, info.stderr).toBe(0);
    expect(JSON.stringify(result)).not.toMatch(/plc passphrase/);
  });

  it('--plan shows the files and what each is for; wrong usage gets a sentence and exit 2', async () => {
    const plan = await cli(['export', 'node-red', '--cert', 'client42a', '--cert', 'mqtts-endpoint', '--ca', 'AIO42 Root CA', '--broker', '192.168.2.196:8883', '--include-key', '--plan', '--vault', vault], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/flows\.json +Node-RED flow/);
    expect(plan.stdout).toMatch(/certs\/client42a\.key .*\[0600\]/);
    expect((await cli(['export', 'nodered', '--cert', 'x', '--out', 'y'], { env })).stderr).toMatch(/no export target "nodered"/);
    expect((await cli(['export', 'pem', '--cert', 'client42a', '--out', 'y', '--broker', 'nohost'], { env })).code).toBe(2);
  });
});
