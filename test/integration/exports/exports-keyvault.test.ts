import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import { composeApp } from '../../../src/main/compose';
import { loadCrd } from '../../support/arc/crd-schema-check';
import { seed001Vault, type Seed001 } from './export-fixture';

const ARC_DIR = resolve(import.meta.dirname, '../../support/arc');
const CRDS = join(ARC_DIR, 'secret-store-crds');
const secretSync = loadCrd(join(CRDS, 'secret-sync.x-k8s.io_secretsyncs.yaml'));
const providerClass = loadCrd(join(CRDS, 'secrets-store.csi.x-k8s.io_secretproviderclasses.yaml'));
const VAULT = 'fieldbench-kv1';

interface KubeObj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

describe('keyvault export: the secret store extension objects fit the published CRDs, and the az commands do what az does', () => {
  let s: Seed001;
  let out: string;
  let state: string;
  beforeAll(async () => {
    s = await seed001Vault();
    out = await s.exportTo({ target: 'keyvault', certificateIds: [s.ids.server, s.ids.client42a], includeKey: true });
    state = mkdtempSync(join(tmpdir(), 'fb-fake-az-kv-'));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  const az = (args: string[], opts: { cwd?: string; vaults?: string } = {}) =>
    spawnSync(join(ARC_DIR, 'az'), args, { cwd: opts.cwd ?? state, encoding: 'utf8', env: { ...process.env, FAKE_AZ_NODE: process.execPath, FAKE_AZ_STATE_DIR: state, FAKE_AZ_KEYVAULTS: opts.vaults ?? VAULT } });

  // The emulator's schema registry holds the AIO kinds only, so these CRDs cannot be installed in it for
  // `kubectl apply --server-side --validate=strict --dry-run=server`; the schemas are checked directly with
  // the API server's rules instead (crd-schema-check.ts), from the CRDs as the two projects publish them.
  it('every object in secret-sync.yaml fits its CRD\'s openAPIV3Schema, and each SecretSync reads an object the SecretProviderClass fetches', () => {
    const objs = parseAllDocuments(readFileSync(join(out, 'secret-sync.yaml'), 'utf8')).map((d) => d.toJS() as KubeObj);
    const byKind = { SecretSync: secretSync, SecretProviderClass: providerClass } as Record<string, typeof secretSync>;
    expect(objs.map((o) => o.kind)).toEqual(['SecretProviderClass', ...Array<string>(objs.length - 1).fill('SecretSync')]);
    for (const o of objs) expect(byKind[o.kind]!.check(o), `${o.kind} ${o.metadata.name}`).toEqual([]);
    const spc = objs[0]!;
    const params = spc.spec['parameters'] as Record<string, string>;
    const objects = (parse(params['objects']!) as { array: string[] }).array.map((e) => parse(e) as { objectName: string; objectType: string; objectVersionHistory?: number });
    for (const sync of objs.slice(1)) {
      expect(sync.metadata.namespace).toBe(spc.metadata.namespace);
      expect(sync.spec['secretProviderClassName']).toBe(spc.metadata.name);
      const data = (sync.spec['secretObject'] as { data: Array<{ sourcePath: string }> }).data;
      for (const d of data) {
        // learn.microsoft.com secret store extension: sourcePath is the objectName, `NAME/N` only with objectVersionHistory > 1.
        const [name, version] = d.sourcePath.split('/');
        const obj = objects.find((x) => x.objectName === name);
        expect(obj, d.sourcePath).toBeDefined();
        if (version !== undefined) expect(obj!.objectVersionHistory ?? 1, `${d.sourcePath} needs objectVersionHistory > 1`).toBeGreaterThan(Math.max(1, Number(version)));
      }
    }
    expect(objects.every((o) => o.objectType === 'secret')).toBe(true);
  });

  it('the CRD check refuses what the API server refuses: unknown fields, a bad sourcePath, a repeated targetKey, a missing field, a name that is no DNS name', () => {
    const objs = parseAllDocuments(readFileSync(join(out, 'secret-sync.yaml'), 'utf8')).map((d) => d.toJS() as KubeObj);
    const good = objs[1]!;
    const bad = (mutate: (o: KubeObj & { spec: { secretObject: { data: Array<Record<string, string>> } } }) => void) => {
      const o = structuredClone(good) as KubeObj & { spec: { secretObject: { data: Array<Record<string, string>> } } };
      mutate(o);
      return secretSync.check(o).join('\n');
    };
    expect(bad((o) => (o.spec.secretObject.data[0]!['foo'] = 'x'))).toMatch(/unknown field "spec.secretObject.data\[0\].foo"/);
    expect(bad((o) => (o.spec.secretObject.data[0]!['sourcePath'] = 'a b'))).toMatch(/spec.secretObject.data\[0\].sourcePath must match pattern/);
    expect(bad((o) => o.spec.secretObject.data.push({ ...o.spec.secretObject.data[0]! }))).toMatch(/Duplicate value/);
    expect(bad((o) => delete o.spec['serviceAccountName'])).toMatch(/must have required property 'serviceAccountName'/);
    expect(bad((o) => (o.metadata.name = 'Not_A_Name'))).toMatch(/metadata.name "Not_A_Name" is not a DNS-1123 subdomain/);
    expect(bad((o) => ((o.spec.secretObject as unknown as Record<string, unknown>)['labels'] = { a: 'b' }))).toMatch(/CEL/);
    expect(secretSync.check({ ...good, apiVersion: 'secret-sync.x-k8s.io/v1' })).toEqual([expect.stringMatching(/is not served/)]);
    expect(providerClass.check({ ...objs[0]!, spec: { ...objs[0]!.spec, provider: 7 } }).join()).toMatch(/spec.provider must be string/);
  });

  it('az-commands.sh runs against the az stand-in from any folder; download gives back each PEM/DER byte for byte, show prints the .hex file', () => {
    const script = join(out, 'az-commands.sh');
    const r = spawnSync('sh', [script], { cwd: state, encoding: 'utf8', env: { ...process.env, PATH: `${ARC_DIR}${delimiter}${process.env.PATH}`, FAKE_AZ_NODE: process.execPath, FAKE_AZ_STATE_DIR: state, FAKE_AZ_KEYVAULTS: VAULT, VAULT_NAME: VAULT } });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(script, 'utf8').split('\n').filter((l) => l.startsWith('az keyvault secret set'));
    const hexes = readdirSync(out).filter((f) => f.endsWith('.hex'));
    expect(lines).toHaveLength(hexes.length);
    for (const line of lines) {
      const name = /--name (\S+)/.exec(line)![1]!;
      const file = /--file (\S+)/.exec(line)![1]!;
      const contentType = /--content-type '([^']+)'/.exec(line)![1]!;
      const shown = JSON.parse(az(['keyvault', 'secret', 'show', '--vault-name', VAULT, '--name', name]).stdout) as { value: string; contentType: string; tags: Record<string, string> };
      expect(shown.contentType).toBe(contentType);
      expect(shown.tags).toEqual({ 'file-encoding': 'hex' });
      expect(contentType).toBe(file.endsWith('.der') ? 'application/pkix-cert' : 'application/x-pem-file');
      expect(az(['keyvault', 'secret', 'show', '--vault-name', VAULT, '--name', name, '--query', 'value', '-o', 'tsv']).stdout).toBe(`${readFileSync(join(out, `${file}.hex`), 'utf8')}\n`);
      const back = join(state, `${name}.downloaded`);
      const d = az(['keyvault', 'secret', 'download', '--vault-name', VAULT, '--name', name, '--file', back]);
      expect(d.status, d.stderr).toBe(0);
      expect(readFileSync(back).equals(readFileSync(join(out, file))), file).toBe(true);
    }
  });

  it('Fieldbench imports what Key Vault returns for a PEM secret (its hex), as the certificate it was', async () => {
    const set = az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'import-check', '--file', join(out, 'mqtts-endpoint.pem'), '--encoding', 'hex', '--content-type', 'application/x-pem-file']);
    expect(set.status, set.stderr).toBe(0);
    const value = az(['keyvault', 'secret', 'show', '--vault-name', VAULT, '--name', 'import-check', '--query', 'value', '-o', 'tsv']).stdout.trim();
    expect(value).toMatch(/^[0-9a-f]+$/);
    const dir = mkdtempSync(join(tmpdir(), 'fb-kv-import-'));
    const app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli', vault: { createOptions: { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true } } });
    try {
      const call = async <N extends CallName>(name: N, req: CallRequest<N>): Promise<CallResponse<N>> => {
        const r = await app.dispatcher.dispatch(name, req);
        if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
        return r.value as CallResponse<N>;
      };
      await call('vault.create', { password: 'long enough pw' });
      const res = await call('pki.import', { files: [{ name: 'mqtts-endpoint-pem.txt', dataBase64: Buffer.from(value).toString('base64') }] });
      expect(res.results[0]).toMatchObject({ errors: [] });
      // The secret holds the server certificate and its intermediate (the bundle), so both arrive.
      expect(res.results[0]!.certificatesImported).toBe(2);
      const list = await call('pki.list', {});
      expect(JSON.stringify(list.tree)).toContain('"mqtts-endpoint"');
      const original = await s.call('pki.exportPem', { id: s.ids.server, chain: 'chain' });
      expect(Buffer.from(value, 'hex').toString('utf8')).toBe(original.pem);
    } finally {
      await app.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the stand-in keeps az\'s rules: --encoding hex hex-encodes the file\'s bytes (a .hex file is stored as hex of hex), --value and --file are exclusive, names and vaults are checked, download never overwrites', () => {
    const pem = join(out, 'mqtts-endpoint.pem');
    expect(az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'hex-of-hex', '--file', `${pem}.hex`, '--encoding', 'hex']).status).toBe(0);
    const back = join(state, 'hex-of-hex.out');
    expect(az(['keyvault', 'secret', 'download', '--vault-name', VAULT, '--name', 'hex-of-hex', '--file', back]).status).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe(readFileSync(`${pem}.hex`, 'utf8'));
    expect(az(['keyvault', 'secret', 'download', '--vault-name', VAULT, '--name', 'hex-of-hex', '--file', back]).stderr).toMatch(/already exists/);
    expect(az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'x', '--file', pem, '--value', 'y']).stderr).toMatch(/--value VALUE \| --file PATH/);
    expect(az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'bad_name', '--value', 'y']).stderr).toMatch(/invalid name: bad_name/);
    expect(az(['keyvault', 'secret', 'set', '--vault-name', 'nowhere', '--name', 'x', '--value', 'y']).status).not.toBe(0);
    expect(az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'x', '--value', 'y', '--encoding', 'binary']).stderr).toMatch(/invalid choice: 'binary'/);
    expect(az(['keyvault', 'secret', 'show', '--vault-name', VAULT, '--name', 'missing']).status).toBe(3);
    // base64 is Python's encodebytes: 76-character lines, each ending in a newline.
    const der = join(out, 'mqtts-endpoint.der');
    expect(az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'der-b64', '--file', der, '--encoding', 'base64']).status).toBe(0);
    const b64 = (JSON.parse(az(['keyvault', 'secret', 'show', '--vault-name', VAULT, '--name', 'der-b64']).stdout) as { value: string }).value;
    expect(b64.split('\n').slice(0, -1).every((l, i, all) => l.length === 76 || i === all.length - 1)).toBe(true);
    expect(b64.endsWith('\n')).toBe(true);
    // A text encoding reads the file as text: CRLF is stored as LF, as Python's text mode does.
    const crlf = join(state, 'crlf.txt');
    writeFileSync(crlf, 'a\r\nb\r\n');
    expect(az(['keyvault', 'secret', 'set', '--vault-name', VAULT, '--name', 'crlf', '--file', crlf]).status).toBe(0);
    expect((JSON.parse(az(['keyvault', 'secret', 'show', '--vault-name', VAULT, '--name', 'CRLF']).stdout) as { value: string }).value).toBe('a\nb\n');
  });
});
