import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import type { RunRecord } from '@shared/contract/runbooks-contract';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { WEAK_KDF } from '../../support/vault/vault-fixtures';

// Seed 001 from the certificates to the listener, on a kubeconfig node (the emulator): every step but the
// static address and the listener matrix, which need the edge test host.
const RUNBOOK = `name: seed001-broker
title: Seed 001 broker part
params:
  node: { type: node, description: the node }
  nodeIp: { type: ip, description: the address clients use }
  clientCount: { type: integer, default: 2 }
steps:
  - id: server-root
    uses: pki.root
    with: { commonName: AIO42 Root CA }
  - id: server-intermediate
    uses: pki.intermediate
    with: { commonName: AIO42 Intermediate CA 1, issuer: "\${steps.server-root.certificateId}" }
  - id: server-certificate
    uses: pki.server
    with: { commonName: mqtts-endpoint, issuer: "\${steps.server-intermediate.certificateId}", sans: ["\${nodeIp}"] }
  - id: client-root
    uses: pki.root
    with: { commonName: Clients42 Root CA }
  - id: client-intermediate
    uses: pki.intermediate
    with: { commonName: Clients42 Intermediate CA 1, issuer: "\${steps.client-root.certificateId}" }
  - id: clients
    uses: pki.clients
    with: { prefix: client42, count: "\${clientCount}", issuer: "\${steps.client-intermediate.certificateId}" }
  - id: broker
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        serverSecrets: [{ name: broker-server-cert, certificateId: "\${steps.server-certificate.certificateId}" }]
        clientCas: [{ name: clients42-ca, certificateIds: ["\${steps.client-root.certificateId}"], key: client_ca.pem }]
        authentications:
          - name: x509-authentication
            methods: [{ method: X509, trustedClientCaCert: clients42-ca }]
        listeners:
          - name: loadbalancer-listener
            serviceName: loadbalancer-listener-service
            serviceType: LoadBalancer
            ports:
              - port: 8883
                authenticationRef: x509-authentication
                tls: { mode: Manual, secretName: broker-server-cert }
  - id: listener-ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: loadbalancer-listener, timeoutSeconds: 30 }
`;

