import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { connect as tcpConnect, isIP } from 'node:net';
import { FieldbenchError } from '@shared/errors';

/** A certificate the server presented, as far as the TLS socket told us. */
export interface PresentedCertificate {
  subject: string;
  issuer: string;
  sans: string[];
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** What was known about the attempt when it failed; every field is optional evidence. */
export interface ConnectContext {
  host: string;
  port: number;
  protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  mqttVersion: '3.1.1' | '5.0';
  caDescription: string;
  servername?: string | undefined;
  sentClientCertificate: boolean;
  authMethod?: string | undefined;
  /** TCP connection was established. */
  tcpConnected: boolean;
  /** TLS handshake finished. */
  tlsEstablished: boolean;
  connectTimeoutSeconds: number;
  presentedChain?: PresentedCertificate[] | undefined;
  /** The port answered a plain MQTT CONNECT with a CONNACK (probePlainMqtt): it does not speak TLS. */
  plainMqttAnswered?: boolean | undefined;
  /** The target is an Azure IoT Operations broker listener, whose MQTT support has documented gaps. */
  aioBroker?: boolean | undefined;
  /** MQTT 5 features this attempt asked for, to tell "not supported by the AIO broker" from a failure. */
  requested?: RequestedFeatures | undefined;
}

/** MQTT features the AIO broker does not support (its MQTT support reference page). */
export interface RequestedFeatures {
  qos?: number | undefined;
  topicAlias?: boolean | undefined;
  subscriptionIdentifier?: boolean | undefined;
  requestResponseInformation?: boolean | undefined;
}

/**
 * What of `requested` the AIO broker does not support, each as a sentence. The broker documents QoS 2,
 * topic aliases, subscription identifiers and request-response information as unsupported; asking for
 * them is a limit of the broker, not a fault of the listener.
 */
export function aioUnsupported(requested: RequestedFeatures | undefined): Array<{ feature: 'qos2' | 'topicAlias' | 'subscriptionIdentifier' | 'requestResponseInformation'; sentence: string }> {
  if (!requested) return [];
  const out: ReturnType<typeof aioUnsupported> = [];
  if (requested.qos === 2) out.push({ feature: 'qos2', sentence: 'QoS 2 is not supported by the AIO broker; use QoS 1 (at least once).' });
  if (requested.topicAlias) out.push({ feature: 'topicAlias', sentence: 'Topic aliases are not supported by the AIO broker; send the full topic name.' });
  if (requested.subscriptionIdentifier) out.push({ feature: 'subscriptionIdentifier', sentence: 'Subscription identifiers are not supported by the AIO broker; tell subscriptions apart by topic filter.' });
  if (requested.requestResponseInformation) out.push({ feature: 'requestResponseInformation', sentence: 'Request-response information is not supported by the AIO broker; agree on response topics yourself (response topic and correlation data are supported).' });
  return out;
}

const V5_REASONS: Record<number, [string, string]> = {
  128: ['unspecified', 'The broker refused the connection without saying why (reason 128). Its log says more.'],
  129: ['malformedPacket', 'The broker found the CONNECT packet malformed (reason 129). Check the client id and the properties.'],
  130: ['protocolError', 'The broker reported a protocol error (reason 130). Try MQTT 3.1.1, or check the enhanced-auth settings.'],
  132: ['unsupportedVersion', 'The broker does not speak this MQTT version (reason 132). Switch the connection to the other version.'],
  133: ['clientIdInvalid', 'The broker refused the client id (reason 133). Use a shorter id of letters and digits, or leave it empty.'],
  134: ['badCredentials', 'The broker refused the username or password (reason 134). Check both; on an X.509 listener leave them empty.'],
  135: ['notAuthorized', 'The broker says this client is not authorized (reason 135). Its authorization policy does not allow this client; check the BrokerAuthorization rules or the certificate attributes.'],
  136: ['serverUnavailable', 'The broker is unavailable (reason 136). Wait a moment and try again.'],
  137: ['serverBusy', 'The broker is busy (reason 137). Wait a moment and try again.'],
  138: ['banned', 'The broker has banned this client (reason 138).'],
  140: ['badAuthMethod', 'The broker does not accept this authentication method (reason 140). This listener may not use K8S-SAT; use its X.509 or no-auth port, or remove enhanced auth.'],
  149: ['packetTooLarge', 'The CONNECT packet is larger than the broker accepts (reason 149). Shorten the will message or the user properties.'],
  151: ['quotaExceeded', 'The broker\'s quota is exceeded (reason 151).'],
  153: ['payloadFormatInvalid', 'The broker rejected the will payload format (reason 153).'],
  156: ['useAnotherServer', 'The broker asks to use another server (reason 156).'],
  157: ['serverMoved', 'The broker has moved (reason 157).'],
  159: ['connectionRateExceeded', 'Too many connection attempts (reason 159). Wait before reconnecting.'],
};

const V3_REASONS: Record<number, [string, string]> = {
  1: ['unsupportedVersion', 'The broker does not accept MQTT 3.1.1 (return code 1). Switch the connection to MQTT 5.'],
  2: ['clientIdInvalid', 'The broker refused the client id (return code 2). Use a shorter id of letters and digits, or leave it empty.'],
  3: ['serverUnavailable', 'The broker is unavailable (return code 3). Wait a moment and try again.'],
  4: ['badCredentials', 'The broker refused the username or password (return code 4). Check both; on an X.509 listener leave them empty.'],
  5: ['notAuthorized', 'The broker says this client is not authorized (return code 5). Check the credentials or the client certificate.'],
};

const UNKNOWN_CA = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function chainDetail(ctx: ConnectContext): string | undefined {
  if (!ctx.presentedChain?.length) return undefined;
  return ctx.presentedChain
    .map((c, i) => `#${i} subject "${c.subject}", issued by "${c.issuer}", valid ${c.validFrom} – ${c.validTo}${c.sans.length ? `, SANs ${c.sans.join(', ')}` : ''}`)
    .join('\n');
}

function withDetail(code: string, message: string, cause: unknown, ctx: ConnectContext): FieldbenchError {
  const raw = cause instanceof Error ? `${(cause as { code?: unknown }).code ?? cause.name}: ${cause.message}` : String(cause);
  const chain = chainDetail(ctx);
  return new FieldbenchError(`mqtt.${code}`, message, { cause, detail: chain ? `${raw}\nThe server presented:\n${chain}` : raw });
}

/**
 * Turns a failed connection attempt into one sentence that says what happened and what to do, keeping
 * the raw cause and the certificate chain the server presented as detail. The listener matrix reuses it.
 */
export function diagnoseConnectError(err: unknown, ctx: ConnectContext): FieldbenchError {
  if (err instanceof FieldbenchError) return err;
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = e.message ?? String(err);
  const where = `${ctx.host}:${ctx.port}`;
  const tls = ctx.protocol === 'mqtts' || ctx.protocol === 'wss';
  const leaf = ctx.presentedChain?.[0];

  if (typeof e.code === 'number') {
    // On an AIO listener a refusal of a feature it documents as unsupported is that limit, not a fault.
    const unsupported = ctx.aioBroker ? aioUnsupported(ctx.requested) : [];
    if (unsupported.length > 0 && [130, 131, 148, 155, 161].includes(e.code)) {
      return withDetail('notSupportedByAio', `${unsupported.map((u) => u.sentence).join(' ')} (The broker answered with reason code ${e.code}.)`, err, ctx);
    }
    const table = ctx.mqttVersion === '5.0' ? V5_REASONS : V3_REASONS;
    const hit = table[e.code];
    if (hit) return withDetail(hit[0], hit[1], err, ctx);
    return withDetail('refused', `The broker refused the connection with reason code ${e.code}. Its log says why.`, err, ctx);
  }

  switch (code) {
    case 'ECONNREFUSED':
      return withDetail('portClosed', `Nothing accepts connections at ${where}: the port is closed. Check the port number and that the listener exists (NodePorts are 30000–32767).`, err, ctx);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return withDetail('hostNotFound', `The host name ${ctx.host} cannot be resolved. Use the node's IP address, or check the name (offline sites often have no DNS).`, err, ctx);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return withDetail('unreachable', `${ctx.host} cannot be reached from this machine (no route). Check that this laptop is on the node's network and the address is right.`, err, ctx);
    case 'ETIMEDOUT':
    case 'mqtt.timeout':
      return ctx.tcpConnected
        ? withDetail(
            'noConnack',
            `${where} accepted the connection but never answered as an MQTT broker within ${ctx.connectTimeoutSeconds} s. Check that this port is an MQTT listener${tls ? '' : ' and whether it expects TLS (mqtts)'}.`,
            err,
            ctx,
          )
        : withDetail('timeout', `No answer from ${where} within ${ctx.connectTimeoutSeconds} s: the port may be filtered by a firewall or the address unreachable. Check the address and the node's firewall.`, err, ctx);
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const name = ctx.servername ?? ctx.host;
      const sans = leaf?.sans.length ? leaf.sans.join(', ') : 'no names';
      return withDetail('nameNotInSans', `The broker's certificate does not list ${name} (it lists ${sans}). Re-issue it with ${name} in its SANs, or set the server name to one it lists.`, err, ctx);
    }
    case 'CERT_HAS_EXPIRED':
      return withDetail('certificateExpired', `The broker's certificate expired${leaf ? ` on ${leaf.validTo}` : ''}. Renew the listener's certificate, and check this machine's clock.`, err, ctx);
    case 'CERT_NOT_YET_VALID':
      return withDetail('certificateNotYetValid', `The broker's certificate is not valid yet${leaf ? ` (from ${leaf.validFrom})` : ''}. Check the clocks of this machine and the node.`, err, ctx);
  }
  if (code && UNKNOWN_CA.has(code)) {
    const issuer = ctx.presentedChain?.[ctx.presentedChain.length - 1]?.issuer ?? leaf?.issuer;
    return withDetail(
      'unknownCa',
      `The broker's certificate does not chain to ${ctx.caDescription}${issuer ? `; the chain it presented leads to "${issuer}"` : ''}. Trust the CA that issued it (for AIO: the cluster's trust bundle, ConfigMap azure-iot-operations-aio-ca-trust-bundle) in the connection's TLS section.`,
      err,
      ctx,
    );
  }
  if (code && /CERTIFICATE_REQUIRED/.test(code)) {
    return withDetail('clientCertificateRequired', `The listener at ${where} requires a client certificate. Pick one from the vault in the connection's TLS section (the leaf and its intermediates are sent).`, err, ctx);
  }
  if (code && /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|DECRYPT_ERROR|HANDSHAKE_FAILURE)/.test(code) && ctx.sentClientCertificate) {
    return withDetail('clientCertificateRefused', `The broker refused the client certificate: it does not chain to a CA this listener trusts, or the chain lacks its intermediate. Use a certificate issued by the listener's client CA.`, err, ctx);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
    return withDetail('notTls', `${where} did not answer with TLS. This port probably expects plain MQTT: switch the protocol to mqtt${ctx.protocol === 'wss' ? ' (or ws)' : ''}.`, err, ctx);
  }
  if (tls && !ctx.tlsEstablished && ctx.plainMqttAnswered && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'mqtt.closedBeforeConnack')) {
    // A ClientHello read as MQTT is a malformed packet, and the broker just drops it: a reset, not an alert.
    return withDetail('notTls', `${where} speaks plain MQTT, not TLS: it answered a plain MQTT CONNECT, and closed the TLS handshake. Switch the protocol to mqtt${ctx.protocol === 'wss' ? ' (or ws)' : ''}, or use the listener's TLS port.`, err, ctx);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    if (tls && !ctx.tlsEstablished) {
      return withDetail(
        'handshakeReset',
        ctx.sentClientCertificate
          ? `The broker closed the connection during the TLS handshake. It may have refused the client certificate, or its own certificate was never issued (an AIO listener whose cert-manager Certificate is not Ready). Check the listener in the edge diagnostics.`
          : `The broker closed the connection during the TLS handshake (ECONNRESET). On AIO this usually means the listener's server certificate was never issued — its cert-manager Certificate is not Ready, e.g. because the issuer does not exist. Check the listener in the edge diagnostics; if it requires client certificates, add one.`,
        err,
        ctx,
      );
    }
    return withDetail('connectionReset', `The broker reset the connection to ${where}. ${tls ? '' : 'If this port expects TLS, use mqtts. '}Check the broker's log.`, err, ctx);
  }
  if (code === 'mqtt.closedBeforeConnack') {
    if (ctx.sentClientCertificate === false && tls && ctx.tlsEstablished) {
      return withDetail('closedBeforeConnack', `The broker closed the connection before accepting it. If the listener requires a client certificate, pick one in the TLS section; otherwise check its authentication settings.`, err, ctx);
    }
    return withDetail('closedBeforeConnack', `The broker closed the connection before accepting it.${tls ? '' : ' If this port expects TLS, switch the protocol to mqtts.'} Check the listener's authentication settings and the broker's log.`, err, ctx);
  }
  if (/TLS not authorized/.test(message)) {
    return withDetail('unknownCa', `The broker's certificate could not be verified against ${ctx.caDescription}. Trust the CA that issued it in the connection's TLS section.`, err, ctx);
  }
  return withDetail('connectFailed', `The connection to ${where} failed: ${message}. Check the address, port and protocol.`, err, ctx);
}

