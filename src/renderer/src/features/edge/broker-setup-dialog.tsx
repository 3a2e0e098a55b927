import { useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { useReissueStore } from '../../core/use-reissue-store';
import { FileSearch } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Checkbox, Dialog, Select, TextField } from '../../ui';
import { buildBrokerSetupSpec, seed001Defaults, type BrokerSetupField, type BrokerSetupValues } from './broker-setup-form';
import type { CertificateSummary } from './edge-state';
import { useEdgeStore } from './use-edge-store';

function certLabel(c: CertificateSummary): string {
  const sans = c.sans.map((s) => s.value).join(', ');
  return `${c.commonName} — ${c.keyAlgorithm}, until ${new Date(c.notAfter).toLocaleDateString()}${sans ? ` — ${sans}` : ''}`;
}

/**
 * The seed 001 setup in one form: server Secret from the vault, client CA ConfigMap, X.509 authentication
 * and a LoadBalancer listener on 8883. Next opens the Apply dialog with the plan; nothing changes before that.
 */
export function BrokerSetupDialog() {
  const nodeId = useEdgeStore((s) => s.setupFor);
  if (!nodeId) return null;
  return <BrokerSetupForm key={nodeId} />;
}

function BrokerSetupForm() {
  const { nodeId, node, certificates, certificatesLoaded, closeSetup, startApply } = useEdgeStore(
    useShallow((s) => ({
      nodeId: s.setupFor,
      node: s.nodes.find((n) => n.id === s.setupFor),
      certificates: s.certificates,
      certificatesLoaded: s.certificatesLoaded,
      closeSetup: s.closeSetup,
      startApply: s.startApply,
    })),
  );
  // A certificate just re-issued for this node's listener ("Apply to the listener" after a one-click fix).
  const [values, setValues] = useState<BrokerSetupValues>(() => {
    const pending = useReissueStore.getState().pendingApply;
    return { ...seed001Defaults(node?.host), ...(pending && pending.nodeId === nodeId ? { serverCertificateId: pending.certificateId } : {}) };
  });
  useEffect(() => {
    if (useReissueStore.getState().pendingApply?.nodeId === nodeId) useReissueStore.getState().takeApply();
  }, [nodeId]);
  const [submitted, setSubmitted] = useState(false);
  const { spec, errors } = useMemo(() => buildBrokerSetupSpec(values), [values]);
  if (!nodeId || !node) return null;

  const servers = certificates.filter((c) => !c.isCa && c.hasPrivateKey && c.status !== 'revoked' && (c.role === 'server' || c.role === 'leaf'));
  const cas = certificates.filter((c) => c.isCa || c.role === 'client');
  const set = <K extends BrokerSetupField>(field: K, value: BrokerSetupValues[K]) => setValues((v) => ({ ...v, [field]: value }));
  const text = (field: BrokerSetupField) => ({
    value: values[field] as string,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => set(field, e.target.value as never),
    error: submitted ? errors[field] : undefined,
  });
  const check = (field: BrokerSetupField, label: string) => (
    <Checkbox label={label} checked={values[field] as boolean} onChange={(e) => set(field, e.target.checked as never)} error={submitted ? errors[field] : undefined} />
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    void startApply(node.id, spec, `TLS and X.509 listener on ${node.name}`);
  };
  const formId = 'fb-edge-setup-form';

  return (
    <Dialog
      open
      onClose={closeSetup}
      size="lg"
      closeOnBackdrop={false}
      title={`Set up the broker on ${node.name}`}
      description="Server certificate, client CA, X.509 authentication and a listener, as in seed 001. Next shows the exact YAML and a diff; nothing changes until you apply."
      footer={
        <>
          <Button onClick={closeSetup}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} icon={<FileSearch size={18} />}>
            Show the plan
          </Button>
        </>
      }
    >
      <form id={formId} className="fb-edge-form" onSubmit={submit} noValidate>
        {!certificatesLoaded ? <p className="fb-edge-muted">Reading the vault’s certificates…</p> : null}
        <fieldset className="fb-edge-form__group">
          <legend>Server certificate → TLS Secret</legend>
          {check('withSecret', 'Put a server certificate from the vault on the cluster (kubernetes.io/tls; tls.crt = leaf + intermediates)')}
          {values.withSecret ? (
            <div className="fb-edge-form__grid">
              <Select
                className="fb-edge-form__wide"
                label="Server certificate"
                placeholder={servers.length === 0 ? 'No server certificate with its key in the vault' : 'Choose the broker’s certificate'}
                options={servers.map((c) => ({ value: c.id, label: certLabel(c) }))}
                hint={node.host ? `Its SANs should list ${node.host}, the address clients use.` : undefined}
                {...text('serverCertificateId')}
              />
              <TextField label="Secret name" mono {...text('secretName')} />
            </div>
          ) : null}
        </fieldset>

        <fieldset className="fb-edge-form__group">
          <legend>Client CA → ConfigMap</legend>
          {check('withClientCa', 'Trust the CA of your client certificates (for trustedClientCaCert)')}
          {values.withClientCa ? (
            <>
              <div className="fb-edge-form__grid">
                <Select
                  className="fb-edge-form__wide"
                  label="Client CA"
                  placeholder={cas.length === 0 ? 'No CA certificates in the vault' : 'Choose the CA (or a client certificate)'}
                  options={cas.map((c) => ({ value: c.id, label: `${c.role === 'client' ? 'CAs of ' : ''}${certLabel(c)}` }))}
                  {...text('clientCaCertificateId')}
                />
                <TextField label="ConfigMap name" mono {...text('configMapName')} />
                <TextField label="Key in the ConfigMap" mono {...text('configMapKey')} />
              </div>
              {check('includeChain', 'Include every CA up to the root (the broker trusts each certificate in the ConfigMap)')}
            </>
          ) : null}
        </fieldset>

        <fieldset className="fb-edge-form__group">
          <legend>X.509 authentication</legend>
          {check('withAuthentication', 'Clients log in with their certificate (BrokerAuthentication, method X509)')}
          {values.withAuthentication ? <TextField label="Policy name" mono {...text('authenticationName')} /> : null}
        </fieldset>

        <fieldset className="fb-edge-form__group">
          <legend>Listener</legend>
          {check('withListener', 'Expose the broker to the local network (BrokerListener)')}
          {values.withListener ? (
            <>
              <div className="fb-edge-form__grid">
                <TextField label="Listener name" mono {...text('listenerName')} />
                <TextField label="Service name" mono hint="Leave empty to use the listener name." {...text('serviceName')} />
                <Select
                  label="Service type"
                  options={[
                    { value: 'LoadBalancer', label: 'LoadBalancer (the node’s address)' },
                    { value: 'NodePort', label: 'NodePort (30000–32767 on every node)' },
                  ]}
                  {...text('serviceType')}
                />
                <TextField label="Port" mono inputMode="numeric" {...text('port')} />
                {values.serviceType === 'NodePort' ? <TextField label="Node port" mono inputMode="numeric" hint="30000–32767; empty lets Kubernetes choose." {...text('nodePort')} /> : null}
                <Select
                  label="TLS"
                  options={[
                    { value: 'Manual', label: 'Manual: serve the Secret above' },
                    { value: 'Automatic', label: 'Automatic: cert-manager issues it' },
                  ]}
                  {...text('tlsMode')}
                />
              </div>
              {values.tlsMode === 'Automatic' ? (
                <div className="fb-edge-form__grid">
                  <TextField label="Issuer name" mono hint="It must exist on the cluster: a missing issuer leaves clients with ECONNRESET." {...text('issuerName')} />
                  <Select
                    label="Issuer kind"
                    options={[
                      { value: 'ClusterIssuer', label: 'ClusterIssuer' },
                      { value: 'Issuer', label: 'Issuer (in the namespace)' },
                    ]}
                    {...text('issuerKind')}
                  />
                  <TextField label="SAN IP addresses" mono hint="Comma-separated: every address clients use." {...text('sanIp')} />
                  <TextField label="SAN DNS names" mono hint="Comma-separated, e.g. n013edge.local." {...text('sanDns')} />
                </div>
              ) : null}
            </>
          ) : null}
        </fieldset>
        {submitted && errors.parts ? (
          <p className="fb-edge-alert" role="alert">
            {errors.parts}
          </p>
        ) : null}
        {submitted && Object.keys(errors).length > 0 ? (
          <p className="fb-edge-alert" role="alert">
            Some fields need attention before Fieldbench can plan this.
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
