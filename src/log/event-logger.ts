import type { Bindings, Level, LogFn, Logger } from 'pino';

/** What code about one event or batch logs with: the level methods, nothing else. */
export type EventLogger = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

/**
 * A child logger for one event (or one outgoing batch) that is only made when something is
 * actually logged at an enabled level. Most events log nothing at the usual levels, and a pino child
 * is not free: its bindings are serialised (and run through redaction) when it is created, on
 * every event. Once made, the child is kept, so every line carries the same bindings.
 */
export function eventLogger(parent: Logger, bindings: Bindings): EventLogger {
  let child: Logger | undefined;
  const at = (level: Level): LogFn =>
    ((...args: Parameters<LogFn>) => {
      if (!parent.isLevelEnabled(level)) return;
      child ??= parent.child(bindings);
      child[level](...args);
    }) as LogFn;
  return { fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
}
