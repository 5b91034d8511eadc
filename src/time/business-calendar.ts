/**
 * Japanese business-day calendar, evaluated on the Asia/Tokyo calendar day of
 * each instant (never the server's local day).
 *
 * National holidays, including 振替休日 (substitute holidays) and 国民の休日,
 * come from @holiday-jp/holiday_jp's data table, looked up by the Tokyo
 * 'YYYY-MM-DD' key. We deliberately do not call the library's
 * `isHoliday(Date)`: it formats the Date with local-time getters and so would
 * follow the server's TZ. The table covers 1970-2050; later dates simply have
 * no national holidays until the package is updated.
 */
import holidayJp from '@holiday-jp/holiday_jp';
import { addTokyoDays, toTokyoParts, tokyoDateKey } from './tokyo.ts';

interface HolidayEntry {
  readonly name: string;
}

const HOLIDAYS: Readonly<Record<string, HolidayEntry | undefined>> = holidayJp.holidays;

export interface YearEndBreak {
  /** 'MM-DD', first closed day (inclusive). */
  start: string;
  /** 'MM-DD', last closed day (inclusive). May be "earlier" than start to wrap the new year. */
  end: string;
}

export interface BusinessCalendarOptions {
  /** Default 12-29 .. 01-03 (年末年始休業). `null` disables it. */
  yearEndBreak?: YearEndBreak | null;
  /** Additional closed Tokyo dates, 'YYYY-MM-DD' (company holidays, お盆休み, ...). */
  extraClosedDates?: readonly string[];
}

export interface BusinessCalendar {
  /** National holiday in Japan (incl. substitute holidays) on the Tokyo day of `date`. */
  isHoliday(date: Date): boolean;
  /** e.g. "海の日", "こどもの日 振替休日"; undefined when not a national holiday. */
  holidayName(date: Date): string | undefined;
  /** Inside the configured year-end break. */
  isYearEndBreak(date: Date): boolean;
  /** Year-end break or one of `extraClosedDates` (weekends/holidays NOT included). */
  isClosedDate(date: Date): boolean;
  /** Not Sat/Sun, not a national holiday, not year-end break, not an extra closed date. */
  isBusinessDay(date: Date): boolean;
  /**
   * Moves `n` business days (negative = backwards), keeping the exact Tokyo
   * time of day. The start day itself need not be a business day:
   * Sat + 1 → Mon. n = 0 returns the same instant.
   */
  addBusinessDays(date: Date, n: number): Date;
  /** The first business day strictly after the Tokyo day of `date`, same time of day. */
  nextBusinessDay(date: Date): Date;
}

export const DEFAULT_YEAR_END_BREAK: Readonly<YearEndBreak> = Object.freeze({ start: '12-29', end: '01-03' });

/** Guard against configurations that close every day (e.g. a 01-01..12-31 break). */
const MAX_CONSECUTIVE_CLOSED_DAYS = 366 * 2;

const MM_DD = /^(\d{2})-(\d{2})$/;
const YYYY_MM_DD = /^\d{4}-\d{2}-\d{2}$/;

function parseMonthDay(value: string, label: string): number {
  const m = MM_DD.exec(value);
  const month = m ? Number(m[1]) : NaN;
  const day = m ? Number(m[2]) : NaN;
  if (!m || month < 1 || month > 12 || day < 1 || day > 31) {
    throw new RangeError(`${label} must be 'MM-DD', got '${value}'`);
  }
  return month * 100 + day;
}

export function createBusinessCalendar(options: BusinessCalendarOptions = {}): BusinessCalendar {
  const breakOpt = options.yearEndBreak === undefined ? DEFAULT_YEAR_END_BREAK : options.yearEndBreak;
  const breakRange =
    breakOpt === null
      ? null
      : {
          start: parseMonthDay(breakOpt.start, 'yearEndBreak.start'),
          end: parseMonthDay(breakOpt.end, 'yearEndBreak.end'),
        };

  const extraClosed = new Set<string>();
  for (const d of options.extraClosedDates ?? []) {
    if (!YYYY_MM_DD.test(d)) throw new RangeError(`extraClosedDates entries must be 'YYYY-MM-DD', got '${d}'`);
    extraClosed.add(d);
  }

  function holidayName(date: Date): string | undefined {
    return HOLIDAYS[tokyoDateKey(date)]?.name;
  }

  function isHoliday(date: Date): boolean {
    return holidayName(date) !== undefined;
  }

  function isYearEndBreak(date: Date): boolean {
    if (!breakRange) return false;
    const { month, day } = toTokyoParts(date);
    const md = month * 100 + day;
    const { start, end } = breakRange;
    return start <= end ? md >= start && md <= end : md >= start || md <= end;
  }

  function isClosedDate(date: Date): boolean {
    return isYearEndBreak(date) || extraClosed.has(tokyoDateKey(date));
  }

  function isBusinessDay(date: Date): boolean {
    const { weekday } = toTokyoParts(date);
    if (weekday === 0 || weekday === 6) return false;
    return !isHoliday(date) && !isClosedDate(date);
  }

  function addBusinessDays(date: Date, n: number): Date {
    if (!Number.isInteger(n)) throw new RangeError(`addBusinessDays: n must be an integer, got ${n}`);
    const step = n < 0 ? -1 : 1;
    let remaining = Math.abs(n);
    let cursor = addTokyoDays(date, 0); // validates and copies
    let closedRun = 0;
    while (remaining > 0) {
      cursor = addTokyoDays(cursor, step);
      if (isBusinessDay(cursor)) {
        remaining -= 1;
        closedRun = 0;
      } else if (++closedRun > MAX_CONSECUTIVE_CLOSED_DAYS) {
        throw new RangeError('addBusinessDays: no business day found; check the calendar configuration');
      }
    }
    return cursor;
  }

  return {
    isHoliday,
    holidayName,
    isYearEndBreak,
    isClosedDate,
    isBusinessDay,
    addBusinessDays,
    nextBusinessDay: (date) => addBusinessDays(date, 1),
  };
}
