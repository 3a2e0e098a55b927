import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { edgeBrokerAvailability, serveDefaultListener, type DefaultListener } from '../support/broker-lab/sat-front-in-node';
import { runFieldbench } from '../support/cli/fieldbench-cli';
import { startServedApp } from '../support/e2e/fieldbench-fixture';
import { startEdgeLab, type EdgeLab } from '../support/e2e/edge-lab-fixture';

// Issue 13 from the app: the built-in trust-broker runbook against the edge test host (real sshd in a network
// namespace, the Kubernetes API emulator inside it, the default listener served with K8S-SAT on its cluster IP):
// choose it, pick the node, run, see every step and the listener test, run again with nothing to change, build
// the report and sign it. Debian's Chromium against `fieldbench serve` at 1366×768; the screenshots are looked at.

const availability = edgeBrokerAvailability();
const SHOTS = 'test-results/screenshots';
const PASSWORD = 'a long vault password for e2e';
const NODE = 'edge-01';

let lab: EdgeLab;
let broker: DefaultListener;
let work: string;
let dataDir: string;
let app: Awaited<ReturnType<typeof startServedApp>> | undefined;

const fieldbench = (args: string[], input?: string) =>
  runFieldbench([...args, '--data-dir', dataDir], { env: { FIELDBENCH_SKIP_BUILD: '1', FIELDBENCH_VAULT_PASSWORD: PASSWORD }, ...(input !== undefined ? { input } : {}) });
async function openRunbooks(page: Page) {
  await page.goto(app!.url);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Runbooks', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Runbooks', level: 1 })).toBeVisible();
}
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/runbooks-builtins-${name}.png` });

test.describe('Built-in runbooks from the app on the edge test host', () => {
  test.skip(!availability.ok, availability.ok ? '' : `edge test host unavailable: ${availability.reason}`);

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    mkdirSync(SHOTS, { recursive: true });
    work = mkdtempSync(join(tmpdir(), 'fb-e2e-rb-builtins-'));
    dataDir = join(work, 'data');
    lab = await startEdgeLab();
    broker = await serveDefaultListener(lab, work);
    // A blank vault that knows the node, made with the CLI so the key never passes through the page.
    expect((await fieldbench(['vault', 'create'])).code).toBe(0);
    const host = lab.host;
    const add = await fieldbench(
      ['node', 'add', NODE, '--host', host.nodeAddress, '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--sudo-password-stdin', '--trust-fingerprint', host.hostKeys.ed25519.fingerprint],
      `${host.users.key.sudoPassword}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    app = await startServedApp(dataDir);
  });

  test.afterAll(async () => {
    // stop() also removes the data folder.
    await app?.stop();
    await broker?.stop();
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('trust-broker: run, listener tested through the tunnel with a SAT token, nothing to change, report and sign-off', async ({ page }) => {
    test.setTimeout(360_000);
    expect(page.viewportSize()).toEqual({ width: 1366, height: 768 });
    await openRunbooks(page);
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
    expect(broker.front.output(), broker.logs()).toMatch(/CONNECT accepted: system:serviceaccount:/);

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
  });
});
