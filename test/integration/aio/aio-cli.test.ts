import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aioCli, aioCliLab } from './aio-cli-fixture';

const NS = 'azure-iot-operations';
const AIO = 'mqttbroker.iotoperations.azure.com/v1';

/** Runs `fieldbench …` in this process (the command is the same code the bin runs), stdin not a terminal. */
const cli = aioCli;

describe('fieldbench aio listeners|apply|diagnose|trust-bundle', () => {
  const lab = aioCliLab('fb-aio-cli-');

  it('lists the default listener, its certificate and the trust bundle', async () => {
    const r = await cli(['listeners', '--node', 'edge-01'], lab.dataDir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  default (default)  ClusterIp  service aio-broker');
    expect(r.stdout).toContain('    port 18883  Mqtt  TLS Automatic (ClusterIssuer azure-iot-operations-aio-certificate-issuer)  auth default  authz none');
    expect(r.stdout).toContain('ConfigMap azure-iot-operations-aio-ca-trust-bundle key ca.crt  client-trust  CN = Azure IoT Operations Quickstart Root CA - Not for Production');
  });

  it('applies the seed 001 flow from flags, only with --yes when there is no terminal, then reports it unchanged', async () => {
    const flags = ['apply', '--node', 'edge-01', '--server-cert', 'mqtts-endpoint', '--client-ca', 'Clients42 Root CA', '--listener-port', '8883', '--service-type', 'LoadBalancer', '--service-name', 'loadbalancer-listener-service'];
    const dry = await cli([...flags, '--dry-run'], lab.dataDir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('# BrokerListener loadbalancer-listener: create');
    expect(dry.stdout).not.toContain('PRIVATE KEY');
    const unconfirmed = await cli(flags, lab.dataDir);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('Nothing was applied. Pass --yes to apply without a terminal.');
    expect(lab.emu.getObject(AIO, 'BrokerListener', NS, 'loadbalancer-listener')).toBeUndefined();

    const applied = await cli([...flags, '--yes', '--json'], lab.dataDir);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout) as { complete: boolean; resources: Array<{ ref: { kind: string; name: string }; outcome: string }> };
    expect(result.complete).toBe(true);
    expect(result.resources.map((x) => `${x.ref.kind}/${x.ref.name}:${x.outcome}`)).toEqual([
      'Secret/broker-server-cert:applied',
      'ConfigMap/clients42-ca:applied',
      'BrokerAuthentication/x509-policy:applied',
      'BrokerListener/loadbalancer-listener:applied',
    ]);
    const again = await cli([...flags, '--yes'], lab.dataDir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('All 4 resources were already as asked; nothing changed.');
  });

  it('applies a spec file, and refuses a conflicting one without --force', async () => {
    const spec = join(lab.dir, 'nodeport.yaml');
    writeFileSync(spec, 'listeners:\n  - name: nodeport-listener\n    serviceType: NodePort\n    ports:\n      - port: 1883\n        nodePort: 31883\n');
    const r = await cli(['apply', '--node', 'edge-01', '--spec', spec, '--yes'], lab.dataDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Applied 1 of 1 resources.');
    await lab.emu.putObject({ apiVersion: AIO, kind: 'BrokerListener', metadata: { name: 'nodeport-listener', namespace: NS }, spec: { brokerRef: 'default', serviceType: 'NodePort', ports: [{ port: 1883, nodePort: 31884, protocol: 'Mqtt' }] } }, 'azure-portal');
    const conflict = await cli(['apply', '--node', 'edge-01', '--spec', spec, '--yes'], lab.dataDir);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('run again with --force to take them over');
    expect((await cli(['apply', '--node', 'edge-01', '--spec', spec, '--yes', '--force'], lab.dataDir)).code).toBe(0);
  });

  it('diagnoses with exit 1 on errors, imports the trust bundle, and explains wrong usage', async () => {
    await lab.emu.putObject({ apiVersion: AIO, kind: 'BrokerListener', metadata: { name: 'loadbalancer-listener', namespace: NS }, spec: { brokerRef: 'default', serviceType: 'LoadBalancer', ports: [{ port: 8883, protocol: 'Mqtt', tls: { mode: 'Automatic', certManagerCertificateSpec: { issuerRef: { name: 'aio-tls-issuer', kind: 'Issuer', group: 'cert-manager.io' } } } }] } }, 'azure-portal');
    const d = await cli(['diagnose', '--node', 'edge-01'], lab.dataDir);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/ERROR {2}Listener loadbalancer-listener port 8883 asks Issuer aio-tls-issuer .* clients will see ECONNRESET during the handshake\.\n {2}Fix: Point port 8883 at ClusterIssuer azure-iot-operations-aio-certificate-issuer/);
    const t = await cli(['trust-bundle', '--node', 'edge-01'], lab.dataDir);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^Imported 1 certificate from ConfigMap azure-iot-operations-aio-ca-trust-bundle \(key ca\.crt\) into the vault:/);
    expect((await cli(['listeners'], lab.dataDir)).code).toBe(2);
    expect((await cli(['frobnicate', '--node', 'edge-01'], lab.dataDir)).code).toBe(2);
    const missing = await cli(['listeners', '--node', 'nope'], lab.dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('There is no node called "nope" in the vault.');
  });
});
