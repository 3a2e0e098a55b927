import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { callNames } from '@shared/contract';

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const apps: AppContext[] = [];
const dirs: string[] = [];

async function app(): Promise<AppContext> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-mqtt-area-'));
  dirs.push(dir);
  const a = composeApp({ dataDir: dir, runtime: 'cli', vault: { createOptions: WEAK } });
  apps.push(a);
  await a.dispatcher.dispatch('vault.create', { password: 'long enough pw' });
  return a;
}

afterEach(async () => {
  for (const a of apps.splice(0)) await a.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('mqtt area through the contract', () => {
  it('has a handler for every mqtt call', async () => {
    const a = await app();
    for (const name of callNames.filter((n) => n.startsWith('mqtt.'))) {
      const r = await a.dispatcher.dispatch(name, {});
      // Validation may refuse the empty request, but the call must never be unknown.
      expect(r.ok || (r as { error: { code: string } }).error.code !== 'contract.unknownCall', name).toBe(true);
    }
  });

  it('saves profiles in the vault with secrets that never come back, and announces changes', async () => {
    const a = await app();
    const events: unknown[] = [];
    a.hub.on('mqtt.onProfiles', (e) => events.push(e));
    const saved = await a.dispatcher.dispatch('mqtt.saveProfile', {
      profile: { name: 'Edge 01 TLS', protocol: 'mqtts', host: '10.1.2.3', port: 8883, username: 'tech', tls: { ca: { source: 'system' } } },
      password: 'S3cret-pass!',
    });
    expect(saved).toMatchObject({ ok: true, value: { name: 'Edge 01 TLS', hasPassword: true, insecure: false, url: 'mqtts://10.1.2.3:8883', tls: { verifyServer: true } } });
    const id = (saved as { value: { id: string } }).value.id;
    const list = await a.dispatcher.dispatch('mqtt.profiles', {});
    expect(JSON.stringify(list)).not.toContain('S3cret-pass!');
    expect(JSON.stringify(events)).not.toContain('S3cret-pass!');
    expect(events).toHaveLength(1);

    const exported = await a.dispatcher.dispatch('mqtt.exportConnections', { format: 'mqttx' });
    expect(JSON.stringify(exported)).not.toContain('S3cret-pass!');
    expect(JSON.stringify(await a.dispatcher.dispatch('mqtt.exportConnections', { format: 'fieldbench' }))).not.toContain('S3cret-pass!');

    // Absent keeps the password; null clears it.
    await a.dispatcher.dispatch('mqtt.saveProfile', { profile: { id, name: 'Edge 01 TLS', protocol: 'mqtts', host: '10.1.2.3', port: 8883 } });
    expect((await a.dispatcher.dispatch('mqtt.profiles', {})) as unknown).toMatchObject({ value: [{ id, hasPassword: true }] });
    await a.dispatcher.dispatch('mqtt.saveProfile', { profile: { id, name: 'Edge 01 TLS', protocol: 'mqtts', host: '10.1.2.3', port: 8883 }, password: null });
    expect((await a.dispatcher.dispatch('mqtt.profiles', {})) as unknown).toMatchObject({ value: [{ id, hasPassword: false }] });

    expect(await a.dispatcher.dispatch('mqtt.deleteProfile', { id })).toEqual({ ok: true, value: { deleted: true } });
    expect(await a.dispatcher.dispatch('mqtt.profiles', {})).toEqual({ ok: true, value: [] });
  });

  it('refuses unsafe or impossible profiles with a sentence', async () => {
    const a = await app();
    const sat = await a.dispatcher.dispatch('mqtt.saveProfile', { profile: { name: 'sat', host: 'h', port: 1883, auth: { method: 'K8S-SAT', token: { source: 'vault' } } } });
    expect(sat).toMatchObject({ ok: false, error: { code: 'mqtt.satNeedsTls' } });
    const v3 = await a.dispatcher.dispatch('mqtt.saveProfile', { profile: { name: 'sat', protocol: 'mqtts', host: 'h', port: 8883, mqttVersion: '3.1.1', auth: { method: 'K8S-SAT', token: { source: 'vault' } } } });
    expect(v3).toMatchObject({ ok: false, error: { code: 'mqtt.satNeedsV5' } });
    const badSub = await a.dispatcher.dispatch('mqtt.saveProfile', { profile: { name: 's', host: 'h', port: 1883, subscriptions: [{ filter: 'a/#/b' }] } });
    expect(badSub).toMatchObject({ ok: false, error: { code: 'mqtt.invalidFilter' } });
    const missing = await a.dispatcher.dispatch('mqtt.connect', { profileId: 'nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'mqtt.unknownProfile' } });
    const both = await a.dispatcher.dispatch('mqtt.connect', {});
    expect(both).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
  });

  it('validates topics for inline hints', async () => {
    const a = await app();
    expect(await a.dispatcher.dispatch('mqtt.validateTopic', { topic: 'a/#/b', kind: 'filter' })).toMatchObject({ ok: true, value: { valid: false, rule: 'hashNotLast' } });
    expect(await a.dispatcher.dispatch('mqtt.validateTopic', { topic: 'a/+/b', kind: 'filter' })).toEqual({ ok: true, value: { valid: true } });
    expect(await a.dispatcher.dispatch('mqtt.validateTopic', { topic: 'a/+/b', kind: 'name' })).toMatchObject({ ok: true, value: { valid: false, rule: 'wildcardInName' } });
  });

  it('imports MQTTX connections into the vault', async () => {
    const a = await app();
    const text = JSON.stringify([
      { id: 'abc', name: 'LB 8883', host: '10.0.0.9', port: 8883, protocol: 'mqtts', ssl: true, certType: 'server', ca: '', cert: '', key: '', rejectUnauthorized: true, mqttVersion: '5.0', clean: true, keepalive: 60, connectTimeout: 10, reconnect: true, subscriptions: [], messages: [] },
      { name: 'skipped' },
    ]);
    const r = await a.dispatcher.dispatch('mqtt.importConnections', { format: 'mqttx', text });
    expect(r).toMatchObject({ ok: true, value: { imported: [{ id: 'mqttx-abc', name: 'LB 8883', url: 'mqtts://10.0.0.9:8883', tls: { ca: { source: 'system' }, verifyServer: true } }], skipped: [{ index: 1 }] } });
    const line = await a.dispatcher.dispatch('mqtt.commandLine', { profileId: 'mqttx-abc', tool: 'mosquitto_sub', topic: 'a/#' });
    expect(line).toMatchObject({ ok: true, value: { command: "mosquitto_sub -h 10.0.0.9 -p 8883 -V mqttv5 --tls-use-os-certs -t 'a/#' -v" } });
  });
});
