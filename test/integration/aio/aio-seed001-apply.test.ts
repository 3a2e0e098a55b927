import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AioService } from '../../../src/main/services/aio/aio-service';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { kubectl, kubectlAvailable } from '../../support/kube/kubectl-runner';
import { parseSpec, seed001Spec, seedVault, type SeedVault } from '../../unit/aio/aio-seed';
import { emulatorProvider, type CountingProvider } from './aio-fixture';
import { noLiveMatrix } from '../../support/services/absent-areas';

const NS = 'azure-iot-operations';
const AIO = 'mqttbroker.iotoperations.azure.com/v1';

describe('seed 001 through plan, apply and read-back against the emulator', () => {
  let emu: KubeEmulator;
  let seed: SeedVault;
  let provider: CountingProvider;
  let service: AioService;
  let dir: string;
  const progress: Array<{ index: number; outcome: string }> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fb-aio-'));
    [emu, seed] = await Promise.all([startKubeEmulator({ dir }), seedVault()]);
    provider = emulatorProvider(emu);
    service = new AioService({ liveMatrix: noLiveMatrix, kube: provider, pki: seed.pki, onApplyProgress: (e) => progress.push({ index: e.index, outcome: e.resource.outcome }) });
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans the four resources with YAML, a create diff and a passing dry run, and never shows the key', async () => {
    const before = emu.resourceVersion();
    const plan = await service.plan('edge-01', parseSpec(seed001Spec(seed)));
    expect(plan.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(plan.canApply).toBe(true);
    expect(plan.resources.map((r) => `${r.ref.kind}/${r.ref.name}:${r.action}`)).toEqual([
      'Secret/broker-server-cert:create',
      'ConfigMap/clients42-ca:create',
      'BrokerAuthentication/x509-policy:create',
      'BrokerListener/loadbalancer-listener:create',
    ]);
    for (const r of plan.resources) expect(r.dryRun).toEqual({ ok: true });
    const key = seed.pki.exportKey(seed.server.id);
    const text = JSON.stringify(plan);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(Buffer.from(key.trim() + '\n').toString('base64').slice(0, 60));
    expect(plan.resources[0]!.yaml).toMatch(/tls\.key: "?<hidden: sha256 [0-9a-f]{12}>/);
    expect(plan.resources[3]!.diff).toContain('+  serviceType: LoadBalancer');
    // Dry runs only: nothing was stored.
    expect(emu.getObject('v1', 'Secret', NS, 'broker-server-cert')).toBeUndefined();
    expect(emu.resourceVersion()).toBe(before);
    expect(emu.requests.filter((r) => r.method === 'PATCH').every((r) => r.query['dryRun'] === 'All' && r.query['fieldManager'] === 'fieldbench')).toBe(true);
    expect(provider.released).toBe(provider.opened);
  });

  it('applies in order with per-resource progress, reads back, and kubectl sees exactly what was built', async () => {
    const defaultBefore = emu.getObject(AIO, 'BrokerListener', NS, 'default')!;
    const result = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(result.summary).toBe('Applied 4 of 4 resources.');
    // Neither the key nor its base64 form appears anywhere in what goes back to the renderer.
    expect(JSON.stringify(result)).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTiBQUklWQVRF/);
    expect(result.complete).toBe(true);
    expect(result.resources.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(progress).toEqual([0, 1, 2, 3].map((index) => ({ index, outcome: 'applied' })));
    expect(result.readBack.map((r) => [r.ref.name, r.exists, r.managers.includes('fieldbench')])).toEqual([
      ['broker-server-cert', true, true],
      ['clients42-ca', true, true],
      ['x509-policy', true, true],
      ['loadbalancer-listener', true, true],
    ]);
    const patches = emu.requests.filter((r) => r.method === 'PATCH' && r.query['dryRun'] === undefined);
    expect(patches.map((r) => r.path.split('/').slice(-2).join('/'))).toEqual(['secrets/broker-server-cert', 'configmaps/clients42-ca', 'brokerauthentications/x509-policy', 'brokerlisteners/loadbalancer-listener']);
    expect(patches.every((r) => r.contentType === 'application/apply-patch+yaml' && r.query['fieldManager'] === 'fieldbench')).toBe(true);

    const { built } = { built: service.build(parseSpec(seed001Spec(seed))) };
    if (!kubectlAvailable()) {
      console.warn('kubectl is not installed: skipping the read-back with the real kubectl');
      return;
    }
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    const home = join(dir, 'home');
    await writeFile(join(dir, 'touch'), '');
    const get = async (res: string, name: string) => {
      const r = await kubectl(['get', res, name, '-n', NS, '-o', 'yaml'], { kubeconfig, home });
      expect(r.code, r.stderr).toBe(0);
      return parseYaml(r.stdout) as Record<string, unknown>;
    };
    const secret = await get('secret', 'broker-server-cert');
    expect(secret['type']).toBe('kubernetes.io/tls');
    expect(secret['data']).toEqual(built.objects[0]!['data']);
    const crt = Buffer.from((secret['data'] as Record<string, string>)['tls.crt']!, 'base64').toString();
    expect(crt.match(/BEGIN CERTIFICATE/g)).toHaveLength(2); // leaf + intermediate, no root
    expect(crt).toBe(seed.pki.exportCertificatePem(seed.server.id) + seed.pki.exportCertificatePem(seed.int.id));
    const cm = await get('configmap', 'clients42-ca');
    expect(cm['data']).toEqual({ 'client_ca.pem': seed.pki.exportCertificatePem(seed.croot.id) });
    const auth = await get('brokerauthentication', 'x509-policy');
    expect(auth['spec']).toEqual({
      authenticationMethods: [
        {
          method: 'X509',
          x509Settings: {
            trustedClientCaCert: 'clients42-ca',
            authorizationAttributes: {
              intermediate: { attributes: { manufacturer: 'litmus edge' }, subject: 'CN = Litmus Edge Intermediate CA 1' },
              connector: { attributes: { group: 'connector_group' }, subject: 'CN = aiomqttconnector' },
            },
          },
        },
      ],
    });
    const listener = await get('brokerlistener', 'loadbalancer-listener');
    expect(listener['apiVersion']).toBe(AIO);
    expect(listener['spec']).toEqual({
      brokerRef: 'default',
      serviceName: 'loadbalancer-listener-service',
      serviceType: 'LoadBalancer',
      ports: [{ port: 8883, protocol: 'Mqtt', authenticationRef: 'x509-policy', tls: { mode: 'Manual', manual: { secretRef: 'broker-server-cert' } } }],
    });
    const svc = await get('service', 'loadbalancer-listener-service');
    expect((svc['spec'] as Record<string, unknown>)['type']).toBe('LoadBalancer');
    // The default listener is untouched: same spec, same resourceVersion, no fieldbench ownership.
    const defaultAfter = emu.getObject(AIO, 'BrokerListener', NS, 'default')!;
    expect(defaultAfter['spec']).toEqual(defaultBefore['spec']);
    expect((defaultAfter['metadata'] as Record<string, unknown>)['resourceVersion']).toBe((defaultBefore['metadata'] as Record<string, unknown>)['resourceVersion']);
    expect(JSON.stringify((defaultAfter['metadata'] as Record<string, unknown>)['managedFields'])).not.toContain('fieldbench');
  });

  it('re-applies idempotently: every resource unchanged, no resourceVersion moves, no duplicates', async () => {
    const count = () => ['Secret', 'ConfigMap'].map((k) => emu.listObjects('v1', k, NS).length).concat(['BrokerAuthentication', 'BrokerListener'].map((k) => emu.listObjects(AIO, k, NS).length));
    const countsBefore = count();
    const rv = emu.resourceVersion();
    const result = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(result.complete).toBe(true);
    expect(result.resources.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(result.summary).toBe('All 4 resources were already as asked; nothing changed.');
    expect(emu.resourceVersion()).toBe(rv);
    expect(count()).toEqual(countsBefore);
    const plan = await service.plan('edge-01', parseSpec(seed001Spec(seed)));
    expect(plan.resources.map((r) => [r.action, r.diff])).toEqual([0, 1, 2, 3].map(() => ['unchanged', '']));
  });

  it('a changed spec shows a precise diff, then applies only what changed', async () => {
    const spec = seed001Spec(seed);
    spec.listeners![0]!.ports.push({ port: 8884, protocol: 'Mqtt' });
    const plan = await service.plan('edge-01', parseSpec(spec));
    const l = plan.resources.find((r) => r.ref.kind === 'BrokerListener')!;
    expect(l.action).toBe('update');
    expect(l.diff).toContain('+    - port: 8884\n+      protocol: Mqtt');
    expect(plan.resources.filter((r) => r.action === 'unchanged')).toHaveLength(3);
    expect(plan.issues.some((i) => i.severity === 'warning' && i.sentence.startsWith('Port 8884 of listener loadbalancer-listener has no authentication'))).toBe(true);
    const result = await service.apply('edge-01', parseSpec(spec));
    expect(result.resources.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged', 'applied']);
  });
});
