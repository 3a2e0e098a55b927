import { Dispatcher, type Handlers, type Logger } from './ipc/dispatcher';
import { EventHub } from './ipc/event-hub';
import { createDataFolderLogger } from './services/app/data-folder-logger';
import { APP_VERSION } from './version';
import { VaultSession } from './services/session/vault-session';
import type { AppEnvironment } from './area';
import { createAppArea } from './areas/app-area';
import { createVaultArea } from './areas/vault-area';
import { createPkiArea } from './areas/pki-area';
import { createEdgeArea } from './areas/edge-area';
import { createAioArea } from './areas/aio-area';
import { createNetworkArea } from './areas/network-area';
import { createMqttArea } from './areas/mqtt-area';
import { createRunbooksArea } from './areas/runbooks-area';
import { createExportsArea } from './areas/exports-area';
import type { OneTimeDownloads } from './services/exports/one-time-downloads';

export type { AppEnvironment } from './area';

export interface AppContext {
  readonly env: AppEnvironment;
  readonly hub: EventHub;
  readonly dispatcher: Dispatcher;
  readonly vault: VaultSession;
  readonly log: Logger;
  /** Export zips waiting for the loopback host to serve them once (exports.download). */
  readonly downloads: OneTimeDownloads;
  dispose(): Promise<void>;
}

/**
 * The composition root: builds every service once and binds them to the contract. Electron's main, the
 * loopback host and the CLI all start here, so they run the same code behind the same validation.
 * Composing creates nothing on disk: the data folder appears with the first thing kept in it (see
 * createDataFolderLogger), so asking (`fieldbench doctor`, an inspect) leaves no folder behind.
 */
export function composeApp(env: AppEnvironment): AppContext {
  const hub = new EventHub();
  const disposers: Array<() => Promise<void> | void> = [];
  const fileLog = env.log ? undefined : createDataFolderLogger({ dataDir: env.dataDir, base: { runtime: env.runtime } });
  const log: Logger = env.log ?? fileLog!;
  log.info('start', { version: APP_VERSION, node: process.versions.node, electron: process.versions.electron, platform: process.platform });
  disposers.push(() => {
    log.info('stop');
    fileLog?.close();
  });
  // Handlers need the dispatcher (jobs.cancel) and the dispatcher needs the handlers: close the loop lazily.
  const ref: { dispatcher?: Dispatcher } = {};
  const getDispatcher = () => {
    if (!ref.dispatcher) throw new Error('dispatcher not ready');
    return ref.dispatcher;
  };
  const vault = new VaultSession({ dataDir: env.dataDir, ...env.vault });
  disposers.push(() => vault.dispose());

  // Areas are built in dependency order; a later area receives the services of the earlier ones.
  const deps = { env, hub, vault, log };
  const app = createAppArea(deps, getDispatcher);
  const vaultArea = createVaultArea(deps);
  const pki = createPkiArea(deps);
  const edge = createEdgeArea(deps);
  // The live connect of `aio check` goes through the MQTT area's contract call, built after this area.
  const liveMatrix = async (req: { nodeId: string; namespace: string }, signal?: AbortSignal) => {
    const r = await getDispatcher().dispatch('mqtt.matrixRun', req, signal ? { signal } : {});
    if (!r.ok) throw new Error(r.error.message);
    return r.value as import('../shared/contract/mqtt-matrix-contract').MatrixResultT;
  };
  // The exports area, built later, owns the loopback host's one-time downloads.
  const aio = createAioArea(deps, { kube: edge.service, pki: pki.service, activity: edge.service, liveMatrix, downloads: () => exportsArea.downloads });
  const network = createNetworkArea({ ...deps, pki: pki.service, edge: edge.service, aio: aio.service });
  const mqtt = createMqttArea(deps, { pki: pki.service, edge: edge.service, aio: aio.service });
  const exportsArea = createExportsArea(deps, { pki: pki.service, aio: aio.service });
  const runbooks = createRunbooksArea(deps, getDispatcher, () => exportsArea.downloads);
  for (const area of [vaultArea, pki, edge, aio, network, mqtt, exportsArea, runbooks]) if (area.dispose) disposers.push(() => area.dispose?.());

  const handlers: Handlers = {
    ...app.handlers,
    ...vaultArea.handlers,
    ...pki.handlers,
    ...edge.handlers,
    ...aio.handlers,
    ...network.handlers,
    ...mqtt.handlers,
    ...runbooks.handlers,
    ...exportsArea.handlers,
  };
  const dispatcher = new Dispatcher(handlers, hub, log);
  ref.dispatcher = dispatcher;
  return {
    env,
    hub,
    dispatcher,
    vault,
    log,
    downloads: exportsArea.downloads,
    async dispose() {
      for (const d of disposers.reverse()) await d();
    },
  };
}
