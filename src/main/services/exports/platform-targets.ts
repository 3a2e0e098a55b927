import { X509Certificate } from 'node:crypto';
import { posix } from 'node:path';
import { stringify as yaml } from 'yaml';
import { ApplySpec, AIO_DEFAULT_NAMESPACE } from '@shared/contract/aio-contract';
import { FieldbenchError } from '@shared/errors';
import { hex, isClient, isServer, kubeNameOf, leavesOf, needKey, refusePassphrase, type BuiltExport, type Cert, type ExportKubeObject, type FileSpec, type TargetContext } from './export-model';
import { shellQuote } from './mosquitto-command';

const NS = AIO_DEFAULT_NAMESPACE;

/** `Clients42 Root CA` → `clients42-ca`, the ConfigMap name seed 001 uses for a client root. */
function clientCaName(root: Cert): string {
  return kubeNameOf(`${root.cn.replace(/\s*(root\s*)?ca\s*$/i, '')}-ca`);
}

function yamlFile(obj: ExportKubeObject, index: number, certificate: string, secret: boolean, purpose: string): FileSpec {
  return { path: `${String(index + 1).padStart(2, '0')}-${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`, role: 'yaml', certificate, encrypted: false, secret, purpose, content: () => yaml(obj) };
}

/**
 * kubernetes: the objects `aio apply` would send for this selection — the server certificate's TLS Secret,
 * the client CA ConfigMap, an X.509 BrokerAuthentication and a LoadBalancer BrokerListener using both —
 * built by the AIO area, as YAML files with the kubectl lines to apply them elsewhere.
 */
export function kubernetesTarget(ctx: TargetContext): BuiltExport {
  refusePassphrase(ctx, 'A kubernetes.io/tls Secret holds the key unencrypted: the broker cannot ask for a passphrase.');
  const leaves = leavesOf(ctx, 'any', 'kubernetes');
  const server = leaves.find(isServer);
  const clients = leaves.filter(isClient);
  const roots = [...new Map(clients.map((c) => [ctx.rootOf(c).id, ctx.rootOf(c)])).values()];
  const port = ctx.req.broker?.port ?? 8883;
  const withSecret = server !== undefined && ctx.req.includeKey;
  if (server && !ctx.req.includeKey) ctx.notes.push(`The Secret for ${server.cn} is left out because it holds the server key; add --include-key to export it. The listener still names it (broker-server-cert).`);
  const caNames = roots.map(clientCaName);
  const spec = ApplySpec.parse({
    serverSecrets: withSecret ? [{ name: 'broker-server-cert', certificateId: server.id }] : [],
    clientCas: roots.map((r, i) => ({ name: caNames[i]!, certificateIds: [r.id], include: 'selected' })),
    authentications: roots.length ? [{ name: 'x509-policy', methods: caNames.map((n) => ({ method: 'X509', trustedClientCaCert: n })) }] : [],
    listeners: server
      ? [{ name: 'loadbalancer-listener', serviceName: 'loadbalancer-listener-service', serviceType: 'LoadBalancer', ports: [{ port, ...(roots.length ? { authenticationRef: 'x509-policy' } : {}), tls: { mode: 'Manual', secretName: 'broker-server-cert' } }] }]
      : [],
  });
  if (!server) ctx.notes.push('No server certificate was picked, so there is no listener: put x509-policy on an existing TLS listener port as its authenticationRef.');
  const built = ctx.aio.build(spec);
  const errors = built.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new FieldbenchError('exports.buildFailed', errors.map((e) => e.sentence).join(' '));
  const purposeOf = (o: ExportKubeObject): string =>
    ({
      Secret: `kubernetes.io/tls Secret: ${server?.cn} and its intermediates (tls.crt) with its key (tls.key).`,
      ConfigMap: `The client CA the X.509 authentication trusts (client_ca.pem).`,
      BrokerAuthentication: 'X.509 authentication trusting the client CA ConfigMap.',
      BrokerListener: `LoadBalancer listener on port ${port}: TLS with broker-server-cert${roots.length ? ', client certificates required' : ''}.`,
    })[o.kind] ?? o.kind;
  const files = built.objects.map((o, i) => yamlFile(o, i, o.kind === 'Secret' ? (server?.cn ?? '') : o.kind === 'ConfigMap' ? roots.map((r) => r.cn).join(', ') : leaves.map((l) => l.cn).join(', '), o.kind === 'Secret', purposeOf(o)));
  const commands = [
    '#!/bin/sh',
    `# Apply on the cluster (the namespace is ${NS}). Objects first, the listener last.`,
    'set -e',
    ...files.map((f) => `kubectl apply -f ${shellQuote(f.path)}`),
    '',
    '# Check:',
    ...(server ? [`kubectl get brokerlistener loadbalancer-listener -n ${NS} -o yaml`, `kubectl get service loadbalancer-listener-service -n ${NS}`] : []),
    ...(roots.length ? [`kubectl describe configmap ${caNames[0]} -n ${NS}`] : []),
    '',
  ].join('\n');
  files.push({ path: 'apply.sh', role: 'commands', certificate: leaves.map((l) => l.cn).join(', '), encrypted: false, secret: false, purpose: 'The kubectl commands that apply the YAML files in order, and the checks after.', content: () => commands });
  return {
    title: 'Kubernetes objects for the AIO broker',
    files,
    keys: withSecret ? [server] : [],
    notes: [],
    readme: [`Apply with \`sh apply.sh\` where kubectl reaches the cluster. These are the objects \`fieldbench aio apply\` sends; applied twice they change nothing.`],
  };
}

