import { FileInput, FileSearch, KeyRound, Workflow } from 'lucide-react';
import { PlannedArea } from '../planned-area';

export function VaultPage() {
  return (
    <PlannedArea
      area="vault"
      tagline="Keys, certificates and secrets for your edge nodes, encrypted on this laptop."
      title="An encrypted vault for your PKI"
      planned={[
        { Icon: KeyRound, title: 'Create and unlock', text: 'One encrypted file, a master password, auto-lock when idle.' },
        { Icon: Workflow, title: 'Build chains', text: 'Root, intermediate, server and client certificates from short wizards.' },
        { Icon: FileSearch, title: 'Inspect and validate', text: 'Every field openssl shows, fingerprints, chain and expiry checks.' },
        { Icon: FileInput, title: 'Import', text: 'PEM, DER and PKCS#12 from step or openssl; keys matched to certificates.' },
      ]}
    >
      <p>Keep keys, certificates, node profiles and secrets in one file protected by a master password.</p>
      <p>
        Build root, intermediate, server and client certificates in a few clicks, with checks that catch field mistakes before they reach the node: an IP
        missing from the SANs, a chain mixing EC and RSA, a certificate about to expire.
      </p>
    </PlannedArea>
  );
}
