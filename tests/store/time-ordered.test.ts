import { describe, expect, it } from 'vitest';
import { firstKeyAtOrAfter, type KeyedTime } from '../../src/store/time-ordered.ts';

/** A sorted table of rows, with a lookup that counts how often it is asked. */
function table(rows: KeyedTime[]) {
  const sorted = [...rows].sort((a, b) => a.key - b.key);
  let lookups = 0;
  return {
    range: sorted.length ? { min: sorted[0]!.key, max: sorted[sorted.length - 1]!.key } : undefined,
    firstFrom: (key: number) => {
      lookups++;
      return sorted.find((r) => r.key >= key);
    },
    lookups: () => lookups,
  };
}

describe('firstKeyAtOrAfter', () => {
  it('finds where rows of at least the given time begin', () => {
    const t = table(Array.from({ length: 100 }, (_, i) => ({ key: i + 1, time: (i + 1) * 10 })));
    expect(firstKeyAtOrAfter(505, t.range, t.firstFrom)).toBe(51);
    expect(firstKeyAtOrAfter(500, t.range, t.firstFrom)).toBe(50);
    expect(firstKeyAtOrAfter(10, t.range, t.firstFrom)).toBe(1);
    expect(firstKeyAtOrAfter(0, t.range, t.firstFrom)).toBe(1);
  });

  it('points past the last key when every row is older, and anywhere for an empty table', () => {
    const t = table([{ key: 3, time: 1 }, { key: 9, time: 2 }]);
    expect(firstKeyAtOrAfter(100, t.range, t.firstFrom)).toBe(10);
    expect(firstKeyAtOrAfter(100, undefined, () => undefined)).toBe(0);
  });

  it('copes with gaps in the keys (deleted rows)', () => {
    const t = table([{ key: 1, time: 1 }, { key: 2, time: 2 }, { key: 500, time: 3 }, { key: 501, time: 40 }, { key: 9000, time: 50 }]);
    const bound = firstKeyAtOrAfter(40, t.range, t.firstFrom);
    // Nothing young below the bound, nothing old from it on.
    expect(bound).toBeGreaterThan(500);
    expect(bound).toBeLessThanOrEqual(501);
  });

  it('asks for O(log n) rows, not one per old row', () => {
    const n = 100_000;
    const t = table(Array.from({ length: n }, (_, i) => ({ key: 1000 + i, time: i })));
    expect(firstKeyAtOrAfter(n - 10, t.range, t.firstFrom)).toBe(1000 + n - 10);
    expect(t.lookups()).toBeLessThanOrEqual(Math.ceil(Math.log2(n + 1)) + 1);
  });
});
