import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runFieldbenchSync } from '../support/cli/fieldbench-cli';
import { test, expect } from '../support/e2e/fieldbench-fixture';

// Seed 001's client chain made with the CLI, then exported from the UI: client42a with its key for Node-RED
// and as PKCS#12, each through the confirm step that names the key. Screenshots at 1366×768 go to
// test-results/screenshots/exports-*.png.
const SHOTS = 'test-results/screenshots';
const PASSWORD = 'gloves on site 42';

test.describe.configure({ timeout: 180_000 });

function fieldbench(args: string[], dataDir: string, input?: string): void {
  const r = runFieldbenchSync([...args, '--data-dir', dataDir], { env: { FIELDBENCH_VAULT_PASSWORD: PASSWORD }, ...(input === undefined ? {} : { input }) });
  if (r.code !== 0) throw new Error(`fieldbench ${args.join(' ')}: ${r.stderr}`);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/exports-${name}.png` });
}

test('export client42a with its key for Node-RED and as PKCS#12, each after confirming the key', async ({ page, app }) => {
  mkdirSync(SHOTS, { recursive: true });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  fieldbench(['vault', 'create', '--password-stdin'], app.dataDir, `${PASSWORD}\n`);
  fieldbench(['pki', 'create', 'root', 'AIO42 Root CA', '--hours', '72000'], app.dataDir);
  fieldbench(['pki', 'create', 'root', 'Clients42 Root CA', '--hours', '72000'], app.dataDir);
  fieldbench(['pki', 'create', 'intermediate', 'Clients42 Intermediate CA 1', '--issuer', 'Clients42 Root CA', '--hours', '72000', '--clamp'], app.dataDir);
  fieldbench(['pki', 'create', 'client', 'client42a', '--issuer', 'Clients42 Intermediate CA 1', '--hours', '72000', '--clamp'], app.dataDir);

  await page.goto(app.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Vault & PKI', exact: true }).click();
  await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Light theme' }).click();
  const unlock = page.getByRole('region', { name: 'The vault is locked' });
  await unlock.getByLabel('Master password').fill(PASSWORD);
  await unlock.getByLabel('Master password').press('Enter');
  const tree = page.getByRole('tree', { name: 'Certificate tree' });
  await tree.getByRole('treeitem', { name: /^client42a / }).click({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Export…' }).click();

  // The Exports area opens with client42a picked.
  await expect(page.getByRole('heading', { level: 1, name: 'Exports' })).toBeVisible();
  const certs = page.getByRole('list', { name: 'Certificates to export' });
  await expect(certs.getByRole('checkbox', { name: /client42a/ })).toBeChecked();
  await page.getByLabel('Target', { exact: true }).selectOption('node-red');
  await page.getByLabel('CA that verifies the broker').selectOption({ label: 'AIO42 Root CA' });
  await page.getByLabel('Broker', { exact: true }).fill('192.168.2.196:8883');
  const files = page.getByRole('table', { name: /Node-RED flow: the files that will be written/ });
  await expect(files.getByRole('row', { name: /flows\.json/ }).first()).toBeVisible();
  await expect(files.getByRole('row', { name: /client42a\.key/ })).toHaveCount(0);
  await page.getByLabel('Include the private keys').check();
  await expect(files.getByRole('row', { name: /certs\/client42a\.key/ })).toBeVisible();
  const redOut = join(app.dataDir, 'to-node-red');
  await page.getByLabel('New folder to write').fill(redOut);
  await shot(page, 'node-red-plan');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Export the private key of client42a?' });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByText(redOut)).toBeVisible();
  await shot(page, 'node-red-confirm');
  // Keeping the keys writes nothing.
  await confirm.getByRole('button', { name: 'Keep the keys in the vault' }).click();
  expect(existsSync(redOut)).toBe(false);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.getByRole('dialog', { name: 'Export the private key of client42a?' }).getByRole('button', { name: 'Export with the key' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Wrote \d+ files to/ })).toBeVisible({ timeout: 30_000 });
  await shot(page, 'node-red-done');
  const flow = JSON.parse(readFileSync(join(redOut, 'flows.json'), 'utf8')) as Array<{ type: string; credentials?: { keydata?: string } }>;
  expect(flow.find((n) => n.type === 'tls-config')?.credentials?.keydata).toMatch(/PRIVATE KEY/);
  expect(statSync(join(redOut, 'certs', 'client42a.key')).mode & 0o777).toBe(0o600);

  // PKCS#12 for the PLC: a passphrase with its strength, the same confirm step.
  await page.getByLabel('Target', { exact: true }).selectOption('pkcs12');
  await page.getByLabel(/^Passphrase/).fill('plc');
  await expect(page.getByText('Too short')).toBeVisible();
  await page.getByLabel(/^Passphrase/).fill('line seven plc passphrase');
  await expect(page.getByText('Strong', { exact: true })).toBeVisible();
  const p12Out = join(app.dataDir, 'to-plc');
  await page.getByLabel('New folder to write').fill(p12Out);
  await expect(page.getByRole('table', { name: /PKCS#12 \(AES-256, SHA-256\)/ }).getByRole('row', { name: /client42a\.p12/ })).toBeVisible();
  await shot(page, 'pkcs12-plan');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const confirmP12 = page.getByRole('dialog', { name: 'Export the private key of client42a?' });
  await expect(confirmP12.getByText(/encrypted with your passphrase/)).toBeVisible();
  await shot(page, 'pkcs12-confirm');
  await confirmP12.getByRole('button', { name: 'Export with the key' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Wrote \d+ files to .*to-plc/ })).toBeVisible({ timeout: 30_000 });
  await shot(page, 'pkcs12-done');
  const info = spawnSync('openssl', ['pkcs12', '-info', '-noout', '-in', join(p12Out, 'client42a.p12'), '-passin', 'pass:line seven plc passphrase'], { encoding: 'utf8' });
  expect(info.status, info.stderr).toBe(0);
  // The passphrase field is emptied once the export is written.
  await expect(page.getByLabel(/^Passphrase/)).toHaveValue('');

  // In the browser the same export can be a one-time download the host serves; page script never holds it.
  await page.getByLabel('Target', { exact: true }).selectOption('pem');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download zip' }).click();
  const confirmDl = page.getByRole('dialog', { name: 'Export the private key of client42a?' });
  await expect(confirmDl.getByText(/browser's downloads as one zip/)).toBeVisible();
  await shot(page, 'download-confirm');
  await confirmDl.getByRole('button', { name: 'Export with the key' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('pem-client42a.zip');
  const zipPath = join(app.dataDir, 'pem-client42a.zip');
  await download.saveAs(zipPath);
  const listing = spawnSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zipPath], { encoding: 'utf8' });
  expect(listing.stdout.split('\n').filter(Boolean).sort()).toEqual(['pem-client42a/README.md', 'pem-client42a/client42a.crt', 'pem-client42a/client42a.key', 'pem-client42a/clients42_root_ca.crt', 'pem-client42a/manifest.json']);
  await expect(page.getByRole('status').filter({ hasText: /Handed \d+ files to your browser as pem-client42a\.zip/ })).toBeVisible();
  await shot(page, 'download-done');
  // The link works once.
  expect((await page.request.get(download.url())).status()).toBe(404);
  expect(consoleErrors).toEqual([]);
});
