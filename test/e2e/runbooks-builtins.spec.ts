import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startAioOperator, type AioOperator } from '../support/broker-lab/aio-operator';
import { mosquittoPub, mosquittoSub } from '../support/broker-lab/mosquitto-clients';
import { edgeBrokerAvailability } from '../support/broker-lab/sat-front-in-node';
import type { EdgeLab } from '../support/e2e/edge-lab-fixture';
import { test as base, expect, type ServedApp } from '../support/e2e/fieldbench-fixture';

// Issue 13 from the app: the built-in trust-broker runbook against the edge test host (real sshd in a network
// namespace, the Kubernetes API emulator inside it, the default listener served with K8S-SAT on its cluster IP):
// choose it, pick the node, run, see every step and the listener test, run again with nothing to change, build
// the report and sign it. Debian's Chromium against `fieldbench serve` at 1366×768; the screenshots are looked at.

const availability = edgeBrokerAvailability();
const SHOTS = 'test-results/screenshots';
const PASSWORD = 'a long vault password for e2e';
const NODE = 'edge-01';

/** What the runbooks run against: the edge lab's node address and kubectl, the operator stand-in, a scratch folder and `fieldbench serve` on it. */
interface BuiltinsLab {
  nodeAddress: string;
  work: string;
  app: ServedApp;
  kubectl: EdgeLab['kubectl'];
  operator: AioOperator;
}

