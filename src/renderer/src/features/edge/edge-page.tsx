import { FileDiff, KeySquare, Stethoscope, TerminalSquare } from 'lucide-react';
import { Button } from '../../ui';
import { useDoctorStore } from '../doctor/use-doctor-store';
import { PlannedArea } from '../planned-area';

export function EdgePage() {
  const showDoctor = useDoctorStore((s) => s.show);
  return (
    <PlannedArea
      area="edge"
      tagline="Reach the node over SSH, the Azure Arc proxy or a kubeconfig."
      title="Your edge nodes, one connection away"
      action={
        <Button icon={<Stethoscope size={18} />} onClick={showDoctor}>
          Check the tools this area uses
        </Button>
      }
      planned={[
        { Icon: KeySquare, title: 'Add a node', text: 'Host, user and an SSH key from the vault; host key confirmed on first use.' },
        { Icon: TerminalSquare, title: 'Test the connection', text: 'SSH, sudo, Kubernetes version and AIO presence, each with its result.' },
        { Icon: FileDiff, title: 'Apply broker resources', text: 'TLS Secret, client CA, X.509 authentication and listeners, with a diff first.' },
        { Icon: Stethoscope, title: 'Diagnose', text: 'A missing issuer, a certificate not Ready, SANs lacking the node IP.' },
      ]}
    >
      <p>Add a node once and test SSH, sudo and Kubernetes in one step.</p>
      <p>
        Apply the broker’s TLS Secret, client CA and listeners showing the exact YAML and a diff first, and get a plain explanation when something is
        wrong, such as a listener that points at an issuer that does not exist.
      </p>
    </PlannedArea>
  );
}
