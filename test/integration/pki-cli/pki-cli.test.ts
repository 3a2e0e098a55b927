import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFieldbench, type CliRun, type CliRunOptions } from '../../support/cli/fieldbench-cli';
import { hasOpenssl, makeTempDir, openssl, sh } from '../../support/pki/openssl-runner';

// Spawns the built CLI. Run `npx electron-vite build` first and set FIELDBENCH_SKIP_BUILD=1 (npm test does
// both); otherwise the bin rebuilds when the sources are newer than the build.
const PASSWORD = 'a long enough password';

/** Async so several CLI runs (each an Argon2id unlock) can overlap on both cores. */
const run = (args: string[], opts: CliRunOptions = {}): Promise<CliRun> => runFieldbench(args, opts);

if (!hasOpenssl) console.warn('openssl is not installed; skipping the pki CLI tests that verify with it');

describe('fieldbench pki: seed 001 from the command line', () => {
  const tmp = makeTempDir('fb-pki-cli-');
  const vault = join(tmp.dir, 'field.fbv');
  const env = { FIELDBENCH_VAULT_PASSWORD: PASSWORD, FIELDBENCH_DATA_DIR: tmp.dir };
  const pki = (args: string[], extra: { env?: NodeJS.ProcessEnv; input?: string } = {}) => run(['pki', ...args, '--vault', vault], { env: { ...env, ...extra.env }, cwd: tmp.dir, ...(extra.input === undefined ? {} : { input: extra.input }) });
  const ok = async (args: string[]) => {
    const r = await pki(args);
    expect(r.stderr.replace(/^warning: .*\n/gm, ''), `pki ${args.join(' ')}`).toBe('');
    expect(r.code, `pki ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    const created = await run(['vault', 'create', '--vault', vault, '--password-stdin'], { input: `${PASSWORD}\n`, env: { FIELDBENCH_DATA_DIR: tmp.dir } });
    expect(created.code, created.stderr).toBe(0);
    // The seed's commands, in Fieldbench's words.
    await ok(['create', 'root', 'AIO42 Root CA', '--hours', '72000']);
    // The seed's 72000h under a 72000h root made a moment earlier would outlast it: the technician says --clamp.
    await ok(['create', 'intermediate', 'AIO42 Intermediate CA 1', '--issuer', 'AIO42 Root CA', '--hours', '72000', '--clamp']);
    await ok(['create', 'root', 'Clients42 Root CA', '--days', '3000']);
    await ok(['create', 'intermediate', 'Clients42 Intermediate CA 1', '--issuer', 'Clients42 Root CA', '--days', '3000', '--clamp']);
  });
  afterAll(() => tmp.cleanup());

  it('creates the server certificate with its IP and DNS SANs, and client42a/b in one go (--json parses)', async () => {
    const server = await ok(['create', 'server', 'mqtts-endpoint', '--issuer', 'AIO42 Intermediate CA 1', '--san', '192.168.2.196', '--san', 'mqtts-endpoint', '--hours', '72000', '--clamp', '--json']);
    const s = JSON.parse(server.stdout) as { certificate: { sans: unknown; role: string }; warnings: { code: string }[] };
    expect(s.certificate).toMatchObject({ role: 'server', sans: [{ type: 'ip', value: '192.168.2.196' }, { type: 'dns', value: 'mqtts-endpoint' }] });
    expect(s.warnings.map((w) => w.code)).toEqual(['validity-clamped']); // 72000h under a 72000h CA made seconds earlier, --clamp given

    const clients = await ok(['create', 'client', 'client42a', 'client42b', '--issuer', 'Clients42 Intermediate CA 1', '--days', '825', '--json']);
    const c = JSON.parse(clients.stdout) as { certificates: { commonName: string; role: string; subject: string }[] };
    expect(c.certificates.map((x) => [x.commonName, x.role, x.subject])).toEqual([
      ['client42a', 'client', 'CN = client42a'],
      ['client42b', 'client', 'CN = client42b'],
    ]);

    const list = await ok(['list', '--json']);
    const tree = JSON.parse(list.stdout) as { total: number; tree: { certificate: { commonName: string }; children: { children: { certificate: { commonName: string } }[] }[] }[] };
    expect(tree.total).toBe(7);
    expect(tree.tree.map((n) => n.certificate.commonName)).toEqual(['AIO42 Root CA', 'Clients42 Root CA']);
    expect(tree.tree[1]!.children[0]!.children.map((n) => n.certificate.commonName)).toEqual(['client42a', 'client42b']);
    const human = await ok(['list']);
    expect(human.stdout).toMatch(/└─ AIO42 Intermediate CA 1\s+intermediate\s+valid/);
    expect(human.stdout).not.toMatch(/PRIVATE KEY/);
  });

  it.skipIf(!hasOpenssl)('pki show --pem --chain passes openssl verify, for the server and a client', async () => {
    const [root, chain, croot, cchain] = await Promise.all([ok(['show', 'AIO42 Root CA', '--pem']), ok(['show', 'mqtts-endpoint', '--pem', '--chain']), ok(['show', 'Clients42 Root CA', '--pem']), ok(['show', 'client42b', '--pem', '--chain'])]);
    expect(chain.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    for (const r of [root, chain, croot, cchain]) expect(r.stdout).not.toMatch(/PRIVATE KEY/);
    writeFileSync(join(tmp.dir, 'root.pem'), root.stdout);
    writeFileSync(join(tmp.dir, 'chain.pem'), chain.stdout);
    writeFileSync(join(tmp.dir, 'croot.pem'), croot.stdout);
    writeFileSync(join(tmp.dir, 'cchain.pem'), cchain.stdout);
    // openssl verify checks the first certificate of the file (the leaf); the rest serve as untrusted intermediates.
    const v = await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', '-purpose', 'sslserver', '-verify_ip', '192.168.2.196', 'chain.pem'], tmp.dir);
    expect(v.stdout + v.stderr).toMatch(/chain\.pem: OK/);
    expect(v.code).toBe(0);
    const cv = await openssl(['verify', '-CAfile', 'croot.pem', '-untrusted', 'cchain.pem', '-purpose', 'sslclient', 'cchain.pem'], tmp.dir);
    expect(cv.code).toBe(0);
    // Negative controls: the wrong root, the wrong IP.
    expect((await openssl(['verify', '-CAfile', 'croot.pem', '-untrusted', 'chain.pem', 'chain.pem'], tmp.dir)).code).not.toBe(0);
    expect((await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', '-verify_ip', '192.168.2.197', 'chain.pem'], tmp.dir)).code).not.toBe(0);
  });

  it.skipIf(!hasOpenssl)('pki inspect prints what openssl x509 -text prints, for a file (no vault needed) and for a vault id', async () => {
    const pem = await ok(['show', 'mqtts-endpoint', '--pem']);
    writeFileSync(join(tmp.dir, 'server.pem'), pem.stdout);
    const theirs = (await openssl(['x509', '-in', 'server.pem', '-noout', '-text'], tmp.dir)).stdout;
    // A folder with no vault at all: inspecting a file must not need one.
    const empty = makeTempDir('fb-pki-novault-');
    try {
      const mine = await run(['pki', 'inspect', join(tmp.dir, 'server.pem')], { env: { FIELDBENCH_DATA_DIR: empty.dir } });
      expect(mine.code, mine.stderr).toBe(0);
      const line = (text: string, label: string) => text.split('\n').find((l) => l.trim().startsWith(label))?.trim();
      for (const label of ['Version:', 'Signature Algorithm:', 'Issuer:', 'Not Before:', 'Not After :', 'Subject:', 'Public Key Algorithm:', 'NIST CURVE:', 'IP Address:', 'CA:']) {
        expect(line(mine.stdout, label), label).toBe(line(theirs, label));
      }
      const fp = (await openssl(['x509', '-in', 'server.pem', '-noout', '-fingerprint', '-sha256'], tmp.dir)).stdout.trim();
      expect(mine.stdout).toContain(fp.replace(/^sha256 Fingerprint=/i, 'SHA256 Fingerprint='));
    } finally {
      empty.cleanup();
    }
    const byId = await ok(['inspect', 'mqtts-endpoint', '--json']);
    expect(JSON.parse(byId.stdout)).toMatchObject({ subject: 'CN = mqtts-endpoint', extendedKeyUsage: ['TLS Web Server Authentication'] });
  });

  it('verifies chains and hosts with exit codes a script can use', async () => {
    const [good, wrongHost, json] = await Promise.all([ok(['verify', 'mqtts-endpoint', '--host', '192.168.2.196', '--host', 'mqtts-endpoint']), pki(['verify', 'mqtts-endpoint', '--host', '192.168.2.197']), pki(['verify', 'client42a', '--json'])]);
    expect(good.stdout).toMatch(/^OK\s+chain: CN = mqtts-endpoint → CN = AIO42 Intermediate CA 1 → CN = AIO42 Root CA/);
    expect(wrongHost.code).toBe(1);
    expect(wrongHost.stdout).toMatch(/FAIL\s+"mqtts-endpoint" does not list 192\.168\.2\.197/);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, issues: [] });
  });

  it('refuses a wrong password with exit 4 and a missing one with exit 2, saying how to give it', async () => {
    const [wrong, none, stdin] = await Promise.all([
      pki(['list'], { env: { FIELDBENCH_VAULT_PASSWORD: 'not the password' } }),
      run(['pki', 'list', '--vault', vault], { env: { FIELDBENCH_DATA_DIR: tmp.dir } }),
      run(['pki', 'list', '--vault', vault, '--password-stdin', '--json'], { input: `${PASSWORD}\n`, env: { FIELDBENCH_DATA_DIR: tmp.dir } }),
    ]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/password does not open this vault/i);
    expect(wrong.stdout).toBe('');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/FIELDBENCH_VAULT_PASSWORD/);
    expect(stdin.code, stdin.stderr).toBe(0);
    expect((JSON.parse(stdin.stdout) as { total: number }).total).toBeGreaterThanOrEqual(5);
  });

  it('says what is wrong with a command line, with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['create', 'server', 'x'], /--issuer/],
      [['create', 'root', 'R', '--key', 'rsa-1024'], /not a key type.*ec-p256/],
      [['create', 'root', 'R', '--days', '10', '--hours', '5'], /not both/],
      [['create', 'root', 'R', '--password', 'secret'], /Unknown option/i],
      [['create', 'client', '--issuer', 'x'], /Name the clients/],
      [['frobnicate'], /There is no "pki frobnicate"/],
    ];
    const results = await Promise.all(cases.map(([args]) => pki(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it('issues one client certificate per device of a list, after listing every problem by line', async () => {
    writeFileSync(join(tmp.dir, 'bad.csv'), 'device_id,sans\nplc-01,10.0.0.5\nplc-01,\nplc 03,\nplc-04,10.0.0.999\n');
    const bad = await pki(['create', 'client', '--from', join(tmp.dir, 'bad.csv'), '--issuer', 'Clients42 Intermediate CA 1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bad\.csv:3: "plc-01" is already listed on line 2/m);
    expect(bad.stderr).toMatch(/^bad\.csv:4: "plc 03" cannot be a client id/m);
    expect(bad.stderr).toMatch(/^bad\.csv:5: "10\.0\.0\.999" looks like an IP address/m);
    expect(bad.stderr).toMatch(/Nothing was issued: 3 problems in bad\.csv/);
    writeFileSync(join(tmp.dir, 'plcs.txt'), 'plc-01\nplc-02\nplc-03\n');
    const good = await ok(['create', 'client', '--from', join(tmp.dir, 'plcs.txt'), '--issuer', 'Clients42 Intermediate CA 1']);
    const rows = good.stdout.trim().split('\n');
    expect(rows[0]).toBe('device_id,serial,sha1_thumbprint,sha256_thumbprint,not_after');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['plc-01', 'plc-02', 'plc-03']);
    expect(rows[1]!.split(',')[2]).toMatch(/^[0-9A-F]{40}$/);
    const list = await ok(['list']);
    expect(list.stdout).toMatch(/plc-02/);
  });

  it('renews a server certificate with new SANs, same subject (pki renew --san)', async () => {
    const r = JSON.parse((await ok(['renew', 'mqtts-endpoint', '--san', '192.168.2.197', '--san', 'mqtts-endpoint', '--clamp', '--json'])).stdout) as { certificate: { subject: string; sans: unknown; renewedFrom: string } };
    expect(r.certificate.sans).toEqual([{ type: 'ip', value: '192.168.2.197' }, { type: 'dns', value: 'mqtts-endpoint' }]);
    expect(r.certificate.subject).toBe('CN = mqtts-endpoint');
    expect(r.certificate.renewedFrom).toMatch(/^c-/);
  });

  it('renews, then refuses an ambiguous name and lists the ids to choose from', async () => {
    const renewed = await ok(['renew', 'client42b', '--days', '400', '--json']);
    const r = JSON.parse(renewed.stdout) as { certificate: { id: string; renewedFrom: string } };
    expect(r.certificate.renewedFrom).toMatch(/^c-/);
    const ambiguous = await pki(['show', 'client42b']);
    // Issue 14: asking which one is a usage answer (exit 2), in the words the issue asks for.
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^2 certificates are called "client42b": use one of these ids:\n/);
    expect(ambiguous.stderr).toContain(r.certificate.id);
    const byId = await ok(['show', r.certificate.id.slice(0, 10)]);
    expect(byId.stdout).toContain(r.certificate.id);
  });
});

describe.skipIf(!hasOpenssl)('fieldbench pki import', () => {
  const tmp = makeTempDir('fb-pki-cli-import-');
  const vault = join(tmp.dir, 'import.fbv');
  const env = { FIELDBENCH_VAULT_PASSWORD: PASSWORD, FIELDBENCH_DATA_DIR: tmp.dir };
  beforeAll(async () => {
    const created = await run(['vault', 'create', '--vault', vault, '--password-stdin'], { input: `${PASSWORD}\n`, env: { FIELDBENCH_DATA_DIR: tmp.dir } });
    expect(created.code, created.stderr).toBe(0);
    // Seed 001's openssl commands (RSA 2048 here to keep the suite fast), with an encrypted key.
    const made = await sh(
      [
        'openssl genrsa -out clients42_root_ca.key 2048 2>/dev/null',
        'openssl req -x509 -new -nodes -key clients42_root_ca.key -sha256 -days 3000 -subj "/CN=Clients42 Root CA" -out clients42_root_ca.crt',
        'openssl genrsa -out client42a.key 2048 2>/dev/null',
        'openssl req -new -key client42a.key -subj "/CN=client42a" -out client42a.csr',
        'openssl x509 -req -in client42a.csr -CA clients42_root_ca.crt -CAkey clients42_root_ca.key -CAcreateserial -out client42a.crt -days 3000 -sha256 2>/dev/null',
        'openssl pkcs8 -topk8 -in client42a.key -out client42a.enc.key -v2 aes-256-cbc -passout pass:seed-pass',
        'echo "not a certificate" > notes.txt',
      ].join('\n'),
      tmp.dir,
    );
    expect(made.code, made.stderr).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('imports the files, reports each one, and fails (exit 1) only for the file it could not read', async () => {
    const r = await run(['pki', 'import', 'clients42_root_ca.crt', 'clients42_root_ca.key', 'client42a.crt', 'client42a.csr', 'notes.txt', 'missing.pem', '--vault', vault, '--json'], { env, cwd: tmp.dir });
    expect(r.code).toBe(1);
    const { results } = JSON.parse(r.stdout) as { results: { fileName: string; certificatesImported: number; keysMatched: number; errors: { code: string }[]; notes: string[] }[] };
    const by = Object.fromEntries(results.map((x) => [x.fileName, x]));
    expect(by['clients42_root_ca.crt']).toMatchObject({ certificatesImported: 1, errors: [] });
    expect(by['clients42_root_ca.key']).toMatchObject({ keysMatched: 1, errors: [] });
    expect(by['client42a.crt']).toMatchObject({ certificatesImported: 1, errors: [] });
    // A CSR alone is nothing to keep: the file says so, and why.
    expect(by['client42a.csr']).toMatchObject({ certificatesImported: 0, errors: [{ code: 'pki.import.nothing-found' }] });
    expect(by['client42a.csr']!.notes.join(' ')).toMatch(/certificate request/);
    expect(by['notes.txt']!.errors[0]!.code).toBe('pki.import.unrecognised');
    expect(by['missing.pem']!.errors[0]!.code).toBe('cli.fileNotFound');
    expect(r.stderr).toMatch(/notes\.txt: This file is neither PEM/);

    const locked = await run(['pki', 'import', 'client42a.enc.key', '--vault', vault], { env, cwd: tmp.dir });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/encrypted\. Type its passphrase/);
    const opened = await run(['pki', 'import', 'client42a.enc.key', '--vault', vault], { env: { ...env, FIELDBENCH_IMPORT_PASSPHRASE: 'seed-pass' }, cwd: tmp.dir });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toMatch(/client42a\.enc\.key: 1 key\(s\) imported, 1 key\(s\) matched a certificate/);
    expect(opened.stdout + opened.stderr).not.toContain('seed-pass');

    const der = await openssl(['x509', '-in', 'client42a.crt', '-outform', 'DER', '-out', 'client42a.der'], tmp.dir);
    expect(der.code).toBe(0);
    const [verify, verifyDer] = await Promise.all([run(['pki', 'verify', 'client42a', '--vault', vault], { env, cwd: tmp.dir }), run(['pki', 'verify', 'client42a.der', '--vault', vault, '--json'], { env, cwd: tmp.dir })]);
    expect(verifyDer.code, verifyDer.stderr).toBe(0);
    expect(JSON.parse(verifyDer.stdout)).toMatchObject({ valid: true, chain: [{ subject: 'CN = client42a' }, { subject: 'CN = Clients42 Root CA' }] });
    // openssl x509 -req without -extfile makes an X.509 v1 leaf; the root is v3, so the chain is valid.
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const list = await run(['pki', 'list', '--vault', vault, '--json'], { env, cwd: tmp.dir });
    const tree = JSON.parse(list.stdout) as { tree: { certificate: { commonName: string; hasPrivateKey: boolean }; children: { certificate: { commonName: string; hasPrivateKey: boolean } }[] }[] };
    expect(tree.tree[0]!.certificate).toMatchObject({ commonName: 'Clients42 Root CA', hasPrivateKey: true });
    expect(tree.tree[0]!.children[0]!.certificate).toMatchObject({ commonName: 'client42a', hasPrivateKey: true });
  });
});
