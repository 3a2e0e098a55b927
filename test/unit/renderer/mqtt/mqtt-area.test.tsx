import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ConnectionSummaryT, MessagePreviewT, MessageStatsT } from '@shared/contract/mqtt-contract';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const fake = await import('../fake-bridge');
const { useMqttStore, ROW_CACHE_LIMIT, rowKey } = await import('../../../../src/renderer/src/features/mqtt/use-mqtt-store');
const { MessageList, ROW_HEIGHT } = await import('../../../../src/renderer/src/features/mqtt/message-list');
const { SubscriptionsPanel, PublishPanel } = await import('../../../../src/renderer/src/features/mqtt/publish-panel');
const { ConnectionDialog } = await import('../../../../src/renderer/src/features/mqtt/connection-dialog');
const { emptyForm, profileFromForm, validateForm } = await import('../../../../src/renderer/src/features/mqtt/connection-form');
const { connectionStateLook } = await import('../../../../src/renderer/src/features/mqtt/connection-state');

const initial = useMqttStore.getState();

function stats(over: Partial<MessageStatsT> = {}): MessageStatsT {
  return {
    received: 0,
    retained: 0,
    retainedBytes: 0,
    dropped: 0,
    spilled: 0,
    ratePerSecond: 0,
    topics: 0,
    firstSeq: 0,
    lastSeq: -1,
    limits: { maxMessages: 1_000_000, maxBytes: 384 * 1024 * 1024 },
    ...over,
  };
}

function message(seq: number, over: Partial<MessagePreviewT> = {}): MessagePreviewT {
  return { seq, receivedAt: 1_700_000_000_000 + seq, topic: `factory/line${seq % 3}/t`, qos: 0, retain: false, size: 12, payload: { text: `value ${seq}`, kind: 'text', truncated: false }, system: false, ...over };
}

function connection(id = 'c-1', over: Partial<ConnectionSummaryT> = {}): ConnectionSummaryT {
  return {
    connectionId: id,
    name: 'Lab',
    url: 'mqtt://127.0.0.1:1883',
    mqttVersion: '5.0',
    clientId: 'fieldbench-1',
    state: 'connected',
    attempt: 0,
    insecure: false,
    warnings: [],
    subscriptions: [],
    stats: stats(),
    ...over,
  };
}

/** Answers mqtt.messages from a pretend store of `total` contiguous messages (seq = offset). */
function answerPages(total: number) {
  fake.answer('mqtt.messages', (req) => {
    const offset = req.offset ?? 0;
    const limit = req.limit ?? 200;
    const messages = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) messages.push(message(i));
    return { ok: true, value: { total, offset, messages, stats: stats({ retained: total, received: total, firstSeq: 0, lastSeq: total - 1 }) } };
  });
}

beforeEach(() => {
  fake.resetFake();
  fake.answer('mqtt.setView', (r) => ({ ok: true, value: { connectionId: r.connectionId, limit: r.limit ?? 100, paused: false } }));
  useMqttStore.setState({ ...initial, connections: {}, order: [], retryAt: {}, topicChecks: {} }, true);
});
afterEach(cleanup);

