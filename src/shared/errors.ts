/**
 * Errors that reach a person. `message` is a sentence that says what happened and what to do;
 * `code` is stable for programs (CLI exit codes, tests); `detail` carries the raw cause for the log
 * and the "details" disclosure in the UI. Never put key material or passwords in any field.
 */
export interface ErrorInfo {
  code: string;
  message: string;
  detail?: string;
}

export class FieldbenchError extends Error {
  readonly code: string;
  readonly detail: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FieldbenchError';
    this.code = code;
    this.detail = options.detail ?? describeCause(options.cause);
  }

  toInfo(): ErrorInfo {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

/** Turns anything thrown into something a person can read, keeping the raw cause as detail. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof FieldbenchError) return err.toInfo();
  if (isErrorInfo(err)) return err;
  const detail = describeCause(err);
  return {
    code: 'internal',
    message: 'Something unexpected went wrong. The details below say what; please report them if it keeps happening.',
    ...(detail === undefined ? {} : { detail }),
  };
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return typeof v === 'object' && v !== null && typeof (v as ErrorInfo).code === 'string' && typeof (v as ErrorInfo).message === 'string' && !(v instanceof Error);
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ErrorInfo): Result<never> => ({ ok: false, error });
