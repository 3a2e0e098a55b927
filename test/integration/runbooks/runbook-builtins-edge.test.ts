import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { composeApp } from '../../../src/main/compose';
import { mosquittoPub, mosquittoSub } from '../../support/broker-lab/mosquitto-clients.js';
import { startAioOperator, type AioOperator } from '../../support/broker-lab/aio-operator.js';
import { edgeBrokerAvailability } from '../../support/broker-lab/sat-front-in-node.js';
import { runFieldbench } from '../../support/cli/fieldbench-cli';
import { startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture.js';
import { WEAK_KDF } from '../../support/vault/vault-fixtures';

// Issue 13: the built-in runbooks trust-broker, test-listeners and litmus-edge run from the CLI against the edge
// test host (SSH to a real node, the Kubernetes API emulator inside it, real MQTT brokers on the node's
// addresses), each twice: the first run changes the node, the second says there is nothing to change, and the
// commissioning report shows what the services recorded.

const PASSWORD = 'runbook edge vault password';
const NS = 'azure-iot-operations';
const NODE = 'edge-runbooks';

const avail = edgeBrokerAvailability();
if (!avail.ok) console.warn(`[runbook builtins edge] tests skipped: ${avail.reason}`);

interface RunJson {
  id: string;
  state: string;
  changed: number;
  steps: Array<{ id: string; uses: string; state: string; error?: string; outputs: Record<string, unknown>; verified: Array<{ name: string; ok: boolean; detail: string }> }>;
}

describe.skipIf(!avail.ok)('built-in runbooks on the edge test host, from the CLI', () => {
  let edge: EdgeLab;
  let operator: AioOperator | undefined;
  let work: string;
  let dataDir: string;

  const kubectlJson = async (args: string[]) => {
    const r = await edge.kubectl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  // The real bin (it rebuilds first when the sources are newer than out/), as a technician runs it.
  const cli = async (args: string[]) => {
    const r = await runFieldbench([...args, '--data-dir', dataDir], { env: { FIELDBENCH_VAULT_PASSWORD: PASSWORD }, timeoutMs: 240_000 });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };

  /** `runbook run … --json`: the run record as the engine kept it. */
  const run = async (args: string[]) => {
    const r = await cli(['runbook', 'run', ...args, '--json']);
    let json: RunJson | undefined;
    try {
      json = JSON.parse(r.stdout) as RunJson;
    } catch {
      json = undefined;
    }
    return { ...r, json };
  };
  /** A blank vault that knows the node (key, host key, sudo): each runbook starts from one, as on a new laptop. */
  const vaultWithNode = async (name: string): Promise<string> => {
    const dir = join(work, name);
    const app = composeApp({ dataDir: dir, runtime: 'cli', vault: { createOptions: WEAK_KDF } });
    const call = async (call: string, req: unknown) => {
      const res = await app.dispatcher.dispatch(call, req);
      if (!res.ok) throw new Error(`${call}: ${res.error.message}`);
      return res.value as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    try {
      await call('vault.create', { password: PASSWORD });
      const key = await call('edge.importKey', { privateKey: edge.host.clientKey.privateKey });
      const node = await call('edge.saveNode', { name: NODE, host: edge.host.nodeAddress, user: edge.host.users.key.name, auth: { method: 'key', keyId: key['id'] }, sudoPassword: edge.host.users.key.sudoPassword });
      await call('edge.trustHostKey', { nodeId: node['id'], fingerprint: edge.host.hostKeys.ed25519.fingerprint });
    } finally {
      await app.dispose();
    }
    return dir;
  };
  const failures = (r: RunJson | undefined) =>
    JSON.stringify(r?.steps.filter((s) => s.state !== 'done' && s.state !== 'unchanged').map((s) => ({ id: s.id, state: s.state, error: s.error, verified: s.verified.filter((v) => !v.ok) })));
  /** The same run again changes nothing (exit 0); then the first run's report, as HTML text. */
  const unchangedThenReport = async (args: string[], firstId: string): Promise<string> => {
    const again = await run(args);
    expect(again.json?.state, failures(again.json) + diagnostics()).toBe('done');
    expect(again.code).toBe(0);
    expect(again.json!.changed).toBe(0);
    const html = join(work, `${args[0]}.html`);
    const rep = await cli(['runbook', 'report', firstId, '--out', html]);
    expect(rep.code, rep.stderr).toBe(0);
    return readFileSync(html, 'utf8');
  };

  /** A subscriber on one listener receives what a publisher on another sends (one bus, as AIO's listeners are). */
  const pubSub = async (pubArgs: string[], subArgs: string[]) => {
    const topic = `fieldbench/runbook/${Math.random().toString(16).slice(2)}`;
    const sub = await mosquittoSub(['-V', 'mqttv5', ...subArgs], topic);
    try {
      const pub = await mosquittoPub(['-V', 'mqttv5', ...pubArgs, '-t', topic, '-q', '1', '-m', 'hello from the runbook test']);
      expect(pub.code, `${pub.stderr}${diagnostics()}`).toBe(0);
      expect(await sub.waitFor(1)).toEqual(['hello from the runbook test']);
    } finally {
      sub.close();
    }
  };
  const diagnostics = () => operator?.logs() ?? '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fb-runbook-edge-'));
    dataDir = join(work, 'build-check');
    // The first call builds out/ when the sources are newer, before the lab's processes share the cores.
    const list = await cli(['runbook', 'list']);
    if (list.code !== 0) throw new Error(`fieldbench runbook list: ${list.stderr}`);
    edge = await startEdgeLab();

    // The broker: every applied listener port served in the node from its Secret and ConfigMap, the default one too.
    operator = await startAioOperator(edge);
    await operator.waitServing('default', 18883);
  }, 420_000);

  afterAll(async () => {
    await operator?.stop();
    await edge?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  describe('trust-broker', () => {
    let first: RunJson;
    beforeAll(async () => {
      dataDir = await vaultWithNode('trust-broker');
    });

    it('fetches the trust bundle into the vault and passes the default listener through the SSH tunnel with a SAT token', async () => {
      const r = await run(['trust-broker', '--param', `node=${NODE}`, '--technician', 'Ana Tech']);
      expect(r.stderr, diagnostics()).toBe('');
      expect(r.json?.state, failures(r.json) + diagnostics()).toBe('done');
      expect(r.code).toBe(10);
      first = r.json!;
      const trust = first.steps.find((s) => s.id === 'trust')!;
      expect(trust.state).toBe('done');
      const ca = (await cli(['pki', 'show', String(trust.outputs['certificateId']), '--json'])).stdout;
      expect(ca).toContain('Azure IoT Operations Quickstart Root CA');
      const matrix = first.steps.find((s) => s.id === 'matrix')!;
      const rows = matrix.outputs['matrix'] as Array<{ label: string; ok: boolean; tls: string; auth: string }>;
      expect(rows, diagnostics()).toHaveLength(1);
      expect(rows[0]).toMatchObject({ ok: true, tls: 'ok', auth: 'sat accepted' });
      expect(rows[0]!.label).toContain('default');
      expect(matrix.outputs['passed']).toBe(1);
    }, 180_000);

    it('a second run has nothing to change and still re-tests the listener', async () => {
      const r = await run(['trust-broker', '--param', `node=${NODE}`]);
      expect(r.json?.state, failures(r.json) + diagnostics()).toBe('done');
      expect(r.code).toBe(0);
      expect(r.json!.changed).toBe(0);
      expect(r.json!.steps.map((s) => s.state)).toEqual(['unchanged', 'unchanged']);
      expect((r.json!.steps[1]!.outputs['matrix'] as Array<{ ok: boolean }>)[0]!.ok).toBe(true);
      const human = await cli(['runbook', 'run', 'trust-broker', '--param', `node=${NODE}`]);
      expect(human.stdout).toContain('Nothing to change: every step was already in place.');
    }, 180_000);

    it('writes the report with the trusted CA and the default listener row', async () => {
      const html = join(work, 'trust-broker.html');
      const rep = await cli(['runbook', 'report', first.id, '--out', html, '--site', 'Plant 7']);
      expect(rep.code, rep.stderr).toBe(0);
      expect(rep.stdout).toMatch(/0 open item\(s\)/);
      const text = readFileSync(html, 'utf8');
      expect(text).toContain('Plant 7');
      // The CA the run put in the vault is one of the report's certificates, with its serial and fingerprint.
      const trust = first.steps.find((s) => s.id === 'trust')!;
      const ca = JSON.parse((await cli(['pki', 'show', String(trust.outputs['certificateId']), '--json'])).stdout) as { summary: { serialHex: string; fingerprintSha256: string } };
      const certificates = text.slice(text.indexOf('<h2>Certificates</h2>'), text.indexOf('<h2>Listener matrix</h2>'));
      expect(certificates).toContain('Azure IoT Operations Quickstart Root CA');
      expect(certificates).toContain(ca.summary.serialHex);
      expect(certificates).toContain(ca.summary.fingerprintSha256);
      expect(text).toMatch(/<td>[^<]*default[^<]*<\/td><td class="ok">pass<\/td>/);
      expect(text).not.toMatch(/PRIVATE KEY|eyJ[A-Za-z0-9_-]{20,}/);
    }, 60_000);
  });

  describe('test-listeners', () => {
    let first: RunJson;
    beforeAll(async () => {
      dataDir = await vaultWithNode('test-listeners');
    });

    it('warns that the listeners are for testing, applies both and passes them with real clients', async () => {
      const r = await run(['test-listeners', '--param', `node=${NODE}`, '--param', `nodeIp=${edge.host.nodeAddress}`]);
      expect(r.stderr).toMatch(/^Warning: These listeners are for testing\. The NodePort listener accepts anyone/);
      expect(r.json?.state, failures(r.json) + diagnostics()).toBe('done');
      expect(r.code).toBe(10);
      first = r.json!;
      const rows = first.steps.find((s) => s.id === 'matrix')!.outputs['matrix'] as Array<{ label: string; ok: boolean; tls: string; auth: string }>;
      const nodePort = rows.find((x) => x.label.includes('nodeport-listener'));
      const lb = rows.find((x) => x.label.includes('loadbalancer-listener'));
      expect(nodePort, JSON.stringify(rows)).toMatchObject({ ok: true, auth: 'none accepted' });
      expect(lb, JSON.stringify(rows)).toMatchObject({ ok: true, tls: 'ok' });
      expect(rows.every((x) => x.ok), JSON.stringify(rows)).toBe(true);
      // On the cluster as seed 001 writes them: NodePort 31883 without auth, LoadBalancer 8883 with Automatic TLS.
      const np = await kubectlJson(['get', 'brokerlistener', '-n', NS, 'nodeport-listener']);
      expect(np['spec']).toMatchObject({ serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] });
      expect(np['spec']['ports'][0]['authenticationRef']).toBeUndefined();
      const lbl = await kubectlJson(['get', 'brokerlistener', '-n', NS, 'loadbalancer-listener']);
      expect(lbl['spec']['ports'][0]).toMatchObject({ port: 8883, tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer' } } } });
    }, 240_000);

    it('real clients: mosquitto without auth on 31883, and TLS on 8883 verified with the cluster CA the run trusted', async () => {
      const caFile = join(work, 'test-listeners-ca.pem');
      const trust = first.steps.find((s) => s.uses === 'aio.trust-bundle');
      const caId = String(trust?.outputs['certificateId'] ?? '');
      writeFileSync(caFile, JSON.parse((await cli(['pki', 'show', caId, '--pem', '--json'])).stdout)['pem']);
      const host = edge.host.nodeAddress;
      await pubSub(['-h', host, '-p', '31883'], ['-h', host, '-p', '31883']);
      await pubSub(['-h', host, '-p', '8883', '--cafile', caFile], ['-h', host, '-p', '31883']);
    }, 60_000);

    it('a second run has nothing to change; the report is written with both listeners', async () => {
      const text = await unchangedThenReport(['test-listeners', '--param', `node=${NODE}`, '--param', `nodeIp=${edge.host.nodeAddress}`], first.id);
      expect(text).toMatch(/nodeport-listener[^<]*<\/td><td class="ok">pass/);
      expect(text).toMatch(/loadbalancer-listener[^<]*<\/td><td class="ok">pass/);
    }, 240_000);
  });

  describe('litmus-edge', () => {
    let first: RunJson;
    let exportDir: string;
    let defaultBefore: unknown;
    const params = () => ['--param', `node=${NODE}`, '--param', `nodeIp=${edge.host.nodeAddress}`, '--param', `exportDir=${exportDir}`];
    const litmusFiles = () => join(exportDir, 'litmus');

    beforeAll(async () => {
      dataDir = await vaultWithNode('litmus-edge');
      exportDir = join(work, 'litmus-exports');
      // The test listeners go before production (their runbook's warning), and the broker allows one NodePort
      // listener: the Litmus one takes its place, as on a node being handed over.
      const del = await edge.kubectl(['delete', 'brokerlistener', '-n', NS, 'nodeport-listener', 'loadbalancer-listener', '--ignore-not-found']);
      expect(del.code, del.stderr).toBe(0);
      await operator!.waitFor((st) => !st.ports.some((p) => p.listener === 'nodeport-listener' || p.listener === 'loadbalancer-listener'), { what: 'the test listeners gone' });
      defaultBefore = (await kubectlJson(['get', 'brokerlistener', '-n', NS, 'default']))['spec'];
    });

    it('pauses before writing the connector key, then runs to a connect as the connector', async () => {
      const paused = await run(['litmus-edge', ...params()]);
      expect(paused.code, `${failures(paused.json)}${paused.stderr}`).toBe(11);
      const step = paused.json!.steps.find((s) => s.id === 'litmus-files')!;
      expect(step.state).toBe('paused');
      expect(step.error).toContain('private keys');
      const resumed = await cli(['runbook', 'resume', paused.json!.id, '--confirm', 'litmus-files', '--json']);
      const r = JSON.parse(resumed.stdout) as RunJson;
      expect(r.state, failures(r) + diagnostics()).toBe('done');
      expect(resumed.code).toBe(10);
      first = r;
      const rows = r.steps.find((s) => s.id === 'verify')!.outputs['matrix'] as Array<{ label: string; ok: boolean; tls: string; auth: string }>;
      expect(rows.find((x) => x.label.includes('litmus-listener')), JSON.stringify(rows)).toMatchObject({ ok: true, tls: 'ok', auth: 'x509 accepted' });
      expect(rows.every((x) => x.ok), JSON.stringify(rows)).toBe(true);
    }, 300_000);

    it('leaves the default listener alone and puts seed 000\'s objects on the cluster, field by field', async () => {
      expect((await kubectlJson(['get', 'brokerlistener', '-n', NS, 'default']))['spec']).toEqual(defaultBefore);
      const rootId = String(first.steps.find((s) => s.id === 'litmus-root')!.outputs['certificateId']);
      const rootPem = JSON.parse((await cli(['pki', 'show', rootId, '--pem', '--json'])).stdout)['pem'] as string;
      const cm = await kubectlJson(['get', 'configmap', '-n', NS, 'litmusedge-ca']);
      expect(Object.keys(cm['data'])).toEqual(['client_ca.pem']);
      expect(cm['data']['client_ca.pem'].trim()).toBe(rootPem.trim());
      const auth = await kubectlJson(['get', 'brokerauthentication', '-n', NS, 'litmus-x509']);
      // Seed 000's policy JSON, as it is written there.
      expect(auth['spec']['authenticationMethods']).toEqual([
        {
          method: 'X509',
          x509Settings: {
            authorizationAttributes: {
              intermediate: { attributes: { manufacturer: 'litmus edge' }, subject: 'CN = Litmus Edge Intermediate CA 1' },
              connector: { attributes: { group: 'connector_group' }, subject: 'CN = aiomqttconnector' },
            },
            trustedClientCaCert: 'litmusedge-ca',
          },
        },
      ]);
      const l = await kubectlJson(['get', 'brokerlistener', '-n', NS, 'litmus-listener']);
      expect(l['spec']['ports']).toEqual([expect.objectContaining({ port: 18884, nodePort: 31884, authenticationRef: 'litmus-x509' })]);
    }, 60_000);

    it('the Litmus export holds what seed 000 uploads, and its YAML is what the cluster now has', async () => {
      const dir = litmusFiles();
      const chain = readFileSync(join(dir, 'client-certificate.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!;
      // step's --bundle: the connector, then its intermediate; --not-after 2400h.
      expect(chain).toHaveLength(2);
      const leaf = new X509Certificate(chain[0]!);
      expect(leaf.subject).toBe('CN=aiomqttconnector');
      expect(leaf.issuer).toBe('CN=Litmus Edge Intermediate CA 1');
      expect(new X509Certificate(chain[1]!).subject).toBe('CN=Litmus Edge Intermediate CA 1');
      const hours = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 3_600_000;
      expect(Math.abs(hours - 2400)).toBeLessThanOrEqual(1);
      expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'client-key.pem'))))).toBe(true);
      expect(statSync(join(dir, 'client-key.pem')).mode & 0o077).toBe(0);
      // The CA the connector trusts is the cluster's trust bundle (seed 000: kubectl get configmap …-trust-bundle).
      const bundle = await kubectlJson(['get', 'configmap', '-n', NS, 'azure-iot-operations-aio-ca-trust-bundle']);
      expect(new X509Certificate(readFileSync(join(dir, 'broker-ca.pem'))).fingerprint256).toBe(new X509Certificate(bundle['data']['ca.crt']).fingerprint256);
      const docs = parseAllDocuments(readFileSync(join(dir, 'broker-authentication.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: unknown; data?: unknown });
      expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['ConfigMap/litmusedge-ca', 'BrokerAuthentication/litmus-x509']);
      expect(docs[0]!.data).toEqual((await kubectlJson(['get', 'configmap', '-n', NS, 'litmusedge-ca']))['data']);
      expect(docs[1]!.spec).toEqual((await kubectlJson(['get', 'brokerauthentication', '-n', NS, 'litmus-x509']))['spec']);
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readme).toContain(`Host ${edge.host.nodeAddress}, port 31884.`);
      expect(readme).toMatch(/Leave Client ID, Username and Password empty/);
    }, 60_000);

    it('a real MQTT client with only the exported files publishes and subscribes as the connector', async () => {
      const dir = litmusFiles();
      const asConnector = ['-h', edge.host.nodeAddress, '-p', '31884', '--cafile', join(dir, 'broker-ca.pem'), '--cert', join(dir, 'client-certificate.pem'), '--key', join(dir, 'client-key.pem')];
      await pubSub(asConnector, asConnector);
      // Without the certificate the listener refuses the client.
      const bare = await mosquittoPub(['-h', edge.host.nodeAddress, '-p', '31884', '--cafile', join(dir, 'broker-ca.pem'), '-t', 'litmus/none', '-m', 'x']);
      expect(bare.code).not.toBe(0);
    }, 60_000);

    it('a second run has nothing to change; the report lists the connector certificate and the Litmus listener', async () => {
      const text = await unchangedThenReport(['litmus-edge', ...params(), '--confirm', 'litmus-files'], first.id);
      const connectorId = String(first.steps.find((s) => s.id === 'connector')!.outputs['firstCertificateId']);
      const connector = JSON.parse((await cli(['pki', 'show', connectorId, '--json'])).stdout) as { summary: { serialHex: string; fingerprintSha256: string } };
      expect(text).toContain(connector.summary.serialHex);
      expect(text).toContain(connector.summary.fingerprintSha256);
      expect(text).toMatch(/litmus-listener[^<]*<\/td><td class="ok">pass/);
      expect(text).not.toMatch(/PRIVATE KEY/);
    }, 240_000);
  });
});
