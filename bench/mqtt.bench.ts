/**
 * MQTT ingest benchmark against a local mosquitto (the broker lab), in one run:
 *   (a) Fieldbench's ingest rate vs mosquitto_sub on the same stream of 100-byte QoS 0 messages offered
 *       by several mosquitto_pub processes at once. Target: ratio ≥ 0.9 at ≥ 50,000 msg/s offered.
 *   (b) 1,000,000 messages retained in memory, main's RSS. Target: ≤ 500 MB.
 * Fieldbench runs as the app does (composition root, contract, event hub with a live-view listener that
 * serialises every batch like a transport would). mosquitto_sub writes to a file with its own per-message
 * timestamps, so neither subscriber waits on the other.
 * Run: npx tsx bench/mqtt.bench.ts   (BENCH_MESSAGES, BENCH_PUBLISHERS, BENCH_ROUNDS, BENCH_RETAINED override)
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeApp, type AppContext } from '../src/main/compose';
import { startBrokerLab, type BrokerLab } from '../test/support/broker-lab/broker-lab';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300_000);
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RETAINED = Number(process.env.BENCH_RETAINED ?? 1_000_000);
const PAYLOAD = 100;

async function call(app: AppContext, name: string, request: unknown): Promise<unknown> {
  const r = await app.dispatcher.dispatch(name, request);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

interface Stats {
  received: number;
  retained: number;
  dropped: number;
  firstSeq: number;
  lastSeq: number;
}

/**
 * A publisher process that writes QoS 0 PUBLISH packets in large chunks (with backpressure) instead of
 * one syscall per message as mosquitto_pub does, so a few of them can offer well over 50,000 msg/s on
 * two cores. Plain MQTT 3.1.1 framing, encoded by hand to stay independent of the client under test.
 */
const PUBLISHER_SCRIPT = `
const net = require('node:net');
const [host, port, topic, count, size] = process.argv.slice(1);
const n = Number(count);
const varint = (x) => { const out = []; do { let b = x % 128; x = Math.floor(x / 128); if (x > 0) b |= 128; out.push(b); } while (x > 0); return Buffer.from(out); };
const str = (s) => { const b = Buffer.from(s); const l = Buffer.alloc(2); l.writeUInt16BE(b.length); return Buffer.concat([l, b]); };
const connectBody = Buffer.concat([str('MQTT'), Buffer.from([4, 2, 0, 60]), str('bench-pub-' + process.pid)]);
const connect = Buffer.concat([Buffer.from([0x10]), varint(connectBody.length), connectBody]);
const body = Buffer.concat([str(topic), Buffer.alloc(Number(size), 120)]);
const packet = Buffer.concat([Buffer.from([0x30]), varint(body.length), body]);
const PER = 2000;
const chunk = Buffer.concat(Array(PER).fill(packet));
const sock = net.connect(Number(port), host);
sock.setNoDelay(true);
sock.once('data', () => {
  let sent = 0;
  const pump = () => {
    while (sent < n) {
      const k = Math.min(PER, n - sent);
      sent += k;
      if (!sock.write(k === PER ? chunk : chunk.subarray(0, k * packet.length))) return sock.once('drain', pump);
    }
    sock.end(Buffer.from([0xe0, 0]), () => process.exit(0));
  };
  pump();
});
sock.write(connect);
sock.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

/** Starts the publishers together; resolves with the offered rate once all have sent everything. */
async function offer(lab: BrokerLab, publishers: number, total: number, topic: string): Promise<{ seconds: number; messages: number }> {
  const each = Math.ceil(total / publishers);
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: publishers },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(process.execPath, ['-e', PUBLISHER_SCRIPT, lab.host, String(lab.listeners.plain.port), `${topic}/${i}`, String(each), String(PAYLOAD)], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
          p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}: ${err}`))));
        }),
    ),
  );
  return { seconds: (performance.now() - t0) / 1000, messages: each * publishers };
}

