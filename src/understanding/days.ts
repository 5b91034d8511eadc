/**
 * How many days have passed, from free Japanese text.
 *
 * Candidates get a strength ("tier"); the strongest wins, then one in a clause about the calls
 * (着信, 電話, 連絡 …), then the earliest:
 *   3  a number + unit with an elapsed marker: "6日前", "6日経って", "1週間たった", "3時間前"
 *   2  a number + unit with an approximation: "1週間くらい"; relative words: 昨日, おととい,
 *      先週, 先月, 半月; when `now` is known, calendar dates ("3月6日", "3/6", "6日に") and
 *      weekdays of a named week ("先週の金曜", "今週の月曜日")
 *   1  a bare duration: "6日", "20日", "3日間", "2週間"; a bare weekday with `now` ("月曜に")
 *   0  weak words: 今日, さっき, 今朝 (skipped before a plan: "今日電話してもいい?")
 * Never days: counts ("3回"), future or deadlines ("3日後", "1週間以内"), a date without `now`
 * ("3月6日", "6日に面接"), "24時間営業".
 */
import { NUM_CHARS, allMatches, normalize, parseJaNumber } from './normalize.ts';

interface Candidate {
  days: number;
  tier: number;
  index: number;
  /** A point in time that "次の日" or "その日" later in the text can count from. */
  date?: boolean;
}

/** What the user plans ("今日電話してもいい?"), not when something happened. */
const PLAN_AFTER =
  /^(?:中に|の?うちに|は|も)?(?:(?:電話|連絡|折り返し?)(?:を)?(?:する|しよう|したい|しても|すべき|した方|したほう|してみ|できる|できま|すれば|します)|(?:かけ|掛け)(?:る|よう|たい|ても|てみ|た方|たほう|れば|ます))/;

/** A clause about the calls themselves ("3日前に着信") rather than, say, the interview. */
const CALL_CLAUSE = /着信|電話|連絡|かかって|かかっ|留守電|折り返し/;

const DAY_MS = 86_400_000;
const WEEKDAYS = '日月火水木金土';
const JST_OFFSET_MS = 9 * 3_600_000;

const APPROX = '(?:くらい|ぐらい|位|ほど|程度|程|近く|以上|ちょっと|ちょい|余り|あまり|ばかり|前後|弱|強)';
const ELAPSED =
  '(?:前|経|たっ|たち|たつ|たと|立っ|立ち|立つ|過ぎ|すぎ|になる|になり|になっ|になりま|空い|あい)';

/** Hiragana day words; only taken with a marker after them (いつか = "someday", ようか ≈ "shall I"). */
const KANA_DAYS: ReadonlyArray<readonly [string, number]> = [
  ['いっしゅうかん', 7], ['にしゅうかん', 14], ['ひとつき', 30], ['ふたつき', 60],
  ['ここのか', 9], ['ふつか', 2], ['みっか', 3], ['よっか', 4], ['いつか', 5], ['むいか', 6],
  ['なのか', 7], ['ようか', 8], ['とおか', 10], ['はつか', 20],
];

/** Relative words: [pattern, days, tier]. Longer ones first so 一昨日 wins over 昨日. */
const RELATIVE: ReadonlyArray<readonly [string, number, number]> = [
  ['一昨々日|さきおととい', 3, 2],
  ['一昨日|おととい|おとつい|一昨晩', 2, 2],
  ['昨日|きのう|昨晩|昨夜|ゆうべ', 1, 2],
  ['先々週', 14, 2],
  ['先週', 7, 2],
  ['先々月', 60, 2],
  ['先月|ひと月', 30, 2],
  ['半月', 15, 2],
  ['今日|きょう|本日|今朝|さっき|先ほど|先程|今しがた', 0, 0],
];

