import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AIO_SCHEMAS } from '../../support/kube/aio-crd-schema';
import { pruneAndValidate } from '../../support/kube/kube-structural';
import { aioCli, aioCliLab } from './aio-cli-fixture';

const NS = 'azure-iot-operations';
const AIO = 'mqttbroker.iotoperations.azure.com/v1';

const cli = aioCli;

interface Check {
  id: string;
  group: string;
  level: string;
  sentence: string;
}

describe('fieldbench aio check and aio render', () => {
  const lab = aioCliLab('fb-aio-check-');
  const check = async (...extra: string[]) => {
    const r = await cli(['check', '--node', 'edge-01', '--no-live', '--json', ...extra], lab.dataDir);
    return { code: r.code, checks: (JSON.parse(r.stdout) as { checks: Check[] }).checks };
  };
  const level = (checks: Check[], id: string) => checks.find((c) => c.id === id)?.level;


  it('a healthy install passes every check az iot ops check runs, and says what it did not test', async () => {
    const r = await cli(['check', '--node', 'edge-01', '--no-live', '--detail-level', '1'], lab.dataDir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const line of ['PASS  Broker', 'PASS  Broker in azure-iot-operations: One broker (default), as expected.', 'PASS  Runtime health', 'PASS  Listeners', 'PASS  BrokerListener default: Service aio-broker exists with type ClusterIP.', 'PASS  BrokerListener default port 18883: TLS Automatic.', 'PASS  BrokerAuthentication default: Service account token audiences: aio-internal.', 'SKIP  Live connect: The live connect was not asked for.']) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stdout).toMatch(/PASS {2}Certificate aio-broker-frontend-server-18883: Valid until \S+; cert-manager renews it at \S+\./);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('each fault built on purpose gets its level, and any fail exits 1', async () => {
    const put = (o: Record<string, unknown>) => lab.emu.putObject(o, 'azure-portal');
    const del = (kind: string, name: string) => lab.emu.deleteObject(AIO, kind, NS, name);
    // Issuer missing, X.509 CA ConfigMap missing, an authentication that does not exist, TLS with both settings.
    await put({ apiVersion: AIO, kind: 'BrokerAuthentication', metadata: { name: 'x509-policy', namespace: NS }, spec: { authenticationMethods: [{ method: 'X509', x509Settings: { trustedClientCaCert: 'nowhere-ca' } }, { method: 'ServiceAccountToken', serviceAccountTokenSettings: { audiences: [] } }] } });
    await put({
      apiVersion: AIO,
      kind: 'BrokerListener',
      metadata: { name: 'lb', namespace: NS },
      spec: {
        brokerRef: 'default',
        serviceType: 'LoadBalancer',
        ports: [
          { port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'gone', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } },
          { port: 8884, authenticationRef: 'nope', tls: { mode: 'Manual', manual: { secretRef: 's' }, certManagerCertificateSpec: { issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } },
        ],
      },
    });
    await put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'aio-broker-authentication-0', namespace: NS }, spec: { containers: [{ name: 'auth', image: 'x' }] }, status: { phase: 'Pending', containerStatuses: [{ name: 'auth', ready: false, restartCount: 3 }] } });
    const probe = lab.emu.getObject('v1', 'Pod', NS, 'aio-broker-diagnostics-probe-0')!;
    await lab.emu.deleteObject('v1', 'Pod', NS, 'aio-broker-diagnostics-probe-0');
    onTestFinished(async () => {
      await lab.emu.putObject(probe);
      await del('BrokerListener', 'lb');
      await del('BrokerAuthentication', 'x509-policy');
      await lab.emu.deleteObject('v1', 'Pod', NS, 'aio-broker-authentication-0');
    });
    const { code, checks } = await check();
    expect(code).toBe(1);
    expect(level(checks, 'listener-issuer-missing:lb:8883')).toBe('fail');
    expect(level(checks, 'authn-x509-ca:x509-policy')).toBe('fail');
    expect(level(checks, 'authn-sat-audiences:x509-policy')).toBe('fail');
    expect(level(checks, 'listener-authn:lb:8884')).toBe('fail');
    expect(level(checks, 'listener-authn:lb:8883')).toBe('pass');
    expect(level(checks, 'listener-tls:lb:8884')).toBe('fail');
    expect(level(checks, 'listener-tls:lb:8883')).toBe('pass');
    expect(level(checks, 'listener-service:lb')).toBe('pass');
    expect(level(checks, 'listener-ingress:lb')).toBe('pass');
    expect(level(checks, 'pods:aio-broker-authentication')).toBe('fail');
    expect(level(checks, 'pods:aio-broker-diagnostics-probe')).toBe('warn');
    // SANs against the LoadBalancer address and the node address given.
    const sans = await check('--address', '10.9.9.9');
    const sanFails = sans.checks.filter((c) => c.group === 'sans' && c.level === 'fail');
    expect(sanFails.map((c) => c.id)).toContainEqual(expect.stringMatching(/^server-cert-san:lb:8883:/));
    expect(sanFails.find((c) => c.id.startsWith('server-cert-san:lb:8883:'))!.sentence).toMatch(/does not list (10\.9\.9\.9, 127\.0\.0\.1|127\.0\.0\.1, 10\.9\.9\.9)/);
  });

  it('a certificate still being issued is a wait, then a warning after --wait, then a pass', async () => {
    lab.emu.certManager.holdIssuance = true;
    onTestFinished(async () => {
      lab.emu.certManager.holdIssuance = false;
      await lab.emu.deleteObject(AIO, 'BrokerListener', NS, 'slow');
    });
    await lab.emu.putObject({ apiVersion: AIO, kind: 'BrokerListener', metadata: { name: 'slow', namespace: NS }, spec: { brokerRef: 'default', serviceType: 'NodePort', ports: [{ port: 1888, nodePort: 31888, tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } }] } });
    const now = await check();
    expect(now.checks.find((c) => c.id === 'certificate-not-issued-yet:aio-broker-frontend-server-1888')).toMatchObject({ level: 'pass', sentence: expect.stringMatching(/is not issued yet; cert-manager is issuing it/) });
    expect(now.checks.some((c) => c.id.startsWith('listener-issuer-missing:slow'))).toBe(false);
    const waited = await check('--wait', '1');
    expect(waited.checks.find((c) => c.id === 'certificate-not-issued-yet:aio-broker-frontend-server-1888')).toMatchObject({ level: 'warn', sentence: expect.stringMatching(/is still not issued after waiting \d+ s, although its ClusterIssuer azure-iot-operations-aio-certificate-issuer is ready/) });
    await lab.emu.releaseIssuance();
    const done = await check();
    expect(level(done.checks, 'cert-expiry:aio-broker-frontend-server-1888')).toBe('pass');
  });

  it('the live connect goes through the MQTT area and fails where no broker answers', async () => {
    const r = await cli(['check', '--node', 'edge-01', '--json'], lab.dataDir);
    const live = (JSON.parse(r.stdout) as { checks: Check[] }).checks.filter((c) => c.group === 'live');
    expect(live.length).toBeGreaterThan(0);
    // The emulator serves the Kubernetes API only: the listener ports have no MQTT broker behind them.
    expect(live.every((c) => c.level !== 'pass')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('aio render needs no node and writes exactly what apply sends, which the CRD schema accepts', async () => {
    const flags = ['--server-cert', 'mqtts-endpoint', '--client-ca', 'Clients42 Root CA', '--listener-port', '8883', '--service-type', 'LoadBalancer', '--service-name', 'loadbalancer-listener-service'];
    const shown = await cli(['render', ...flags], lab.dataDir);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain('PRIVATE KEY');
    expect(shown.stderr).toContain('Private keys are hidden here; --out FILE writes them.');
    expect(shown.stderr).toContain('do not show in the Azure portal unless resource sync is enabled');
    const file = join(lab.dir, 'seed001.yaml');
    const written = await cli(['render', ...flags, '--out', file], lab.dataDir);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain(`Wrote 4 objects to ${file} (it holds private keys`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown> & { kind: string; metadata: { name: string } });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Secret/broker-server-cert', 'ConfigMap/clients42-ca', 'BrokerAuthentication/x509-policy', 'BrokerListener/loadbalancer-listener']);
    expect(Buffer.from((docs[0]!['data'] as Record<string, string>)['tls.key']!, 'base64').toString()).toContain('PRIVATE KEY');
    for (const d of docs.slice(2)) expect(pruneAndValidate(AIO_SCHEMAS[d.kind]!, structuredClone(d) as never)).toEqual({ errors: [], unknown: [] });
    // The same spec applied: the cluster stores what render wrote.
    expect((await cli(['apply', '--node', 'edge-01', ...flags, '--yes'], lab.dataDir)).code).toBe(0);
    const stored = lab.emu.getObject(AIO, 'BrokerListener', NS, 'loadbalancer-listener') as { spec: unknown };
    expect(stored.spec).toEqual(docs[3]!['spec']);
    expect((await cli(['render', '--node', 'edge-01', ...flags], lab.dataDir)).code).toBe(2);
  });
});
