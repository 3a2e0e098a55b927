import { Boxes, Cloud, KeyRound, Workflow } from 'lucide-react';
import { PlannedArea } from '../planned-area';

export function ExportsPage() {
  return (
    <PlannedArea
      area="exports"
      tagline="Hand certificates and connections to the tools on site."
      title="Take your results to the other tools"
      planned={[
        { Icon: Workflow, title: 'Node-RED and Litmus Edge', text: 'TLS and broker settings ready to import, no hand-copied PEM.' },
        { Icon: Boxes, title: 'MQTTX and mosquitto', text: 'Connections and command lines with the right certificate files.' },
        { Icon: Cloud, title: 'Kubernetes, Key Vault, IoT Edge', text: 'Secrets, Key Vault secret commands and config.toml.' },
        { Icon: KeyRound, title: 'Keys stay put', text: 'A private key leaves the vault only when you confirm the export.' },
      ]}
    >
      <p>Export certificates and connection settings for Node-RED, Litmus Edge, MQTTX, mosquitto, Kubernetes, Azure Key Vault and IoT Edge.</p>
      <p>Private keys leave the vault only through an export you confirm.</p>
    </PlannedArea>
  );
}
