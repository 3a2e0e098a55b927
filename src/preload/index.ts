import { contextBridge, ipcRenderer } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, IPC_SUBSCRIBE_CHANNEL, isCallName, isEventName, type FieldbenchApi } from '@shared/contract';

// The only other place ipcRenderer appears. No logic here beyond refusing names outside the contract:
// the renderer gets `invoke` and `subscribe` for the contract's names and never a raw channel.
const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC_EVENT_CHANNEL, (_e, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

const api = {
  invoke: (name, request, options) => {
    if (!isCallName(name)) return Promise.resolve({ ok: false, error: { code: 'contract.unknownCall', message: `Fieldbench has no operation called "${String(name)}".` } });
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, { name, request, jobId: options?.jobId });
  },
  subscribe: (name, listener) => {
    if (!isEventName(name)) throw new Error(`Fieldbench has no event called "${String(name)}".`);
    let set = listeners.get(name);
    if (!set) {
      set = new Set();
      listeners.set(name, set);
      ipcRenderer.send(IPC_SUBSCRIBE_CHANNEL, { name, on: true });
    }
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) {
        listeners.delete(name);
        ipcRenderer.send(IPC_SUBSCRIBE_CHANNEL, { name, on: false });
      }
    };
  },
} satisfies FieldbenchApi;

contextBridge.exposeInMainWorld('fieldbench', api);