/** The edge lab with the AIO operator stand-in serving every applied listener, a blank vault that knows the node, and the app on it. */
const test = base.extend<object, { builtinsLab: BuiltinsLab }>({
  builtinsLab: [
    async ({ edgeLab: lab, cli }, use) => {
      mkdirSync(SHOTS, { recursive: true });
      const work = mkdtempSync(join(tmpdir(), 'fb-e2e-rb-builtins-'));
      const dataDir = join(work, 'data');
      const fieldbench = (args: string[], input?: string) => cli.run([...args, '--data-dir', dataDir], { env: { FIELDBENCH_VAULT_PASSWORD: PASSWORD }, ...(input !== undefined ? { input } : {}) });
      // The broker: every applied listener port served in the node, the default one (K8S-SAT) on its cluster IP.
      const operator = await startAioOperator(lab);
      await operator.waitServing('default', 18883);
      // A blank vault that knows the node, made with the CLI so the key never passes through the page.
      expect((await fieldbench(['vault', 'create'])).code).toBe(0);
      const host = lab.host;
      const add = await fieldbench(
        ['node', 'add', NODE, '--host', host.nodeAddress, '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--sudo-password-stdin', '--trust-fingerprint', host.hostKeys.ed25519.fingerprint],
        `${host.users.key.sudoPassword}\n`,
      );
      expect(add.code, add.stderr).toBe(0);
      const app = await cli.serve(dataDir);
      await use({ nodeAddress: host.nodeAddress, work, app, kubectl: (args, input) => lab.kubectl(args, input), operator });
      // The app's stop() also removes the data folder.
      await app.stop();
      await operator.stop();
      rmSync(work, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 240_000 },
  ],
});

async function openRunbooks(page: Page, app: ServedApp) {
  await page.goto(app.url);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Runbooks', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Runbooks', level: 1 })).toBeVisible();
}
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/runbooks-builtins-${name}.png` });

test.describe('Built-in runbooks from the app on the edge test host', () => {
  test.skip(!availability.ok, availability.ok ? '' : `edge test host unavailable: ${availability.reason}`);

  // One page for all three: the launcher file that signs the browser in is used once.
  test('trust-broker, litmus-edge, then test-listeners: run, tested, nothing to change, report and sign-off', async ({ page, builtinsLab }) => {
    test.setTimeout(600_000);
    expect(page.viewportSize()).toEqual({ width: 1366, height: 768 });
    await openRunbooks(page, builtinsLab.app);
    await test.step('trust-broker: the default listener tested through the tunnel with a SAT token', () => trustBroker(page, builtinsLab));
    await test.step('litmus-edge: confirm the connector key, connect with the exported files', () => litmusEdge(page, builtinsLab));
    await test.step('test-listeners: the testing warning, NodePort 31883 without auth and LoadBalancer 8883 with Automatic TLS', () => testListeners(page, builtinsLab));
  });
});

async function trustBroker(page: Page, { work }: BuiltinsLab) {
  await page.getByRole('button', { name: /Trust the broker and test the default listener/ }).click();
  await page.getByLabel('The edge node (name or id)').selectOption(NODE);
  await page.getByLabel('Technician').fill('Ana Tech');
  await shot(page, 'trust-chosen');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Steps — done/ })).toBeVisible({ timeout: 180_000 });
  // Only the trust step changes something; the listener test ran and says what it found, listener by listener.
  await expect(page.getByText(/Done: 1 step\(s\) changed something\./).first()).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: "Trust the broker's CA" }).getByText('changed', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Test every listener: checks')).toContainText(/✔ default .*18883.* — connect, TLS, auth and cross-delivery ok/);
  const log = page.getByLabel('Run log');
  await expect(log).toContainText('Azure IoT Operations Quickstart Root CA');
  await expect(log).toContainText('Tested: Test every listener: 1 of 1 passed');
  await shot(page, 'trust-done');

  await page.getByLabel('Site').fill('Plant 7');
  await page.getByRole('button', { name: 'Build the report' }).click();
  await expect(page.getByText('Punch list empty: every step verified.')).toBeVisible({ timeout: 30_000 });
  await page.getByLabel('Witnessed by (customer)').fill('Customer QA');
  await page.getByRole('button', { name: 'Sign off' }).click();
  await expect(page.getByText(/Signed by Ana Tech, witnessed by Customer QA/)).toBeVisible();
  await page.getByRole('heading', { name: 'Commissioning report' }).scrollIntoViewIfNeeded();
  await shot(page, 'trust-signed');

  // The report the customer signs, saved from the app.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save report (HTML)' }).click();
  const html = join(work, 'trust-broker.html');
  await (await download).saveAs(html);
  const text = readFileSync(html, 'utf8');
  expect(text).toContain('Plant 7');
  expect(text).toContain('Customer QA');
  expect(text).toContain('Azure IoT Operations Quickstart Root CA');
  expect(text).toMatch(/default[^<]*<\/td><td class="ok">pass/);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('Nothing to change: every step was already in place.').first()).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText('already in place', { exact: true })).toHaveCount(2);
  await shot(page, 'trust-unchanged');
}

async function litmusEdge(page: Page, { work, nodeAddress }: BuiltinsLab) {
  const exportDir = join(work, 'litmus-exports');
  await page.getByRole('button', { name: /Litmus Edge to AIO/ }).click();
  await page.getByLabel('The edge node (name or id)').selectOption(NODE);
  await page.getByLabel('The node address Litmus Edge connects to').fill(nodeAddress);
  await page.getByLabel("A new folder for the Litmus connector's files").fill(exportDir);
  await page.getByLabel('Technician').fill('Ana Tech');

  // Without the confirm the run stops before any key is written, and says why.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Steps — paused/ })).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(/writes the clients’ private keys into the export folder/).last()).toBeVisible();
  expect(existsSync(join(exportDir, 'litmus'))).toBe(false);
  // The paused run brings its confirm panel into view: what the step writes, and one button that confirms and goes on.
  await expect(page.getByRole('heading', { name: 'Confirm “Export files with private keys”' })).toBeVisible();
  await shot(page, 'litmus-paused');

  await page.getByRole('button', { name: 'Confirm and continue' }).click();
  await expect(page.getByRole('heading', { name: /Steps — done/ })).toBeVisible({ timeout: 180_000 });
  await expect(page.getByLabel('Test every listener: checks')).toContainText(/✔ litmus-listener .*31884/);
  await page.getByLabel('Test every listener: checks').scrollIntoViewIfNeeded();
  await shot(page, 'litmus-done');

  // The connector's files alone get a real MQTT client onto the new listener.
  const dir = join(exportDir, 'litmus');
  const args = ['-V', 'mqttv5', '-h', nodeAddress, '-p', '31884', '--cafile', join(dir, 'broker-ca.pem'), '--cert', join(dir, 'client-certificate.pem'), '--key', join(dir, 'client-key.pem')];
  const sub = await mosquittoSub(args, 'litmus/e2e');
  try {
    expect((await mosquittoPub([...args, '-t', 'litmus/e2e', '-q', '1', '-m', 'from litmus'])).code).toBe(0);
    expect(await sub.waitFor(1)).toEqual(['from litmus']);
  } finally {
    sub.close();
  }

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('Nothing to change: every step was already in place.').first()).toBeVisible({ timeout: 180_000 });
  await shot(page, 'litmus-unchanged');
}

async function testListeners(page: Page, { nodeAddress, kubectl, operator }: BuiltinsLab) {
  // The broker allows one NodePort listener: the Litmus one (and its authentication) goes before the test listeners come.
  const del = await kubectl(['delete', 'brokerlistener', 'litmus-listener', '-n', 'azure-iot-operations', '--ignore-not-found']);
  expect(del.code, del.stderr).toBe(0);
  const delAuth = await kubectl(['delete', 'brokerauthentication', 'litmus-x509', '-n', 'azure-iot-operations', '--ignore-not-found']);
  expect(delAuth.code, delAuth.stderr).toBe(0);
  await operator.waitFor((st) => !st.ports.some((p) => p.listener === 'litmus-listener'), { what: 'the Litmus listener gone' });

  await page.getByRole('button', { name: /Test listeners \(NodePort 31883/ }).click();
  await expect(page.getByRole('heading', { name: /^Test listeners \(NodePort 31883/, level: 2 })).toBeVisible();
  // The runbook says up front that what it opens is for testing only.
  await expect(page.getByRole('note')).toContainText('These listeners are for testing. The NodePort listener accepts anyone on the network without authentication');
  await page.getByLabel('The edge node (name or id)').selectOption(NODE);
  await page.getByLabel("The address clients use (in the server certificate's SANs)").fill(nodeAddress);
  await page.getByLabel('Technician').fill('Ana Tech');
  await shot(page, 'tests-chosen');

  // No step asks for a confirm: the run goes straight through, and only the listeners are new.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Steps — done/ })).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(/Done: 1 step\(s\) changed something\./).first()).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Broker resources' }).getByText('changed', { exact: true })).toBeVisible();
  const checks = page.getByLabel('Test every listener: checks');
  const passed = (listener: string, where: string) => new RegExp(`✔ ${listener} [^\\n]*\\(${where}[^)]*\\) — connect, TLS, auth and cross-delivery ok`);
  await expect(checks).toContainText(passed('nodeport-listener', 'NodePort 31883'));
  await expect(checks).toContainText(passed('loadbalancer-listener :8883', 'LoadBalancer'));
  await expect(checks).not.toContainText('✘');
  await expect(page.getByLabel('Run log')).toContainText(/Tested: Test every listener: 3 of 3 passed/);
  // On the cluster as seed 001 writes them: NodePort 31883 without authentication, 8883 with Automatic TLS.
  const spec = async (name: string) => {
    const r = await kubectl(['get', 'brokerlistener', name, '-n', 'azure-iot-operations', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { spec: { serviceType: string; ports: Array<Record<string, unknown>> } }).spec;
  };
  const np = await spec('nodeport-listener');
  expect(np).toMatchObject({ serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31883 }] });
  expect(np.ports[0]?.['authenticationRef']).toBeUndefined();
  expect((await spec('loadbalancer-listener')).ports[0]).toMatchObject({ port: 8883, tls: { mode: 'Automatic' } });
  await checks.scrollIntoViewIfNeeded();
  await shot(page, 'tests-done');

  // A real client without any credentials on the NodePort listener: what the warning is about.
  const args = ['-V', 'mqttv5', '-h', nodeAddress, '-p', '31883'];
  const sub = await mosquittoSub(args, 'tests/e2e');
  try {
    expect((await mosquittoPub([...args, '-t', 'tests/e2e', '-q', '1', '-m', 'no auth'])).code).toBe(0);
    expect(await sub.waitFor(1)).toEqual(['no auth']);
  } finally {
    sub.close();
  }

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('Nothing to change: every step was already in place.').first()).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText('already in place', { exact: true })).toHaveCount(5);
  await expect(checks).toContainText(passed('nodeport-listener', 'NodePort 31883'));
  await expect(checks).toContainText(passed('loadbalancer-listener :8883', 'LoadBalancer'));
  await shot(page, 'tests-unchanged');
}
