import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator.js';
import { loadClientNode } from '../../support/kube/load-client-node.js';

const { k8s, reason } = await loadClientNode();
if (!k8s) console.warn(`Skipping the client-node checks of the kube emulator: ${reason}`);
const { ApiException, AuthenticationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy } = k8s ?? ({} as NonNullable<typeof k8s>);

const NS = 'azure-iot-operations';
const AIO = { group: 'mqttbroker.iotoperations.azure.com', version: 'v1' };

function statusOf(err: unknown): { code: number; body: { reason?: string; message?: string; details?: { causes?: Array<{ field?: string }> } } } {
  expect(err).toBeInstanceOf(ApiException);
  const e = err as { code: number; body: string };
  return { code: e.code, body: JSON.parse(e.body) as never };
}

describe.skipIf(!k8s)('kube emulator with @kubernetes/client-node', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kc: InstanceType<typeof KubeConfig>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-cn-'));
    emu = await startKubeEmulator({ dir });
    kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig.yaml'));
  });

  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the preloaded trust bundle and the default listener', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({ name: 'azure-iot-operations-aio-ca-trust-bundle', namespace: NS });
    expect(cm.data?.['ca.crt']).toBe(emu.aioRootCa.cert);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const listener = (await custom.getNamespacedCustomObject({ ...AIO, namespace: NS, plural: 'brokerlisteners', name: 'default' })) as { spec: { serviceName: string; ports: Array<{ port: number; tls: { mode: string } }> } };
    expect(listener.spec.serviceName).toBe('aio-broker');
    expect(listener.spec.ports[0]).toMatchObject({ port: 18883, tls: { mode: 'Automatic' } });
  });

  it('creates a Secret, then answers 409 AlreadyExists and 422 for a tls Secret without a key', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const body = { metadata: { name: 'cn-secret' }, type: 'Opaque', stringData: { a: 'b' } };
    const created = await core.createNamespacedSecret({ namespace: NS, body });
    expect(created.data?.['a']).toBe(Buffer.from('b').toString('base64'));
    const dup = await core.createNamespacedSecret({ namespace: NS, body }).catch((e: unknown) => e);
    expect(statusOf(dup)).toMatchObject({ code: 409, body: { reason: 'AlreadyExists', message: 'secrets "cn-secret" already exists' } });
    const bad = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'cn-tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } } }).catch((e: unknown) => e);
    const s = statusOf(bad);
    expect(s.code).toBe(422);
    expect(s.body.message).toBe('Secret "cn-tls" is invalid: data[tls.key]: Required value');
    expect(s.body.details?.causes?.[0]?.field).toBe('data[tls.key]');
  });

  it('server-side applies a BrokerListener with KubernetesObjectApi and owns its fields as fieldbench', async () => {
    const client = KubernetesObjectApi.makeApiClient(kc);
    const listener = {
      apiVersion: `${AIO.group}/${AIO.version}`,
      kind: 'BrokerListener',
      metadata: { name: 'cn-listener', namespace: NS },
      spec: { brokerRef: 'default', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883, protocol: 'Mqtt' }] },
    } as KubernetesObject;
    const applied = (await client.patch(listener, undefined, undefined, 'fieldbench', false, PatchStrategy.ServerSideApply)) as KubernetesObject & { spec: unknown };
    expect(applied.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['fieldbench', 'Apply']]);
    const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'cn-listener', namespace: NS });
    expect(svc.spec?.type).toBe('NodePort');
    expect(svc.spec?.ports?.[0]?.nodePort).toBe(31883);
    // dry run: the answer shows the change, the store does not get it
    const dry = (await client.patch({ ...listener, spec: { ...(listener as { spec: object }).spec, serviceType: 'LoadBalancer' } } as KubernetesObject, undefined, 'All', 'fieldbench', false, PatchStrategy.ServerSideApply)) as { spec: { serviceType: string } };
    expect(dry.spec.serviceType).toBe('LoadBalancer');
    const stored = emu.getObject(`${AIO.group}/${AIO.version}`, 'BrokerListener', NS, 'cn-listener') as { spec: { serviceType: string } };
    expect(stored.spec.serviceType).toBe('NodePort');
  });

  it('accepts a nodePort of 80 and a lower-case enum as a v1 cluster does, and refuses a port outside 0-65535 and an unknown enum with 422 causes', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ok = (await custom.createNamespacedCustomObject({
      ...AIO,
      namespace: NS,
      plural: 'brokerlisteners',
      body: { apiVersion: `${AIO.group}/${AIO.version}`, kind: 'BrokerListener', metadata: { name: 'cn-lenient' }, spec: { brokerRef: 'default', serviceType: 'loadBalancer', ports: [{ port: 1887, nodePort: 80 }] } },
    })) as { spec: { serviceType: string; ports: Array<{ nodePort: number }> } };
    expect(ok.spec.serviceType).toBe('loadBalancer');
    expect(ok.spec.ports[0]?.nodePort).toBe(80);
    const err = await custom
      .createNamespacedCustomObject({
        ...AIO,
        namespace: NS,
        plural: 'brokerlisteners',
        body: { apiVersion: `${AIO.group}/${AIO.version}`, kind: 'BrokerListener', metadata: { name: 'cn-bad' }, spec: { brokerRef: 'default', serviceType: 'Ingress', ports: [{ port: 1884, nodePort: 70000 }] } },
      })
      .catch((e: unknown) => e);
    const s = statusOf(err);
    expect(s.code).toBe(422);
    expect(s.body.details?.causes?.map((c) => c.field)).toEqual(['spec.serviceType', 'spec.ports[0].nodePort']);
    expect(s.body.message).toContain('spec.serviceType: Unsupported value: "Ingress": supported values: "ClusterIp", "LoadBalancer", "NodePort"');
    expect(s.body.message).toContain('spec.ports[0].nodePort in body should be less than or equal to 65535');
  });

  it('gives 403 to the read-only user on writes and 401 to a bad token', async () => {
    const viewer = new KubeConfig();
    viewer.loadFromString(await emu.kubeconfig({ token: emu.viewerToken }));
    const core = viewer.makeApiClient(CoreV1Api);
    await expect(core.readNamespacedConfigMap({ name: 'azure-iot-operations-aio-ca-trust-bundle', namespace: NS })).resolves.toBeDefined();
    const denied = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'nope' } } }).catch((e: unknown) => e);
    expect(statusOf(denied)).toMatchObject({ code: 403, body: { reason: 'Forbidden', message: 'configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "azure-iot-operations"' } });
    const stranger = new KubeConfig();
    stranger.loadFromString(await emu.kubeconfig({ token: 'not-a-token' }));
    const unauth = await stranger.makeApiClient(CoreV1Api).listNamespace().catch((e: unknown) => e);
    // client-node keeps no body for a 401 (its generated code throws before reading it)
    expect(unauth).toBeInstanceOf(ApiException);
    expect((unauth as { code: number }).code).toBe(401);
  });

  it('mints a token with TokenRequest and validates it with TokenReview', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const tr = await core.createNamespacedServiceAccountToken({ name: 'default', namespace: NS, body: { spec: { audiences: ['aio-internal'] } } });
    const token = tr.status?.token ?? '';
    expect(token.split('.')).toHaveLength(3);
    const auth = kc.makeApiClient(AuthenticationV1Api);
    const ok = await auth.createTokenReview({ body: { spec: { token, audiences: ['aio-internal'] } } });
    expect(ok.status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:azure-iot-operations:default' }, audiences: ['aio-internal'] });
    const wrong = await auth.createTokenReview({ body: { spec: { token, audiences: ['other'] } } });
    expect(wrong.status?.authenticated).toBeFalsy();
    expect(wrong.status?.error).toContain('is invalid for the target audiences ["other"]');
  });
});
