// A stand-in for src/renderer/src/bridge.ts in jsdom: records calls, lets a test answer them and push events.
import type { CallName, CallRequest, CallResponse, EventName, EventPayload, InvokeOptions } from '@shared/contract';
import type { Result } from '@shared/errors';

export interface RecordedCall {
  name: CallName;
  request: unknown;
  options: InvokeOptions | undefined;
}

type Handler = (request: unknown, options: InvokeOptions | undefined) => Result<unknown> | Promise<Result<unknown>>;

export const calls: RecordedCall[] = [];
const handlers = new Map<string, Handler>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let jobCounter = 0;

export const transportKind: 'ipc' | 'websocket' = 'ipc';

export const DEFAULT_INFO: CallResponse<'app.info'> = { name: 'Fieldbench', version: '9.8.7', runtime: 'electron', dataDir: '/home/tech/.fieldbench', platform: 'linux' };

/** Answers a call name; unanswered calls resolve with an error so a test never hangs silently. */
export function answer<N extends CallName>(name: N, handler: (request: CallRequest<N>, options: InvokeOptions | undefined) => Result<CallResponse<N>> | Promise<Result<CallResponse<N>>>): void {
  handlers.set(name, handler as Handler);
}

/** Pushes an event to everyone subscribed, as main would. */
export function emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
  for (const l of listeners.get(name) ?? []) l(payload);
}

export function listenerCount(name: EventName): number {
  return listeners.get(name)?.size ?? 0;
}

export function resetFake(): void {
  calls.length = 0;
  handlers.clear();
  answer('app.info', () => ({ ok: true, value: DEFAULT_INFO }));
}
resetFake();

export function invoke<N extends CallName>(name: N, request: CallRequest<N>, options?: InvokeOptions): Promise<Result<CallResponse<N>>> {
  calls.push({ name, request, options });
  const handler = handlers.get(name);
  if (!handler) return Promise.resolve({ ok: false, error: { code: 'test.unanswered', message: `The fake bridge has no answer for ${name}.` } });
  return Promise.resolve(handler(request, options)) as Promise<Result<CallResponse<N>>>;
}

export function subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  let set = listeners.get(name);
  if (!set) {
    set = new Set();
    listeners.set(name, set);
  }
  const l = listener as (payload: unknown) => void;
  set.add(l);
  return () => set.delete(l);
}

export function newJobId(prefix = 'job'): string {
  jobCounter += 1;
  return `${prefix}-test-${jobCounter}`;
}
