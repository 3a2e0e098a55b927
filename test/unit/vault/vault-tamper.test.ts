import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldbenchError } from '../../../src/shared/errors';
import { Vault } from '../../../src/main/services/vault/vault';
import { TempDirs, WEAK_KDF, sha256File } from '../../support/vault/vault-fixtures';

const PASSWORD = 'tamper test';
const temp = new TempDirs();
let good: Buffer;
let path: string;
let headerLength: number;

beforeAll(async () => {
  const dir = await temp.make();
  const origin = join(dir, 'origin.fbv');
  const v = await Vault.create(origin, PASSWORD, WEAK_KDF);
  await v.updateSection('pki', { certs: [] as unknown[] }, (d) => void d.certs.push({ id: 'a', pem: 'P'.repeat(40), key: 'K'.repeat(20) }));
  v.lock();
  good = await readFile(origin);
  headerLength = good.readUInt32BE(10);
  path = join(dir, 'vault.fbv');
});
afterAll(async () => {
  try {
    // Nothing was added next to the vault either: no temp files, no backup.
    expect((await readdir(dirname(path))).sort()).toEqual(['origin.fbv', 'origin.fbv.bak', 'vault.fbv']);
  } finally {
    await temp.cleanup();
  }
});

/** Writes `bytes` as the vault, tries to open and unlock it with the right password, returns the error code. */
async function attempt(bytes: Buffer): Promise<string> {
  await writeFile(path, bytes);
  const before = createHash('sha256').update(bytes).digest('hex');
  let code = 'opened';
  try {
    const v = await Vault.open(path);
    await v.unlock(PASSWORD);
    v.lock();
  } catch (err) {
    if (!(err instanceof FieldbenchError)) throw err;
    code = err.code;
  }
  // Whatever happened, the file on disk is exactly what was there.
  expect(await sha256File(path)).toBe(before);
  return code;
}

function region(offset: number): string {
  const h = 14 + headerLength;
  if (offset < 8) return 'magic';
  if (offset < 10) return 'version';
  if (offset < 14) return 'header length';
  if (offset < h) return 'header';
  if (offset < h + 32) return 'password check';
  if (offset < h + 64) return 'header digest';
  if (offset < good.length - 16) return 'body';
  return 'tag';
}

