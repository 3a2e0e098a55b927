import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttProfileInput, type MqttProfileInputT } from '@shared/contract/mqtt-contract';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import { MqttService } from '../../../src/main/services/mqtt/mqtt-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

// mqtt.js's own packet codec parses what our client sends, independently of the client code under test.
const mqttPacket = createRequire(import.meta.url)('mqtt-packet') as {
  parser(opts: { protocolVersion: number }): { on(e: 'packet', cb: (p: Record<string, unknown>) => void): void; parse(b: Buffer): void };
  generate(p: Record<string, unknown>, opts: { protocolVersion: number }): Buffer;
};

const avail = brokerLabAvailability();
if (!avail.ok) console.warn(`[mqtt transports] tests skipped: ${avail.reason}`);

const profile = (over: Partial<MqttProfileInputT> & Pick<MqttProfileInputT, 'host' | 'port'>): MqttProfileInputT =>
  MqttProfileInput.parse({ name: 't', connectTimeoutSeconds: 5, reconnect: { enabled: false, minDelayMs: 200, maxDelayMs: 1000 }, ...over });

async function until<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A WebSocket endpoint that relays bytes to the broker's plain TCP listener (Debian's mosquitto has no websockets). */
function bridge(server: HttpServer, lab: BrokerLab): WebSocketServer {
  const wss = new WebSocketServer({ server, path: '/mqtt', handleProtocols: () => 'mqtt' });
  wss.on('connection', (ws) => {
    const tcp = netConnect(lab.listeners.plain.port, lab.host);
    ws.on('message', (d: Buffer) => tcp.write(d));
    tcp.on('data', (d) => ws.send(d));
    ws.on('close', () => tcp.destroy());
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
  });
  return wss;
}

describe.skipIf(!avail.ok)('MQTT over WebSockets and K8S-SAT', () => {
  let lab: BrokerLab;
  let dir: string;
  let caFile: string;
  const servers: Array<{ close(cb?: () => void): void }> = [];
  const svc = new MqttService({ vault: new MemoryVaultStore() });

  beforeAll(async () => {
    lab = await startBrokerLab();
    dir = mkdtempSync(join(tmpdir(), 'fb-mqtt-tr-'));
    caFile = lab.generatedPki!.serverCaFile;
  });

  afterAll(async () => {
    await svc.dispose();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const listen = async <S extends HttpServer | TlsServer>(s: S): Promise<number> => {
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return (s.address() as AddressInfo).port;
  };

  it('publishes and receives over ws and wss (server verified against the CA) on the same bus', async () => {
    const http = createHttpServer();
    const https = createHttpsServer({ cert: lab.generatedPki!.serverChainPem, key: lab.generatedPki!.serverKeyPem });
    servers.push(bridge(http, lab), bridge(https, lab));
    const wsPort = await listen(http);
    const wssPort = await listen(https);
    const ws = await svc.connect({ profile: profile({ protocol: 'ws', host: '127.0.0.1', port: wsPort }) });
    const wss = await svc.connect({ profile: profile({ protocol: 'wss', host: '127.0.0.1', port: wssPort, tls: { ca: { source: 'file', path: caFile }, verifyServer: true } }) });
    expect(ws.url).toBe(`ws://127.0.0.1:${wsPort}/mqtt`);
    expect(wss.state).toBe('connected');
    await svc.subscribe({ connectionId: wss.connectionId, filter: 'ws/#', qos: 1 });
    await svc.publish({ connectionId: ws.connectionId, topic: 'ws/a', payload: { format: 'text', value: 'over websockets' }, qos: 1, retain: false });
    const got = await until(() => svc.messages({ connectionId: wss.connectionId, offset: 0, limit: 5, previewBytes: 64 }).messages[0]);
    expect(got.payload.text).toBe('over websockets');
    const untrusted = await svc.connect({ profile: profile({ protocol: 'wss', host: '127.0.0.1', port: wssPort, tls: { ca: { source: 'system' }, verifyServer: true } }) }).catch((e: unknown) => e);
    expect(untrusted).toMatchObject({ code: 'mqtt.unknownCa' });
    await svc.disconnect(ws.connectionId);
    await svc.disconnect(wss.connectionId);
  });

  it('sends K8S-SAT enhanced auth in CONNECT with a token from a file, fresh at every attempt, and explains a refusal', async () => {
    const connects: Array<Record<string, unknown>> = [];
    let refuse = false;
    const server = createTlsServer({ cert: lab.generatedPki!.serverChainPem, key: lab.generatedPki!.serverKeyPem }, (sock) => {
      const parser = mqttPacket.parser({ protocolVersion: 5 });
      parser.on('packet', (p) => {
        if (p.cmd !== 'connect') return;
        connects.push(p);
        sock.write(mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode: refuse ? 140 : 0 }, { protocolVersion: 5 }));
        if (refuse) sock.end();
      });
      sock.on('data', (d) => parser.parse(d));
      sock.on('error', () => {});
    });
    const port = await listen(server);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.first.sig\n');
    const sat = profile({ protocol: 'mqtts', host: '127.0.0.1', port, tls: { ca: { source: 'file', path: caFile }, verifyServer: true }, auth: { method: 'K8S-SAT', token: { source: 'file', path: tokenFile } } });
    const c = await svc.connect({ profile: sat });
    expect(c.state).toBe('connected');
    const props = connects[0]!.properties as { authenticationMethod: string; authenticationData: Buffer };
    expect(props.authenticationMethod).toBe('K8S-SAT');
    expect(Buffer.from(props.authenticationData).toString()).toBe('eyJhbGciOiJSUzI1NiJ9.first.sig');
    await svc.disconnect(c.connectionId);

    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.second.sig');
    const again = await svc.connect({ profile: sat });
    expect(Buffer.from((connects[1]!.properties as { authenticationData: Buffer }).authenticationData).toString()).toBe('eyJhbGciOiJSUzI1NiJ9.second.sig');
    await svc.disconnect(again.connectionId);

    refuse = true;
    const err = await svc.connect({ profile: sat }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'mqtt.badAuthMethod' });
    expect((err as Error).message).toMatch(/does not accept this authentication method \(reason 140\)/);
    expect(JSON.stringify(err)).not.toContain('second.sig');

    const noProvider = await svc
      .connect({ profile: { ...sat, auth: { method: 'K8S-SAT', token: { source: 'tokenRequest', nodeId: 'edge-01', serviceAccount: 'default', namespace: 'azure-iot-operations', audience: 'aio-internal' } } } })
      .catch((e: unknown) => e);
    expect(noProvider).toMatchObject({ code: 'mqtt.satProviderMissing' });

    refuse = false;
    const asked: unknown[] = [];
    svc.setSatTokenProvider({
      mintToken: async (req) => {
        asked.push(req);
        return 'minted.by.tokenrequest';
      },
    });
    const minted = await svc.connect({ profile: { ...sat, auth: { method: 'K8S-SAT', token: { source: 'tokenRequest', nodeId: 'edge-01', serviceAccount: 'default', namespace: 'azure-iot-operations', audience: 'aio-internal' } } } });
    expect(asked).toEqual([{ nodeId: 'edge-01', serviceAccount: 'default', namespace: 'azure-iot-operations', audience: 'aio-internal' }]);
    expect(Buffer.from((connects.at(-1)!.properties as { authenticationData: Buffer }).authenticationData).toString()).toBe('minted.by.tokenrequest');
    await svc.disconnect(minted.connectionId);
  });
});