/** A TLS attempt that ended before the handshake finished: worth asking whether the port speaks plain MQTT. */
export function isEarlyTlsClose(err: unknown, ctx: Pick<ConnectContext, 'protocol' | 'tlsEstablished'>): boolean {
  const code = (err as { code?: unknown })?.code;
  return (ctx.protocol === 'mqtts' || ctx.protocol === 'wss') && !ctx.tlsEstablished && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'mqtt.closedBeforeConnack');
}

/**
 * Asks a port whether it speaks plain MQTT: a TCP connection, an MQTT 3.1.1 CONNECT (clean session, client id
 * "fieldbench-probe", no credentials), and true when the first byte back is a CONNACK. A DISCONNECT follows
 * so the broker logs a clean close. Used only after a TLS attempt was reset, to tell "wrong protocol" from
 * "no server certificate".
 */
export function probePlainMqtt(target: { host: string; port: number }, timeoutMs = 3000): Promise<boolean> {
  const id = Buffer.from('fieldbench-probe');
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  const connect = Buffer.concat([Buffer.from([0x10, variable.length + payload.length]), variable, payload]);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: target.host, port: target.port });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      if (answer) socket.end(Buffer.from([0xe0, 0x00]));
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref?.();
    socket.once('connect', () => socket.write(connect));
    socket.once('data', (b: Buffer) => done(b[0] === 0x20));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** diagnoseConnectError, after asking the port whether it speaks plain MQTT when a TLS attempt was reset. */
