import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileLogger, logDir, redactDeep } from '../../../src/main/services/app/logger';

describe('log redaction', () => {
  it('replaces secret-keyed fields at any depth and cuts key material and bearer tokens out of strings', () => {
    const out = redactDeep({
      call: 'mqtt.saveProfile',
      nested: { mqttPassword: 'p1', sasToken: 't1', deeper: [{ privateKeyPem: 'k1', passphrase: 'x' }] },
      request: { anything: 'r1' },
      message: 'failed: -----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY----- and Authorization: Bearer abc.def',
    });
    const text = JSON.stringify(out);
    for (const leaked of ['p1', 't1', 'k1', 'r1', 'MIIEvQ', 'abc.def']) expect(text).not.toContain(leaked);
    expect(out).toMatchObject({ call: 'mqtt.saveProfile', nested: { mqttPassword: '[redacted]', deeper: [{ passphrase: '[redacted]' }] } });
  });
});

describe('the rotating log file', () => {
  it('writes JSON lines with 0600 and rotates by size, keeping a bounded number of files', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fb-log-rotate-'));
    const log = createFileLogger({ dataDir, maxBytes: 4096, keep: 2, base: { runtime: 'cli' } });
    for (let i = 0; i < 400; i++) log.info('call ok', { call: 'app.info', ms: i, password: 'never' });
    log.close();
    const files = readdirSync(logDir(dataDir)).sort();
    expect(files).toEqual(['fieldbench.log', 'fieldbench.log.1', 'fieldbench.log.2']);
    for (const f of files) {
      const p = join(logDir(dataDir), f);
      expect(statSync(p).size).toBeLessThanOrEqual(4096);
      expect(statSync(p).mode & 0o777).toBe(0o600);
      for (const line of readFileSync(p, 'utf8').trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ level: 'info', runtime: 'cli', call: 'app.info', password: '[redacted]' });
    }
    // The newest lines are in the current file.
    const last = readFileSync(join(logDir(dataDir), 'fieldbench.log'), 'utf8').trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ ms: 399 });
  });

  it('follows a rotation done by another process sharing the folder', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fb-log-share-'));
    const a = createFileLogger({ dataDir, maxBytes: 2048, keep: 3 });
    const b = createFileLogger({ dataDir, maxBytes: 2048, keep: 3 });
    for (let i = 0; i < 100; i++) (i % 2 ? a : b).info('line', { i });
    a.close();
    b.close();
    const all = readdirSync(logDir(dataDir)).flatMap((f) => readFileSync(join(logDir(dataDir), f), 'utf8').trim().split('\n'));
    const seen = new Set(all.map((l) => (JSON.parse(l) as { i: number }).i));
    // The oldest lines may have rotated out; the newest must all be there, from both writers.
    for (let i = 80; i < 100; i++) expect(seen.has(i), String(i)).toBe(true);
  });
});
