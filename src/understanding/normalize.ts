/**
 * Text normalisation and small helpers shared by the understanding functions.
 * Everything here is pure: no module-level mutable state (regular expressions
 * with the `g` flag are created inside functions, never shared).
 */

/**
 * Normalise user text before any matching:
 * - NFKC: full-width digits/letters/punctuation → ASCII, half-width katakana → full-width,
 *   ideographic space → ' ', ㈱ → (株), ① → 1 …
 * - every wave dash / tilde variant (〜 ～ ~ ∼ 〰) → '~'
 * - dash variants (‐ ‑ ‒ – — ― −) → '-' (the katakana long vowel ー is left alone)
 * - CR/LF → '\n' (kept: a line break ends a sentence), other whitespace runs → one space;
 *   trimmed.
 */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[〜～~∼〰]/g, '~')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim();
}

/** Characters that can form a number: ASCII digits and kanji numerals up to 百. */
export const NUM_CHARS = '0-9〇零一二三四五六七八九十百';

const KANJI_DIGIT: Readonly<Record<string, number>> = Object.freeze({
  '〇': 0, '零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
});

function digitValue(ch: string): number | undefined {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  return KANJI_DIGIT[ch];
}

/**
 * Parse an ASCII or kanji numeral: "6", "六", "十", "十五", "二十", "二〇", "百二".
 * A trailing 数 after 十 ("十数") counts as +5 ("十数" → 15).
 * A string of only 〇 is a placeholder ("〇〇店"), not zero, and gives undefined.
 */
export function parseJaNumber(s: string): number | undefined {
  if (s.length === 0) return undefined;
  if (/^[0-9]+$/.test(s)) return Number(s);
  if (/^[〇零]+$/.test(s)) return undefined;
  let body = s;
  let extra = 0;
  if (body.endsWith('数') && body.length > 1) {
    extra = 5;
    body = body.slice(0, -1);
  }
  let total = 0;
  let current: number | undefined;
  for (const ch of body) {
    if (ch === '十' || ch === '百') {
      total += (current ?? 1) * (ch === '十' ? 10 : 100);
      current = undefined;
      continue;
    }
    const d = digitValue(ch);
    if (d === undefined) return undefined;
    current = (current ?? 0) * 10 + d;
  }
  return total + (current ?? 0) + extra;
}

/** All matches of `re` in `text`, using a fresh global copy of the expression. */
export function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const flags = re.flags.includes('g') ? re.flags : `${re.flags}g`;
  const out: RegExpExecArray[] = [];
  const copy = new RegExp(re.source, flags);
  for (let m = copy.exec(text); m !== null; m = copy.exec(text)) {
    out.push(m);
    if (m[0].length === 0) copy.lastIndex += 1;
  }
  return out;
}

/** Split into sentences on 。!? and new lines (already-normalised text). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[。!?])|\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function isHiragana(ch: string | undefined): boolean {
  return ch !== undefined && /^[ぁ-ゖ]$/.test(ch);
}
