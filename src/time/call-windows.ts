/**
 * When should a job seeker call an employer back?
 *
 * The rule of thumb we give users: call on weekdays roughly 10:00–17:00, but
 * not right after opening (morning meetings, opening chores), not just before
 * closing (wrap-up), and not over lunch. Concretely, all times Asia/Tokyo:
 *
 * 1. Offices / unknown kind, no hours known: business days only
 *    (see business-calendar: no weekends, national holidays, year-end break
 *    or extra closed dates), windows 10:00–11:30 and 14:00–16:30.
 * 2. Hours known ({ open, close } in minutes after midnight):
 *    open+30min … close−30min, minus the lunch rush 11:30–13:30, and for
 *    shops also minus the dinner rush 17:30–19:30.
 * 3. Shops (kind 'shop') usually trade on weekends and national holidays, so
 *    those days are allowed for shops; the year-end break and extra closed
 *    dates are still skipped. A shop with no known hours gets 14:00–16:30,
 *    the idle time between the lunch and dinner rushes.
 * 4. Whatever the hours, a window is clipped to 09:00–21:00 (we never advise
 *    calling anyone in the middle of the night, e.g. a 24-hour store), and
 *    windows shorter than 15 minutes are dropped.
 *
 * Windows are half-open: [start, end).
 */
import type { BusinessCalendar } from './business-calendar.ts';
import { addTokyoDays, atTokyoMinute } from './tokyo.ts';

export type EmployerKind = 'office' | 'shop';

export interface OpeningHours {
  /** Minutes after Tokyo midnight, e.g. 11*60 for 11:00. */
  open: number;
  /** Minutes after Tokyo midnight, e.g. 21*60 for 21:00. Must be after `open`, at most 24*60. */
  close: number;
}

export interface CallProfile {
  kind?: EmployerKind | undefined;
  hours?: OpeningHours | undefined;
}

export interface CallWindow {
  start: Date;
  end: Date;
}

export interface CallCheck {
  goodNow: boolean;
  /** Present when goodNow: the end of the window we are in. */
  currentWindowEnds?: Date;
  /** Present when not goodNow: the first window starting strictly after now (within 14 days). */
  next?: CallWindow;
}

export interface CallWindows {
  /** Good call windows on the Tokyo calendar day of `date`, in order. */
  windowsFor(date: Date, profile?: CallProfile): CallWindow[];
  checkNow(now: Date, profile?: CallProfile): CallCheck;
}

type Range = readonly [start: number, end: number];

const H = 60;
const range = (start: number, end: number): Range => Object.freeze([start, end] as const);

/** The numbers behind the rule above (deeply frozen). */
export const CALL_RULES = Object.freeze({
  officeDefaultWindows: Object.freeze([range(10 * H, 11 * H + 30), range(14 * H, 16 * H + 30)]),
  shopDefaultWindows: Object.freeze([range(14 * H, 16 * H + 30)]),
  openingBufferMinutes: 30,
  closingBufferMinutes: 30,
  lunchRush: range(11 * H + 30, 13 * H + 30),
  dinnerRush: range(17 * H + 30, 19 * H + 30),
  civilHours: range(9 * H, 21 * H),
  minWindowMinutes: 15,
  searchDays: 14,
});

function validateHours(hours: OpeningHours): void {
  const { open, close } = hours;
  if (!Number.isInteger(open) || !Number.isInteger(close) || open < 0 || close > 24 * H || open >= close) {
    throw new RangeError(`Invalid opening hours: open=${open}, close=${close} (minutes, 0 <= open < close <= 1440)`);
  }
}

function subtract(ranges: readonly Range[], cut: Range): Range[] {
  const out: Range[] = [];
  for (const [s, e] of ranges) {
    if (cut[1] <= s || cut[0] >= e) {
      out.push([s, e]);
      continue;
    }
    if (cut[0] > s) out.push([s, cut[0]]);
    if (cut[1] < e) out.push([cut[1], e]);
  }
  return out;
}

function clip(ranges: readonly Range[], [lo, hi]: Range): Range[] {
  return ranges.map(([s, e]): Range => [Math.max(s, lo), Math.min(e, hi)]).filter(([s, e]) => e > s);
}

/** The minute ranges for one day, before the calendar is considered. */
function minuteRanges(profile: CallProfile): Range[] {
  const isShop = profile.kind === 'shop';
  let ranges: Range[];
  if (profile.hours) {
    validateHours(profile.hours);
    ranges = [[profile.hours.open + CALL_RULES.openingBufferMinutes, profile.hours.close - CALL_RULES.closingBufferMinutes]];
    ranges = ranges.filter(([s, e]) => e > s);
    ranges = subtract(ranges, CALL_RULES.lunchRush);
    if (isShop) ranges = subtract(ranges, CALL_RULES.dinnerRush);
  } else {
    ranges = [...(isShop ? CALL_RULES.shopDefaultWindows : CALL_RULES.officeDefaultWindows)];
  }
  return clip(ranges, CALL_RULES.civilHours).filter(([s, e]) => e - s >= CALL_RULES.minWindowMinutes);
}

export function createCallWindows(calendar: Pick<BusinessCalendar, 'isBusinessDay' | 'isClosedDate'>): CallWindows {
  function dayAllowed(date: Date, profile: CallProfile): boolean {
    return profile.kind === 'shop' ? !calendar.isClosedDate(date) : calendar.isBusinessDay(date);
  }

  function windowsFor(date: Date, profile: CallProfile = {}): CallWindow[] {
    if (!dayAllowed(date, profile)) return [];
    return minuteRanges(profile).map(([s, e]) => ({ start: atTokyoMinute(date, s), end: atTokyoMinute(date, e) }));
  }

  function checkNow(now: Date, profile: CallProfile = {}): CallCheck {
    const t = now.getTime();
    const current = windowsFor(now, profile).find((w) => w.start.getTime() <= t && t < w.end.getTime());
    if (current) return { goodNow: true, currentWindowEnds: current.end };
    for (let k = 0; k <= CALL_RULES.searchDays; k++) {
      const next = windowsFor(addTokyoDays(now, k), profile).find((w) => w.start.getTime() > t);
      if (next) return { goodNow: false, next };
    }
    return { goodNow: false };
  }

  return { windowsFor, checkNow };
}
