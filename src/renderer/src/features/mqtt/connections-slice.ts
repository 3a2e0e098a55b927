import type { StateCreator } from 'zustand';
import type { ConnectionSummaryT } from '@shared/contract/mqtt-contract';
import { invoke } from '../../bridge';
import { useJobsStore } from '../../core/use-jobs-store';
import { useToastStore } from '../../ui/use-toast-store';
import type { ConnectionsSlice, MqttState, TopicField, VaultCertificateChoice } from './mqtt-state';

// Saved profiles and open connections. Passwords and tokens pass through the actions to main and are never
// kept here.

interface CertNode {
  certificate: { id: string; commonName: string; role: string; isCa: boolean; hasPrivateKey: boolean; keyAlgorithm: string; daysLeft: number };
  children: CertNode[];
}

function flattenCertificates(nodes: readonly CertNode[], depth = 0, out: VaultCertificateChoice[] = []): VaultCertificateChoice[] {
  for (const n of nodes) {
    const c = n.certificate;
    out.push({ id: c.id, label: `${'  '.repeat(depth)}${c.commonName} (${c.role}, ${c.keyAlgorithm}${c.daysLeft < 0 ? ', expired' : ''})`, isCa: c.isCa, hasPrivateKey: c.hasPrivateKey });
    flattenCertificates(n.children, depth + 1, out);
  }
  return out;
}

const topicSeq: Record<TopicField, number> = { publish: 0, subscribe: 0 };

export const createConnectionsSlice: StateCreator<MqttState, [], [], ConnectionsSlice> = (set, get) => ({
  profiles: [],
  profilesError: undefined,
  connections: {},
  order: [],
  retryAt: {},
  connecting: undefined,
  connectError: undefined,
  topicChecks: {},
  choices: undefined,

  loadChoices: async () => {
    const [certs, nodes] = await Promise.all([invoke('pki.list', {}), invoke('edge.listNodes', {})]);
    set({
      choices: {
        certificates: certs.ok ? flattenCertificates(certs.value.tree as CertNode[]) : [],
        nodes: nodes.ok ? nodes.value.nodes.map((n) => ({ id: n.id, name: n.name })) : [],
        note: certs.ok ? undefined : `Certificates from the vault are not listed: ${certs.error.message}`,
      },
    });
  },

  loadProfiles: async () => {
    const res = await invoke('mqtt.profiles', {});
    if (res.ok) set({ profiles: res.value, profilesError: undefined });
    // What was listed before (the vault was unlocked then) is not what the vault says now: list nothing.
    else set({ profiles: [], profilesError: res.error });
  },

  loadConnections: async () => {
    const res = await invoke('mqtt.connections', {});
    if (!res.ok) return;
    const connections: Record<string, ConnectionSummaryT> = {};
    for (const c of res.value) connections[c.connectionId] = c;
    const order = res.value.map((c) => c.connectionId);
    set({ connections, order });
    const { activeId } = get();
    if (!activeId || !connections[activeId]) get().select(order[0]);
  },

  saveProfile: async (profile, password, satToken) => {
    const res = await invoke('mqtt.saveProfile', { profile, ...(password !== undefined ? { password } : {}), ...(satToken !== undefined ? { satToken } : {}) });
    if (!res.ok) return res.error;
    await get().loadProfiles();
    return res.value;
  },

  deleteProfile: async (id) => {
    const res = await invoke('mqtt.deleteProfile', { id });
    if (!res.ok) {
      useToastStore.getState().pushError('The connection was not deleted', res.error);
      return false;
    }
    await get().loadProfiles();
    return res.value.deleted;
  },

  connect: async (req, label) => {
    set({ connecting: { label, jobId: undefined }, connectError: undefined });
    const res = await useJobsStore.getState().run('mqtt.connect', req, `Connect ${label}`, (jobId) => set({ connecting: { label, jobId } }));
    set({ connecting: undefined });
    if (!res.ok) {
      set({ connectError: res.error });
      return res.error;
    }
    const c = res.value;
    set((s) => ({ connections: { ...s.connections, [c.connectionId]: c }, order: s.order.includes(c.connectionId) ? s.order : [...s.order, c.connectionId] }));
    get().select(c.connectionId);
    return c;
  },

  cancelConnect: () => {
    const jobId = get().connecting?.jobId;
    if (jobId) void useJobsStore.getState().cancel(jobId);
  },

  disconnect: async (connectionId) => {
    const res = await invoke('mqtt.disconnect', { connectionId });
    if (!res.ok && res.error.code !== 'mqtt.unknownConnection') {
      useToastStore.getState().pushError('The connection did not close cleanly', res.error);
    }
    set((s) => {
      const { [connectionId]: _gone, ...connections } = s.connections;
      return { connections, order: s.order.filter((id) => id !== connectionId) };
    });
    if (get().activeId === connectionId) get().select(get().order[0]);
  },

  subscribeTo: async (filter, qos, color) => {
    const connectionId = get().activeId;
    if (!connectionId) return { code: 'mqtt.noConnection', message: 'Connect to a broker first.' };
    const res = await invoke('mqtt.subscribe', { connectionId, filter, qos, ...(color ? { color } : {}) });
    if (!res.ok) return res.error;
    const sub = res.value;
    set((s) => {
      const c = s.connections[connectionId];
      if (!c) return s;
      const subscriptions = [...c.subscriptions.filter((x) => x.id !== sub.id), sub];
      return { connections: { ...s.connections, [connectionId]: { ...c, subscriptions } } };
    });
    return undefined;
  },

  unsubscribe: async (subscriptionId) => {
    const connectionId = get().activeId;
    if (!connectionId) return;
    const res = await invoke('mqtt.unsubscribe', { connectionId, subscriptionId });
    if (!res.ok) {
      useToastStore.getState().pushError('The subscription was not removed', res.error);
      return;
    }
    set((s) => {
      const c = s.connections[connectionId];
      if (!c) return s;
      return { connections: { ...s.connections, [connectionId]: { ...c, subscriptions: c.subscriptions.filter((x) => x.id !== subscriptionId) } } };
    });
  },

  publish: async (req) => {
    const connectionId = get().activeId;
    if (!connectionId) return { code: 'mqtt.noConnection', message: 'Connect to a broker first.' };
    const res = await invoke('mqtt.publish', { connectionId, ...req });
    return res.ok ? res.value : res.error;
  },

  validateTopic: async (field, topic) => {
    const mine = ++topicSeq[field];
    if (topic === '') {
      set((s) => ({ topicChecks: { ...s.topicChecks, [field]: undefined } }));
      return;
    }
    const res = await invoke('mqtt.validateTopic', { topic, kind: field === 'publish' ? 'name' : 'filter' });
    // Only the answer for the latest keystroke counts.
    if (mine !== topicSeq[field] || !res.ok) return;
    set((s) => ({ topicChecks: { ...s.topicChecks, [field]: { topic, check: res.value } } }));
  },

  importConnections: async (format, text) => {
    const res = await invoke('mqtt.importConnections', { format, text });
    if (!res.ok) return res.error;
    await get().loadProfiles();
    return res.value;
  },

  exportConnections: async (format) => {
    const res = await invoke('mqtt.exportConnections', { format, includeKeys: false });
    return res.ok ? res.value : res.error;
  },

  commandLine: async (profileId, tool, topic) => {
    const res = await invoke('mqtt.commandLine', { profileId, tool, topic, includeKey: false });
    return res.ok ? res.value : res.error;
  },
});