/**
 * keyvault (seed 003): AIO reads external certificates from Key Vault secrets. `az keyvault secret set
 * --file F --encoding hex` reads F's bytes and stores them hex-encoded, so the commands take the PEM/DER
 * files; the .hex files hold exactly the value Key Vault will keep (to paste or compare). azure-cli
 * _validators.py process_secret_set_namespace: hex = binascii.b2a_hex of the file's bytes; the az
 * stand-in in test/support/arc implements that path. The secret store extension objects (SecretProviderClass
 * + SecretSync, learn.microsoft.com "secret store extension") bring the secrets to a cluster; the tests
 * check them against the CRDs of kubernetes-sigs/secrets-store-csi-driver and secrets-store-sync-controller.
 */
const SYNC_SERVICE_ACCOUNT = 'fieldbench-akv-sync';

export function keyvaultTarget(ctx: TargetContext): BuiltExport {
  refusePassphrase(ctx, 'AIO reads the secret as it is and cannot decrypt a key.');
  const files: FileSpec[] = [];
  const secrets: { name: string; file: string; contentType: string }[] = [];
  const add = (c: Cert, suffix: string, role: FileSpec['role'], data: () => string | Uint8Array, contentType: string, what: string, secret = false): void => {
    const name = `${kubeNameOf(c.cn)}-${suffix}`;
    const file = `${c.slug}.${suffix.replace(/-/g, '.')}`;
    files.push({ path: file, role, certificate: c.cn, encrypted: false, secret, purpose: `${c.cn}: ${what}; the file az reads for secret ${name}.`, content: data });
    files.push({ path: `${file}.hex`, role, certificate: c.cn, encrypted: false, secret, purpose: `${c.cn}: the value Key Vault holds for ${name} (hex of ${file}).`, content: () => hex(data()) });
    secrets.push({ name, file, contentType });
  };
  const keys: Cert[] = [];
  const seen = new Set<string>();
  for (const c of ctx.certs) {
    add(c, 'pem', ctx.req.chain === 'leaf' ? 'certificate' : 'chain', () => ctx.chainPem(c), 'application/x-pem-file', 'PEM certificate');
    add(c, 'der', 'certificate', () => ctx.pki.exportCertificateDer(c.id), 'application/pkix-cert', 'DER certificate');
    const root = ctx.rootOf(c);
    if (root.id !== c.id && !seen.has(root.id)) {
      seen.add(root.id);
      add(root, 'pem', 'ca', () => ctx.pki.exportCertificatePem(root.id), 'application/x-pem-file', 'root CA, PEM');
    }
    if (ctx.req.includeKey) {
      keys.push(c);
      add(c, 'key-pem', 'key', ctx.key(c), 'application/x-pem-file', 'private key, PKCS#8 PEM', true);
    }
  }
  const commands = [
    '#!/bin/sh',
    '# Set VAULT_NAME first. az reads each file\'s bytes and stores them hex-encoded (what AIO expects for certificates).',
    'set -e',
    ': "${VAULT_NAME:?set VAULT_NAME to your Key Vault}"',
    '# The --file paths are relative to this folder, wherever the script is started from.',
    'cd "$(dirname "$0")"',
    ...secrets.map((s) => `az keyvault secret set --vault-name "$VAULT_NAME" --name ${shellQuote(s.name)} --file ${shellQuote(s.file)} --encoding hex --content-type '${s.contentType}'`),
    '',
  ].join('\n');
  const spc = {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name: 'fieldbench-akv', namespace: NS },
    spec: {
      provider: 'azure',
      parameters: {
        clientID: 'REPLACE-WITH-MANAGED-IDENTITY-CLIENT-ID',
        keyvaultName: 'REPLACE-WITH-KEY-VAULT-NAME',
        tenantId: 'REPLACE-WITH-TENANT-ID',
        // One version per secret: the provider then writes each object at its own name, which is what a
        // SecretSync's sourcePath names (`NAME/0`, `NAME/1` only exist with objectVersionHistory > 1).
        objects: yaml({ array: secrets.map((s) => yaml({ objectName: s.name, objectType: 'secret' })) }),
      },
    },
  };
  const syncs = secrets.map((s) => ({
    apiVersion: 'secret-sync.x-k8s.io/v1alpha1',
    kind: 'SecretSync',
    metadata: { name: s.name, namespace: NS },
    // A name the CRD accepts (a DNS subdomain, secret-sync.x-k8s.io_secretsyncs.yaml), so the file applies as
    // written once that service account exists; an upper-case placeholder would be refused by the API server.
    spec: { serviceAccountName: SYNC_SERVICE_ACCOUNT, secretProviderClassName: 'fieldbench-akv', secretObject: { type: 'Opaque', data: [{ sourcePath: s.name, targetKey: s.file }] } },
  }));
  files.push(
    { path: 'az-commands.sh', role: 'commands', certificate: ctx.certs.map((c) => c.cn).join(', '), encrypted: false, secret: false, purpose: 'az keyvault secret set for each file, hex-encoded with the content type AIO looks for.', content: () => commands },
    { path: 'secret-sync.yaml', role: 'yaml', certificate: ctx.certs.map((c) => c.cn).join(', '), encrypted: false, secret: false, purpose: 'Secret store extension objects (SecretProviderClass, one SecretSync per secret) that bring the secrets to the cluster.', content: () => [spc, ...syncs].map((o) => yaml(o)).join('---\n') },
  );
  return {
    title: 'Azure Key Vault secrets',
    files,
    keys,
    notes: [],
    readme: [
      'Run `VAULT_NAME=… sh az-commands.sh` where `az login` works. Each .hex file is the value Key Vault will hold for that secret: `az keyvault secret show --vault-name "$VAULT_NAME" --name NAME --query value -o tsv` prints the same text.',
      `secret-sync.yaml: fill in the managed identity client id, the Key Vault name and the tenant; create the service account \`${SYNC_SERVICE_ACCOUNT}\` in ${NS} with its federated credential (the secret store extension docs say how), or change the name; then \`kubectl apply -f secret-sync.yaml\`.`,
    ],
  };
}

