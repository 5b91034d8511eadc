import { describe, expect, it } from 'vitest';
import { createFakeClock, createSystemClock } from '../../src/time/clock.ts';

describe('system clock', () => {
  it('returns the current time as a fresh Date', () => {
    const clock = createSystemClock();
    const before = Date.now();
    const a = clock.now();
    const after = Date.now();
    expect(a.getTime()).toBeGreaterThanOrEqual(before);
    expect(a.getTime()).toBeLessThanOrEqual(after);
    expect(clock.now()).not.toBe(a);
  });
});

describe('fake clock', () => {
  it('starts at a Date or a string; zone-less strings are Tokyo time', () => {
    expect(createFakeClock(new Date('2026-07-17T01:00:00Z')).now()).toEqual(new Date('2026-07-17T01:00:00Z'));
    expect(createFakeClock('2026-07-17T10:00:00+09:00').now()).toEqual(new Date('2026-07-17T01:00:00Z'));
    expect(createFakeClock('2026-07-17T10:00').now()).toEqual(new Date('2026-07-17T01:00:00Z'));
  });

  it('set / advance / advanceMinutes', () => {
    const clock = createFakeClock('2026-07-17T10:00');
    clock.advanceMinutes(90);
    expect(clock.now()).toEqual(new Date('2026-07-17T11:30:00+09:00'));
    clock.advance(30_000);
    expect(clock.now()).toEqual(new Date('2026-07-17T11:30:30+09:00'));
    clock.advanceMinutes(-30);
    expect(clock.now()).toEqual(new Date('2026-07-17T11:00:30+09:00'));
    clock.set('2026-12-28T17:00');
    expect(clock.now()).toEqual(new Date('2026-12-28T08:00:00Z'));
    clock.set(new Date('2027-01-04T01:00:00Z'));
    expect(clock.now()).toEqual(new Date('2027-01-04T10:00:00+09:00'));
  });

  it('is not affected by mutating returned or passed Dates', () => {
    const start = new Date('2026-07-17T01:00:00Z');
    const clock = createFakeClock(start);
    start.setTime(0);
    const n = clock.now();
    n.setTime(0);
    expect(clock.now()).toEqual(new Date('2026-07-17T01:00:00Z'));
  });

  it('two fakes are independent (no shared module state)', () => {
    const a = createFakeClock('2026-07-17T10:00');
    const b = createFakeClock('2026-07-17T10:00');
    a.advanceMinutes(5);
    expect(b.now()).toEqual(new Date('2026-07-17T01:00:00Z'));
  });

  it('rejects invalid input', () => {
    expect(() => createFakeClock('not a date')).toThrow(RangeError);
    expect(() => createFakeClock(new Date(Number.NaN))).toThrow(RangeError);
    const clock = createFakeClock('2026-07-17T10:00');
    expect(() => clock.set('2026-02-30')).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.advanceMinutes(Infinity)).toThrow(RangeError);
    expect(clock.now()).toEqual(new Date('2026-07-17T01:00:00Z'));
  });
});
