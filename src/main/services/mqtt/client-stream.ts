import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { MqttClient } from 'mqtt';
import { presentedChain, type PresentedCertificate } from './connect-diagnosis';

// What one connect attempt's socket showed (for the diagnosis), and ending an mqtt.js client for sure.

export interface StreamEvidence {
  tcpConnected: boolean;
  tlsEstablished: boolean;
  chain?: PresentedCertificate[] | undefined;
}

/**
 * Records the socket's TLS evidence (the presented chain, whether the handshake finished) on `evidence`.
 * mqtt.js keeps its stream factory private; wrapping it is the only way to see the socket.
 */
export function watchClientStream(client: MqttClient, evidence: StreamEvidence): void {
  const internals = client as unknown as { streamBuilder: (c: MqttClient) => Duplex };
  const build = internals.streamBuilder;
  internals.streamBuilder = (c) => {
    const stream = build(c);
    watchStream(stream, evidence);
    return stream;
  };
}

function watchStream(stream: Duplex, evidence: StreamEvidence): void {
  stream.once('connect', () => {
    evidence.tcpConnected = true;
  });
  const tls = stream as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return;
  const capture = () => {
    try {
      evidence.chain ??= presentedChain(tls.getPeerCertificate!(true));
    } catch {}
  };
  stream.once('secureConnect', () => {
    evidence.tcpConnected = true;
    evidence.tlsEstablished = true;
    capture();
  });
  // Node rejects an unverifiable certificate after the handshake, so the chain is still readable here.
  stream.prependListener('error', capture);
}

/** Ends a client, giving up after 2 s: a dead broker never answers the DISCONNECT. */
export function endClient(client: MqttClient, force: boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 2000);
    t.unref?.();
    try {
      client.end(force, {}, () => {
        clearTimeout(t);
        resolve();
      });
    } catch {
      clearTimeout(t);
      resolve();
    }
  });
}
