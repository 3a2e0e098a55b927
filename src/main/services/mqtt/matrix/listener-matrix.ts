import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { FieldbenchError, type ErrorInfo } from '@shared/errors';
import { MqttProfileInput, type MqttProfileInputT } from '@shared/contract/mqtt-contract';
import type { MatrixResultT, MatrixRowT, MatrixTargetT } from '@shared/contract/mqtt-matrix-contract';
import { probePresentedChain, type PresentedCertificate } from '../connect-diagnosis';
import { MessageStore } from '../message-store';
import { MqttConnection } from '../mqtt-connection';
import { resolveSatToken, resolveTls, type SatTokenProvider, type TlsMaterialSource } from '../tls-material';
import { diagnoseMatrixRow, type MatrixKnowledge } from './listener-matrix-diagnosis';

/** A local port tunnelled to host:port as seen from a node (EdgeService.forward gives one). */
export interface MatrixTunnel {
  readonly port: number;
  close(): Promise<void>;
}

/** What the matrix needs from the rest of the app; every piece is optional so explicit endpoints work alone. */
export interface ListenerMatrixDeps {
  pki?: TlsMaterialSource | undefined;
  satTokens?: SatTokenProvider | undefined;
  /** Opens an SSH tunnel from a node (ClusterIp listeners). */
  forward?: ((nodeId: string, host: string, port: number) => Promise<MatrixTunnel>) | undefined;
}

export interface MatrixRunOptions {
  runId?: string;
  nodeId?: string | undefined;
  connectTimeoutSeconds: number;
  deliveryTimeoutMs: number;
  skipped?: MatrixResultT['skipped'];
  warnings?: string[];
  /** CAs and trust bundles known from the vault and discovery, to say where a chain leads and what fixes it. */
  knowledge?: MatrixKnowledge;
  signal?: AbortSignal | undefined;
  progress?: (e: { phase: 'connect' | 'subscribe' | 'publish' | 'collect' | 'done'; message: string; fraction: number; row?: MatrixRowT }) => void;
}

interface Live {
  target: MatrixTargetT;
  row: MatrixRowT;
  connection?: MqttConnection;
  tunnel?: MatrixTunnel;
  lastSeq: number;
  publishedAt?: number;
}

const PROBE_ROOT = 'fieldbench/matrix';

/**
 * Runs the listener matrix: connects to every target at once, subscribes on each to one run-specific
 * topic, publishes a probe from each and waits until every connected listener saw every probe (or the
 * delivery timeout). The AIO broker routes all its listeners as one bus, so a probe missing somewhere is
 * a finding, not noise. Every connection and tunnel is closed before this returns, also on cancel.
 */
