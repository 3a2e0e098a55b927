import type { ApplySpecInput } from '@shared/contract/aio-contract';

/**
 * The seed 001 flow as one form: the broker's server certificate from the vault as a kubernetes.io/tls
 * Secret, the client CA as a ConfigMap for trustedClientCaCert, an X.509 BrokerAuthentication, and a
 * LoadBalancer (or NodePort) BrokerListener on 8883 with Manual or Automatic TLS. Every part can be left out.
 */
export interface BrokerSetupValues {
  namespace: string;
  withSecret: boolean;
  serverCertificateId: string;
  secretName: string;
  withClientCa: boolean;
  clientCaCertificateId: string;
  configMapName: string;
  configMapKey: string;
  includeChain: boolean;
  withAuthentication: boolean;
  authenticationName: string;
  withListener: boolean;
  listenerName: string;
  serviceName: string;
  serviceType: 'LoadBalancer' | 'NodePort';
  port: string;
  nodePort: string;
  tlsMode: 'Manual' | 'Automatic';
  issuerName: string;
  issuerKind: 'Issuer' | 'ClusterIssuer';
  sanDns: string;
  sanIp: string;
}

export type BrokerSetupField = keyof BrokerSetupValues;
export type BrokerSetupErrors = Partial<Record<BrokerSetupField | 'parts', string>>;

/** The names the seed uses, so a technician following it recognises every resource. */
export function seed001Defaults(nodeAddress: string | undefined): BrokerSetupValues {
  return {
    namespace: 'azure-iot-operations',
    withSecret: true,
    serverCertificateId: '',
    secretName: 'broker-server-cert',
    withClientCa: true,
    clientCaCertificateId: '',
    configMapName: 'clients42-ca',
    configMapKey: 'client_ca.pem',
    includeChain: true,
    withAuthentication: true,
    authenticationName: 'x509-policy',
    withListener: true,
    listenerName: 'loadbalancer-listener',
    serviceName: 'loadbalancer-listener-service',
    serviceType: 'LoadBalancer',
    port: '8883',
    nodePort: '',
    tlsMode: 'Manual',
    issuerName: 'azure-iot-operations-aio-certificate-issuer',
    issuerKind: 'ClusterIssuer',
    sanDns: '',
    sanIp: nodeAddress && /^[\d.:a-fA-F]+$/.test(nodeAddress) && /[.:]/.test(nodeAddress) ? nodeAddress : '',
  };
}

// DNS-1123 subdomain, as Kubernetes checks object names.
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

function nameError(value: string, what: string): string | undefined {
  if (value.trim() === '') return `Give the ${what} a name.`;
  if (value.length > 253 || !NAME.test(value.trim())) return `Kubernetes names use lowercase letters, digits, dashes and dots, starting and ending with a letter or digit (${what}).`;
  return undefined;
}

const list = (text: string): string[] =>
  text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Builds the apply spec and the sentences for whatever the cluster would refuse anyway. */
export function buildBrokerSetupSpec(v: BrokerSetupValues): { spec: ApplySpecInput; errors: BrokerSetupErrors } {
  const errors: BrokerSetupErrors = {};
  const set = (field: keyof BrokerSetupErrors, message: string | undefined) => {
    if (message && !errors[field]) errors[field] = message;
  };
  const spec: ApplySpecInput = { namespace: v.namespace.trim() || 'azure-iot-operations', serverSecrets: [], clientCas: [], authentications: [], listeners: [] };

  if (!v.withSecret && !v.withClientCa && !v.withAuthentication && !v.withListener) set('parts', 'Choose at least one part to apply.');

  if (v.withSecret) {
    set('secretName', nameError(v.secretName, 'Secret'));
    set('serverCertificateId', v.serverCertificateId === '' ? 'Choose the broker’s server certificate from the vault (one with its private key).' : undefined);
    spec.serverSecrets = [{ name: v.secretName.trim(), certificateId: v.serverCertificateId }];
  }
  if (v.withClientCa) {
    set('configMapName', nameError(v.configMapName, 'ConfigMap'));
    set('clientCaCertificateId', v.clientCaCertificateId === '' ? 'Choose the CA that issued your client certificates.' : undefined);
    set('configMapKey', CONFIGMAP_KEY.test(v.configMapKey) ? undefined : 'A ConfigMap key uses letters, digits, dashes, dots and underscores (the seeds use client_ca.pem).');
    spec.clientCas = [{ name: v.configMapName.trim(), certificateIds: [v.clientCaCertificateId], key: v.configMapKey, include: v.includeChain ? 'chain' : 'selected' }];
  }
  if (v.withAuthentication) {
    set('authenticationName', nameError(v.authenticationName, 'authentication policy'));
    if (v.authenticationName.trim() === 'default') set('authenticationName', 'Leave the default authentication alone; give the X.509 policy its own name.');
    const caName = v.withClientCa ? v.configMapName.trim() : '';
    if (!v.withClientCa) set('withClientCa', 'X.509 authentication needs the client CA ConfigMap; keep that part in.');
    spec.authentications = [{ name: v.authenticationName.trim(), methods: [{ method: 'X509', trustedClientCaCert: caName }] }];
  }
  if (v.withListener) {
    set('listenerName', nameError(v.listenerName, 'listener'));
    if (v.listenerName.trim() === 'default') set('listenerName', 'Leave the default listener alone; give the new one its own name.');
    if (v.serviceName.trim() !== '') set('serviceName', nameError(v.serviceName, 'service'));
    const port = /^\d+$/.test(v.port.trim()) ? Number(v.port) : Number.NaN;
    set('port', Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : 'Enter a port from 1 to 65535 (MQTT over TLS is 8883).');
    let nodePort: number | undefined;
    if (v.serviceType === 'NodePort' && v.nodePort.trim() !== '') {
      nodePort = /^\d+$/.test(v.nodePort.trim()) ? Number(v.nodePort) : Number.NaN;
      set('nodePort', nodePort >= 30000 && nodePort <= 32767 ? undefined : 'A NodePort must be between 30000 and 32767.');
    }
    let tls: NonNullable<ApplySpecInput['listeners']>[number]['ports'][number]['tls'];
    if (v.tlsMode === 'Manual') {
      if (!v.withSecret) set('tlsMode', 'Manual TLS serves the server Secret; keep that part in, or choose Automatic.');
      tls = { mode: 'Manual', secretName: v.secretName.trim() };
    } else {
      set('issuerName', nameError(v.issuerName, 'issuer'));
      const ip = list(v.sanIp);
      const bad = ip.find((a) => !/^[\d.]+$|^[\da-fA-F:]+$/.test(a));
      set('sanIp', bad ? `"${bad}" is not an IP address. Put host names under DNS names.` : undefined);
      tls = { mode: 'Automatic', issuerRef: { name: v.issuerName.trim(), kind: v.issuerKind, group: 'cert-manager.io' }, san: { dns: list(v.sanDns), ip } };
    }
    spec.listeners = [
      {
        name: v.listenerName.trim(),
        ...(v.serviceName.trim() !== '' ? { serviceName: v.serviceName.trim() } : {}),
        serviceType: v.serviceType,
        ports: [
          {
            port,
            ...(nodePort !== undefined ? { nodePort } : {}),
            protocol: 'Mqtt',
            ...(v.withAuthentication ? { authenticationRef: v.authenticationName.trim() } : {}),
            tls,
          },
        ],
      },
    ];
  }
  return { spec, errors };
}
