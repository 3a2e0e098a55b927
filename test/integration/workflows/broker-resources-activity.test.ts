import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import { describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { aioCli, aioCliLab, CLI_PASSWORD } from '../aio/aio-cli-fixture';

// "Apply the broker resources for a certificate set" is one workflow: the page (aio.apply over IPC or the
// loopback host, both the dispatcher), `fieldbench aio apply` and the runbook step aio.apply all reach it,
// and it writes the node's history once per apply. Each path here applies its own client CA ConfigMap.

const lab = aioCliLab('fb-broker-activity-');

async function withApp<T>(fn: (call: <N extends CallName>(name: N, req: CallRequest<N>) => Promise<CallResponse<N>>) => Promise<T>): Promise<T> {
  const app: AppContext = composeApp({ dataDir: lab.dataDir, runtime: 'loopback-host' });
  const call = async <N extends CallName>(name: N, req: CallRequest<N>): Promise<CallResponse<N>> => {
    const r = await app.dispatcher.dispatch(name, req, { jobId: `${name}-${Math.random()}` });
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value as CallResponse<N>;
  };
  try {
    await call('vault.unlock', { password: CLI_PASSWORD });
    return await fn(call);
  } finally {
    await app.dispose();
  }
}

const clientRootId = () => withApp(async (call) => (await call('pki.list', {})).tree.find((n) => n.certificate.commonName === 'Clients42 Root CA')!.certificate.id);
const aioEntries = () =>
  withApp(async (call) => {
    const { nodes } = await call('edge.listNodes', {});
    return (await call('edge.activity', { nodeId: nodes[0]!.id, limit: 100 })).entries.filter((e) => e.area === 'aio');
  });
const configMaps = () => lab.emu.listObjects('v1', 'ConfigMap', 'azure-iot-operations').map((o) => (o['metadata'] as { name: string }).name);

describe('one activity entry per broker apply, whichever client asked', () => {
  it('the page path (aio.apply through the dispatcher) records one entry, and a dry run none', async () => {
    const id = await clientRootId();
    await withApp(async (call) => {
      const { nodes } = await call('edge.listNodes', {});
      const spec = { clientCas: [{ name: 'ui-ca', certificateIds: [id] }] };
      expect((await call('aio.apply', { nodeId: nodes[0]!.id, spec, dryRun: true } as CallRequest<'aio.apply'>)).dryRun).toBe(true);
      expect((await call('aio.apply', { nodeId: nodes[0]!.id, spec } as CallRequest<'aio.apply'>)).complete).toBe(true);
    });
    expect(configMaps()).toContain('ui-ca');
    expect((await aioEntries()).map((e) => e.message)).toEqual([expect.stringContaining('ConfigMap ui-ca (applied)')]);
  });

  it('the CLI path (fieldbench aio apply) records one entry', async () => {
    const id = await clientRootId();
    const specFile = join(lab.dir, 'cli-spec.yaml');
    writeFileSync(specFile, `clientCas:\n  - name: cli-ca\n    certificateIds: ["${id}"]\n`);
    const r = await aioCli(['apply', '--node', 'edge-01', '--spec', specFile, '--yes'], lab.dataDir);
    expect(r.stderr).not.toMatch(/Nothing was applied/);
    expect(r.code).toBe(0);
    expect(configMaps()).toContain('cli-ca');
    const entries = await aioEntries();
    expect(entries).toHaveLength(2);
    expect(entries.filter((e) => e.message.includes('ConfigMap cli-ca (applied)'))).toHaveLength(1);
  });

  it('the runbook path (step aio.apply) records one entry, and its second run, which changes nothing, none', async () => {
    const id = await clientRootId();
    const yaml = `name: broker-ca-only
title: One client CA
params:
  node: { type: node, description: the node }
steps:
  - id: broker
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        clientCas: [{ name: runbook-ca, certificateIds: ["${id}"] }]
`;
    await withApp(async (call) => {
      expect((await call('runbooks.run', { source: { yaml }, params: { node: 'edge-01' } } as CallRequest<'runbooks.run'>)).state).toBe('done');
      expect((await call('runbooks.run', { source: { yaml }, params: { node: 'edge-01' } } as CallRequest<'runbooks.run'>)).changed).toBe(0);
    });
    expect(configMaps()).toContain('runbook-ca');
    const entries = await aioEntries();
    expect(entries).toHaveLength(3);
    expect(entries.filter((e) => e.message.includes('ConfigMap runbook-ca (applied)'))).toHaveLength(1);
  });
});
