/**
 * The clock port. Everything in Akari that needs "now" takes a `Clock`;
 * only `createSystemClock` reads the real time. The fake clock lives in src
 * (not tests) because local mode exposes it via the /local/clock route.
 */
import { parseTokyoInstant } from './tokyo.ts';

export interface Clock {
  /** A fresh Date each call; mutating it does not affect the clock. */
  now(): Date;
}

export interface FakeClock extends Clock {
  /** Jump to an instant. Strings without a zone are read as Tokyo time. */
  set(date: Date | string): void;
  /** Move forward (or backward, if negative) by `ms` milliseconds. */
  advance(ms: number): void;
  /** Move forward (or backward, if negative) by `n` minutes. */
  advanceMinutes(n: number): void;
}

export function createSystemClock(): Clock {
  return {
    now: () => new Date(),
  };
}

function toEpochMs(input: Date | string): number {
  if (typeof input === 'string') return parseTokyoInstant(input).getTime();
  if (!(input instanceof Date) || Number.isNaN(input.getTime())) {
    throw new RangeError('FakeClock: expected a valid Date or date string');
  }
  return input.getTime();
}

function assertFinite(n: number, label: string): void {
  if (!Number.isFinite(n)) throw new RangeError(`FakeClock.${label}: expected a finite number, got ${n}`);
}

/**
 * A manually driven clock. `start` may be a Date or a string:
 * "2026-07-17T10:00:00+09:00" / "...Z" are exact instants, and
 * "2026-07-17T10:00" (no zone) means 10:00 in Tokyo whatever the server TZ.
 */
export function createFakeClock(start: Date | string): FakeClock {
  let current = toEpochMs(start);
  return {
    now: () => new Date(current),
    set(date) {
      current = toEpochMs(date);
    },
    advance(ms) {
      assertFinite(ms, 'advance');
      current += ms;
    },
    advanceMinutes(n) {
      assertFinite(n, 'advanceMinutes');
      current += n * 60_000;
    },
  };
}
