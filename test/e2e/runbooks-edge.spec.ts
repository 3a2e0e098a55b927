import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { runFieldbench } from '../support/cli/fieldbench-cli';
import { startServedApp } from '../support/e2e/fieldbench-fixture';
import { edgeHostAvailability, startEdgeLab, type EdgeLab } from '../support/e2e/edge-lab-fixture';
import { startAioOperator, type AioOperator } from '../support/broker-lab/aio-operator';

// Issue 13, seed 001 from the app on the edge test host: a blank vault and one node profile, then the
// built-in x509-loadbalancer-listener runbook from the Runbooks page — the plan, the static address's
// confirm-or-revert with its rollback countdown (real netplan and networkd in the node), the wait for the
// listener with its countdown until the broker (the operator stand-in) serves it, the matrix, the exports,
// sign-off, a no-change re-run, and the drift a kubectl edit in the node causes, on the node's Commissioning tab.

const availability = edgeHostAvailability({ networkd: true });
const SHOTS = 'test-results/screenshots';
const PASSWORD = 'a long vault password for the edge runbook';
const NS = 'azure-iot-operations';

type Served = Awaited<ReturnType<typeof startServedApp>>;

let lab: EdgeLab;
let app: Served;
let operator: AioOperator | undefined;
let work: string;
let address: string;

const fieldbench = (args: string[], dataDir: string, input?: string) =>
  runFieldbench([...args, '--data-dir', dataDir], { env: { FIELDBENCH_SKIP_BUILD: '1', FIELDBENCH_VAULT_PASSWORD: PASSWORD }, ...(input !== undefined ? { input } : {}) });

