import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { test, expect } from '../support/e2e/fieldbench-fixture';

const AREAS = ['Vault & PKI', 'Edge nodes', 'Network', 'MQTT', 'Runbooks', 'Exports'];
const SHOTS = 'test-results/screenshots';

const isLoopback = (url: string) => {
  const u = new URL(url);
  // file: is the launcher `fieldbench serve` wrote on this machine.
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'file:') return true;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
};

test('the app loads through the launcher and every area is reachable', async ({ page, app }) => {
  mkdirSync(SHOTS, { recursive: true });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

  await page.goto(app.url);
  // The launcher posts the token; the address bar (and history) end at the bare app address.
  await expect(page).toHaveURL(`${app.origin}/`);
  for (const area of AREAS) {
    await page.getByRole('navigation').getByRole('button', { name: area, exact: true }).or(page.getByRole('navigation').getByRole('link', { name: area, exact: true })).click();
    await expect(page.getByRole('heading', { level: 1, name: area, exact: true })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/area-${area.replace(/[^a-z]+/gi, '-').toLowerCase()}.png` });
  }
  // The footer shows what app.info returned over the WebSocket: proof the contract round-trips end to end.
  await expect(page.getByText(/0\.\d+\.\d+/).first()).toBeVisible();

  // Nothing left the machine: every request of the page, and every socket of the host process, is loopback.
  expect(requests.filter((u) => !isLoopback(u))).toEqual([]);
  expect(requests.some((u) => u.startsWith('ws://127.0.0.1'))).toBe(true);
  let sockets = '';
  try {
    sockets = execFileSync('ss', ['-tnpH'], { encoding: 'utf8' });
  } catch {
    test.info().annotations.push({ type: 'skip-part', description: '`ss` is not installed; checked only the page side.' });
  }
  const ours = sockets.split('\n').filter((l) => l.includes(`pid=${app.pid},`));
  for (const line of ours) {
    const peer = line.trim().split(/\s+/)[4] ?? '';
    expect(peer, line).toMatch(/^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/);
  }
  expect(consoleErrors).toEqual([]);
});

test('a page without the token asks for it, a foreign Origin is refused', async ({ page, request, app }) => {
  // The page is public build output; without the token it sends the person to the host's token form.
  await page.goto(`${app.origin}/`);
  await expect(page).toHaveURL(`${app.origin}/session`);
  await expect(page.getByText(/access token that `fieldbench serve` printed/)).toBeVisible();
  await page.getByLabel('Access token').fill('not-the-token');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByText(/not the access token of this Fieldbench/)).toBeVisible();
  // Pasting the printed token (the SSH-tunnel path) opens the app, and the address keeps no token.
  await page.getByLabel('Access token').fill(app.token);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page).toHaveURL(`${app.origin}/`);
  await expect(page.getByText(/0\.\d+\.\d+/).first()).toBeVisible();

  const foreign = await request.get(`${app.origin}/`, { headers: { Origin: 'http://evil.example', Authorization: `Bearer ${app.token}` } });
  expect(foreign.status()).toBe(403);

  // A page on another origin cannot open the contract socket, even when it knows the port.
  await page.goto('about:blank');
  const outcome = await page.evaluate(async (wsUrl) => {
    return new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl, ['fieldbench.v1']);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    });
  }, `ws://127.0.0.1:${new URL(app.origin).port}/rpc`);
  expect(outcome).toBe('refused');
});
