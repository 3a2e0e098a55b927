import { describe, expect, it } from 'vitest';
import type { MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import { diagnoseMatrixRow, type KnownCertificate } from '../../../src/main/services/mqtt/matrix/listener-matrix-diagnosis';
import { ListenerMatrixService } from '../../../src/main/services/mqtt/matrix/listener-matrix-service';
import { MemoryVaultStore } from '../../../src/main/services/vault/memory-vault-store';

const target = (patch: Partial<MatrixTargetT> = {}): MatrixTargetT => ({
  id: 't1',
  label: 'loadbalancer-listener :8883',
  host: '192.168.2.197',
  port: 8883,
  tls: true,
  auth: { method: 'none' },
  mqttVersion: '5.0',
  route: { kind: 'direct' },
  notes: [],
  ...patch,
} as MatrixTargetT);

const chain = [
  { subject: 'CN = mqtts-endpoint', issuer: 'CN = AIO42 Root CA', sans: ['IP:192.168.2.196', 'DNS:mqtts-endpoint'], validFrom: '2026-01-01', validTo: '2027-01-01', fingerprint256: 'AA:BB' },
];
const failed = (code: string, message: string): MatrixRowT => ({
  targetId: 't1',
  ok: false,
  connect: { ok: false, error: { code, message } },
  tls: { verdict: 'failed', presentedChain: chain },
  auth: { method: 'none', verdict: 'notReached' },
  received: [],
  missing: [],
});
const root: KnownCertificate = { id: 'c-7b44aa01', commonName: 'AIO42 Root CA', subject: 'CN = AIO42 Root CA', fingerprintSha256: 'CC:DD', isCa: true, issuerId: 'c-7b44aa01' };
const leaf: KnownCertificate = { id: 'c-5e11bb02', commonName: 'mqtts-endpoint', subject: 'CN = mqtts-endpoint', fingerprintSha256: 'aabb', isCa: false, issuerId: root.id };
const knowledge = { vaultCas: [root], vaultCertificates: [root, leaf] };

// Issue 14: "a diagnosis tells the user to import a CA that is already in the vault while showing its
// internal id", and the SAN diagnosis offered no re-issue of the vault's own certificate.
describe('matrix diagnoses: fixes that act, names instead of ids', () => {
  it('offers "use this CA" when the issuer is in the vault, instead of telling to import it', () => {
    const d = diagnoseMatrixRow(target(), failed('mqtt.unknownCa', 'The broker certificate is signed by "AIO42 Root CA", which the vault CA c-5e11bb02 does not trust.'), [target()], { knowledge, cancelled: false });
    expect(d?.fixes.some((f) => /import it/i.test(f.label))).toBe(false);
    const use = d?.fixes.find((f) => f.action?.call === 'mqtt.useVaultCa');
    expect(use?.action).toEqual({ call: 'mqtt.useVaultCa', caId: root.id, name: 'AIO42 Root CA' });
    expect(d?.sentence).not.toMatch(/c-[0-9a-f]{6}/);
    expect(d?.sentence).toContain('"mqtts-endpoint"');
  });

  it('still says to import a CA the vault does not hold', () => {
    const d = diagnoseMatrixRow(target(), failed('mqtt.unknownCa', 'Unknown CA.'), [target()], { knowledge: { vaultCas: [], vaultCertificates: [] }, cancelled: false });
    expect(d?.fixes[0]?.label).toMatch(/import it into the vault/);
  });

  it('re-issues the vault certificate with the missing address added, for the node it serves', () => {
    const d = diagnoseMatrixRow(target(), failed('mqtt.nameNotInSans', 'The certificate does not list 192.168.2.197.'), [target()], { nodeId: 'n-1', knowledge, cancelled: false });
    expect(d?.fixes[0]?.action).toEqual({ call: 'pki.renew', id: leaf.id, sans: ['192.168.2.197', '192.168.2.196', 'mqtts-endpoint'], nodeId: 'n-1' });
    expect(d?.fixes[0]?.label).toContain('"mqtts-endpoint"');
  });

  it('names the refused client certificate', () => {
    const t = target({ auth: { method: 'x509', certificateId: leaf.id } as MatrixTargetT['auth'] });
    const d = diagnoseMatrixRow(t, failed('mqtt.clientCertificateRefused', 'Refused.'), [t], { knowledge, cancelled: false });
    expect(d?.sentence).toContain('"mqtts-endpoint"');
    expect(d?.sentence).not.toContain(leaf.id);
  });
});

describe('matrix endpoints typed by hand', () => {
  it('are kept in the vault per node and survive a new service (an app restart)', async () => {
    const vault = new MemoryVaultStore();
    const first = new ListenerMatrixService({ vault });
    const typed = [{ name: 'NodePort', host: '192.168.2.196', port: '31883', tls: true, x509: false }];
    await first.saveEndpointDrafts('n-1', typed);
    await first.saveEndpointDrafts(undefined, [{ name: '', host: 'broker.lab', port: '1883', tls: false, x509: false }]);
    const second = new ListenerMatrixService({ vault });
    expect(second.endpointDrafts('n-1')).toEqual(typed);
    expect(second.endpointDrafts('n-2')).toEqual([]);
    expect(second.endpointDrafts(undefined)[0]?.host).toBe('broker.lab');
    await second.saveEndpointDrafts('n-1', []);
    expect(second.endpointDrafts('n-1')).toEqual([]);
    expect(vault.saves.flat()).toContain('mqttMatrix');
  });
});
