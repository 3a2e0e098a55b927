import type { ConnectionSummaryT } from '@shared/contract/mqtt-contract';
import type { Status } from '../../ui';

/** How a connection's state reads in the list: a status look and words, with the retry countdown. */
export function connectionStateLook(c: Pick<ConnectionSummaryT, 'state' | 'attempt' | 'lastError'>, retryInSeconds: number | undefined): { status: Status; label: string } {
  switch (c.state) {
    case 'connected':
      return { status: 'ok', label: 'Connected' };
    case 'connecting':
      return { status: 'unknown', label: 'Connecting…' };
    case 'reconnecting':
      return {
        status: 'warning',
        label: retryInSeconds !== undefined && retryInSeconds > 0 ? `Connecting (retry in ${retryInSeconds} s)` : `Connecting (attempt ${c.attempt})`,
      };
    case 'failed':
      return { status: 'error', label: 'Error' };
    default:
      return { status: 'unknown', label: 'Disconnected' };
  }
}

/** 12:04:05.123, the resolution a technician compares against a broker log. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

// One formatter for every count: toLocaleString builds a new one per call, which showed in the profile.
const COUNT = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => COUNT.format(n);

/** Subscription colours that read on light and dark surfaces (and differ in greyscale too). */
export const SUBSCRIPTION_COLOURS = ['#2563eb', '#16a34a', '#d97706', '#db2777', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'] as const;
