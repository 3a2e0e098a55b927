import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';
import { edgeBrokerAvailability, serveDefaultListener, type DefaultListener } from '../../support/broker-lab/sat-front-in-node.js';
import { runFieldbench } from '../../support/cli/fieldbench-cli';
import { startEdgeLab, type EdgeLab } from '../../support/e2e/edge-lab-fixture.js';
import { WEAK_KDF } from '../../support/vault/vault-fixtures';

// Issue 13: the built-in runbooks trust-broker, test-listeners and litmus-edge run from the CLI against the edge
// test host (SSH to a real node, the Kubernetes API emulator inside it, real MQTT brokers on the node's
// addresses), each twice: the first run changes the node, the second says there is nothing to change, and the
// commissioning report shows what the services recorded.

const PASSWORD = 'runbook edge vault password';
const NODE = 'edge-runbooks';

const avail = edgeBrokerAvailability();
if (!avail.ok) console.warn(`[runbook builtins edge] tests skipped: ${avail.reason}`);

interface RunJson {
  id: string;
  state: string;
  changed: number;
  steps: Array<{ id: string; uses: string; state: string; error?: string; outputs: Record<string, unknown>; verified: Array<{ name: string; ok: boolean; detail: string }> }>;
}

describe.skipIf(!avail.ok)('built-in runbooks on the edge test host, from the CLI', () => {
  let edge: EdgeLab;
  let defaultListener: DefaultListener | undefined;
  let work: string;
  let dataDir: string;

  // The real bin (it rebuilds first when the sources are newer than out/), as a technician runs it.
  const cli = async (args: string[]) => {
    const r = await runFieldbench([...args, '--data-dir', dataDir], { env: { FIELDBENCH_VAULT_PASSWORD: PASSWORD }, timeoutMs: 240_000 });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };

  /** `runbook run … --json`: the run record as the engine kept it. */
  const run = async (args: string[]) => {
    const r = await cli(['runbook', 'run', ...args, '--json']);
    let json: RunJson | undefined;
    try {
      json = JSON.parse(r.stdout) as RunJson;
    } catch {
      json = undefined;
    }
    return { ...r, json };
  };
  /** A blank vault that knows the node (key, host key, sudo): each runbook starts from one, as on a new laptop. */
  const vaultWithNode = async (name: string): Promise<string> => {
    const dir = join(work, name);
    const app = composeApp({ dataDir: dir, runtime: 'cli', vault: { createOptions: WEAK_KDF } });
    const call = async (call: string, req: unknown) => {
      const res = await app.dispatcher.dispatch(call, req);
      if (!res.ok) throw new Error(`${call}: ${res.error.message}`);
      return res.value as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    try {
      await call('vault.create', { password: PASSWORD });
      const key = await call('edge.importKey', { privateKey: edge.host.clientKey.privateKey });
      const node = await call('edge.saveNode', { name: NODE, host: edge.host.nodeAddress, user: edge.host.users.key.name, auth: { method: 'key', keyId: key['id'] }, sudoPassword: edge.host.users.key.sudoPassword });
      await call('edge.trustHostKey', { nodeId: node['id'], fingerprint: edge.host.hostKeys.ed25519.fingerprint });
    } finally {
      await app.dispose();
    }
    return dir;
  };
  const failures = (r: RunJson | undefined) =>
    JSON.stringify(r?.steps.filter((s) => s.state !== 'done' && s.state !== 'unchanged').map((s) => ({ id: s.id, state: s.state, verified: s.verified.filter((v) => !v.ok) })));
  const diagnostics = () => defaultListener?.logs() ?? '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fb-runbook-edge-'));
    dataDir = join(work, 'build-check');
    // The first call builds out/ when the sources are newer, before the lab's processes share the cores.
    const list = await cli(['runbook', 'list']);
    if (list.code !== 0) throw new Error(`fieldbench runbook list: ${list.stderr}`);
    edge = await startEdgeLab();

    defaultListener = await serveDefaultListener(edge, work);
  }, 420_000);

  afterAll(async () => {
    await defaultListener?.stop();
    await edge?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  describe('trust-broker', () => {
    let first: RunJson;
    beforeAll(async () => {
      dataDir = await vaultWithNode('trust-broker');
    });

    it('fetches the trust bundle into the vault and passes the default listener through the SSH tunnel with a SAT token', async () => {
      const r = await run(['trust-broker', '--param', `node=${NODE}`, '--technician', 'Ana Tech']);
      expect(r.stderr, diagnostics()).toBe('');
      expect(r.json?.state, failures(r.json) + diagnostics()).toBe('done');
      expect(r.code).toBe(10);
      first = r.json!;
      const trust = first.steps.find((s) => s.id === 'trust')!;
      expect(trust.state).toBe('done');
      const ca = (await cli(['pki', 'show', String(trust.outputs['certificateId']), '--json'])).stdout;
      expect(ca).toContain('Azure IoT Operations Quickstart Root CA');
      const matrix = first.steps.find((s) => s.id === 'matrix')!;
      const rows = matrix.outputs['matrix'] as Array<{ label: string; ok: boolean; tls: string; auth: string }>;
      expect(rows, diagnostics()).toHaveLength(1);
      expect(rows[0]).toMatchObject({ ok: true, tls: 'ok', auth: 'sat accepted' });
      expect(rows[0]!.label).toContain('default');
      expect(matrix.outputs['passed']).toBe(1);
      // The SAT front saw a real K8S-SAT CONNECT that the emulator's TokenReview accepted.
      expect(defaultListener!.front.output()).toMatch(/CONNECT accepted: system:serviceaccount:/);
    }, 180_000);

    it('a second run has nothing to change and still re-tests the listener', async () => {
      const r = await run(['trust-broker', '--param', `node=${NODE}`]);
      expect(r.json?.state, failures(r.json) + diagnostics()).toBe('done');
      expect(r.code).toBe(0);
      expect(r.json!.changed).toBe(0);
      expect(r.json!.steps.map((s) => s.state)).toEqual(['unchanged', 'unchanged']);
      expect((r.json!.steps[1]!.outputs['matrix'] as Array<{ ok: boolean }>)[0]!.ok).toBe(true);
      const human = await cli(['runbook', 'run', 'trust-broker', '--param', `node=${NODE}`]);
      expect(human.stdout).toContain('Nothing to change: every step was already in place.');
    }, 180_000);

    it('writes the report with the trusted CA and the default listener row', async () => {
      const html = join(work, 'trust-broker.html');
      const rep = await cli(['runbook', 'report', first.id, '--out', html, '--site', 'Plant 7']);
      expect(rep.code, rep.stderr).toBe(0);
      expect(rep.stdout).toMatch(/0 open item\(s\)/);
      const text = readFileSync(html, 'utf8');
      expect(text).toContain('Plant 7');
      // The CA the run put in the vault is one of the report's certificates, with its serial and fingerprint.
      const trust = first.steps.find((s) => s.id === 'trust')!;
      const ca = JSON.parse((await cli(['pki', 'show', String(trust.outputs['certificateId']), '--json'])).stdout) as { summary: { serialHex: string; fingerprintSha256: string } };
      const certificates = text.slice(text.indexOf('<h2>Certificates</h2>'), text.indexOf('<h2>Listener matrix</h2>'));
      expect(certificates).toContain('Azure IoT Operations Quickstart Root CA');
      expect(certificates).toContain(ca.summary.serialHex);
      expect(certificates).toContain(ca.summary.fingerprintSha256);
      expect(text).toMatch(/<td>[^<]*default[^<]*<\/td><td class="ok">pass<\/td>/);
      expect(text).not.toMatch(/PRIVATE KEY|eyJ[A-Za-z0-9_-]{20,}/);
    }, 60_000);
  });
});
