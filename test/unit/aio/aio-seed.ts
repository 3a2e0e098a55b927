/** Seed 000/001 material for the AIO tests: the vault chains and the specs the seeds build by hand. */
import type { ApplySpecInput } from '@shared/contract/aio-contract';
import { ApplySpec } from '@shared/contract/aio-contract';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';

export async function seedVault(opts: { serverSans?: string[] } = {}) {
  const vault = new MemoryVaultStore();
  const pki = new PkiService({ vault });
  const root = await pki.createRoot({ subject: { commonName: 'AIO42 Root CA' }, validity: { hours: 72000 } });
  const int = await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'AIO42 Intermediate CA 1' }, validity: { hours: 72000 }, clampToIssuer: true });
  const server = await pki.createServer({ issuerId: int.certificate.id, subject: { commonName: 'mqtts-endpoint' }, sans: opts.serverSans ?? ['192.168.2.196', '127.0.0.1'], validity: { hours: 72000 }, clampToIssuer: true });
  const croot = await pki.createRoot({ subject: { commonName: 'Clients42 Root CA' }, validity: { hours: 72000 } });
  const cint = await pki.createIntermediate({ issuerId: croot.certificate.id, subject: { commonName: 'Clients42 Intermediate CA 1' }, validity: { hours: 72000 }, clampToIssuer: true });
  const clients = await pki.createClients({ issuerId: cint.certificate.id, prefix: 'client42', count: 2, validity: { days: 825 } });
  return { vault, pki, root: root.certificate, int: int.certificate, server: server.certificate, croot: croot.certificate, cint: cint.certificate, clients: clients.certificates };
}

export type SeedVault = Awaited<ReturnType<typeof seedVault>>;

/** The seed 000 X.509 policy (Litmus Edge), as the portal JSON shows it. */
export const SEED_000_ATTRIBUTES = {
  intermediate: { attributes: { manufacturer: 'litmus edge' }, subject: 'CN = Litmus Edge Intermediate CA 1' },
  connector: { attributes: { group: 'connector_group' }, subject: 'CN = aiomqttconnector' },
};

/**
 * Seed 001: Secret broker-server-cert (leaf + intermediate), ConfigMap clients42-ca (client_ca.pem = the
 * Clients42 root), BrokerAuthentication x509-policy and the LoadBalancer listener on 8883 with Manual TLS.
 */
export function seed001Spec(s: SeedVault, extra: Partial<ApplySpecInput> = {}): ApplySpecInput {
  return {
    serverSecrets: [{ name: 'broker-server-cert', certificateId: s.server.id }],
    clientCas: [{ name: 'clients42-ca', certificateIds: [s.croot.id], include: 'selected' }],
    authentications: [{ name: 'x509-policy', methods: [{ method: 'X509', trustedClientCaCert: 'clients42-ca', authorizationAttributes: SEED_000_ATTRIBUTES }] }],
    listeners: [
      {
        name: 'loadbalancer-listener',
        serviceName: 'loadbalancer-listener-service',
        serviceType: 'LoadBalancer',
        ports: [{ port: 8883, authenticationRef: 'x509-policy', tls: { mode: 'Manual', secretName: 'broker-server-cert' } }],
      },
    ],
    ...extra,
  };
}

export const parseSpec = (s: ApplySpecInput) => ApplySpec.parse(s);
