import type { CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

describe('aio.* through the contract, with a kubeconfig node from the edge area', () => {
  let dir: string;
  let emu: KubeEmulator;
  let app: AppContext;
  let nodeId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-aio-contract-'));
    emu = await startKubeEmulator({ dir: join(dir, 'cluster') });
    app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli', vault: { createOptions: WEAK } });
    expect(await app.dispatcher.dispatch('vault.create', { password: 'long enough pw' })).toMatchObject({ ok: true });
    const saved = await app.dispatcher.dispatch('edge.saveNode', { name: 'edge-01', host: '127.0.0.1', user: 'technician', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: join(dir, 'cluster', 'kubeconfig.yaml') } });
    expect(saved).toMatchObject({ ok: true });
    nodeId = (saved as { value: { id: string } }).value.id;
  });
  afterAll(async () => {
    await app?.dispose();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('discovers, applies a NodePort listener as a job with progress events, and diagnoses', async () => {
    const d = await app.dispatcher.dispatch('aio.discover', { nodeId });
    expect(d).toMatchObject({ ok: true, value: { aioPresent: true, listeners: [{ name: 'default' }] } });

    const progress: unknown[] = [];
    const applied: unknown[] = [];
    const offP = app.hub.on('jobs.onProgress', (p) => progress.push(p));
    const offA = app.hub.on('aio.onApplyProgress', (p) => applied.push(p));
    const spec = { listeners: [{ name: 'nodeport-listener', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] }] };
    const plan = await app.dispatcher.dispatch('aio.plan', { nodeId, spec });
    expect(plan).toMatchObject({ ok: true, value: { canApply: true, resources: [{ action: 'create', dryRun: { ok: true } }] } });
    const result = await app.dispatcher.dispatch('aio.apply', { nodeId, spec }, { jobId: 'apply-1' });
    offP();
    offA();
    expect(result).toMatchObject({ ok: true, value: { complete: true, resources: [{ ref: { kind: 'BrokerListener', name: 'nodeport-listener' }, outcome: 'applied' }] } });
    expect(applied).toEqual([{ nodeId, index: 0, total: 1, resource: { ref: { kind: 'BrokerListener', name: 'nodeport-listener', namespace: 'azure-iot-operations' }, outcome: 'applied' } }]);
    expect(progress.some((p) => (p as { jobId: string; message: string }).message === 'Applying BrokerListener nodeport-listener (1 of 1)…')).toBe(true);
    // Every change to the cluster lands in the node's activity log, next to the edge area's own entries.
    const log = (await app.dispatcher.dispatch('edge.activity', { nodeId })) as Result<CallResponse<'edge.activity'>>;
    expect(log.ok && log.value.entries.some((e) => e.area === 'aio' && e.kind === 'applied' && e.message.includes('BrokerListener nodeport-listener (applied)'))).toBe(true);

    const back = await app.dispatcher.dispatch('aio.readBack', { nodeId, resources: [{ kind: 'BrokerListener', name: 'nodeport-listener', namespace: 'azure-iot-operations' }, { kind: 'Service', name: 'nodeport-listener', namespace: 'azure-iot-operations' }] });
    expect(back).toMatchObject({ ok: true, value: { resources: [{ exists: true, managers: ['fieldbench'] }, { exists: true }] } });

    const diag = await app.dispatcher.dispatch('aio.diagnose', { nodeId });
    expect(diag).toMatchObject({ ok: true });
    expect((diag as { value: { diagnostics: Array<{ severity: string }> } }).value.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('refuses bad requests at the contract and unknown nodes with the edge area\'s sentence', async () => {
    expect(await app.dispatcher.dispatch('aio.apply', { nodeId, spec: { listeners: [{ name: 'x', serviceType: 'loadBalancer', ports: [{ port: 1 }] }] } })).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
    const unknown = await app.dispatcher.dispatch('aio.discover', { nodeId: 'no-such-node' });
    expect(unknown.ok).toBe(false);
  });

  it('render takes no path, shows no key, and hands the exact YAML only to the CLI or a one-time download', async () => {
    const issue = async (a: AppContext, call: string, req: Record<string, unknown>) => {
      const r = await a.dispatcher.dispatch(call, req, { jobId: `${call}-${Math.random()}` });
      if (!r.ok) throw new Error(r.error.message);
      return (r.value as { certificate: { id: string } }).certificate.id;
    };
    const seed = async (a: AppContext) => {
      const root = await issue(a, 'pki.createRoot', { subject: { commonName: 'Render Root' } });
      return issue(a, 'pki.createServer', { subject: { commonName: 'mqtts-endpoint' }, sans: ['10.0.0.9'], issuerId: root });
    };
    const spec = (serverId: string) => ({ serverSecrets: [{ name: 'broker-server-cert', certificateId: serverId }], listeners: [{ name: 'lb', serviceType: 'LoadBalancer', ports: [{ port: 8883, tls: { mode: 'Manual', secretName: 'broker-server-cert' } }] }] });
    const serverId = await seed(app);
    const target = join(dir, 'written-by-main.yaml');
    // A renderer's request naming a path is refused by validation, and nothing is written.
    const withPath = await app.dispatcher.dispatch('aio.render', { spec: spec(serverId), outputPath: target });
    expect(withPath).toMatchObject({ ok: false, error: { code: 'contract.invalidRequest' } });
    expect(existsSync(target)).toBe(false);
    const shown = (await app.dispatcher.dispatch('aio.render', { spec: spec(serverId) })) as Result<CallResponse<'aio.render'>>;
    if (!shown.ok) throw new Error(shown.error.message);
    expect(shown.value.containsKeys).toBe(true);
    expect(JSON.stringify(shown.value)).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTiBQUklWQVRF/);
    expect(shown.value).not.toHaveProperty('exactYaml');
    // The CLI runtime gets the exact text to write.
    const exact = (await app.dispatcher.dispatch('aio.renderExact', { spec: spec(serverId) })) as Result<CallResponse<'aio.renderExact'>>;
    if (!exact.ok) throw new Error(exact.error.message);
    expect(Buffer.from(/tls\.key: (\S+)/.exec(exact.value.exactYaml)![1]!, 'base64').toString()).toContain('PRIVATE KEY');
    expect((await app.dispatcher.dispatch('aio.renderDownload', { spec: spec(serverId) })).ok).toBe(false);

    for (const runtime of ['electron', 'loopback-host'] as const) {
      const other = composeApp({ dataDir: join(dir, `data-${runtime}`), runtime, vault: { createOptions: WEAK } });
      try {
        expect(await other.dispatcher.dispatch('vault.create', { password: 'long enough pw' })).toMatchObject({ ok: true });
        const id = await seed(other);
        expect(await other.dispatcher.dispatch('aio.renderExact', { spec: spec(id) })).toMatchObject({ ok: false, error: { code: 'aio.renderKeysRefused' } });
        const dl = (await other.dispatcher.dispatch('aio.renderDownload', { spec: spec(id) })) as Result<CallResponse<'aio.renderDownload'>>;
        if (runtime === 'electron') {
          expect(dl).toMatchObject({ ok: false, error: { code: 'aio.downloadUnavailable' } });
          continue;
        }
        if (!dl.ok) throw new Error(dl.error.message);
        expect(JSON.stringify(dl.value)).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTiBQUklWQVRF/);
        expect(dl.value.fileName).toBe('azure-iot-operations-broker-resources.yaml');
        const taken = other.downloads.take(dl.value.url.split('/').pop()!)!;
        expect(taken.secret).toBe(true);
        expect(Buffer.from(/tls\.key: (\S+)/.exec(Buffer.from(taken.bytes).toString())![1]!, 'base64').toString()).toContain('PRIVATE KEY');
      } finally {
        await other.dispose();
      }
    }
  });

});
