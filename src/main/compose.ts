import { Dispatcher, silentLogger, type Handlers, type Logger } from './ipc/dispatcher';
import { EventHub } from './ipc/event-hub';
import { appHandlers } from './handlers/app-handlers';
import { ensureDataDir } from './services/app/data-dir';

export interface AppEnvironment {
  dataDir: string;
  runtime: 'electron' | 'loopback-host' | 'cli';
  /** The folder holding node_modules; lets doctor find the Electron runtime. */
  projectRoot?: string;
  log?: Logger;
}

export interface AppContext {
  readonly env: AppEnvironment;
  readonly hub: EventHub;
  readonly dispatcher: Dispatcher;
  dispose(): Promise<void>;
}

/**
 * The composition root: builds every service once and binds them to the contract. Electron's main, the
 * loopback host and the CLI all start here, so they run the same code behind the same validation.
 */
export function composeApp(env: AppEnvironment): AppContext {
  ensureDataDir(env.dataDir);
  const hub = new EventHub();
  const disposers: Array<() => Promise<void> | void> = [];
  // Handlers need the dispatcher (jobs.cancel) and the dispatcher needs the handlers: close the loop lazily.
  let dispatcher: Dispatcher | undefined;
  const getDispatcher = () => {
    if (!dispatcher) throw new Error('dispatcher not ready');
    return dispatcher;
  };
  const handlers: Handlers = {
    ...appHandlers(env, getDispatcher),
  };
  dispatcher = new Dispatcher(handlers, hub, env.log ?? silentLogger);
  return {
    env,
    hub,
    dispatcher,
    async dispose() {
      for (const d of disposers.reverse()) await d();
    },
  };
}
