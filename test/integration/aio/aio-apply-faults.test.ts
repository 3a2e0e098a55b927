import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AioService } from '../../../src/main/services/aio/aio-service';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { parseSpec, seed001Spec, seedVault, type SeedVault } from '../../unit/aio/aio-seed';
import { emulatorProvider } from './aio-fixture';
import { noLiveMatrix } from '../../support/services/absent-areas';

const NS = 'azure-iot-operations';
const AIO = 'mqttbroker.iotoperations.azure.com/v1';
const outcomes = (r: { resources: Array<{ ref: { name: string }; outcome: string }> }) => r.resources.map((x) => `${x.ref.name}:${x.outcome}`);

describe('faults during plan and apply', () => {
  let seed: SeedVault;
  let emu: KubeEmulator;
  let service: AioService;

  beforeAll(async () => {
    seed = await seedVault();
  });
  beforeEach(async () => {
    emu = await startKubeEmulator();
    service = new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu), pki: seed.pki, requestTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('401: a token the cluster does not accept gives a sentence and changes nothing', async () => {
    const bad = new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu, { token: 'expired-token' }), pki: seed.pki });
    const rv = emu.resourceVersion();
    const err = await bad.apply('edge-01', parseSpec(seed001Spec(seed))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'aio.unauthorized', message: expect.stringMatching(/did not accept the node's credentials.*reconnect the node/) });
    expect(emu.resourceVersion()).toBe(rv);
  });

  it('403: a read-only user reads and plans, but the apply stops at the first write and lists what was not applied', async () => {
    const viewer = new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu, { token: emu.viewerToken }), pki: seed.pki });
    const plan = await viewer.plan('edge-01', parseSpec(seed001Spec(seed)));
    expect(plan.canApply).toBe(false);
    expect(plan.resources[0]!.dryRun).toMatchObject({ ok: false, code: 'aio.forbidden' });
    const result = await viewer.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(result.complete).toBe(false);
    expect(outcomes(result)).toEqual(['broker-server-cert:failed', 'clients42-ca:not-attempted', 'x509-policy:not-attempted', 'loadbalancer-listener:not-attempted']);
    expect(result.resources[0]!.error).toMatchObject({ code: 'aio.forbidden', message: expect.stringMatching(/may not apply Secret broker-server-cert/) });
    expect(result.summary).toMatch(/Applied: none\. Not applied: Secret broker-server-cert, ConfigMap clients42-ca, BrokerAuthentication x509-policy, BrokerListener loadbalancer-listener\./);
  });

  it('409: fields owned by another manager (the portal) are named, the plan shows the conflict, and force takes them over', async () => {
    await emu.putObject(
      { apiVersion: AIO, kind: 'BrokerListener', metadata: { name: 'loadbalancer-listener', namespace: NS }, spec: { brokerRef: 'default', serviceName: 'loadbalancer-listener-service', serviceType: 'LoadBalancer', ports: [{ port: 8883, protocol: 'Mqtt', tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer', group: 'cert-manager.io' } } } }] } },
      'azure-portal',
    );
    const plan = await service.plan('edge-01', parseSpec(seed001Spec(seed)));
    const l = plan.resources.find((r) => r.ref.kind === 'BrokerListener')!;
    expect(l.dryRun).toMatchObject({ ok: false, code: 'aio.conflict' });
    expect(l.conflictsWith).toEqual(['azure-portal']);
    expect(plan.canApply).toBe(false);

    const first = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(outcomes(first)).toEqual(['broker-server-cert:applied', 'clients42-ca:applied', 'x509-policy:applied', 'loadbalancer-listener:failed']);
    expect(first.resources[3]!.error!.message).toMatch(/owned by azure-portal .*Apply again with "force"/);
    expect(first.summary).toMatch(/^BrokerListener loadbalancer-listener was not applied: .* Applied: Secret broker-server-cert, ConfigMap clients42-ca, BrokerAuthentication x509-policy\. Not applied: BrokerListener loadbalancer-listener\./);

    const forced = await service.plan('edge-01', parseSpec(seed001Spec(seed)), { force: true });
    expect(forced.canApply).toBe(true);
    expect(forced.resources[3]!.diff).toContain('-        mode: Automatic\n+        mode: Manual');
    // Forcing takes over the conflicting fields only; the portal's certManagerCertificateSpec stays, and the plan says so.
    expect(forced.issues.find((i) => i.field === 'spec.ports.tls.certManagerCertificateSpec')?.sentence).toMatch(/^Port 8883 of listener loadbalancer-listener would switch to Manual TLS but keep the old certManagerCertificateSpec settings, which azure-portal set/);
    const second = await service.apply('edge-01', parseSpec(seed001Spec(seed)), { force: true });
    expect(outcomes(second)).toEqual(['broker-server-cert:unchanged', 'clients42-ca:unchanged', 'x509-policy:unchanged', 'loadbalancer-listener:applied']);
    const stored = emu.getObject(AIO, 'BrokerListener', NS, 'loadbalancer-listener')!;
    expect((stored['spec'] as { ports: unknown[] }).ports).toEqual([
      { port: 8883, protocol: 'Mqtt', authenticationRef: 'x509-policy', tls: { mode: 'Manual', manual: { secretRef: 'broker-server-cert' }, certManagerCertificateSpec: { issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer', group: 'cert-manager.io' } } } },
    ]);
  });

  it('422: the server\'s causes come back in plain words', async () => {
    // A Secret's type is immutable: an Opaque one with the same name cannot become kubernetes.io/tls.
    await emu.putObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'broker-server-cert', namespace: NS }, type: 'Opaque', data: { a: 'Yg==' } });
    // Without force the other manager's ownership of `type` is reported first, as the API server does.
    const conflict = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(conflict.resources[0]!.error).toMatchObject({ code: 'aio.conflict' });
    const result = await service.apply('edge-01', parseSpec(seed001Spec(seed)), { force: true });
    expect(outcomes(result)).toEqual(['broker-server-cert:failed', 'clients42-ca:not-attempted', 'x509-policy:not-attempted', 'loadbalancer-listener:not-attempted']);
    expect(result.resources[0]!.error).toMatchObject({ code: 'aio.invalid', message: 'The cluster refused to apply Secret broker-server-cert: type: Invalid value: "kubernetes.io/tls": field is immutable. Correct that field and try again.' });
  });

  it('a connection dropped before the cluster stored a resource: exactly what was applied is listed, and re-running finishes without duplicates', async () => {
    emu.faults.dropNext({ when: 'before', match: (r) => r.method === 'PATCH' && r.name === 'x509-policy' });
    const first = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(first.complete).toBe(false);
    expect(outcomes(first)).toEqual(['broker-server-cert:applied', 'clients42-ca:applied', 'x509-policy:failed', 'loadbalancer-listener:not-attempted']);
    expect(first.resources[2]!.error).toMatchObject({ code: 'aio.connection', message: expect.stringMatching(/dropped while trying to apply BrokerAuthentication x509-policy/) });
    expect(emu.getObject(AIO, 'BrokerAuthentication', NS, 'x509-policy')).toBeUndefined();
    expect(first.readBack.map((r) => [r.ref.name, r.exists])).toEqual([['broker-server-cert', true], ['clients42-ca', true], ['x509-policy', false]]);

    const second = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(second.complete).toBe(true);
    expect(outcomes(second)).toEqual(['broker-server-cert:unchanged', 'clients42-ca:unchanged', 'x509-policy:applied', 'loadbalancer-listener:applied']);
    expect(emu.listObjects('v1', 'Secret', NS).filter((s) => (s['metadata'] as { name: string }).name === 'broker-server-cert')).toHaveLength(1);
    expect(emu.listObjects(AIO, 'BrokerListener', NS).map((l) => (l['metadata'] as { name: string }).name).sort()).toEqual(['default', 'loadbalancer-listener']);
  });

  it('a connection dropped after the cluster stored it: a fresh read confirms it was applied and the apply carries on', async () => {
    emu.faults.dropNext({ when: 'after', match: (r) => r.method === 'PATCH' && r.name === 'x509-policy' });
    const result = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(result.complete).toBe(true);
    expect(outcomes(result)).toEqual(['broker-server-cert:applied', 'clients42-ca:applied', 'x509-policy:applied', 'loadbalancer-listener:applied']);
    expect(result.resources[2]!.message).toBe('The connection dropped, but the cluster had already stored BrokerAuthentication x509-policy.');
  });

  it('when the check after a drop fails too, the resource is reported as unknown, never as applied', async () => {
    // Skip the GET before the PATCH; drop the PATCH (after storing) and the GET that would confirm it.
    emu.faults.dropNext({ when: 'after', skip: 1, times: 2, match: (r) => r.name === 'x509-policy' && (r.method === 'PATCH' || r.method === 'GET') });
    const result = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(outcomes(result)).toEqual(['broker-server-cert:applied', 'clients42-ca:applied', 'x509-policy:unknown', 'loadbalancer-listener:not-attempted']);
    expect(result.summary).toMatch(/x509-policy may not have been applied.*Apply the same spec again to finish/);
    const again = await service.apply('edge-01', parseSpec(seed001Spec(seed)));
    expect(outcomes(again)).toEqual(['broker-server-cert:unchanged', 'clients42-ca:unchanged', 'x509-policy:unchanged', 'loadbalancer-listener:applied']);
  });

  it('cancelling between resources stops the apply and says which were applied', async () => {
    const controller = new AbortController();
    const cancelling = new AioService({ liveMatrix: noLiveMatrix, kube: emulatorProvider(emu), pki: seed.pki, onApplyProgress: (e) => e.index === 1 && controller.abort(new Error('cancelled by the person')) });
    const result = await cancelling.apply('edge-01', parseSpec(seed001Spec(seed)), {}, { signal: controller.signal });
    expect(outcomes(result)).toEqual(['broker-server-cert:applied', 'clients42-ca:applied', 'x509-policy:not-attempted', 'loadbalancer-listener:not-attempted']);
    expect(result.summary).toBe('The apply was cancelled. Applied: Secret broker-server-cert, ConfigMap clients42-ca. Not applied: BrokerAuthentication x509-policy, BrokerListener loadbalancer-listener. Apply the same spec again to finish; what is already there is left as is.');
    expect(emu.getObject(AIO, 'BrokerAuthentication', NS, 'x509-policy')).toBeUndefined();
  });

  it('validation problems stop the apply before anything is sent', async () => {
    const spec = seed001Spec(seed, {});
    spec.listeners![0]!.ports[0]!.tls = { mode: 'Automatic', issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer' } };
    spec.listeners!.push({ name: 'default', serviceType: 'ClusterIp', ports: [{ port: 18883 }] });
    const before = emu.requests.length;
    const result = await service.apply('edge-01', parseSpec(spec));
    expect(result.complete).toBe(false);
    expect(result.resources.every((r) => r.outcome === 'not-attempted')).toBe(true);
    expect(emu.requests.slice(before).some((r) => r.method === 'PATCH')).toBe(false);
    const sentences = result.issues.filter((i) => i.severity === 'error').map((i) => i.sentence);
    expect(sentences).toContain('Port 8883 of listener loadbalancer-listener asks cert-manager Issuer aio-tls-issuer for its certificate, but no such Issuer exists in azure-iot-operations; the certificate would never be issued and clients would see ECONNRESET during the handshake. Use ClusterIssuer azure-iot-operations-aio-certificate-issuer instead.');
    expect(sentences.some((s) => s.startsWith('The spec changes the default listener'))).toBe(true);
    expect(result.summary).toMatch(/^Nothing was applied: the spec has \d+ problems to fix first\.$/);
  });
});