// Compiled once. allMatches runs each on a fresh global copy, so none of them carries state.
const DURATION = new RegExp(`([${NUM_CHARS}]+数?|数|何)(日間|日|週間|週|(?:ヶ|ケ|ヵ|カ|か|箇)月間?|時間)(半)?`);
const NUMERAL_OR_TIME_END = new RegExp(`[${NUM_CHARS}.:]$`);
const ELAPSED_AFTER = new RegExp(`^(?:[かも])?${APPROX}?(?:も|が|は)?${ELAPSED}`);
const APPROX_AFTER = new RegExp(`^(?:[かも])?${APPROX}`);
const CALENDAR_DATE = new RegExp(
  `(?<![${NUM_CHARS}/])([${NUM_CHARS}]{1,3})(?:月|/)([${NUM_CHARS}]{1,3})(?:日)?(?![${NUM_CHARS}/回件度本時])`,
);
// Most messages contain none of these words: a plain substring check skips their expressions.
const RELATIVE_MATCHERS = RELATIVE.map(([pattern, days, tier]) => ({
  pattern,
  words: pattern.split('|'),
  re: new RegExp(`(?:${pattern})`),
  days,
  tier,
}));
const KANA_MATCHERS = KANA_DAYS.map(([word, days]) => ({
  word,
  re: new RegExp(`${word}(?:も|が|は)?(${APPROX})?(?:も|が|は)?(${ELAPSED})?`),
  days,
}));

function unitDays(unit: string, n: number, half: boolean): number | undefined {
  if (unit.startsWith('日')) return Math.floor(n + (half ? 0.5 : 0));
  if (unit.startsWith('週')) return Math.floor(7 * n + (half ? 3.5 : 0));
  if (unit.endsWith('月') || unit.endsWith('月間')) return 30 * n + (half ? 15 : 0);
  if (unit === '時間') return Math.floor(n / 24);
  return undefined;
}

/** "数" / "何(か|も)" → a few: 3 days, 2 weeks, 2 months. */
function vagueAmount(unit: string): number {
  return unit.startsWith('日') ? 3 : 2;
}

function jstDayNumber(d: Date): number {
  return Math.floor((d.getTime() + JST_OFFSET_MS) / DAY_MS);
}

function jstToday(now: Date): { y: number; m: number; d: number } {
  const shifted = new Date(now.getTime() + JST_OFFSET_MS);
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() };
}

function dayNumber(y: number, m: number, d: number): number | undefined {
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return Math.floor(t / DAY_MS);
}

/** Days since month/day (this year, or last year if that is still ahead). */
function daysSinceMonthDay(now: Date, month: number, day: number): number | undefined {
  const today = jstDayNumber(now);
  const { y } = jstToday(now);
  for (const year of [y, y - 1]) {
    const n = dayNumber(year, month, day);
    if (n !== undefined && n <= today) return today - n <= 366 ? today - n : undefined;
  }
  return undefined;
}

/** Days since day-of-month (this month, or last month if still ahead). */
function daysSinceDayOfMonth(now: Date, day: number): number | undefined {
  const today = jstDayNumber(now);
  const { y, m } = jstToday(now);
  const candidates: Array<[number, number]> = [[y, m], m === 1 ? [y - 1, 12] : [y, m - 1]];
  for (const [year, month] of candidates) {
    const n = dayNumber(year, month, day);
    if (n !== undefined && n <= today) return today - n;
  }
  return undefined;
}

const WEEKDAY_NOTE = /^日?\(([日月火水木金土])(?:曜日?)?\)/;

/** The weekday written after a date: "13日(火)" → 2 (Sunday = 0), from the text after the number. */
function weekdayNote(tail: string): number | undefined {
  const m = WEEKDAY_NOTE.exec(tail);
  return m === null ? undefined : WEEKDAYS.indexOf(m[1] ?? '');
}

function weekdayOf(dayNum: number): number {
  return (dayNum + 4) % 7; // 1970-01-01 was a Thursday.
}

/**
 * Days since the most recent day-of-month `day` that fell on `weekday` (Japan time), looking back
 * three months: "13日(火)" is the 13th that was a Tuesday, not simply the last 13th.
 */
function daysSinceDayOfMonthOn(now: Date, day: number, weekday: number): number | undefined {
  const today = jstDayNumber(now);
  let { y, m } = jstToday(now);
  for (let back = 0; back < 3; back += 1) {
    const n = dayNumber(y, m, day);
    if (n !== undefined && n <= today && weekdayOf(n) === weekday) return today - n;
    m -= 1;
    if (m === 0) [y, m] = [y - 1, 12];
  }
  return undefined;
}

/** Days since month/day in the most recent year (of two) when it fell on `weekday`. */
function daysSinceMonthDayOn(now: Date, month: number, day: number, weekday: number): number | undefined {
  const today = jstDayNumber(now);
  const { y } = jstToday(now);
  for (const year of [y, y - 1]) {
    const n = dayNumber(year, month, day);
    if (n !== undefined && n <= today && weekdayOf(n) === weekday) return today - n;
  }
  return undefined;
}

