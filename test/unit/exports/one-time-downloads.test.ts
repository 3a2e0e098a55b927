import { describe, expect, it } from 'vitest';
import { DOWNLOAD_TTL_MS, OneTimeDownloads } from '../../../src/main/services/exports/one-time-downloads';

describe('one-time downloads', () => {
  it('hands out an item once, under an unguessable id, and forgets it after the time limit', () => {
    let now = 1_000;
    const d = new OneTimeDownloads(() => now);
    const a = d.add({ fileName: 'a.zip', bytes: new Uint8Array([1]), secret: true });
    const b = d.add({ fileName: 'b.zip', bytes: new Uint8Array([2]), secret: false });
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(d.take(a)?.fileName).toBe('a.zip');
    expect(d.take(a)).toBeUndefined();
    now += DOWNLOAD_TTL_MS;
    expect(d.take(b)).toBeUndefined();
    expect(d.take('x'.repeat(43))).toBeUndefined();
  });
});
