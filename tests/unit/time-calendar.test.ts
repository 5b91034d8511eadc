import { describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { tokyoDateKey } from '../../src/time/tokyo.ts';

/** An instant given as Tokyo wall-clock time, e.g. jst('2026-07-17T10:00'). */
const jst = (local: string): Date => new Date(`${local.length === 10 ? `${local}T00:00` : local}:00+09:00`);

describe('business calendar: national holidays (via @holiday-jp/holiday_jp)', () => {
  const cal = createBusinessCalendar();

  it('knows 海の日 2026-07-20 (Mon) and names it', () => {
    expect(cal.isHoliday(jst('2026-07-20T10:00'))).toBe(true);
    expect(cal.holidayName(jst('2026-07-20T10:00'))).toBe('海の日');
    expect(cal.isHoliday(jst('2026-07-17T10:00'))).toBe(false);
    expect(cal.holidayName(jst('2026-07-17T10:00'))).toBeUndefined();
  });

  it('uses the Tokyo day, not the UTC or server day, at both edges of a holiday', () => {
    // 2026-07-20 00:00 JST is 2026-07-19 15:00 UTC (and 11:00 in New York on the 19th).
    expect(cal.isHoliday(new Date('2026-07-19T15:00:00Z'))).toBe(true);
    expect(cal.isHoliday(new Date('2026-07-19T14:59:59Z'))).toBe(false);
    // 2026-07-20 23:59 JST is 14:59 UTC on the 20th; 00:00 on the 21st is 15:00 UTC.
    expect(cal.isHoliday(new Date('2026-07-20T14:59:00Z'))).toBe(true);
    expect(cal.isHoliday(new Date('2026-07-20T15:00:00Z'))).toBe(false);
  });

  it('Golden Week 2026, including the substitute holiday on Wed 05-06', () => {
    expect(cal.holidayName(jst('2026-04-29'))).toBe('昭和の日');
    expect(cal.holidayName(jst('2026-05-03'))).toBe('憲法記念日'); // Sunday
    expect(cal.holidayName(jst('2026-05-04'))).toBe('みどりの日');
    expect(cal.holidayName(jst('2026-05-05'))).toBe('こどもの日');
    expect(cal.holidayName(jst('2026-05-06'))).toContain('振替休日');
    expect(cal.isBusinessDay(jst('2026-04-30'))).toBe(true);
    expect(cal.isBusinessDay(jst('2026-05-01'))).toBe(true);
    for (const d of ['2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', '2026-05-06']) {
      expect(cal.isBusinessDay(jst(d)), d).toBe(false);
    }
    expect(tokyoDateKey(cal.nextBusinessDay(jst('2026-05-01T15:00')))).toBe('2026-05-07');
    expect(cal.addBusinessDays(jst('2026-04-28T10:00'), 2)).toEqual(jst('2026-05-01T10:00'));
  });

  it('substitute holiday when a holiday falls on Sunday (勤労感謝の日 2025-11-23 → Mon 11-24)', () => {
    expect(cal.isHoliday(jst('2025-11-23'))).toBe(true);
    expect(cal.holidayName(jst('2025-11-24'))).toBe('勤労感謝の日 振替休日');
    expect(cal.isBusinessDay(jst('2025-11-24'))).toBe(false);
    expect(cal.nextBusinessDay(jst('2025-11-21T11:00'))).toEqual(jst('2025-11-25T11:00'));
  });

  it("citizen's holiday sandwiched between two holidays (2026-09-22)", () => {
    expect(cal.isHoliday(jst('2026-09-22'))).toBe(true);
    expect(cal.nextBusinessDay(jst('2026-09-18T10:00'))).toEqual(jst('2026-09-24T10:00'));
  });
});

describe('business calendar: business days', () => {
  const cal = createBusinessCalendar();

  it('Friday before a Monday holiday: Fri 2026-07-17 + 1 business day = Tue 07-21, same time', () => {
    expect(cal.addBusinessDays(jst('2026-07-17T10:00'), 1)).toEqual(jst('2026-07-21T10:00'));
    expect(cal.nextBusinessDay(jst('2026-07-17T10:00'))).toEqual(jst('2026-07-21T10:00'));
  });

  it('keeps late-evening Tokyo times on the right day (23:30 JST is still the morning in New York)', () => {
    expect(cal.addBusinessDays(jst('2026-07-17T23:30'), 1)).toEqual(jst('2026-07-21T23:30'));
    // 00:15 JST Saturday is Friday in UTC and in New York: still a Saturday for us.
    expect(cal.isBusinessDay(jst('2026-07-18T00:15'))).toBe(false);
    expect(cal.isBusinessDay(jst('2026-07-17T23:59'))).toBe(true);
  });

  it('keeps seconds and milliseconds', () => {
    const start = new Date('2026-06-05T01:02:03.456Z'); // Fri 10:02:03.456 JST
    expect(cal.addBusinessDays(start, 1)).toEqual(new Date('2026-06-08T01:02:03.456Z'));
  });

  it('skips weekends', () => {
    expect(cal.isBusinessDay(jst('2026-06-06'))).toBe(false); // Sat
    expect(cal.isBusinessDay(jst('2026-06-07'))).toBe(false); // Sun
    expect(cal.addBusinessDays(jst('2026-06-05T14:00'), 1)).toEqual(jst('2026-06-08T14:00'));
    expect(cal.addBusinessDays(jst('2026-06-05T14:00'), 5)).toEqual(jst('2026-06-12T14:00'));
    expect(cal.addBusinessDays(jst('2026-06-06T09:00'), 1)).toEqual(jst('2026-06-08T09:00')); // Sat + 1 = Mon
    expect(cal.nextBusinessDay(jst('2026-06-07T20:00'))).toEqual(jst('2026-06-08T20:00'));
  });

  it('n = 0 returns the same instant; negative n goes backwards', () => {
    const mon = jst('2026-06-08T10:00');
    expect(cal.addBusinessDays(mon, 0)).toEqual(mon);
    expect(cal.addBusinessDays(mon, 0)).not.toBe(mon);
    expect(cal.addBusinessDays(mon, -1)).toEqual(jst('2026-06-05T10:00'));
    expect(cal.addBusinessDays(jst('2026-07-21T10:00'), -1)).toEqual(jst('2026-07-17T10:00'));
  });

  it('rejects non-integer n and invalid dates', () => {
    expect(() => cal.addBusinessDays(jst('2026-06-08T10:00'), 1.5)).toThrow(RangeError);
    expect(() => cal.isBusinessDay(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('business calendar: year-end break', () => {
  const cal = createBusinessCalendar();

  it('default 12-29..01-03: Mon 2026-12-28 → next business day Mon 2027-01-04', () => {
    expect(cal.isBusinessDay(jst('2026-12-28T10:00'))).toBe(true);
    expect(cal.nextBusinessDay(jst('2026-12-28T10:00'))).toEqual(jst('2027-01-04T10:00'));
    for (const d of ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']) {
      expect(cal.isBusinessDay(jst(d)), d).toBe(false);
      expect(cal.isYearEndBreak(jst(d)), d).toBe(true);
    }
    expect(cal.isHoliday(jst('2026-12-30'))).toBe(false); // closed, but not a national holiday
    expect(cal.holidayName(jst('2027-01-01'))).toBe('元日');
    expect(cal.isBusinessDay(jst('2027-01-04'))).toBe(true);
    expect(cal.addBusinessDays(jst('2027-01-04T10:00'), -1)).toEqual(jst('2026-12-28T10:00'));
  });

  it('the break starts at Tokyo midnight', () => {
    expect(cal.isYearEndBreak(jst('2026-12-28T23:59'))).toBe(false);
    expect(cal.isYearEndBreak(jst('2026-12-29T00:00'))).toBe(true);
    expect(cal.isYearEndBreak(jst('2027-01-03T23:59'))).toBe(true);
    expect(cal.isYearEndBreak(jst('2027-01-04T00:00'))).toBe(false);
  });

  it('can be customised or disabled', () => {
    const longer = createBusinessCalendar({ yearEndBreak: { start: '12-27', end: '01-05' } });
    expect(longer.isBusinessDay(jst('2027-01-04'))).toBe(false);
    expect(longer.nextBusinessDay(jst('2026-12-25T10:00'))).toEqual(jst('2027-01-06T10:00'));

    const none = createBusinessCalendar({ yearEndBreak: null });
    expect(none.isBusinessDay(jst('2026-12-29'))).toBe(true);
    expect(none.isBusinessDay(jst('2027-01-01'))).toBe(false); // 元日 is still a holiday
  });

  it('non-wrapping break ranges work too (e.g. お盆休み-style config)', () => {
    const cal2 = createBusinessCalendar({ yearEndBreak: { start: '08-12', end: '08-14' } });
    expect(cal2.isBusinessDay(jst('2026-08-12'))).toBe(false);
    expect(cal2.isBusinessDay(jst('2026-08-14'))).toBe(false);
    expect(cal2.isBusinessDay(jst('2026-08-17'))).toBe(true);
    expect(cal2.isBusinessDay(jst('2026-12-30'))).toBe(true);
  });

  it('extraClosedDates close specific Tokyo dates', () => {
    const cal3 = createBusinessCalendar({ extraClosedDates: ['2026-07-21'] });
    expect(cal3.isBusinessDay(jst('2026-07-21'))).toBe(false);
    expect(cal3.isClosedDate(jst('2026-07-21'))).toBe(true);
    expect(cal3.isHoliday(jst('2026-07-21'))).toBe(false);
    expect(cal3.nextBusinessDay(jst('2026-07-17T10:00'))).toEqual(jst('2026-07-22T10:00'));
  });

  it('validates its options and refuses to loop forever', () => {
    expect(() => createBusinessCalendar({ yearEndBreak: { start: '1229', end: '01-03' } })).toThrow(RangeError);
    expect(() => createBusinessCalendar({ yearEndBreak: { start: '13-01', end: '01-03' } })).toThrow(RangeError);
    expect(() => createBusinessCalendar({ extraClosedDates: ['2026/07/21'] })).toThrow(RangeError);
    const closed = createBusinessCalendar({ yearEndBreak: { start: '01-01', end: '12-31' } });
    expect(() => closed.nextBusinessDay(jst('2026-07-17T10:00'))).toThrow(/no business day/);
  });
});
