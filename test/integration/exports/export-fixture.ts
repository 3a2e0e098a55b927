import type { CallName, CallRequest, CallResponse } from '@shared/contract';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeApp, type AppContext } from '../../../src/main/compose';

const WEAK = { kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 }, allowWeakKdf: true };

/** A vault holding seed 001's chains (and a foreign client chain), behind the real contract. */
export interface Seed001 {
  app: AppContext;
  dir: string;
  ids: {
    aioRoot: string;
    aioIntermediate: string;
    server: string;
    clientsRoot: string;
    clientsIntermediate: string;
    client42a: string;
    client42b: string;
    foreignClient: string;
  };
  call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>;
  /** Plans an export, confirms exactly the keys the plan names, and writes it into a new folder; returns the folder. */
  exportTo(req: Omit<CallRequest<'exports.write'>, 'out' | 'confirmedKeys'>): Promise<string>;
  /** The call's error (code and sentence); fails the test if it succeeded. */
  fail<N extends CallName>(name: N, request: CallRequest<N>): Promise<{ code: string; message: string }>;
  close(): Promise<void>;
}

export async function seed001Vault(opts: { serverSans?: string[]; keyAlgorithm?: 'ec-p256' | 'rsa-2048' } = {}): Promise<Seed001> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-exports-'));
  const app = composeApp({ dataDir: join(dir, 'data'), runtime: 'cli', vault: { createOptions: WEAK } });
  const call = async <N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>> => {
    const r = await app.dispatcher.dispatch(name, request);
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value as CallResponse<N>;
  };
  const fail = async <N extends CallName>(name: N, request: CallRequest<N>) => {
    const r = await app.dispatcher.dispatch(name, request);
    if (r.ok) throw new Error(`${name} succeeded but should have been refused`);
    return r.error;
  };
  await call('vault.create', { password: 'long enough pw' });
  const keyAlgorithm = opts.keyAlgorithm ?? 'ec-p256';
  // The seed's 72000h under a 72000h CA made a moment earlier outlasts it: the seed's technician ticks "shorten".
  const root = async (cn: string) => (await call('pki.createRoot', { subject: { commonName: cn }, keyAlgorithm, validity: { hours: 72000 } })).certificate.id;
  const inter = async (cn: string, issuerId: string) => (await call('pki.createIntermediate', { subject: { commonName: cn }, issuerId, keyAlgorithm, validity: { hours: 72000 }, clampToIssuer: true })).certificate.id;
  const aioRoot = await root('AIO42 Root CA');
  const aioIntermediate = await inter('AIO42 Intermediate CA 1', aioRoot);
  const server = (await call('pki.createServer', { subject: { commonName: 'mqtts-endpoint' }, sans: opts.serverSans ?? ['127.0.0.1', 'localhost'], issuerId: aioIntermediate, keyAlgorithm, validity: { hours: 72000 }, clampToIssuer: true })).certificate.id;
  const clientsRoot = await root('Clients42 Root CA');
  const clientsIntermediate = await inter('Clients42 Intermediate CA 1', clientsRoot);
  const clients = (await call('pki.createClients', { clientIds: ['client42a', 'client42b'], issuerId: clientsIntermediate, keyAlgorithm, validity: { hours: 72000 }, clampToIssuer: true })).certificates;
  const foreignRoot = await root('Foreign Root CA');
  const foreignClient = (await call('pki.createClients', { clientIds: ['intruder'], issuerId: foreignRoot, keyAlgorithm, validity: { hours: 72000 }, clampToIssuer: true })).certificates[0]!.id;
  let exports = 0;
  const exportTo = async (req: Omit<CallRequest<'exports.write'>, 'out' | 'confirmedKeys'>): Promise<string> => {
    const plan = await call('exports.plan', req);
    const out = join(dir, `export-${++exports}-${req.target}`);
    const res = await call('exports.write', { ...req, out, confirmedKeys: plan.keys.map((k) => k.certificateId) });
    if (res.files.map((f) => f.path).join() !== plan.files.map((f) => f.path).join()) throw new Error('the written files differ from the plan');
    return out;
  };
  return {
    app,
    dir,
    exportTo,
    ids: { aioRoot, aioIntermediate, server, clientsRoot, clientsIntermediate, client42a: clients[0]!.id, client42b: clients[1]!.id, foreignClient },
    call,
    fail,
    async close() {
      await app.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
