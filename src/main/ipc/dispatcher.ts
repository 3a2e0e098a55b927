import { calls, isCallName, type CallName, type CallResponse, type ParsedRequest } from '@shared/contract';
import { FieldbenchError, toErrorInfo, type Result } from '@shared/errors';
import { silentLogger, type Logger } from '../services/app/logger';
import type { EventHub } from './event-hub';

export { silentLogger, type Logger };

/** What every handler receives besides its request. */
export interface CallContext {
  /** Aborted when the caller cancels the job or its connection goes away. */
  readonly signal: AbortSignal;
  /** Reports progress of a job; a no-op for calls made without a jobId. */
  progress(message: string, fraction?: number): void;
}

export type Handler<N extends CallName> = (request: ParsedRequest<N>, ctx: CallContext) => Promise<CallResponse<N>> | CallResponse<N>;
export type Handlers = { [N in CallName]: Handler<N> };
export type PartialHandlers = { [N in CallName]?: Handler<N> };

export interface DispatchOptions {
  jobId?: string;
  /** The transport's own lifetime: a closed window or socket cancels its running work. */
  signal?: AbortSignal;
  /** A nested call's progress goes to its caller (a runbook step logs what the call is doing). */
  progress?: (message: string, fraction?: number) => void;
}

/**
 * The single choke point between any transport and the services: checks the name, validates the request
 * against the contract before a service sees it, runs the handler, validates what comes back and wraps
 * everything as a Result whose error is written for a person.
 */
export class Dispatcher {
  private readonly jobs = new Map<string, AbortController>();

  constructor(
    private readonly handlers: Handlers,
    private readonly hub: EventHub,
    private readonly log: Logger = silentLogger,
  ) {}

  async dispatch(name: unknown, rawRequest: unknown, options: DispatchOptions = {}): Promise<Result<unknown>> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    if (!isCallName(name)) {
      // The name came from the client and is not one of ours: it is not written down.
      this.log.warn('unknown call', { code: 'contract.unknownCall' });
      return { ok: false, error: { code: 'contract.unknownCall', message: `Fieldbench has no operation called "${String(name).slice(0, 80)}".` } };
    }
    const spec = calls[name];
    const parsed = spec.request.safeParse(rawRequest ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
      // Paths and zod codes only: zod's messages may quote what was sent.
      this.log.warn(`${name} refused: contract.invalidRequest`, { call: name, ms: ms(), code: 'contract.invalidRequest', issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}:${i.code}`) });
      return {
        ok: false,
        error: { code: 'contract.invalidRequest', message: `The request for ${name} is not valid: ${issues.join('; ')}.` },
      };
    }

    const controller = new AbortController();
    const { jobId } = options;
    if (jobId !== undefined) {
      if (this.jobs.has(jobId)) {
        return { ok: false, error: { code: 'contract.duplicateJob', message: `A job with id ${jobId} is already running.` } };
      }
      this.jobs.set(jobId, controller);
    }
    const onTransportAbort = () => controller.abort(new FieldbenchError('cancelled', 'The operation was cancelled because its window or connection closed.'));
    options.signal?.addEventListener('abort', onTransportAbort, { once: true });

    const ctx: CallContext = {
      signal: controller.signal,
      progress: (message, fraction) => {
        options.progress?.(message, fraction);
        if (jobId === undefined) return;
        this.hub.emit('jobs.onProgress', fraction === undefined ? { jobId, message } : { jobId, message, fraction: Math.min(1, Math.max(0, fraction)) });
      },
    };

    try {
      const handler = this.handlers[name] as Handler<CallName>;
      const value = await handler(parsed.data as ParsedRequest<CallName>, ctx);
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        this.log.error(`${name} failed: contract.invalidResponse`, { call: name, ms: ms(), code: 'contract.invalidResponse', issues: checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}:${i.code}`) });
        return { ok: false, error: { code: 'contract.invalidResponse', message: `Fieldbench produced an unexpected answer for ${name}. This is a bug; please report it.` } };
      }
      this.log.info(`${name} ok`, { call: name, ms: ms(), ...(jobId !== undefined ? { job: true } : {}) });
      return { ok: true, value: checked.data };
    } catch (err) {
      const info = toErrorInfo(controller.signal.aborted && !(err instanceof FieldbenchError) ? new FieldbenchError('cancelled', 'The operation was cancelled.', { cause: err }) : err);
      // Only the code reaches the log: messages may quote user input, and details may quote server answers.
      this.log.warn(`${name} failed: ${info.code}`, { call: name, ms: ms(), code: info.code });
      return { ok: false, error: info };
    } finally {
      options.signal?.removeEventListener('abort', onTransportAbort);
      if (jobId !== undefined) this.jobs.delete(jobId);
    }
  }

  /** Cancels a running job; returns false when no such job runs. */
  cancel(jobId: string): boolean {
    const controller = this.jobs.get(jobId);
    if (!controller) return false;
    controller.abort(new FieldbenchError('cancelled', 'The operation was cancelled.'));
    return true;
  }
}

/** A call's cancellation and progress, as the options a service's long operation takes. */
export function operation(ctx: CallContext): { signal: AbortSignal; progress(message: string, fraction?: number): void } {
  return { signal: ctx.signal, progress: (message, fraction) => ctx.progress(message, fraction) };
}

/** Throws the abort reason when the signal is aborted; services call this between steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new FieldbenchError('cancelled', 'The operation was cancelled.');
}
