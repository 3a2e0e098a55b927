import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { brokerLabAvailability, startBrokerLab, type BrokerLab } from '../support/broker-lab/broker-lab';
import { mosquittoPub } from '../support/broker-lab/mosquitto-clients';
import { test, expect } from '../support/e2e/fieldbench-fixture';

// The MQTT area through the real renderer, the real `fieldbench serve` and a real mosquitto from the broker
// lab (plain listener, NodePort style, on 127.0.0.1). Screenshots go to test-results/screenshots/mqtt-*.png.
const SHOTS = 'test-results/screenshots';
const avail = brokerLabAvailability();
if (!avail.ok) console.warn(`[mqtt e2e] skipped: ${avail.reason}`);

test.describe.configure({ timeout: 120_000 });

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/mqtt-${name}.png` });
}

async function setTheme(page: Page, theme: 'Light theme' | 'Dark theme') {
  await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: theme }).click();
}

test.describe('MQTT area against the broker lab', () => {
  test.skip(!avail.ok, avail.ok ? '' : avail.reason);
  let lab: BrokerLab;
  test.beforeAll(async () => {
    lab = await startBrokerLab();
  });
  test.afterAll(async () => {
    await lab?.stop();
  });

  test('connect to the plain listener, subscribe to #, publish from the app and from mosquitto_pub', async ({ page, app }) => {
    mkdirSync(SHOTS, { recursive: true });
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(app.url);
    await page.getByRole('navigation').getByRole('button', { name: 'MQTT', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'MQTT' })).toBeVisible();
    await setTheme(page, 'Light theme');
    await shot(page, 'empty');

    // The form opens with verification on; turning it off warns, and the warning goes with it back on.
    await page.getByRole('button', { name: 'New connection' }).click();
    const dialog = page.getByRole('dialog', { name: 'New connection' });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Protocol', { exact: true }).selectOption('mqtts');
    const verify = dialog.getByLabel('Verify the server certificate');
    await expect(verify).toBeChecked();
    await verify.uncheck();
    await expect(dialog.getByText(/anyone on the network can pose as this broker/)).toBeVisible();
    await shot(page, 'form-tls-warning');
    await verify.check();
    await dialog.getByLabel('Protocol', { exact: true }).selectOption('mqtt');

    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Lab NodePort');
    await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill(lab.host);
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(lab.listeners.plain.port));
    await shot(page, 'form');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });

    const connections = page.getByRole('list', { name: 'Open connections' });
    await expect(connections.getByText('Connected')).toBeVisible();

    // A filter that breaks a rule is refused with the rule named before anything is sent.
    const subscribeTo = page.getByLabel('Subscribe to');
    await subscribeTo.fill('factory/#/x');
    await expect(page.getByText(/#/).filter({ hasText: /last|whole level|level/i }).first()).toBeVisible();
    await subscribeTo.fill('#');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await expect(page.getByRole('list', { name: 'Active subscriptions' }).getByText('#', { exact: true })).toBeVisible();

    const publish = page.getByRole('form', { name: 'Publish' });
    await publish.getByRole('textbox', { name: 'Topic', exact: true }).fill('factory/line1/temperature');
    await publish.getByLabel('Payload format').selectOption('json');
    await publish.getByLabel('Payload', { exact: true }).fill('{"celsius": 21.5, "sensor": "t-01"}');
    await publish.getByRole('button', { name: 'Publish' }).click();
    await expect(publish.getByText(/Published \d+ bytes/)).toBeVisible();

    const messages = page.getByRole('region', { name: 'Messages' });
    await expect(messages.getByText('factory/line1/temperature')).toBeVisible();
    await expect(messages.getByText('"celsius": 21.5', { exact: false })).toBeVisible();

    const pub = await mosquittoPub(['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', 'factory/line2/pressure', '-m', 'from-mosquitto-pub 1013 hPa']);
    expect(pub.code, pub.stderr).toBe(0);
    await expect(messages.getByText('factory/line2/pressure')).toBeVisible();
    await expect(messages.getByText('from-mosquitto-pub 1013 hPa')).toBeVisible();
    await shot(page, 'messages');

    // The whole message opens beside the list.
    await messages.getByText('factory/line2/pressure').click();
    await expect(page.getByRole('region', { name: 'Message' }).getByLabel('Whole payload')).toHaveText('from-mosquitto-pub 1013 hPa');
    await shot(page, 'detail');

    await page.getByRole('tab', { name: 'Topic tree' }).click();
    const tree = page.getByRole('tree', { name: 'Topic tree' });
    await expect(tree.getByRole('treeitem', { name: /^factory 2$/ })).toBeVisible();
    await tree.getByRole('button', { name: 'Expand factory' }).click();
    await expect(tree.getByRole('treeitem', { name: /^line2 1$/ })).toBeVisible();
    await shot(page, 'tree');

    await setTheme(page, 'Dark theme');
    await page.getByRole('tab', { name: 'Messages' }).click();
    await shot(page, 'messages-dark');
    await setTheme(page, 'Light theme');

    expect(consoleErrors).toEqual([]);
  });

  test('listener matrix over the lab: the plain listener passes, TLS against the wrong CA is diagnosed with the chain shown', async ({ page, app }) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(app.url);
    await page.getByRole('navigation').getByRole('button', { name: 'MQTT', exact: true }).click();
    await setTheme(page, 'Light theme');
    await page.getByRole('tab', { name: 'Listener matrix' }).click();
    const setup = page.getByRole('form', { name: 'Matrix setup' });
    await setup.getByRole('combobox', { name: 'Listeners from' }).selectOption('endpoints');
    await setup.getByRole('textbox', { name: 'Name 1' }).fill('NodePort');
    await setup.getByRole('textbox', { name: 'Host 1' }).fill(lab.host);
    await setup.getByRole('textbox', { name: 'Port 1' }).fill(String(lab.listeners.plain.port));
    await setup.getByRole('button', { name: 'Add endpoint' }).click();
    await setup.getByRole('textbox', { name: 'Name 2' }).fill('LoadBalancer');
    await setup.getByRole('textbox', { name: 'Port 2' }).fill(String(lab.listeners.tls.port));
    await expect(setup.getByRole('checkbox', { name: 'TLS' }).nth(1)).toBeChecked();
    await setup.getByRole('button', { name: 'Run the matrix' }).click();

    const grid = page.getByRole('table', { name: /Listeners by probe/ });
    await expect(page.getByText(/1 of 2 listeners passed/)).toBeVisible({ timeout: 60_000 });
    const plainRow = grid.getByRole('row', { name: /NodePort/ });
    const tlsRow = grid.getByRole('row', { name: /LoadBalancer/ });
    await expect(plainRow.getByRole('cell').first()).toContainText(/ms|OK/);
    await expect(tlsRow.getByText('Failed').first()).toBeVisible();
    await shot(page, 'matrix');

    // The lab's server certificate comes from the lab's own CA, not a public one: the drawer says so and shows the chain.
    await tlsRow.getByRole('button', { name: /Why/ }).click();
    const drawer = page.getByRole('dialog', { name: /Why LoadBalancer/ });
    await expect(drawer).toBeVisible();
    await expect(drawer.getByText(/Certificate chain the server presented/)).toBeVisible();
    await expect(drawer.locator('ol').getByText(`IP:${lab.host}`, { exact: false }).first()).toBeVisible();
    await shot(page, 'matrix-diagnosis');
    // The dialog makes the rest of the page inert: close it to switch the theme, then look again.
    await page.keyboard.press('Escape');
    await setTheme(page, 'Dark theme');
    await shot(page, 'matrix-dark');
    await tlsRow.getByRole('button', { name: /Why/ }).click();
    await expect(drawer).toBeVisible();
    await shot(page, 'matrix-diagnosis-dark');
  });
});
