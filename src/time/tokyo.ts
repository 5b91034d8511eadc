/**
 * Asia/Tokyo calendar helpers that never depend on the process time zone.
 *
 * Japan Standard Time has been a fixed UTC+09:00 with no daylight saving time
 * since 1951, so converting between an instant and Tokyo wall-clock time is a
 * constant shift. All arithmetic below shifts the epoch milliseconds by +9h
 * and then only reads the `getUTC*` fields; nothing here calls the local-time
 * getters (`getHours()`, `getDay()`, ...), so the results are identical with
 * TZ=UTC, TZ=America/New_York or any other server setting. A unit test checks
 * this against `Intl.DateTimeFormat` with `timeZone: 'Asia/Tokyo'`.
 */

export const TOKYO_TIME_ZONE = 'Asia/Tokyo';
export const TOKYO_OFFSET_MINUTES = 9 * 60;

const MINUTE_MS = 60_000;
const TOKYO_OFFSET_MS = TOKYO_OFFSET_MINUTES * MINUTE_MS;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** 0 = Sunday ... 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface TokyoParts {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  /** 0-23 */
  hour: number;
  /** 0-59 */
  minute: number;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: Weekday;
}

const WEEKDAY_JA = ['日', '月', '火', '水', '木', '金', '土'] as const;

function assertValidDate(date: Date, label = 'date'): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new RangeError(`${label} must be a valid Date`);
  }
}

/** A Date whose UTC fields read as Tokyo wall-clock time. Internal only. */
function shifted(date: Date): Date {
  assertValidDate(date);
  return new Date(date.getTime() + TOKYO_OFFSET_MS);
}

export function toTokyoParts(date: Date): TokyoParts {
  const s = shifted(date);
  return {
    year: s.getUTCFullYear(),
    month: s.getUTCMonth() + 1,
    day: s.getUTCDate(),
    hour: s.getUTCHours(),
    minute: s.getUTCMinutes(),
    weekday: s.getUTCDay() as Weekday,
  };
}

/**
 * The instant at the given Tokyo wall-clock time. Out-of-range fields roll
 * over like `Date.UTC` (e.g. day 32 is the 1st of the next month, minute 90
 * is 01:30), which makes "same time, k days later" easy to express.
 */
export function fromTokyo(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  for (const [name, v] of [
    ['year', year],
    ['month', month],
    ['day', day],
    ['hour', hour],
    ['minute', minute],
  ] as const) {
    if (!Number.isInteger(v)) throw new RangeError(`fromTokyo: ${name} must be an integer, got ${v}`);
  }
  // Date.UTC maps years 0-99 to 1900-1999; build via setUTCFullYear to avoid that.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, 0, 0);
  return new Date(d.getTime() - TOKYO_OFFSET_MS);
}

/** Minutes since Tokyo midnight (0-1439), seconds ignored. */
export function tokyoMinuteOfDay(date: Date): number {
  const { hour, minute } = toTokyoParts(date);
  return hour * 60 + minute;
}

/** Tokyo midnight (00:00 JST) of the Tokyo day containing `date`. */
export function startOfTokyoDay(date: Date): Date {
  const { year, month, day } = toTokyoParts(date);
  return fromTokyo(year, month, day);
}

/** The instant at `minutes` past Tokyo midnight on the Tokyo day of `date`. */
export function atTokyoMinute(date: Date, minutes: number): Date {
  return new Date(startOfTokyoDay(date).getTime() + minutes * MINUTE_MS);
}

/** Same Tokyo time of day, `days` calendar days later (JST has no DST). */
export function addTokyoDays(date: Date, days: number): Date {
  assertValidDate(date);
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return new Date(date.getTime() + days * DAY_MS);
}

