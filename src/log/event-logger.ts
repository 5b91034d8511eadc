import type { Bindings, Level, Logger } from 'pino';

/** What code about one event or batch logs with: the level methods, nothing else. */
export type EventLogger = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

/**
 * A child logger for one event (or one outgoing batch) that is only made when something is
 * actually logged at an enabled level. Most events log nothing at the usual levels, and a pino child
 * is not free: its bindings are serialised (and run through redaction) when it is created, on
 * every event. Once made, the child is kept, so every line carries the same bindings.
 */
class DeferredChild implements EventLogger {
  #child: Logger | undefined;
  readonly #parent: Logger;
  readonly #bindings: Bindings;

  constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #log(level: Level, args: unknown[]): void {
    if (!this.#parent.isLevelEnabled(level)) return;
    this.#child ??= this.#parent.child(this.#bindings);
    // Called on the child itself: pino's level methods read their logger from `this`.
    (this.#child[level] as (...a: unknown[]) => void)(...args);
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
}

export function eventLogger(parent: Logger, bindings: Bindings): EventLogger {
  return new DeferredChild(parent, bindings);
}
