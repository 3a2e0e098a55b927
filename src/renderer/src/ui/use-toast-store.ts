import { create } from 'zustand';
import type { ErrorInfo } from '@shared/errors';

export type ToastKind = 'success' | 'info' | 'warning' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  /** Short, bold first line ("Connection test failed"). */
  title: string;
  /** The sentence that says what happened and what to do. */
  message?: string;
  /** Raw cause, shown behind a "Details" disclosure (ErrorInfo.detail). */
  detail?: string;
}

export interface ToastInput {
  kind?: ToastKind;
  title: string;
  message?: string;
  detail?: string;
  /** Milliseconds before it goes by itself; 0 keeps it until dismissed. Errors default to staying. */
  timeoutMs?: number;
}

interface ToastState {
  toasts: Toast[];
  push: (input: ToastInput) => number;
  /** Shows an error that came back from main: its message as written, the detail behind a disclosure. */
  pushError: (title: string, error: ErrorInfo) => number;
  dismiss: (id: number) => void;
  clear: () => void;
}

const DEFAULT_TIMEOUT: Record<ToastKind, number> = { success: 5000, info: 6000, warning: 10000, error: 0 };
/** Older toasts go first when many pile up; a wall of them helps nobody. */
const MAX_TOASTS = 4;

let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const useToastStore = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (input) => {
    const id = nextId++;
    const kind = input.kind ?? 'info';
    const toast: Toast = { id, kind, title: input.title };
    if (input.message !== undefined) toast.message = input.message;
    if (input.detail !== undefined) toast.detail = input.detail;
    set((s) => {
      const toasts = [...s.toasts, toast];
      for (const dropped of toasts.slice(0, Math.max(0, toasts.length - MAX_TOASTS))) {
        clearTimeout(timers.get(dropped.id));
        timers.delete(dropped.id);
      }
      return { toasts: toasts.slice(-MAX_TOASTS) };
    });
    const timeout = input.timeoutMs ?? DEFAULT_TIMEOUT[kind];
    if (timeout > 0) timers.set(id, setTimeout(() => get().dismiss(id), timeout));
    return id;
  },
  pushError: (title, error) =>
    get().push({ kind: 'error', title, message: error.message, ...(error.detail !== undefined ? { detail: error.detail } : {}) }),
  dismiss: (id) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
  clear: () => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    set({ toasts: [] });
  },
}));
