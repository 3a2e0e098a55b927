import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test as base, expect, type FieldbenchCli, type ServedApp } from '../support/e2e/fieldbench-fixture';
import { edgeHostAvailability } from '../support/edge-host/edge-host';

// Issue 5, "Done when", from the app: discover, plan and apply a new static address on the edge test host,
// see it reconnect and the profile follow, see the SAN warning for the broker certificate that lacks the new
// IP and re-issue it; and a move to an unreachable subnet rolls back by itself and is reported.
// Real sshd + netplan + systemd-networkd in a network namespace, `fieldbench serve`, Debian's Chromium.

const availability = edgeHostAvailability({ networkd: true });
const SHOTS = 'test-results/screenshots';
const VAULT_PASSWORD = 'a long vault password for e2e';

/** The built CLI, as a technician would run it, with the spec's vault password. */
const fieldbenchWith = (cli: FieldbenchCli) => (args: string[], input = '') => cli.run(args, { input, env: { FIELDBENCH_VAULT_PASSWORD: VAULT_PASSWORD } });
const okWith = (cli: FieldbenchCli) => (args: string[], input?: string): Promise<string> => cli.ok(args, { ...(input === undefined ? {} : { input }), env: { FIELDBENCH_VAULT_PASSWORD: VAULT_PASSWORD } });

