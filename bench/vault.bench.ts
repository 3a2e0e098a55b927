/**
 * Vault benchmark: `npx tsx bench/vault.bench.ts`.
 *
 * Measures, with the default Argon2id settings: unlocking an empty vault; saving a vault that holds 1,000
 * certificate-sized entries (~1.5 KB PEM + ~250 B key each) once it is unlocked; opening and unlocking that
 * vault. The reference, run in the same process on the same body size, is the openssl CLI:
 * `openssl enc -aes-256-cbc -pbkdf2 -iter 600000` (password → key → decrypt, like an unlock) and
 * `openssl enc -aes-256-cbc -K … -iv …` (held key → encrypt, like a save). openssl times include starting
 * the process, so the ratios are a sanity check, not a contest.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vault } from '../src/main/services/vault/vault';
import { DEFAULT_KDF } from '../src/main/services/vault/vault-crypto';

const RUNS = 5;
const PASSWORD = 'bench password, not a secret';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function series(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await timed(fn));
  return median(xs);
}

function fakePem(i: number): string {
  const b64 = randomBytes(1100).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`.replace('MII', `MII${i}`);
}

function fakeKey(): string {
  return `-----BEGIN PRIVATE KEY-----\n${randomBytes(138).toString('base64')}\n-----END PRIVATE KEY-----\n`;
}

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}

function verdict(x: number, lo: number, hi: number): string {
  return x >= lo && x <= hi ? 'ok' : 'OUT OF TARGET';
}

const dir = mkdtempSync(join(tmpdir(), 'fb-vault-bench-'));
try {
  console.log(`Argon2id default: ${DEFAULT_KDF.memoryKiB / 1024} MiB, t=${DEFAULT_KDF.iterations}, p=${DEFAULT_KDF.parallelism}`);

  const emptyPath = join(dir, 'empty.fbv');
  (await Vault.create(emptyPath, PASSWORD)).lock();
  const unlockEmpty = await series(RUNS, async () => (await Vault.open(emptyPath)).unlock(PASSWORD));

  const bigPath = join(dir, 'vault.fbv');
  const vault = await Vault.create(bigPath, PASSWORD);
  const entries = Array.from({ length: 1000 }, (_, i) => ({
    id: `cert-${i}`,
    subject: `CN = client42-${i}`,
    notAfter: '2030-01-01T00:00:00.000Z',
    pem: fakePem(i),
    key: fakeKey(),
  }));
  await vault.updateSection('pki', { certs: [] as typeof entries }, (d) => void d.certs.push(...entries));
  let k = 0;
  const save = await series(RUNS * 2, () =>
    vault.updateSection('pki', { certs: [] as typeof entries }, (d) => {
      d.certs[k % d.certs.length]!.notAfter = new Date(Date.UTC(2031, 0, 1 + k++)).toISOString();
    }),
  );
  vault.lock();
  const fileBytes = statSync(bigPath).size;
  const openBig = await series(RUNS, async () => (await Vault.open(bigPath)).unlock(PASSWORD));

  // Reference: the same number of bytes through the openssl CLI.
  const plain = join(dir, 'body.bin');
  const enc = join(dir, 'body.enc');
  writeFileSync(plain, randomBytes(fileBytes));
  const env = { ...process.env, BENCH_PW: PASSWORD };
  execFileSync('openssl', ['enc', '-aes-256-cbc', '-pbkdf2', '-iter', '600000', '-pass', 'env:BENCH_PW', '-in', plain, '-out', enc], { env });
  const opensslUnlock = await series(RUNS, () =>
    execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-iter', '600000', '-pass', 'env:BENCH_PW', '-in', enc, '-out', join(dir, 'body.out')], { env }),
  );
  const key = randomBytes(32).toString('hex');
  const iv = randomBytes(16).toString('hex');
  const opensslSave = await series(RUNS, () =>
    execFileSync('openssl', ['enc', '-aes-256-cbc', '-K', key, '-iv', iv, '-in', plain, '-out', join(dir, 'body.raw')]),
  );

  console.log('');
  console.log(`unlock (empty vault)                      ${ms(unlockEmpty).padStart(10)}   target 300–1500 ms   ${verdict(unlockEmpty, 300, 1500)}`);
  console.log(`save, 1,000 certificates (${(fileBytes / 1024 / 1024).toFixed(2)} MB file)   ${ms(save).padStart(10)}   target ≤ 150 ms      ${verdict(save, 0, 150)}`);
  console.log(`open + unlock, 1,000 certificates         ${ms(openBig).padStart(10)}   target ≤ 1500 ms     ${verdict(openBig, 0, 1500)}`);
  console.log('');
  console.log(`reference openssl enc -d -pbkdf2 -iter 600000, same size   ${ms(opensslUnlock).padStart(10)}   ratio open+unlock / openssl = ${(openBig / opensslUnlock).toFixed(2)}`);
  console.log(`reference openssl enc with a raw key, same size            ${ms(opensslSave).padStart(10)}   ratio save / openssl = ${(save / opensslSave).toFixed(2)}`);
  console.log(`(medians of ${RUNS} runs, saves of ${RUNS * 2}; a save includes fsync of the file and the folder and the backup rotation)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
