import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, type FieldbenchCli } from '../support/e2e/fieldbench-fixture';

// Issue 13 from the app: a runbook saved in the vault, planned, run against a kubeconfig node (the API
// emulator), run again with nothing to change, then the report built and signed. Debian's Chromium against
// `fieldbench serve`; the screenshots are looked at.

const SHOTS = 'test-results/screenshots';
const PASSWORD = 'a long vault password for e2e';

const fieldbenchWith = (cli: FieldbenchCli) => (args: string[], dataDir: string) => cli.run([...args, '--data-dir', dataDir], { env: { FIELDBENCH_VAULT_PASSWORD: PASSWORD } });

const RUNBOOK = `name: site-test-listener
title: Site test listener
description: A root CA for the site and a NodePort test listener, then wait for its Service.
warning: The NodePort listener has no authentication. Remove it before the node goes into production.
params:
  node: { type: node, description: Edge node }
steps:
  - id: root
    uses: pki.root
    with: { commonName: Site Root CA }
  - id: listener
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        listeners:
          - name: nodeport-listener
            serviceType: NodePort
            ports: [{ port: 1883, nodePort: 31883 }]
  - id: ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: nodeport-listener, timeoutSeconds: 30 }
`;

test.describe('Runbooks from the app', () => {
  test('plan, run, nothing to change, report and sign-off at 1366×768', async ({ page, kubeLab: { dir, emu }, cli }) => {
    test.setTimeout(360_000);
    const fieldbench = fieldbenchWith(cli);
    const dataDir = join(dir, 'data');
    expect((await fieldbench(['vault', 'create'], dataDir)).code).toBe(0);
    expect((await fieldbench(['node', 'add', 'edge-01', '--host', '127.0.0.1', '--user', 'technician', '--agent', '--kubeconfig', join(dir, 'cluster', 'kubeconfig.yaml')], dataDir)).code).toBe(0);
    writeFileSync(join(dir, 'site.yaml'), RUNBOOK);
    const saved = await fieldbench(['runbook', 'save', join(dir, 'site.yaml')], dataDir);
    expect(saved.stdout).toContain('Saved "site-test-listener" in the vault.');

    const app = await cli.serve(dataDir);
    try {
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.goto(app.url);
      await page.getByLabel('Master password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByRole('button', { name: 'Runbooks' }).click();
      await expect(page.getByRole('heading', { name: 'Runbooks', level: 1 })).toBeVisible();
      await page.getByRole('button', { name: /Site test listener/ }).click();
      await expect(page.getByRole('note')).toContainText('no authentication');
      await page.getByLabel('Edge node').selectOption('edge-01');
      await page.getByRole('button', { name: 'Plan (changes nothing)' }).click();
      await expect(page.getByRole('heading', { name: /Steps — plan/ })).toBeVisible();
      await expect(page.getByText('create root CA "Site Root CA" — EC P-256')).toBeVisible();
      await expect(page.getByRole('listitem').filter({ hasText: 'Wait for the listener' }).getByText('to do')).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/runbooks-plan.png` });
      expect(emu.listObjects('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations')).toHaveLength(1);

      await page.getByLabel('Technician').fill('Ana Tech');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect(page.getByRole('heading', { name: /Steps — done/ })).toBeVisible({ timeout: 120_000 });
      await expect(page.getByText(/Done: 2 step\(s\) changed something\./).first()).toBeVisible();
      expect(emu.listObjects('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations')).toHaveLength(2);
      await page.screenshot({ path: `${SHOTS}/runbooks-done.png` });

      await page.getByRole('button', { name: 'Build the report' }).click();
      await expect(page.getByText('Punch list empty: every step verified.')).toBeVisible();
      await page.getByLabel('Witnessed by (customer)').fill('Customer QA');
      await page.getByRole('button', { name: 'Sign off' }).click();
      await expect(page.getByText(/Signed by Ana Tech, witnessed by Customer QA/)).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/runbooks-signed.png`, fullPage: true });

      // The PDF the customer keeps, printed by main (headless Chromium here) and handed over as a one-time download.
      const pdfDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Save report (PDF)' }).click();
      const pdf = await pdfDownload;
      expect(pdf.suggestedFilename()).toMatch(/^commissioning-.*\.pdf$/);
      const pdfPath = join(test.info().outputDir, pdf.suggestedFilename());
      await pdf.saveAs(pdfPath);
      expect(readFileSync(pdfPath).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      await expect(page.getByRole('status').filter({ hasText: /^PDF commissioning-.*made by/ })).toBeVisible();

      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect(page.getByText('Nothing to change: every step was already in place.').first()).toBeVisible({ timeout: 120_000 });
      await expect(page.getByText('already in place', { exact: true })).toHaveCount(3);
      await page.screenshot({ path: `${SHOTS}/runbooks-unchanged.png` });

      // The node's page shows its last run and whether anything drifted since.
      await page.getByRole('button', { name: 'Edge nodes' }).click();
      await page.getByRole('button', { name: /edge-01/ }).first().click();
      await page.getByRole('tab', { name: 'Commissioning' }).click();
      await expect(page.getByText(/Last run: Site test listener/)).toBeVisible();
      await page.getByRole('button', { name: 'Check for drift' }).click();
      await expect(page.getByText('No drift')).toBeVisible({ timeout: 30_000 });
      const l = emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', 'azure-iot-operations', 'nodeport-listener') as { spec: { ports: Array<{ nodePort: number }> } };
      (l.spec.ports[0] as { nodePort: number }).nodePort = 31890;
      await emu.putObject(l as never, 'kubectl-edit');
      await page.getByRole('button', { name: 'Check for drift' }).click();
      await expect(page.getByRole('alert')).toContainText('listener: BrokerListener/nodeport-listener changed', { timeout: 30_000 });
      await page.screenshot({ path: `${SHOTS}/runbooks-node-drift.png` });
    } finally {
      await app.stop();
    }
  });
});
