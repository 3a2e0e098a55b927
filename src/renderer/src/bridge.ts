import {
  LOOPBACK_SESSION,
  WS_MAX_MESSAGE_BYTES,
  WS_PROTOCOL,
  type CallName,
  type CallRequest,
  type CallResponse,
  type EventName,
  type EventPayload,
  type FieldbenchApi,
  type InvokeOptions,
  type ServerMessage,
} from '@shared/contract';
import type { ErrorInfo, Result } from '@shared/errors';

declare global {
  interface Window {
    /** Present in the desktop app (exposed by preload); absent in a browser served by `fieldbench serve`. */
    fieldbench?: FieldbenchApi;
  }
}

// How the loopback host hands over its token (the why is beside startLoopbackHost): in a meta element of the
// page that answered POST /session, never in a URL or a cookie.
const { meta: SESSION_META, path: SESSION_PATH, tokenProtocolPrefix: TOKEN_PROTOCOL_PREFIX, storageKey: SESSION_STORAGE_KEY } = LOOPBACK_SESSION;

/**
 * Reads the token once from the page, keeps it in sessionStorage (this origin and port, this tab only) so a
 * reload keeps working, removes the element, and turns the POST /session history entry into plain `/`.
 */
function takeSessionToken(): string | undefined {
  const meta = document.querySelector(`meta[name="${SESSION_META}"]`);
  const fromPage = meta?.getAttribute('content') ?? undefined;
  meta?.remove();
  if (fromPage) {
    try {
      sessionStorage.setItem(SESSION_STORAGE_KEY, fromPage);
    } catch {
      /* storage disabled: the token lives in memory until the tab closes or reloads */
    }
    history.replaceState(null, '', '/');
    return fromPage;
  }
  try {
    return sessionStorage.getItem(SESSION_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The renderer's one door to main. In Electron it uses the preload's `window.fieldbench`; in a browser
 * it speaks the same contract over the loopback host's WebSocket, presenting the session token only on
 * the handshake (as a subprotocol, because a browser's WebSocket cannot set headers).
 */
class WebSocketTransport implements FieldbenchApi {
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private retryMs = 250;

  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}

  private connect(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url, this.token ? [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${this.token}`] : [WS_PROTOCOL]);
      ws.onopen = () => {
        this.socket = ws;
        this.opening = undefined;
        this.retryMs = 250;
        for (const name of this.listeners.keys()) ws.send(JSON.stringify({ type: 'subscribe', name }));
        resolve(ws);
      };
      ws.onmessage = (ev) => this.onMessage(ev.data as string);
      ws.onclose = () => {
        const wasOpen = this.socket === ws;
        this.socket = undefined;
        this.opening = undefined;
        for (const [id, done] of this.pending) {
          done({ ok: false, error: { code: 'transport.closed', message: 'The connection to Fieldbench closed before it answered. Check that `fieldbench serve` is still running, then try again.' } });
          this.pending.delete(id);
        }
        if (!wasOpen) reject(new Error('closed'));
        // Keep event subscriptions alive across a host restart.
        if (this.listeners.size > 0) {
          setTimeout(() => void this.connect().catch(() => undefined), this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, 5000);
        }
      };
    });
    return this.opening;
  }

  private onMessage(raw: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(raw) as ServerMessage;
    } catch {
      return;
    }
    if (msg.type === 'result') {
      this.pending.get(msg.id)?.(msg.result);
      this.pending.delete(msg.id);
    } else if (msg.type === 'event') {
      for (const l of this.listeners.get(msg.name) ?? []) l(msg.payload);
    }
  }

  async invoke<N extends CallName>(name: N, request: CallRequest<N>, options?: InvokeOptions): Promise<Result<CallResponse<N>>> {
    let ws: WebSocket;
    try {
      ws = await this.connect();
    } catch {
      return { ok: false, error: { code: 'transport.unreachable', message: 'Fieldbench is not reachable. Start it again with `fieldbench serve` and open the new address it prints.' } };
    }
    const id = this.nextId++;
    const message = JSON.stringify({ type: 'call', id, name, request, ...(options?.jobId ? { jobId: options.jobId } : {}) });
    // The host closes the socket on a longer message (1009); refuse it here so only this call fails, with a reason.
    if (message.length * 3 > WS_MAX_MESSAGE_BYTES && new TextEncoder().encode(message).length > WS_MAX_MESSAGE_BYTES) {
      return {
        ok: false,
        error: { code: 'transport.tooLarge', message: `This request is larger than the ${WS_MAX_MESSAGE_BYTES / 1048576} MiB Fieldbench carries in one message. Send less data at once (for example split the files or shorten the payload).` },
      };
    }
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (r: Result<unknown>) => void);
      ws.send(message);
    });
  }

  subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      void this.connect().then((ws) => ws.send(JSON.stringify({ type: 'subscribe', name })), () => undefined);
    }
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) {
        this.listeners.delete(name);
        if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'unsubscribe', name }));
      }
    };
  }
}

function pickTransport(): { api: FieldbenchApi; kind: 'ipc' | 'websocket' } {
  if (typeof window !== 'undefined' && window.fieldbench) return { api: window.fieldbench, kind: 'ipc' };
  const loc = typeof window !== 'undefined' ? window.location : undefined;
  const url = loc ? `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/rpc` : 'ws://127.0.0.1/rpc';
  const token = typeof document !== 'undefined' ? takeSessionToken() : undefined;
  // Without a token the API would refuse every call: go to the host's own form that asks for it.
  if (!token && loc && (loc.protocol === 'http:' || loc.protocol === 'https:')) loc.replace(SESSION_PATH);
  return { api: new WebSocketTransport(url, token), kind: 'websocket' };
}

const transport = pickTransport();

export const transportKind = transport.kind;

/** Calls main. Never throws: failures come back as `{ ok: false, error }` with a sentence for the person. */
export function invoke<N extends CallName>(name: N, request: CallRequest<N>, options?: InvokeOptions): Promise<Result<CallResponse<N>>> {
  return transport.api.invoke(name, request, options);
}

/** Listens to a contract event; returns the unsubscribe. */
export function subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  return transport.api.subscribe(name, listener);
}

let jobCounter = 0;
/** A fresh id for a cancellable job. */
export function newJobId(prefix = 'job'): string {
  jobCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${jobCounter}`;
}

export type { ErrorInfo, Result };