export async function runListenerMatrix(targets: readonly MatrixTargetT[], deps: ListenerMatrixDeps, options: MatrixRunOptions): Promise<MatrixResultT> {
  const runId = options.runId ?? `m-${randomBytes(5).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const probeTopic = `${PROBE_ROOT}/${runId}`;
  const signal = options.signal;
  const progress = options.progress ?? (() => {});
  const lives: Live[] = targets.map((target) => ({
    target,
    lastSeq: 0,
    row: {
      targetId: target.id,
      ok: false,
      connect: { ok: false },
      tls: { verdict: target.tls ? 'notReached' : 'notUsed', presentedChain: [] },
      auth: { method: target.auth.method, verdict: 'notReached' },
      received: [],
      missing: [],
    },
  }));
  let cancelled = false;
  const total = Math.max(1, lives.length);
  try {
    // --- connect all, in parallel: one slow or filtered listener must not hold up the others.
    let done = 0;
    await Promise.all(
      lives.map(async (live) => {
        await connectOne(live, deps, options);
        done++;
        progress({ phase: 'connect', message: `${live.target.label}: ${live.row.connect.ok ? 'connected' : (live.row.connect.error?.message ?? 'failed')}`, fraction: 0.4 * (done / total), row: live.row });
      }),
    );
    signal?.throwIfAborted();

    const connected = lives.filter((l) => l.connection);
    // --- subscribe on all to the run's topic.
    await Promise.all(
      connected.map(async (live) => {
        const sub = await live.connection!.subscribe(`${probeTopic}/#`, 1, undefined, {}).catch((err: unknown) => ({ state: 'refused' as const, error: toInfo(err) }));
        if (sub.state === 'refused') live.row.subscribe = { ok: false, ...reasonOf(sub.error), ...(sub.error ? { error: sub.error } : {}) };
        else live.row.subscribe = { ok: true };
      }),
    );
    progress({ phase: 'subscribe', message: `Subscribed on ${connected.filter((l) => l.row.subscribe?.ok).length} of ${connected.length} connected listeners.`, fraction: 0.5 });
    signal?.throwIfAborted();

    // --- publish one probe from each.
    await Promise.all(
      connected.map(async (live) => {
        const payload = Buffer.from(JSON.stringify({ fieldbenchMatrix: runId, from: live.target.id }));
        live.publishedAt = performance.now();
        try {
          const r = await live.connection!.publish(`${probeTopic}/${live.target.id}`, payload, 1, false, undefined);
          live.row.publish = { ok: r.reasonCode === undefined || r.reasonCode < 128, ...(r.reasonCode !== undefined ? { reasonCode: r.reasonCode } : {}) };
        } catch (err) {
          const info = toInfo(err);
          live.row.publish = { ok: false, ...reasonOf(info, err), error: info };
        }
      }),
    );
    progress({ phase: 'publish', message: `Published a probe from ${connected.filter((l) => l.row.publish?.ok).length} listeners.`, fraction: 0.6 });

    // --- collect until every receiver saw every sender, or the delivery timeout.
    const senders = connected.filter((l) => l.row.publish?.ok);
    const receivers = connected.filter((l) => l.row.subscribe?.ok);
    const byId = new Map(lives.map((l) => [l.target.id, l]));
    const deadline = performance.now() + options.deliveryTimeoutMs;
    for (;;) {
      for (const r of receivers) collect(r, byId, runId);
      const complete = receivers.every((r) => senders.every((s) => r.row.received.some((x) => x.fromTargetId === s.target.id)));
      if (complete || performance.now() > deadline) break;
      if (signal?.aborted) break;
      await sleep(25);
    }
    signal?.throwIfAborted();
    for (const r of receivers) {
      r.row.missing = senders.filter((s) => !r.row.received.some((x) => x.fromTargetId === s.target.id)).map((s) => s.target.id);
    }
    progress({ phase: 'collect', message: 'Probes collected.', fraction: 0.9 });
  } catch (err) {
    if (!signal?.aborted) throw err;
    cancelled = true;
  } finally {
    await Promise.all(
      lives.map(async (l) => {
        await l.connection?.close().catch(() => {});
        await l.tunnel?.close().catch(() => {});
      }),
    );
  }

  const senders = lives.filter((l) => l.row.publish?.ok).length;
  for (const live of lives) {
    const r = live.row;
    r.ok = r.connect.ok && r.subscribe?.ok === true && r.publish?.ok === true && r.missing.length === 0 && r.received.length >= senders && !cancelled;
    if (!r.ok) {
      const d = diagnoseMatrixRow(live.target, r, lives.map((l) => l.target), { ...(options.nodeId ? { nodeId: options.nodeId } : {}), knowledge: options.knowledge, cancelled });
      if (d) r.diagnosis = d;
    }
  }
  const rows = lives.map((l) => l.row);
  const connectedRows = rows.filter((r) => r.subscribe?.ok);
  const result: MatrixResultT = {
    format: 'fieldbench.mqtt-matrix',
    version: 1,
    runId,
    ...(options.nodeId ? { nodeId: options.nodeId } : {}),
    startedAt,
    finishedAt: new Date().toISOString(),
    probeTopic,
    targets: [...targets],
    rows,
    skipped: options.skipped ?? [],
    warnings: options.warnings ?? [],
    summary: {
      total: rows.length,
      passed: rows.filter((r) => r.ok).length,
      failed: rows.filter((r) => !r.ok).length,
      // A listener whose probe was refused (e.g. PUBACK 135) proved nothing about the bus from its side.
      crossDeliveryComplete:
        !cancelled && rows.length > 0 && rows.every((r) => r.connect.ok && r.publish?.ok === true) && connectedRows.length === rows.length && connectedRows.every((r) => r.missing.length === 0 && r.received.length === senders),
    },
    cancelled,
  };
  progress({ phase: 'done', message: cancelled ? 'The matrix run was cancelled; every connection is closed.' : `${result.summary.passed} of ${result.summary.total} listeners passed.`, fraction: 1 });
  return result;
}

