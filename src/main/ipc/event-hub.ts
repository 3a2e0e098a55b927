import { events, type EventName, type EventPayload } from '@shared/contract';

type Listener = (payload: unknown) => void;

/**
 * Fan-out of contract events from services to transports. Services emit; each connected client (a window,
 * a WebSocket) subscribes for the names it wants and unsubscribes when it goes away.
 */
export class EventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const set = this.listeners.get(name);
    if (!set || set.size === 0) return;
    // Payloads are checked against the contract here so a service cannot push a shape the renderer does not expect.
    const parsed = events[name].payload.safeParse(payload);
    if (!parsed.success) throw new Error(`Event ${name} does not match its contract: ${parsed.error.message}`);
    for (const listener of [...set]) listener(parsed.data);
  }

  on(name: EventName, listener: Listener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  listenerCount(name: EventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }
}
