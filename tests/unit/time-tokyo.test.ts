import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows } from '../../src/time/call-windows.ts';
import { nextAllowedPushTime } from '../../src/time/quiet-hours.ts';
import {
  describeWhen,
  formatTokyo,
  fromTokyo,
  parseTokyoInstant,
  toTokyoParts,
  tokyoDateKey,
} from '../../src/time/tokyo.ts';

const jst = (local: string): Date => new Date(`${local}:00+09:00`);

describe('toTokyoParts / fromTokyo / tokyoDateKey', () => {
  it('reads Tokyo wall-clock fields from an instant', () => {
    // 2026-11-30T15:00Z is Tue 2026-12-01 00:00 in Tokyo (still Monday in UTC and New York).
    expect(toTokyoParts(new Date('2026-11-30T15:00:00Z'))).toEqual({
      year: 2026, month: 12, day: 1, hour: 0, minute: 0, weekday: 2,
    });
    expect(toTokyoParts(new Date('2026-11-30T14:59:00Z'))).toMatchObject({ month: 11, day: 30, hour: 23, weekday: 1 });
    expect(tokyoDateKey(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01');
    expect(tokyoDateKey(new Date('2026-12-31T14:59:59Z'))).toBe('2026-12-31');
  });

  it('fromTokyo is the inverse, with defaults and roll-over', () => {
    expect(fromTokyo(2026, 12, 1, 10, 0)).toEqual(new Date('2026-12-01T01:00:00Z'));
    expect(fromTokyo(2026, 12, 1)).toEqual(new Date('2026-11-30T15:00:00Z'));
    expect(fromTokyo(2026, 12, 32, 9)).toEqual(jst('2027-01-01T09:00'));
    expect(fromTokyo(2026, 7, 15, 0, 90)).toEqual(jst('2026-07-15T01:30'));
    expect(() => fromTokyo(2026, 7, 1.5)).toThrow(RangeError);
  });

  it('agrees with Intl.DateTimeFormat(timeZone: Asia/Tokyo) across many instants', () => {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Tokyo', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', weekday: 'short', hourCycle: 'h23',
    });
    const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const start = Date.UTC(2024, 0, 1);
    // Every 7h13m over ~3 years: hits every hour of day and all weekdays.
    for (let t = start; t < start + 3 * 366 * 86_400_000; t += (7 * 60 + 13) * 60_000) {
      const d = new Date(t);
      const parts = Object.fromEntries(fmt.formatToParts(d).map((p) => [p.type, p.value]));
      const expected = {
        year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
        hour: Number(parts.hour), minute: Number(parts.minute), weekday: wd.indexOf(String(parts.weekday)),
      };
      expect(toTokyoParts(d), d.toISOString()).toEqual(expected);
      const p = toTokyoParts(d);
      expect(fromTokyo(p.year, p.month, p.day, p.hour, p.minute).getTime()).toBe(t - (t % 60_000));
    }
  });
});

describe('formatTokyo', () => {
  it('formats Japanese user-facing strings', () => {
    const mon = jst('2025-12-01T10:00');
    expect(formatTokyo(mon, 'dateTime')).toBe('12月1日（月）10:00');
    expect(formatTokyo(mon)).toBe('12月1日（月）10:00');
    expect(formatTokyo(mon, 'date')).toBe('12月1日（月）');
    expect(formatTokyo(mon, 'time')).toBe('10:00');
    expect(formatTokyo(mon, 'fullDate')).toBe('2025年12月1日（月）');
    expect(formatTokyo(mon, 'fullDateTime')).toBe('2025年12月1日（月）10:00');
    expect(formatTokyo(jst('2026-06-01T09:05'))).toBe('6月1日（月）09:05');
    // 2025-12-01T01:00Z is 10:00 JST whatever the server zone.
    expect(formatTokyo(new Date('2025-12-01T01:00:00Z'))).toBe('12月1日（月）10:00');
  });
});

describe('describeWhen', () => {
  const now = jst('2026-12-01T09:00'); // Tue
  it('today / tomorrow / yesterday / later', () => {
    expect(describeWhen(jst('2026-12-01T14:00'), now)).toBe('今日 14:00');
    expect(describeWhen(jst('2026-12-02T10:00'), now)).toBe('明日（水）10:00');
    expect(describeWhen(jst('2026-11-30T10:00'), now)).toBe('昨日（月）10:00');
    expect(describeWhen(jst('2026-12-04T10:00'), now)).toBe('12月4日（金）10:00');
  });

  it('uses Tokyo days: 23:50 → 00:10 the next Tokyo day is 明日', () => {
    expect(describeWhen(jst('2026-12-02T00:10'), jst('2026-12-01T23:50'))).toBe('明日（水）00:10');
    expect(describeWhen(jst('2026-12-01T23:59'), jst('2026-12-01T00:00'))).toBe('今日 23:59');
  });

  it('year is shown only for a different year more than a month away', () => {
    expect(describeWhen(jst('2027-01-04T10:00'), jst('2026-12-28T17:00'))).toBe('1月4日（月）10:00');
    expect(describeWhen(jst('2027-03-01T10:00'), jst('2026-12-28T17:00'))).toBe('2027年3月1日（月）10:00');
  });
});