/** The connection profile the matrix uses for a target: no reconnects, a small store, verification on. */
export function matrixProfile(target: MatrixTargetT, host: string, port: number, connectTimeoutSeconds: number): MqttProfileInputT {
  const servername = target.servername ?? (host !== target.host && !isIP(target.host) ? target.host : undefined);
  return MqttProfileInput.parse({
    name: target.label,
    protocol: target.tls ? 'mqtts' : 'mqtt',
    host,
    port,
    mqttVersion: target.mqttVersion,
    connectTimeoutSeconds,
    keepaliveSeconds: 30,
    reconnect: { enabled: false, minDelayMs: 500, maxDelayMs: 500 },
    store: { maxMessages: 1000, maxBytes: 1024 * 1024, spillToDisk: false },
    ...(target.tls
      ? {
          tls: {
            ca: target.ca ?? { source: 'system' },
            verifyServer: true,
            ...(target.auth.method === 'x509' ? { clientCertificate: { source: 'vault', certificateId: target.auth.certificateId } } : {}),
            ...(servername ? { servername } : {}),
          },
        }
      : {}),
    ...(target.auth.method === 'sat' ? { auth: { method: 'K8S-SAT', token: target.auth.token } } : {}),
  });
}

async function connectOne(live: Live, deps: ListenerMatrixDeps, options: MatrixRunOptions): Promise<void> {
  const { target, row } = live;
  const signal = options.signal;
  let host = target.host;
  let port = target.port;
  const started = performance.now();
  try {
    if (target.auth.method === 'sat' && !target.tls) {
      // The token is a bearer credential: sending it in clear text hands it to anyone on the network.
      throw new FieldbenchError('mqtt.satNeedsTls', `${target.label} would get a service account token over plain TCP. K8S-SAT is only sent over TLS; test this listener's TLS port instead.`);
    }
    if (target.route.kind === 'sshTunnel') {
      if (!deps.forward) throw new FieldbenchError('mqtt.noTunnel', `${target.label} is only reachable inside the cluster, and SSH access to the node is not available here. Add the node under Edge nodes.`);
      live.tunnel = await deps.forward(target.route.nodeId, target.host, target.port);
      host = '127.0.0.1';
      port = live.tunnel.port;
    }
    const profile = matrixProfile(target, host, port, options.connectTimeoutSeconds);
    const tls = target.tls ? await resolveTls(profile, deps.pki) : { caDescription: "the system's public CAs" };
    const auth = profile.auth;
    const connection = new MqttConnection({
      id: `${target.id}`,
      name: target.label,
      profile,
      material: {
        tls,
        satToken: auth.method === 'K8S-SAT' ? () => resolveSatToken(auth.token, {}, deps.satTokens, signal) : undefined,
      },
      store: new MessageStore({ maxMessages: profile.store.maxMessages, maxBytes: profile.store.maxBytes }),
      onChange: () => {},
    });
    await connection.open(signal);
    live.connection = connection;
    // The store's first sequence number is its own business; start from where it stands now.
    live.lastSeq = connection.store.lastSeq;
    row.connect = { ok: true, ms: round(performance.now() - started) };
    row.auth.verdict = 'accepted';
    row.auth.reasonCode = 0;
    if (target.tls) row.tls.verdict = 'ok';
  } catch (err) {
    const info = toInfo(err);
    row.connect = { ok: false, ms: round(performance.now() - started), error: info };
    const code = info.code;
    const rc = connackCode(err);
    if (rc !== undefined) {
      // The broker answered CONNACK, so TLS (if any) worked and the refusal is about authentication.
      row.auth = { ...row.auth, verdict: 'refused', reasonCode: rc };
      if (target.tls) row.tls.verdict = 'ok';
    } else if (TLS_FAILURES.has(code)) {
      row.tls.verdict = 'failed';
    } else if (CLIENT_CERT_FAILURES.has(code) && target.auth.method === 'x509') {
      row.tls.verdict = 'ok';
      row.auth.verdict = 'refused';
    }
  }
  if (target.tls && !signal?.aborted) {
    // A separate look at what the server presents, so the row shows the chain also when the connection worked.
    const servername = target.servername ?? (host !== target.host && !isIP(target.host) ? target.host : undefined);
    row.tls.presentedChain = (await probePresentedChain({ host, port, servername }, 3000)) ?? [];
    const chainsTo = describeChainEnd(row.tls.presentedChain, options.knowledge);
    if (chainsTo) row.tls.chainsTo = chainsTo;
  }
}

