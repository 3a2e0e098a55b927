/**
 * The emulator against the real kubectl (v1.32 on this machine): what kubectl prints is the check that
 * the emulator speaks the protocol, not only what our own client expects.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../support/kube/kube-emulator.js';
import { KUBECTL, kubectl, kubectlAvailable, type KubectlResult } from '../../support/kube/kubectl-runner.js';

const NS = 'azure-iot-operations';
const haveKubectl = kubectlAvailable();
if (!haveKubectl) console.warn(`Skipping the kubectl checks of the kube emulator: ${KUBECTL} is not installed.`);

const listenerYaml = (name: string, extra: string): string => `apiVersion: mqttbroker.iotoperations.azure.com/v1
kind: BrokerListener
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  brokerRef: default
${extra}`;

describe.skipIf(!haveKubectl)('kube emulator with the real kubectl', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kc: string;
  const run = (...args: string[]): Promise<KubectlResult> => kubectl(args, { kubeconfig: kc, home: dir });
  const file = async (name: string, text: string): Promise<string> => {
    const p = join(dir, name);
    await writeFile(p, text);
    return p;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-kubectl-'));
    emu = await startKubeEmulator({ dir });
    kc = join(dir, 'kubeconfig.yaml');
  });

  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the preloaded AIO objects as tables', async () => {
    const listeners = await run('get', 'brokerlisteners', '-n', NS);
    expect(listeners.code).toBe(0);
    expect(listeners.stdout).toMatch(/^NAME\s+AGE\n/);
    expect(listeners.stdout).toMatch(/^default\s+\d+s$/m);
    const certs = await run('get', 'certificates', '-n', NS);
    expect(certs.stdout).toMatch(/^NAME\s+READY\s+SECRET\s+AGE\n/);
    expect(certs.stdout).toMatch(/^aio-broker-frontend-server-18883\s+True\s+aio-broker-frontend-server-18883\s+/m);
    const issuers = await run('get', 'clusterissuer', 'azure-iot-operations-aio-certificate-issuer');
    expect(issuers.stdout).toMatch(/azure-iot-operations-aio-certificate-issuer\s+True/);
    const svc = await run('get', 'svc', 'aio-broker', '-n', NS);
    expect(svc.stdout).toMatch(/^aio-broker\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+18883\/TCP\s+/m);
    const bundle = await run('get', 'configmap', 'azure-iot-operations-aio-ca-trust-bundle', '-n', NS, '-o', 'jsonpath={.data.ca\\.crt}');
    expect(bundle.stdout).toBe(emu.aioRootCa.cert);
  });

  it('describes the default listener, its service and the pods', async () => {
    const d = await run('describe', 'brokerlistener', 'default', '-n', NS);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/Service Name:\s+aio-broker/);
    expect(d.stdout).toMatch(/Name:\s+azure-iot-operations-aio-certificate-issuer/);
    const s = await run('describe', 'service', 'aio-broker', '-n', NS);
    expect(s.stdout).toMatch(/TargetPort:\s+18883\/TCP/);
    const pods = await run('get', 'pods', '-n', NS);
    expect(pods.stdout).toMatch(/^aio-broker-frontend-0\s+1\/1\s+Running\s+0\s+/m);
  });

  it('creates a tls secret and a client CA configmap from files (protobuf bodies)', async () => {
    const leaf = await emu.issueClientCertificate('broker-server');
    const crt = await file('tls.crt', leaf.cert);
    const key = await file('tls.key', leaf.key);
    const created = await run('create', 'secret', 'tls', 'broker-server-cert', '--cert', crt, '--key', key, '-n', NS);
    expect(created).toMatchObject({ code: 0, stdout: 'secret/broker-server-cert created\n' });
    const again = await run('create', 'secret', 'tls', 'broker-server-cert', '--cert', crt, '--key', key, '-n', NS);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('error: failed to create secret secrets "broker-server-cert" already exists\n');
    const stored = emu.getObject('v1', 'Secret', NS, 'broker-server-cert') as { type: string; data: Record<string, string> };
    expect(stored.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(stored.data['tls.crt']!, 'base64').toString()).toBe(leaf.cert);
    const cm = await run('create', 'configmap', 'clients42-ca', `--from-file=client_ca.pem=${crt}`, '-n', NS);
    expect(cm.stdout).toBe('configmap/clients42-ca created\n');
    const back = await run('get', 'configmap', 'clients42-ca', '-n', NS, '-o', 'jsonpath={.data.client_ca\\.pem}');
    expect(back.stdout).toBe(leaf.cert);
  });

  it('server-side applies: no change the second time, conflicts for a second manager, --force-conflicts takes over', async () => {
    const mine = await file('lb.yaml', listenerYaml('lb', '  serviceType: LoadBalancer\n  ports:\n  - port: 8883\n    protocol: Mqtt\n'));
    const first = await run('apply', '--server-side', '-f', mine);
    expect(first).toMatchObject({ code: 0, stdout: 'brokerlistener.mqttbroker.iotoperations.azure.com/lb serverside-applied\n' });
    const rv1 = (await run('get', 'brokerlistener', 'lb', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}')).stdout;
    const second = await run('apply', '--server-side', '-f', mine);
    expect(second.code).toBe(0);
    const rv2 = (await run('get', 'brokerlistener', 'lb', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}')).stdout;
    expect(rv2).toBe(rv1);

    const theirs = await file('lb-np.yaml', listenerYaml('lb', '  serviceType: NodePort\n'));
    const conflict = await run('apply', '--server-side', '--field-manager', 'fieldbench', '-f', theirs);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.serviceType\n/);
    const forced = await run('apply', '--server-side', '--field-manager', 'fieldbench', '--force-conflicts', '-f', theirs);
    expect(forced.code).toBe(0);
    const obj = JSON.parse((await run('get', 'brokerlistener', 'lb', '-n', NS, '-o', 'json', '--show-managed-fields')).stdout) as {
      spec: { serviceType: string };
      metadata: { managedFields: Array<{ manager: string; fieldsV1: { 'f:spec': Record<string, unknown> } }> };
    };
    expect(obj.spec.serviceType).toBe('NodePort');
    const byManager = Object.fromEntries(obj.metadata.managedFields.map((m) => [m.manager, Object.keys(m.fieldsV1['f:spec']).sort()]));
    expect(byManager).toEqual({ kubectl: ['.', 'f:brokerRef', 'f:ports'], fieldbench: ['.', 'f:brokerRef', 'f:serviceType'] });
    // the operator stand-in followed: a NodePort service named after the listener
    const svc = await run('get', 'svc', 'lb', '-n', NS, '-o', 'jsonpath={.spec.type}');
    expect(svc.stdout).toBe('NodePort');
  });

  it('patches with --type merge and reports no change the second time', async () => {
    const args = ['patch', 'brokerlistener', 'lb', '-n', NS, '--type', 'merge', '-p', '{"spec":{"serviceType":"LoadBalancer"}}'];
    expect((await run(...args)).stdout).toBe('brokerlistener.mqttbroker.iotoperations.azure.com/lb patched\n');
    expect((await run(...args)).stdout).toBe('brokerlistener.mqttbroker.iotoperations.azure.com/lb patched (no change)\n');
    const ext = await run('get', 'svc', 'lb', '-n', NS);
    expect(ext.stdout).toMatch(/^lb\s+LoadBalancer\s+\S+\s+127\.0\.0\.1\s+8883:3\d{4}\/TCP/m);
  });

  it('shows a listener whose issuer does not exist as a Certificate that is not Ready', async () => {
    const f = await file('missing.yaml', listenerYaml('missing-issuer', `  serviceType: ClusterIp
  ports:
  - port: 9883
    tls:
      mode: Automatic
      certManagerCertificateSpec:
        issuerRef: {name: nope, kind: ClusterIssuer, group: cert-manager.io}
`));
    expect((await run('apply', '--server-side', '-f', f)).code).toBe(0);
    const get = await run('get', 'certificate', 'aio-broker-frontend-server-9883', '-n', NS);
    expect(get.stdout).toMatch(/aio-broker-frontend-server-9883\s+False\s+aio-broker-frontend-server-9883/);
    // cert-manager: the Certificate only says its Secret does not exist yet; why is on the CertificateRequest.
    const d = await run('describe', 'certificate', 'aio-broker-frontend-server-9883', '-n', NS);
    expect(d.stdout).toContain('Issuing certificate as Secret does not exist');
    expect(d.stdout).toMatch(/Reason:\s+DoesNotExist/);
    expect(d.stdout).not.toContain('not found');
    const cr = await run('describe', 'certificaterequest', 'aio-broker-frontend-server-9883-1', '-n', NS);
    expect(cr.stdout).toContain('Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io "nope" not found');
    expect(cr.stdout).toMatch(/Reason:\s+Pending/);
  });

  it('deletes, then reports NotFound as kubectl prints it', async () => {
    const del = await run('delete', 'brokerlistener', 'lb', '-n', NS);
    expect(del).toMatchObject({ code: 0, stdout: 'brokerlistener.mqttbroker.iotoperations.azure.com "lb" deleted\n' });
    const get = await run('get', 'brokerlistener', 'lb', '-n', NS);
    expect(get.code).toBe(1);
    expect(get.stderr).toBe('Error from server (NotFound): brokerlisteners.mqttbroker.iotoperations.azure.com "lb" not found\n');
    // the listener's service went with it (owner references)
    expect((await run('get', 'svc', 'lb', '-n', NS)).code).toBe(1);
  });

  it('creates a token with an audience and reviews it with a TokenReview', async () => {
    const tok = await run('create', 'token', 'default', '-n', NS, '--audience', 'aio-internal');
    expect(tok.code).toBe(0);
    const token = tok.stdout.trim();
    const review = await file('review.yaml', `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${token}\n  audiences: [aio-internal]\n`);
    const out = await run('create', '-f', review, '-o', 'yaml');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/authenticated: true/);
    expect(out.stdout).toContain('username: system:serviceaccount:azure-iot-operations:default');
    const other = await file('review2.yaml', `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${token}\n  audiences: [other]\n`);
    const denied = await run('create', '-f', other, '-o', 'jsonpath={.status.authenticated}');
    expect(denied.stdout).toBe('');
    // an aio-internal token is not valid for the API server itself
    const asApi = await run('--token', token, 'get', 'ns');
    expect(asApi.stderr).toBe('error: You must be logged in to the server (Unauthorized)\n');
  });

  it('prints 401, 403, 409 and 422 the way kubectl prints them', async () => {
    const unauth = await run('--token', 'bogus', 'get', 'secrets', '-n', NS);
    expect(unauth).toMatchObject({ code: 1, stderr: 'error: You must be logged in to the server (Unauthorized)\n' });
    const viewerCfg = join(dir, 'viewer.yaml');
    await emu.writeKubeconfig(viewerCfg, { token: emu.viewerToken });
    const viewer = (...args: string[]): Promise<KubectlResult> => kubectl(args, { kubeconfig: viewerCfg, home: dir });
    expect((await viewer('get', 'configmaps', '-n', NS)).code).toBe(0);
    expect((await viewer('auth', 'can-i', 'list', 'brokerlisteners.mqttbroker.iotoperations.azure.com', '-n', NS)).stdout).toBe('yes\n');
    expect((await viewer('auth', 'can-i', 'create', 'secrets', '-n', NS)).stdout).toBe('no\n');
    const forbidden = await viewer('delete', 'configmap', 'clients42-ca', '-n', NS);
    expect(forbidden.stderr).toBe('Error from server (Forbidden): configmaps "clients42-ca" is forbidden: User "viewer" cannot delete resource "configmaps" in API group "" in the namespace "azure-iot-operations"\n');

    const cmFile = join(dir, 'cm.yaml');
    await writeFile(cmFile, (await run('get', 'configmap', 'clients42-ca', '-n', NS, '-o', 'yaml')).stdout);
    expect((await run('annotate', 'configmap', 'clients42-ca', '-n', NS, 'touched=yes')).code).toBe(0);
    const stale = await run('replace', '-f', cmFile);
    expect(stale.stderr).toBe(`Error from server (Conflict): error when replacing "${cmFile}": Operation cannot be fulfilled on configmaps "clients42-ca": the object has been modified; please apply your changes to the latest version and try again\n`);

    const bad = await file('bad.yaml', listenerYaml('bad', '  serviceType: NodePort\n  ports:\n  - port: 1883\n    nodePort: 70000\n'));
    const invalid = await run('apply', '--server-side', '-f', bad);
    expect(invalid.stderr).toBe('The BrokerListener "bad" is invalid: spec.ports[0].nodePort: Invalid value: 70000: spec.ports[0].nodePort in body should be less than or equal to 65535\n');
    const unknownEnum = await file('enum.yaml', listenerYaml('enum', '  serviceType: Ingress\n  ports:\n  - port: 1884\n'));
    expect((await run('apply', '--server-side', '-f', unknownEnum)).stderr).toContain('spec.serviceType: Unsupported value: "Ingress": supported values: "ClusterIp", "LoadBalancer", "NodePort"');
    const noKey = await run('create', 'secret', 'generic', 'half-tls', '--type', 'kubernetes.io/tls', '--from-literal=tls.crt=x', '-n', NS);
    expect(noKey.stderr).toBe('error: failed to create secret Secret "half-tls" is invalid: data[tls.key]: Required value\n');
  });

  it('accepts what a real v1 cluster accepts: enums in other case and a nodePort of 80 on the CR', async () => {
    const f = await file('lenient.yaml', listenerYaml('lenient', '  serviceType: loadBalancer\n  ports:\n  - port: 1885\n    nodePort: 80\n    tls:\n      mode: automatic\n      certManagerCertificateSpec:\n        issuerRef: {name: azure-iot-operations-aio-certificate-issuer, kind: ClusterIssuer, group: cert-manager.io}\n'));
    const r = await run('apply', '--server-side', '-f', f);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('brokerlistener.mqttbroker.iotoperations.azure.com/lenient serverside-applied\n');
    const stored = emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, 'lenient') as { spec: { serviceType: string } };
    expect(stored.spec.serviceType).toBe('loadBalancer');
    // The operator reads `automatic` as Automatic and asks cert-manager for the certificate.
    expect(emu.getObject('cert-manager.io/v1', 'Certificate', NS, 'aio-broker-frontend-server-1885')).toBeDefined();
    expect((await run('delete', 'brokerlistener', 'lenient', '-n', NS)).code).toBe(0);
  });

  it('refuses unknown fields as a structural CRD does: server-side apply always, create only with --validate=strict', async () => {
    const withUnknown = listenerYaml('unknown-field', '  serviceType: ClusterIp\n  ports:\n  - port: 1886\n    additionalValidation: true\n');
    const f = await file('unknown.yaml', withUnknown);
    const ssa = await run('apply', '--server-side', '--validate=strict', '-f', f);
    expect(ssa.code).toBe(1);
    expect(ssa.stderr).toBe(`Error from server: failed to create typed patch object (${NS}/unknown-field; mqttbroker.iotoperations.azure.com/v1, Kind=BrokerListener): .spec.ports[0].additionalValidation: field not declared in schema\n`);
    const strict = await run('create', '--validate=strict', '-f', f);
    expect(strict.stderr).toBe(`Error from server (BadRequest): error when creating "${f}": BrokerListener in version "v1" cannot be handled as a BrokerListener: strict decoding error: unknown field "spec.ports[0].additionalValidation"\n`);
    expect(emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, 'unknown-field')).toBeUndefined();
    // kubectl's --validate=warn (and no flag at all, the server's default) stores the object pruned and prints the warning.
    const warn = await run('create', '--validate=warn', '-f', f);
    expect(warn.code).toBe(0);
    expect(warn.stderr).toBe('Warning: unknown field "spec.ports[0].additionalValidation"\n');
    const stored = emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, 'unknown-field') as { spec: { ports: Array<Record<string, unknown>> } };
    expect(stored.spec.ports[0]).not.toHaveProperty('additionalValidation');
    expect((await run('delete', 'brokerlistener', 'unknown-field', '-n', NS)).code).toBe(0);
  });

  it('applies with --dry-run=server without storing', async () => {
    const f = await file('dry.yaml', listenerYaml('dry', '  serviceType: ClusterIp\n  ports:\n  - port: 2883\n'));
    const out = await run('apply', '--server-side', '--dry-run=server', '-f', f);
    expect(out.stdout).toBe('brokerlistener.mqttbroker.iotoperations.azure.com/dry serverside-applied (server dry run)\n');
    expect(emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, 'dry')).toBeUndefined();
  });
});
