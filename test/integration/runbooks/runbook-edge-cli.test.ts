import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import type { RunRecord } from '@shared/contract/runbooks-contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { edgeHostAvailability, startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture';
import { blankVaultWithNode, EDGE_WEAK_KDF as WEAK, runbookCli } from './runbook-edge-fixture';
import { answersOn } from '../../support/network/edge-targets';
import { runChecked } from '../../support/edge-host/run-command';

// Seed 001 from the CLI on the edge test host: the node (a network namespace with sshd, sudo, netplan and a
// standalone systemd-networkd) runs the Kubernetes API emulator inside it as k3s would. The vault starts
// blank (no certificate); the runbook gives the node its static address through the real netplan apply with
// its automatic rollback, issues both chains with the node's new address in the server's SANs and applies the
// broker resources, which the test then reads back with the real kubectl inside the node.

const availability = edgeHostAvailability({ networkd: true });
if (!availability.ok) console.warn(`[runbooks edge cli] tests skipped: ${availability.reason}`);

const PASSWORD = 'runbook edge vault password';
const NS = 'azure-iot-operations';
const NETPLAN = '/etc/netplan/01-netcfg.yaml';
/** The node's static address: .40 on its own segment, so the laptop keeps reaching it after the move. */
const staticOf = (nodeAddress: string) => nodeAddress.replace(/\.\d+$/, '.40');

const cli = (args: string[], dataDir: string) => runbookCli(args, dataDir, PASSWORD);