describe('the MQTT store', () => {
  it('places live batches by seq, follows the totals and counts drops instead of hiding them', () => {
    useMqttStore.setState({ connections: { 'c-1': connection() }, order: ['c-1'] });
    useMqttStore.getState().select('c-1');
    const batch = (from: number, to: number, dropped = 0) => {
      const messages = [];
      for (let s = Math.max(from, to - 99); s <= to; s++) messages.push(message(s));
      fake.emit('mqtt.onMessages', {
        connectionId: 'c-1',
        messages,
        arrived: to - from + 1,
        skipped: to - from + 1 - messages.length,
        stats: stats({ received: to + 1, retained: to + 1 - dropped, firstSeq: dropped, lastSeq: to, dropped }),
      });
    };
    batch(0, 9);
    let s = useMqttStore.getState();
    expect(s.list.total).toBe(10);
    expect(s.list.rows.get(rowKey(s.list, 9))?.payload.text).toBe('value 9');
    batch(10, 4999, 1000);
    s = useMqttStore.getState();
    // 4,990 arrived, the batch carried the newest 100; the rest are paged in on demand.
    expect(s.skippedInBatches).toBe(4890);
    expect(s.list.total).toBe(4000);
    expect(s.stats?.dropped).toBe(1000);
    // Row 0 is now seq 1000: the keys follow firstSeq, so the newest row is still where the list expects it.
    expect(s.list.rows.get(rowKey(s.list, s.list.total - 1))?.seq).toBe(4999);
  });

  it('keeps at most ROW_CACHE_LIMIT rows however many messages main holds', () => {
    useMqttStore.setState({ connections: { 'c-1': connection() }, order: ['c-1'] });
    useMqttStore.getState().select('c-1');
    for (let b = 0; b < 100; b++) {
      const messages = Array.from({ length: 100 }, (_, i) => message(b * 100 + i));
      fake.emit('mqtt.onMessages', { connectionId: 'c-1', messages, arrived: 100, skipped: 0, stats: stats({ received: (b + 1) * 100, retained: (b + 1) * 100, lastSeq: (b + 1) * 100 - 1 }) });
    }
    const s = useMqttStore.getState();
    expect(s.list.total).toBe(10_000);
    expect(s.list.rows.size).toBeLessThanOrEqual(ROW_CACHE_LIMIT);
    // The newest survive the trim while the list follows them.
    expect(s.list.rows.has(9_999)).toBe(true);
    expect(s.list.rows.has(0)).toBe(false);
  });

  it('ignores batches of other connections for the list but keeps their totals', () => {
    useMqttStore.setState({ connections: { 'c-1': connection(), 'c-2': connection('c-2') }, order: ['c-1', 'c-2'] });
    useMqttStore.getState().select('c-1');
    fake.emit('mqtt.onMessages', { connectionId: 'c-2', messages: [message(0)], arrived: 1, skipped: 0, stats: stats({ received: 1, retained: 1, lastSeq: 0 }) });
    const s = useMqttStore.getState();
    expect(s.list.total).toBe(0);
    expect(s.connections['c-2']?.stats.received).toBe(1);
  });

  it('shows reconnecting with the retry countdown', () => {
    fake.emit('mqtt.onState', connection('c-1', { state: 'reconnecting', attempt: 3, nextRetryInMs: 4000 }));
    const at = useMqttStore.getState().retryAt['c-1'];
    expect(at).toBeGreaterThan(Date.now());
    expect(connectionStateLook({ state: 'reconnecting', attempt: 3 }, 4).label).toBe('Connecting (retry in 4 s)');
    expect(connectionStateLook({ state: 'failed', attempt: 0 }, undefined).status).toBe('error');
    fake.emit('mqtt.onState', connection('c-1', { state: 'connected' }));
    expect(useMqttStore.getState().retryAt['c-1']).toBeUndefined();
  });
});

