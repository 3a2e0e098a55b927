import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';
import { runCli } from '../../../src/cli/run-cli';

// Issue 10 item 2: `fieldbench support bundle` zips the log, doctor, versions and the nodes' non-secret
// state. The data folder is first filled the way a technician would (vault, a node with an SSH password,
// sudo password and Arc token, an MQTT password, an imported private key), then the zip is opened.

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const secret = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;
const S = { vault: secret('vaultpw'), ssh: secret('sshpw'), sudo: secret('sudopw'), arc: secret('arctoken'), mqtt: secret('mqttpw') };
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const keyBody = privateKey.split('\n')[5]!;

let dataDir: string;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from([]), env: { ...process.env, FIELDBENCH_VAULT_PASSWORD: '', ...env }, interrupted: new Promise(() => undefined) });
  return { code, stdout: out, stderr: err };
}

function open(file: string): Record<string, string> {
  const entries = unzipSync(readFileSync(file));
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, strFromU8(v)]));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fb-support-'));
  const app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
  const d = (name: string, request: unknown) => app.dispatcher.dispatch(name, request);
  expect(await d('vault.create', { password: S.vault })).toMatchObject({ ok: true });
  expect(await d('edge.importKey', { privateKey, comment: 'laptop' })).toMatchObject({ ok: true });
  const node = await d('edge.saveNode', { name: 'edge-1', host: '127.0.0.1', port: 1, user: 'tech', auth: { method: 'password', password: S.ssh }, sudoPassword: S.sudo, kube: { mode: 'arc', clusterName: 'c1', resourceGroup: 'rg', token: S.arc } });
  expect(node).toMatchObject({ ok: true });
  await d('edge.testNode', { id: (node as { value: { id: string } }).value.id });
  expect(await d('mqtt.saveProfile', { profile: { name: 'broker', host: '127.0.0.1', port: 1, username: 'tech' }, password: S.mqtt })).toMatchObject({ ok: true });
  await d('vault.lock', {});
  expect(await d('vault.unlock', { password: 'wrong' })).toMatchObject({ ok: false });
  await app.dispose();
});

describe('fieldbench support bundle', () => {
  it('zips the log, doctor, versions and the node profiles, and holds no secret', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fb-support-out-')), 'bundle.zip');
    const r = await cli(['support', 'bundle', '--out', out, '--data-dir', dataDir], { FIELDBENCH_VAULT_PASSWORD: S.vault });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Support bundle written to .*bundle\.zip/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const files = open(out);
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'doctor.json', 'logs/fieldbench.log', 'nodes.json', 'versions.json']);

    const log = files['logs/fieldbench.log']!.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.some((l) => l.call === 'edge.saveNode')).toBe(true);
    expect(log.some((l) => l.call === 'vault.unlock' && typeof l.code === 'string')).toBe(true);
    expect(JSON.parse(files['doctor.json']!)).toMatchObject({ dataDir: { path: dataDir }, tools: expect.any(Array) });
    expect(JSON.parse(files['versions.json']!)).toMatchObject({ node: process.versions.node, libraries: { ssh2: expect.stringMatching(/^\d/), pino: expect.stringMatching(/^\d/) } });
    const nodes = JSON.parse(files['nodes.json']!) as { nodes: Array<Record<string, unknown>>; activity: Array<{ entries: unknown[] }> };
    expect(nodes.nodes).toHaveLength(1);
    expect(nodes.nodes[0]).toMatchObject({ name: 'edge-1', host: '127.0.0.1', user: 'tech', kube: { mode: 'arc', hasToken: true } });
    expect(nodes.activity[0]!.entries.length).toBeGreaterThan(0);

    const everything = Object.values(files).join('\n');
    for (const [name, value] of Object.entries(S)) expect(everything.includes(value), name).toBe(false);
    expect(everything.includes(keyBody)).toBe(false);
    expect(everything).not.toMatch(/PRIVATE KEY/);
  });

  it('still makes the bundle, without the nodes, when the vault stays locked, and says so', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fb-support-out-')), 'locked.zip');
    const r = await cli(['support', 'bundle', '--out', out, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/vault stayed locked \(no vault password was given\)/);
    const files = open(out);
    expect(Object.keys(files)).not.toContain('nodes.json');
    expect(files['README.txt']).toMatch(/not included: no vault password was given/);
  });

  it('refuses to write over an existing file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fb-support-out-')), 'taken.zip');
    writeFileSync(out, 'mine');
    const r = await cli(['support', 'bundle', '--out', out, '--data-dir', dataDir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/already exists\. Choose another name with --out/);
    expect(readFileSync(out, 'utf8')).toBe('mine');
  });
});
