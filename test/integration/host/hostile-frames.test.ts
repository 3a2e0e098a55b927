import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_MAX_MESSAGE_BYTES, WS_PROTOCOL, type ServerMessage } from '@shared/contract';
import { composeApp } from '../../../src/main/compose';
import { startLoopbackHost, type LoopbackHost } from '../../../src/main/host/loopback-host';

// Each frame below is written by hand over a raw TCP socket after a real upgrade, because the `ws` client
// refuses to produce most of them. The byte layout follows RFC 6455 §5.2.

let host: LoopbackHost;

beforeAll(async () => {
  const renderer = mkdtempSync(join(tmpdir(), 'fb-renderer-'));
  mkdirSync(join(renderer, 'assets'));
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Fieldbench</title>');
  const context = composeApp({ dataDir: mkdtempSync(join(tmpdir(), 'fb-data-')), runtime: 'loopback-host' });
  host = await startLoopbackHost({ context, rendererDir: renderer, port: 0 });
});
afterAll(() => host.close());

/** Opens an authenticated upgrade by hand and resolves once the 101 has arrived. */
function rawUpgrade(): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(host.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded && buf.includes('\r\n\r\n')) {
        const head = buf.subarray(0, buf.indexOf('\r\n\r\n')).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
        upgraded = true;
        buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
        resolve({ socket, received: () => buf, closed });
      }
    });
    socket.write(
      [
        'GET /rpc HTTP/1.1',
        `Host: 127.0.0.1:${host.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: ${WS_PROTOCOL}`,
        `Authorization: Bearer ${host.token}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** A frame header: FIN + opcode, then the mask bit and the 7/16/64-bit length (RFC 6455 §5.2). */
function header(opcode: number, length: bigint, masked: boolean): Buffer {
  const first = 0x80 | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) return Buffer.from([first, maskBit | Number(length)]);
  if (length < 65536n) {
    const b = Buffer.from([first, maskBit | 126, 0, 0]);
    b.writeUInt16BE(Number(length), 2);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = first;
  b[1] = maskBit | 127;
  b.writeBigUInt64BE(length, 2);
  return b;
}

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([header(opcode, BigInt(payload.length), true), mask, body]);
}

const closePayload = (code: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};

const hostile: Array<[string, () => Buffer]> = [
  // Announced over the limit: the host must refuse on the header, long before it would buffer the body.
  ['a message over the frame limit', () => Buffer.concat([header(1, BigInt(WS_MAX_MESSAGE_BYTES + 1024 * 1024), true), randomBytes(4), Buffer.alloc(64 * 1024, 0x61)])],
  // Sent in full: below the frame limit, so it is read, found not to be a protocol message and closed (1003).
  ['a whole 33 MiB message', () => maskedFrame(1, Buffer.alloc(33 * 1024 * 1024, 0x61))],
  ['invalid UTF-8 in a text frame', () => maskedFrame(1, Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]))],
  ['an unmasked client frame', () => Buffer.concat([header(1, 2n, false), Buffer.from('{}')])],
  ['reserved opcode 3', () => maskedFrame(3, Buffer.from('hi'))],
  ['close code 999', () => maskedFrame(8, closePayload(999))],
  ['a 2^62 length', () => Buffer.concat([header(2, 2n ** 62n, true), randomBytes(4), Buffer.alloc(16)])],
];

async function closeFrameArrived(received: () => Buffer): Promise<void> {
  while (received().length === 0) await new Promise((r) => setTimeout(r, 10));
}

async function stillServes(): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, [WS_PROTOCOL], { headers: { authorization: `Bearer ${host.token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const answer = await new Promise<ServerMessage>((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as ServerMessage));
    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'app.info', request: {} }));
  });
  expect(answer).toMatchObject({ type: 'result', id: 1, result: { ok: true } });
  ws.close();
}

describe('the loopback host under hostile WebSocket frames', () => {
  for (const [what, frame] of hostile) {
    it(`drops the connection on ${what} and keeps serving everyone else`, async () => {
      const { socket, received, closed } = await rawUpgrade();
      socket.write(frame());
      // The host answers with a close frame (opcode 8); on a protocol error it also drops the socket at once,
      // on a well-formed but useless message it waits for the closing handshake the raw client never sends.
      await Promise.race([closed, closeFrameArrived(received)]);
      expect(received()[0]! & 0x0f).toBe(8);
      await stillServes();
      socket.destroy();
    });
  }

});
