import { randomBytes } from 'node:crypto';

/** How long a prepared download waits to be fetched: long enough for a click, short enough to be forgotten. */
export const DOWNLOAD_TTL_MS = 120_000;
/** Prepared downloads kept at once; the oldest goes first. */
const MAX_PENDING = 8;

export interface PendingDownload {
  fileName: string;
  bytes: Uint8Array;
  /** 0600-worthy content: the host serves it with no caching of any kind. */
  secret: boolean;
}

/**
 * Export bytes waiting for the browser to fetch them once. The loopback host serves them at
 * /download/<id>: the id (256 random bits) is the capability, it works once and expires, so the page's
 * script never reads the bytes and nothing stays behind in main.
 */
export class OneTimeDownloads {
  private readonly pending = new Map<string, PendingDownload & { expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  add(item: PendingDownload): string {
    this.sweep();
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    this.pending.set(id, { ...item, expires: this.now() + DOWNLOAD_TTL_MS });
    return id;
  }

  /** The download for this id, removed as it is taken; undefined when unknown, taken or expired. */
  take(id: string): PendingDownload | undefined {
    this.sweep();
    const item = this.pending.get(id);
    if (!item) return undefined;
    this.pending.delete(id);
    return { fileName: item.fileName, bytes: item.bytes, secret: item.secret };
  }

  clear(): void {
    this.pending.clear();
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, item] of this.pending) if (item.expires <= t) this.pending.delete(id);
  }
}
