import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, IPC_SUBSCRIBE_CHANNEL, isEventName } from '@shared/contract';
import type { AppContext } from '../compose';
import { isTrustedSenderUrl } from '../windows/navigation-policy';

/**
 * The only place ipcMain is used (lint enforces it). Every call passes the sender check and then the
 * dispatcher, which validates the request against the contract before any service sees it.
 */
export function bindContractToIpc(context: AppContext, devServer: string | undefined): void {
  const trusted = (e: IpcMainEvent | IpcMainInvokeEvent) => {
    const frame = e.senderFrame;
    // Checklist 17: only our own top-level frame may talk to main.
    return frame !== null && frame.parent === null && isTrustedSenderUrl(frame.url, devServer);
  };
  const lifetimes = new WeakMap<WebContents, AbortController>();
  const lifetimeOf = (wc: WebContents) => {
    let c = lifetimes.get(wc);
    if (!c) {
      const controller = new AbortController();
      lifetimes.set(wc, controller);
      wc.once('destroyed', () => controller.abort());
      c = controller;
    }
    return c;
  };

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (e, envelope: unknown) => {
    if (!trusted(e)) {
      // The origin only (no path or query): enough to see which page tried, nothing it might carry.
      let origin = 'unknown';
      try {
        origin = new URL(e.senderFrame?.url ?? '').origin;
      } catch {
        /* not a URL */
      }
      context.log.warn('ipc refused an untrusted sender', { event: 'ipc', code: 'ipc.untrustedSender', origin });
      return { ok: false, error: { code: 'ipc.untrustedSender', message: 'This window is not allowed to use Fieldbench.' } };
    }
    const { name, request, jobId } = (typeof envelope === 'object' && envelope !== null ? envelope : {}) as { name?: unknown; request?: unknown; jobId?: unknown };
    return context.dispatcher.dispatch(name, request, { signal: lifetimeOf(e.sender).signal, ...(typeof jobId === 'string' ? { jobId } : {}) });
  });

  const subscriptions = new WeakMap<WebContents, Map<string, () => void>>();
  ipcMain.on(IPC_SUBSCRIBE_CHANNEL, (e, msg: unknown) => {
    if (!trusted(e)) return;
    const { name, on } = (typeof msg === 'object' && msg !== null ? msg : {}) as { name?: unknown; on?: unknown };
    if (!isEventName(name)) return;
    const wc = e.sender;
    let subs = subscriptions.get(wc);
    if (!subs) {
      const created = new Map<string, () => void>();
      subscriptions.set(wc, created);
      wc.once('destroyed', () => {
        for (const off of created.values()) off();
        created.clear();
      });
      subs = created;
    }
    if (on === true && !subs.has(name)) {
      subs.set(name, context.hub.on(name, (payload) => { if (!wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, name, payload); }));
    } else if (on === false) {
      subs.get(name)?.();
      subs.delete(name);
    }
  });
}
