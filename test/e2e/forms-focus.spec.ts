import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from '../support/e2e/fieldbench-fixture';

// Issue 14 item 4 and the matrix part of item 1, in the real renderer against `fieldbench serve`: the add-node
// form refuses 192.168.2.300 and shows its errors without scrolling, focus comes back to what opened a dialog,
// Esc closes "Check this machine" after its self-test, no primary control is cut off at 1366×768 and
// 1280×720, and the listener matrix keeps typed endpoints across tabs with its Why column in view.

const SHOTS = 'test-results/screenshots';
const PASSWORD = 'Gloves and a deadline 42!';
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1280, height: 720 },
];

const area = (page: Page, name: string) => page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name, exact: true }).click();
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/forms-${name}.png` });

/**
 * Primary buttons that are visible yet cut off: by the window's edges or by an ancestor that clips them
 * sideways. Passed as source text: this file is typed without the DOM globals (tsconfig.node.json).
 */
const CUT_OFF_PRIMARIES = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('.fb-button[data-variant="primary"]')) {
    if (el.closest('[inert]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const name = (el.getAttribute('aria-label') || el.textContent || '').trim();
    if (r.left < 0 || r.right > window.innerWidth + 0.5) out.push(name + ': beyond the window (' + Math.round(r.left) + '-' + Math.round(r.right) + ' of ' + window.innerWidth + ')');
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (!/(hidden|clip|auto|scroll)/.test(getComputedStyle(a).overflowX)) continue;
      const ar = a.getBoundingClientRect();
      if (r.left < ar.left - 0.5 || r.right > ar.right + 0.5) out.push(name + ': clipped by ' + (a.className || a.tagName));
    }
  }
  return out;
})()`;

const cutOffPrimaries = (page: Page): Promise<string[]> => page.evaluate(CUT_OFF_PRIMARIES) as Promise<string[]>;

async function noPrimaryCutOff(page: Page, where: string) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    expect(await cutOffPrimaries(page), `${where} at ${size.width}×${size.height}`).toEqual([]);
    await shot(page, `${where}-${size.width}`);
  }
  await page.setViewportSize(SIZES[0]!);
}

// A control that never appears fails the step in seconds, not at the end of the test's budget.
test.use({ actionTimeout: 15_000 });

