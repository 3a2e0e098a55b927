import { ClipboardCheck, ListOrdered, RotateCcw, ScrollText } from 'lucide-react';
import { PlannedArea } from '../planned-area';

export function RunbooksPage() {
  return (
    <PlannedArea
      area="runbooks"
      tagline="The commissioning flows of the field, step by step."
      title="Commissioning flows you can repeat"
      planned={[
        { Icon: ListOrdered, title: 'Guided steps', text: 'Certificates, static IP, broker resources and verification, in order.' },
        { Icon: ScrollText, title: 'Live log', text: 'Every step’s output as it happens, kept with the node.' },
        { Icon: RotateCcw, title: 'Resume', text: 'Re-run a flow after a fault; finished steps are not repeated.' },
        { Icon: ClipboardCheck, title: 'Report', text: 'A commissioning report with the listener matrix to hand over.' },
      ]}
    >
      <p>Runbooks chain the other areas into the flows technicians follow on site: build the chains, fix the node’s IP, apply the broker resources, verify every listener.</p>
      <p>Each step shows its result, and a finished run becomes a commissioning report.</p>
    </PlannedArea>
  );
}
