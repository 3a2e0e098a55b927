/**
 * PKI benchmark: Fieldbench vs the openssl CLI building the same chains in the same run, printed as
 * ratios (Fieldbench time / openssl time; lower is better). Run: npx tsx bench/pki.bench.ts
 *   (a) EC P-256 root + intermediate + server + 2 clients   target ≤ 0.5
 *   (b) RSA-4096 CAs + RSA-2048 server + 2 clients          target ≤ 1.0 (median of ≥ 5 runs)
 *   (c) 1,000 EC P-256 client certificates from a device list, including the vault save (a real vault
 *       file), against openssl in one shell loop and against node:crypto's bare keygen + sign (the
 *       floor), per certificate                                 target ≤ 1 ms, printed as ratios
 *   (d) the same for RSA-2048 (fewer certificates: each key costs ~0.2 s), target close to the floor
 * BENCH_BULK_N / BENCH_BULK_RSA_N / BENCH_OPENSSL_N change the sizes (openssl runs a sample, per cert).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPair, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAlgorithm } from '../src/shared/pki-types';
import { PkiService } from '../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../test/support/pki/memory-vault-store';
import { composeApp } from '../src/main/compose';
import type { CallName, CallRequest, CallResponse } from '../src/shared/contract';

const EXT = `[ root ]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:192.168.2.196
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function keygenArgs(alg: 'ec' | 'rsa4096' | 'rsa2048', out: string): string[] {
  if (alg === 'ec') return ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out];
  return ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${alg === 'rsa4096' ? 4096 : 2048}`, '-out', out];
}

/** The same chain with the openssl CLI, one process per step as a technician's script would. */
function opensslChain(caAlg: 'ec' | 'rsa4096', leafAlg: 'ec' | 'rsa2048'): number {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-'));
  try {
    writeFileSync(join(dir, 'ext.cnf'), EXT);
    const t0 = performance.now();
    ossl(dir, keygenArgs(caAlg, 'root.key'));
    ossl(dir, ['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=Root', '-days', '3650', '-sha256', '-extensions', 'root', '-config', 'ext.cnf', '-out', 'root.crt']);
    const signed = (name: string, section: string, ca: string, alg: 'ec' | 'rsa4096' | 'rsa2048') => {
      ossl(dir, keygenArgs(alg, `${name}.key`));
      ossl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
      ossl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', '0x' + Math.floor(Math.random() * 1e12).toString(16), '-days', '825', '-sha256', '-extfile', 'ext.cnf', '-extensions', section, '-out', `${name}.crt`]);
    };
    signed('int', 'int', 'root', caAlg);
    signed('server', 'server', 'int', leafAlg);
    signed('client42a', 'client', 'int', leafAlg);
    signed('client42b', 'client', 'int', leafAlg);
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fieldbenchChain(caAlg: KeyAlgorithm, leafAlg: KeyAlgorithm): Promise<number> {
  const pki = new PkiService({ vault: new MemoryVaultStore() });
  const t0 = performance.now();
  const root = await pki.createRoot({ subject: { commonName: 'Root' }, keyAlgorithm: caAlg });
  const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'Intermediate' }, keyAlgorithm: caAlg });
  await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'server' }, sans: ['192.168.2.196'], keyAlgorithm: leafAlg });
  await pki.createClients({ issuerId: int.certificate.id, prefix: 'client42', count: 2, keyAlgorithm: leafAlg });
  return performance.now() - t0;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function scenario(name: string, runs: number, ours: () => Promise<number>, theirs: () => number, target: number): Promise<boolean> {
  await ours(); // warm-up: module loading and JIT, which a running app has already paid
  theirs();
  const a: number[] = [];
  const b: number[] = [];
  // Interleaved so that machine noise hits both sides alike.
  for (let i = 0; i < runs; i++) {
    a.push(await ours());
    b.push(theirs());
  }
  const ratio = median(a) / median(b);
  const ok = ratio <= target;
  console.log(`${name}\n  Fieldbench median ${median(a).toFixed(1)} ms   openssl CLI median ${median(b).toFixed(1)} ms   (${runs} runs)\n  ratio ${ratio.toFixed(3)}  target ≤ ${target}  ${ok ? 'PASS' : 'MISS'}`);
  return ok;
}

const okA = await scenario('(a) EC P-256 root + intermediate + server + 2 clients', 15, () => fieldbenchChain('ec-p256', 'ec-p256'), () => opensslChain('ec', 'ec'), 0.5);
const okB = await scenario('(b) RSA-4096 root + intermediate, RSA-2048 server + 2 clients', 5, () => fieldbenchChain('rsa-4096', 'rsa-2048'), () => opensslChain('rsa4096', 'rsa2048'), 1.0);

// ---------------------------------------------------------------------------------------------------
// (c) and (d): bulk issuance

