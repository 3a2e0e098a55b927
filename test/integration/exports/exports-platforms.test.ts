import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator';
import { kubectl, kubectlAvailable } from '../../support/kube/kubectl-runner';
import { seed001Vault, type Seed001 } from './export-fixture';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!kubectlAvailable()) console.warn('[exports] kubectl is missing: the kubectl dry-run checks are skipped');

describe('exports for Kubernetes, Key Vault and IoT Edge, checked by kubectl, a TOML parser and openssl', () => {
  let s: Seed001;
  beforeAll(async () => {
    s = await seed001Vault();
  }, 60_000);
  afterAll(async () => s?.close());

  describe.skipIf(!kubectlAvailable())('kubectl', () => {
    let emu: KubeEmulator;
    let home: string;
    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'fb-exports-kube-'));
      emu = await startKubeEmulator({ dir: home });
    });
    afterAll(async () => {
      await emu?.close();
      rmSync(home, { recursive: true, force: true });
    });
    const dryRun = (file: string) => kubectl(['create', '--dry-run=client', '-o', 'name', '-f', file], { kubeconfig: join(home, 'kubeconfig.yaml'), home });

    it('kubernetes: kubectl create --dry-run=client accepts every YAML file, and they are the objects seed 001 applies', async () => {
      const out = await s.exportTo({ target: 'kubernetes', certificateIds: [s.ids.server, s.ids.client42a], includeKey: true, broker: { host: '192.168.2.196', port: 8883 } });
      const yamls = readdirSync(out).filter((f) => f.endsWith('.yaml')).sort();
      expect(yamls).toEqual(['01-secret-broker-server-cert.yaml', '02-configmap-clients42-ca.yaml', '03-brokerauthentication-x509-policy.yaml', '04-brokerlistener-loadbalancer-listener.yaml']);
      for (const f of yamls) {
        const r = await dryRun(join(out, f));
        expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      }
      const secret = parseAllDocuments(readFileSync(join(out, yamls[0]!), 'utf8'))[0]!.toJS() as { type: string; data: Record<string, string> };
      expect(secret.type).toBe('kubernetes.io/tls');
      const tlsCrt = Buffer.from(secret.data['tls.crt']!, 'base64').toString();
      expect(tlsCrt).toBe((await s.call('pki.exportPem', { id: s.ids.server, chain: 'chain' })).pem);
      const listener = parseAllDocuments(readFileSync(join(out, yamls[3]!), 'utf8'))[0]!.toJS() as { spec: { ports: Array<Record<string, unknown>> } };
      expect(listener.spec.ports[0]).toMatchObject({ port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Manual', manual: { secretRef: 'broker-server-cert' } } });
      expect(readFileSync(join(out, 'apply.sh'), 'utf8')).toContain('kubectl apply -f 01-secret-broker-server-cert.yaml');
    });

    it('litmus: the BrokerAuthentication YAML passes kubectl, with authorizationAttributes for the intermediate and the connector', async () => {
      const out = await s.exportTo({ target: 'litmus', certificateIds: [s.ids.client42a], caId: s.ids.aioRoot, includeKey: true, broker: { host: '192.168.2.196', port: 18884 } });
      const r = await dryRun(join(out, 'broker-authentication.yaml'));
      expect(r.code, r.stderr).toBe(0);
      const docs = parseAllDocuments(readFileSync(join(out, 'broker-authentication.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; spec?: { authenticationMethods: Array<{ x509Settings: Record<string, unknown> }> } });
      expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'BrokerAuthentication']);
      expect(docs[1]!.spec!.authenticationMethods[0]!.x509Settings).toEqual({
        trustedClientCaCert: 'clients42-ca',
        authorizationAttributes: {
          intermediate: { subject: 'CN = Clients42 Intermediate CA 1', attributes: { manufacturer: 'litmus edge' } },
          connector: { subject: 'CN = client42a', attributes: { group: 'connector_group' } },
        },
      });
      const readme = readFileSync(join(out, 'README.md'), 'utf8');
      expect(readme).toMatch(/Leave Client ID, Username and Password empty/);
      expect(readFileSync(join(out, 'client-certificate.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    });
  });

  it('keyvault: each .hex file decodes byte for byte to the PEM or DER az reads, which equal the vault\'s; the commands use hex encoding and the content types AIO reads', async () => {
    const out = await s.exportTo({ target: 'keyvault', certificateIds: [s.ids.server], includeKey: true });
    const hexes = readdirSync(out).filter((f) => f.endsWith('.hex')).sort();
    expect(hexes).toEqual(['aio42_root_ca.pem.hex', 'mqtts-endpoint.der.hex', 'mqtts-endpoint.key.pem.hex', 'mqtts-endpoint.pem.hex']);
    for (const h of hexes) expect(Buffer.from(readFileSync(join(out, h), 'utf8'), 'hex').equals(readFileSync(join(out, h.replace(/\.hex$/, ''))))).toBe(true);
    expect(readFileSync(join(out, 'mqtts-endpoint.pem'), 'utf8')).toBe((await s.call('pki.exportPem', { id: s.ids.server, chain: 'chain' })).pem);
    expect(new X509Certificate(readFileSync(join(out, 'mqtts-endpoint.der'))).fingerprint256).toBe(new X509Certificate(readFileSync(join(out, 'mqtts-endpoint.pem'))).fingerprint256);
    const cmds = readFileSync(join(out, 'az-commands.sh'), 'utf8');
    expect(cmds).toContain(`az keyvault secret set --vault-name "$VAULT_NAME" --name mqtts-endpoint-pem --file mqtts-endpoint.pem --encoding hex --content-type 'application/x-pem-file'`);
    expect(cmds).toContain(`--name mqtts-endpoint-der --file mqtts-endpoint.der --encoding hex --content-type 'application/pkix-cert'`);
    const objs = parseAllDocuments(readFileSync(join(out, 'secret-sync.yaml'), 'utf8')).map((d) => d.toJS() as { apiVersion: string; kind: string; spec: Record<string, unknown> });
    expect(objs[0]).toMatchObject({ apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', spec: { provider: 'azure' } });
    expect(objs.slice(1).every((o) => o.apiVersion === 'secret-sync.x-k8s.io/v1alpha1' && o.kind === 'SecretSync')).toBe(true);
    expect(objs).toHaveLength(5);
    // What Key Vault hands back (hex of the PEM) imports into a vault as the certificate it was.
    const other = await seed001Vault();
    try {
      const res = await other.call('pki.import', { files: [{ name: 'mqtts-endpoint-pem.txt', dataBase64: Buffer.from(readFileSync(join(out, 'mqtts-endpoint.pem.hex'))).toString('base64') }] });
      expect(res.results[0]).toMatchObject({ errors: [] });
      expect(res.results[0]!.certificatesImported + res.results[0]!.duplicates).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });

  it('iotedge: config.toml parses as TOML with the aziot sections, and the thumbprints equal openssl\'s', async () => {
    const out = await s.exportTo({ target: 'iotedge', certificateIds: [s.ids.client42a, s.ids.clientsIntermediate], includeKey: true });
    const toml = parseToml(readFileSync(join(out, 'config.toml'), 'utf8')) as Record<string, unknown>;
    expect(toml).toMatchObject({
      hostname: 'client42a',
      trust_bundle_cert: 'file:///var/aziot/certs/trust-bundle.pem',
      provisioning: { source: 'manual', device_id: 'client42a', authentication: { method: 'x509', identity_cert: 'file:///var/aziot/certs/client42a-identity.pem', identity_pk: 'file:///var/aziot/secrets/client42a-identity.key.pem' } },
      edge_ca: { cert: 'file:///var/aziot/certs/clients42_intermediate_ca_1-edge-ca.pem', pk: 'file:///var/aziot/secrets/clients42_intermediate_ca_1-edge-ca.key.pem' },
    });
    const text = readFileSync(join(out, 'thumbprints.txt'), 'utf8');
    const identity = join(out, 'certs', 'client42a-identity.pem');
    for (const [alg, label] of [['-sha1', 'SHA-1'], ['-sha256', 'SHA-256']] as const) {
      if (!hasOpenssl) continue;
      const fp = spawnSync('openssl', ['x509', '-in', identity, '-noout', '-fingerprint', alg], { encoding: 'utf8' }).stdout.split('=')[1]!.trim().replace(/:/g, '');
      expect(text).toContain(`${label} thumbprint:${label === 'SHA-1' ? '   ' : ' '}${fp}`);
      expect(fp).toMatch(/^[0-9A-F]+$/);
    }
    expect(readdirSync(join(out, 'secrets')).sort()).toEqual(['client42a-identity.key.pem', 'clients42_intermediate_ca_1-edge-ca.key.pem']);
  });
});
