import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../../support/broker-lab/broker-lab.js';
import { mosquittoSub } from '../../support/broker-lab/mosquitto-clients.js';
import { findOnPath } from '../../support/edge-host/edge-host-availability.js';
import { seed001Vault, type Seed001 } from './export-fixture';
import { startNodeRed, type NodeRed } from './node-red-runtime';

const lab = brokerLabAvailability();
const reason = !lab.ok ? lab.reason : !findOnPath('mosquitto_sub') ? 'mosquitto_sub is missing (apt-get install mosquitto-clients)' : '';
if (reason) console.warn(`[exports] Node-RED tests skipped: ${reason}`);

const MESSAGE = 'hello from client42a (Node-RED, exported by Fieldbench)';

describe.skipIf(reason !== '')('node-red: the Node-RED runtime loads the exported flow and its MQTT nodes connect with it', () => {
  let s: Seed001;
  let broker: BrokerLab;
  let red: NodeRed;

  beforeAll(async () => {
    // The server certificate names the broker only by DNS name: reaching it by IP needs the flow's servername.
    s = await seed001Vault({ serverSans: ['mqtts-endpoint'] });
    const serverOut = await s.exportTo({ target: 'pem', certificateIds: [s.ids.server], includeKey: true });
    broker = await startBrokerLab({
      pki: {
        serverChainPem: readFileSync(join(serverOut, 'mqtts-endpoint.crt'), 'utf8'),
        serverKeyPem: readFileSync(join(serverOut, 'mqtts-endpoint.key'), 'utf8'),
        clientCaPem: (await s.call('pki.exportPem', { id: s.ids.clientsRoot, chain: 'none' })).pem,
      },
    });
    red = await startNodeRed(s.dir);
  }, 120_000);
  afterAll(async () => {
    await red?.stop();
    await broker?.stop();
    await s?.close();
  });

  const flowFor = async (caId: string, file: 'flows.json' | 'flows-file-paths.json', certs: string[] = [s.ids.client42a, s.ids.server]) => {
    const out = await s.exportTo({ target: 'node-red', certificateIds: certs, caId, includeKey: true, broker: { host: broker.host, port: broker.listeners.mtls.port } });
    return JSON.parse(readFileSync(join(out, file), 'utf8')) as Array<Record<string, unknown>>;
  };

  it('imports, connects to the X.509 listener with the credentials in the flow, and publishes; a subscriber on the plain listener receives it', async () => {
    const flow = await flowFor(s.ids.aioRoot, 'flows.json');
    const tls = flow.find((nd) => nd.type === 'tls-config')!;
    expect(tls).toMatchObject({ cert: '', key: '', ca: '', servername: 'mqtts-endpoint', verifyservercert: true });
    expect(flow.find((nd) => nd.type === 'mqtt-broker')).toMatchObject({ protocolVersion: '5', usetls: true, clientid: 'client42a' });
    const sub = await mosquittoSub(['-h', broker.host, '-p', String(broker.listeners.plain.port)], 'fieldbench/test/#');
    try {
      await red.deploy(flow);
      await red.waitForLog(/Connected to broker: client42a@mqtts:\/\/127\.0\.0\.1/);
      expect(await sub.waitFor(1)).toEqual([MESSAGE]);
    } finally {
      sub.close();
    }
  });

  it('the file-path variant connects the same way from the exported files', async () => {
    const flow = await flowFor(s.ids.aioRoot, 'flows-file-paths.json');
    const tls = flow.find((nd) => nd.type === 'tls-config')!;
    expect(String(tls.cert)).toMatch(/certs\/client42a\.crt$/);
    const before = red.log().length;
    const sub = await mosquittoSub(['-h', broker.host, '-p', String(broker.listeners.plain.port)], 'fieldbench/test/#');
    try {
      await red.deploy(flow);
      expect(await sub.waitFor(1)).toEqual([MESSAGE]);
      expect(red.log().slice(before)).toMatch(/Connected to broker: client42a@mqtts/);
    } finally {
      sub.close();
    }
  });

  it('a flow carrying the wrong CA does not connect and publishes nothing', async () => {
    const flow = await flowFor(s.ids.clientsRoot, 'flows.json');
    const before = red.log().length;
    const sub = await mosquittoSub(['-h', broker.host, '-p', String(broker.listeners.plain.port)], 'fieldbench/test/#');
    try {
      await red.deploy(flow);
      await red.waitForLog(/Connection failed to broker: client42a@mqtts/);
      await new Promise((r) => setTimeout(r, 3000));
      expect(sub.messages).toEqual([]);
      expect(red.log().slice(before)).not.toMatch(/Connected to broker: client42a/);
    } finally {
      sub.close();
    }
  });
});
