import { describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows, type CallProfile, type CallWindow } from '../../src/time/call-windows.ts';

/** An instant given as Tokyo wall-clock time, e.g. jst('2026-07-15T10:00'). */
const jst = (local: string): Date => new Date(`${local}:00+09:00`);

/** Windows as readable 'YYYY-MM-DDTHH:MM–HH:MM' strings in Tokyo time (formatted without the code under test). */
function show(windows: CallWindow[]): string[] {
  const fmt = (d: Date): string => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16);
  return windows.map((w) => `${fmt(w.start)}–${fmt(w.end).slice(11)}`);
}

const H = 60;
const office: CallProfile = { kind: 'office' };
const shop11to21: CallProfile = { kind: 'shop', hours: { open: 11 * H, close: 21 * H } };

describe('windowsFor', () => {
  const cw = createCallWindows(createBusinessCalendar());

  it('office / unknown on a business day: 10:00–11:30 and 14:00–16:30', () => {
    const expected = ['2026-07-15T10:00–11:30', '2026-07-15T14:00–16:30'];
    expect(show(cw.windowsFor(jst('2026-07-15T08:00'), office))).toEqual(expected);
    expect(show(cw.windowsFor(jst('2026-07-15T23:59'), {}))).toEqual(expected);
    expect(show(cw.windowsFor(jst('2026-07-15T00:00')))).toEqual(expected);
  });

  it('office: nothing on weekends, national holidays or the year-end break', () => {
    expect(cw.windowsFor(jst('2026-07-18T10:00'), office)).toEqual([]); // Sat
    expect(cw.windowsFor(jst('2026-07-19T10:00'), office)).toEqual([]); // Sun
    expect(cw.windowsFor(jst('2026-07-20T10:00'), office)).toEqual([]); // 海の日
    expect(cw.windowsFor(jst('2026-12-30T10:00'), office)).toEqual([]);
  });

  it('shop 11:00–21:00: open+30 … close−30, minus lunch 11:30–13:30 and dinner 17:30–19:30', () => {
    expect(show(cw.windowsFor(jst('2026-07-15T09:00'), shop11to21))).toEqual([
      '2026-07-15T13:30–17:30',
      '2026-07-15T19:30–20:30',
    ]);
  });

  it('shops are callable on weekends and holidays, but not in the year-end break', () => {
    expect(show(cw.windowsFor(jst('2026-07-18T09:00'), shop11to21))).toEqual([
      '2026-07-18T13:30–17:30',
      '2026-07-18T19:30–20:30',
    ]);
    expect(cw.windowsFor(jst('2026-07-20T09:00'), shop11to21)).toHaveLength(2);
    expect(cw.windowsFor(jst('2026-12-31T12:00'), shop11to21)).toEqual([]);
  });

  it('an office with the same hours keeps the dinner slot (only lunch is removed) but not weekends', () => {
    const officeHours: CallProfile = { kind: 'office', hours: { open: 11 * H, close: 21 * H } };
    expect(show(cw.windowsFor(jst('2026-07-15T09:00'), officeHours))).toEqual(['2026-07-15T13:30–20:30']);
    expect(cw.windowsFor(jst('2026-07-18T09:00'), officeHours)).toEqual([]);
  });

  it('office 09:00–18:00 → 09:30–11:30 and 13:30–17:30', () => {
    const p: CallProfile = { hours: { open: 9 * H, close: 18 * H } };
    expect(show(cw.windowsFor(jst('2026-07-15T09:00'), p))).toEqual([
      '2026-07-15T09:30–11:30',
      '2026-07-15T13:30–17:30',
    ]);
  });

  it('shop without known hours: the 14:00–16:30 idle time, weekends included', () => {
    expect(show(cw.windowsFor(jst('2026-07-19T09:00'), { kind: 'shop' }))).toEqual(['2026-07-19T14:00–16:30']);
  });

  it('never suggests night calls, even for a 24-hour store, and drops tiny windows', () => {
    const allDay: CallProfile = { kind: 'shop', hours: { open: 0, close: 24 * H } };
    expect(show(cw.windowsFor(jst('2026-07-15T09:00'), allDay))).toEqual([
      '2026-07-15T09:00–11:30',
      '2026-07-15T13:30–17:30',
      '2026-07-15T19:30–21:00',
    ]);
    // 11:00–12:10 → 11:30–11:40 minus lunch → nothing usable.
    expect(cw.windowsFor(jst('2026-07-15T09:00'), { hours: { open: 11 * H, close: 12 * H + 10 } })).toEqual([]);
    // 10:50-14:00 → 11:20–11:30 (10 min, dropped) and 13:30–13:30 (empty).
    expect(cw.windowsFor(jst('2026-07-15T09:00'), { hours: { open: 10 * H + 50, close: 14 * H } })).toEqual([]);
  });

  it('rejects invalid hours', () => {
    const day = jst('2026-07-15T09:00');
    expect(() => cw.windowsFor(day, { hours: { open: 18 * H, close: 9 * H } })).toThrow(RangeError);
    expect(() => cw.windowsFor(day, { hours: { open: -1, close: 9 * H } })).toThrow(RangeError);
    expect(() => cw.windowsFor(day, { hours: { open: 9 * H, close: 25 * H } })).toThrow(RangeError);
    expect(() => cw.windowsFor(day, { hours: { open: 9.5, close: 18 * H } })).toThrow(RangeError);
  });
});

