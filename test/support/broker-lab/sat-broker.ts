import { createRequire } from 'node:module';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';

// mqtt.js's own packet codec: this front only parses CONNECT and writes CONNACK; everything else is bytes.
const mqttPacket = createRequire(import.meta.url)('mqtt-packet') as {
  parser(opts: { protocolVersion: number }): { on(e: 'packet' | 'error', cb: (p: Record<string, unknown>) => void): void; parse(b: Buffer): void };
  generate(p: Record<string, unknown>, opts: { protocolVersion: number }): Buffer;
};

export interface SatBrokerOptions {
  /** Address and port the TLS front listens on (port 0 = a free one). */
  host: string;
  port?: number;
  /** Server certificate chain (leaf + intermediates) and key, e.g. the broker lab's. */
  certPem: string;
  keyPem: string;
  /** The Kubernetes API that checks tokens with TokenReview: URL, its CA and a token allowed to create reviews. */
  kube: { url: string; caPem: string; token: string };
  /** Audience the token must carry (AIO's default policy: aio-internal). */
  audience?: string;
  /** The lab's mosquitto (plain listener) that accepted clients are bridged to, so they share its bus. */
  upstream: { host: string; port: number };
  /** Service account names (system:serviceaccount:ns:name) refused with 0x87 even with a valid token. */
  deny?: string[];
}

export interface SatBroker {
  readonly host: string;
  readonly port: number;
  /** One line per CONNECT: method, verdict, reason code (never the token). */
  log(): string[];
  stop(): Promise<void>;
}

/**
 * A small MQTT 5 front for K8S-SAT enhanced authentication, which mosquitto lacks: TLS, CONNECT with
 * authenticationMethod K8S-SAT, the token in authenticationData checked with the emulator's TokenReview
 * for the audience; CONNACK 0x8C for another method, 0x87 for a token the review refuses. An accepted
 * client is bridged byte for byte to the lab's mosquitto (its CONNACK goes back to the client), so the
 * SAT listener is on the same bus as the others — as an AIO broker's listeners are.
 */
export async function startSatBroker(opts: SatBrokerOptions): Promise<SatBroker> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const audience = opts.audience ?? 'aio-internal';
  const server: TlsServer = createTlsServer({ cert: opts.certPem, key: opts.keyPem }, (client: TLSSocket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const pending: Buffer[] = [];
    let phase: 'connect' | 'auth' | 'bridged' = 'connect';
    let upstream: Socket | undefined;
    const refuse = (reasonCode: number, why: string) => {
      lines.push(why);
      client.end(mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode }, { protocolVersion: 5 }));
    };
    parser.on('error', () => client.destroy());
    parser.on('packet', (packet) => {
      if (phase !== 'connect' || packet['cmd'] !== 'connect') return;
      phase = 'auth';
      const props = (packet['properties'] ?? {}) as { authenticationMethod?: string; authenticationData?: Buffer };
      if (packet['protocolVersion'] !== 5) return refuse(0x84, 'CONNECT refused: not MQTT 5 (0x84)');
      if (props.authenticationMethod !== 'K8S-SAT') return refuse(0x8c, `CONNECT refused: method ${props.authenticationMethod ?? 'none'} (0x8C)`);
      const token = props.authenticationData ? Buffer.from(props.authenticationData).toString('utf8') : '';
      void tokenReview(opts.kube, token, audience).then(
        (user) => {
          if (!user || opts.deny?.includes(user)) return refuse(0x87, `CONNECT refused: ${user ? `${user} denied` : 'token not authenticated'} (0x87)`);
          lines.push(`CONNECT accepted: ${user}`);
          const { properties: _p, ...rest } = packet;
          const forwarded = { ...rest, properties: {} };
          upstream = netConnect(opts.upstream.port, opts.upstream.host, () => {
            upstream!.write(mqttPacket.generate(forwarded, { protocolVersion: 5 }));
            for (const b of pending.splice(0)) upstream!.write(b);
            phase = 'bridged';
            upstream!.pipe(client);
          });
          sockets.add(upstream);
          upstream.on('close', () => client.destroy());
          upstream.on('error', () => client.destroy());
          client.on('close', () => upstream?.destroy());
        },
        (err: unknown) => refuse(0x80, `CONNECT refused: TokenReview failed (${(err as Error).message}) (0x80)`),
      );
    });
    client.on('data', (chunk: Buffer) => {
      if (phase === 'connect') parser.parse(chunk);
      else if (phase === 'auth') pending.push(chunk);
      else upstream?.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: opts.host,
    port,
    log: () => [...lines],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The authenticated user name, or undefined when the review says no (wrong audience, expired, unknown). */
function tokenReview(kube: SatBrokerOptions['kube'], token: string, audience: string): Promise<string | undefined> {
  const url = new URL('/apis/authentication.k8s.io/v1/tokenreviews', kube.url);
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } });
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'POST', ca: kube.caPem, headers: { Authorization: `Bearer ${kube.token}`, 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const r = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: { authenticated?: boolean; audiences?: string[]; user?: { username?: string } } };
            const ok = r.status?.authenticated === true && (r.status.audiences ?? []).includes(audience);
            resolve(ok ? (r.status?.user?.username ?? 'unknown') : undefined);
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('TokenReview timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
