/**
 * Structural schemas of the AIO broker custom resources, as a structural CRD gives them to the API server.
 *
 * The CRDs themselves are not published. The authoritative schema is the ARM REST spec of
 * Microsoft.IoTOperations, whose `properties` object is the CR's `spec`: azure-rest-api-specs,
 * specification/iotoperations/IoTOperations.Management/models/broker/{listeners,authentications,
 * authorizations,brokers}.tsp and models/{auth,base}.tsp, read at commit
 * 0d36dc17682195e07ca351b9bccb24987c44fc6b (listeners, authentications), 05f4a05155eceb90749bdfa7b5afe31e63e3e0c6
 * (authorizations), 0358ce2169b79740417983920af73b507aff02c3 (base) and 185296b761c1c1fca8f2a488d94c2238a405e505
 * (auth). A property without `?` there is required here; `@minValue/@maxValue` become minimum/maximum.
 * Two departures, both from what a real v1 cluster does rather than from a looser reading:
 * - enums: the spec's unions are open (`string, ...`) and a v1 cluster stored seed 001's `mode: automatic`
 *   and the docs' `serviceType: loadBalancer`, so a value is accepted in any letter case (`enumCi`), and any
 *   other value is refused;
 * - `manual.secretRef` / `auth.x509.secretRef`: the v1 CRD (API 2024-11-01) names the Secret `secretRef`;
 *   later previews of the spec renamed it `secretName` (+ `secretNamespace`), which a v1 cluster prunes.
 * `brokerRef` is the CR's link to its Broker; ARM expresses it as the parent resource, the CRD requires it.
 */

export type Schema =
  | { type: 'object'; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: Schema; preserveUnknownFields?: boolean }
  | { type: 'array'; items: Schema }
  | { type: 'string'; enumCi?: string[]; pattern?: string }
  | { type: 'integer'; minimum?: number; maximum?: number }
  | { type: 'boolean' };

const str = (extra: { enumCi?: string[]; pattern?: string } = {}): Schema => ({ type: 'string', ...extra });
const strings: Schema = { type: 'array', items: str() };
const stringMap: Schema = { type: 'object', additionalProperties: str() };
const int = (minimum?: number, maximum?: number): Schema => ({ type: 'integer', ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) });
const arr = (items: Schema): Schema => ({ type: 'array', items });
/** Status is written by the operator; its schema is not in the REST spec, so it is kept as sent. */
const anything: Schema = { type: 'object', preserveUnknownFields: true };

// models/base.tsp: CertManagerIssuerRef (group has a default but is not optional), CertManagerIssuerKind.
const issuerRef = obj({ group: str(), kind: str({ enumCi: ['Issuer', 'ClusterIssuer'] }), name: str() }, ['group', 'kind', 'name']);
// listeners.tsp CertManagerCertificateSpec.privateKey: CertManagerPrivateKey { algorithm, rotationPolicy }.
const privateKey = obj(
  {
    algorithm: str({ enumCi: ['Ec256', 'Ec384', 'Ec521', 'Ed25519', 'Rsa2048', 'Rsa4096', 'Rsa8192'] }),
    rotationPolicy: str({ enumCi: ['Always', 'Never'] }),
  },
  ['algorithm', 'rotationPolicy'],
);
const x509Manual = obj({ secretRef: str() }, ['secretRef']);

// listeners.tsp: BrokerListenerProperties, ListenerPort, TlsCertMethod, CertManagerCertificateSpec, SanForCert.
const listenerSpec = obj(
  {
    brokerRef: str(),
    serviceName: str(),
    serviceType: str({ enumCi: ['ClusterIp', 'LoadBalancer', 'NodePort'] }),
    ports: arr(
      obj(
        {
          authenticationRef: str(),
          authorizationRef: str(),
          // 0–65535 on the CR: the operator's Service is what refuses a nodePort outside the cluster's range.
          nodePort: int(0, 65535),
          port: int(0, 65535),
          protocol: str({ enumCi: ['Mqtt', 'WebSockets'] }),
          tls: obj(
            {
              mode: str({ enumCi: ['Automatic', 'Manual'] }),
              certManagerCertificateSpec: obj(
                { duration: str(), secretName: str(), renewBefore: str(), issuerRef, privateKey, san: obj({ dns: strings, ip: strings }, ['dns', 'ip']) },
                ['issuerRef'],
              ),
              manual: x509Manual,
            },
            ['mode'],
          ),
        },
        ['port'],
      ),
    ),
  },
  ['brokerRef', 'ports'],
);

// authentications.tsp BrokerAuthenticatorMethods; auth.tsp BrokerAuthenticatorMethod{Sat,Custom,X509}.
const authenticationSpec = obj(
  {
    authenticationMethods: arr(
      obj(
        {
          method: str({ enumCi: ['Custom', 'ServiceAccountToken', 'X509'] }),
          customSettings: obj({ auth: obj({ x509: x509Manual }, ['x509']), caCertConfigMap: str(), endpoint: str({ pattern: '^https://.*$' }), headers: stringMap }, ['endpoint']),
          serviceAccountTokenSettings: obj({ audiences: strings }, ['audiences']),
          x509Settings: obj({
            authorizationAttributes: { type: 'object', additionalProperties: obj({ attributes: stringMap, subject: str() }, ['attributes', 'subject']) },
            trustedClientCaCert: str(),
          }),
        },
        ['method'],
      ),
    ),
  },
  ['authenticationMethods'],
);

// authorizations.tsp AuthorizationConfig, AuthorizationRule, PrincipalDefinition, BrokerResourceRule, StateStoreResourceRule.
const authorizationSpec = obj(
  {
    authorizationPolicies: obj({
      cache: str({ enumCi: ['Enabled', 'Disabled'] }),
      rules: arr(
        obj(
          {
            brokerResources: arr(obj({ method: str({ enumCi: ['Connect', 'Publish', 'Subscribe'] }), clientIds: strings, topics: strings }, ['method'])),
            principals: obj({ attributes: arr(stringMap), clientIds: strings, usernames: strings }),
            stateStoreResources: arr(
              obj({ keyType: str({ enumCi: ['Pattern', 'String', 'Binary'] }), keys: strings, method: str({ enumCi: ['Read', 'Write', 'ReadWrite'] }) }, ['keyType', 'keys', 'method']),
            ),
          },
          ['brokerResources', 'principals'],
        ),
      ),
    }),
  },
  ['authorizationPolicies'],
);

// brokers.tsp BrokerProperties: the top level is checked; the nested settings (cardinality, diagnostics, …)
// are kept as sent, because Fieldbench never writes a Broker and only reads its cardinality.
const brokerSpec = obj({
  advanced: anything,
  cardinality: anything,
  diagnostics: anything,
  diskBackedMessageBuffer: anything,
  generateResourceLimits: anything,
  memoryProfile: str({ enumCi: ['Tiny', 'Low', 'Medium', 'High'] }),
  persistence: anything,
});

const metadata: Schema = { type: 'object', preserveUnknownFields: true };
const resource = (spec: Schema, specRequired: boolean): Schema =>
  obj({ apiVersion: str(), kind: str(), metadata, spec, status: anything }, specRequired ? ['spec'] : []);

/** Schemas by kind of the mqttbroker.iotoperations.azure.com/v1 resources. */
export const AIO_SCHEMAS: Record<string, Schema> = {
  Broker: resource(brokerSpec, false),
  BrokerListener: resource(listenerSpec, true),
  BrokerAuthentication: resource(authenticationSpec, true),
  BrokerAuthorization: resource(authorizationSpec, true),
};
