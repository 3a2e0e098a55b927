/** The emulator over raw HTTPS: Status bodies byte for byte, apply semantics, faults, watch, the CLI. */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultAioPreload, startKubeEmulator, type JsonObject, type KubeEmulator } from '../../support/kube/kube-emulator.js';

const NS = 'azure-iot-operations';
const AIO = '/apis/mqttbroker.iotoperations.azure.com/v1';
const APPLY = 'application/apply-patch+yaml';

interface Reply {
  status: number;
  body: JsonObject;
  raw: string;
  headers: IncomingHttpHeaders;
}

function call(emu: KubeEmulator, method: string, path: string, opts: { body?: unknown; contentType?: string; token?: string | null; cert?: { cert: string; key: string } } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = opts.token === undefined ? emu.adminToken : opts.token;
    if (token) headers['authorization'] = `Bearer ${token}`;
    const data = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (data !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const req = request(`${emu.url}${path}`, { method, ca: emu.caPem, headers, ...(opts.cert ? { cert: opts.cert.cert, key: opts.cert.key } : {}) }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw, headers: res.headers, body: raw ? (JSON.parse(raw) as JsonObject) : {} }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const listener = (name: string, spec: JsonObject): JsonObject => ({ apiVersion: 'mqttbroker.iotoperations.azure.com/v1', kind: 'BrokerListener', metadata: { name, namespace: NS }, spec: { brokerRef: 'default', ...spec } });
const cm = (name: string, data: Record<string, string>, extra: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, ...extra }, data });
const meta = (o: JsonObject): JsonObject => o['metadata'] as JsonObject;