export async function explainConnectFailure(err: unknown, ctx: ConnectContext): Promise<FieldbenchError> {
  if (!(err instanceof FieldbenchError) && ctx.plainMqttAnswered === undefined && isEarlyTlsClose(err, ctx)) {
    return diagnoseConnectError(err, { ...ctx, plainMqttAnswered: await probePlainMqtt({ host: ctx.host, port: ctx.port }) });
  }
  return diagnoseConnectError(err, ctx);
}

/** TLS verification failures after which the chain is worth fetching to explain them. */
export function isVerificationFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (UNKNOWN_CA.has(code) || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || code === 'ERR_TLS_CERT_ALTNAME_INVALID');
}

/** The chain a peer certificate object links to, leaf first. */
export function presentedChain(leaf: PeerCertificate | undefined): PresentedCertificate[] | undefined {
  if (!leaf || !leaf.subject) return undefined;
  const out: PresentedCertificate[] = [];
  let c: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  const seen = new Set<string>();
  while (c && c.subject && !seen.has(c.fingerprint256) && out.length < 8) {
    seen.add(c.fingerprint256);
    out.push({
      subject: dnText(c.subject),
      issuer: dnText(c.issuer),
      sans: (c.subjectaltname ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^IP Address:/, 'IP:')),
      validFrom: c.valid_from,
      validTo: c.valid_to,
      fingerprint256: c.fingerprint256,
    });
    c = c.issuerCertificate;
  }
  return out;
}

function dnText(dn: object | undefined): string {
  if (!dn) return '';
  return Object.entries(dn)
    .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/**
 * Reads the certificate chain a TLS server presents without judging it, so a verification failure can
 * say what the server actually sent. Node drops the socket before reporting such failures, so this takes a
 * second, verification-off handshake that sends nothing else and closes at once.
 */
export function probePresentedChain(
  target: { host: string; port: number; servername?: string | undefined; alpn?: string[] | undefined },
  timeoutMs = 3000,
): Promise<PresentedCertificate[] | undefined> {
  return new Promise((resolve) => {
    const servername = target.servername ?? (isIP(target.host) ? undefined : target.host);
    const socket = tlsConnect({
      host: target.host,
      port: target.port,
      rejectUnauthorized: false,
      ...(servername ? { servername } : {}),
      ...(target.alpn?.length ? { ALPNProtocols: target.alpn } : {}),
    });
    const done = (chain: PresentedCertificate[] | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chain);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref?.();
    socket.once('secureConnect', () => done(presentedChain(socket.getPeerCertificate(true))));
    socket.once('error', () => done(undefined));
  });
}