/** Whole Tokyo calendar days from `from` to `to` (negative if `to` is earlier). */
export function tokyoDayDiff(from: Date, to: Date): number {
  return Math.round((startOfTokyoDay(to).getTime() - startOfTokyoDay(from).getTime()) / DAY_MS);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function pad4(n: number): string {
  return n < 0 ? `-${String(-n).padStart(4, '0')}` : String(n).padStart(4, '0');
}

/** 'YYYY-MM-DD' of the Tokyo calendar day containing `date`. */
export function tokyoDateKey(date: Date): string {
  const { year, month, day } = toTokyoParts(date);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

export function weekdayJa(weekday: Weekday): string {
  return WEEKDAY_JA[weekday];
}

/**
 * Styles for user-facing Japanese strings (examples for 2026-12-01 10:00 JST):
 * - 'time'         → "10:00"
 * - 'date'         → "12月1日（月）"
 * - 'dateTime'     → "12月1日（月）10:00"
 * - 'fullDate'     → "2026年12月1日（月）"
 * - 'fullDateTime' → "2026年12月1日（月）10:00"
 * The parentheses are full-width, as usual in Japanese text.
 */
export type TokyoFormatStyle = 'time' | 'date' | 'dateTime' | 'fullDate' | 'fullDateTime';

export function formatTokyo(date: Date, style: TokyoFormatStyle = 'dateTime'): string {
  const p = toTokyoParts(date);
  const time = `${pad2(p.hour)}:${pad2(p.minute)}`;
  const md = `${p.month}月${p.day}日（${WEEKDAY_JA[p.weekday]}）`;
  switch (style) {
    case 'time':
      return time;
    case 'date':
      return md;
    case 'dateTime':
      return `${md}${time}`;
    case 'fullDate':
      return `${p.year}年${md}`;
    case 'fullDateTime':
      return `${p.year}年${md}${time}`;
  }
}

/**
 * A short relative phrase for `target`, as seen at `now` (both in Tokyo time):
 * - same Tokyo day  → "今日 14:00"
 * - next Tokyo day  → "明日（火）10:00"
 * - previous day    → "昨日（月）10:00"
 * - otherwise       → "12月4日（金）10:00"
 * The year is added ("2027年1月4日（月）10:00") only when `target` falls in a
 * different Tokyo year AND more than 31 days away, so the common year-end
 * case still reads "1月4日（月）10:00".
 */
export function describeWhen(target: Date, now: Date): string {
  const diff = tokyoDayDiff(now, target);
  const p = toTokyoParts(target);
  const time = formatTokyo(target, 'time');
  const wd = WEEKDAY_JA[p.weekday];
  if (diff === 0) return `今日 ${time}`;
  if (diff === 1) return `明日（${wd}）${time}`;
  if (diff === -1) return `昨日（${wd}）${time}`;
  const sameYear = toTokyoParts(now).year === p.year;
  return formatTokyo(target, sameYear || Math.abs(diff) <= 31 ? 'dateTime' : 'fullDateTime');
}

const NAIVE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const ZONED_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

function validFields(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59
  );
}

/**
 * Parses an instant without consulting the process time zone:
 * - with an explicit zone ("2026-07-17T10:00:00Z", "...+09:00"): that instant;
 * - without one ("2026-07-17", "2026-07-17T10:00", "2026-07-17 10:00:30"):
 *   Tokyo wall-clock time. (Plain `new Date('2026-07-17T10:00')` would use the
 *   server's zone, which is exactly what this module avoids.)
 * Throws RangeError on anything else or on impossible dates like 02-30.
 */
export function parseTokyoInstant(input: string): Date {
  const text = input.trim();
  const naive = NAIVE_RE.exec(text);
  if (naive) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = naive;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (!validFields(year, month, day, hour, minute, second)) throw new RangeError(`Invalid date/time: ${input}`);
    const base = fromTokyo(year, month, day, hour, minute);
    return new Date(base.getTime() + second * 1000 + Number(ms.padEnd(3, '0')));
  }
  const zoned = ZONED_RE.exec(text);
  if (zoned) {
    const [, y, mo, d, h, mi, s = '0'] = zoned;
    const ms = Date.parse(text);
    if (validFields(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)) && !Number.isNaN(ms)) {
      return new Date(ms);
    }
  }
  throw new RangeError(`Invalid date/time: ${input}`);
}
