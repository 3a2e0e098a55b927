import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test as base, expect, type ServedApp } from '../support/e2e/fieldbench-fixture';
import { edgeHostAvailability, prepareSeedVault, type SeedVault } from '../support/e2e/edge-lab-fixture';

// Issue 4, "Done when", from the app: add the node, trust its host key, see the default listener and the
// trust bundle, apply the seed 001 Secret, client CA ConfigMap, X.509 BrokerAuthentication and LoadBalancer
// BrokerListener, read them back with the real kubectl, and see the missing-issuer diagnosis on a listener
// set up wrong. Real sshd in a network namespace, the Kubernetes API emulator inside it, `fieldbench serve`.

const availability = edgeHostAvailability();
const SHOTS = 'test-results/screenshots';
const NS = 'azure-iot-operations';

/** The seed 001 vault made with the CLI for the edge lab's node, and `fieldbench serve` on it. */
const test = base.extend<object, { seeded: { seed: SeedVault; app: ServedApp } }>({
  seeded: [
    async ({ edgeLab, cli }, use) => {
      const seed = await prepareSeedVault(edgeLab.host.nodeAddress);
      await use({ seed, app: await cli.serve(seed.dataDir) });
    },
    { scope: 'worker', timeout: 240_000 },
  ],
});

test.describe('Edge nodes end to end against the edge test host', () => {
  test.skip(!availability.ok, availability.ok ? '' : `edge test host unavailable: ${availability.reason}`);
  test.setTimeout(300_000);

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/edge-${name}.png`, fullPage: false });
  const area = (page: Page, name: string) => page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name, exact: true }).click();

  test('add a node, trust its host key, read the broker, apply seed 001, read it back with kubectl, diagnose a missing issuer', async ({ page, edgeLab: lab, seeded: { seed, app } }) => {
    mkdirSync(SHOTS, { recursive: true });
    const host = lab.host;
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(app.url);

    await test.step('a locked vault sends the technician to Vault & PKI to unlock it', async () => {
      await area(page, 'Edge nodes');
      await expect(page.getByRole('heading', { level: 1, name: 'Edge nodes' })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Unlock the vault first' })).toBeVisible();
      await shot(page, 'locked');
      await page.getByRole('button', { name: 'Go to Vault & PKI' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Vault & PKI' })).toBeVisible();
      await page.getByLabel('Master password').fill(seed.password);
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Lock', exact: true })).toBeVisible({ timeout: 30_000 });
      await area(page, 'Edge nodes');
      await expect(page.getByRole('heading', { name: 'No edge nodes yet' })).toBeVisible();
      await shot(page, 'empty');
    });

    await test.step('add the node with its key imported into the vault; the form validates as one types', async () => {
      await page.getByRole('button', { name: 'Add a node' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add an edge node' });
      await dialog.getByLabel('Name').fill('edge 01');
      await expect(dialog.getByText('Use letters, digits, dots, dashes and underscores in node names (no spaces).')).toBeVisible();
      await dialog.getByLabel('Name').fill('edge-01');
      await expect(dialog.getByText('Use letters, digits, dots, dashes and underscores in node names (no spaces).')).toHaveCount(0);
      await dialog.getByLabel('Address').fill(host.nodeAddress);
      await dialog.getByLabel('SSH user').fill(host.users.key.name);
      await dialog.getByLabel('SSH private key file').setInputFiles(host.clientKey.privateKeyPath);
      // The key's public line is shown to paste into authorized_keys; the private part never comes back.
      const publicLine = dialog.getByTestId('public-key-line');
      await expect(publicLine).toContainText(host.clientKey.publicKey.split(' ')[1]!);
      await dialog.getByLabel('sudo password').fill(host.users.key.sudoPassword!);
      await shot(page, 'add-node');
      await dialog.getByRole('button', { name: 'Add node' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole('heading', { level: 2, name: 'edge-01' })).toBeVisible();
      await expect(page.getByText('Host key not confirmed')).toBeVisible();
    });

    await test.step('the first test stops at the unknown host key; the fingerprint is confirmed and trusted; every step passes', async () => {
      await page.getByRole('button', { name: 'Test connection' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm the host key of edge-01' });
      await expect(dialog).toBeVisible({ timeout: 30_000 });
      await expect(dialog.getByLabel(`Fingerprint ${host.hostKeys.ed25519.fingerprint}`)).toHaveText(host.hostKeys.ed25519.fingerprint);
      await expect(dialog.getByText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')).toBeVisible();
      await shot(page, 'hostkey');
      await dialog.getByRole('button', { name: 'Trust this key' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByText('All steps passed')).toBeVisible({ timeout: 60_000 });
      const steps = page.getByRole('list', { name: 'Connection test steps' }).getByRole('listitem');
      await expect(steps).toHaveCount(6);
      await expect(steps.filter({ hasText: 'Passed' })).toHaveCount(6);
      await expect(steps.filter({ hasText: 'Kubernetes API' })).toContainText('v1.32');
      await expect(page.getByText('Host key trusted')).toBeVisible();
      await shot(page, 'test-passed');
    });

    await test.step('the broker view shows the default listener, its policy, certificate, issuer and the trust bundle, imported into the vault', async () => {
      await page.getByRole('tab', { name: 'MQTT broker' }).click();
      await page.getByRole('button', { name: 'Read the broker' }).click();
      const listeners = page.getByRole('table', { name: 'Listeners' });
      await expect(listeners).toBeVisible({ timeout: 60_000 });
      const defaultRow = listeners.getByRole('row').filter({ hasText: 'default — left alone' });
      await expect(defaultRow).toContainText('18883');
      await expect(defaultRow).toContainText('ClusterIp');
      await expect(defaultRow).toContainText('Automatic, ClusterIssuer azure-iot-operations-aio-certificate-issuer');
      await expect(page.getByRole('table', { name: 'Authentication policies' })).toContainText('Kubernetes SAT, audiences aio-internal');
      await expect(page.getByRole('table', { name: 'cert-manager certificates' }).getByRole('row').filter({ hasText: 'aio-broker-frontend-server-18883' })).toContainText('Ready');
      await expect(page.getByRole('table', { name: 'Issuers' })).toContainText('azure-iot-operations-aio-certificate-issuer');
      const bundle = page.locator('.fb-edge-bundle').filter({ hasText: 'azure-iot-operations-aio-ca-trust-bundle' });
      await expect(bundle).toContainText('What clients trust for the default listener');
      await shot(page, 'broker');
      await listeners.scrollIntoViewIfNeeded();
      await shot(page, 'broker-tables');
      await bundle.getByRole('button', { name: 'Import into vault' }).click();
      await expect(page.getByText(/Imported 1 CA certificate into the vault/)).toBeVisible({ timeout: 30_000 });
    });

    await test.step('the check lists az iot ops check\'s checks with their levels, and a live connect per listener port', async () => {
      await page.getByRole('button', { name: 'Run check' }).click();
      const check = page.getByRole('region', { name: 'Check' });
      await expect(check.getByText('Broker in azure-iot-operations')).toBeVisible({ timeout: 90_000 });
      await expect(check.locator('li[data-level="pass"]').filter({ hasText: 'Service aio-broker exists with type ClusterIP.' })).toHaveCount(1);
      await expect(check.getByRole('heading', { name: 'Live TLS + MQTT connect' })).toBeVisible();
      await check.scrollIntoViewIfNeeded();
      await shot(page, 'broker-check');
    });

    await test.step('seed 001: plan shows the exact YAML and a diff per resource, apply reports each, the result reads back', async () => {
      await page.getByRole('button', { name: 'Set up TLS and X.509 listener…' }).click();
      const form = page.getByRole('dialog', { name: 'Set up the broker on edge-01' });
      const server = form.getByLabel('Server certificate', { exact: true });
      await expect(server.locator('option', { hasText: 'mqtts-endpoint' })).toHaveCount(1);
      await server.selectOption({ label: await server.locator('option', { hasText: 'mqtts-endpoint' }).innerText() });
      const ca = form.getByLabel('Client CA', { exact: true });
      await ca.selectOption({ label: await ca.locator('option', { hasText: /^Clients42 Intermediate CA/ }).innerText() });
      await expect(form.getByLabel('Listener name')).toHaveValue('loadbalancer-listener');
      await expect(form.getByLabel('Port', { exact: true })).toHaveValue('8883');
      await shot(page, 'setup-form');
      await form.getByRole('button', { name: 'Show the plan' }).click();

      const dialog = page.getByRole('dialog', { name: 'Apply to edge-01' });
      const resources = dialog.getByRole('tablist', { name: 'Resources in this apply' }).getByRole('tab');
      await expect(resources).toHaveCount(4, { timeout: 60_000 });
      await expect(resources).toHaveText([/Secret broker-server-cert · Create/, /ConfigMap clients42-ca · Create/, /BrokerAuthentication x509-policy · Create/, /BrokerListener loadbalancer-listener · Create/]);
      await expect(dialog.getByText('Dry run passed')).toBeVisible();
      await dialog.getByRole('tab', { name: 'Exact YAML sent' }).click();
      const secretYaml = dialog.getByLabel('YAML of Secret broker-server-cert');
      await expect(secretYaml).toContainText('type: kubernetes.io/tls');
      await expect(secretYaml).toContainText('<hidden: sha256');
      await expect(secretYaml).not.toContainText('PRIVATE KEY');
      await resources.nth(3).click();
      // The YAML/diff choice stays while flipping through resources; go back to the diff.
      await dialog.getByRole('tab', { name: 'Diff against the cluster' }).click();
      const diff = dialog.getByLabel('Diff of BrokerListener loadbalancer-listener');
      await expect(diff).toContainText('+  serviceType: LoadBalancer');
      await expect(diff.locator('[data-kind="added"]').first()).toBeVisible();
      await shot(page, 'plan');
      await dialog.getByRole('button', { name: 'Apply 4 resources to edge-01' }).click();
      const done = page.getByRole('dialog', { name: 'Applied to edge-01' });
      await expect(done.getByText('Applied 4 of 4 resources.')).toBeVisible({ timeout: 60_000 });
      const outcomes = done.getByRole('list', { name: 'Result per resource' }).getByRole('listitem');
      await expect(outcomes.filter({ hasText: 'Applied' })).toHaveCount(4);
      await expect(done.getByRole('button', { name: 'Re-run the apply' })).toHaveCount(0);
      await expect(done.getByText('managed by fieldbench').first()).toBeVisible();
      await shot(page, 'applied');
      await done.getByRole('button', { name: 'Close', exact: true }).last().click();
      await expect(done).toBeHidden();
    });

    await test.step('the real kubectl on the node reads back exactly the seed 001 resources, owned by field manager fieldbench', async () => {
      const get = async (what: string) => {
        const r = await lab.kubectl(['get', ...what.split(' '), '-n', NS, '-o', 'json', '--show-managed-fields']);
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const pems = (text: string) => (text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
      const secret = await get('secret broker-server-cert');
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(pems(Buffer.from(secret.data['tls.crt'], 'base64').toString())).toBe(2);
      expect(Buffer.from(secret.data['tls.key'], 'base64').toString()).toContain('PRIVATE KEY');
      const cm = await get('configmap clients42-ca');
      expect(pems(cm.data['client_ca.pem'])).toBe(2);
      const auth = await get('brokerauthentication x509-policy');
      expect(auth.spec.authenticationMethods).toEqual([{ method: 'X509', x509Settings: { trustedClientCaCert: 'clients42-ca' } }]);
      const listener = await get('brokerlistener loadbalancer-listener');
      expect(listener.spec).toMatchObject({ serviceType: 'LoadBalancer', brokerRef: 'default' });
      expect(listener.spec.ports).toEqual([
        expect.objectContaining({ port: 8883, protocol: 'Mqtt', authenticationRef: 'x509-policy', tls: { mode: 'Manual', manual: { secretRef: 'broker-server-cert' } } }),
      ]);
      for (const obj of [secret, cm, auth, listener]) expect(obj.metadata.managedFields.map((f: { manager: string }) => f.manager)).toContain('fieldbench');
      // The default listener is untouched.
      const def = await get('brokerlistener default');
      expect(def.metadata.managedFields.map((f: { manager: string }) => f.manager)).not.toContain('fieldbench');
    });

    await test.step('a listener the portal set up with an issuer that does not exist is diagnosed, and its fix is planned and force-applied', async () => {
      const wrong = [
        'apiVersion: mqttbroker.iotoperations.azure.com/v1',
        'kind: BrokerListener',
        'metadata: {name: nodeport-listener, namespace: azure-iot-operations}',
        'spec:',
        '  brokerRef: default',
        '  serviceType: NodePort',
        '  ports:',
        '  - port: 1883',
        '    nodePort: 31883',
        '    protocol: Mqtt',
        '    tls:',
        '      mode: Automatic',
        '      certManagerCertificateSpec:',
        '        issuerRef: {name: aio-tls-issuer, kind: Issuer, group: cert-manager.io}',
        '',
      ].join('\n');
      const applied = await lab.kubectl(['apply', '--server-side', '--field-manager', 'azure-portal', '-f', '-'], wrong);
      expect(applied.code, applied.stderr).toBe(0);

      await page.getByRole('button', { name: 'Read again' }).click();
      const diagnosis = page.locator('[data-id="listener-issuer-missing:nodeport-listener:1883"]');
      await expect(diagnosis).toBeVisible({ timeout: 60_000 });
      await expect(diagnosis).toContainText('Problem');
      await expect(diagnosis).toContainText('asks Issuer aio-tls-issuer for its TLS certificate, but that Issuer does not exist in azure-iot-operations');
      await expect(diagnosis).toContainText('ECONNRESET');
      await expect(page.getByRole('table', { name: 'cert-manager certificates' }).getByRole('row').filter({ hasText: 'aio-broker-frontend-server-1883' })).toContainText('Not ready: DoesNotExist');
      await diagnosis.scrollIntoViewIfNeeded();
      await shot(page, 'diagnosis');

      await diagnosis.getByRole('button', { name: /^Point port 1883 at ClusterIssuer azure-iot-operations-aio-certificate-issuer/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Apply to edge-01' });
      await expect(dialog.getByText(/Another tool owns fields this apply changes: BrokerListener nodeport-listener \(azure-portal\)/)).toBeVisible({ timeout: 60_000 });
      await shot(page, 'fix-plan');
      await dialog.getByLabel('Force: take over those fields').check();
      const forceApply = dialog.getByRole('button', { name: 'Force apply 1 resource to edge-01' });
      await expect(forceApply).toBeEnabled({ timeout: 60_000 });
      await forceApply.click();
      const done = page.getByRole('dialog', { name: 'Applied to edge-01' });
      await expect(done.getByText('Applied 1 of 1 resources.').or(done.getByText('Applied 1 of 1 resource.'))).toBeVisible({ timeout: 60_000 });
      await done.getByRole('button', { name: 'Close', exact: true }).last().click();
      // The apply re-reads the broker: the diagnosis is gone and the certificate is issued.
      await expect(diagnosis).toHaveCount(0, { timeout: 60_000 });
      await expect(page.getByRole('table', { name: 'cert-manager certificates' }).getByRole('row').filter({ hasText: 'aio-broker-frontend-server-1883' })).toContainText('Ready');
    });

    await test.step('the activity log lists every change made to the node', async () => {
      await page.getByRole('tab', { name: 'Activity' }).click();
      const log = page.getByRole('list', { name: 'Activity of edge-01' });
      await expect(log).toBeVisible();
      const items = log.getByRole('listitem');
      await expect(items.filter({ hasText: 'added' })).toHaveCount(1);
      await expect(items.filter({ hasText: 'hostKeyTrusted' })).toHaveCount(1);
      await expect(items.filter({ hasText: 'Connection test passed' }).first()).toBeVisible();
      await expect(items.filter({ hasText: 'Connection test failed at "Host key"' })).toHaveCount(1);
      // Broker applies are recorded too, newest first: the last one is the missing-issuer fix.
      await expect(items.nth(0)).toContainText('BrokerListener nodeport-listener (applied)');
      await expect(items.filter({ hasText: 'Secret broker-server-cert (applied)' })).toHaveCount(1);
      await shot(page, 'activity');
    });

    await test.step('a changed host key is refused loudly, with both fingerprints', async () => {
      const before = host.hostKeys.ed25519.fingerprint;
      await host.stopSsh({ dropSessions: true });
      const keys = await host.replaceHostKeys();
      expect(keys.ed25519.fingerprint).not.toBe(before);
      await page.getByRole('button', { name: 'Test connection' }).click();
      const dialog = page.getByRole('dialog', { name: 'The host key of edge-01 has changed' });
      await expect(dialog).toBeVisible({ timeout: 60_000 });
      await expect(dialog.getByText(/Fieldbench refused to connect/)).toBeVisible();
      await expect(dialog.locator('[data-kind="expected"]')).toHaveText(before);
      await expect(dialog.locator('[data-kind="presented"]')).toHaveText(keys.ed25519.fingerprint);
      await expect(dialog.getByRole('button', { name: 'Replace the trusted key' })).toBeDisabled();
      await shot(page, 'hostkey-changed');
      await dialog.getByRole('button', { name: 'Keep refusing' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByText('Failed at: Host key')).toBeVisible();
    });

    expect(consoleErrors).toEqual([]);
  });
});