const seconds = (text: string | null) => {
  const m = /(\d+):(\d\d)/.exec(text ?? '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

test.describe('Runbook seed 001 from the app against the edge test host', () => {
  test.skip(!availability.ok, availability.ok ? '' : `edge test host unavailable: ${availability.reason}`);

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    mkdirSync(SHOTS, { recursive: true });
    lab = await startEdgeLab({ networkd: true, loadBalancerIp: (h) => h.nodeAddress.replace(/\.\d+$/, '.40') });
    address = lab.host.nodeAddress.replace(/\.\d+$/, '.40');
    work = mkdtempSync(join(tmpdir(), 'fb-e2e-rb-edge-'));
    const dataDir = join(work, 'data');
    expect((await fieldbench(['vault', 'create'], dataDir)).code).toBe(0);
    const add = await fieldbench(
      ['node', 'add', 'edge-seed', '--host', lab.host.nodeAddress, '--user', lab.host.users.key.name, '--key-file', lab.host.clientKey.privateKeyPath, '--sudo-password-stdin', '--trust-fingerprint', lab.host.hostKeys.ed25519.fingerprint],
      dataDir,
      `${lab.host.users.key.sudoPassword}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    app = await startServedApp(dataDir);
  });

  test.afterAll(async () => {
    await app?.stop();
    await operator?.stop();
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/rbedge-${name}.png` });

  test('blank vault to a signed report, with the confirm-or-revert and the waits counted down, then drift', async ({ page }) => {
    test.setTimeout(600_000);
    await page.setViewportSize({ width: 1366, height: 768 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(app.url);
    await page.getByLabel('Master password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Lock', exact: true })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Runbooks', exact: true }).click();
    await page.getByRole('button', { name: /X\.509 LoadBalancer listener on 8883/ }).click();

    await test.step('fill the parameters and plan: the netplan change and every certificate, nothing changed', async () => {
      await page.getByLabel('The edge node (name or id)').selectOption('edge-seed');
      await page.getByLabel(/The node's static address with its prefix/).fill(`${address}/24`);
      await page.getByLabel('Default gateway').fill(lab.host.laptopAddress);
      await page.getByLabel(/The address clients use/).fill(address);
      await page.getByLabel(/A new folder for the clients' files/).fill(join(work, 'exports'));
      await page.getByLabel('Technician').fill('Ana Tech');
      // The private keys leave only with these confirms; the network step is confirmed where it stops.
      for (const box of await page.getByRole('checkbox', { name: /writes the clients’ private keys/ }).all()) await box.check();
      await page.getByRole('button', { name: 'Plan (changes nothing)' }).click();
      await expect(page.getByRole('heading', { name: /Steps — plan/ })).toBeVisible({ timeout: 120_000 });
      await expect(page.getByText(`update /etc/netplan/01-netcfg.yaml — eth0 → ${address}/24, rollback after 120 s unless confirmed`)).toBeVisible();
      await shot(page, 'plan');
    });

    await test.step('run: it stops at the static address with its plan, the diff and the rollback time', async () => {
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const confirm = page.getByRole('region', { name: 'Confirm “Static IP address”' });
      await expect(confirm).toBeVisible({ timeout: 120_000 });
      await expect(confirm.getByLabel('Planned change')).toContainText(`+        - ${address}/24`);
      await expect(confirm.getByRole('timer', { name: 'Static IP address: rollback time' })).toHaveText(/^2:00/);
      // One way on from here: the confirm, not a plain resume that would stop at the same place again.
      await expect(page.getByRole('button', { name: /Resume from step/ })).toHaveCount(0);
      expect(await lab.host.readNodeFile('/etc/netplan/01-netcfg.yaml')).not.toContain(address);
      await shot(page, 'confirm');
    });

    await test.step('confirm: the rollback counts down live while netplan moves the node', async () => {
      await page.getByRole('button', { name: 'Confirm and apply with automatic rollback' }).click();
      const timer = page.getByRole('timer', { name: 'Static IP address: automatic rollback' }).first();
      await expect(timer).toBeVisible({ timeout: 30_000 });
      const first = seconds(await timer.textContent());
      expect(first).toBeLessThanOrEqual(120);
      await expect.poll(async () => seconds(await timer.textContent()), { timeout: 10_000 }).toBeLessThan(first);
      // The paused step's "confirm to go on" sentence is gone once it applies.
      await expect(page.getByText('Look at its plan, then resume with confirm "static-ip"')).toHaveCount(0);
      await shot(page, 'rollback');
    });

    await test.step('the wait for the listener counts down until the broker serves it', async () => {
      const timer = page.getByRole('timer', { name: 'Wait for the listener: time left to wait' }).first();
      await expect(timer).toBeVisible({ timeout: 180_000 });
      const first = seconds(await timer.textContent());
      await expect.poll(async () => seconds(await timer.textContent()), { timeout: 10_000 }).toBeLessThan(first);
      await expect(page.getByLabel('Run log')).toContainText(`does not answer yet`);
      await shot(page, 'wait');
      // The broker's frontend comes up on the node's new address, as its pods would after the move.
      const moved = { ...lab, host: new Proxy(lab.host, { get: (t, k) => (k === 'nodeAddress' ? address : Reflect.get(t, k, t)) }) };
      operator = await startAioOperator(moved);
    });

    await test.step('the listener answers, the matrix passes, the files are written', async () => {
      await expect(page.getByRole('heading', { name: /Steps — done/ })).toBeVisible({ timeout: 240_000 });
      await expect(page.getByRole('timer')).toHaveCount(0);
      await expect(page.getByText(/Done: \d+ step\(s\) changed something\./).first()).toBeVisible();
      await shot(page, 'done');
    });

    await test.step('the report is built and signed', async () => {
      await page.getByLabel('Site').fill('Plant 7');
      await page.getByRole('button', { name: 'Build the report' }).click();
      await expect(page.getByText('Punch list empty: every step verified.')).toBeVisible({ timeout: 60_000 });
      await page.getByLabel('Witnessed by (customer)').fill('Customer QA');
      await page.getByRole('button', { name: 'Sign off' }).click();
      await expect(page.getByText(/Signed by Ana Tech, witnessed by Customer QA/)).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/rbedge-signed.png`, fullPage: true });
    });

    await test.step('a second run has nothing to change', async () => {
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect(page.getByText('Nothing to change: every step was already in place.').first()).toBeVisible({ timeout: 240_000 });
      await shot(page, 'unchanged');
    });

    await test.step('a listener edited with kubectl in the node shows as drift on its Commissioning tab', async () => {
      await page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Edge nodes', exact: true }).click();
      await page.getByRole('button', { name: /edge-seed/ }).first().click();
      await page.getByRole('tab', { name: 'Commissioning' }).click();
      await page.getByRole('button', { name: 'Check for drift' }).click();
      await expect(page.getByText('No drift')).toBeVisible({ timeout: 60_000 });
      const patched = await lab.kubectl(['patch', 'brokerlistener', 'loadbalancer-listener', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/ports/0/port","value":8884}]']);
      expect(patched.code, patched.stderr).toBe(0);
      await page.getByRole('button', { name: 'Check for drift' }).click();
      await expect(page.getByRole('alert')).toContainText('broker: BrokerListener/loadbalancer-listener changed', { timeout: 60_000 });
      await shot(page, 'drift');
    });
    expect(pageErrors).toEqual([]);
  });
});
