/** What the AIO suites on the edge test host share: whether they can run, and the dispatcher call. */
import { existsSync } from 'node:fs';
import type { AppContext } from '../../../src/main/compose';
import { brokerLabAvailability } from '../../support/broker-lab/broker-lab';
import { edgeHostAvailability } from '../../support/e2e/edge-lab-fixture';

export const WEAK_KDF = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

/** The edge host, mosquitto and its clients: the operator stand-in serves with one, the tests talk with the other. */
export function aioEdgeAvailability(): { ok: true } | { ok: false; reason: string } {
  const edge = edgeHostAvailability();
  if (!edge.ok) return edge;
  const broker = brokerLabAvailability();
  if (!broker.ok) return broker;
  if (!existsSync('/usr/bin/mosquitto_pub')) return { ok: false, reason: 'mosquitto_pub is missing (apt-get install mosquitto-clients)' };
  return { ok: true };
}

/** One contract call through the dispatcher; a refusal becomes an Error carrying its code. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function dispatch<T = any>(app: AppContext, name: string, req: unknown, jobId?: string): Promise<T> {
  const res = await app.dispatcher.dispatch(name, req, jobId ? { jobId } : {});
  if (!res.ok) throw Object.assign(new Error(`${name}: ${res.error.message}`), res.error);
  return (res as { ok: true; value: T }).value;
}
