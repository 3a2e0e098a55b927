import { describe, expect, it } from 'vitest';
import { calls, WS_MAX_MESSAGE_BYTES } from '@shared/contract';
import { MQTT_MAX_PAYLOAD_CHARS, MQTT_MAX_IMPORT_CHARS } from '@shared/contract/mqtt-contract';
import { PKI_MAX_IMPORT_BASE64_TOTAL, PKI_MAX_IMPORT_FILES } from '@shared/contract/pki-contract';

// The loopback host drops any WebSocket message over WS_MAX_MESSAGE_BYTES (close 1009). The contract's
// largest fields must therefore fit in one message at their limit, written the way the bridge writes them
// (JSON.stringify of the call), or the UI could send something valid that only ever ends in a dropped
// connection. The worst case per UTF-16 unit is a control character, which JSON writes as `\uXXXX`.
const WORST = '\u0001';
const frameBytes = (name: string, request: unknown) => Buffer.byteLength(JSON.stringify({ type: 'call', id: 2 ** 31, name, request, jobId: 'x'.repeat(100) }));

describe('contract size limits sit below the loopback host frame limit', () => {
  it('mqtt.publish: a payload at its limit fits in one message, one character more is refused with a sentence naming the limit', () => {
    const request = { connectionId: 'c'.repeat(100), topic: 't'.repeat(65_535), qos: 2, retain: false, payload: { format: 'text', value: WORST.repeat(MQTT_MAX_PAYLOAD_CHARS) } };
    expect(calls['mqtt.publish'].request.safeParse(request).success).toBe(true);
    expect(frameBytes('mqtt.publish', request)).toBeLessThan(WS_MAX_MESSAGE_BYTES);
    const over = calls['mqtt.publish'].request.safeParse({ ...request, payload: { format: 'text', value: 'a'.repeat(MQTT_MAX_PAYLOAD_CHARS + 1) } });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toMatch(/at most 8 Mi characters/);
  });

  it('mqtt.importConnections: an export at its limit fits in one message', () => {
    const request = { format: 'mqttx', text: WORST.repeat(MQTT_MAX_IMPORT_CHARS) };
    expect(calls['mqtt.importConnections'].request.safeParse(request).success).toBe(true);
    expect(frameBytes('mqtt.importConnections', request)).toBeLessThan(WS_MAX_MESSAGE_BYTES);
  });

  // Base64 is ASCII, one JSON byte a character; non-Base64 text is accepted here on purpose (the importer
  // answers it per file) and is bounded by the frame limit alone.
  it('pki.import: the largest accepted batch of Base64 fits in one message', () => {
    const per = Math.floor(PKI_MAX_IMPORT_BASE64_TOTAL / PKI_MAX_IMPORT_FILES / 4) * 4;
    const files = Array.from({ length: PKI_MAX_IMPORT_FILES }, (_, i) => ({ name: `${'n'.repeat(250)}${i}`, dataBase64: 'A'.repeat(per), passphrase: 'p'.repeat(1024) }));
    expect(calls['pki.import'].request.safeParse({ files }).success).toBe(true);
    expect(frameBytes('pki.import', { files })).toBeLessThan(WS_MAX_MESSAGE_BYTES);
  });
});
