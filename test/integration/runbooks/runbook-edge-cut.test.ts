import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, RunRecord } from '@shared/contract/runbooks-contract';
import { composeApp, type AppContext } from '../../../src/main/compose';
import { edgeHostAvailability, startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture';
import { blankVaultWithNode, EDGE_WEAK_KDF as WEAK, runbookCli } from './runbook-edge-fixture';

// Issue 13: "a run whose SSH connection is cut in the middle of the broker step resumes and finishes with no
// duplicate objects and an exact log of what happened". The seed 001 runbook runs against the edge test host
// (the Kubernetes API emulator inside the node, reached through the node's SSH tunnel). When the broker step
// reports that it is applying its second object, the node's sshd session processes are killed, from inside
// the progress event, so the cut lands between two objects every time, not at a moment a timer guessed.

const availability = edgeHostAvailability();
if (!availability.ok) console.warn(`[runbooks edge cut] tests skipped: ${availability.reason}`);

const PASSWORD = 'runbook cut vault password';
const NS = 'azure-iot-operations';

const cli = (args: string[], dataDir: string) => runbookCli(args, dataDir, PASSWORD);

/**
 * Kills every sshd session process in the node (not the listener), synchronously: the SSH connection the
 * tunnel runs over ends at once, as when the site's link drops, and sshd still takes the next connection.
 */
function cutSshSessions(netns: string): number {
  const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  let killed = 0;
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // OpenSSH retitles each connection's processes "sshd: USER [priv]" / "sshd: USER@notty", and the listener
    // "sshd: /usr/sbin/sshd … [listener] …", which stays so the resume can connect again.
    if (!cmdline.startsWith('sshd: ') || cmdline.includes('[listener]')) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      /* already gone */
    }
  }
  return killed;
}

