/** What a fresh Azure IoT Operations install shows through the API, for the emulator to start with. */
import type { JsonObject } from './kube-managed-fields.js';

export const AIO_NAMESPACE = 'azure-iot-operations';
export const AIO_ISSUER = 'azure-iot-operations-aio-certificate-issuer';
export const AIO_TRUST_BUNDLE = 'azure-iot-operations-aio-ca-trust-bundle';
export const AIO_CA_SECRET = 'azure-iot-operations-aio-ca-certificate';
export const AIO_ROOT_CA_NAME = 'Azure IoT Operations Quickstart Root CA - Not for Production';
/** cert-manager's cluster resource namespace: where a ClusterIssuer's CA secret lives. */
export const CERT_MANAGER_NAMESPACE = 'cert-manager';
export const AIO_GROUP_VERSION = 'mqttbroker.iotoperations.azure.com/v1';

/** PEM material the preload embeds; generated fresh by every emulator start. */
export interface PreloadContext {
  clusterCaPem: string;
  aioRootCaPem: string;
  aioRootCaKeyPem: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** The default listener exactly as a fresh install has it. */
export function defaultBrokerListener(): JsonObject {
  return {
    apiVersion: AIO_GROUP_VERSION,
    kind: 'BrokerListener',
    metadata: { name: 'default', namespace: AIO_NAMESPACE },
    spec: {
      brokerRef: 'default',
      serviceName: 'aio-broker',
      serviceType: 'ClusterIp',
      ports: [
        {
          port: 18883,
          protocol: 'Mqtt',
          authenticationRef: 'default',
          tls: {
            mode: 'Automatic',
            certManagerCertificateSpec: {
              issuerRef: { name: AIO_ISSUER, kind: 'ClusterIssuer', group: 'cert-manager.io' },
            },
          },
        },
      ],
    },
  };
}

/**
 * Objects loaded into the emulator at start, in order. The reconciler then adds what cert-manager and
 * the AIO operator would (the broker Service, Certificate `aio-broker-frontend-server-18883` and its
 * Secret), so those follow from the listener here rather than being listed twice. Tests pass their own
 * function (often `(ctx) => defaultAioPreload(ctx).filter(...)`) to start from another state.
 */
export function defaultAioPreload(ctx: PreloadContext): JsonObject[] {
  const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease', CERT_MANAGER_NAMESPACE, AIO_NAMESPACE];
  const objects: JsonObject[] = [];
  for (const ns of namespaces) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: ns, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': ctx.clusterCaPem } });
  }
  objects.push(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'aio-broker', namespace: AIO_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: AIO_CA_SECRET, namespace: CERT_MANAGER_NAMESPACE },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(ctx.aioRootCaPem), 'tls.key': b64(ctx.aioRootCaKeyPem), 'ca.crt': b64(ctx.aioRootCaPem) },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'azure-iot-operations-aio-certificate-issuer' },
      spec: { ca: { secretName: AIO_CA_SECRET } },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: AIO_TRUST_BUNDLE, namespace: AIO_NAMESPACE, labels: { 'trust.cert-manager.io/bundle': AIO_TRUST_BUNDLE } },
      data: { 'ca.crt': ctx.aioRootCaPem },
    },
    {
      apiVersion: AIO_GROUP_VERSION,
      kind: 'Broker',
      metadata: { name: 'default', namespace: AIO_NAMESPACE },
      spec: {
        cardinality: { backendChain: { partitions: 2, redundancyFactor: 2, workers: 2 }, frontend: { replicas: 2, workers: 2 } },
        memoryProfile: 'Medium',
        generateResourceLimits: { cpu: 'Disabled' },
        // As a fresh install writes it (the broker's defaults), so `aio check` sees what az iot ops check does.
        diagnostics: { logs: { level: 'info' }, metrics: { prometheusPort: 9600 } },
      },
    },
    defaultBrokerListener(),
    {
      apiVersion: AIO_GROUP_VERSION,
      kind: 'BrokerAuthentication',
      metadata: { name: 'default', namespace: AIO_NAMESPACE },
      spec: { authenticationMethods: [{ method: 'ServiceAccountToken', serviceAccountTokenSettings: { audiences: ['aio-internal'] } }] },
    },
    pod('aio-broker-frontend-0', 'frontend'),
    pod('aio-broker-backend-1-0', 'backend'),
    pod('aio-broker-authentication-0', 'authentication'),
    pod('aio-broker-diagnostics-probe-0', 'diagnostics-probe'),
  );
  return objects;
}

function pod(name: string, role: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: AIO_NAMESPACE, labels: { 'app.kubernetes.io/name': 'microsoft-iotoperations-mqttbroker', 'app.kubernetes.io/component': role } },
    spec: { containers: [{ name: 'broker', image: 'mcr.microsoft.com/azureiotoperations/mqttbroker:emulated' }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'broker', ready: true, restartCount: 0 }] },
  };
}
