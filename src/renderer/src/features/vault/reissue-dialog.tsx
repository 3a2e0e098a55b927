import { useEffect, useState } from 'react';
import { Upload } from 'lucide-react';
import type { CertificateSummary } from '@shared/pki-types';
import type { ErrorInfo } from '@shared/errors';
import { invoke } from '../../bridge';
import { useNavigationStore } from '../../core/use-navigation-store';
import { useReissueStore, type ReissueRequest } from '../../core/use-reissue-store';
import { Button, Dialog } from '../../ui';
import { RenewDialog } from './certificate-dialogs';

/**
 * The one-click fix, mounted once at the app root: "Re-issue with these SANs" from the host check, the
 * listener matrix or the network cross-check opens the renew dialog prefilled over the page the person
 * is on, and where the certificate serves a known node's listener, offers to apply it there next.
 */
export function ReissueDialog() {
  const request = useReissueStore((s) => s.request);
  if (!request) return null;
  return <ReissueFlow key={`${request.certificateId}:${request.sans?.join(',') ?? ''}`} request={request} />;
}

function ReissueFlow({ request }: { request: ReissueRequest }) {
  const close = useReissueStore((s) => s.close);
  const [certificate, setCertificate] = useState<CertificateSummary | undefined>();
  const [error, setError] = useState<ErrorInfo | undefined>();
  const [renewedId, setRenewedId] = useState<string | undefined>();
  const [nodeName, setNodeName] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    void invoke('pki.get', { id: request.certificateId }).then((res) => {
      if (!live) return;
      if (res.ok) setCertificate(res.value.summary);
      else setError(res.error);
    });
    if (request.nodeId) {
      void invoke('edge.listNodes', {}).then((res) => live && res.ok && setNodeName(res.value.nodes.find((n) => n.id === request.nodeId)?.name));
    }
    return () => {
      live = false;
    };
  }, [request.certificateId, request.nodeId]);

  if (error) {
    return (
      <Dialog open onClose={close} title="The certificate cannot be re-issued from here" footer={<Button onClick={close}>Close</Button>}>
        <p role="alert">{error.message}</p>
      </Dialog>
    );
  }
  if (!certificate) return null;
  if (renewedId && request.nodeId) {
    const node = nodeName ?? 'the node';
    return (
      <Dialog
        open
        onClose={close}
        title={`Re-issued "${certificate.commonName}"`}
        description={`The new certificate is in the vault. Put it on ${node}'s broker listener so clients see it.`}
        footer={
          <>
            <Button onClick={close}>Not now</Button>
            <Button
              variant="primary"
              icon={<Upload size={18} />}
              onClick={() => {
                useReissueStore.getState().requestApply({ nodeId: request.nodeId!, certificateId: renewedId });
                close();
                useNavigationStore.getState().go('edge');
              }}
            >
              Apply to the listener on {node}
            </Button>
          </>
        }
      >
        <p>The apply flow shows the Secret and the listener it changes, and what differs on the node, before anything is written.</p>
      </Dialog>
    );
  }
  return (
    <RenewDialog
      certificate={certificate}
      onClose={close}
      {...(request.sans ? { initialSans: request.sans } : {})}
      {...(request.why ? { why: request.why } : {})}
      {...(request.nodeId ? { onRenewed: setRenewedId } : {})}
    />
  );
}
