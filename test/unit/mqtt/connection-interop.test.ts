import { describe, expect, it } from 'vitest';
import { MqttProfileInput } from '@shared/contract/mqtt-contract';
import { fromFieldbench, fromMqttx, toFieldbench } from '../../../src/main/services/mqtt/connection-interop';
import { toMqttx } from '../../../src/main/services/exports/mqttx-format';
import { mosquittoCommand, shellQuote } from '../../../src/main/services/exports/mosquitto-command';
import type { StoredProfile } from '../../../src/main/services/mqtt/mqtt-profiles';

const stored = (over: Record<string, unknown>): StoredProfile => ({ ...MqttProfileInput.parse({ name: 'n', host: '10.0.0.5', port: 1883, ...over }), id: (over.id as string) ?? 'p1', updatedAt: '2026-01-01T00:00:00.000Z' });

describe('MQTTX JSON', () => {
  it('exports every field MQTTX needs, with "" for unused paths and never null', () => {
    const plain = toMqttx(stored({ id: 'a', name: 'NodePort', port: 31883, mqttVersion: '3.1.1', subscriptions: [{ filter: 'testtopic/#', qos: 1 }] }), { ca: '', cert: '', key: '' });
    expect(plain).toMatchObject({ id: 'a', protocol: 'mqtt', ssl: false, certType: '', ca: '', cert: '', key: '', mqttVersion: '3.1.1', clean: true, unreadMessageCount: 0, messages: [] });
    expect(plain.subscriptions).toEqual([{ topic: 'testtopic/#', qos: 1, color: '#2f80ed', disabled: false }]);
    const tls = toMqttx(
      stored({ id: 'b', protocol: 'mqtts', port: 8883, tls: { ca: { source: 'vault', certificateId: 'c-1' }, clientCertificate: { source: 'vault', certificateId: 'c-2' }, verifyServer: true } }),
      { ca: '/x/ca.pem', cert: '/x/client.pem', key: '' },
    );
    // Issue 12: a cert without its key makes MQTTX send no certificate at all, so neither is written.
    expect(tls).toMatchObject({ ssl: true, certType: 'self', ca: '/x/ca.pem', cert: '', key: '', rejectUnauthorized: true, password: '' });
    for (const rec of [plain, tls]) expect(JSON.stringify(rec)).not.toContain('null');
  });

  it('round-trips connections through MQTTX JSON and skips entries without an id', () => {
    const original = [
      stored({ id: 'x509', name: 'X.509 listener', protocol: 'mqtts', port: 8884, clientId: 'client42a', keepaliveSeconds: 30, sessionExpirySeconds: 600, username: 'u1',
        tls: { ca: { source: 'file', path: '/certs/ca.pem' }, clientCertificate: { source: 'file', certPath: '/certs/c.pem', keyPath: '/certs/c.key' }, verifyServer: false, alpn: ['mqtt'] },
        userProperties: [{ key: 'site', value: 'hall' }], will: { topic: 'status/client42a', payload: { format: 'text', value: 'gone' }, qos: 1, retain: true },
        subscriptions: [{ filter: 'a/+', qos: 2, color: '#123456' }] }),
      stored({ id: 'plain', name: 'Plain', mqttVersion: '3.1.1', cleanStart: false, reconnect: { enabled: false, minDelayMs: 1000, maxDelayMs: 30_000 } }),
    ];
    const text = JSON.stringify([...original.map((p) => toMqttx(p, p.tls?.clientCertificate?.source === 'file' ? { ca: '/certs/ca.pem', cert: '/certs/c.pem', key: '/certs/c.key' } : { ca: '', cert: '', key: '' })), { name: 'no id here', host: 'h', port: 1 }]);
    const back = fromMqttx(text);
    expect(back.skipped).toEqual([{ index: 2, reason: 'no id (MQTTX skips such entries too)' }]);
    expect(back.profiles).toHaveLength(2);
    const [x, p] = back.profiles;
    const strip = (s: StoredProfile) => {
      const { id: _i, updatedAt: _u, ...rest } = s;
      return rest;
    };
    expect({ ...x, id: undefined }).toEqual({ ...strip(original[0]!), id: undefined, reconnect: { enabled: true, minDelayMs: 500, maxDelayMs: 30_000 } });
    expect(x!.id).toBe('mqttx-x509');
    expect(p).toMatchObject({ mqttVersion: '3.1.1', cleanStart: false, reconnect: { enabled: false, minDelayMs: 1000 } });
  });

  it('reads a hand-written MQTTX file with its loose typing and says what it could not read', () => {
    const out = fromMqttx(JSON.stringify([
      { id: '1', name: 'ws', host: 'node', port: '8083', protocol: 'ws', path: '/mqtt', ssl: false, mqttVersion: '5.0', connectTimeout: 10 },
      { id: '2', name: 'bad port', host: 'node', port: 70000, protocol: 'mqtt' },
    ]));
    expect(out.profiles[0]).toMatchObject({ protocol: 'ws', port: 8083, path: '/mqtt', connectTimeoutSeconds: 10 });
    expect(out.skipped[0]!.index).toBe(1);
    expect(out.skipped[0]!.reason).toMatch(/port/);
    expect(() => fromMqttx('{"not": "an array"}')).toThrow(/not an MQTTX export/);
    expect(() => fromMqttx('[')).toThrow(/not valid JSON/);
  });
});

