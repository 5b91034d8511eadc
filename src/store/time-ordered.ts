/** A row of a table whose rows go in by increasing key as time goes on (an inbox seq, a rowid). */
export interface KeyedTime {
  key: number;
  time: number;
}

/**
 * Where the rows at least `time` begin, found by bisection over the key: O(log n) lookups by key,
 * with no index on the time column. Returns a key B such that, while times rise with keys, every
 * row below B is older than `time` and the first row from B on (if any) is not: `key < B` is then
 * a cheap bound for "old". Times that don't rise (a clock set back) can only make B too low or too
 * high; a caller that also tests the time itself loses nothing but a later deletion.
 *
 * `range`: the smallest and largest key (undefined for an empty table); `firstFrom(k)`: the row
 * with the smallest key ≥ k.
 */
export function firstKeyAtOrAfter(
  time: number,
  range: { min: number; max: number } | undefined,
  firstFrom: (key: number) => KeyedTime | undefined,
): number {
  if (!range) return 0;
  // Invariant: rows below `lo` are old; the first row from `hi` on is young, or there is none.
  let lo = range.min;
  let hi = range.max + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = firstFrom(mid);
    if (!row || row.key >= hi || row.time >= time) hi = mid;
    else lo = row.key + 1;
  }
  return lo;
}
