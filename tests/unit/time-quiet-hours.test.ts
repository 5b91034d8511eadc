import { describe, expect, it } from 'vitest';
import { isQuiet, nextAllowedPushTime } from '../../src/time/quiet-hours.ts';

/** An instant given as Tokyo wall-clock time, e.g. jst('2026-07-15T21:00'). */
const jst = (local: string): Date => new Date(`${local.length === 16 ? `${local}:00` : local}+09:00`);

describe('quiet hours (default 21:00–09:00 JST)', () => {
  it('20:59 is allowed and returned unchanged (as a copy)', () => {
    const t = jst('2026-07-15T20:59');
    expect(isQuiet(t)).toBe(false);
    expect(nextAllowedPushTime(t)).toEqual(t);
    expect(nextAllowedPushTime(t)).not.toBe(t);
    expect(isQuiet(jst('2026-07-15T20:59:59.999'))).toBe(false);
  });

  it('21:00 is quiet → next day 09:00', () => {
    expect(isQuiet(jst('2026-07-15T21:00'))).toBe(true);
    expect(nextAllowedPushTime(jst('2026-07-15T21:00'))).toEqual(jst('2026-07-16T09:00'));
    expect(nextAllowedPushTime(jst('2026-07-15T23:59:59'))).toEqual(jst('2026-07-16T09:00'));
  });

  it('08:59 is quiet → 09:00 the same day', () => {
    expect(isQuiet(jst('2026-07-16T08:59'))).toBe(true);
    expect(nextAllowedPushTime(jst('2026-07-16T08:59'))).toEqual(jst('2026-07-16T09:00'));
    expect(nextAllowedPushTime(jst('2026-07-16T08:59:59.999'))).toEqual(jst('2026-07-16T09:00'));
    expect(nextAllowedPushTime(jst('2026-07-16T00:00'))).toEqual(jst('2026-07-16T09:00'));
  });

  it('09:00 is allowed', () => {
    expect(isQuiet(jst('2026-07-16T09:00'))).toBe(false);
    expect(nextAllowedPushTime(jst('2026-07-16T09:00'))).toEqual(jst('2026-07-16T09:00'));
  });

  it('is about Tokyo time: 12:30 UTC (08:30 in New York) is 21:30 JST, quiet', () => {
    const t = new Date('2026-07-15T12:30:00Z');
    expect(isQuiet(t)).toBe(true);
    expect(nextAllowedPushTime(t)).toEqual(new Date('2026-07-16T00:00:00Z'));
    // 00:30 UTC = 09:30 JST: allowed even though it is night in New York.
    expect(isQuiet(new Date('2026-07-16T00:30:00Z'))).toBe(false);
  });

  it('crosses month and year boundaries', () => {
    expect(nextAllowedPushTime(jst('2026-12-31T22:00'))).toEqual(jst('2027-01-01T09:00'));
    expect(nextAllowedPushTime(jst('2026-02-28T21:30'))).toEqual(jst('2026-03-01T09:00'));
  });
});

describe('quiet hours options', () => {
  it('custom wrapping range 22:00–07:30', () => {
    const opts = { quietStart: 22 * 60, quietEnd: 7 * 60 + 30 };
    expect(isQuiet(jst('2026-07-15T21:30'), opts)).toBe(false);
    expect(isQuiet(jst('2026-07-15T22:00'), opts)).toBe(true);
    expect(nextAllowedPushTime(jst('2026-07-15T22:00'), opts)).toEqual(jst('2026-07-16T07:30'));
    expect(nextAllowedPushTime(jst('2026-07-16T07:00'), opts)).toEqual(jst('2026-07-16T07:30'));
    expect(nextAllowedPushTime(jst('2026-07-16T07:30'), opts)).toEqual(jst('2026-07-16T07:30'));
  });

  it('only one option given keeps the other default', () => {
    expect(isQuiet(jst('2026-07-15T21:30'), { quietStart: 22 * 60 })).toBe(false);
    expect(nextAllowedPushTime(jst('2026-07-15T23:00'), { quietStart: 22 * 60 })).toEqual(jst('2026-07-16T09:00'));
  });

  it('a non-wrapping range (e.g. 12:00–13:00) and an empty one', () => {
    const lunch = { quietStart: 12 * 60, quietEnd: 13 * 60 };
    expect(isQuiet(jst('2026-07-15T11:59'), lunch)).toBe(false);
    expect(nextAllowedPushTime(jst('2026-07-15T12:10'), lunch)).toEqual(jst('2026-07-15T13:00'));
    expect(isQuiet(jst('2026-07-15T23:00'), lunch)).toBe(false);
    expect(isQuiet(jst('2026-07-15T03:00'), { quietStart: 600, quietEnd: 600 })).toBe(false);
  });

  it('quietEnd 24:00 means midnight', () => {
    const opts = { quietStart: 21 * 60, quietEnd: 24 * 60 };
    expect(nextAllowedPushTime(jst('2026-07-15T22:00'), opts)).toEqual(jst('2026-07-16T00:00'));
    expect(isQuiet(jst('2026-07-16T01:00'), opts)).toBe(false);
  });

  it('rejects invalid options and dates', () => {
    expect(() => isQuiet(jst('2026-07-15T12:00'), { quietStart: -1 })).toThrow(RangeError);
    expect(() => isQuiet(jst('2026-07-15T12:00'), { quietEnd: 1441 })).toThrow(RangeError);
    expect(() => isQuiet(jst('2026-07-15T12:00'), { quietEnd: 9.5 })).toThrow(RangeError);
    expect(() => nextAllowedPushTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
