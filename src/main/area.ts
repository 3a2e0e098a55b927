// Types only: the composition root and every area import this file, so it imports neither of them.
import type { CallName } from '@shared/contract';
import type { Handler, PartialHandlers, Logger } from './ipc/dispatcher';
import type { EventHub } from './ipc/event-hub';
import type { VaultSession, VaultSessionOptions } from './services/session/vault-session';
import type { ReportPdfPrinter } from './runbooks/report-pdf';
import type { SaveDialog } from './services/exports/save-dialog';

export interface AppEnvironment {
  dataDir: string;
  runtime: 'electron' | 'loopback-host' | 'cli';
  /** The folder holding node_modules; lets doctor find the Electron runtime. */
  projectRoot?: string;
  /** Where doctor looks for external tools (PATH); the CLI passes the environment it was started with. */
  toolEnv?: NodeJS.ProcessEnv;
  /** Default: the rotating, redacted log in <dataDir>/logs (see services/app/logger). */
  log?: Logger;
  /** Vault file and test-only KDF overrides; defaults to <dataDir>/vault.fbv. */
  vault?: Omit<VaultSessionOptions, 'dataDir'>;
  /** Prints the commissioning report to PDF; default headless Chromium (the desktop passes Electron's printer). */
  reportPrinter?: ReportPdfPrinter;
  /** The desktop's folder/save dialogs (exports.saveWithDialog); absent in the CLI and the loopback host. */
  saveDialog?: SaveDialog;
}

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

/** The handler map of the calls named `<prefix>.*`: an area that misses one of its calls does not compile. */
export type AreaHandlers<P extends string> = { [N in CallName as N extends `${P}.${string}` ? N : never]: Handler<N> };
