import { readFile } from 'node:fs/promises';
import { FieldbenchError } from '@shared/errors';
import type { MqttProfileInputT, SatTokenSourceT } from '@shared/contract/mqtt-contract';
import type { ProfileSecrets } from './mqtt-profiles';

/**
 * The part of the PKI service the MQTT client needs; PkiService satisfies it as is. TLS material is
 * resolved here in main from vault ids and handed straight to the TLS socket.
 */
export interface TlsMaterialSource {
  exportCertificatePem(id: string, options?: { chain?: 'none' | 'bundle' | 'chain' | 'full' }): string;
  exportKey(id: string, options?: { passphrase?: string }): string;
  /** The certificate's common name, for sentences that name it; undefined when the id is not in the vault. */
  commonNameOf?(id: string): string | undefined;
}

/**
 * Mints a Kubernetes service account token for K8S-SAT enhanced auth through the node's TokenRequest
 * API. The edge area implements it once it can reach a node's Kubernetes API.
 */
export interface SatTokenProvider {
  mintToken(request: { nodeId: string; serviceAccount: string; namespace: string; audience: string }, options?: { signal?: AbortSignal }): Promise<string>;
}

export interface ResolvedTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** Words for messages: "the vault CA 'Lab Root'", "the file /x/ca.pem", "the system's public CAs". */
  caDescription: string;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new FieldbenchError('mqtt.fileUnreadable', `The ${what} file ${path} cannot be read. Check that it exists and that Fieldbench may read it.`, { cause: err });
  }
}

/** A certificate in a sentence: by its common name when the vault knows it, else by the id the profile holds. */
function named(pki: TlsMaterialSource | undefined, id: string): string {
  const cn = pki?.commonNameOf?.(id);
  return cn === undefined ? `with id ${id}` : `"${cn}"`;
}

function fromVault<T>(what: string, id: string, pki: TlsMaterialSource | undefined, read: () => T): T {
  try {
    return read();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'vault.locked') throw err;
    // Only the client certificate needs its key; a CA verifies the broker with its certificate alone.
    if (code === 'pki.no-private-key') throw new FieldbenchError('mqtt.certificateMissing', `The vault holds the ${what} ${named(pki, id)} but not its private key, which a client certificate needs. Import its key file, or pick another certificate in the connection's TLS section.`, { cause: err });
    throw new FieldbenchError('mqtt.certificateMissing', `The ${what} ${named(pki, id)} is not in the vault any more. Pick another certificate in the connection's TLS section.`, { cause: err });
  }
}

/** Reads the CA and client certificate a profile names. Throws person-facing errors for missing pieces. */
export async function resolveTls(profile: MqttProfileInputT, pki: TlsMaterialSource | undefined): Promise<ResolvedTls> {
  const tls = profile.tls;
  const out: ResolvedTls = { caDescription: "the system's public CAs" };
  if (!tls) return out;
  const needPki = (): TlsMaterialSource => {
    if (!pki) throw new FieldbenchError('mqtt.noPki', 'This connection uses certificates from the vault, but the certificate store is not available. Unlock the vault and try again.');
    return pki;
  };
  if (tls.ca.source === 'vault') {
    const id = tls.ca.certificateId;
    // 'full': an intermediate alone is not a trust anchor for OpenSSL, its root has to come along.
    out.ca = fromVault('CA certificate', id, pki, () => needPki().exportCertificatePem(id, { chain: 'full' }));
    out.caDescription = `the vault CA ${named(pki, id)}`;
  } else if (tls.ca.source === 'file') {
    out.ca = await readText(tls.ca.path, 'CA');
    out.caDescription = `the CA file ${tls.ca.path}`;
  }
  const cc = tls.clientCertificate;
  if (cc?.source === 'vault') {
    // The AIO broker needs the leaf plus its intermediates to build the chain to the trusted CA.
    out.cert = fromVault('client certificate', cc.certificateId, pki, () => needPki().exportCertificatePem(cc.certificateId, { chain: 'chain' }));
    out.key = fromVault('client certificate', cc.certificateId, pki, () => needPki().exportKey(cc.certificateId));
  } else if (cc?.source === 'file') {
    out.cert = await readText(cc.certPath, 'client certificate');
    out.key = await readText(cc.keyPath, 'client key');
  }
  return out;
}

/** The SAT token for K8S-SAT, read fresh at every connect because tokens expire. */
export async function resolveSatToken(
  source: SatTokenSourceT,
  secrets: ProfileSecrets,
  provider: SatTokenProvider | undefined,
  signal?: AbortSignal,
): Promise<string> {
  switch (source.source) {
    case 'file': {
      const token = (await readText(source.path, 'service account token')).trim();
      if (!token) throw new FieldbenchError('mqtt.satTokenMissing', `The token file ${source.path} is empty. Save a token into it (kubectl create token SA --audience aio-internal).`);
      return token;
    }
    case 'vault': {
      if (!secrets.satToken) throw new FieldbenchError('mqtt.satTokenMissing', 'This connection uses a service account token from the vault, but none is saved. Paste one in the connection\'s authentication section.');
      return secrets.satToken;
    }
    case 'tokenRequest': {
      if (!provider) {
        throw new FieldbenchError('mqtt.satProviderMissing', 'Minting a service account token needs access to the node\'s Kubernetes API, which is not set up yet. Use a token file or a token saved in the vault instead.');
      }
      return provider.mintToken(
        { nodeId: source.nodeId, serviceAccount: source.serviceAccount, namespace: source.namespace, audience: source.audience },
        signal ? { signal } : {},
      );
    }
  }
}
