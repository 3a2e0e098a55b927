import { existsSync } from 'node:fs';
import { createFileLogger, type FileLogger, type FileLoggerOptions, type LogFields, type Logger } from './logger';

/** Lines kept while there is no data folder: a run that never gets one logs far fewer (start, a few calls). */
const HELD_LINES = 500;

interface Held {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/**
 * The app's log for a data folder that may not exist yet. The folder appears when Fieldbench first has
 * something to keep in it (the vault, an MQTT spill file); a run that keeps nothing, like `fieldbench doctor`
 * answering "Data folder: new", must leave no folder behind, or its answer would be false the moment it is
 * printed. So lines wait in memory until the folder exists and then reach the rotating file log in order,
 * each with the time it was said; the lines of a run that never gets a folder end with it.
 */
export function createDataFolderLogger(options: FileLoggerOptions): Logger & { close(): void } {
  let file: FileLogger | undefined;
  let held: Held[] = [];
  let dropped = 0;

  const sink = (): FileLogger | undefined => {
    if (file) return file;
    if (!existsSync(options.dataDir)) return undefined;
    file = createFileLogger(options);
    if (dropped > 0) file.warn('log lines dropped before the data folder existed', { dropped });
    for (const h of held) file[h.level](h.message, h.fields);
    held = [];
    return file;
  };

  const at =
    (level: Held['level']) =>
    (message: string, fields?: LogFields): void => {
      const target = sink();
      if (target) return target[level](message, fields);
      if (held.length >= HELD_LINES) {
        held.shift();
        dropped++;
      }
      held.push({ level, message, fields: { ...fields, saidAt: new Date().toISOString() } });
    };

  return {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    close() {
      // The stop line is the last chance for a folder made late (a vault created by this run) to get the log.
      sink();
      file?.close();
      held = [];
    },
  };
}