describe('Vault tamper and damage detection', () => {
  it('the untouched file opens (control)', async () => {
    expect(await attempt(good)).toBe('opened');
  });

  it('flipping any single bit anywhere is reported as damage, never as a wrong password or success', async () => {
    const failures: string[] = [];
    const regions = new Set<string>();
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = bad[i]! ^ (1 << (i % 8));
      const code = await attempt(bad);
      const expected = region(i) === 'version' && bad.readUInt16BE(8) > 1 ? 'vault.newerFormat' : 'vault.corrupt';
      if (code !== expected) failures.push(`offset ${i} (${region(i)}): ${code}, expected ${expected}`);
      regions.add(region(i));
    }
    expect(failures).toEqual([]);
    expect([...regions].sort()).toEqual(['body', 'header', 'header digest', 'header length', 'magic', 'password check', 'tag', 'version']);
  });

  it('replacing whole regions with random bytes is reported as damage', async () => {
    const h = 14 + headerLength;
    const ranges: Array<[number, number]> = [
      [14, h],
      [h, h + 32],
      [h + 32, h + 64],
      [h + 64, good.length - 16],
      [good.length - 16, good.length],
    ];
    for (const [from, to] of ranges) {
      const bad = Buffer.from(good);
      for (let i = from; i < to; i++) bad[i] = Math.floor(Math.random() * 256);
      expect(await attempt(bad)).toBe('vault.corrupt');
    }
  });

  it('a file truncated at every possible length is reported as damage', async () => {
    const failures: string[] = [];
    for (let len = 0; len < good.length; len++) {
      const code = await attempt(good.subarray(0, len));
      if (code !== 'vault.corrupt') failures.push(`length ${len}: ${code}`);
    }
    expect(failures).toEqual([]);
  });

  it('bytes appended or the body swapped from another save are reported as damage', async () => {
    expect(await attempt(Buffer.concat([good, Buffer.from([0])]))).toBe('vault.corrupt');
    expect(await attempt(Buffer.concat([good, good]))).toBe('vault.corrupt');
  });

  describe('a header rewritten with a valid digest (the digest is unkeyed, so an attacker can recompute it)', () => {
    function rewriteHeader(edit: (h: Record<string, unknown>) => void): Buffer {
      const h = JSON.parse(good.subarray(14, 14 + headerLength).toString()) as Record<string, unknown>;
      edit(h);
      const json = Buffer.from(JSON.stringify(h));
      const prefix = Buffer.from(good.subarray(0, 14));
      prefix.writeUInt32BE(json.length, 10);
      const rest = good.subarray(14 + headerLength);
      const check = rest.subarray(0, 32);
      const digest = createHash('sha256').update(Buffer.concat([prefix, json, check])).digest();
      return Buffer.concat([prefix, json, check, digest, rest.subarray(64)]);
    }

    it('refuses absurd KDF costs before running the KDF (no memory or time bomb)', async () => {
      const bomb = rewriteHeader((h) => ((h.kdf as Record<string, unknown>).memoryKiB = 2 ** 31));
      expect(await attempt(bomb)).toBe('vault.corrupt');
      const slow = rewriteHeader((h) => ((h.kdf as Record<string, unknown>).iterations = 1_000_000));
      expect(await attempt(slow)).toBe('vault.corrupt');
    });

    // Issue 10 row 12: 4 GiB × 64 passes sat exactly on the old caps and was run before the password was checked.
    it('refuses, at open and before any KDF work, headers asking for costs a real vault never has', async () => {
      const kdf = (m: number, t: number, p: number) => rewriteHeader((h) => Object.assign(h.kdf as Record<string, unknown>, { memoryKiB: m, iterations: t, parallelism: p }));
      const hostile = {
        '4 GiB × 64 passes': kdf(4 * 1024 * 1024, 64, 1),
        '4 GiB': kdf(4 * 1024 * 1024, 1, 1),
        '64 passes': kdf(96 * 1024, 64, 1),
        '1 GiB × 16 passes (each allowed, the product not)': kdf(1024 * 1024, 16, 1),
        'parallelism 16': kdf(96 * 1024, 3, 16),
      };
      for (const [what, bytes] of Object.entries(hostile)) {
        await writeFile(path, bytes);
        // open() reads the header only: refusing here proves no Argon2id run was started.
        const err = await Vault.open(path).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, what).toBeInstanceOf(FieldbenchError);
        expect((err as FieldbenchError).code, what).toBe('vault.corrupt');
        expect((err as FieldbenchError).message, what).toMatch(/damaged or was changed outside Fieldbench/);
        expect(await attempt(bytes), what).toBe('vault.corrupt');
      }
      // The ceiling is not so low that a deliberately raised, legitimate setting is refused.
      await writeFile(path, kdf(512 * 1024, 4, 4));
      expect((await Vault.open(path)).info().kdf).toMatchObject({ memoryKiB: 512 * 1024, iterations: 4, parallelism: 4 });
    });

    it('refuses unknown fields, ciphers and malformed salt or dates', async () => {
      expect(await attempt(rewriteHeader((h) => (h.extra = 1)))).toBe('vault.corrupt');
      expect(await attempt(rewriteHeader((h) => (h.cipher = 'none')))).toBe('vault.corrupt');
      expect(await attempt(rewriteHeader((h) => (h.salt = 'AAAA')))).toBe('vault.corrupt');
      expect(await attempt(rewriteHeader((h) => (h.created = 'yesterday')))).toBe('vault.corrupt');
    });

    it('a changed date or nonce fails the password check or the tag, and never opens', async () => {
      // The check value covers the whole header, so changing metadata makes the password look wrong:
      // with an attacker able to recompute the digest this is the best GCM plus an HMAC can say.
      expect(await attempt(rewriteHeader((h) => (h.modified = '2001-01-01T00:00:00.000Z')))).toBe('vault.wrongPassword');
      expect(await attempt(rewriteHeader((h) => (h.nonce = Buffer.alloc(12, 7).toString('base64'))))).toBe('vault.wrongPassword');
    });
  });
});
