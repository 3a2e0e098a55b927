import type { z } from 'zod';
import { appCalls, appEvents } from './app-contract';
import { vaultCalls, vaultEvents } from './vault-contract';
import { pkiCalls, pkiEvents } from './pki-contract';
import { edgeCalls, edgeEvents } from './edge-contract';
import { aioCalls, aioEvents } from './aio-contract';
import { networkCalls, networkEvents } from './network-contract';
import { mqttCalls, mqttEvents } from './mqtt-contract';
import { mqttMatrixCalls, mqttMatrixEvents } from './mqtt-matrix-contract';
import { runbooksCalls, runbooksEvents } from './runbooks-contract';
import { exportsCalls, exportsEvents } from './exports-contract';
import type { CallSpec, EventSpec } from './define';
import type { Result } from '../errors';

/**
 * The one contract between the renderer (or any remote client) and main. Every transport — Electron IPC,
 * the loopback host's WebSocket, the CLI — dispatches these names and nothing else. Add an area by writing
 * `<area>-contract.ts` next to this file and spreading it here.
 */
export const calls = {
  ...appCalls,
  ...vaultCalls,
  ...pkiCalls,
  ...edgeCalls,
  ...aioCalls,
  ...networkCalls,
  ...mqttCalls,
  ...mqttMatrixCalls,
  ...runbooksCalls,
  ...exportsCalls,
} as const satisfies Record<string, CallSpec>;

export const events = {
  ...appEvents,
  ...vaultEvents,
  ...pkiEvents,
  ...edgeEvents,
  ...aioEvents,
  ...networkEvents,
  ...mqttEvents,
  ...mqttMatrixEvents,
  ...runbooksEvents,
  ...exportsEvents,
} as const satisfies Record<string, EventSpec>;

export type Calls = typeof calls;
export type Events = typeof events;
export type CallName = keyof Calls;
export type EventName = keyof Events;
export type CallRequest<N extends CallName> = z.input<Calls[N]['request']>;
/** What handlers receive: the request after its schema parsed it (defaults applied). */
export type ParsedRequest<N extends CallName> = z.output<Calls[N]['request']>;
export type CallResponse<N extends CallName> = z.output<Calls[N]['response']>;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && Object.hasOwn(calls, name);
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && Object.hasOwn(events, name);

export interface InvokeOptions {
  /** Give long work an id to receive `jobs.onProgress` for it and to cancel it with `jobs.cancel`. */
  jobId?: string;
}

/**
 * The surface both transports present to the renderer, derived from the contract. The preload object
 * is checked against it with `satisfies`, so there is no hand-written declaration to drift.
 */
export interface FieldbenchApi {
  invoke<N extends CallName>(name: N, request: CallRequest<N>, options?: InvokeOptions): Promise<Result<CallResponse<N>>>;
  subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Wire messages of the loopback host's WebSocket. */
export type ClientMessage =
  | { type: 'call'; id: number; name: string; request: unknown; jobId?: string }
  | { type: 'subscribe'; name: string }
  | { type: 'unsubscribe'; name: string };
export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown };

export const IPC_INVOKE_CHANNEL = 'fieldbench:invoke';
export const IPC_SUBSCRIBE_CHANNEL = 'fieldbench:subscribe';
export const IPC_EVENT_CHANNEL = 'fieldbench:event';
export const WS_PROTOCOL = 'fieldbench.v1';
/**
 * Largest WebSocket message the loopback host accepts (its `ws` maxPayload). Every size limit in the
 * contract is set so that a request at that limit, serialised as JSON, stays below this figure.
 */
export const WS_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/**
 * How the loopback host hands its session token to a browser page and gets it back (the why is beside
 * startLoopbackHost): a launcher ticket posted to `path` is answered once with the token in a meta element
 * called `meta`; the page keeps it in sessionStorage under `storageKey` and presents it on the WebSocket
 * handshake as the subprotocol `tokenProtocolPrefix` + token.
 */
export const LOOPBACK_SESSION = { path: '/session', meta: 'fieldbench-session', tokenProtocolPrefix: 'token.', storageKey: 'fieldbench.session' } as const;
