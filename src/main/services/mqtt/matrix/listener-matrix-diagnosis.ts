import type { MatrixFixT, MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';

/** A CA or certificate the vault holds, as far as the matrix needs it. */
export interface KnownCertificate {
  id: string;
  commonName: string;
  subject: string;
  fingerprintSha256: string;
  isCa: boolean;
  issuerId: string | null;
}

/** A trust bundle read from the cluster (aio discovery's trustBundles). */
export interface KnownTrustBundle {
  source: 'ConfigMap' | 'Secret';
  name: string;
  namespace: string;
  key: string;
  certificates: { subject: string; fingerprintSha256: string }[];
}

/** What the matrix knows beyond the wire: vault certificates, cluster trust bundles, listeners' client CAs. */
export interface MatrixKnowledge {
  vaultCas?: KnownCertificate[];
  vaultCertificates?: KnownCertificate[];
  trustBundles?: KnownTrustBundle[];
  /** Per target id: the ConfigMap its X.509 authentication trusts (trustedClientCaCert). */
  clientCaByTarget?: Record<string, string>;
}

const norm = (fp: string): string => fp.replace(/:/g, '').toLowerCase();
const cnOf = (dn: string): string | undefined => /(?:^|,\s*)CN\s*=\s*([^,]+)/.exec(dn)?.[1]?.trim();

/**
 * One sentence with the fix for a failed matrix row, built on the connection diagnosis (which already
 * says what happened) plus what only the matrix knows: the cluster's trust bundles, the vault's
 * certificates, the listener's client CA and which probes went missing.
 */
export function diagnoseMatrixRow(
  target: MatrixTargetT,
  row: MatrixRowT,
  all: readonly MatrixTargetT[],
  ctx: { nodeId?: string; knowledge?: MatrixKnowledge | undefined; cancelled: boolean },
): MatrixRowT['diagnosis'] | undefined {
  const k = ctx.knowledge ?? {};
  const fixes: MatrixFixT[] = [];
  const leaf = row.tls.presentedChain[0];
  const top = row.tls.presentedChain[row.tls.presentedChain.length - 1];
  const vaultLeaf = leaf ? (k.vaultCertificates ?? []).find((c) => norm(c.fingerprintSha256) === norm(leaf.fingerprint256)) : undefined;
  const labelOf = (id: string) => all.find((t) => t.id === id)?.label ?? id;
  const known = [...(k.vaultCas ?? []), ...(k.vaultCertificates ?? [])];
  const nameOf = (id: string) => {
    const c = known.find((x) => x.id === id);
    return c ? `"${c.commonName}"` : id;
  };
  // Sentences from the connection layer name vault certificates by id ("the vault CA c-7b44…"); a person
  // knows them by name, so every id the vault knows is replaced by its common name.
  const named = (text: string) => known.reduce((t, c) => (t.includes(c.id) ? t.split(c.id).join(`"${c.commonName}"`) : t), text);

  if (!row.connect.ok) {
    const err = row.connect.error;
    if (!err) return ctx.cancelled ? { code: 'mqtt.matrixCancelled', sentence: 'The run was cancelled before this listener was tried.', fixes } : undefined;
    let sentence = err.message;
    switch (err.code) {
      case 'mqtt.nameNotInSans': {
        const name = target.servername ?? target.host;
        const sans = [name, ...(leaf?.sans ?? []).map((s) => s.replace(/^(IP|DNS):/, ''))].filter((v, i, a) => a.indexOf(v) === i);
        fixes.push(
          vaultLeaf
            ? {
                label: `Re-issue the server certificate "${vaultLeaf.commonName}" with ${name} in its SANs, then apply it to the listener.`,
                action: { call: 'pki.renew', id: vaultLeaf.id, sans, ...(ctx.nodeId ? { nodeId: ctx.nodeId } : {}) },
              }
            : { label: `Issue a server certificate with ${name} in its SANs and apply it to the listener.`, action: { call: 'pki.createServer', sans } },
        );
        break;
      }
      case 'mqtt.unknownCa': {
        // The connect sentence names the issuer already; this says where Fieldbench knows it from.
        if (row.tls.chainsTo) sentence = `${sentence} That issuer is ${row.tls.chainsTo}.`;
        // The issuer may already be in the vault (the person picked another CA, or none): then the fix is to
        // use it, not to import it again.
        const issuerCn = top ? cnOf(top.issuer) : undefined;
        const vaultCa = top ? (k.vaultCas ?? []).find((c) => norm(c.fingerprintSha256) === norm(top.fingerprint256) || (issuerCn !== undefined && cnOf(c.subject) === issuerCn)) : undefined;
        const bundle = top ? (k.trustBundles ?? []).find((b) => b.certificates.some((c) => norm(c.fingerprintSha256) === norm(top.fingerprint256) || cnOf(c.subject) === cnOf(top.issuer))) : undefined;
        if (vaultCa) {
          // Said once: the issuer line above may already name it as the vault CA.
          if (!sentence.includes(`the vault CA "${vaultCa.commonName}"`)) sentence = `${sentence} The vault holds that CA: "${vaultCa.commonName}".`;
          fixes.push({ label: `Use "${vaultCa.commonName}" from the vault as the CA for this listener and run again.`, action: { call: 'mqtt.useVaultCa', caId: vaultCa.id, name: vaultCa.commonName } });
        } else if (bundle && ctx.nodeId) {
          fixes.push({
            label: `Import the cluster's trust bundle (${bundle.source} ${bundle.name}) into the vault and trust it for this listener.`,
            action: { call: 'aio.importTrustBundle', nodeId: ctx.nodeId, name: bundle.name, namespace: bundle.namespace, key: bundle.key, source: bundle.source },
          });
        } else {
          fixes.push({ label: `Trust the CA that issued the broker's certificate${top ? ` ("${cnOf(top.issuer) ?? top.issuer}")` : ''}: import it into the vault and pick it as this listener's CA.` });
        }
        break;
      }
      case 'mqtt.certificateExpired':
      case 'mqtt.certificateNotYetValid':
        if (vaultLeaf) fixes.push({ label: `Renew the server certificate "${vaultLeaf.commonName}" and apply it to the listener.`, action: { call: 'pki.renew', id: vaultLeaf.id, ...(ctx.nodeId ? { nodeId: ctx.nodeId } : {}) } });
        else fixes.push({ label: "Renew the listener's server certificate (for Automatic TLS, cert-manager renews it; check its Certificate) and check both clocks." });
        break;
      case 'mqtt.handshakeReset':
        fixes.push({
          label: "Check the listener's certificate in the edge diagnostics: its cert-manager Certificate may not be Ready (for example, the issuer does not exist).",
          ...(ctx.nodeId ? { action: { call: 'aio.diagnose' as const, nodeId: ctx.nodeId } } : {}),
        });
        break;
      case 'mqtt.clientCertificateRefused':
      case 'mqtt.clientCertificateRequired':
      case 'mqtt.connectionReset':
      case 'mqtt.closedBeforeConnack':
        if (target.auth.method === 'x509') {
          const trusted = k.clientCaByTarget?.[target.id];
          sentence = `The listener refused the client certificate ${nameOf(target.auth.certificateId)}${row.auth.reasonCode !== undefined ? ` (CONNACK reason ${row.auth.reasonCode})` : ''}: it does not chain to a CA the listener trusts${trusted ? ` (ConfigMap ${trusted})` : ''}, or its intermediate was not sent.`;
          fixes.push({ label: `Use a client certificate issued under the CA in ${trusted ? `ConfigMap ${trusted}` : "the listener's trusted client CA"}, or add its CA to that ConfigMap.` });
        }
        break;
      case 'mqtt.portClosed':
      case 'mqtt.timeout':
        fixes.push({ label: `Check that a listener exists on port ${target.port}${target.serviceType === 'NodePort' ? ' (NodePorts are 30000–32767)' : ''} and that no firewall blocks it.` });
        break;
      case 'mqtt.badAuthMethod':
        fixes.push({ label: "Test this listener with the authentication its BrokerAuthentication lists, or add ServiceAccountToken to it." });
        break;
      case 'mqtt.notAuthorized':
        fixes.push({ label: 'Allow this client in the listener\'s BrokerAuthorization (principals and brokerResources), or use a client it allows.' });
        break;
    }
    return { code: err.code, sentence: named(sentence), ...(err.detail ? { detail: err.detail } : {}), fixes: fixes.map((f) => ({ ...f, label: named(f.label) })) };
  }

  const refused = row.subscribe && !row.subscribe.ok ? { what: 'subscribe to', r: row.subscribe } : row.publish && !row.publish.ok ? { what: 'publish on', r: row.publish } : undefined;
  if (refused) {
    const rc = refused.r.reasonCode;
    if (rc === 135) {
      return {
        code: 'mqtt.notAuthorized',
        sentence: `The broker accepted the connection on ${target.label} but refused to let this client ${refused.what} the probe topic (reason 135, not authorized). Its authorization policy does not allow it.`,
        fixes: [{ label: "Allow this client to publish and subscribe in the listener's BrokerAuthorization, or test with a client it allows." }],
      };
    }
    return { code: refused.r.error?.code ?? 'mqtt.probeRefused', sentence: refused.r.error?.message ?? `The broker refused to let this client ${refused.what} the probe topic${rc !== undefined ? ` (reason ${rc})` : ''}.`, fixes };
  }
  if (row.missing.length > 0) {
    return {
      code: 'mqtt.probeMissing',
      sentence: `${target.label} did not receive the probe from ${row.missing.map(labelOf).join(', ')}. These listeners do not share one bus here: they may belong to different brokers, or an authorization rule hides the topic.`,
      fixes: [{ label: 'Check that every listener refers to the same Broker (brokerRef) and that the authorization policies allow the probe topic.' }],
    };
  }
  if (ctx.cancelled) return { code: 'mqtt.matrixCancelled', sentence: 'The run was cancelled before this listener finished.', fixes };
  return undefined;
}
