import type {
  AuthenticationInputParsed,
  AuthorizationInputParsed,
  ListenerInputParsed,
  ListenerTlsParsed,
} from '@shared/contract/aio-contract';
import { AIO_API_VERSION, DEFAULT_CLIENT_CA_KEY } from './aio-constants';
import { splitPemCertificates } from './aio-pem';

/** A Kubernetes object as Fieldbench sends it: plain JSON, exactly what server-side apply receives. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [field: string]: unknown;
}

/** Marks what Fieldbench created, so discovery and people can tell; ownership itself is in managedFields. */
const LABELS = { 'app.kubernetes.io/managed-by': 'fieldbench' };

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/**
 * kubernetes.io/tls Secret for a listener's Manual TLS. `certificateChainPem` is the leaf followed by its
 * intermediates (the broker presents tls.crt as is, and clients need the intermediates to build the path).
 * `data` rather than `stringData`: the API server never stores stringData, so applying it would show a
 * change on every plan.
 */
export function buildTlsSecret(input: { name: string; namespace: string; certificateChainPem: string; privateKeyPem: string }): KubeObject {
  const certs = splitPemCertificates(input.certificateChainPem);
  if (certs.length === 0) throw new Error('buildTlsSecret: no certificate in the chain');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: input.name, namespace: input.namespace, labels: { ...LABELS } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(certs.join('')), 'tls.key': b64(input.privateKeyPem.trim() + '\n') },
  };
}

/** ConfigMap named by an X509 method's trustedClientCaCert: every certificate in it is a trusted client CA. */
export function buildClientCaConfigMap(input: { name: string; namespace: string; caCertificatesPem: readonly string[]; key?: string }): KubeObject {
  const seen = new Set<string>();
  const blocks: string[] = [];
  for (const pem of input.caCertificatesPem) {
    for (const block of splitPemCertificates(pem)) {
      if (seen.has(block)) continue;
      seen.add(block);
      blocks.push(block);
    }
  }
  if (blocks.length === 0) throw new Error('buildClientCaConfigMap: no certificate');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: input.name, namespace: input.namespace, labels: { ...LABELS } },
    data: { [input.key ?? DEFAULT_CLIENT_CA_KEY]: blocks.join('') },
  };
}

function tlsSpec(tls: ListenerTlsParsed): Record<string, unknown> {
  if (tls.mode === 'Manual') return { mode: 'Manual', manual: { secretRef: tls.secretName } };
  const cm: Record<string, unknown> = { issuerRef: { name: tls.issuerRef.name, kind: tls.issuerRef.kind, group: tls.issuerRef.group } };
  if (tls.privateKey) cm['privateKey'] = { algorithm: tls.privateKey.algorithm, rotationPolicy: tls.privateKey.rotationPolicy };
  if (tls.san && (tls.san.dns.length > 0 || tls.san.ip.length > 0)) cm['san'] = { dns: [...tls.san.dns], ip: [...tls.san.ip] };
  if (tls.duration) cm['duration'] = tls.duration;
  if (tls.renewBefore) cm['renewBefore'] = tls.renewBefore;
  if (tls.secretName) cm['secretName'] = tls.secretName;
  return { mode: 'Automatic', certManagerCertificateSpec: cm };
}

/**
 * BrokerListener (v1, PascalCase enums). Absent fields keep their meaning: no authenticationRef = anyone
 * may connect, no tls = plain TCP, so nothing is written for them.
 */
export function buildBrokerListener(input: ListenerInputParsed, namespace: string): KubeObject {
  return {
    apiVersion: AIO_API_VERSION,
    kind: 'BrokerListener',
    metadata: { name: input.name, namespace, labels: { ...LABELS } },
    spec: {
      brokerRef: input.brokerRef,
      ...(input.serviceName ? { serviceName: input.serviceName } : {}),
      serviceType: input.serviceType,
      ports: input.ports.map((p) => ({
        port: p.port,
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        protocol: p.protocol,
        ...(p.authenticationRef ? { authenticationRef: p.authenticationRef } : {}),
        ...(p.authorizationRef ? { authorizationRef: p.authorizationRef } : {}),
        ...(p.tls ? { tls: tlsSpec(p.tls) } : {}),
      })),
    },
  };
}

/** BrokerAuthentication; methods are tried in the order given. */
export function buildBrokerAuthentication(input: AuthenticationInputParsed, namespace: string): KubeObject {
  return {
    apiVersion: AIO_API_VERSION,
    kind: 'BrokerAuthentication',
    metadata: { name: input.name, namespace, labels: { ...LABELS } },
    spec: {
      authenticationMethods: input.methods.map((m) => {
        switch (m.method) {
          case 'ServiceAccountToken':
            return { method: 'ServiceAccountToken', serviceAccountTokenSettings: { audiences: [...m.audiences] } };
          case 'X509':
            return {
              method: 'X509',
              x509Settings: {
                trustedClientCaCert: m.trustedClientCaCert,
                ...(m.authorizationAttributes && Object.keys(m.authorizationAttributes).length > 0
                  ? {
                      authorizationAttributes: Object.fromEntries(
                        Object.entries(m.authorizationAttributes).map(([k, v]) => [k, { subject: v.subject, attributes: { ...v.attributes } }]),
                      ),
                    }
                  : {}),
              },
            };
          case 'Custom':
            return {
              method: 'Custom',
              customSettings: {
                endpoint: m.endpoint,
                ...(m.caCertConfigMap ? { caCertConfigMap: m.caCertConfigMap } : {}),
                ...(m.x509SecretRef ? { auth: { x509: { secretRef: m.x509SecretRef } } } : {}),
                ...(m.headers ? { headers: { ...m.headers } } : {}),
              },
            };
        }
      }),
    },
  };
}

/** BrokerAuthorization. It only takes effect on ports that also authenticate; an empty rule list denies all. */
export function buildBrokerAuthorization(input: AuthorizationInputParsed, namespace: string): KubeObject {
  return {
    apiVersion: AIO_API_VERSION,
    kind: 'BrokerAuthorization',
    metadata: { name: input.name, namespace, labels: { ...LABELS } },
    spec: {
      authorizationPolicies: {
        cache: input.cache,
        rules: input.rules.map((r) => ({
          principals: {
            ...(r.principals.clientIds ? { clientIds: [...r.principals.clientIds] } : {}),
            ...(r.principals.usernames ? { usernames: [...r.principals.usernames] } : {}),
            ...(r.principals.attributes ? { attributes: r.principals.attributes.map((a) => ({ ...a })) } : {}),
          },
          brokerResources: r.brokerResources.map((b) => ({
            method: b.method,
            ...(b.clientIds ? { clientIds: [...b.clientIds] } : {}),
            ...(b.topics ? { topics: [...b.topics] } : {}),
          })),
          ...(r.stateStoreResources ? { stateStoreResources: r.stateStoreResources.map((s) => ({ ...s, keys: [...s.keys] })) } : {}),
        })),
      },
    },
  };
}
