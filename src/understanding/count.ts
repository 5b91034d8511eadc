/**
 * How many times the employer called, from free Japanese text.
 *
 * - exact: "3回", "三回", "2件", "一度だけ", "電話が2本"
 * - approximate: "3回くらい", "5回以上", "2、3回", "2~3回" (→ the upper bound)
 * - many: 何度も, 何回も, いくつも, 何件も, 何度か, 数回, 複数回, たくさん … → 3, approx
 * - dozens: 何十回, 数十件 → 10, approx; 十数回 → 15, approx
 * Sentences about interviews and not about calls ("面接は2回ありました") are ignored, and
 * mentions in sentences about calls (着信, 電話, 連絡 …) win over the others.
 * Not counts: "もう一度", "一度も", ordinals ("1回目"), what the user might do ("1回電話してみる"), "6日".
 */
import { NUM_CHARS, allMatches, normalize, parseJaNumber, sentences } from './normalize.ts';

export interface CallCount {
  count: number;
  approx: boolean;
}

const MANY_COUNT = 3;

const CALL_WORDS =
  /着信|電話|連絡|不在|コール|かかって|かかっ|掛かっ|かけて|掛けて|鳴っ|鳴り|履歴|留守電|残って|来て|きて|来てい|きてい/;
const INTERVIEW_WORDS = /面接|選考|説明会/;

/** Many, without a number. Those marked `callOnly` need a sentence about calls. */
const MANY: ReadonlyArray<readonly [RegExp, boolean]> = [
  [/何度も|何回も|いくつも|幾つも|何件も|何本も|何度となく|何回となく|何度か|何回か|何件か|数回|数件|数度|複数回/, false],
  [/たくさん|沢山|いっぱい|複数|頻繁|しょっちゅう|鬼電|立て続け/, true],
];

const APPROX_AFTER = /^(?:くらい|ぐらい|位|ほど|程度|程|近く|以上|ちょっと|ちょい|前後|余り|あまり|強|弱)/;
const APPROX_BEFORE = /(?:約|およそ|大体|だいたい|たぶん|多分|確か|たしか)$/;
/** What the user might do next, not what happened: "1回電話してみる", "もう一度かける". */
const USER_ACTION_AFTER =
  /^(?:だけ|は)?(?:電話|連絡|折り返し)(?:する|しよう|した方|したほう|しても|すれば|すべき|してみ|しま|したい)|^(?:だけ|は)?(?:かけ|掛け)(?:る|よう|た方|たほう|ても|れば|てみ|直)|^(?:折り返)(?:す|そう|した方|しても)/;

interface Candidate extends CallCount {
  score: number;
  index: number;
}

function sentenceScore(sentence: string): number {
  if (CALL_WORDS.test(sentence)) return 2;
  if (INTERVIEW_WORDS.test(sentence)) return 0;
  return 1;
}

const NUM = `[${NUM_CHARS}]{1,4}`;
const COUNT_RANGE = new RegExp(`(${NUM})(?:[、,・~-]|から)(${NUM})(回|度|件|本)`);
const COUNT_SINGLE = new RegExp(`(${NUM})(回|度|件|本)(?!目)`);

function candidatesIn(sentence: string, base: number, score: number): Candidate[] {
  const out: Candidate[] = [];
  // Ranges first: "2、3回", "2~3回", "二、三回", "2から3回".
  const ranges = allMatches(COUNT_RANGE, sentence);
  const covered: Array<[number, number]> = [];
  for (const m of ranges) {
    const hi = parseJaNumber(m[2] ?? '');
    if (hi === undefined || hi === 0 || hi > 99) continue;
    if (m[3] === '本' && score < 2) continue;
    out.push({ count: hi, approx: true, score, index: base + m.index });
    covered.push([m.index, m.index + m[0].length]);
  }
  const singles = allMatches(COUNT_SINGLE, sentence);
  for (const m of singles) {
    if (covered.some(([s, e]) => m.index >= s && m.index < e)) continue;
    const before = sentence.slice(0, m.index);
    const after = sentence.slice(m.index + m[0].length);
    const n = parseJaNumber(m[1] ?? '');
    if (n === undefined || n === 0 || n > 99) continue;
    if (m[2] === '本' && score < 2) continue;
    if (/[0-9.]$/.test(before)) continue;
    // "何十回", "数十件": dozens, not exactly ten.
    if (/[何数]$/.test(before)) {
      out.push({ count: n, approx: true, score, index: base + m.index - 1 });
      continue;
    }
    if (m[2] === '度') {
      if (/(?:もう|今|いま)$/.test(before)) continue; // もう一度, 今一度
      if (/^(?:も|に|は|きり)/.test(after)) continue; // 一度も, 一度に, 一度は
    }
    if (/(?:もう|あと)$/.test(before)) continue; // もう1回, あと1回
    if (USER_ACTION_AFTER.test(after)) continue;
    const approx = APPROX_AFTER.test(after) || APPROX_BEFORE.test(before);
    out.push({ count: n, approx, score, index: base + m.index });
  }
  // "十数回": between ten and twenty; not the "数回" (a few) inside it.
  const teens = /十数(?:回|件|度|本)/.exec(sentence);
  if (teens !== null) out.push({ count: 15, approx: true, score, index: base + teens.index });
  for (const [re, callOnly] of MANY) {
    if (callOnly && score < 2) continue;
    const m = re.exec(sentence);
    if (m !== null && !(teens !== null && m.index === teens.index + 1)) {
      out.push({ count: MANY_COUNT, approx: true, score, index: base + m.index });
    }
  }
  return out;
}

export function parseCount(text: string): CallCount | undefined {
  const t = normalize(text);
  const all: Candidate[] = [];
  let base = 0;
  for (const s of sentences(t)) {
    const at = t.indexOf(s, base);
    const offset = at >= 0 ? at : base;
    const score = sentenceScore(s);
    if (score > 0) all.push(...candidatesIn(s, offset, score));
    base = offset + s.length;
  }
  let best: Candidate | undefined;
  for (const c of all) {
    if (best === undefined || c.score > best.score || (c.score === best.score && c.index < best.index)) {
      best = c;
    }
  }
  return best === undefined ? undefined : { count: best.count, approx: best.approx };
}
