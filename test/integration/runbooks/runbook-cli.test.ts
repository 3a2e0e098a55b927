import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli';
import { composeApp } from '../../../src/main/compose';
import { findChromium } from '../../../src/main/runbooks/report-pdf';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { WEAK_KDF } from '../../support/vault/vault-fixtures';

const PASSWORD = 'long enough pw';

async function cli(args: string[], dataDir: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (c: Buffer) => (chunks.out += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(['runbook', ...args, '--data-dir', dataDir], { stdout, stderr, stdin, env: { FIELDBENCH_VAULT_PASSWORD: PASSWORD }, interrupted: new Promise(() => {}) });
  return { code, stdout: chunks.out, stderr: chunks.err };
}

const LISTENER_RUNBOOK = `name: nodeport-test
title: A NodePort test listener
params:
  node: { type: node, description: the node }
steps:
  - id: root
    uses: pki.root
    with: { commonName: Site Root CA }
  - id: listener
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        listeners:
          - name: nodeport-listener
            serviceType: NodePort
            ports: [{ port: 1883, nodePort: 31883 }]
  - id: ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: nodeport-listener, timeoutSeconds: 20 }
`;

describe('fieldbench runbook', () => {
  let dir: string;
  let dataDir: string;
  let emu: KubeEmulator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-runbook-cli-'));
    dataDir = join(dir, 'data');
    emu = await startKubeEmulator({ dir: join(dir, 'cluster') });
    const app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK_KDF } });
    expect(await app.dispatcher.dispatch('vault.create', { password: PASSWORD })).toMatchObject({ ok: true });
    expect(await app.dispatcher.dispatch('edge.saveNode', { name: 'edge-01', host: '127.0.0.1', user: 'technician', auth: { method: 'agent' }, kube: { mode: 'kubeconfig', path: join(dir, 'cluster', 'kubeconfig.yaml') } })).toMatchObject({ ok: true });
    await app.dispose();
    writeFileSync(join(dir, 'nodeport.yaml'), LISTENER_RUNBOOK);
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and shows the built-in runbooks', async () => {
    const list = await cli(['list'], dataDir);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('x509-loadbalancer-listener');
    expect(list.stdout).toContain('test-listeners');
    const show = await cli(['show', 'x509-loadbalancer-listener'], dataDir);
    expect(show.stdout).toContain('uses: network.static-ip');
  });

  it('names the file and line of each problem', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ntitle: Bad\nsteps:\n  - id: a\n    uses: pki.nope\n');
    const r = await cli(['validate', bad], dataDir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5:\\d+: Step "a" uses "pki.nope"`));
  });

  it('plans, runs, re-runs with nothing to change, and tells them apart by exit code', async () => {
    const file = join(dir, 'nodeport.yaml');
    const plan = await cli(['plan', file, '--param', 'node=edge-01'], dataDir);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(10);
    expect(plan.stdout).toContain('would change Root CA (root)');
    expect(emu.listObjects('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations')).toHaveLength(1);

    const run = await cli(['run', file, '--param', 'node=edge-01', '--technician', 'Ana Tech'], dataDir);
    expect(run.code).toBe(10);
    expect(run.stdout).toMatch(/run run-\S+: done/);
    const again = await cli(['run', file, '--param', 'node=edge-01'], dataDir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to change: every step was already in place.');

    const missing = await cli(['run', file], dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Give the parameter "node" (the node).');
  });

  it('plans the seed 001 runbook step by step and stops at the static address a kubeconfig node cannot reach', async () => {
    const r = await cli(['plan', 'x509-loadbalancer-listener', '--param', 'node=edge-01', '--param', 'address=192.168.2.196/24', '--param', 'gateway=192.168.2.1', '--param', 'nodeIp=192.168.2.196', '--param', `exportDir=${join(dir, 'exports')}`], dataDir);
    // The kubeconfig node has no SSH, so planning the static address fails with the network area's own sentence.
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED\s+Static IP address \(static-ip\)/);
  });

  it('writes the report (HTML, and PDF where Chromium is), signs it, and verify finds a listener edited behind its back', async () => {
    const runs = await cli(['runs', '--node', 'edge-01', '--json'], dataDir);
    const done = (JSON.parse(runs.stdout) as Array<{ id: string; state: string; dryRun: boolean; changed: number }>).find((r) => r.state === 'done' && r.changed > 0);
    expect(done).toBeDefined();
    const id = done?.id as string;
    const html = join(dir, 'report.html');
    const pdf = join(dir, 'report.pdf');
    const rep = await cli(['report', id, '--out', html, '--pdf', pdf, '--site', 'Plant 7'], dataDir);
    expect(rep.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('Plant 7');
    if (findChromium()) {
      expect(rep.stdout).toContain(`PDF: ${pdf}.`);
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
      // The PDF renders: pdftoppm (poppler-utils) turns its first page into a PNG.
      if (existsSync('/usr/bin/pdftoppm')) {
        execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', pdf, join(dir, 'page')]);
        const png = readdirSync(dir).find((f) => f.startsWith('page') && f.endsWith('.png'));
        expect(png && statSync(join(dir, png)).size).toBeGreaterThan(1000);
      }
    } else expect(rep.stdout).toContain('No PDF: No Chromium is installed');
    expect(existsSync(html)).toBe(true);
    expect((await cli(['sign', id, '--technician', 'Ana Tech', '--witness', 'Customer QA'], dataDir)).code).toBe(0);

    // verify --node takes the node's newest finished run, which is the no-change re-run.
    const clean = await cli(['verify', '--node', 'edge-01'], dataDir);
    expect(clean.stdout).toContain('No drift since run');
    expect(clean.code).toBe(0);

    const l = emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations', 'nodeport-listener') as { spec: { ports: Array<{ nodePort: number }> } };
    (l.spec.ports[0] as { nodePort: number }).nodePort = 31884;
    await emu.putObject(l as never, 'kubectl-edit');
    const drift = await cli(['verify', id], dataDir);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('listener: BrokerListener/nodeport-listener changed');
  });
});
