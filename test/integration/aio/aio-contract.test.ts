import type { CallResponse } from '@shared/contract';
import type { Result } from '@shared/errors';
import { mkdtempSync, rmSync } from 'node:fs';
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

});