describe('parseTokyoInstant', () => {
  it('reads zone-less strings as Tokyo time and zoned strings exactly', () => {
    expect(parseTokyoInstant('2026-07-17T10:00')).toEqual(new Date('2026-07-17T01:00:00Z'));
    expect(parseTokyoInstant('2026-07-17 10:00:30')).toEqual(new Date('2026-07-17T01:00:30Z'));
    expect(parseTokyoInstant('2026-07-17T10:00:30.5')).toEqual(new Date('2026-07-17T01:00:30.500Z'));
    expect(parseTokyoInstant('2026-07-17')).toEqual(new Date('2026-07-16T15:00:00Z'));
    expect(parseTokyoInstant('2026-07-17T10:00:00Z')).toEqual(new Date('2026-07-17T10:00:00Z'));
    expect(parseTokyoInstant('2026-07-17T10:00:00-04:00')).toEqual(new Date('2026-07-17T14:00:00Z'));
  });

  it('rejects garbage and impossible dates', () => {
    for (const bad of ['', 'tomorrow', '2026-02-30', '2026-02-30T10:00Z', '2026-13-01T10:00', '2026-07-17T24:00', '17/07/2026']) {
      expect(() => parseTokyoInstant(bad), bad).toThrow(RangeError);
    }
  });
});

describe('independence from the process time zone', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('src/time never uses local-time Date getters/setters or Date.now()', () => {
    const dir = fileURLToPath(new URL('../../src/time/', import.meta.url));
    const forbidden =
      /\.(?:get|set)(?:FullYear|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds|Year)\(|getTimezoneOffset|toLocale\w*String\(|Date\.now\(|new Date\(\s*\d+\s*,/;
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const lines = readFileSync(dir + f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        expect(forbidden.test(code), `${f}:${i + 1}: ${line.trim()}`).toBe(false);
      });
    }
  });

  /** A battery of results that would differ if anything read the server zone. */
  function snapshot(): unknown {
    const cal = createBusinessCalendar();
    const cw = createCallWindows(cal);
    const instants = [
      new Date('2026-07-17T14:30:00Z'), // Fri 23:30 JST
      new Date('2026-07-17T15:15:00Z'), // Sat 00:15 JST
      new Date('2026-07-19T15:00:00Z'), // 海の日 00:00 JST
      new Date('2026-12-28T08:00:00Z'), // Mon 17:00 JST
      new Date('2026-12-31T15:30:00Z'), // 元日 00:30 JST
    ];
    return instants.map((d) => ({
      parts: toTokyoParts(d),
      key: tokyoDateKey(d),
      fmt: formatTokyo(d, 'fullDateTime'),
      rel: describeWhen(new Date(d.getTime() + 20 * 3_600_000), d),
      holiday: cal.holidayName(d) ?? null,
      business: cal.isBusinessDay(d),
      next: cal.nextBusinessDay(d).toISOString(),
      check: JSON.stringify(cw.checkNow(d, { kind: 'office' })),
      shop: JSON.stringify(cw.windowsFor(d, { kind: 'shop', hours: { open: 660, close: 1260 } })),
      push: nextAllowedPushTime(d).toISOString(),
      parsed: parseTokyoInstant('2026-07-17T10:00').toISOString(),
    }));
  }

  it.for(['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Tokyo'])(
    'gives identical results with process.env.TZ=%s',
    (tz, ctx) => {
      const baseline = snapshot();
      process.env.TZ = tz;
      // Node re-reads TZ on assignment; skip if this runtime does not.
      const probe = new Date('2026-01-15T12:00:00Z');
      const expectedOffset = { UTC: 0, 'America/New_York': 300, 'Pacific/Kiritimati': -840, 'Pacific/Pago_Pago': 660, 'Asia/Tokyo': -540 }[tz];
      if (probe.getTimezoneOffset() !== expectedOffset) ctx.skip();
      expect(snapshot()).toEqual(baseline);
    },
  );
});
