import type { PartialHandlers, Logger } from './ipc/dispatcher';
import type { EventHub } from './ipc/event-hub';
import type { AppEnvironment } from './compose';
import type { VaultSession } from './services/session/vault-session';

/** What every area gets from the composition root. */
export interface AreaDeps {
  env: AppEnvironment;
  hub: EventHub;
  /** The open vault; each area keeps its data in its own section. */
  vault: VaultSession;
  log: Logger;
}

/**
 * One capability wired into the app: its contract handlers, the service other areas may use, and how to
 * shut it down (close connections, end child processes). Each area lives in src/main/areas/<area>-area.ts.
 */
export interface Area<H extends PartialHandlers, S = undefined> {
  handlers: H;
  service: S;
  dispose?(): Promise<void> | void;
}
