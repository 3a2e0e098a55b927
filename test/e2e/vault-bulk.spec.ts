import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from '../support/e2e/fieldbench-fixture';

// Issue 15 in the UI: paste a device list into the client wizard, see every problem by line and the
// table of what will be issued, fix it, issue, and save the summary CSV. Screenshots at 1366×768.
const SHOTS = 'test-results/screenshots';
const PASSWORD = 'gloves on site 42';

test.describe.configure({ timeout: 240_000 });

async function wizard(page: Page, button: string, title: string) {
  await page.getByRole('toolbar', { name: 'Create and import' }).getByRole('button', { name: button, exact: true }).click({ timeout: 15_000 });
  const dialog = page.getByRole('dialog', { name: title });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('a pasted device list becomes one client certificate per device', async ({ page, app }) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(app.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Vault & PKI', exact: true }).click();
  const create = page.getByRole('region', { name: 'Create your vault' });
  await create.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await create.getByLabel('Repeat the master password').fill(PASSWORD);
  await create.getByRole('button', { name: 'Create vault' }).click();
  await page.getByRole('button', { name: 'New root CA' }).click();
  const root = page.getByRole('dialog', { name: 'New root CA' });
  await root.getByLabel('Common name (CN)').fill('Site Root');
  await root.getByRole('button', { name: 'Create root CA' }).click();
  await expect(root).toBeHidden({ timeout: 60_000 });
  const int = await wizard(page, 'New intermediate', 'New intermediate CA');
  await int.getByLabel('Common name (CN)').fill('Site Devices CA');
  await expect(int.getByRole('region', { name: 'What will be issued' }).getByText('Ready')).toBeVisible();
  await int.getByRole('button', { name: 'Create intermediate CA' }).click();
  await expect(int).toBeHidden({ timeout: 60_000 });

  const dialog = await wizard(page, 'New client certificates', 'New client certificates');
  await dialog.getByLabel('From a device list (paste or drop a CSV, or one id per line)').check();
  const devices = Array.from({ length: 40 }, (_, i) => `press-${String(i + 1).padStart(2, '0')},10.4.0.${i + 10}`);
  const bad = ['device_id,sans', ...devices.slice(0, 5), 'press-03,', 'press 07,', 'press-08,10.0.0.999', ...devices.slice(8)];
  await dialog.getByLabel('Device list', { exact: true }).fill(bad.join('\n'));
  const problems = dialog.getByRole('list', { name: 'Problems in the list' });
  await expect(problems.getByText(/Line 7: "press-03" is already listed on line 4/)).toBeVisible();
  await expect(problems.getByText(/Line 8: "press 07" cannot be a client id/)).toBeVisible();
  await expect(problems.getByText(/Line 9: "10\.0\.0\.999" looks like an IP address/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Create client certificates' })).toBeDisabled();
  await expect(dialog.getByRole('region', { name: 'What will be issued' }).getByText('Not yet')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/vault-bulk-problems.png` });

  await dialog.getByLabel('Device list', { exact: true }).fill(['device_id,sans', ...devices].join('\n'));
  const table = dialog.getByRole('table', { name: 'Certificates that will be issued' });
  await expect(table.getByRole('row')).toHaveCount(41);
  await expect(table.getByRole('row', { name: /press-08 10\.4\.0\.17/ })).toBeVisible();
  await expect(dialog.getByText('40 certificates ready.')).toBeVisible();
  await expect(dialog.getByRole('region', { name: 'What will be issued' }).getByText('Ready')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/vault-bulk-table.png` });
  await dialog.getByRole('button', { name: 'Create client certificates' }).click();
  await expect(dialog).toBeHidden({ timeout: 120_000 });

  const notice = page.getByRole('status').filter({ hasText: 'Created 40 client certificates from the list' });
  await expect(notice).toBeVisible();
  const download = page.waitForEvent('download');
  await notice.getByRole('button', { name: 'Save the summary CSV' }).click();
  const csv = await (await download).path();
  const text = (await import('node:fs')).readFileSync(csv, 'utf8').trim().split('\n');
  expect(text[0]).toBe('device_id,serial,sha1_thumbprint,sha256_thumbprint,not_after');
  expect(text).toHaveLength(41);
  const tree = page.getByRole('tree', { name: 'Certificate tree' });
  await expect(tree.getByRole('treeitem', { name: /^press-40 / })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/vault-bulk-done.png` });

  // Issue 15's output from the UI: one bundle per device, with the keys confirmed, and the summary beside them.
  await notice.getByRole('button', { name: 'Export one bundle per device…' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Exports' })).toBeVisible();
  await page.getByLabel('Target', { exact: true }).selectOption('pem');
  await expect(page.getByLabel('One bundle per certificate')).toBeChecked();
  await expect(page.getByText('40 bundles like this one')).toBeVisible();
  const out = (await import('node:path')).join(app.dataDir, 'press-bundles');
  await page.getByLabel('New folder to write').fill(out);
  await page.screenshot({ path: `${SHOTS}/vault-bulk-bundles-plan.png` });
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Export 40 private keys?' });
  await expect(confirm.getByText('and 28 more')).toBeVisible();
  await confirm.getByRole('button', { name: 'Export with 40 keys' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Wrote 40 bundles and summary\.csv to/ })).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/vault-bulk-bundles-done.png` });
  const fs = await import('node:fs');
  const folders = fs.readdirSync(out).filter((f) => f !== 'summary.csv');
  expect(folders).toHaveLength(40);
  expect(fs.readFileSync((await import('node:path')).join(out, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(41);
});
