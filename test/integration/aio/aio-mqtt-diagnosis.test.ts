import { createServer, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aioUnsupported, diagnoseConnectError, explainConnectFailure, probePlainMqtt, type ConnectContext } from '../../../src/main/services/mqtt/connect-diagnosis';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';

const avail = brokerLabAvailability();

/** A real TLS handshake against a port, returning the error Node reports. */
function tlsAttempt(host: string, port: number): Promise<unknown> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host, port, rejectUnauthorized: false });
    s.once('secureConnect', () => {
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (e) => resolve(e));
  });
}

const ctx = (port: number, over: Partial<ConnectContext> = {}): ConnectContext => ({
  host: '127.0.0.1', port, protocol: 'mqtts', mqttVersion: '5.0', caDescription: 'the system CAs', sentClientCertificate: false, tcpConnected: true, tlsEstablished: false, connectTimeoutSeconds: 5, ...over,
});

describe.skipIf(!avail.ok)(`MQTT diagnosis on AIO-style listeners${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  let lab: BrokerLab;
  let reset: Server;
  let resetPort: number;
  beforeAll(async () => {
    lab = await startBrokerLab();
    // A TLS port without a server certificate (an AIO listener whose Certificate was never issued): it resets.
    reset = createServer((sock) => sock.resetAndDestroy());
    await new Promise<void>((r) => reset.listen(0, '127.0.0.1', () => r()));
    resetPort = (reset.address() as AddressInfo).port;
  });
  afterAll(async () => {
    reset?.close();
    await lab?.stop();
  });

  it('a TLS client against the lab\'s plain MQTT listener is told the port speaks plain MQTT, not "certificate never issued"', async () => {
    const port = lab.listeners.plain.port;
    expect(await probePlainMqtt({ host: lab.host, port })).toBe(true);
    const err = await tlsAttempt(lab.host, port);
    expect(err).toBeDefined();
    const d = await explainConnectFailure(err, ctx(port, { host: lab.host }));
    expect(d.code).toBe('mqtt.notTls');
    expect(d.message).toBe(`${lab.host}:${port} speaks plain MQTT, not TLS: it answered a plain MQTT CONNECT, and closed the TLS handshake. Switch the protocol to mqtt, or use the listener's TLS port.`);
    expect(d.message).not.toMatch(/never issued/);
  });

  it('a TLS port that resets without a certificate still points at the listener\'s certificate', async () => {
    expect(await probePlainMqtt({ host: '127.0.0.1', port: resetPort })).toBe(false);
    const err = await tlsAttempt('127.0.0.1', resetPort);
    const d = await explainConnectFailure(err, ctx(resetPort));
    expect(d.code).toBe('mqtt.handshakeReset');
    expect(d.message).toMatch(/server certificate was never issued/);
    // The lab's TLS listener does not answer plain MQTT.
    expect(await probePlainMqtt({ host: lab.host, port: lab.listeners.tls.port })).toBe(false);
  });
});

describe('features the AIO broker does not support', () => {
  it('are named as "not supported by the AIO broker" on an AIO listener, and stay failures elsewhere', () => {
    expect(aioUnsupported({ qos: 2, topicAlias: true, subscriptionIdentifier: true, requestResponseInformation: true }).map((u) => u.feature)).toEqual(['qos2', 'topicAlias', 'subscriptionIdentifier', 'requestResponseInformation']);
    expect(aioUnsupported({ qos: 1 })).toEqual([]);
    const refused = Object.assign(new Error('Connection refused: Protocol error'), { code: 130 });
    const aio = diagnoseConnectError(refused, ctx(18883, { tlsEstablished: true, aioBroker: true, requested: { requestResponseInformation: true } }));
    expect(aio.code).toBe('mqtt.notSupportedByAio');
    expect(aio.message).toBe('Request-response information is not supported by the AIO broker; agree on response topics yourself (response topic and correlation data are supported). (The broker answered with reason code 130.)');
    const qos = diagnoseConnectError(Object.assign(new Error('QoS not supported'), { code: 155 }), ctx(18883, { tlsEstablished: true, aioBroker: true, requested: { qos: 2 } }));
    expect(qos.message).toMatch(/^QoS 2 is not supported by the AIO broker/);
    const other = diagnoseConnectError(refused, ctx(18883, { tlsEstablished: true, requested: { requestResponseInformation: true } }));
    expect(other.code).toBe('mqtt.protocolError');
  });
});
