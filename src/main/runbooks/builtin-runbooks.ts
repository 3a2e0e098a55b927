/**
 * The field flows of the seed documents as runbooks. They are YAML so a technician can copy one, edit it
 * and save it under their own name; `fieldbench runbook show NAME` prints exactly this text.
 */
export const BUILTIN_RUNBOOKS: Record<string, string> = {
  'x509-loadbalancer-listener': `# Seed 001: an X.509 listener on 8883 behind a LoadBalancer, with the node on a static address.
name: x509-loadbalancer-listener
title: X.509 LoadBalancer listener on 8883
description: >-
  Static IP, a server chain with the node's IP in its SANs, a client chain with one certificate per client,
  the server Secret and client-CA ConfigMap, X.509 authentication and a LoadBalancer listener with Manual TLS,
  then every listener tested.
params:
  node: { type: node, description: "The edge node (name or id)" }
  interface: { type: string, description: "The node's interface for the static address", default: eth0 }
  address: { type: cidr, description: "The node's static address with its prefix, e.g. 192.168.2.196/24" }
  gateway: { type: ip, description: "Default gateway" }
  nodeIp: { type: ip, description: "The address clients use: the node's IP (and the LoadBalancer's)" }
  dnsNames: { type: list, description: "Extra DNS names in the server certificate", default: [] }
  clientPrefix: { type: string, description: "Client certificate names are this plus a, b, c…", default: client42 }
  clientCount: { type: integer, description: "How many client certificates", default: 2 }
  exportDir: { type: string, description: "A new folder for the clients' files (Node-RED, MQTTX, mosquitto)" }
steps:
  - id: static-ip
    uses: network.static-ip
    with:
      node: "\${node}"
      interface: "\${interface}"
      address: "\${address}"
      gateway: "\${gateway}"
  - id: server-root
    uses: pki.root
    with: { commonName: AIO42 Root CA }
  - id: server-intermediate
    uses: pki.intermediate
    with: { commonName: AIO42 Intermediate CA 1, issuer: "\${steps.server-root.certificateId}" }
  - id: server-certificate
    uses: pki.server
    with:
      commonName: mqtts-endpoint
      issuer: "\${steps.server-intermediate.certificateId}"
      sans: ["\${nodeIp}"]
  - id: client-root
    uses: pki.root
    with: { commonName: Clients42 Root CA }
  - id: client-intermediate
    uses: pki.intermediate
    with: { commonName: Clients42 Intermediate CA 1, issuer: "\${steps.client-root.certificateId}" }
  - id: clients
    uses: pki.clients
    with: { prefix: "\${clientPrefix}", count: "\${clientCount}", issuer: "\${steps.client-intermediate.certificateId}" }
  - id: broker
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        serverSecrets: [{ name: broker-server-cert, certificateId: "\${steps.server-certificate.certificateId}" }]
        clientCas: [{ name: clients42-ca, certificateIds: ["\${steps.client-root.certificateId}"], key: client_ca.pem }]
        authentications:
          - name: x509-authentication
            methods: [{ method: X509, trustedClientCaCert: clients42-ca }]
        listeners:
          - name: loadbalancer-listener
            serviceName: loadbalancer-listener-service
            serviceType: LoadBalancer
            ports:
              - port: 8883
                authenticationRef: x509-authentication
                tls: { mode: Manual, secretName: broker-server-cert }
  - id: listener-ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: loadbalancer-listener, answers: true }
  - id: matrix
    uses: mqtt.matrix
    with: { node: "\${node}", clientCertificate: "\${steps.clients.firstCertificateId}", caCertificate: "\${steps.server-root.certificateId}" }
  - id: export-node-red
    uses: export.with-keys
    with:
      target: node-red
      certificates: ["\${steps.clients.firstCertificateId}"]
      ca: "\${steps.server-root.certificateId}"
      broker: { host: "\${nodeIp}", port: 8883 }
      out: "\${exportDir}/node-red"
  - id: export-mqttx
    uses: export.with-keys
    with:
      target: mqttx
      certificates: ["\${steps.clients.firstCertificateId}"]
      ca: "\${steps.server-root.certificateId}"
      broker: { host: "\${nodeIp}", port: 8883 }
      out: "\${exportDir}/mqttx"
  - id: export-mosquitto
    uses: export.with-keys
    with:
      target: mosquitto
      certificates: "\${steps.clients.certificateIds}"
      ca: "\${steps.server-root.certificateId}"
      broker: { host: "\${nodeIp}", port: 8883 }
      out: "\${exportDir}/mosquitto"
`,
  'test-listeners': `# Seed 001: quick test listeners. Not for production: one has no authentication at all.
name: test-listeners
title: Test listeners (NodePort 31883 without auth, LoadBalancer 8883 with Automatic TLS)
warning: These listeners are for testing. The NodePort listener accepts anyone on the network without authentication; remove it before the node goes into production.
description: >-
  A NodePort listener on 31883 without authentication or TLS, and a LoadBalancer listener on 8883 whose server
  certificate cert-manager issues from the cluster's issuer, the cluster's CA trusted in the vault, then every
  listener tested.
params:
  node: { type: node, description: "The edge node (name or id)" }
  issuer: { type: string, description: "The cluster issuer for Automatic TLS", default: azure-iot-operations-aio-certificate-issuer }
  nodeIp: { type: ip, description: "The address clients use (in the server certificate's SANs)" }
steps:
  - id: listeners
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        listeners:
          - name: nodeport-listener
            serviceType: NodePort
            ports: [{ port: 1883, nodePort: 31883 }]
          - name: loadbalancer-listener
            serviceName: loadbalancer-listener-service
            serviceType: LoadBalancer
            ports:
              - port: 8883
                tls:
                  mode: Automatic
                  issuerRef: { name: "\${issuer}", kind: ClusterIssuer, group: cert-manager.io }
                  san: { ip: ["\${nodeIp}"], dns: [] }
  - id: nodeport-ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: nodeport-listener }
  - id: loadbalancer-ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: loadbalancer-listener }
  # The 8883 certificate comes from the cluster's issuer: without its CA in the vault no TLS test can pass.
  - id: trust
    uses: aio.trust-bundle
    with: { node: "\${node}" }
  - id: matrix
    uses: mqtt.matrix
    with: { node: "\${node}", caCertificate: "\${steps.trust.certificateId}" }
`,
  'litmus-edge': `# Seed 000: Litmus Edge streams into AIO over X.509, on a listener of its own (the default one is left alone).
name: litmus-edge
title: Litmus Edge to AIO (X.509)
description: >-
  The Litmus chain and its connector certificate, the litmusedge-ca ConfigMap, X.509 authentication with the
  seed's authorization attributes on a new NodePort listener with TLS from the cluster issuer, the Litmus upload
  set, then a connect as the connector.
params:
  node: { type: node, description: "The edge node (name or id)" }
  nodeIp: { type: ip, description: "The node address Litmus Edge connects to" }
  issuer: { type: string, description: "The cluster issuer for the listener's TLS", default: azure-iot-operations-aio-certificate-issuer }
  exportDir: { type: string, description: "A new folder for the Litmus connector's files" }
steps:
  - id: litmus-root
    uses: pki.root
    with: { commonName: Litmus Edge Root CA }
  - id: litmus-intermediate
    uses: pki.intermediate
    with: { commonName: Litmus Edge Intermediate CA 1, issuer: "\${steps.litmus-root.certificateId}" }
  - id: connector
    uses: pki.clients
    with: { names: [aiomqttconnector], issuer: "\${steps.litmus-intermediate.certificateId}", hours: 2400 }
  - id: broker
    uses: aio.apply
    with:
      node: "\${node}"
      spec:
        clientCas: [{ name: litmusedge-ca, certificateIds: ["\${steps.litmus-root.certificateId}"], key: client_ca.pem }]
        authentications:
          - name: litmus-x509
            methods:
              - method: X509
                trustedClientCaCert: litmusedge-ca
                authorizationAttributes:
                  intermediate: { subject: "CN = Litmus Edge Intermediate CA 1", attributes: { manufacturer: litmus edge } }
                  connector: { subject: "CN = aiomqttconnector", attributes: { group: connector_group } }
        listeners:
          - name: litmus-listener
            serviceType: NodePort
            ports:
              - port: 18884
                nodePort: 31884
                authenticationRef: litmus-x509
                tls:
                  mode: Automatic
                  issuerRef: { name: "\${issuer}", kind: ClusterIssuer, group: cert-manager.io }
                  san: { ip: ["\${nodeIp}"], dns: [] }
  - id: listener-ready
    uses: aio.wait-listener
    with: { node: "\${node}", listener: litmus-listener }
  - id: trust
    uses: aio.trust-bundle
    with: { node: "\${node}" }
  - id: litmus-files
    uses: export.with-keys
    with:
      target: litmus
      certificates: ["\${steps.connector.firstCertificateId}"]
      ca: "\${steps.trust.certificateId}"
      broker: { host: "\${nodeIp}", port: 31884 }
      out: "\${exportDir}/litmus"
  - id: verify
    uses: mqtt.matrix
    with: { node: "\${node}", clientCertificate: "\${steps.connector.firstCertificateId}", caCertificate: "\${steps.trust.certificateId}" }
`,
  'trust-broker': `# The default listener as every AIO component uses it: trust its CA and connect through the SSH tunnel with a SAT token.
name: trust-broker
title: Trust the broker and test the default listener
description: >-
  Fetches the cluster's trust bundle into the vault and tests every listener, the ClusterIp default listener
  through the SSH tunnel with a service-account token (K8S-SAT).
params:
  node: { type: node, description: "The edge node (name or id)" }
steps:
  - id: trust
    uses: aio.trust-bundle
    with: { node: "\${node}" }
  - id: matrix
    uses: mqtt.matrix
    with: { node: "\${node}", caCertificate: "\${steps.trust.certificateId}" }
`,
};