/** The node of the networkd host and a server certificate for its address in a vault, and `fieldbench serve` on it. */
const test = base.extend<object, { prepared: { dataDir: string; app: ServedApp } }>({
  prepared: [
    async ({ networkdHost: host, cli: fb }, use) => {
      const cli = okWith(fb);
      const dataDir = mkdtempSync(join(tmpdir(), 'fb-e2e-net-'));
      const dir = ['--data-dir', dataDir];
      // The Edge nodes UI is another engineer's; the node goes in through the CLI, as the task allows.
      await cli(['vault', 'create', ...dir]);
      await cli(
        ['node', 'add', 'edge-01', '--host', host.nodeAddress, '--port', String(host.sshPort), '--user', host.users.key.name, '--key-file', host.clientKey.privateKeyPath, '--sudo-password-stdin', '--trust-fingerprint', host.hostKeys.ed25519.fingerprint, ...dir],
        `${host.users.key.sudoPassword}\n`,
      );
      await cli(['pki', 'create', 'root', 'Plant Root CA', ...dir]);
      await cli(['pki', 'create', 'server', 'aio-broker', '--issuer', 'Plant Root CA', '--san', host.nodeAddress, '--san', 'mqtts-endpoint', ...dir]);
      await use({ dataDir, app: await fb.serve(dataDir) });
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test.describe('Network end to end against the edge test host', () => {
  test.skip(!availability.ok, availability.ok ? '' : `edge test host with networkd unavailable: ${availability.reason}`);
  test.setTimeout(300_000);

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/network-${name}.png`, fullPage: false });
  /** The page scrolls inside <main>, so bring the part that matters into view first. */
  const shotOf = async (page: Page, name: string, selector: string) => {
    await page.locator(selector).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/network-${name}.png` });
  };
  const area = (page: Page, name: string) => page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name, exact: true }).click();

  test('discover, plan, validate and apply a new address; re-issue the certificate; the unreachable case rolls back by itself', async ({ page, networkdHost: host, cli: fb, prepared: { dataDir, app } }) => {
    mkdirSync(SHOTS, { recursive: true });
    const fieldbench = fieldbenchWith(fb);
    const cli = okWith(fb);
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(app.url);

    await test.step('a locked vault sends the technician to Vault & PKI first', async () => {
      await area(page, 'Network');
      await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Unlock the vault first' })).toBeVisible();
      await shot(page, 'locked');
      await page.getByRole('button', { name: 'Go to Vault & PKI' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Vault & PKI' })).toBeVisible();
      await page.getByLabel('Master password').fill(VAULT_PASSWORD);
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Lock', exact: true })).toBeVisible({ timeout: 30_000 });
      await area(page, 'Network');
    });

    const interfaces = page.getByRole('table', { name: 'Interfaces' });
    await test.step('the only node is picked and read: interfaces with state, addresses and the default route', async () => {
      await expect(page.getByLabel('Node')).toHaveValue(/.+/);
      await expect(interfaces).toBeVisible({ timeout: 30_000 });
      const eth0 = interfaces.getByRole('row').filter({ hasText: 'eth0' });
      await expect(eth0).toContainText(`${host.nodeAddress}/24`);
      await expect(eth0).toContainText('This SSH session');
      await expect(eth0).toContainText(`via ${host.laptopAddress}`);
      await expect(eth0).toContainText('/etc/netplan/01-netcfg.yaml');
      await expect(page.getByLabel('Address / prefix')).toHaveValue(`${host.nodeAddress}/24`);
      await shot(page, 'discovered');
    });

    const spare = await host.addSpareSubnet({ reachable: true });
    await test.step('live validation, then the plan, the node\'s own netplan and the SAN warning', async () => {
      const address = page.getByLabel('Address / prefix');
      await address.fill(`${spare.nodeAddress}/24`);
      await page.getByLabel('Gateway').fill('10.99.0.1');
      await expect(page.getByText(/The gateway 10\.99\.0\.1 is outside/)).toBeVisible();
      await expect(page.getByRole('button', { name: 'Apply…' })).toBeDisabled();
      await page.getByLabel('Gateway').fill(spare.laptopAddress);
      await expect(page.getByText(/is outside/)).toHaveCount(0);

      await page.getByRole('button', { name: 'Preview the change' }).click();
      await page.getByRole('tab', { name: 'Diff' }).click();
      const diff = page.getByLabel('Diff against the current file');
      await expect(diff).toContainText(`-        - ${host.nodeAddress}/24`);
      await expect(diff).toContainText(`+        - ${spare.nodeAddress}/24`);

      const warning = page.locator('.fb-net-check').filter({ hasText: 'aio-broker' });
      await expect(warning).toContainText('IP missing', { timeout: 20_000 });
      await expect(warning.getByRole('button', { name: `Re-issue with ${spare.nodeAddress}` })).toBeVisible();

      await page.getByRole('button', { name: 'Validate on the node' }).click();
      await expect(page.getByText("The node's own netplan accepts the new configuration")).toBeVisible({ timeout: 30_000 });
      await shotOf(page, 'plan', '.fb-net-plan');
      await shotOf(page, 'san-warning', '.fb-net-checks');
    });

    await test.step('apply: countdown and live steps, reconnect on the new address, profile updated', async () => {
      await page.getByLabel('Automatic rollback after').selectOption('60');
      await page.getByRole('button', { name: 'Apply…' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog).toContainText(`Apply ${spare.nodeAddress}/24 to eth0 on edge-01?`);
      await dialog.getByRole('button', { name: 'Apply with automatic rollback' }).click();
      const timer = page.getByRole('timer', { name: 'Automatic rollback' });
      await expect(timer).toBeVisible();
      await expect(page.locator('.fb-net-step[data-status="running"], .fb-net-step[data-status="ok"]').first()).toBeVisible();
      await expect(timer).toContainText(/0:\d\d/);
      await shot(page, 'applying');
      await expect(page.getByRole('heading', { name: `Applied: the node answers on ${spare.nodeAddress}` })).toBeVisible({ timeout: 90_000 });
      await expect(page.locator('.fb-net-outcome')).toContainText(`The node profile now connects to ${spare.nodeAddress}.`);
      const steps = page.getByRole('list', { name: 'Steps' });
      for (const label of ['Back up /etc/netplan', 'Arm the automatic rollback', 'Write the new netplan file', 'Reconnect on the new address', 'Cancel the rollback', "Update the node profile's address"]) {
        await expect(steps.getByRole('listitem').filter({ hasText: label })).toHaveAttribute('data-status', 'ok');
      }
      await expect(timer).toContainText('Kept');
      await expect(page.getByLabel('Node').locator('option:checked')).toHaveText(`edge-01 — ${host.users.key.name}@${spare.nodeAddress}`);
      await shotOf(page, 'applied', '.fb-net-apply');
      const nodes = await cli(['node', 'list', '--json', '--data-dir', dataDir]).catch(() => '');
      // The serve process holds the vault too; the CLI reads the same file, saved after the profile update.
      expect(nodes).toContain(spare.nodeAddress);
    });

    await test.step('after the move, the broker certificate lacks the new IP: re-issue it from the page', async () => {
      const warning = page.locator('.fb-net-check').filter({ hasText: 'aio-broker' });
      await expect(warning).toContainText('IP missing', { timeout: 20_000 });
      await expect(page.getByText(/Against\s+\S+:/)).toContainText(spare.nodeAddress);
      await warning.getByRole('button', { name: `Re-issue with ${spare.nodeAddress}` }).click();
      await expect(warning).toContainText('Re-issued', { timeout: 30_000 });
      await expect(warning).toContainText(`IP:${spare.nodeAddress}`);
      await shotOf(page, 'reissued', '.fb-net-checks');
      const verify = await fieldbench(['pki', 'list', '--data-dir', dataDir]);
      expect(verify.stdout).toContain('aio-broker');
      await page.getByRole('button', { name: 'Done — read the node again' }).click();
      await expect(page.getByLabel('Address / prefix')).toHaveValue(`${spare.nodeAddress}/24`, { timeout: 30_000 });
    });

    await test.step('the unreachable address: the node rolls back by itself and the page says so plainly', async () => {
      const dead = await host.addSpareSubnet({ reachable: false });
      await page.getByLabel('Address / prefix').fill(`${dead.nodeAddress}/24`);
      await page.getByLabel('Gateway').fill(dead.nodeAddress.replace(/\.2$/, '.1'));
      await page.getByLabel('Automatic rollback after').selectOption('30');
      await page.getByRole('button', { name: 'Apply…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Apply with automatic rollback' }).click();
      await expect(page.getByRole('timer', { name: 'Automatic rollback' })).toContainText(/0:\d\d/, { timeout: 30_000 });
      await expect(page.getByRole('heading', { name: `Rolled back by itself: the node is back on ${spare.nodeAddress}` })).toBeVisible({ timeout: 150_000 });
      await expect(page.getByText(/put its previous network settings back on its own/)).toBeVisible();
      await expect(page.getByRole('list', { name: 'Steps' }).getByRole('listitem').filter({ hasText: 'Reconnect on the new address' })).toHaveAttribute('data-status', 'failed');
      await shotOf(page, 'rolled-back', '.fb-net-outcome');
      await page.getByRole('button', { name: 'Dark theme' }).click();
      await shotOf(page, 'rolled-back-dark', '.fb-net-apply');
      await page.getByRole('button', { name: 'Light theme' }).click();
      await expect(page.getByLabel('Node').locator('option:checked')).toHaveText(`edge-01 — ${host.users.key.name}@${spare.nodeAddress}`);
    });

    expect(consoleErrors).toEqual([]);
  });
});
