import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import { crossDeliver, listenerArgs, mosquittoPub } from '../../support/broker-lab/mosquitto-clients.js';
import { edgeHostAvailability, startEdgeHost, type EdgeHost } from '../../support/edge-host/edge-host.js';
import { findOnPath } from '../../support/edge-host/edge-host-availability.js';
import { runCommand } from '../../support/edge-host/run-command.js';

const edge = edgeHostAvailability();
const lab = brokerLabAvailability();
const reason = !edge.ok
  ? edge.reason
  : !lab.ok
    ? lab.reason
    : !findOnPath('mosquitto_sub')
      ? 'mosquitto_pub/mosquitto_sub are missing (apt-get install mosquitto-clients)'
      : '';
if (reason) console.warn(`[broker lab on the edge host] skipped: ${reason}`);

describe.skipIf(reason !== '')('broker lab inside the edge test host', () => {
  let host: EdgeHost;
  let broker: BrokerLab;

  beforeAll(async () => {
    host = await startEdgeHost();
    broker = await startBrokerLab({ edgeHost: host });
  });

  afterAll(async () => {
    await broker?.stop();
    await host?.stop();
  });

  it('listens on the node address, with that address in the server certificate', () => {
    expect(broker.host).toBe(host.nodeAddress);
    const pki = broker.generatedPki!;
    const cert = new X509Certificate(pki.serverChainPem);
    expect(cert.checkIP(host.nodeAddress)).toBe(host.nodeAddress);
  });

  it('delivers across all three listeners from the laptop side', async () => {
    const got = await crossDeliver(broker, broker.generatedPki!);
    const all = ['probe-from-mtls', 'probe-from-plain', 'probe-from-tls'];
    expect(got).toEqual({ plain: all, tls: all, mtls: all });
  });

  it('runs inside the node\'s namespace and keeps the mTLS listener closed to clients without a certificate', async () => {
    const pids = (await runCommand('ip', ['netns', 'pids', host.name])).stdout.split(/\s+/).filter(Boolean);
    const comms = pids.map((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
    expect(comms).toContain('mosquitto');
    const refused = await mosquittoPub([...listenerArgs(broker, broker.generatedPki!, 'mtls', { clientCert: false }), '-t', 't', '-m', 'x']);
    expect(refused.code).not.toBe(0);
  });
});
