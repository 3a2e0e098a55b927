/**
 * PKI benchmark: Fieldbench vs the openssl CLI building the same chains in the same run, printed as
 * ratios (Fieldbench time / openssl time; lower is better). Run: npx tsx bench/pki.bench.ts
 *   (a) EC P-256 root + intermediate + server + 2 clients   target ≤ 0.5
 *   (b) RSA-4096 CAs + RSA-2048 server + 2 clients          target ≤ 1.0 (median of ≥ 5 runs)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAlgorithm } from '../src/shared/pki-types';
import { PkiService } from '../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../test/support/pki/memory-vault-store';

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
process.exitCode = okA && okB ? 0 : 1;