describe('the message list', () => {
  // jsdom has no layout: give the list's scroll box the size it has on a 1366×768 screen.
  const real = { w: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth'), h: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight') };
  beforeEach(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get(this: HTMLElement) { return this.classList.contains('fb-mqtt-list__scroll') ? 800 : 0; } });
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get(this: HTMLElement) { return this.classList.contains('fb-mqtt-list__scroll') ? 560 : 0; } });
  });
  afterEach(() => {
    if (real.w) Object.defineProperty(HTMLElement.prototype, 'clientWidth', real.w);
    if (real.h) Object.defineProperty(HTMLElement.prototype, 'clientHeight', real.h);
  });

  it('renders a bounded number of rows for 100,000 messages and pages in only what is in view', async () => {
    answerPages(100_000);
    useMqttStore.setState({ connections: { 'c-1': connection('c-1', { stats: stats({ retained: 100_000, received: 100_000, lastSeq: 99_999 }) }) }, order: ['c-1'] });
    act(() => useMqttStore.getState().select('c-1'));
    render(<MessageList />);
    // jsdom cannot scroll to the end by itself, so the list starts at the top here.
    await waitFor(() => expect(screen.getByText('value 0')).toBeTruthy());
    let rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(screen.getByRole('list', { name: '100,000 messages' })).toBeTruthy();

    // Scroll to the middle: the rows there are paged in, still a screenful.
    const scroller = screen.getByRole('list', { name: '100,000 messages' });
    Object.defineProperty(scroller, 'scrollTop', { configurable: true, writable: true, value: ROW_HEIGHT * 50_000 });
    fireEvent.scroll(scroller);
    await waitFor(() => expect(screen.getByText('value 50000')).toBeTruthy());
    rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeLessThan(60);
    const pages = fake.calls.filter((c) => c.name === 'mqtt.messages').map((c) => (c.request as { offset: number }).offset);
    // Only the pages in view (and the newest, fetched on select) were asked for, never the whole store.
    expect(pages.length).toBeLessThan(8);
    for (const offset of pages) expect(offset < 1_000 || (offset >= 49_800 && offset <= 50_200) || offset >= 99_000).toBe(true);
    expect(useMqttStore.getState().list.rows.size).toBeLessThanOrEqual(ROW_CACHE_LIMIT);
  });

  it('asks before Clear, and Undo brings the messages back from main', async () => {
    let total = 10_010;
    answerPages(10_010);
    fake.answer('mqtt.clearMessages', () => {
      total = 0;
      return { ok: true, value: stats({ firstSeq: 10_010, lastSeq: 10_009 }) };
    });
    fake.answer('mqtt.undoClear', () => {
      total = 10_010;
      return { ok: true, value: stats({ retained: total, received: total, firstSeq: 0, lastSeq: total - 1 }) };
    });
    useMqttStore.setState({ connections: { 'c-1': connection('c-1', { stats: stats({ retained: 10_010, received: 10_010, lastSeq: 10_009 }) }) }, order: ['c-1'] });
    act(() => useMqttStore.getState().select('c-1'));
    render(<MessageList />);
    await waitFor(() => expect(screen.getByRole('list', { name: '10,010 messages' })).toBeTruthy());

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    // Nothing is cleared until the person confirms.
    expect(await screen.findByRole('dialog', { name: 'Clear 10,010 messages?' })).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'mqtt.clearMessages')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Keep them' }));
    expect(fake.calls.some((c) => c.name === 'mqtt.clearMessages')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    const dialog = await screen.findByRole('dialog', { name: 'Clear 10,010 messages?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(screen.getByRole('list', { name: '0 messages' })).toBeTruthy());
    expect(screen.getByText('10,010 messages cleared.')).toBeTruthy();
    expect(total).toBe(0);

    fireEvent.click(screen.getByRole('button', { name: /^Undo \(\d+ s\)$/ }));
    await waitFor(() => expect(screen.getByRole('list', { name: '10,010 messages' })).toBeTruthy());
    expect(fake.calls.filter((c) => c.name === 'mqtt.undoClear')).toHaveLength(1);
    expect(screen.queryByText('10,010 messages cleared.')).toBeNull();
  });

  it('shows how many messages match the filter', async () => {
    fake.answer('mqtt.messages', (req) => {
      const matching = req.filter?.topic === 'factory/line1/#' ? 3_337 : 10_010;
      return { ok: true, value: { total: matching, offset: req.offset ?? 0, messages: [], stats: stats({ retained: 10_010, received: 10_010, lastSeq: 10_009 }) } };
    });
    useMqttStore.setState({ connections: { 'c-1': connection('c-1', { stats: stats({ retained: 10_010, received: 10_010, lastSeq: 10_009 }) }) }, order: ['c-1'] });
    act(() => useMqttStore.getState().select('c-1'));
    render(<MessageList />);
    expect(screen.queryByText(/match the filter/)).toBeNull();
    fireEvent.change(screen.getByLabelText('Topic filter'), { target: { value: 'factory/line1/#' } });
    expect(await screen.findByText('3,337 messages match the filter', {}, { timeout: 3000 })).toBeTruthy();
  });

  it('marks a cut preview and flags $SYS topics', async () => {
    useMqttStore.setState({ connections: { 'c-1': connection() }, order: ['c-1'] });
    act(() => useMqttStore.getState().select('c-1'));
    render(<MessageList />);
    act(() =>
      fake.emit('mqtt.onMessages', {
        connectionId: 'c-1',
        messages: [message(0, { size: 1_048_576, payload: { text: 'x'.repeat(100), kind: 'text', truncated: true } }), message(1, { topic: '$SYS/broker/uptime', system: true })],
        arrived: 2,
        skipped: 0,
        stats: stats({ received: 2, retained: 2, lastSeq: 1 }),
      }),
    );
    expect(await screen.findByText(/preview cut, open to see all 1\.0 MiB/)).toBeTruthy();
    expect(screen.getByText('$SYS', { selector: '.fb-badge' })).toBeTruthy();
  });
});

