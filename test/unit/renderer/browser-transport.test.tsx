import { afterAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, screen, within } from '@testing-library/react';

// The same shell, as served by `fieldbench serve` to a browser: the bridge reports the WebSocket transport.
vi.mock('../../../src/renderer/src/bridge', async () => ({ ...(await import('./fake-bridge')), transportKind: 'websocket' }));

// The heartbeat interval starts when the store module loads, so the clock must be fake before the import.
vi.useFakeTimers();
const fake = await import('./fake-bridge');
const { App } = await import('../../../src/renderer/src/app/App');

afterAll(() => {
  cleanup();
  vi.useRealTimers();
});

async function flush(ms = 0) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe('the shell in a browser', () => {
  it('names the transport, hides desktop-only shortcut hints, and notices when the host goes away and comes back', async () => {
    render(<App />);
    await flush();
    const status = screen.getByRole('contentinfo', { name: 'Status' });
    expect(within(status).getByText('Browser via loopback host')).toBeTruthy();
    const mqtt = screen.getByRole('button', { name: 'MQTT' });
    expect(mqtt.textContent).toBe('MQTT');
    expect(mqtt.hasAttribute('aria-keyshortcuts')).toBe(false);

    fake.answer('app.info', () => ({ ok: false, error: { code: 'transport.unreachable', message: 'Fieldbench is not reachable.' } }));
    await flush(10_000);
    expect(within(status).getByText('Not connected to Fieldbench')).toBeTruthy();

    fake.answer('app.info', () => ({ ok: true, value: fake.DEFAULT_INFO }));
    await flush(10_000);
    expect(within(status).queryByText('Not connected to Fieldbench')).toBeNull();
    expect(within(status).getByText('v9.8.7')).toBeTruthy();
  });
});