describe('kube emulator over HTTPS', () => {
  let emu: KubeEmulator;

  beforeAll(async () => {
    emu = await startKubeEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('answers an anonymous request with the exact 401 Status, and serves /version anonymously', async () => {
    const r = await call(emu, 'GET', '/api/v1/namespaces', { token: null });
    expect(r.status).toBe(401);
    expect(r.raw).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}');
    const v = await call(emu, 'GET', '/version', { token: null });
    expect(v.body['gitVersion']).toMatch(/^v1\.32\./);
  });

  it('authenticates client certificates by CN and O', async () => {
    const admin = await emu.issueClientCertificate('alice', ['system:masters']);
    expect((await call(emu, 'GET', '/api/v1/namespaces', { token: null, cert: admin })).status).toBe(200);
    const plain = await emu.issueClientCertificate('bob');
    const r = await call(emu, 'GET', '/api/v1/namespaces', { token: null, cert: plain });
    expect(r.status).toBe(403);
    expect(r.body['message']).toBe('namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope');
  });

  it('serves discovery for the AIO and cert-manager groups', async () => {
    const groups = (await call(emu, 'GET', '/apis')).body['groups'] as Array<{ name: string }>;
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['mqttbroker.iotoperations.azure.com', 'cert-manager.io', 'authentication.k8s.io']));
    const aio = (await call(emu, 'GET', AIO)).body['resources'] as Array<{ name: string; kind: string; namespaced: boolean }>;
    expect(aio.filter((r) => !r.name.includes('/')).map((r) => r.kind)).toEqual(['Broker', 'BrokerListener', 'BrokerAuthentication', 'BrokerAuthorization']);
    const core = (await call(emu, 'GET', '/api/v1')).body['resources'] as Array<{ name: string }>;
    expect(core.map((r) => r.name)).toContain('serviceaccounts/token');
  });

  it('updates with resourceVersion and answers a stale one with 409 Conflict', async () => {
    const created = await call(emu, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: cm('rv-test', { a: '1' }) });
    expect(created.status).toBe(201);
    const rv = meta(created.body)['resourceVersion'] as string;
    const ok = await call(emu, 'PUT', `/api/v1/namespaces/${NS}/configmaps/rv-test`, { body: cm('rv-test', { a: '2' }, { resourceVersion: rv }) });
    expect(ok.status).toBe(200);
    expect(Number(meta(ok.body)['resourceVersion'])).toBeGreaterThan(Number(rv));
    const stale = await call(emu, 'PUT', `/api/v1/namespaces/${NS}/configmaps/rv-test`, { body: cm('rv-test', { a: '3' }, { resourceVersion: rv }) });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "rv-test": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'rv-test', kind: 'configmaps' },
    });
    // custom resources insist on a resourceVersion for PUT
    const noRv = await call(emu, 'PUT', `${AIO}/namespaces/${NS}/brokerlisteners/default`, { body: listener('default', { ports: [{ port: 18883 }] }) });
    expect(noRv.status).toBe(422);
    expect(noRv.body['message']).toBe('BrokerListener.mqttbroker.iotoperations.azure.com "default" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
  });

  it('filters lists by label and field selectors', async () => {
    await call(emu, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: cm('sel-a', {}, { labels: { app: 'fieldbench', tier: 'x' } }) });
    await call(emu, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: cm('sel-b', {}, { labels: { app: 'other' } }) });
    const names = async (q: string): Promise<string[]> => ((await call(emu, 'GET', `/api/v1/namespaces/${NS}/configmaps?${q}`)).body['items'] as JsonObject[]).map((o) => meta(o)['name'] as string);
    expect(await names('labelSelector=app%3Dfieldbench')).toEqual(['sel-a']);
    expect(await names('labelSelector=app%20in%20(fieldbench,other),!tier')).toEqual(['sel-b']);
    expect(await names('fieldSelector=metadata.name%3Dsel-b')).toEqual(['sel-b']);
  });

  it('server-side apply: shared ownership, removal of fields no longer applied, updaters named with their version', async () => {
    const url = `/api/v1/namespaces/${NS}/configmaps/ssa?fieldManager=`;
    expect((await call(emu, 'PATCH', `${url}a`, { body: cm('ssa', { x: '1', y: '1' }), contentType: APPLY })).status).toBe(201);
    // b applies the same value for x: no conflict, both own it
    expect((await call(emu, 'PATCH', `${url}b`, { body: cm('ssa', { x: '1', z: '1' }), contentType: APPLY })).status).toBe(200);
    // a stops applying x and y: y goes (only a had it), x stays (b still owns it)
    const a2 = await call(emu, 'PATCH', `${url}a`, { body: cm('ssa', {}), contentType: APPLY });
    expect(a2.body['data']).toEqual({ x: '1', z: '1' });
    // an Update by kubectl-edit takes z; a later apply that changes z conflicts with it, named "using v1"
    const put = await call(emu, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/ssa?fieldManager=kubectl-edit`, { body: { data: { z: '2' } }, contentType: 'application/merge-patch+json' });
    expect(put.status).toBe(200);
    const conflict = await call(emu, 'PATCH', `${url}b`, { body: cm('ssa', { x: '1', z: '3' }), contentType: APPLY });
    expect(conflict.status).toBe(409);
    expect(conflict.body['message']).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.z');
    expect(conflict.body['details']).toEqual({ causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using v1', field: '.data.z' }] });
    const missing = await call(emu, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/ssa`, { body: cm('ssa', {}), contentType: APPLY });
    expect(missing.status).toBe(422);
    expect(missing.body['message']).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  it('reconciles a listener with a Ready certificate signed by the AIO CA with the SANs of the spec', async () => {
    const body = listener('lb-sans', {
      serviceType: 'LoadBalancer',
      ports: [{ port: 8884, tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' }, san: { ip: ['10.0.0.4'], dns: ['edge.local'] } } } }],
    });
    expect((await call(emu, 'PATCH', `${AIO}/namespaces/${NS}/brokerlisteners/lb-sans?fieldManager=fieldbench`, { body, contentType: APPLY })).status).toBe(201);
    const secret = emu.getObject('v1', 'Secret', NS, 'aio-broker-frontend-server-8884') as { data: Record<string, string> };
    const leaf = new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64'));
    expect(leaf.checkIssued(new X509Certificate(emu.aioRootCa.cert))).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:edge.local');
    expect(leaf.subjectAltName).toContain('IP Address:10.0.0.4');
    const svc = emu.getObject('v1', 'Service', NS, 'lb-sans') as { status: { loadBalancer: { ingress: Array<{ ip: string }> } } };
    expect(svc.status.loadBalancer.ingress[0]?.ip).toBe('127.0.0.1');
  });

  it('leaves a Service to the listener that controls it, and servicelb gives no ingress to a port another LoadBalancer holds', async () => {
    const put = (name: string, spec: JsonObject) => call(emu, 'PATCH', `${AIO}/namespaces/${NS}/brokerlisteners/${name}?fieldManager=fieldbench`, { body: listener(name, spec), contentType: APPLY });
    onTestFinished(async () => {
      for (const n of ['svc-owner', 'svc-second', 'lb-holder', 'lb-pending']) await emu.deleteObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, n);
      for (const n of ['shared-svc', 'lb-holder', 'lb-pending']) await emu.deleteObject('v1', 'Service', NS, n);
    });
    expect((await put('svc-owner', { serviceName: 'shared-svc', serviceType: 'LoadBalancer', ports: [{ port: 9883 }] })).status).toBe(201);
    expect((await put('svc-second', { serviceName: 'shared-svc', serviceType: 'NodePort', ports: [{ port: 9884, nodePort: 31884 }] })).status).toBe(201);
    const shared = emu.getObject('v1', 'Service', NS, 'shared-svc') as { spec: { type: string; ports: Array<{ port: number }> }; metadata: { ownerReferences: Array<{ name: string }> } };
    expect(shared.spec.type).toBe('LoadBalancer');
    expect(shared.spec.ports.map((p) => p.port)).toEqual([9883]);
    expect(shared.metadata.ownerReferences.map((r) => r.name)).toEqual(['svc-owner']);

    expect((await put('lb-holder', { serviceType: 'LoadBalancer', ports: [{ port: 9885 }] })).status).toBe(201);
    expect((await put('lb-pending', { serviceType: 'LoadBalancer', ports: [{ port: 9885 }] })).status).toBe(201);
    const ingress = (name: string) => (emu.getObject('v1', 'Service', NS, name) as { status: { loadBalancer: { ingress?: unknown[] } } }).status.loadBalancer.ingress;
    expect(ingress('lb-holder')).toHaveLength(1);
    expect(ingress('lb-pending')).toBeUndefined();
  });

  it('writes cert-manager\'s conditions: the Certificate waits (DoesNotExist, Issuing), its request says the issuer is missing, then both turn Ready', async () => {
    const body = listener('late-issuer', { ports: [{ port: 8885, tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'late', kind: 'Issuer', group: 'cert-manager.io' } } } }] });
    expect((await call(emu, 'PATCH', `${AIO}/namespaces/${NS}/brokerlisteners/late-issuer?fieldManager=fieldbench`, { body, contentType: APPLY })).status).toBe(201);
    const conds = (kind: string, name: string): JsonObject[] => ((emu.getObject('cert-manager.io/v1', kind, NS, name)?.['status'] as JsonObject | undefined)?.['conditions'] as JsonObject[] | undefined) ?? [];
    const cert = (): JsonObject[] => conds('Certificate', 'aio-broker-frontend-server-8885');
    const waiting = { reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' };
    expect(cert()).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', ...waiting }), expect.objectContaining({ type: 'Issuing', status: 'True', ...waiting })]);
    const request = conds('CertificateRequest', 'aio-broker-frontend-server-8885-1');
    expect(request).toEqual([
      expect.objectContaining({ type: 'Approved', status: 'True', reason: 'cert-manager.io' }),
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Pending', message: 'Referenced "Issuer" not found: issuer.cert-manager.io "late" not found' }),
    ]);
    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'late', namespace: NS }, spec: { selfSigned: {} } };
    expect((await call(emu, 'POST', `/apis/cert-manager.io/v1/namespaces/${NS}/issuers`, { body: issuer })).status).toBe(201);
    expect(cert()).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' })]);
    expect(conds('CertificateRequest', 'aio-broker-frontend-server-8885-1')[1]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully' });
  });

  it('an issuer that exists but is not Ready leaves the request Pending with cert-manager\'s IssuerNotReady message', async () => {
    await emu.putObject({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'no-ca', namespace: NS }, spec: { ca: { secretName: 'missing-ca' } } });
    const body = listener('unready-issuer', { ports: [{ port: 8886, tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'no-ca', kind: 'Issuer', group: 'cert-manager.io' } } } }] });
    expect((await call(emu, 'PATCH', `${AIO}/namespaces/${NS}/brokerlisteners/unready-issuer?fieldManager=fieldbench`, { body, contentType: APPLY })).status).toBe(201);
    const issuer = emu.getObject('cert-manager.io/v1', 'Issuer', NS, 'no-ca') as { status: { conditions: JsonObject[] } };
    expect(issuer.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'ErrGetKeyPair' });
    const cr = emu.getObject('cert-manager.io/v1', 'CertificateRequest', NS, 'aio-broker-frontend-server-8886-1') as { status: { conditions: JsonObject[] } };
    expect(cr.status.conditions[1]).toMatchObject({ type: 'Ready', status: 'False', reason: 'Pending', message: 'Referenced issuer does not have a Ready status condition' });
  });

  it('field validation: Strict refuses, Warn (the default) and Ignore prune unknown fields; apply always refuses them', async () => {
    const body = listener('fv', { serviceType: 'ClusterIp', ports: [{ port: 8887, tls: { mode: 'Automatic', automatic: true, certManagerCertificateSpec: { issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } }], extra: 1 });
    const strict = await call(emu, 'POST', `${AIO}/namespaces/${NS}/brokerlisteners?fieldValidation=Strict`, { body });
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({ reason: 'BadRequest', message: 'BrokerListener in version "v1" cannot be handled as a BrokerListener: strict decoding error: unknown field "spec.extra", unknown field "spec.ports[0].tls.automatic"' });
    const apply = await call(emu, 'PATCH', `${AIO}/namespaces/${NS}/brokerlisteners/fv?fieldManager=fieldbench&fieldValidation=Ignore`, { body, contentType: APPLY });
    expect(apply.status).toBe(500);
    expect(apply.body['reason']).toBeUndefined();
    expect(apply.body['message']).toBe(`failed to create typed patch object (${NS}/fv; mqttbroker.iotoperations.azure.com/v1, Kind=BrokerListener): errors:\n  .spec.extra: field not declared in schema\n  .spec.ports[0].tls.automatic: field not declared in schema`);
    const warned = await call(emu, 'POST', `${AIO}/namespaces/${NS}/brokerlisteners`, { body });
    expect(warned.status).toBe(201);
    expect(warned.headers['warning']).toBe('299 - "unknown field \\"spec.extra\\"", 299 - "unknown field \\"spec.ports[0].tls.automatic\\""');
    const stored = emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, 'fv') as { spec: { ports: Array<{ tls: JsonObject }> } };
    expect(stored.spec).not.toHaveProperty('extra');
    expect(stored.spec.ports[0]!.tls).toEqual({ mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'azure-iot-operations-aio-certificate-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } });
    const put = await call(emu, 'PUT', `${AIO}/namespaces/${NS}/brokerlisteners/fv?fieldValidation=Ignore`, { body: { ...body, metadata: { ...meta(body), resourceVersion: meta(stored as never)['resourceVersion'] } } });
    expect(put.status).toBe(200);
    expect(put.headers['warning']).toBeUndefined();
    expect((await call(emu, 'POST', `${AIO}/namespaces/${NS}/brokerlisteners?fieldValidation=Loose`, { body })).status).toBe(400);
  });

  it('requires what the REST spec requires', async () => {
    const body = listener('req', { ports: [{ port: 8888, tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'x' }, privateKey: { algorithm: 'Ec256' }, san: { dns: ['a'] } } } }] });
    const r = await call(emu, 'PATCH', `${AIO}/namespaces/${NS}/brokerlisteners/req?fieldManager=fieldbench`, { body, contentType: APPLY });
    expect(r.status).toBe(422);
    const fields = ((r.body['details'] as JsonObject)['causes'] as JsonObject[]).map((c) => c['field']);
    expect(fields).toEqual([
      'spec.ports[0].tls.certManagerCertificateSpec.issuerRef.group',
      'spec.ports[0].tls.certManagerCertificateSpec.issuerRef.kind',
      'spec.ports[0].tls.certManagerCertificateSpec.privateKey.rotationPolicy',
      'spec.ports[0].tls.certManagerCertificateSpec.san.ip',
    ]);
    const authn = { apiVersion: 'mqttbroker.iotoperations.azure.com/v1', kind: 'BrokerAuthentication', metadata: { name: 'sat', namespace: NS }, spec: { authenticationMethods: [{ method: 'ServiceAccountToken', serviceAccountTokenSettings: {} }, { method: 'X509', x509Settings: { authorizationAttributes: { a: { subject: 'CN = x' } } } }] } };
    const a = await call(emu, 'POST', `${AIO}/namespaces/${NS}/brokerauthentications`, { body: authn });
    expect(((a.body['details'] as JsonObject)['causes'] as JsonObject[]).map((c) => c['field'])).toEqual(['spec.authenticationMethods[0].serviceAccountTokenSettings.audiences', 'spec.authenticationMethods[1].x509Settings.authorizationAttributes.a.attributes']);
    const authz = { apiVersion: 'mqttbroker.iotoperations.azure.com/v1', kind: 'BrokerAuthorization', metadata: { name: 'authz', namespace: NS }, spec: { authorizationPolicies: { rules: [{}] } } };
    const z = await call(emu, 'POST', `${AIO}/namespaces/${NS}/brokerauthorizations`, { body: authz });
    expect(((z.body['details'] as JsonObject)['causes'] as JsonObject[]).map((c) => c['field'])).toEqual(['spec.authorizationPolicies.rules[0].brokerResources', 'spec.authorizationPolicies.rules[0].principals']);
  });

  it('injects failures, conflicts and dropped connections', async () => {
    onTestFinished(() => emu.faults.clear());
    emu.faults.failNext(1, 503);
    const failed = await call(emu, 'GET', `/api/v1/namespaces/${NS}/configmaps`);
    expect(failed).toMatchObject({ status: 503, body: { reason: 'ServiceUnavailable', code: 503 } });
    expect((await call(emu, 'GET', `/api/v1/namespaces/${NS}/configmaps`)).status).toBe(200);

    emu.faults.conflictNext();
    const c = await call(emu, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/sel-a`, { body: { data: { k: 'v' } }, contentType: 'application/merge-patch+json' });
    expect(c.status).toBe(409);
    expect(emu.getObject('v1', 'ConfigMap', NS, 'sel-a')?.['data']).toEqual({});

    // a three-object apply whose second write is processed but its answer never arrives
    emu.faults.dropNext({ skip: 1, when: 'after', match: (r) => r.method === 'PATCH' });
    const results: string[] = [];
    for (const name of ['multi-1', 'multi-2', 'multi-3']) {
      try {
        results.push(String((await call(emu, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/${name}?fieldManager=fieldbench`, { body: cm(name, { n: name }), contentType: APPLY })).status));
      } catch (err) {
        results.push((err as NodeJS.ErrnoException).code ?? 'error');
      }
    }
    expect(results).toEqual(['201', 'ECONNRESET', '201']);
    expect(emu.getObject('v1', 'ConfigMap', NS, 'multi-2')).toBeDefined();
    // re-running finishes without duplicates or conflicts
    const again = await call(emu, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/multi-2?fieldManager=fieldbench`, { body: cm('multi-2', { n: 'multi-2' }), contentType: APPLY });
    expect(again.status).toBe(200);

    emu.faults.dropNext({ when: 'before' });
    await expect(call(emu, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: cm('never', {}) })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(emu.getObject('v1', 'ConfigMap', NS, 'never')).toBeUndefined();
  });

  it('streams watch events', async () => {
    const events: string[] = [];
    let writes: Promise<unknown> = Promise.resolve();
    await new Promise<void>((resolve, reject) => {
      const req = request(`${emu.url}/api/v1/namespaces/${NS}/secrets?watch=true&fieldSelector=metadata.name%3Dwatched`, { ca: emu.caPem, headers: { authorization: `Bearer ${emu.adminToken}` } }, (res) => {
        let buf = '';
        res.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const ev = JSON.parse(buf.slice(0, i)) as { type: string };
            buf = buf.slice(i + 1);
            events.push(ev.type);
            if (ev.type === 'DELETED') {
              req.destroy();
              resolve();
            }
          }
        });
      });
      req.on('error', reject);
      req.end();
      req.on('response', () => {
        writes = (async () => {
          const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'watched', namespace: NS }, stringData: { a: 'b' } };
          await call(emu, 'POST', `/api/v1/namespaces/${NS}/secrets`, { body: secret });
          await call(emu, 'PATCH', `/api/v1/namespaces/${NS}/secrets/watched`, { body: { stringData: { a: 'c' } }, contentType: 'application/merge-patch+json' });
          await call(emu, 'DELETE', `/api/v1/namespaces/${NS}/secrets/watched`);
        })();
        writes.catch(reject);
      });
    });
    await writes;
    expect(events).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });
});

describe('kube emulator preload', () => {
  it('is a plain function that tests can alter', async () => {
    const emu = await startKubeEmulator({ preload: (ctx) => defaultAioPreload(ctx).filter((o) => o['kind'] !== 'BrokerListener') });
    try {
      expect(emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerListener', NS, 'default')).toBeUndefined();
      expect(emu.getObject('v1', 'Service', NS, 'aio-broker')).toBeUndefined();
      expect(emu.getObject('mqttbroker.iotoperations.azure.com/v1', 'BrokerAuthentication', NS, 'default')).toBeDefined();
    } finally {
      await emu.close();
    }
  });
});

describe('kube emulator CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes kubeconfig and ready, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/kube/kube-emulator-cli.ts', '--host', '127.0.0.1', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      for (let i = 0; i < 200 && !existsSync(join(dir, 'ready')); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(join(dir, 'ready')), stderr).toBe(true);
      const url = (await readFile(join(dir, 'ready'), 'utf8')).trim();
      const kubeconfig = await readFile(join(dir, 'kubeconfig.yaml'), 'utf8');
      expect(kubeconfig).toContain(`server: ${url}`);
      expect(kubeconfig).toContain('client-certificate-data:');
      const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
      const token = await readFile(join(dir, 'admin-token'), 'utf8');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${url}/api/v1/namespaces/azure-iot-operations`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