describe('saved connections', () => {
  it('lists nothing and says the vault is locked once the vault locks', async () => {
    const { ConnectionsPanel } = await import('../../../../src/renderer/src/features/mqtt/connections-panel');
    let locked = false;
    fake.answer('mqtt.profiles', () =>
      locked ? { ok: false, error: { code: 'vault.locked', message: 'The vault is locked.' } } : { ok: true, value: [{ id: 'p-1', name: 'Line 7 presses', url: 'mqtt://10.0.0.7:1883', mqttVersion: '5.0', hasPassword: false, hasSatToken: false } as never] },
    );
    await act(() => useMqttStore.getState().loadProfiles());
    render(<ConnectionsPanel onNew={() => {}} onEdit={() => {}} />);
    expect(screen.getByText('Line 7 presses')).toBeTruthy();
    locked = true;
    await act(() => useMqttStore.getState().loadProfiles());
    expect(screen.queryByText('Line 7 presses')).toBeNull();
    expect(screen.getByText(/The vault is locked, so no saved connection is listed/)).toBeTruthy();
  });
});

describe('topic rules', () => {
  it('shows the rule a subscription filter breaks, as main words it, and blocks Subscribe', async () => {
    fake.answer('mqtt.validateTopic', (r) =>
      r.topic.includes('#/') ? { ok: true, value: { valid: false, rule: 'hashNotLast', message: '"#" must be the last level of a filter: "a/#", not "a/#/b".' } } : { ok: true, value: { valid: true } },
    );
    useMqttStore.setState({ connections: { 'c-1': connection() }, order: ['c-1'], activeId: 'c-1' });
    render(<SubscriptionsPanel connectionId="c-1" />);
    fireEvent.change(screen.getByRole('textbox', { name: /Subscribe to/ }), { target: { value: 'factory/#/x' } });
    expect(await screen.findByText('"#" must be the last level of a filter: "a/#", not "a/#/b".')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Subscribe' }) as HTMLButtonElement).disabled).toBe(true);
    expect(fake.calls.some((c) => c.name === 'mqtt.validateTopic' && (c.request as { kind: string }).kind === 'filter')).toBe(true);
    fireEvent.change(screen.getByRole('textbox', { name: /Subscribe to/ }), { target: { value: 'factory/#' } });
    await waitFor(() => expect(screen.queryByText(/must be the last level/)).toBeNull());
    expect((screen.getByRole('button', { name: 'Subscribe' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('checks publish topics as names and JSON payloads before sending', async () => {
    fake.answer('mqtt.validateTopic', (r) =>
      r.kind === 'name' && r.topic.includes('+') ? { ok: true, value: { valid: false, rule: 'wildcardInName', message: 'A topic you publish to cannot contain + or #.' } } : { ok: true, value: { valid: true } },
    );
    useMqttStore.setState({ connections: { 'c-1': connection() }, order: ['c-1'], activeId: 'c-1' });
    render(<PublishPanel mqtt5 />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Topic' }), { target: { value: 'factory/+/t' } });
    expect(await screen.findByText('A topic you publish to cannot contain + or #.')).toBeTruthy();
    fireEvent.change(screen.getByRole('combobox', { name: 'Payload format' }), { target: { value: 'json' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Payload' }), { target: { value: '{"a": 1,' } });
    expect(screen.getByText(/This is not valid JSON/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Publish' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('the connection form', () => {
  it('starts with MQTT 5, clean start and server verification on', () => {
    const f = emptyForm();
    expect(f.verifyServer).toBe(true);
    expect(f.mqttVersion).toBe('5.0');
    expect(f.cleanStart).toBe(true);
    const p = profileFromForm({ ...f, name: 'x', host: '10.0.0.5', protocol: 'mqtts', port: '8883' });
    expect(p.tls?.verifyServer).toBe(true);
    expect(p.tls?.ca).toEqual({ source: 'system' });
    expect(validateForm({ ...f, name: 'x', host: '10.0.0.5', sat: 'file', satPath: '/t' }).sat).toMatch(/only over TLS/);
  });

  it('warns when verification is turned off and sends the password only in the call', async () => {
    fake.answer('pki.list', () => ({ ok: true, value: { tree: [], total: 0, counts: { valid: 0, expiring: 0, expired: 0, 'not-yet-valid': 0, revoked: 0 } } }));
    fake.answer('edge.listNodes', () => ({ ok: true, value: { nodes: [] } }));
    fake.answer('mqtt.connect', (req) => ({ ok: true, value: connection('c-9', { name: req.profile?.name ?? 'x' }) }));
    const onClose = vi.fn();
    render(<ConnectionDialog open initial={emptyForm()} onClose={onClose} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Protocol' }), { target: { value: 'mqtts' } });
    const verify = screen.getByRole('checkbox', { name: 'Verify the server certificate' }) as HTMLInputElement;
    expect(verify.checked).toBe(true);
    expect((screen.getByRole('textbox', { name: /Port/ }) as HTMLInputElement).value).toBe('8883');
    fireEvent.click(verify);
    expect(screen.getByRole('alert').textContent).toMatch(/anyone on the network can pose as this broker/);
    fireEvent.click(verify);
    fireEvent.change(screen.getByRole('textbox', { name: /Name/ }), { target: { value: 'LB listener' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Host/ }), { target: { value: '10.0.0.5' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 's3cret-pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const call = fake.calls.find((c) => c.name === 'mqtt.connect');
    expect(call?.request).toMatchObject({ password: 's3cret-pw', profile: { name: 'LB listener', tls: { verifyServer: true } } });
    // The password went into the call and nowhere else: no store holds it.
    expect(JSON.stringify(useMqttStore.getState(), (_k, v) => (v instanceof Map ? [...v.values()] : v))).not.toContain('s3cret-pw');
  });
  it('keeps its title after "Save to vault" and says where it was saved', async () => {
    fake.answer('mqtt.saveProfile', (req) => ({ ok: true, value: { id: 'p-9', name: req.profile.name, hasPassword: false, hasSatToken: false } as never }));
    fake.answer('mqtt.profiles', () => ({ ok: true, value: [] }));
    render(<ConnectionDialog open initial={emptyForm()} onClose={() => {}} />);
    fireEvent.change(screen.getByRole('textbox', { name: /Name/ }), { target: { value: 'Line 7 presses' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Host/ }), { target: { value: '10.0.0.7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save to vault' }));
    expect(await screen.findByText('Saved "Line 7 presses" in the vault.')).toBeTruthy();
    // Before, the title silently became "Edit connection " (the name the dialog was opened with: none).
    expect(screen.getByRole('dialog', { name: 'New connection' })).toBeTruthy();
  });
});
