import { EthernetPort, FileCode, ShieldAlert, Undo2 } from 'lucide-react';
import { PlannedArea } from '../planned-area';

export function NetworkPage() {
  return (
    <PlannedArea
      area="network"
      tagline="Give the node a static IP with netplan, without losing it."
      title="A static IP with automatic rollback"
      planned={[
        { Icon: EthernetPort, title: 'Discover', text: 'Interfaces, addresses, default route, DNS and the netplan files in use.' },
        { Icon: FileCode, title: 'Plan and validate', text: 'The YAML and a diff, checked by the node’s own netplan before writing.' },
        { Icon: Undo2, title: 'Apply safely', text: 'A rollback armed on the node restores the old address if the new one fails.' },
        { Icon: ShieldAlert, title: 'Keep certificates in step', text: 'Warns when the broker certificate does not list the new IP.' },
      ]}
    >
      <p>Read the node’s interfaces and netplan files over SSH, and plan a static address that the node’s own netplan validates first.</p>
      <p>Apply it with a countdown: if the node cannot be reached on the new address, it rolls back by itself and Fieldbench tells you what happened.</p>
    </PlannedArea>
  );
}
