import { create } from 'zustand';
import type { ErrorInfo } from '@shared/errors';
import { subscribe } from '../../bridge';
import { createConnectionsSlice } from './connections-slice';
import { createMatrixSlice, subscribeMatrixProgress } from './matrix-slice';
import { createMessageViewSlice } from './message-view-slice';
import type { MqttState } from './mqtt-state';
import { createTopicTreeSlice } from './topic-tree-slice';

export { PAGE_SIZE, ROW_CACHE_LIMIT, VIEW_LIMIT, rowKey } from './message-view-slice';
export { stopTreeRefresh } from './topic-tree-slice';
export type { Detail, ListState, MqttState, TopicField, TreeLevel, VaultCertificateChoice } from './mqtt-state';

/**
 * The MQTT area's one store: connections, the active message list, the topic tree and the listener matrix,
 * combined once. It holds only what is on screen; the full history stays in main and is paged in with
 * mqtt.messages. No password or token is ever here.
 */
export const useMqttStore = create<MqttState>()((set, get, api) => ({
  ...createConnectionsSlice(set, get, api),
  ...createMessageViewSlice(set, get, api),
  ...createTopicTreeSlice(set, get, api),
  ...createMatrixSlice<MqttState>(set, get),
}));

/** True when `x` is an error rather than a value (the store's actions return one or the other). */
export function isError(x: unknown): x is ErrorInfo {
  return typeof x === 'object' && x !== null && 'code' in x && 'message' in x && !('connectionId' in x);
}

// Subscribed once for the life of the window, never from components.
subscribeMatrixProgress(useMqttStore);

subscribe('mqtt.onProfiles', ({ profiles }) => useMqttStore.setState({ profiles }));

subscribe('mqtt.onState', (c) => {
  useMqttStore.setState((s) => {
    const closed = c.state === 'disconnected' && !s.connections[c.connectionId];
    if (closed) return s;
    const order = s.order.includes(c.connectionId) ? s.order : [...s.order, c.connectionId];
    const retryAt = { ...s.retryAt };
    if (c.state === 'reconnecting' && c.nextRetryInMs !== undefined) retryAt[c.connectionId] = Date.now() + c.nextRetryInMs;
    else delete retryAt[c.connectionId];
    return { connections: { ...s.connections, [c.connectionId]: c }, order, retryAt, ...(s.activeId === c.connectionId ? { stats: c.stats } : {}) };
  });
});

subscribe('mqtt.onMessages', (batch) => useMqttStore.getState().onMessages(batch));
