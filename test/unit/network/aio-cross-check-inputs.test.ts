import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { AioDiscoveryT } from '@shared/contract/aio-contract';
import { listenersFromDiscovery, serverSecretsFromDiscovery, tlsCrtFromSecretYaml } from '../../../src/main/services/network/aio-cross-check-inputs';
import { crossCheck } from '../../../src/main/services/network/cross-checks';
import { noClusterRead } from '../../support/services/absent-areas';

/** A real server certificate for the cluster side, made by openssl with the node's old address only. */
function serverPem(ip: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-net-pem-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=aio-broker-frontend', '-addext', `subjectAltName=IP:${ip},DNS:aio-broker`], { stdio: 'ignore' });
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = (mode: 'None' | 'Automatic' | 'Manual', secretName?: string) => ({ mode, ...(secretName ? { secretName } : {}) });

const DISCOVERY: Pick<AioDiscoveryT, 'listeners' | 'services' | 'certificates' | 'namespace'> = {
  namespace: 'azure-iot-operations',
  listeners: [
    { name: 'default', namespace: 'azure-iot-operations', brokerRef: 'default', serviceName: 'aio-broker', serviceType: 'ClusterIp', isDefault: true, managers: [], ports: [{ port: 18883, protocol: 'Mqtt', tls: tls('Automatic') }] },
    { name: 'lb', namespace: 'azure-iot-operations', brokerRef: 'default', serviceName: 'aio-broker-lb', serviceType: 'LoadBalancer', isDefault: false, managers: [], ports: [{ port: 8883, protocol: 'Mqtt', tls: tls('Manual', 'broker-server-tls') }, { port: 1883, protocol: 'Mqtt', tls: tls('None') }] },
    { name: 'np', namespace: 'azure-iot-operations', brokerRef: 'default', serviceName: 'aio-broker-np', serviceType: 'NodePort', isDefault: false, managers: [], ports: [{ port: 1884, nodePort: 31884, protocol: 'Mqtt', tls: tls('None') }] },
  ],
  services: [
    { name: 'aio-broker', namespace: 'azure-iot-operations', type: 'ClusterIP', externalIps: [], ports: [{ port: 18883, protocol: 'TCP' }], listener: 'default' },
    { name: 'aio-broker-lb', namespace: 'azure-iot-operations', type: 'LoadBalancer', externalIps: ['192.168.2.50'], ports: [{ port: 8883, protocol: 'TCP' }] },
  ],
  certificates: [
    { name: 'aio-broker-frontend-server-18883', namespace: 'azure-iot-operations', secretName: 'aio-broker-frontend-server-18883', issuerRef: { name: 'x', kind: 'ClusterIssuer' }, ready: 'True', dnsNames: [], ipAddresses: [], listener: 'default' },
    { name: 'unrelated', namespace: 'azure-iot-operations', secretName: 'other', issuerRef: { name: 'x', kind: 'Issuer' }, ready: 'True', dnsNames: [], ipAddresses: [] },
  ],
};

describe('cross-check inputs from the AIO discovery', () => {
  it('turns listeners into service type, ports (nodePort kept) and the external IPs of their Service', () => {
    expect(listenersFromDiscovery(DISCOVERY)).toEqual([
      { name: 'default', serviceType: 'ClusterIp', ports: [{ port: 18883 }] },
      { name: 'lb', serviceType: 'LoadBalancer', externalIps: ['192.168.2.50'], ports: [{ port: 8883 }, { port: 1883 }] },
      { name: 'np', serviceType: 'NodePort', ports: [{ port: 1884, nodePort: 31884 }] },
    ]);
  });

  it('names the Secrets that hold listener server certificates (Manual secretRef, cert-manager for a listener), not others', () => {
    expect(serverSecretsFromDiscovery(DISCOVERY)).toEqual([
      { kind: 'Secret', name: 'broker-server-tls', namespace: 'azure-iot-operations' },
      { kind: 'Secret', name: 'aio-broker-frontend-server-18883', namespace: 'azure-iot-operations' },
    ]);
  });

  it('reads tls.crt from a read-back Secret and feeds a real check: the SAN and LoadBalancer warnings for the new address', async () => {
    const pem = serverPem('192.168.2.50');
    const yaml = stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'broker-server-tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(pem).toString('base64'), 'tls.key': '<hidden: sha256 0123456789ab>' } }, { lineWidth: 0 });
    const read = tlsCrtFromSecretYaml(yaml);
    expect(read).toBe(pem);
    expect(tlsCrtFromSecretYaml(yaml.replace(/tls\.crt: .*/, 'tls.crt: bm90IGEgY2VydA=='))).toBeUndefined();

    const report = await crossCheck({ address: '192.168.2.196', clusterCertificates: [{ name: 'Secret broker-server-tls', pem: read! }], listeners: listenersFromDiscovery(DISCOVERY), checkReachability: false, timeoutMs: 500 }, undefined, noClusterRead);
    expect(report.certificates).toEqual([expect.objectContaining({ source: 'cluster', valid: false, name: 'Secret broker-server-tls' })]);
    expect(report.listeners.find((l) => l.name === 'lb')).toMatchObject({ ok: false });
    expect(report.listeners.find((l) => l.name === 'lb')?.message).toContain('192.168.2.50');
    expect(report.warnings).toBe(2);
  });
});
