import { mkdirSync } from 'node:fs';
import mqtt from 'mqtt';
import type { Locator, Page } from '@playwright/test';
import { brokerLabAvailability } from '../support/broker-lab/broker-lab';
import { mosquittoPub } from '../support/broker-lab/mosquitto-clients';
import { test, expect } from '../support/e2e/fieldbench-fixture';

// The MQTT area through the real renderer, the real `fieldbench serve` and a real mosquitto from the broker
// lab (plain listener, NodePort style, on 127.0.0.1). Screenshots go to test-results/screenshots/mqtt-*.png.
const SHOTS = 'test-results/screenshots';
const avail = brokerLabAvailability();
if (!avail.ok) console.warn(`[mqtt e2e] skipped: ${avail.reason}`);

test.describe.configure({ timeout: 150_000 });

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/mqtt-${name}.png` });
}

async function setTheme(page: Page, theme: 'Light theme' | 'Dark theme') {
  await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: theme }).click();
}

// The small laptops technicians carry (1366×768 and 1280×720): enough rows to read a stream, topics that keep
// their last level, a header that neither wraps nor cuts a button, and a Clear that asks and can be undone.
const LONG = (i: number) => `plant-augsburg/hall-3/line-07/station${String(i % 12).padStart(2, '0')}/press-controller/hydraulics/pressure-${i % 4}`;

/** Every box is inside the viewport (nothing cut at the edge). */
async function expectInside(page: Page, locator: Locator, what: string) {
  const vp = page.viewportSize()!;
  const box = await locator.boundingBox();
  expect(box, `${what} has no box`).not.toBeNull();
  expect(box!.x, `${what} starts left of the window`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} starts above the window`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} is cut at the right edge`).toBeLessThanOrEqual(vp.width);
  expect(box!.y + box!.height, `${what} is cut at the bottom`).toBeLessThanOrEqual(vp.height);
}

// The few DOM members the page-side checks use; this file is typed for Node, without the DOM library.
interface Box {
  top: number;
  bottom: number;
  left: number;
  width: number;
  height: number;
}
interface DomNode {
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  ownerDocument: DomDocument;
  getBoundingClientRect(): Box;
  contains(other: unknown): boolean;
  querySelectorAll(selector: string): Iterable<DomNode>;
  removeAttribute(name: string): void;
  setAttribute(name: string, value: string): void;
}
interface DomDocument {
  elementFromPoint(x: number, y: number): unknown;
  createTreeWalker(root: DomNode, whatToShow: number): { nextNode(): DomNode | null };
  createRange(): { selectNodeContents(node: DomNode): void; getClientRects(): Iterable<Box> };
}

/** A control's words are on one line: every text fragment in it shares one line box. */
async function expectOneLine(locator: Locator, what: string) {
  const lines = await locator.evaluate((node) => {
    const el = node as unknown as DomNode;
    const tops = new Set<number>();
    // 4 is NodeFilter.SHOW_TEXT (this file is typed without the DOM globals).
    const doc = el.ownerDocument;
    const walker = doc.createTreeWalker(el, 4);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim()) continue;
      const range = doc.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    return tops.size;
  });
  expect(lines, `${what} wraps`).toBe(1);
}

/** Rows of the message list wholly inside its scroll box and the window, and the list's top and bottom. */
async function visibleRows(page: Page): Promise<{ rows: number; top: number; bottom: number }> {
  return page.getByRole('region', { name: 'Messages' }).locator('.fb-mqtt-list__scroll').evaluate((node) => {
    const scroll = node as unknown as DomNode;
    const box = scroll.getBoundingClientRect();
    // A row counts when it is wholly inside the scroll box and nothing (the status bar) covers its ends.
    const shown = (r: DomNode, y: number, x: number) => r.contains(scroll.ownerDocument.elementFromPoint(x, y));
    const rows = [...scroll.querySelectorAll('.fb-mqtt-row')].filter((r) => {
      const b = r.getBoundingClientRect();
      const x = b.left + 8;
      return b.height > 0 && b.top >= box.top - 1 && b.bottom <= box.bottom + 1 && shown(r, b.top + 2, x) && shown(r, b.bottom - 2, x);
    });
    for (const r of scroll.querySelectorAll('[data-in-view]')) r.removeAttribute('data-in-view');
    rows[rows.length - 1]?.setAttribute('data-in-view', '');
    return { rows: rows.length, top: box.top, bottom: box.bottom };
  });
}

test.describe('MQTT area against the broker lab', () => {
  test.skip(!avail.ok, avail.ok ? '' : avail.reason);

  test('connect to the plain listener, subscribe to #, publish from the app and from mosquitto_pub', async ({ page, app, brokerLab: lab }) => {
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

  test('listener matrix over the lab: the plain listener passes, TLS against the wrong CA is diagnosed with the chain shown', async ({ page, app, brokerLab: lab }) => {
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

  test('15 rows with whole last topic levels, an uncut header at 1366×768 and 1280×720, Clear asks and Undo restores', async ({ page, app, brokerLab: lab }) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(app.url);
    await page.getByRole('navigation').getByRole('button', { name: 'MQTT', exact: true }).click();
    await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Light theme' }).click();
    await page.getByRole('button', { name: 'New connection' }).click();
    const dialog = page.getByRole('dialog', { name: 'New connection' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Line 7 presses, hall 3');
    await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill(lab.host);
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(lab.listeners.plain.port));
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await page.getByLabel('Subscribe to').fill('#');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await expect(page.getByRole('list', { name: 'Active subscriptions' }).getByText('#', { exact: true })).toBeVisible();

    const publisher = await mqtt.connectAsync({ host: lab.host, port: lab.listeners.plain.port, protocolVersion: 5 });
    for (let i = 0; i < 400; i++) publisher.publish(LONG(i), JSON.stringify({ bar: 180 + (i % 40) / 10, seq: i }));
    await publisher.endAsync();
    const messages = page.getByRole('region', { name: 'Messages' });
    await expect(messages.getByRole('list', { name: /^400 messages$/ })).toBeVisible({ timeout: 20_000 });
    await expect(messages.getByText('"seq":399', { exact: false })).toBeVisible();

    for (const size of [
      { width: 1366, height: 768 },
      { width: 1280, height: 720 },
    ]) {
      await page.setViewportSize(size);
      await page.waitForTimeout(300);
      const name = `${size.width}x${size.height}`;
      await page.screenshot({ path: `${SHOTS}/mqtt-density-${name}.png` });
      const seen = await visibleRows(page);
      console.log(`[mqtt density] ${name}: ${seen.rows} rows in view, list from ${Math.round(seen.top)} to ${Math.round(seen.bottom)} px`);
      if (size.width === 1366) expect(seen.rows, `rows visible at ${name}`).toBeGreaterThanOrEqual(15);
      // The list's own bottom is not under the status bar: the last row is as visible as the first.
      const statusTop = await page.locator('.fb-mqtt-list__scroll').evaluate((node) => {
        const el = node as unknown as DomNode;
        const b = el.getBoundingClientRect();
        return el.contains(el.ownerDocument.elementFromPoint(b.left + 8, b.bottom - 2));
      });
      expect(statusTop, `the list runs under the status bar at ${name}`).toBe(true);
      // The last level of every visible topic is on screen (the middle is what gets elided).
      const lastRow = messages.locator('.fb-mqtt-row[data-in-view]');
      await expect(lastRow.locator('.fb-mqtt-row__topic-end')).toHaveText(/^\/pressure-\d$/);
      await expectInside(page, lastRow.locator('.fb-mqtt-row__topic-end'), `the topic's last level at ${name}`);
      const head = page.locator('.fb-mqtt-head');
      await expectInside(page, head.getByRole('heading', { name: 'Line 7 presses, hall 3' }), `the connection name at ${name}`);
      const disconnect = head.getByRole('button', { name: 'Disconnect' });
      await expectInside(page, disconnect, `Disconnect at ${name}`);
      await expectOneLine(disconnect, `Disconnect at ${name}`);
      const subscribe = page.getByRole('button', { name: 'Subscribe', exact: true });
      await expectInside(page, subscribe, `Subscribe at ${name}`);
      await expectOneLine(subscribe, `Subscribe at ${name}`);
      // The header is one row: the name, the counters, the state and Disconnect share one line.
      const headBox = (await head.boundingBox())!;
      const nameBox = (await head.getByRole('heading').boundingBox())!;
      const buttonBox = (await disconnect.boundingBox())!;
      expect(Math.abs(nameBox.y + nameBox.height / 2 - (buttonBox.y + buttonBox.height / 2)), `header wraps at ${name}`).toBeLessThan(headBox.height / 2);
      expect(await head.getByRole('heading').evaluate((h) => (h as unknown as DomNode).scrollWidth <= (h as unknown as DomNode).clientWidth + 1), `the connection name is cut at ${name}`).toBe(true);
      for (const control of [messages.getByRole('button', { name: 'Clear' }), messages.getByLabel('Topic filter')]) await expectInside(page, control, `message tools at ${name}`);
    }

    await page.setViewportSize({ width: 1366, height: 768 });
    await messages.getByRole('button', { name: 'Clear' }).click();
    const ask = page.getByRole('dialog', { name: 'Clear 400 messages?' });
    await expect(ask).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/mqtt-density-clear-ask.png` });
    await ask.getByRole('button', { name: 'Clear' }).click();
    await expect(messages.getByRole('list', { name: /^0 messages$/ })).toBeVisible();
    await expect(messages.getByText('400 messages cleared.')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/mqtt-density-cleared.png` });
    await messages.getByRole('button', { name: /^Undo \(\d+ s\)$/ }).click();
    await expect(messages.getByRole('list', { name: /^400 messages$/ })).toBeVisible();
    await expect(messages.getByText('"seq":399', { exact: false })).toBeVisible();

    await messages.getByLabel('Topic filter').fill('plant-augsburg/hall-3/line-07/station03/#');
    await expect(messages.getByText('34 messages match the filter')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/mqtt-density-filter.png` });
  });
});