describe.skipIf(!availability.ok)('runbook x509-loadbalancer-listener on the edge test host, from the CLI', () => {
  let edge: EdgeLab;
  let work: string;
  let dataDir: string;
  let address: string;
  let runId: string;
  let params: string[];

  /** The services behind the CLI, opened between commands to read what the runbook recorded. */
  async function withApp<T>(fn: (call: <N extends CallName>(name: N, req: CallRequest<N>) => Promise<CallResponse<N>>) => Promise<T>): Promise<T> {
    const app: AppContext = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
    const call = async <N extends CallName>(name: N, req: CallRequest<N>): Promise<CallResponse<N>> => {
      const r = await app.dispatcher.dispatch(name, req, {});
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      return r.value as CallResponse<N>;
    };
    try {
      if (!(await call('vault.status', {})).unlocked) await call('vault.unlock', { password: PASSWORD });
      return await fn(call);
    } finally {
      await app.dispose();
    }
  }

  const kubectlJson = async (args: string[]) => {
    const r = await edge.kubectl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const count = async (kind: string) => ((await kubectlJson(['get', kind, '-n', NS]))['items'] as unknown[]).length;

  beforeAll(async () => {
    edge = await startEdgeLab({ networkd: true, loadBalancerIp: (h) => staticOf(h.nodeAddress) });
    address = staticOf(edge.host.nodeAddress);
    work = mkdtempSync(join(tmpdir(), 'fb-rb-edge-cli-'));
    dataDir = join(work, 'data');
    await blankVaultWithNode(dataDir, PASSWORD, edge, 'edge-seed');
    params = ['--param', 'node=edge-seed', '--param', `address=${address}/24`, '--param', `gateway=${edge.host.laptopAddress}`, '--param', `nodeIp=${address}`, '--param', `exportDir=${join(work, 'exports')}`];
  }, 180_000);

  afterAll(async () => {
    await edge?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('plans on the node: the netplan change as a diff, every certificate and the broker objects to come; nothing changes', async () => {
    const before = await edge.host.readNodeFile(NETPLAN);
    const plan = await cli(['plan', 'x509-loadbalancer-listener', ...params], dataDir);
    expect(plan.stderr).toBe('');
    expect(plan.code, plan.stdout).toBe(10);
    expect(plan.stdout).toMatch(/would change\s+Static IP address \(static-ip\)/);
    expect(plan.stdout).toContain(`update ${NETPLAN}: eth0 → ${address}/24, rollback after 120 s unless confirmed`);
    expect(plan.stdout).toMatch(/would change\s+Root CA \(server-root\)/);
    expect(await edge.host.readNodeFile(NETPLAN)).toBe(before);
    expect(await count('brokerlisteners')).toBe(1);
    const dry = await withApp(async (call) => (await call('runbooks.runs', {})).runs[0]!);
    expect(dry.dryRun).toBe(true);
    const rec = await withApp((call) => call('runbooks.getRun', { runId: dry.id }));
    expect(rec.steps.find((s) => s.id === 'static-ip')?.changes[0]?.diff).toContain(`+        - ${address}/24`);
  }, 120_000);

  it('stops at the static address until it is confirmed, and has changed nothing', async () => {
    const run = await cli(['run', 'x509-loadbalancer-listener', ...params, '--technician', 'Ana Tech'], dataDir);
    expect(run.code, run.stdout).toBe(11);
    expect(run.stdout).toMatch(/PAUSED\s+Static IP address \(static-ip\)/);
    expect(run.stdout).toContain('resume with confirm "static-ip"');
    runId = /run (run-\S+):/.exec(run.stdout)![1]!;
    expect(await answersOn(edge.host, edge.host.nodeAddress)).toBe(true);
    expect(await withApp(async (call) => (await call('pki.list', {})).tree.length)).toBe(0);
  }, 120_000);

  it('confirmed: netplan moves the node with its rollback armed, the chains name the new address, the broker objects are on the cluster', async () => {
    const r = await cli(['resume', runId, '--confirm', 'static-ip', '--pause-after', 'broker'], dataDir);
    expect(r.code, r.stdout).toBe(11);
    expect(r.stdout).toMatch(/changed\s+Static IP address \(static-ip\)/);
    expect(r.stdout).toMatch(/changed\s+Broker resources \(broker\)/);
    expect(r.stdout).toContain('Paused after step "broker"');

    // The real move: networkd holds the new address, the old one is gone, the profile follows.
    expect(await edge.host.readNodeFile(NETPLAN)).toContain(`- ${address}/24`);
    expect(await answersOn(edge.host, address)).toBe(true);
    expect(await answersOn(edge.host, edge.host.nodeAddress, 1)).toBe(false);
    const run: RunRecord = await withApp(async (call) => {
      expect((await call('edge.listNodes', {})).nodes[0]?.host).toBe(address);
      return call('runbooks.getRun', { runId });
    });
    // The run log carries what the network call did while it applied, the rollback included.
    const staticLog = run.log.filter((l) => l.step === 'static-ip').map((l) => l.message).join('\n');
    expect(staticLog).toMatch(/rollback/i);

    // The server leaf lists the node's new address; the Secret on the cluster holds exactly that certificate.
    const serverId = String(run.steps.find((s) => s.id === 'server-certificate')?.outputs['certificateId']);
    const server = await withApp((call) => call('pki.get', { id: serverId }));
    expect(server.summary.sans.map((s) => s.value)).toContain(address);
    const secret = await kubectlJson(['get', 'secret', '-n', NS, 'broker-server-cert']);
    expect(secret['type']).toBe('kubernetes.io/tls');
    const leaf = Buffer.from(secret['data']['tls.crt'], 'base64').toString('utf8');
    const text = await runChecked('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: leaf });
    expect(text).toContain(`IP Address:${address}`);
    const cm = await kubectlJson(['get', 'configmap', '-n', NS, 'clients42-ca']);
    expect(cm['data']['client_ca.pem']).toContain('BEGIN CERTIFICATE');
    const auth = await kubectlJson(['get', 'brokerauthentication', '-n', NS, 'x509-authentication']);
    expect(auth['spec']['authenticationMethods'][0]).toMatchObject({ method: 'X509', x509Settings: { trustedClientCaCert: 'clients42-ca' } });
    const listener = await kubectlJson(['get', 'brokerlistener', '-n', NS, 'loadbalancer-listener']);
    expect(listener['spec']).toMatchObject({ serviceType: 'LoadBalancer', serviceName: 'loadbalancer-listener-service' });
    expect(listener['spec']['ports'][0]).toMatchObject({ port: 8883, authenticationRef: 'x509-authentication', tls: { mode: 'Manual', manual: { secretRef: 'broker-server-cert' } } });
    const svc = await kubectlJson(['get', 'service', '-n', NS, 'loadbalancer-listener-service']);
    expect(svc['status']['loadBalancer']['ingress'][0]['ip']).toBe(address);
  }, 240_000);
});