test('forms and focus: addresses, error summary, focus return, Esc after the self-test, nothing cut off, matrix endpoints kept', async ({ page, app }) => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize(SIZES[0]!);
  await page.goto(app.url);

  await test.step('create a vault', async () => {
    await area(page, 'Vault & PKI');
    const create = page.getByRole('region', { name: 'Create your vault' });
    await create.getByLabel('Master password', { exact: true }).fill(PASSWORD);
    await create.getByLabel('Repeat the master password').fill(PASSWORD);
    await create.getByRole('button', { name: 'Create vault' }).click();
    await expect(page.getByRole('heading', { name: 'No certificates yet' })).toBeVisible({ timeout: 60_000 });
    await noPrimaryCutOff(page, 'vault');
  });

  await test.step('add-node refuses 192.168.2.300 and lists the errors at the top, in view', async () => {
    await area(page, 'Edge nodes');
    await noPrimaryCutOff(page, 'edge-empty');
    await page.getByRole('button', { name: 'Add a node' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an edge node' });
    await dialog.getByLabel(/^Name/).fill('edge-01');
    await dialog.getByLabel(/^Address/).fill('192.168.2.300');
    await dialog.getByLabel(/^SSH user/).fill('aio');
    await dialog.getByRole('button', { name: 'Add node' }).click();
    const summary = dialog.getByRole('alert').filter({ hasText: 'Some fields need attention' });
    await expect(summary).toBeVisible();
    await expect(summary).toContainText('Address: "192.168.2.300" is not a valid IPv4 address');
    await expect(summary).toBeInViewport();
    await expect(summary).toBeFocused();
    await expect(dialog.getByText('"192.168.2.300" is not a valid IPv4 address: each of the four numbers must be 0–255, without leading zeros.').last()).toBeAttached();
    await shot(page, 'add-node-errors');
    await summary.getByRole('link', { name: 'Address' }).click();
    await expect(dialog.getByLabel(/^Address/)).toBeFocused();
    await noPrimaryCutOff(page, 'add-node');
  });

  await test.step('after the first node is saved, focus lands on the header "Add a node" that replaced the empty state', async () => {
    const dialog = page.getByRole('dialog', { name: 'Add an edge node' });
    await dialog.getByLabel(/^Address/).fill('127.0.0.1');
    await dialog.getByLabel('Log in with').selectOption('password');
    await dialog.getByLabel('SSH password').fill('not-used-here');
    await dialog.getByRole('button', { name: 'Add node' }).click();
    await expect(dialog).toBeHidden();
    const header = page.getByRole('button', { name: 'Add a node' });
    await expect(header).toBeFocused();
    await header.click();
    await expect(page.getByRole('dialog', { name: 'Add an edge node' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(header).toBeFocused();
    await noPrimaryCutOff(page, 'edge-node');
  });

  await test.step('Esc closes "Check this machine" after its self-test', async () => {
    await page.getByRole('button', { name: 'Check this machine' }).click();
    const doctor = page.getByRole('dialog', { name: 'Check this machine' });
    await doctor.getByRole('button', { name: 'Test the connection' }).click();
    await expect(doctor.getByText('Passed')).toBeVisible({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    await expect(doctor).toBeHidden();
    await expect(page.getByRole('button', { name: 'Check this machine' })).toBeFocused();
  });

  await test.step('the matrix keeps typed endpoints across tabs, and its Why column stays in view', async () => {
    await area(page, 'MQTT');
    await page.getByRole('tab', { name: 'Listener matrix' }).click();
    await page.getByLabel('Listeners from').selectOption('endpoints');
    // Closed loopback ports: every row fails fast, which is all the grid needs to be drawn.
    const ports = ['1', '2', '3', '4', '5', '6'];
    for (const [i, port] of ports.entries()) {
      if (i > 0) await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByLabel(`Name ${i + 1}`).fill(`listener-${i + 1}`);
      await page.getByLabel(`Host ${i + 1}`).fill('127.0.0.1');
      await page.getByLabel(`Port ${i + 1}`).fill(port);
      const tls = page.locator('.fb-matrix__endpoint').nth(i).getByLabel('TLS');
      if (await tls.isChecked()) await tls.uncheck();
    }
    await area(page, 'Vault & PKI');
    await area(page, 'MQTT');
    await page.getByRole('tab', { name: 'Listener matrix' }).click();
    await expect(page.getByLabel('Host 6')).toHaveValue('127.0.0.1');
    await expect(page.getByLabel('Port 6')).toHaveValue('6');

    await page.getByRole('button', { name: 'Run the matrix' }).click();
    await expect(page.getByText(/of 6 listeners passed/)).toBeVisible({ timeout: 60_000 });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const why = page.getByRole('button', { name: 'Why listener-6' });
      await why.scrollIntoViewIfNeeded();
      await expect(why).toBeInViewport({ ratio: 1 });
      const box = await why.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(size.width);
      await shot(page, `matrix-${size.width}`);
    }
    await page.setViewportSize(SIZES[0]!);
    await noPrimaryCutOff(page, 'matrix');
  });

  await test.step('typed endpoints survive a reload (kept in main, in the vault)', async () => {
    await page.reload();
    await area(page, 'Vault & PKI');
    const unlock = page.getByLabel('Master password');
    if (await unlock.isVisible().catch(() => false)) {
      await unlock.fill(PASSWORD);
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Lock', exact: true })).toBeVisible({ timeout: 60_000 });
    }
    await area(page, 'MQTT');
    await page.getByRole('tab', { name: 'Listener matrix' }).click();
    await expect(page.getByLabel('Host 6')).toHaveValue('127.0.0.1');
  });
});