/** openssl, one shell loop as a technician writes it: key, CSR, signature per device. */
function opensslLoop(alg: 'ec' | 'rsa2048', n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-bulk-'));
  try {
    writeFileSync(join(dir, 'ext.cnf'), EXT);
    ossl(dir, keygenArgs('ec', 'int.key'));
    ossl(dir, ['req', '-x509', '-new', '-key', 'int.key', '-subj', '/CN=Devices CA', '-days', '3650', '-sha256', '-extensions', 'int', '-config', 'ext.cnf', '-out', 'int.crt']);
    const gen = alg === 'ec' ? 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256' : 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048';
    const script = `for i in $(seq 1 ${n}); do ${gen} -out d$i.key 2>/dev/null; openssl req -new -key d$i.key -subj /CN=device-$i -out d$i.csr; openssl x509 -req -in d$i.csr -CA int.crt -CAkey int.key -CAcreateserial -days 825 -sha256 -extfile ext.cnf -extensions client -out d$i.crt 2>/dev/null; done`;
    const t0 = performance.now();
    execFileSync('bash', ['-c', script], { cwd: dir, stdio: 'ignore' });
    return (performance.now() - t0) / n;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor: node:crypto's own key generation and signature (same thread pool, same encodings, same waves). */
async function nodeFloor(alg: 'ec' | 'rsa2048', n: number, caKey: KeyObject): Promise<number> {
  const tbs = Buffer.alloc(400, 7);
  const gen = () =>
    new Promise<void>((resolve, reject) => {
      const done = (err: Error | null) => (err ? reject(err) : resolve());
      const enc = { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;
      if (alg === 'ec') generateKeyPair('ec', { namedCurve: 'P-256', ...enc }, done);
      else generateKeyPair('rsa', { modulusLength: 2048, ...enc }, done);
    });
  const signed = () => new Promise<void>((resolve, reject) => sign('sha256', tbs, caKey, (err) => (err ? reject(err) : resolve())));
  const t0 = performance.now();
  for (let i = 0; i < n; i += 64) {
    const wave = Math.min(64, n - i);
    await Promise.all(Array.from({ length: wave }, gen));
    await Promise.all(Array.from({ length: wave }, signed));
  }
  return (performance.now() - t0) / n;
}

async function bulkScenario(name: string, alg: 'ec' | 'rsa2048', n: number, opensslN: number, target: (perCert: number, floor: number) => boolean, targetText: string): Promise<boolean> {
  const tmp = mkdtempSync(join(tmpdir(), 'fb-bench-vault-'));
  const app = composeApp({ dataDir: tmp, runtime: 'cli', vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
  const call = async <N extends CallName>(c: N, req: CallRequest<N>): Promise<CallResponse<N>> => {
    const r = await app.dispatcher.dispatch(c, req, {});
    if (!r.ok) throw new Error(`${c}: ${r.error.message}`);
    return r.value as CallResponse<N>;
  };
  try {
    await call('vault.create', { password: 'bench password 42' });
    const keyAlgorithm = alg === 'ec' ? 'ec-p256' : 'rsa-2048';
    const root = await call('pki.createRoot', { subject: { commonName: 'Bench Root' }, keyAlgorithm });
    const int = await call('pki.createIntermediate', { issuerId: root.certificate.id, subject: { commonName: 'Bench Devices CA' }, keyAlgorithm });
    const list = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`).join('\n');
    await call('pki.createClientList', { issuerId: int.certificate.id, list: list('warmup', 20) }); // JIT and module loading
    // The floor signs with a CA key of the same type (the vault's own never leaves it).
    const caKey = alg === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const t0 = performance.now();
    const r = await call('pki.createClientList', { issuerId: int.certificate.id, list: list('device', n) });
    const ours = (performance.now() - t0) / n;
    if (r.issued.length !== n) throw new Error('the batch did not issue every device');
    const floor = await nodeFloor(alg, n, caKey);
    const theirs = opensslLoop(alg, opensslN);
    const ok = target(ours, floor);
    console.log(
      `${name}\n  Fieldbench ${ours.toFixed(3)} ms/cert (${n}, incl. one vault save)   node:crypto floor ${floor.toFixed(3)} ms/cert   openssl loop ${theirs.toFixed(2)} ms/cert (${opensslN})` +
        `\n  ratio to floor ${(ours / floor).toFixed(2)}   ratio to openssl ${(ours / theirs).toFixed(4)}   (${availableParallelism()} cores)   target ${targetText}  ${ok ? 'PASS' : 'MISS'}`,
    );
    return ok;
  } finally {
    await app.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const bulkN = Number(process.env.BENCH_BULK_N ?? 1000);
const rsaN = Number(process.env.BENCH_BULK_RSA_N ?? 40);
const opensslN = Number(process.env.BENCH_OPENSSL_N ?? 50);
const okC = await bulkScenario(`(c) ${bulkN} EC P-256 client certificates from a list, with the vault save`, 'ec', bulkN, opensslN, (ours) => ours <= 1, '≤ 1 ms/cert');
const okD = await bulkScenario(`(d) ${rsaN} RSA-2048 client certificates from a list, with the vault save`, 'rsa2048', rsaN, Math.min(opensslN, 10), (ours, floor) => ours <= floor * 1.25, '≤ 1.25 × floor');
process.exitCode = okA && okB && okC && okD ? 0 : 1;