describe('checkNow', () => {
  const cw = createCallWindows(createBusinessCalendar());

  it('inside a window: good now, tells when it ends', () => {
    expect(cw.checkNow(jst('2026-07-15T10:30'), office)).toEqual({
      goodNow: true,
      currentWindowEnds: jst('2026-07-15T11:30'),
    });
    // start is inclusive
    expect(cw.checkNow(jst('2026-07-15T14:00'), office)).toEqual({
      goodNow: true,
      currentWindowEnds: jst('2026-07-15T16:30'),
    });
  });

  it('over lunch: not now, next window 14:00 the same day (end is exclusive)', () => {
    for (const t of ['2026-07-15T11:30', '2026-07-15T12:15', '2026-07-15T13:59']) {
      expect(cw.checkNow(jst(t), office), t).toEqual({
        goodNow: false,
        next: { start: jst('2026-07-15T14:00'), end: jst('2026-07-15T16:30') },
      });
    }
  });

  it('early morning: next is 10:00 today', () => {
    expect(cw.checkNow(jst('2026-07-15T07:45'), office).next?.start).toEqual(jst('2026-07-15T10:00'));
  });

  it('late afternoon and at night: next business morning', () => {
    expect(cw.checkNow(jst('2026-07-15T16:30'), office).next?.start).toEqual(jst('2026-07-16T10:00'));
    const night = cw.checkNow(jst('2026-07-15T23:30'), office);
    expect(night.goodNow).toBe(false);
    expect(night.currentWindowEnds).toBeUndefined();
    expect(night.next).toEqual({ start: jst('2026-07-16T10:00'), end: jst('2026-07-16T11:30') });
    // 02:00 JST is still "yesterday" in UTC and New York; next is 10:00 the same Tokyo day.
    expect(cw.checkNow(jst('2026-07-16T02:00'), office).next?.start).toEqual(jst('2026-07-16T10:00'));
  });

  it('Friday evening before 海の日: next is Tuesday 10:00', () => {
    expect(cw.checkNow(jst('2026-07-17T17:00'), office).next?.start).toEqual(jst('2026-07-21T10:00'));
  });

  it('before the year-end break: next is 2027-01-04 10:00', () => {
    expect(cw.checkNow(jst('2026-12-28T17:00'), office).next?.start).toEqual(jst('2027-01-04T10:00'));
  });

  it('shop on a Saturday', () => {
    expect(cw.checkNow(jst('2026-07-18T12:00'), shop11to21)).toEqual({
      goodNow: false,
      next: { start: jst('2026-07-18T13:30'), end: jst('2026-07-18T17:30') },
    });
    expect(cw.checkNow(jst('2026-07-18T18:00'), shop11to21).next?.start).toEqual(jst('2026-07-18T19:30'));
    expect(cw.checkNow(jst('2026-07-18T20:00'), shop11to21)).toEqual({
      goodNow: true,
      currentWindowEnds: jst('2026-07-18T20:30'),
    });
    expect(cw.checkNow(jst('2026-07-18T20:45'), shop11to21).next?.start).toEqual(jst('2026-07-19T13:30'));
  });

  it('gives up after 14 days without a window', () => {
    const closed = createCallWindows(createBusinessCalendar({ yearEndBreak: { start: '01-01', end: '12-31' } }));
    expect(closed.checkNow(jst('2026-07-15T10:30'), office)).toEqual({ goodNow: false });

    const days = Array.from({ length: 15 }, (_, i) => `2026-07-${String(15 + i).padStart(2, '0')}`);
    const twoWeeksOff = createCallWindows(createBusinessCalendar({ extraClosedDates: days }));
    // 07-15..07-29 closed: the first window (07-30) is 15 days ahead — out of range.
    expect(twoWeeksOff.checkNow(jst('2026-07-15T09:00'), office)).toEqual({ goodNow: false });
    // One day less closed: 07-29 10:00 is 14 days ahead — found.
    const twoWeeksMinusOne = createCallWindows(createBusinessCalendar({ extraClosedDates: days.slice(0, 14) }));
    expect(twoWeeksMinusOne.checkNow(jst('2026-07-15T09:00'), office).next?.start).toEqual(jst('2026-07-29T10:00'));
  });
});
