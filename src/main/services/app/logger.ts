import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';

/** Structured fields of one log line. Values under secret-looking keys are replaced before writing. */
export type LogFields = Record<string, unknown>;

/** What the services and the dispatcher log through. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface FileLogger extends Logger {
  /** The current log file; older ones are `<file>.1` … `<file>.<keep>`. */
  readonly file: string;
  close(): void;
}

export interface FileLoggerOptions {
  dataDir: string;
  /** Bytes per file before it rotates; default 5 MiB. */
  maxBytes?: number;
  /** Rotated files kept besides the current one; default 3 (so at most 20 MiB of logs). */
  keep?: number;
  /** Fields on every line (runtime, pid). */
  base?: LogFields;
}

/** Where the logs of a data folder live; the support bundle reads them from here. */
export const logDir = (dataDir: string) => join(dataDir, 'logs');
export const LOG_FILE_NAME = 'fieldbench.log';

const REDACTED = '[redacted]';
// Keys whose values are secrets, or request and response bodies that may carry them. Matched on the key
// name at any depth, so a new field called `mqttPassword` or `sasToken` is covered without a list to update.
const SECRET_KEY = /pass(word|phrase)?|secret|token|credential|authori[sz]ation|cookie|private|^keys?$|keyPem|pem$|pkcs|base64|payload|^body$|^request$|^response$|^value$|sudo|kubeconfig/i;
// Key material or bearer credentials quoted inside a string (an error message, a stack): cut out.
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

function scrubString(text: string): string {
  return text.replace(PEM_BLOCK, '[redacted PEM block]').replace(BEARER, '$1 [redacted]');
}

/** A copy of `value` with every secret-keyed field replaced and key material cut out of strings. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) return { type: value.name, message: scrubString(value.message), code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.slice(0, 1000).map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  // A flag or a count under a secret-looking key (`hasToken`, `passwordSet`) says nothing secret: kept.
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && typeof v !== 'boolean' && typeof v !== 'number' ? REDACTED : redactDeep(v, depth + 1);
  return out;
}

/**
 * Appends lines to a file and rotates it by size: `file` → `file.1` → … → `file.<keep>` (the oldest
 * dropped). Writes are synchronous appends, so a crash loses no line and the CLI, the host and the desktop
 * app can share one folder: each checks, before writing, whether another process has rotated the file
 * meanwhile (a different inode at the path) and follows it.
 */
class RotatingFile {
  private fd: number;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {
    this.fd = this.open();
  }

  private open(): number {
    // 0600: host names, node names and error codes are not for other local users either.
    return openSync(this.file, 'a', 0o600);
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    let st = fstatSync(this.fd);
    let atPath: number | undefined;
    try {
      atPath = statSync(this.file).ino;
    } catch {
      atPath = undefined;
    }
    if (atPath !== st.ino) {
      closeSync(this.fd);
      this.fd = this.open();
      st = fstatSync(this.fd);
    }
    if (st.size > 0 && st.size + bytes > this.maxBytes) this.rotate();
    writeSync(this.fd, line);
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        /* not there yet */
      }
    }
    try {
      renameSync(this.file, `${this.file}.1`);
    } catch {
      /* another process rotated it first */
    }
    this.fd = this.open();
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* closed already */
    }
  }
}

/**
 * The app's log: pino's JSON lines in `<dataDir>/logs/fieldbench.log`, size-rotated, every line passed
 * through redactDeep first. What is logged is decided at the call sites (call names, durations, error
 * codes, lifecycle); the redaction is the second line of defence for a field someone adds later.
 */
export function createFileLogger(options: FileLoggerOptions): FileLogger {
  mkdirSync(logDir(options.dataDir), { recursive: true, mode: 0o700 });
  const file = new RotatingFile(join(logDir(options.dataDir), LOG_FILE_NAME), options.maxBytes ?? 5 * 1024 * 1024, options.keep ?? 3);
  const log = pino(
    {
      base: { pid: process.pid, ...(options.base ? (redactDeep(options.base) as LogFields) : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (object) => redactDeep(object) as Record<string, unknown> },
      hooks: {
        // The message string is not a field: scrub it as well.
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    { write: (line: string) => file.write(line) },
  );
  const at =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      try {
        if (fields) log[level](fields, message);
        else log[level](message);
      } catch {
        // A full disk or a removed folder must not turn a log line into a failed operation.
      }
    };
  return { file: file.file, info: at('info'), warn: at('warn'), error: at('error'), close: () => file.close() };
}
