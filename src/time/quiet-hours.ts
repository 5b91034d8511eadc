/**
 * Quiet hours for LINE pushes: by default no push between 21:00 and 09:00
 * Asia/Tokyo (21:00 itself is quiet, 09:00 itself is allowed). A push that
 * falls inside quiet hours is deferred to the next quiet-hours end.
 */
import { addTokyoDays, atTokyoMinute, tokyoMinuteOfDay } from './tokyo.ts';

export interface QuietHoursOptions {
  /** Minutes after Tokyo midnight when quiet hours begin. Default 21*60. */
  quietStart?: number;
  /** Minutes after Tokyo midnight when quiet hours end. Default 9*60. */
  quietEnd?: number;
}

export const DEFAULT_QUIET_START = 21 * 60;
export const DEFAULT_QUIET_END = 9 * 60;

function resolve(options: QuietHoursOptions): { start: number; end: number } {
  const start = options.quietStart ?? DEFAULT_QUIET_START;
  const end = options.quietEnd ?? DEFAULT_QUIET_END;
  for (const [name, v] of [
    ['quietStart', start],
    ['quietEnd', end],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 24 * 60) {
      throw new RangeError(`${name} must be an integer number of minutes in 0..1440, got ${v}`);
    }
  }
  return { start: start % (24 * 60), end: end % (24 * 60) };
}

/**
 * True when `date` is inside quiet hours (Tokyo time). The range
 * [quietStart, quietEnd) may wrap midnight (the default does); equal start
 * and end means no quiet hours at all.
 */
export function isQuiet(date: Date, options: QuietHoursOptions = {}): boolean {
  const { start, end } = resolve(options);
  const m = tokyoMinuteOfDay(date);
  if (start === end) return false;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * `date` itself (as a new Date) when a push is allowed then, otherwise the
 * next moment quiet hours end (by default the next 09:00 JST).
 */
export function nextAllowedPushTime(date: Date, options: QuietHoursOptions = {}): Date {
  if (!isQuiet(date, options)) return new Date(date.getTime());
  const { end } = resolve(options);
  const todayEnd = atTokyoMinute(date, end);
  return todayEnd.getTime() > date.getTime() ? todayEnd : addTokyoDays(todayEnd, 1);
}