async function waitForFieldbench(app: AppContext, connectionId: string, expected: number): Promise<Stats> {
  let last = -1;
  let still = Date.now();
  for (;;) {
    const page = (await call(app, 'mqtt.messages', { connectionId, offset: 0, limit: 1, previewBytes: 16 })) as { stats: Stats };
    const s = page.stats;
    if (s.received >= expected) return s;
    if (s.received !== last) {
      last = s.received;
      still = Date.now();
    } else if (Date.now() - still > 5000) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fieldbenchWindow(app: AppContext, connectionId: string, stats: Stats): Promise<number> {
  const first = (await call(app, 'mqtt.messages', { connectionId, offset: 0, limit: 1, previewBytes: 16 })) as { messages: { receivedAt: number }[] };
  const last = (await call(app, 'mqtt.messages', { connectionId, afterSeq: stats.lastSeq - 1, limit: 1, previewBytes: 16 })) as { messages: { receivedAt: number }[] };
  return (last.messages[0]!.receivedAt - first.messages[0]!.receivedAt) / 1000;
}

function mosquittoSubResult(file: string): { count: number; seconds: number } {
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  if (lines.length < 2) return { count: lines.length, seconds: 0 };
  return { count: lines.length, seconds: Number(lines[lines.length - 1]) - Number(lines[0]) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-mqtt-bench-'));
  // Unlimited broker queues: a subscriber that falls behind gets its messages late rather than never,
  // so the rates below compare the clients, not mosquitto's drop policy.
  const lab = await startBrokerLab({ extraGlobalConfig: 'max_queued_messages 0' });
  const app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli' });
  let batchBytes = 0;
  let batches = 0;
  // Stands in for the renderer: a live view that receives every batch through the hub, serialised.
  const off = app.hub.on('mqtt.onMessages', (b) => {
    batches++;
    batchBytes += JSON.stringify(b).length;
  });
  try {
    const profile = (maxMessages: number) => ({ name: 'bench', host: lab.host, port: lab.listeners.plain.port, store: { maxMessages, maxBytes: 1024 * 1024 * 1024, spillToDisk: false } });
    // Both clients share the cores with the broker and the publishers: the load says how busy the machine was.
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start`);
    console.log(`MQTT ingest benchmark — ${fmt(MESSAGES)} messages of ${PAYLOAD} bytes, QoS 0, ${PUBLISHERS} publisher processes, ${ROUNDS} rounds`);
    const ratios: number[] = [];
    const rows: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const conn = (await call(app, 'mqtt.connect', { profile: profile(2_000_000) })) as { connectionId: string };
      const topic = `bench/r${round}`;
      await call(app, 'mqtt.subscribe', { connectionId: conn.connectionId, filter: `${topic}/#`, qos: 0 });
      const subFile = join(dir, `sub-${round}.txt`);
      const fd = openSync(subFile, 'w');
      const expected = PUBLISHERS * Math.ceil(MESSAGES / PUBLISHERS);
      // -F %U: mosquitto_sub stamps each message itself (seconds.nanoseconds). Its output goes straight to a
      // file, so it never waits on this process; -C makes it leave once it has the whole stream.
      const sub = spawn('mosquitto_sub', ['-h', lab.host, '-p', String(lab.listeners.plain.port), '-t', `${topic}/#`, '-q', '0', '-F', '%U', '-C', String(expected), '-W', '120'], {
        stdio: ['ignore', fd, 'ignore'],
      });
      const subExited = new Promise<void>((r) => sub.once('exit', () => r()));
      // On loopback it subscribes within milliseconds; the counts below show if it ever missed the start.
      await new Promise((r) => setTimeout(r, 1000));
      const offered = await offer(lab, PUBLISHERS, MESSAGES, topic);
      const fb = await waitForFieldbench(app, conn.connectionId, offered.messages);
      const fbSeconds = await fieldbenchWindow(app, conn.connectionId, fb);
      const giveUp = setTimeout(() => sub.kill(), 10_000);
      await subExited;
      clearTimeout(giveUp);
      closeSync(fd);
      const ms = mosquittoSubResult(subFile);
      // Publisher start-up is inside offered.seconds, so the offered rate shown is a floor.
      const offeredRate = offered.messages / offered.seconds;
      const fbRate = fb.received / Math.max(fbSeconds, 0.001);
      const msRate = ms.count / Math.max(ms.seconds, 0.001);
      const ratio = (fbRate / msRate) * Math.min(1, fb.received / Math.max(1, ms.count));
      ratios.push(ratio);
      rows.push(
        `round ${round}: offered ${fmt(offeredRate)} msg/s | Fieldbench ${fmt(fb.received)} msgs at ${fmt(fbRate)} msg/s | mosquitto_sub ${fmt(ms.count)} msgs at ${fmt(msRate)} msg/s | ratio ${ratio.toFixed(2)}`,
      );
      console.log(rows[rows.length - 1]);
      await call(app, 'mqtt.disconnect', { connectionId: conn.connectionId });
    }
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} after (a)`);
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    console.log(`(a) ingest ratio Fieldbench / mosquitto_sub, median of ${ROUNDS}: ${median.toFixed(2)} (target ≥ 0.90) — ${median >= 0.9 ? 'meets the target' : `misses by ${(0.9 - median).toFixed(2)}`}`);
    console.log(`    live view: ${fmt(batches)} batches, ${fmt(batchBytes / Math.max(1, batches))} bytes each on average (at most 100 previews per batch)`);

    // (b) A million retained messages.
    const conn = (await call(app, 'mqtt.connect', { profile: profile(RETAINED) })) as { connectionId: string };
    await call(app, 'mqtt.subscribe', { connectionId: conn.connectionId, filter: 'keep/#', qos: 0 });
    const rssBefore = process.memoryUsage().rss;
    const keptOffer = await offer(lab, PUBLISHERS, RETAINED, 'keep');
    const kept = await waitForFieldbench(app, conn.connectionId, keptOffer.messages);
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    const rssMb = mem.rss / 1024 / 1024;
    console.log(
      `(b) ${fmt(kept.retained)} messages retained (${fmt(kept.dropped)} dropped): main RSS ${rssMb.toFixed(0)} MB (was ${(rssBefore / 1024 / 1024).toFixed(0)} MB before; heap ${(mem.heapUsed / 1024 / 1024).toFixed(0)} MB, buffers ${(mem.arrayBuffers / 1024 / 1024).toFixed(0)} MB) (target ≤ 500 MB) — ${rssMb <= 500 && kept.retained >= RETAINED ? 'meets the target' : 'misses the target'}`,
    );
    await call(app, 'mqtt.disconnect', { connectionId: conn.connectionId });
  } finally {
    off();
    await app.dispose();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