function numericCandidates(text: string, now: Date | undefined): Candidate[] {
  const out: Candidate[] = [];
  for (const m of allMatches(DURATION, text)) {
    const [whole, num = '', unit = '', half] = m;
    const before = text.slice(0, m.index);
    const prev = before.slice(-1);
    const tail = text.slice(m.index + whole.length, m.index + whole.length + 14);
    // "3月6日", "3/6日": a calendar date, handled by dateCandidates.
    if (unit === '日' && /[月/]$/.test(prev)) continue;
    // A numeral or a time right before: part of something else ("10:30日" …).
    if (NUMERAL_OR_TIME_END.test(prev)) continue;
    // Future, deadlines, frequency: not elapsed time.
    if (/^(?:後|以内|以降|中|おき|ごと|毎|先|まで|から|分|も早|目安)/.test(tail)) continue;
    if (num === '何' && !/^[かも]/.test(tail)) continue;
    let n: number | undefined;
    if (num === '数' || num === '何') n = vagueAmount(unit);
    else n = parseJaNumber(num);
    if (n === undefined) continue;
    const days = unitDays(unit, n, half !== undefined);
    if (days === undefined || days > 3650) continue;
    let tier: number;
    if (ELAPSED_AFTER.test(tail)) tier = 3;
    else if (APPROX_AFTER.test(tail)) tier = 2;
    else tier = 1;
    if (unit === '時間' && tier < 3) continue; // "24時間営業", "2時間待った"
    if (unit === '日' && /^(?:に|の|\(|付|号)/.test(tail)) {
      // "6日に面接" / "6日の面接" / "13日(火)": the 6th of a month.
      if (now !== undefined) {
        const weekday = weekdayNote(tail);
        const since =
          (weekday === undefined ? undefined : daysSinceDayOfMonthOn(now, n, weekday)) ??
          daysSinceDayOfMonth(now, n);
        if (since !== undefined) out.push({ days: since, tier: 2, index: m.index, date: true });
      }
      continue;
    }
    out.push({ days, tier, index: m.index, date: tier >= 2 });
  }
  return out;
}

function dateCandidates(text: string, now: Date | undefined): Candidate[] {
  if (now === undefined) return [];
  const out: Candidate[] = [];
  for (const m of allMatches(CALENDAR_DATE, text)) {
    const month = parseJaNumber(m[1] ?? '');
    const day = parseJaNumber(m[2] ?? '');
    if (month === undefined || day === undefined) continue;
    if (month < 1 || month > 12 || day < 1 || day > 31) continue;
    // "3/6" without 日 must look like a date, not "2/3回" (excluded above) or a fraction.
    const weekday = weekdayNote(text.slice(m.index + m[0].length));
    const since =
      (weekday === undefined ? undefined : daysSinceMonthDayOn(now, month, day, weekday)) ??
      daysSinceMonthDay(now, month, day);
    if (since !== undefined) out.push({ days: since, tier: 2, index: m.index, date: true });
  }
  return out;
}

/** "先週の金曜", "今週の月曜日", "月曜に" → days since that day, Monday-first weeks (needs now). */
function weekdayCandidates(text: string, now: Date | undefined): Candidate[] {
  if (now === undefined) return [];
  const out: Candidate[] = [];
  const todayIdx = (new Date(now.getTime() + JST_OFFSET_MS).getUTCDay() + 6) % 7;
  for (const m of allMatches(/(先々週|先週|今週)?の?([日月火水木金土])曜/g, text)) {
    const targetIdx = (WEEKDAYS.indexOf(m[2] ?? '') + 6) % 7;
    const week = m[1];
    let days: number;
    if (week === '先々週') days = todayIdx + 14 - targetIdx;
    else if (week === '先週') days = todayIdx + 7 - targetIdx;
    else if (week === '今週') days = todayIdx - targetIdx;
    else days = (todayIdx - targetIdx + 7) % 7 || 7;
    if (days < 0) continue;
    out.push({ days, tier: week === undefined ? 1 : 2, index: m.index, date: true });
  }
  return out;
}

function wordCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const { pattern, words, re, days, tier } of RELATIVE_MATCHERS) {
    if (!words.some((w) => text.includes(w))) continue;
    for (const m of allMatches(re, text)) {
      // 昨日 inside 一昨日 is already covered by the longer pattern.
      if (pattern.startsWith('昨日') && text.slice(Math.max(0, m.index - 1), m.index) === '一') continue;
      if (tier === 0 && PLAN_AFTER.test(text.slice(m.index + m[0].length))) continue;
      out.push({ days, tier, index: m.index, date: tier >= 2 });
    }
  }
  for (const { word, re, days } of KANA_MATCHERS) {
    if (!text.includes(word)) continue;
    for (const m of allMatches(re, text)) {
      if (m[2] !== undefined) out.push({ days, tier: 3, index: m.index, date: true });
      else if (m[1] !== undefined) out.push({ days, tier: 2, index: m.index, date: true });
    }
  }
  return out;
}

