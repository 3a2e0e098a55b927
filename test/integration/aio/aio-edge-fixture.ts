/** What the AIO suites on the edge test host share: whether they can run, and the dispatcher call. */
import { existsSync, rmSync } from 'node:fs';
import type { AppContext } from '../../../src/main/compose';
import { brokerLabAvailability } from '../../support/broker-lab/broker-lab';
import type { AioOperator } from '../../support/broker-lab/aio-operator';
import { edgeHostAvailability, type EdgeLab } from '../../support/e2e/edge-lab-fixture';

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

/** The edge test host as a node of the vault (key login, host key trusted), as a technician adds it. */
export async function addEdgeNode(app: AppContext, edge: EdgeLab, name: string): Promise<string> {
  const key = await dispatch(app, 'edge.importKey', { privateKey: edge.host.clientKey.privateKey });
  const saved = await dispatch(app, 'edge.saveNode', { name, host: edge.host.nodeAddress, user: edge.host.users.key.name, auth: { method: 'key', keyId: key.id }, sudoPassword: edge.host.users.key.sudoPassword });
  await dispatch(app, 'edge.trustHostKey', { nodeId: saved.id, fingerprint: edge.host.hostKeys.ed25519.fingerprint });
  return saved.id as string;
}

/** Ends what a suite started, the app first (it holds SSH sessions to the node), then the node. */
export async function stopEdgeSuite(parts: { app?: AppContext | undefined; op?: AioOperator | undefined; edge?: EdgeLab | undefined; work?: string | undefined }): Promise<void> {
  await parts.app?.dispose();
  await parts.op?.stop();
  await parts.edge?.stop();
  if (parts.work) rmSync(parts.work, { recursive: true, force: true });
}
