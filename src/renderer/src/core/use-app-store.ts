import { create } from 'zustand';
import type { CallResponse } from '@shared/contract';
import type { ErrorInfo } from '@shared/errors';
import { invoke, subscribe, transportKind } from '../bridge';
import { useToastStore } from '../ui/use-toast-store';

export type AppInfo = CallResponse<'app.info'>;

interface AppState {
  info: AppInfo | undefined;
  infoError: ErrorInfo | undefined;
  /** How the renderer reaches main, in words for the status bar. */
  transportLabel: string;
  loadInfo: () => Promise<void>;
}

export const useAppStore = create<AppState>()((set) => ({
  info: undefined,
  infoError: undefined,
  transportLabel: transportKind === 'ipc' ? 'Desktop' : 'Browser via loopback host',
  loadInfo: async () => {
    const result = await invoke('app.info', {});
    if (result.ok) set({ info: result.value, infoError: undefined });
    else set({ infoError: result.error });
  },
}));

/**
 * In a browser the host can go away (its terminal closed, the SSH tunnel dropped) without the page noticing
 * until the next call. A light heartbeat lets the status bar say "Not connected" and recover by itself.
 * The desktop's IPC cannot drop, so it needs none.
 */
const HEARTBEAT_MS = 10_000;
if (transportKind === 'websocket') {
  setInterval(() => {
    void invoke('app.info', {}).then((result) => {
      const { infoError } = useAppStore.getState();
      if (result.ok && infoError) useAppStore.setState({ info: result.value, infoError: undefined });
      else if (!result.ok && !infoError) useAppStore.setState({ infoError: result.error });
    });
  }, HEARTBEAT_MS);
}

const NOTICE_TITLE = { info: 'Fieldbench', warning: 'Attention', error: 'Something went wrong' } as const;

// Main's notices (auto-lock, a dropped connection) become toasts for as long as the app runs.
subscribe('app.onNotice', ({ level, message }) => {
  useToastStore.getState().push({ kind: level, title: NOTICE_TITLE[level], message });
});
