import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import type { LabPki } from '../../support/broker-lab/lab-pki.js';
import { crossDeliver, LISTENERS, listenerArgs, mosquittoPub } from '../../support/broker-lab/mosquitto-clients.js';
import { findOnPath } from '../../support/edge-host/edge-host-availability.js';

const lab = brokerLabAvailability();
const clients = findOnPath('mosquitto_sub') && findOnPath('mosquitto_pub');
const reason = !lab.ok ? lab.reason : !clients ? 'mosquitto_pub/mosquitto_sub are missing (apt-get install mosquitto-clients)' : '';
if (reason) console.warn(`[broker lab] self-tests skipped: ${reason}`);

describe.skipIf(reason !== '')('broker lab on loopback', () => {
  let broker: BrokerLab;
  let pki: LabPki;

  beforeAll(async () => {
    broker = await startBrokerLab();
    pki = broker.generatedPki!;
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('binds three distinct listeners on 127.0.0.1', () => {
    expect(broker.host).toBe('127.0.0.1');
    const ports = new Set(LISTENERS.map((l) => broker.listeners[l].port));
    expect(ports.size).toBe(3);
  });

  it('is one bus: a probe published on any listener reaches subscribers on all three', async () => {
    const got = await crossDeliver(broker, pki);
    const all = ['probe-from-mtls', 'probe-from-plain', 'probe-from-tls'];
    expect(got).toEqual({ plain: all, tls: all, mtls: all });
  });

  it('refuses a client without a certificate on the mTLS listener', async () => {
    const res = await mosquittoPub([...listenerArgs(broker, pki, 'mtls', { clientCert: false }), '-t', 'lab/x', '-m', 'x']);
    expect(res.code).not.toBe(0);
  });

  it('refuses a client certificate from a CA the mTLS listener does not trust', async () => {
    const args = [...listenerArgs(broker, pki, 'mtls', { clientCert: false }), '--cert', pki.strangerChainFile, '--key', pki.strangerKeyFile];
    const res = await mosquittoPub([...args, '-t', 'lab/x', '-m', 'x']);
    expect(res.code).not.toBe(0);
  });

  it('refuses a client that sends its leaf without the intermediate', async () => {
    const leafOnly = `${pki.dir}/client.crt`;
    const args = [...listenerArgs(broker, pki, 'mtls', { clientCert: false }), '--cert', leafOnly, '--key', pki.clientKeyFile];
    const res = await mosquittoPub([...args, '-t', 'lab/x', '-m', 'x']);
    expect(res.code).not.toBe(0);
  });

  it('takes the client certificate CN as the username on the mTLS listener', async () => {
    const res = await mosquittoPub([...listenerArgs(broker, pki, 'mtls'), '-i', 'cn-check', '-t', 'lab/x', '-m', 'x']);
    expect(res.code).toBe(0);
    expect(broker.logs()).toMatch(new RegExp(`New client connected from .* as cn-check .*u'${pki.clientCn}'`));
  });

  it('serves the leaf plus intermediate with the SANs asked for on the TLS listener', async () => {
    const chain = await new Promise<X509Certificate[]>((resolve, reject) => {
      const sock = tlsConnect({ host: '127.0.0.1', port: broker.listeners.tls.port, ca: pki.serverCaPem, servername: 'localhost' }, () => {
        const certs: X509Certificate[] = [];
        let c = sock.getPeerCertificate(true);
        while (c?.raw && !certs.some((x) => x.raw.equals(c.raw))) {
          certs.push(new X509Certificate(c.raw));
          c = c.issuerCertificate;
        }
        sock.end();
        resolve(certs);
      });
      sock.once('error', reject);
    });
    expect(chain[0]!.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(chain[0]!.checkHost('localhost')).toBe('localhost');
    expect(chain[1]!.subject).toContain('Fieldbench Lab Server Intermediate CA');
  });

  it('comes back on the same ports after a restart, and keeps the bus', async () => {
    const before = LISTENERS.map((l) => broker.listeners[l].port);
    await broker.restart();
    expect(LISTENERS.map((l) => broker.listeners[l].port)).toEqual(before);
    const got = await crossDeliver(broker, pki);
    expect(got.plain).toHaveLength(3);
  });
});

describe.skipIf(reason !== '')('broker lab with caller-supplied certificates', () => {
  it('serves the PEMs it was given and writes nothing of its own PKI', async () => {
    const { generateLabPki } = await import('../../support/broker-lab/lab-pki.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const mine = await generateLabPki({ dir: mkdtempSync('/tmp/fbbroker-test-'), serverNames: ['127.0.0.1'], clientCn: 'caller-client' });
    const broker = await startBrokerLab({
      pki: { serverChainPem: mine.serverChainPem, serverKeyPem: mine.serverKeyPem, clientCaPem: mine.clientCaPem },
    });
    try {
      expect(broker.generatedPki).toBeUndefined();
      const res = await mosquittoPub([...listenerArgs(broker, mine, 'mtls'), '-t', 'lab/x', '-m', 'x']);
      expect(res.code, res.stderr).toBe(0);
      expect(broker.logs()).toContain("u'caller-client'");
    } finally {
      await broker.stop();
      rmSync(mine.dir, { recursive: true, force: true });
    }
  });
});
