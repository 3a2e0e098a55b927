import { Grid3x3, MessagesSquare, PlugZap, ShieldQuestion } from 'lucide-react';
import { PlannedArea } from '../planned-area';

export function MqttPage() {
  return (
    <PlannedArea
      area="mqtt"
      tagline="Verify the broker on every listener, and understand what fails."
      title="Prove the broker works on every listener"
      planned={[
        { Icon: PlugZap, title: 'Connect', text: 'mqtt, mqtts, ws and wss; MQTT 3.1.1 and 5; X.509 and K8S-SAT from the vault.' },
        { Icon: Grid3x3, title: 'Listener matrix', text: 'Publish and subscribe across all listeners at once, in one grid.' },
        { Icon: ShieldQuestion, title: 'TLS in plain words', text: 'IP not in SANs, unknown CA, refused client certificate — with the fix.' },
        { Icon: MessagesSquare, title: 'Messages', text: 'Publish, subscribe, a topic tree and a message list that stays fluid.' },
      ]}
    >
      <p>Connect to every listener of the broker with mqtt, mqtts, ws or wss, using client certificates or service account tokens from the vault.</p>
      <p>Verify publish and subscribe across all listeners in one matrix, and read TLS failures explained in plain words.</p>
    </PlannedArea>
  );
}
