import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyAlgorithm } from '@shared/pki-types';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';

/** A TLS server on loopback that requires client certificates, like an AIO listener with X.509 auth. */
function startServer(cert: string, key: string, clientCa: string): Promise<{ server: Server; port: number; accepted: string[] }> {
  const accepted: string[] = [];
  const server = createServer({ cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: true }, (socket) => {
    accepted.push(socket.getPeerCertificate().subject?.CN as string);
    socket.end('hello\n');
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, accepted })));
}

function tryConnect(port: number, opts: { cert: string; key: string; ca: string }): Promise<{ ok: boolean; data: string; error?: string }> {
  return new Promise((resolve) => {
    let data = '';
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ...opts, servername: undefined as unknown as string, minVersion: 'TLSv1.2' });
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve({ ok: data === 'hello\n', data }));
    socket.on('error', (e) => resolve({ ok: false, data, error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
}

describe.each(['ec-p256', 'rsa-2048'] as KeyAlgorithm[])('mutual TLS with Fieldbench certificates (%s)', (alg) => {
  const pki = new PkiService({ vault: new MemoryVaultStore() });
  let srv: Awaited<ReturnType<typeof startServer>>;
  let serverRoot: string;
  let good: { cert: string; key: string };
  let leafOnly: { cert: string; key: string };
  let foreign: { cert: string; key: string };

  beforeAll(async () => {
    const sRoot = await pki.createRoot({ subject: { commonName: 'AIO42 Root CA' }, keyAlgorithm: alg });
    const sInt = await pki.createIntermediate({ issuerId: sRoot.certificate.id, subject: { commonName: 'AIO42 Intermediate CA 1' }, keyAlgorithm: alg });
    const sLeaf = await pki.createServer({ issuerId: sInt.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: ['127.0.0.1', 'localhost'], keyAlgorithm: alg });
    const cRoot = await pki.createRoot({ subject: { commonName: 'Clients42 Root CA' }, keyAlgorithm: alg });
    const cInt = await pki.createIntermediate({ issuerId: cRoot.certificate.id, subject: { commonName: 'Clients42 Intermediate CA 1' }, keyAlgorithm: alg });
    const clients = await pki.createClients({ issuerId: cInt.certificate.id, prefix: 'client42', count: 1, keyAlgorithm: alg });
    const oRoot = await pki.createRoot({ subject: { commonName: 'Clients42 Root CA' }, keyAlgorithm: alg }); // same name, other key
    const oInt = await pki.createIntermediate({ issuerId: oRoot.certificate.id, subject: { commonName: 'Clients42 Intermediate CA 1' }, keyAlgorithm: alg });
    const other = await pki.createClients({ issuerId: oInt.certificate.id, clientIds: ['client42a'], keyAlgorithm: alg });
    const cid = clients.certificates[0]!.id;
    serverRoot = pki.exportCertificatePem(sRoot.certificate.id);
    good = { cert: pki.exportCertificatePem(cid, { chain: 'chain' }), key: pki.exportKey(cid) };
    leafOnly = { cert: pki.exportCertificatePem(cid), key: pki.exportKey(cid) };
    foreign = { cert: pki.exportCertificatePem(other.certificates[0]!.id, { chain: 'chain' }), key: pki.exportKey(other.certificates[0]!.id) };
    // the broker's secret: leaf then intermediate (tls.crt); the ConfigMap: the clients' root
    srv = await startServer(pki.exportCertificatePem(sLeaf.certificate.id, { chain: 'chain' }), pki.exportKey(sLeaf.certificate.id), pki.exportCertificatePem(cRoot.certificate.id));
  });

  afterAll(() => new Promise<void>((r) => srv.server.close(() => r())));

  it('accepts a client certificate sent with its intermediate', async () => {
    const r = await tryConnect(srv.port, { ...good, ca: serverRoot });
    expect(r).toMatchObject({ ok: true });
    expect(srv.accepted).toContain('client42a');
  });

  it('rejects a client certificate from another root with the same names', async () => {
    const r = await tryConnect(srv.port, { ...foreign, ca: serverRoot });
    expect(r.ok).toBe(false);
  });

  it('rejects a client that sends its leaf without the intermediate', async () => {
    const r = await tryConnect(srv.port, { ...leafOnly, ca: serverRoot });
    expect(r.ok).toBe(false);
  });

  it('the client rejects the server when it trusts another root', async () => {
    const r = await tryConnect(srv.port, { ...good, ca: pki.exportCertificatePem(pki.summaries().find((s) => s.commonName === 'Clients42 Root CA')!.id) });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
  });
});
