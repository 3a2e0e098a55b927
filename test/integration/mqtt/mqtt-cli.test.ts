import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFieldbenchSync, spawnFieldbench } from '../../support/cli/fieldbench-cli';
import { composeApp } from '../../../src/main/compose';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';

const avail = brokerLabAvailability();
if (!avail.ok) console.warn(`[mqtt cli] tests skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)('fieldbench mqtt pub|sub', () => {
  let lab: BrokerLab;
  let dir: string;
  let vaultPath: string;
  let caId: string;
  let clientId: string;
  const baseEnv = (): NodeJS.ProcessEnv => ({ FIELDBENCH_DATA_DIR: join(dir, 'data') });
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runFieldbenchSync(args, { env: { ...baseEnv(), ...env } });

  beforeAll(async () => {
    lab = await startBrokerLab();
    dir = mkdtempSync(join(tmpdir(), 'fb-mqtt-cli-'));
    vaultPath = join(dir, 'field.fbv');
    const app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli', vault: { path: vaultPath, createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
    await app.dispatcher.dispatch('vault.create', { password: 'cli test password' });
    const pki = new PkiService({ vault: app.vault });
    const p = lab.generatedPki!;
    caId = (await pki.importFile({ fileName: 'server-root.crt', data: p.serverCaPem })).certificateIds[0]!;
    await pki.importFile({ fileName: 'client-root.crt', data: p.clientCaPem });
    clientId = (await pki.importFile({ fileName: 'client-chain.pem', data: p.clientChainPem })).certificateIds[0]!;
    await pki.importFile({ fileName: 'client.key', data: p.clientKeyPem });
    await app.dispose();
    // Build once (or confirm the build is fresh) before tests run commands side by side.
    run(['--version']);
  });

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('subscribes on the TLS listener and prints what is published on the plain one, as JSON lines', async () => {
    // A retained message reaches the subscriber when it subscribes, which also tells the test it is ready.
    const pub = run(['mqtt', 'pub', '--host', lab.host, '--port', String(lab.listeners.plain.port), '-t', 'cli/a', '-m', '{"n": 1}', '--format', 'json', '-q', '1', '-r']);
    expect(pub.stderr).toBe('');
    expect(pub.code).toBe(0);
    expect(pub.stdout).toMatch(/^Published 1 message \(8 bytes\) to cli\/a with QoS 1\.$/m);
    const sub = spawnFieldbench(['mqtt', 'sub', '--host', lab.host, '--port', String(lab.listeners.tls.port), '--protocol', 'mqtts', '--tls-ca-file', lab.generatedPki!.serverCaFile, '-t', 'cli/#', '-q', '1', '-C', '3', '-W', '30', '--json'], { env: baseEnv() });
    let out = '';
    let err = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sub.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => sub.on('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('\n') && Date.now() < deadline && sub.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(run(['mqtt', 'pub', '--host', lab.host, '--port', String(lab.listeners.plain.port), '-t', 'cli/b', '-m', 'two', '--count', '2', '-q', '1']).code).toBe(0);
    expect(await exited).toBe(0);
    expect(err.replace(/^Building Fieldbench.*\n/m, '')).toBe('');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { topic: string; payload: string; retain: boolean });
    expect(lines.map((l) => [l.topic, l.payload, l.retain])).toEqual([
      ['cli/a', '{"n": 1}', true],
      ['cli/b', 'two', false],
      ['cli/b', 'two', false],
    ]);
    run(['mqtt', 'pub', '--host', lab.host, '--port', String(lab.listeners.plain.port), '-t', 'cli/a', '-m', '', '-r']);
  });

  it('uses the CA and the client certificate from the vault on the mTLS listener', () => {
    const args = ['mqtt', 'pub', '--vault', vaultPath, '--host', lab.host, '--port', String(lab.listeners.mtls.port), '--ca', caId, '--cert', clientId, '-t', 'cli/x509', '-m', 'from the vault', '--json'];
    const ok = run(args, { FIELDBENCH_VAULT_PASSWORD: 'cli test password' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ published: 1, topic: 'cli/x509' });
    const wrong = run(args, { FIELDBENCH_VAULT_PASSWORD: 'not the password' });
    expect(wrong.code).toBe(4);
    const noCert = run(['mqtt', 'pub', '--vault', vaultPath, '--host', lab.host, '--port', String(lab.listeners.mtls.port), '--ca', caId, '-t', 't', '-m', 'x'], { FIELDBENCH_VAULT_PASSWORD: 'cli test password' });
    expect(noCert.code).toBe(1);
    expect(noCert.stderr).toMatch(/client certificate/);
  });

  it('fails with a sentence and exit 1 on an untrusted broker and a closed port', () => {
    const tls = run(['mqtt', 'pub', '--host', lab.host, '--port', String(lab.listeners.tls.port), '--protocol', 'mqtts', '-t', 't', '-m', 'x']);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toMatch(/does not chain to the system's public CAs/);
    const insecure = run(['mqtt', 'pub', '--host', lab.host, '--port', String(lab.listeners.tls.port), '--protocol', 'mqtts', '--insecure', '-t', 't', '-m', 'x']);
    expect(insecure.code).toBe(0);
    expect(insecure.stderr).toMatch(/^Warning: Server certificate verification is off/);
    const closed = run(['mqtt', 'sub', '--host', '127.0.0.1', '--port', '1', '-t', 't']);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/Nothing accepts connections at 127\.0\.0\.1:1/);
  });

  it('checks its command line: topics, password flags; probe exits 0 when every listener passes and 1 when one fails', () => {
    expect(run(['mqtt', 'pub', '--host', lab.host, '-m', 'x']).code).toBe(2);
    expect(run(['mqtt', 'pub', '--host', lab.host, '--password', 'x', '-t', 't']).code).toBe(2);
    const bad = run(['mqtt', 'pub', '--host', lab.host, '--port', String(lab.listeners.plain.port), '-t', 'a/+', '-m', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/wildcards are only for subscriptions/);
    const green = run(['mqtt', 'probe', '--endpoint', `${lab.host}:${lab.listeners.plain.port}`]);
    expect(green.stdout).toMatch(/1 of 1 listeners passed/);
    expect(green.code).toBe(0);
    const red = run(['mqtt', 'probe', '--endpoint', `${lab.host}:${lab.listeners.plain.port}`, '--endpoint', '127.0.0.1:1']);
    expect(red.code).toBe(1);
    expect(red.stdout).toMatch(/Nothing accepts connections at 127\.0\.0\.1:1/);
    expect(run(['mqtt', '--help']).stdout).toMatch(/probe/);
  });
});