describe.skipIf(!availability.ok)('runbook: the SSH link cut in the middle of the broker step, then resume', () => {
  let edge: EdgeLab;
  let work: string;
  let dataDir: string;
  let app: AppContext | undefined;
  let run: RunRecord;
  let before: { secrets: number; configmaps: number; brokerauthentications: number; brokerlisteners: number; services: number };
  const cut = { at: '', killed: 0 };

  const names = async (kind: string) => {
    const r = await edge.kubectl(['get', kind, '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}']);
    if (r.code !== 0) throw new Error(`kubectl get ${kind}: ${r.stderr}`);
    return r.stdout.split(/\s+/).filter(Boolean).sort();
  };
  const counts = async () => ({
    secrets: (await names('secrets')).length,
    configmaps: (await names('configmaps')).length,
    brokerauthentications: (await names('brokerauthentications')).length,
    brokerlisteners: (await names('brokerlisteners')).length,
    services: (await names('services')).length,
  });

  beforeAll(async () => {
    edge = await startEdgeLab();
    work = mkdtempSync(join(tmpdir(), 'fb-rb-edge-cut-'));
    dataDir = join(work, 'data');
    await blankVaultWithNode(dataDir, PASSWORD, edge, 'edge-cut');
    app = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
    expect((await app.dispatcher.dispatch('vault.unlock', { password: PASSWORD }, {})).ok).toBe(true);
    before = await counts();
  }, 180_000);

  afterAll(async () => {
    await app?.dispose();
    await edge?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('the cut leaves the run failed in the broker step, with the objects applied before it on the cluster and the rest not', async () => {
    const off = app!.hub.on('runbooks.onProgress', (p) => {
      const line = (p as { line?: LogLine }).line;
      if (cut.at || line?.step !== 'broker' || !/^Applying ConfigMap/.test(line.message)) return;
      cut.at = line.message;
      cut.killed = cutSshSessions(edge.host.name);
    });
    const r = await app!.dispatcher.dispatch(
      'runbooks.run',
      {
        source: { name: 'x509-loadbalancer-listener' },
        // The node already has its address, so the static address step finds nothing to change.
        params: { node: 'edge-cut', address: `${edge.host.nodeAddress}/24`, gateway: edge.host.laptopAddress, nodeIp: edge.host.nodeAddress, exportDir: join(work, 'exports') },
        dryRun: false,
        confirm: [],
        technician: 'Ana Tech',
      },
      { jobId: 'cut-run' },
    );
    off();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    run = (r as { value: RunRecord }).value;
    expect(cut.at).toMatch(/^Applying ConfigMap clients42-ca \(2 of 4\)/);
    expect(cut.killed).toBeGreaterThan(0);
    expect(run.state).toBe('failed');
    const states = Object.fromEntries(run.steps.map((s) => [s.id, s.state]));
    expect(states).toMatchObject({ 'static-ip': 'unchanged', 'server-certificate': 'done', clients: 'done', broker: 'failed', 'listener-ready': 'pending' });
    const broker = run.steps.find((s) => s.id === 'broker')!;
    // Whether the cut came before the request left or while it was on the wire, the sentence names the object and the link.
    expect(broker.error).toMatch(/ConfigMap clients42-ca (was not|may not have been) applied/);
    expect(broker.error).toMatch(/connection .* dropped|closed|reset/i);
    expect(broker.error).toContain('Applied: Secret broker-server-cert.');
    expect(await names('secrets')).toContain('broker-server-cert');
    expect(await names('configmaps')).not.toContain('clients42-ca');
    expect(await names('brokerlisteners')).not.toContain('loadbalancer-listener');
    // Kept in the vault as it stood: a closed app resumes from here.
    await app!.dispose();
    app = undefined;
  }, 180_000);

  it('runbook resume finishes the broker step over a new SSH connection, with one of each object', async () => {
    const r = await cli(['resume', run.id, '--pause-after', 'broker'], dataDir);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(11);
    expect(r.stdout).toMatch(/changed\s+Broker resources \(broker\)/);
    const after = await counts();
    // Exactly the four objects of the step and the listener's Service are new, each once.
    expect(after).toEqual({ ...before, secrets: before.secrets + 1, configmaps: before.configmaps + 1, brokerauthentications: before.brokerauthentications + 1, brokerlisteners: before.brokerlisteners + 1, services: before.services + 1 });
    expect((await names('services')).filter((n) => n === 'loadbalancer-listener-service')).toHaveLength(1);
  }, 180_000);

  it('the run log says what happened: the objects before the cut, the cut, the resume and what the resume applied', async () => {
    const r = await cli(['runs', '--json'], dataDir);
    expect(r.code).toBe(0);
    const view = composeApp({ dataDir, runtime: 'cli', vault: { createOptions: WEAK } });
    let rec: RunRecord;
    try {
      expect((await view.dispatcher.dispatch('vault.unlock', { password: PASSWORD }, {})).ok).toBe(true);
      const got = await view.dispatcher.dispatch('runbooks.getRun', { runId: run.id }, {});
      rec = (got as { value: RunRecord }).value;
    } finally {
      await view.dispose();
    }
    const lines = rec.log.filter((l) => l.step === 'broker' || !l.step).map((l) => `${l.step ?? '-'} ${l.level} ${l.message}`);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const firstSecret = at(/^broker info Applying Secret broker-server-cert \(1 of 4\)/);
    const cutLine = at(/^broker info Applying ConfigMap clients42-ca \(2 of 4\)/);
    const failed = at(/^- error Step "broker" failed: .*ConfigMap clients42-ca (was not|may not have been) applied.*Resume the run to try this step again\./);
    const resumed = at(/^- info Resumed\.$/);
    const done = at(/^broker info Done: Broker resources\.$/);
    expect([firstSecret, cutLine, failed, resumed, done].every((i) => i >= 0), lines.join('\n')).toBe(true);
    expect(firstSecret).toBeLessThan(cutLine);
    expect(cutLine).toBeLessThan(failed);
    expect(failed).toBeLessThan(resumed);
    expect(resumed).toBeLessThan(done);
    // After the resume the listener is applied once; before the cut it never was.
    const listenerLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /Applying BrokerListener loadbalancer-listener/.test(l));
    expect(listenerLines).toHaveLength(1);
    expect(listenerLines[0]![1]).toBeGreaterThan(resumed);
    expect(rec.steps.find((s) => s.id === 'broker')?.state).toBe('done');
  }, 60_000);
});
