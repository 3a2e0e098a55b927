import { expect, type Page } from '@playwright/test';
import type { BrokerLab } from '../broker-lab/broker-lab';

/**
 * In the MQTT area, as a person does it: a new connection to the broker lab's plain listener (NodePort
 * style), then a subscription to '#'. Shared by the MQTT, topic tree and technician's day specs.
 */
export async function connectPlainAndSubscribeAll(page: Page, lab: BrokerLab, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill(lab.host);
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(lab.listeners.plain.port));
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await page.getByLabel('Subscribe to').fill('#');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Active subscriptions' }).getByText('#', { exact: true })).toBeVisible();
}
