import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FieldbenchError } from '@shared/errors';
import type { KubeAccessProvider } from '../../edge';
import type { SatTokenProvider } from '../tls-material';

/**
 * K8S-SAT tokens minted through the node's Kubernetes TokenRequest API (what `kubectl create token SA
 * --audience aio-internal` does), reached through the edge area. Tokens are short-lived (1 h) and minted
 * per connection attempt; they are never stored or logged.
 */
export function createTokenRequestProvider(kube: KubeAccessProvider, options: { expirationSeconds?: number; timeoutMs?: number } = {}): SatTokenProvider {
  return {
    async mintToken(req, op = {}) {
      const access = await kube.openKube(req.nodeId, op.signal ? { signal: op.signal } : {});
      try {
        const cluster = access.kubeConfig.getCurrentCluster();
        if (!cluster) throw new FieldbenchError('mqtt.satMintFailed', 'The node\'s kubeconfig has no current cluster, so no service account token can be minted. Check the node\'s Kubernetes settings.');
        const server = new URL(cluster.server);
        const body = JSON.stringify({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: [req.audience], expirationSeconds: options.expirationSeconds ?? 3600 },
        });
        const path = `${server.pathname.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/serviceaccounts/${encodeURIComponent(req.serviceAccount)}/token`;
        const opts: RequestOptions = {
          method: 'POST',
          protocol: server.protocol,
          hostname: server.hostname.replace(/^\[|\]$/g, ''),
          port: server.port || (server.protocol === 'https:' ? 443 : 80),
          path,
          timeout: options.timeoutMs ?? 15_000,
        };
        await access.kubeConfig.applyToHTTPSOptions(opts);
        opts.headers = { ...(opts.headers ?? {}), Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
        const { status, json } = await send(server.protocol === 'http:', opts, body, op.signal);
        const token = (json as { status?: { token?: unknown } } | undefined)?.status?.token;
        if (status >= 200 && status < 300 && typeof token === 'string' && token) return token;
        const why = (json as { message?: unknown } | undefined)?.message;
        const hint =
          status === 404
            ? `The service account ${req.namespace}/${req.serviceAccount} does not exist on ${access.description}. Create it, or choose another one.`
            : status === 403 || status === 401
              ? `The node's Kubernetes user may not create tokens for ${req.namespace}/${req.serviceAccount}. Use an admin kubeconfig, or a token file.`
              : `The Kubernetes API refused the token request (HTTP ${status}). Check the node's Kubernetes access.`;
        throw new FieldbenchError('mqtt.satMintFailed', hint, { detail: typeof why === 'string' ? why : `HTTP ${status}` });
      } finally {
        await access.release();
      }
    },
  };
}

function send(plain: boolean, opts: RequestOptions, body: string, signal?: AbortSignal): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = (plain ? httpRequest : httpsRequest)(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    const onAbort = () => req.destroy(new FieldbenchError('cancelled', 'Minting the token was cancelled.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(e instanceof FieldbenchError ? e : new FieldbenchError('mqtt.satMintFailed', `The node's Kubernetes API could not be reached to mint a token: ${e.message}. Check the node's connection.`, { cause: e }));
    });
    req.end(body);
  });
}