describe('runbooks over the real services and the Kubernetes API emulator', () => {
  let dir: string;
  let emu: KubeEmulator;
  let app: AppContext;
  const params = { node: 'edge-01', nodeIp: '192.168.2.196' };

  async function call<N extends CallName>(name: N, req: CallRequest<N>, jobId?: string): Promise<CallResponse<N>> {
    const r = await app.dispatcher.dispatch(name, req, jobId ? { jobId } : {});
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value as CallResponse<N>;
  }
  const certificateCount = async () => (await call('pki.list', {})).total;
  const listeners = () => emu.listObjects('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations').map((o) => (o['metadata'] as { name: string }).name).sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-runbooks-'));
    emu = await startKubeEmulator({ dir: join(dir, 'cluster') });
    app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli', vault: { createOptions: WEAK_KDF } });
    await call('vault.create', { password: 'long enough pw' });
    await call('edge.saveNode', { name: 'edge-01', host: '127.0.0.1', user: 'technician', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: join(dir, 'cluster', 'kubeconfig.yaml') } });
  });
  afterAll(async () => {
    await app?.dispose();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans every step in a dry run and changes nothing', async () => {
    const run = await call('runbooks.run', { source: { yaml: RUNBOOK }, params, dryRun: true, confirm: [] }, 'dry');
    expect(run.state).toBe('planned');
    expect(run.steps.map((s) => s.state)).toEqual(['planned', 'planned', 'planned', 'planned', 'planned', 'planned', 'planned', 'pending']);
    expect(run.steps[0]?.changes).toEqual([{ action: 'create', target: 'root CA "AIO42 Root CA"', detail: 'EC P-256' }]);
    expect(await certificateCount()).toBe(0);
    expect(listeners()).toEqual(['default']);
  });

  let first: RunRecord;
  it('survives a connection cut in the middle of the broker step and resumes without duplicates', async () => {
    // The cluster answers the plan, then the connection drops after the ConfigMap is stored but before its answer.
    emu.faults.dropNext({ when: 'after', match: (r) => r.method === 'PATCH' && r.resource === 'configmaps' && !r.path.includes('dryRun') });
    const broken = await call('runbooks.run', { source: { yaml: RUNBOOK }, params, dryRun: false, confirm: [], technician: 'Ana Tech' }, 'run-1');
    expect(broken.state).toBe('failed');
    const failed = broken.steps.find((s) => s.state === 'failed');
    expect(failed?.id).toBe('broker');
    expect(broken.steps.slice(0, 6).every((s) => s.state === 'done')).toBe(true);
    expect(await certificateCount()).toBe(7);

    first = await call('runbooks.resume', { runId: broken.id, confirm: [] }, 'resume-1');
    expect(first.state).toBe('done');
    // Waiting for the listener changes nothing, so that step is "unchanged" even on the first run.
    expect(first.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'done', 'done', 'unchanged']);
    expect(await certificateCount()).toBe(7);
    expect(listeners()).toEqual(['default', 'loadbalancer-listener']);
    expect(emu.listObjects('v1', 'ConfigMap', 'azure-iot-operations').filter((o) => (o['metadata'] as { name: string }).name === 'clients42-ca')).toHaveLength(1);
    // The log says exactly what happened: the failure, the resume, then the finish.
    const messages = first.log.filter((l) => !l.step || l.level !== 'info').map((l) => l.message);
    expect(messages.some((m) => m.startsWith('Step "broker" failed:'))).toBe(true);
    expect(messages.indexOf('Resumed.')).toBeGreaterThan(messages.findIndex((m) => m.startsWith('Step "broker" failed:')));
    expect(messages.at(-1)).toMatch(/^Done: \d+ step\(s\) changed something\.$/);
    // The runs are kept in the vault.
    expect((await call('runbooks.getRun', { runId: broken.id })).state).toBe('done');
  });

  it('reports nothing to change on a second run', async () => {
    const again = await call('runbooks.run', { source: { yaml: RUNBOOK }, params, dryRun: false, confirm: [] }, 'run-2');
    expect(again.state).toBe('done');
    expect(again.steps.filter((s) => s.state !== "unchanged").map((s) => [s.id, s.state, s.changes, s.error])).toEqual([]);
    expect(again.changed).toBe(0);
    expect(again.steps.every((s) => s.state === 'unchanged')).toBe(true);
    expect(again.log.at(-1)?.message).toBe('Nothing to change: every step was already in place.');
    expect(await certificateCount()).toBe(7);
  });

  it('builds the report from the run and the vault, and verify names a listener edited behind its back', async () => {
    const report = await call('runbooks.report', { runId: first.id, site: 'Plant 7' });
    const certs = (await call('pki.list', {})).tree;
    const serial = certs[0]?.certificate.serialHex as string;
    expect(report.html).toContain(serial);
    expect(report.html).toContain('Plant 7');
    expect(report.html).toContain(report.fingerprint);
    expect(report.html).not.toMatch(/PRIVATE KEY/);
    expect(report.punchList).toBe(0);
    const signed = await call('runbooks.signOff', { runId: first.id, technician: 'Ana Tech', witness: 'Customer QA' });
    expect(signed.signedOff?.fingerprint).toBe(report.fingerprint);

    const clean = await call('runbooks.verify', { runId: first.id }, 'verify-1');
    expect(clean).toMatchObject({ drifted: false, items: [], fingerprintNow: report.fingerprint });

    const listener = emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations', 'loadbalancer-listener') as { spec: { ports: Array<Record<string, unknown>> } };
    listener.spec.ports[0] = { ...listener.spec.ports[0], authenticationRef: undefined };
    delete listener.spec.ports[0]['authenticationRef'];
    await emu.putObject(listener as never, 'kubectl-edit');
    const drift = await call('runbooks.verify', { runId: first.id }, 'verify-2');
    expect(drift.drifted).toBe(true);
    expect(drift.fingerprintNow).not.toBe(drift.fingerprintThen);
    expect(drift.items.map((i) => `${i.step} ${i.check}`)).toContain('broker BrokerListener/loadbalancer-listener');
  });

  it('hands the clients their files: the keys wait for a confirm, a re-run writes nothing twice, openssl reads what was written', async () => {
    const out = join(dir, 'handover');
    const yaml = `name: handover
title: Hand the clients their files
steps:
  - id: clients
    uses: pki.clients
    with: { prefix: client42, count: 2, issuer: Clients42 Intermediate CA 1 }
  - id: mosquitto
    uses: export.with-keys
    with:
      target: mosquitto
      certificates: "\${steps.clients.certificateIds}"
      broker: { host: 192.168.2.196, port: 8883 }
      out: ${out}/mosquitto
`;
    const paused = await call('runbooks.run', { source: { yaml }, params: {}, dryRun: false, confirm: [] }, 'handover-1');
    expect(paused.state).toBe('paused');
    expect(paused.steps[1]?.changes[0]?.detail).toContain('with the private keys of client42a, client42b');
    expect(existsSync(out)).toBe(false);
    const done = await call('runbooks.resume', { runId: paused.id, confirm: ['mosquitto'] }, 'handover-2');
    expect(done.state).toBe('done');
    const manifest = JSON.parse(readFileSync(join(out, 'mosquitto', 'manifest.json'), 'utf8')) as { files: Array<{ path: string; role: string; certificate: string }> };
    const key = manifest.files.find((f) => f.role === 'key' && f.certificate === 'client42a');
    expect(key).toBeDefined();
    expect(statSync(join(out, 'mosquitto', key?.path as string)).mode & 0o777).toBe(0o600);
    expect(execFileSync('openssl', ['pkey', '-in', join(out, 'mosquitto', key?.path as string), '-noout', '-check'], { encoding: 'utf8' })).toContain('valid');
    // The export left the vault through the exports area, so its log says which keys left and where.
    const log = await call('exports.log', { limit: 10 });
    expect(log.entries.some((e) => e.path.includes('handover') && e.keys.includes('client42a'))).toBe(true);
    const again = await call('runbooks.run', { source: { yaml }, params: {}, dryRun: false, confirm: [] }, 'handover-3');
    expect(again.steps.map((s) => s.state)).toEqual(['unchanged', 'unchanged']);
  });
});
