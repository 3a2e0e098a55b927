/** Names and versions of the Azure IoT Operations broker API, as DOMAIN.md lists them. */
export const AIO_GROUP = 'mqttbroker.iotoperations.azure.com';
export const AIO_API_VERSION = `${AIO_GROUP}/v1`;
export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';
export const FIELD_MANAGER = 'fieldbench';

/** What a fresh install names its own resources; Fieldbench leaves them alone unless told otherwise. */
export const DEFAULT_LISTENER = 'default';
export const DEFAULT_AUTHENTICATION = 'default';
/**
 * What an install without --trust-settings names its trust bundle and issuer: derived from the namespace
 * (azure-iot-ops CLI extension, orchestration/template.py: format('{0}-aio-ca-trust-bundle', clusterNamespace)
 * and format('{0}-aio-certificate-issuer', clusterNamespace)). Discovery prefers what the cluster shows.
 */
export const trustBundleNameFor = (namespace: string): string => `${namespace}-aio-ca-trust-bundle`;
export const clusterIssuerNameFor = (namespace: string): string => `${namespace}-aio-certificate-issuer`;
export const TRUST_BUNDLE_KEY = 'ca.crt';
/** (unconfirmed) the broker's internal-traffic CA, seen in seed 001. */
export const INTERNAL_CA_SECRET = 'aio-broker-internal-ca';
export const DEFAULT_CLIENT_CA_KEY = 'client_ca.pem';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

/** Kinds Fieldbench writes, in the order an apply sends them: what is referenced goes before what refers to it. */
export const APPLY_ORDER = ['Secret', 'ConfigMap', 'BrokerAuthentication', 'BrokerAuthorization', 'BrokerListener'] as const;
export type AppliedKind = (typeof APPLY_ORDER)[number];

export const API_VERSION_OF: Record<AppliedKind, string> = {
  Secret: 'v1',
  ConfigMap: 'v1',
  BrokerAuthentication: AIO_API_VERSION,
  BrokerAuthorization: AIO_API_VERSION,
  BrokerListener: AIO_API_VERSION,
};

/** The v1 enums, PascalCase as Fieldbench writes them. */
export const SERVICE_TYPES = ['ClusterIp', 'NodePort', 'LoadBalancer'] as const;
export const PROTOCOLS = ['Mqtt', 'WebSockets'] as const;

/**
 * A cluster's enum value in Fieldbench's spelling, or undefined when it is none of them. A real v1
 * cluster stores other spellings as given (seed 001's `mode: automatic`, the docs' own
 * `serviceType: loadBalancer`), so values are read case-insensitively; an unknown value is reported,
 * never replaced by a default.
 */
export function canonicalEnum<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === v);
}

/** The service name the default listener's Service has on a fresh install; no other listener may take it. */
export const DEFAULT_SERVICE_NAME = 'aio-broker';

/** ARM resource names of the broker kinds (azure-rest-api-specs models/broker/*.tsp: 3–63, this pattern). */
export function isArmName(name: string): boolean {
  return name.length >= 3 && name.length <= 63 && /^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name);
}