describe('Fieldbench JSON', () => {
  it('round-trips profiles exactly and refuses foreign or newer files', () => {
    const p = stored({ id: 'k', protocol: 'mqtts', port: 18883, auth: { method: 'K8S-SAT', token: { source: 'file', path: '/var/run/token' } }, tls: { ca: { source: 'vault', certificateId: 'c-1' } } });
    const back = fromFieldbench(toFieldbench([p]));
    const { updatedAt: _u, ...expected } = p;
    expect(back).toEqual({ profiles: [expected], skipped: [] });
    expect(() => fromFieldbench('[]')).toThrow(/not a Fieldbench connections file/);
    expect(() => fromFieldbench(JSON.stringify({ format: 'fieldbench.mqtt-connections', version: 2, connections: [] }))).toThrow(/newer Fieldbench/);
  });
});

describe('mosquitto command line', () => {
  it('writes the flags for TLS, MQTT 5 and the password placeholder, and --insecure only when verification is off', () => {
    const p = stored({ protocol: 'mqtts', port: 8883, clientId: 'client42a', username: 'u', tls: { ca: { source: 'vault', certificateId: 'c' }, clientCertificate: { source: 'vault', certificateId: 'd' }, verifyServer: true } });
    const files = [
      { role: 'ca' as const, path: '<ca.pem>', written: false },
      { role: 'cert' as const, path: '/tmp/x y/client.pem', written: true },
      { role: 'key' as const, path: '/tmp/x y/client.key', written: true },
    ];
    const r = mosquittoCommand(p, { tool: 'mosquitto_pub', topic: 'testtopic/test', message: "it's here", qos: 1 }, files, true);
    expect(r.command).toBe(`mosquitto_pub -h 10.0.0.5 -p 8883 -V mqttv5 -i client42a -u u -P "$MQTT_PASSWORD" --cafile '<ca.pem>' --cert '/tmp/x y/client.pem' --key '/tmp/x y/client.key' -t testtopic/test -q 1 -m 'it'\\''s here'`);
    expect(r.argv).not.toContain('--insecure');
    expect(r.notes.join(' ')).toMatch(/MQTT_PASSWORD/);
    const insecure = mosquittoCommand({ ...p, tls: { ...p.tls!, verifyServer: false } }, { tool: 'mosquitto_sub', topic: '#' }, files, false);
    expect(insecure.argv).toContain('--insecure');
    expect(insecure.argv.slice(-3)).toEqual(['-t', '#', '-v']);
    const v311 = mosquittoCommand(stored({ mqttVersion: '3.1.1' }), { tool: 'mosquitto_pub', topic: 't' }, [], false);
    expect(v311.argv).toEqual(['mosquitto_pub', '-h', '10.0.0.5', '-p', '1883', '-V', 'mqttv311', '-t', 't', '-n']);
    expect(() => mosquittoCommand(stored({ protocol: 'ws' }), { tool: 'mosquitto_pub', topic: 't' }, [], false)).toThrow(/WebSockets/);
    const system = mosquittoCommand(stored({ protocol: 'mqtts', port: 8883, tls: { ca: { source: 'system' } } }), { tool: 'mosquitto_pub', topic: 't' }, [], false);
    expect(system.argv).toContain('--tls-use-os-certs');
  });

  it('quotes for a POSIX shell', () => {
    expect(shellQuote('a/b')).toBe('a/b');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$x')).toBe("'$x'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});
