import { useRef, useState } from 'react';
import { ShieldAlert, ShieldCheck } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Checkbox, Dialog } from '../../ui';
import { useEdgeStore } from './use-edge-store';

/** The host key file whose fingerprint the console shows for this key type. */
export function hostKeyFile(type: string): string {
  if (type.includes('ed25519')) return '/etc/ssh/ssh_host_ed25519_key.pub';
  if (type.startsWith('ecdsa')) return '/etc/ssh/ssh_host_ecdsa_key.pub';
  if (type.includes('rsa')) return '/etc/ssh/ssh_host_rsa_key.pub';
  return '/etc/ssh/ssh_host_*_key.pub';
}

/**
 * Trust on first use, done properly: the fingerprint large enough to compare character by character with
 * the node's console, and a changed key refused loudly with both fingerprints side by side.
 */
export function HostKeyDialog() {
  const prompt = useEdgeStore((s) => s.hostKeyPrompt);
  if (!prompt) return null;
  return <HostKeyPromptDialog key={`${prompt.nodeId}/${prompt.hostKey.fingerprint}`} />;
}

function HostKeyPromptDialog() {
  const { prompt, trusting, trustError, trustHostKey, dismissHostKey } = useEdgeStore(
    useShallow((s) => ({ prompt: s.hostKeyPrompt, trusting: s.trusting, trustError: s.trustError, trustHostKey: s.trustHostKey, dismissHostKey: s.dismissHostKey })),
  );
  const [checked, setChecked] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  if (!prompt) return null;
  const { hostKey } = prompt;
  const changed = hostKey.status === 'changed';
  const command = `ssh-keygen -lf ${hostKeyFile(hostKey.type)}`;

  const error = trustError ? (
    <p className="fb-edge-alert" role="alert">
      {trustError.message}
    </p>
  ) : null;

  if (changed) {
    return (
      <Dialog
        open
        onClose={dismissHostKey}
        size="md"
        closeOnBackdrop={false}
        initialFocusRef={cancelRef}
        title={`The host key of ${prompt.nodeName} has changed`}
        footer={
          <>
            <Button ref={cancelRef} variant="primary" onClick={dismissHostKey}>
              Keep refusing
            </Button>
            <Button variant="danger" icon={<ShieldAlert size={18} />} disabled={!checked} loading={trusting} onClick={() => void trustHostKey()}>
              Replace the trusted key
            </Button>
          </>
        }
      >
        <div className="fb-edge-hostkey" data-status="changed">
          <div className="fb-edge-hostkey__alarm" role="alert">
            <ShieldAlert size={28} aria-hidden="true" />
            <p>
              <strong>Fieldbench refused to connect to {prompt.address}.</strong> The node presented a different host key than the one you trusted. That is expected
              after the node was re-installed or its SSH keys were regenerated — otherwise someone may be intercepting the connection.
            </p>
          </div>
          <dl className="fb-edge-hostkey__pair">
            <dt>Trusted before</dt>
            <dd className="fb-edge-fingerprint" data-kind="expected">
              {hostKey.expected ?? 'unknown'}
            </dd>
            <dt>Presented now ({hostKey.type})</dt>
            <dd className="fb-edge-fingerprint" data-kind="presented">
              {hostKey.fingerprint}
            </dd>
          </dl>
          <p>
            On the node’s console run <code className="fb-edge-command">{command}</code> and compare.
          </p>
          <Checkbox
            label="I checked the node’s console: it shows the new fingerprint, and I know why it changed."
            checked={checked}
            onChange={(e) => setChecked(e.target.checked)}
          />
          {error}
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      onClose={dismissHostKey}
      size="md"
      closeOnBackdrop={false}
      title={`Confirm the host key of ${prompt.nodeName}`}
      description={`First connection to ${prompt.address}. Trust this key only if it matches what the node itself shows.`}
      footer={
        <>
          <Button onClick={dismissHostKey}>Cancel</Button>
          <Button variant="primary" icon={<ShieldCheck size={18} />} loading={trusting} onClick={() => void trustHostKey()}>
            Trust this key
          </Button>
        </>
      }
    >
      <div className="fb-edge-hostkey" data-status="unknown">
        <p className="fb-edge-hostkey__type">Key type: {hostKey.type}</p>
        <p className="fb-edge-fingerprint" data-kind="presented" aria-label={`Fingerprint ${hostKey.fingerprint}`}>
          {hostKey.fingerprint}
        </p>
        <p>
          Compare this with the node’s console: <code className="fb-edge-command">{command}</code>
        </p>
        {error}
      </div>
    </Dialog>
  );
}
