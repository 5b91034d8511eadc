import type { Bindings, Level, Logger } from 'pino';

/** What code about one event or batch logs with: the level methods, nothing else. */
export type EventLogger = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

type LogArgs = Parameters<Logger['info']>;

/**
 * A child logger for one event (or one outgoing batch) that is only made when something is
 * actually logged at an enabled level. Most events log nothing at the usual levels, and a pino child
 * is not free: its bindings are serialised (and run through redaction) when it is created, on
 * every event. Once made, the child is kept, so every line carries the same bindings.
 */
class DeferredChild {
  #child: Logger | undefined;
  constructor(
    readonly parent: Logger,
    readonly bindings: Bindings,
  ) {}

  #log(level: Level, args: LogArgs): void {
    if (!this.parent.isLevelEnabled(level)) return;
    this.#child ??= this.parent.child(this.bindings);
    (this.#child[level] as (...a: LogArgs) => void)(...args);
  }
  fatal(...args: LogArgs) {
    this.#log('fatal', args);
  }
  error(...args: LogArgs) {
    this.#log('error', args);
  }
  warn(...args: LogArgs) {
    this.#log('warn', args);
  }
  info(...args: LogArgs) {
    this.#log('info', args);
  }
  debug(...args: LogArgs) {
    this.#log('debug', args);
  }
  trace(...args: LogArgs) {
    this.#log('trace', args);
  }
}

export function eventLogger(parent: Logger, bindings: Bindings): EventLogger {
  return new DeferredChild(parent, bindings) as unknown as EventLogger;
}
