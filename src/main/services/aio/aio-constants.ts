/** Names and versions of the Azure IoT Operations broker API, as DOMAIN.md lists them. */
export const AIO_GROUP = 'mqttbroker.iotoperations.azure.com';
export const AIO_API_VERSION = `${AIO_GROUP}/v1`;
export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';
export const FIELD_MANAGER = 'fieldbench';

/** What a fresh install names its own resources; Fieldbench leaves them alone unless told otherwise. */
export const DEFAULT_LISTENER = 'default';
export const DEFAULT_AUTHENTICATION = 'default';
export const DEFAULT_TRUST_BUNDLE = 'azure-iot-operations-aio-ca-trust-bundle';
export const DEFAULT_CLUSTER_ISSUER = 'azure-iot-operations-aio-certificate-issuer';
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
