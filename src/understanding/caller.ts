/**
 * What the user saw of the caller's number. It decides whether the number itself can be called
 * back: a hidden number (非通知, 公衆電話) cannot, so the way back is the number in the job ad or
 * the employer's site; a toll-free or navigation number (0120, 0800, 0570) usually reaches a call
 * centre rather than the person who called; an unknown but visible number can simply be called.
 *
 * Returns the most constraining kind mentioned (hidden > tollFree > unknown); a mention that is
 * denied right after ("非通知じゃなくて") does not count.
 */
import { allMatches } from './normalize.ts';

export type CallerNumber = 'hidden' | 'tollFree' | 'unknown';

const KINDS: ReadonlyArray<readonly [CallerNumber, RegExp]> = [
  ['hidden', /非通知|番号非表示|非表示(?:の番号|番号|設定)?|通知不可|番号(?:が)?(?:出|表示され)(?:ない|なかった|ず|ません)|公衆電話/],
  ['tollFree', /0120|0800|0570|フリーダイ[ヤア]ル|フリーコール|ナビダイヤル/],
  [
    'unknown',
    /知らない(?:電話)?番号|知らん番号|見知らぬ(?:電話)?番号|見覚えの?ない(?:電話)?番号|知らない電話|登録(?:されて|して)?(?:い)?ない番号|(?:心当たり|覚え)の?ない番号/,
  ],
];

const DENIED_AFTER = /^(?:の番号|番号|から|で)?(?:では|じゃ|ではなく|でなく)(?:なく|ない|なかっ|ありません)?/;

export function findCallerNumber(t: string): CallerNumber | undefined {
  for (const [kind, re] of KINDS) {
    for (const m of allMatches(re, t)) {
      const after = t.slice(m.index + m[0].length, m.index + m[0].length + 12);
      if (DENIED_AFTER.test(after) && !/^(?:の番号|番号|から|で)?(?:では|じゃ)?(?:あり|あっ)/.test(after)) continue;
      return kind;
    }
  }
  return undefined;
}
