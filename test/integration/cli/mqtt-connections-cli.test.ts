import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';
import { cliInProcess } from '../../support/cli/cli-in-process';
import { seed001Vault, type Seed001 } from '../exports/export-fixture';
import { mqttxParse, mqttxVerify } from '../exports/mqttx-import-rules';

const PASSWORD = 'long enough pw';

const cli = (args: string[], env: NodeJS.ProcessEnv) => cliInProcess(args, { env });

interface Profile {
  id: string;
  name: string;
  url: string;
  tls?: { ca: { source: string; certificateId?: string; path?: string }; clientCertificate?: { source: string; certificateId?: string; certPath?: string } };
}

/** An empty vault in its own data folder, for imports. */
async function emptyVault(root: string, name: string): Promise<NodeJS.ProcessEnv> {
  const dataDir = join(root, name);
  const app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
  await app.dispatcher.dispatch('vault.create', { password: PASSWORD });
  await app.dispose();
  return { FIELDBENCH_VAULT_PASSWORD: PASSWORD, FIELDBENCH_DATA_DIR: dataDir };
}

// The tests run in order: the imports read the files the export test wrote.
describe('fieldbench mqtt connections list|show|import|export', () => {
  let s: Seed001;
  let env: NodeJS.ProcessEnv;
  let work: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    s = await seed001Vault();
    const save = async (profile: Record<string, unknown>) => (await s.call('mqtt.saveProfile', { profile: profile as never })).id;
    ids.line7 = await save({ name: 'Line7 broker', protocol: 'mqtts', host: '192.168.2.196', port: 18884, clientId: 'client42a', tls: { ca: { source: 'vault', certificateId: s.ids.aioRoot }, clientCertificate: { source: 'vault', certificateId: s.ids.client42a } } });
    ids.plain = await save({ name: 'Plain', protocol: 'mqtt', host: '127.0.0.1', port: 1883 });
    ids.dupA = await save({ name: 'Dup', protocol: 'mqtt', host: '10.0.0.1', port: 1883 });
    ids.dupB = await save({ name: 'Dup', protocol: 'mqtt', host: '10.0.0.2', port: 1883 });
    // The CLI opens the vault file itself, as a second Fieldbench would.
    await s.app.dispose();
    env = { FIELDBENCH_VAULT_PASSWORD: PASSWORD, FIELDBENCH_DATA_DIR: join(s.dir, 'data') };
    work = mkdtempSync(join(tmpdir(), 'fb-mqtt-conn-cli-'));
  }, 60_000);
  afterAll(() => {
    rmSync(s.dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('list prints every saved connection, --json as data; show takes a name in any case or an id', async () => {
    const list = await cli(['mqtt', 'connections', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as Profile[]).map((p) => p.name).sort()).toEqual(['Dup', 'Dup', 'Line7 broker', 'Plain']);
    const human = await cli(['mqtt', 'connections', 'list'], env);
    expect(human.stdout).toContain('Line7 broker  mqtts://192.168.2.196:18884');
    const byName = await cli(['mqtt', 'connections', 'show', 'line7 BROKER', '--json'], env);
    expect(byName.code, byName.stderr).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ id: ids.line7, tls: { ca: { source: 'vault', certificateId: s.ids.aioRoot } } });
    const byId = await cli(['mqtt', 'connections', 'show', ids.plain!], env);
    expect(byId.stdout).toMatch(/name: +Plain/);
    expect(byId.stdout).not.toMatch(/password saved/);
  });

  it('a name two connections share is refused with both ids; an unknown one says where to look', async () => {
    const dup = await cli(['mqtt', 'connections', 'show', 'Dup'], env);
    // Issue 14: a name to pick among is a usage answer (exit 2), as for every kind.
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('2 saved connections are called "Dup"');
    expect(dup.stderr).toContain(ids.dupA);
    expect(dup.stderr).toContain(ids.dupB);
    const none = await cli(['mqtt', 'connections', 'show', 'Nope'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no saved MQTT connection called "Nope".*connections list/);
    expect((await cli(['mqtt', 'connections', 'frobnicate'], env)).code).toBe(2);
  });

  it('export --format mqttx writes a file MQTTX imports; keys only with --include-key and --yes, 0600', async () => {
    const noKeyDir = join(work, 'nokey-files');
    const noKey = await cli(['mqtt', 'connections', 'export', 'Line7 broker', '--format', 'mqttx', '--files-dir', noKeyDir, '--out', join(work, 'nokey.json')], env);
    expect(noKey.code, noKey.stderr).toBe(0);
    const nk = mqttxParse(readFileSync(join(work, 'nokey.json'), 'utf8'));
    expect(mqttxVerify(nk)).toEqual([]);
    expect(nk[0]!.key === '' && nk[0]!.cert === '').toBe(true);

    const refused = await cli(['mqtt', 'connections', 'export', 'Line7 broker', '--format', 'mqttx', '--files-dir', join(work, 'refused'), '--include-key', '--out', join(work, 'refused.json')], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/private key of Line7 broker\. Nothing was written/);
    expect(existsSync(join(work, 'refused.json'))).toBe(false);
    expect(existsSync(join(work, 'refused'))).toBe(false);

    const files = join(work, 'files');
    const ok = await cli(['mqtt', 'connections', 'export', 'Line7 broker', 'Plain', '--format', 'mqttx', '--files-dir', files, '--include-key', '--yes', '--out', join(work, 'mqttx.json')], env);
    expect(ok.code, ok.stderr).toBe(0);
    const records = mqttxParse(readFileSync(join(work, 'mqttx.json'), 'utf8'));
    expect(mqttxVerify(records)).toEqual([]);
    const tls = records.find((r) => r.name === 'Line7 broker')!;
    expect(tls).toMatchObject({ ssl: true, certType: 'self', host: '192.168.2.196', port: 18884 });
    expect(statSync(tls.key!).mode & 0o777).toBe(0o600);
    expect(readFileSync(tls.cert!, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    const again = await cli(['mqtt', 'connections', 'export', '--format', 'mqttx', '--out', join(work, 'mqttx.json')], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('import of that MQTTX file takes its CA, certificate and key into the vault, and the connection uses them from there', async () => {
    const target = await emptyVault(work, 'other');
    const r = await cli(['mqtt', 'connections', 'import', join(work, 'mqttx.json'), '--json'], target);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { imported: Profile[]; notes: string[] };
    expect(out.notes).toEqual([]);
    const line7 = out.imported.find((p) => p.name === 'Line7 broker')!;
    expect(line7.tls?.ca).toEqual({ source: 'vault', certificateId: s.ids.aioRoot });
    // Vault ids come from the certificate's hash, so the same certificate has the same id in both vaults.
    expect(line7.tls?.clientCertificate).toEqual({ source: 'vault', certificateId: s.ids.client42a });
    const listed = (await cli(['pki', 'list', '--json'], target)).stdout;
    // The key came along: the client certificate in the new vault has its private key.
    expect(listed).toMatch(new RegExp(`"id": "${s.ids.client42a}"[^}]*"hasPrivateKey": true`));
    const shown = JSON.parse((await cli(['mqtt', 'connections', 'show', 'Line7 broker', '--json'], target)).stdout) as Profile;
    expect(shown.tls?.clientCertificate?.source).toBe('vault');

    const keep = await emptyVault(work, 'keep');
    const kept = JSON.parse((await cli(['mqtt', 'connections', 'import', join(work, 'mqttx.json'), '--keep-file-paths', '--json'], keep)).stdout) as { imported: Profile[] };
    expect(kept.imported.find((p) => p.name === 'Line7 broker')!.tls?.ca.source).toBe('file');
  });

  it('a certificate file that is gone leaves the path and says so; the own format round-trips through stdout', async () => {
    mkdirSync(join(work, 'gone'), { recursive: true });
    const broken = readFileSync(join(work, 'mqttx.json'), 'utf8').replace(/"ca": "[^"]+"/, `"ca": "${join(work, 'gone', 'ca.pem')}"`);
    const brokenFile = join(work, 'gone', 'mqttx.json');
    writeFileSync(brokenFile, broken);
    const target = await emptyVault(work, 'third');
    const r = await cli(['mqtt', 'connections', 'import', brokenFile], target);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ca\.pem could not be read \(ENOENT\); the connection keeps the file path/);

    const own = await cli(['mqtt', 'connections', 'export', 'Plain'], env);
    expect(own.code, own.stderr).toBe(0);
    const ownFile = join(work, 'own.json');
    writeFileSync(ownFile, own.stdout);
    const fourth = await emptyVault(work, 'fourth');
    const imp = JSON.parse((await cli(['mqtt', 'connections', 'import', ownFile, '--json'], fourth)).stdout) as { imported: Profile[] };
    expect(imp.imported.map((p) => [p.name, p.url])).toEqual([['Plain', 'mqtt://127.0.0.1:1883']]);
  });
});