/** SHA-1 and SHA-256 thumbprints as IoT Hub takes them: uppercase hex, no colons. */
export function thumbprints(pem: string): { sha1: string; sha256: string } {
  const x = new X509Certificate(pem);
  return { sha1: x.fingerprint.replace(/:/g, '').toUpperCase(), sha256: x.fingerprint256.replace(/:/g, '').toUpperCase() };
}

const tomlString = (s: string): string => JSON.stringify(s);

/**
 * iotedge (seed 002): device identity certificate and key (CN = device id), the edge CA and its key,
 * the trust bundle, the /etc/aziot/config.toml sections (top-level keys before any table) and the
 * thumbprints for the IoT Hub device identity.
 */
export function iotedgeTarget(ctx: TargetContext): BuiltExport {
  needKey(ctx, 'An IoT Edge device');
  refusePassphrase(ctx, 'The IoT Edge identity service reads file keys unencrypted.');
  const [identity] = leavesOf(ctx, 'client', 'iotedge');
  const id = identity!;
  const edgeCa = ctx.certs.find((c) => c.summary.isCa && c.summary.role !== 'root');
  // Where the identity service's own docs put them, unless the person said where the files will be.
  const certDir = ctx.req.filesAt ? posix.join(ctx.req.filesAt, 'certs') : '/var/aziot/certs';
  const keyDir = ctx.req.filesAt ? posix.join(ctx.req.filesAt, 'secrets') : '/var/aziot/secrets';
  const url = (dir: string, name: string) => `file://${posix.join(dir, name)}`;
  const trustRoots = [...new Map([id, ...(edgeCa ? [edgeCa] : [])].map((c) => [ctx.rootOf(c).id, ctx.rootOf(c)])).values()];
  const files: FileSpec[] = [
    { path: `certs/${id.slug}-identity.pem`, role: 'chain', certificate: id.cn, encrypted: false, secret: false, purpose: `Device identity certificate (CN ${id.cn} = device id) with its intermediates (identity_cert).`, content: () => ctx.pki.exportCertificatePem(id.id, { chain: 'chain' }) },
    { path: `secrets/${id.slug}-identity.key.pem`, role: 'key', certificate: id.cn, encrypted: false, secret: true, purpose: 'Device identity private key (identity_pk).', content: ctx.key(id) },
  ];
  const keys = [id];
  if (edgeCa) {
    keys.push(edgeCa);
    files.push(
      { path: `certs/${edgeCa.slug}-edge-ca.pem`, role: 'chain', certificate: edgeCa.cn, encrypted: false, secret: false, purpose: `Edge CA certificate ${edgeCa.cn} with the chain up to the root ([edge_ca] cert).`, content: () => ctx.pki.exportCertificatePem(edgeCa.id, { chain: 'full' }) },
      { path: `secrets/${edgeCa.slug}-edge-ca.key.pem`, role: 'key', certificate: edgeCa.cn, encrypted: false, secret: true, purpose: 'Edge CA private key ([edge_ca] pk).', content: ctx.key(edgeCa) },
    );
  } else {
    ctx.notes.push('No edge CA (an intermediate CA) was picked, so config.toml has no [edge_ca] section and IoT Edge makes its own quickstart CA, which expires after 90 days.');
  }
  files.push({ path: 'certs/trust-bundle.pem', role: 'ca', certificate: trustRoots.map((r) => r.cn).join(', '), encrypted: false, secret: false, purpose: 'Trust bundle: the root CA(s) modules and downstream devices trust (trust_bundle_cert).', content: () => trustRoots.map((r) => ctx.pki.exportCertificatePem(r.id)).join('') });
  const base = (p: string) => posix.basename(p);
  const toml = [
    '# /etc/aziot/config.toml sections made by Fieldbench. Top-level keys must come before any table.',
    `hostname = ${tomlString(id.cn)}`,
    `trust_bundle_cert = ${tomlString(url(certDir, 'trust-bundle.pem'))}`,
    '',
    '[provisioning]',
    'source = "manual"',
    `iothub_hostname = ${tomlString('REPLACE-WITH-YOUR-HUB.azure-devices.net')}`,
    `device_id = ${tomlString(id.cn)}`,
    '',
    '[provisioning.authentication]',
    'method = "x509"',
    `identity_cert = ${tomlString(url(certDir, base(files[0]!.path)))}`,
    `identity_pk = ${tomlString(url(keyDir, base(files[1]!.path)))}`,
    ...(edgeCa ? ['', '[edge_ca]', `cert = ${tomlString(url(certDir, base(files[2]!.path)))}`, `pk = ${tomlString(url(keyDir, base(files[3]!.path)))}`] : []),
    '',
  ].join('\n');
  const thumbs = () => thumbprints(ctx.pki.exportCertificatePem(id.id));
  files.push(
    { path: 'config.toml', role: 'config', certificate: id.cn, encrypted: false, secret: false, purpose: `The /etc/aziot/config.toml sections for ${id.cn}; set iothub_hostname, then \`sudo iotedge config apply\`.`, content: () => toml },
    {
      path: 'thumbprints.txt',
      role: 'commands',
      certificate: id.cn,
      encrypted: false,
      secret: false,
      purpose: 'The identity certificate\'s SHA-1 and SHA-256 thumbprints for the IoT Hub device (uppercase, no colons) and the az command that registers it.',
      content: () => {
        const t = thumbs();
        return [
          `device id: ${id.cn}`,
          `SHA-1 thumbprint:   ${t.sha1}`,
          `SHA-256 thumbprint: ${t.sha256}`,
          '',
          `az iot hub device-identity create --hub-name "$HUB_NAME" --device-id ${shellQuote(id.cn)} --edge-enabled --auth-method x509_thumbprint --primary-thumbprint ${t.sha1} --secondary-thumbprint ${t.sha1}`,
          '',
        ].join('\n');
      },
    },
  );
  return {
    title: 'Azure IoT Edge device',
    files,
    keys,
    notes: [],
    readme: [
      `On the device: copy certs/ to ${certDir} and secrets/ to ${keyDir} (owned by aziotcs and aziotks, keys 0600), merge config.toml into /etc/aziot/config.toml, set iothub_hostname, then \`sudo iotedge config apply\`.`,
      'Register the device in IoT Hub with the thumbprints in thumbprints.txt (X.509 self-signed / thumbprint authentication).',
    ],
  };
}