const TLS_FAILURES = new Set(['mqtt.unknownCa', 'mqtt.nameNotInSans', 'mqtt.certificateExpired', 'mqtt.certificateNotYetValid', 'mqtt.handshakeReset', 'mqtt.notTls']);
const CLIENT_CERT_FAILURES = new Set(['mqtt.clientCertificateRefused', 'mqtt.clientCertificateRequired', 'mqtt.connectionReset', 'mqtt.closedBeforeConnack']);

/** Where a presented chain leads, in words: a vault CA, a cluster trust bundle, or the issuer's name. */
export function describeChainEnd(chain: readonly PresentedCertificate[], knowledge: MatrixKnowledge | undefined): string | undefined {
  const top = chain[chain.length - 1];
  if (!top) return undefined;
  const hit = knowledge ? findKnownCa(top, knowledge) : undefined;
  if (hit) return hit;
  return `"${top.issuer}", which is neither in the vault nor in a trust bundle Fieldbench knows`;
}

function findKnownCa(top: PresentedCertificate, k: MatrixKnowledge): string | undefined {
  const fp = top.fingerprint256.replace(/:/g, '').toLowerCase();
  const issuerCn = cnOf(top.issuer);
  const selfSigned = top.subject === top.issuer;
  for (const ca of k.vaultCas ?? []) {
    if (ca.fingerprintSha256.replace(/:/g, '').toLowerCase() === fp || (!selfSigned && sameName(ca.subject, top.issuer, issuerCn))) return `the vault CA "${ca.commonName}"`;
  }
  for (const b of k.trustBundles ?? []) {
    for (const c of b.certificates) {
      if (c.fingerprintSha256.replace(/:/g, '').toLowerCase() === fp || (!selfSigned && sameName(c.subject, top.issuer, issuerCn))) {
        return `"${cnOf(c.subject) ?? c.subject}" from the cluster's ${b.source} ${b.name} (key ${b.key})`;
      }
    }
  }
  return undefined;
}

function sameName(a: string, b: string, bCn: string | undefined): boolean {
  if (a === b) return true;
  const aCn = cnOf(a);
  return aCn !== undefined && aCn === bCn;
}

export function cnOf(dn: string): string | undefined {
  const m = /(?:^|,\s*)CN\s*=\s*([^,]+)/.exec(dn);
  return m?.[1]?.trim();
}

function collect(live: Live, byId: Map<string, Live>, runId: string): void {
  const c = live.connection;
  if (!c) return;
  const fresh = c.store.newest(live.lastSeq, 10_000);
  live.lastSeq = c.store.lastSeq;
  const now = performance.now();
  for (const m of fresh) {
    let from: string | undefined;
    try {
      const body = JSON.parse(Buffer.from(m.payload).toString('utf8')) as { fieldbenchMatrix?: unknown; from?: unknown };
      if (body.fieldbenchMatrix === runId && typeof body.from === 'string') from = body.from;
    } catch {
      continue;
    }
    const sender = from ? byId.get(from) : undefined;
    if (!sender || live.row.received.some((x) => x.fromTargetId === from)) continue;
    // Poll time, not arrival time, bounds the latency from above by one poll interval (25 ms).
    live.row.received.push({ fromTargetId: from!, latencyMs: round(now - (sender.publishedAt ?? now)) });
  }
}

function connackCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'number' ? cause.code : undefined;
}

function reasonOf(info: ErrorInfo | undefined, err?: unknown): { reasonCode?: number } {
  const fromCause = connackCode(err);
  if (fromCause !== undefined) return { reasonCode: fromCause };
  const m = info ? /reason (\d+)/.exec(info.message) : null;
  return m ? { reasonCode: Number(m[1]) } : {};
}

function toInfo(err: unknown): ErrorInfo {
  if (err instanceof FieldbenchError) return err.toInfo();
  return { code: 'mqtt.matrixFailed', message: err instanceof Error ? err.message : String(err) };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