/** Days after an earlier point in the text: "13日に面接して、次の日に電話" → the 14th. */
const FOLLOWING_DAY: ReadonlyArray<readonly [RegExp, number]> = [
  [/翌々日|次の次の日/, 2],
  [/次の日|翌日|翌朝|次の朝|明くる日|あくる日/, 1],
  [/その日|同じ日|同日/, 0],
];
const DAYS_LATER = new RegExp(`([${NUM_CHARS}]{1,2})日後(?:に|の)`);
/** "3日後に" counts from an earlier point only when something then happened, not a promise. */
const HAPPENED_AFTER =
  /^[^、。!?\n]{0,12}?(?:着信|電話|連絡|留守電)[^、。!?\n]{0,8}?(?:あり|あっ|来|き(?:て|た|ま)|かかっ|掛かっ|入っ|入り)/;

/** Candidates counted from the nearest earlier point in time ("次の日", "その日", "2日後に着信"). */
function followingCandidates(text: string, points: readonly Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  const anchorBefore = (index: number): Candidate | undefined => {
    let best: Candidate | undefined;
    for (const p of points) if (p.date === true && p.index < index && (best === undefined || p.index > best.index)) best = p;
    return best;
  };
  const add = (index: number, later: number): void => {
    const anchor = anchorBefore(index);
    if (anchor === undefined || anchor.days - later < 0) return;
    out.push({ days: anchor.days - later, tier: anchor.tier, index, date: true });
  };
  for (const [re, later] of FOLLOWING_DAY) {
    for (const m of allMatches(re, text)) {
      // 次の日 inside 次の次の日 is covered by the longer word.
      if (later === 1 && text.slice(Math.max(0, m.index - 3), m.index) === '次の次') continue;
      add(m.index, later);
    }
  }
  for (const m of allMatches(DAYS_LATER, text)) {
    const n = parseJaNumber(m[1] ?? '');
    if (n === undefined || !HAPPENED_AFTER.test(text.slice(m.index + m[0].length))) continue;
    add(m.index, n);
  }
  return out;
}

/** The clause around a position: from the previous to the next 、。!? or line break. */
function clauseAt(text: string, index: number): string {
  const before = text.slice(0, index);
  const start = Math.max(...[...'、。!?\n'].map((c) => before.lastIndexOf(c))) + 1;
  const rest = text.slice(index);
  const end = rest.search(/[、。!?\n]/);
  return text.slice(start, end < 0 ? text.length : index + end);
}

/**
 * The chosen candidate: strongest tier, then one in a clause about the calls
 * ("2週間前に面接、3日前に着信" → 3), then the earliest.
 */
function pick(text: string, candidates: readonly Candidate[]): number | undefined {
  let best: [Candidate, boolean] | undefined;
  for (const c of candidates) {
    const aboutCalls = CALL_CLAUSE.test(clauseAt(text, c.index));
    if (best === undefined) {
      best = [c, aboutCalls];
      continue;
    }
    const [b, bCalls] = best;
    const better =
      c.tier !== b.tier
        ? c.tier > b.tier
        : aboutCalls !== bCalls
          ? aboutCalls
          : c.index < b.index;
    if (better) best = [c, aboutCalls];
  }
  return best?.[0].days;
}

/**
 * Days elapsed mentioned in `text`. With `options.now`, calendar dates ("3月6日", "6日に") are
 * turned into days before `now` (Japan time); without it they are ignored.
 */
export function parseDays(text: string, options?: { now?: Date }): number | undefined {
  const t = normalize(text);
  const now = options?.now;
  const points = [
    ...numericCandidates(t, now),
    ...dateCandidates(t, now),
    ...weekdayCandidates(t, now),
    ...wordCandidates(t),
  ];
  return pick(t, [...points, ...followingCandidates(t, points)]);
}
