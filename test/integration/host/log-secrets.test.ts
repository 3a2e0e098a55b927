import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { logDir } from '../../../src/main/services/app/logger';

// Issue 10 row 13: a long scenario through the dispatcher with the app's own (default) log, then every
// secret it handled is searched for in every log file. Each secret is random, so a hit cannot be a
// coincidence, and the scenario goes through success and failure paths of each secret-bearing call.

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const secret = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;
const S = {
  vaultPassword: secret('vaultpw'),
  wrongPassword: secret('wrongpw'),
  nextPassword: secret('nextpw'),
  sudoPassword: secret('sudopw'),
  sshPassword: secret('sshpw'),
  mqttPassword: secret('mqttpw'),
  satToken: secret('sattoken'),
  arcToken: secret('arctoken'),
  keyPassphrase: secret('keypass'),
};
const { privateKey: rsaPem } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const { privateKey: sshPem } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: S.keyPassphrase }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
/** A line from the middle of each key's Base64: what a leak of key material would show. */
const keyLines = [rsaPem, sshPem].map((pem) => pem.split('\n')[5]!);

let app: AppContext;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fb-log-secrets-'));
  app = composeApp({ dataDir, runtime: 'loopback-host', vault: { createOptions: WEAK } });
  const d = (name: string, request: unknown) => app.dispatcher.dispatch(name, request);

  expect(await d('vault.create', { password: S.vaultPassword })).toMatchObject({ ok: true });
  await d('vault.lock', {});
  expect(await d('vault.unlock', { password: S.wrongPassword })).toMatchObject({ ok: false });
  expect(await d('vault.unlock', { password: S.vaultPassword })).toMatchObject({ ok: true });
  // An invalid request that carries a secret: refused by the contract, logged by path and code only.
  expect(await d('vault.unlock', { password: S.vaultPassword, extra: S.sudoPassword })).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });

  expect(await d('pki.createRoot', { subject: { commonName: 'Log Secrets Root' } })).toMatchObject({ ok: true });
  await d('pki.import', { files: [{ name: 'server.key', dataBase64: Buffer.from(rsaPem).toString('base64') }, { name: 'enc.key', dataBase64: Buffer.from(sshPem).toString('base64'), passphrase: S.keyPassphrase }] });
  await d('pki.import', { files: [{ name: 'enc.key', dataBase64: Buffer.from(sshPem).toString('base64'), passphrase: S.wrongPassword }] });
  const { privateKey: sshRsa } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  keyLines.push(sshRsa.split('\n')[5]!);
  expect(await d('edge.importKey', { privateKey: sshRsa, comment: 'tech laptop' })).toMatchObject({ ok: true });
  await d('edge.importKey', { privateKey: sshPem, passphrase: S.keyPassphrase, comment: 'encrypted' });
  await d('edge.importKey', { privateKey: rsaPem.replace('MII', 'XXX') });

  const node = await d('edge.saveNode', { name: 'edge-1', host: '127.0.0.1', port: 1, user: 'tech', auth: { method: 'password', password: S.sshPassword }, sudoPassword: S.sudoPassword, kube: { mode: 'arc', clusterName: 'c1', resourceGroup: 'rg', token: S.arcToken } });
  expect(node).toMatchObject({ ok: true });
  // Port 1 refuses: the failure path of a call that holds the SSH and sudo passwords.
  await d('edge.testNode', { id: (node as { value: { id: string } }).value.id });

  await d('mqtt.saveProfile', { profile: { name: 'broker', host: '127.0.0.1', port: 1, username: 'tech', auth: { method: 'K8S-SAT', token: { source: 'inline', token: S.satToken } } }, password: S.mqttPassword, satToken: S.satToken });
  const plain = await d('mqtt.saveProfile', { profile: { name: 'broker-2', host: '127.0.0.1', port: 1, username: 'tech' }, password: S.mqttPassword });
  expect(plain).toMatchObject({ ok: true });
  await d('mqtt.connect', { profileId: (plain as { value: { id: string } }).value.id });
  await d('vault.changePassword', { current: S.vaultPassword, next: S.nextPassword });
  await d('vault.lock', {});
  await app.dispose();
});

afterAll(async () => {
  await app?.dispose();
});

function allLogs(): string {
  const dir = logDir(dataDir);
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('the log of a scenario with every kind of secret', () => {
  it('exists in the data folder and records calls, durations and error codes', () => {
    expect(existsSync(join(logDir(dataDir), 'fieldbench.log'))).toBe(true);
    const lines = allLogs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'start')).toMatchObject({ runtime: 'loopback-host', level: 'info' });
    const unlocks = lines.filter((l) => l.call === 'vault.unlock').map((l) => l.code ?? 'ok');
    expect(unlocks).toHaveLength(3);
    expect(unlocks[0]).toMatch(/^vault\./);
    expect(unlocks.slice(1)).toEqual(['ok', 'contract.invalidRequest']);
    for (const l of lines.filter((x) => x.call)) expect(typeof l.ms).toBe('number');
    expect(lines.some((l) => l.event === 'vault' && l.kind === 'unlocked')).toBe(true);
  });

  it('holds none of the passwords, tokens, passphrases or key material', () => {
    const text = allLogs();
    for (const [name, value] of Object.entries(S)) expect(text.includes(value), name).toBe(false);
    for (const line of keyLines) expect(text.includes(line)).toBe(false);
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN /);
  });
});
