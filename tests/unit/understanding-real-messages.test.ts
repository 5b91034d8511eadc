/**
 * First messages as job seekers write them (long, relative dates, no taps), read into facts.
 * `now` is Tuesday 2026-12-08 12:00 in Japan. Each row lists only the facts it is about: other
 * fields may be present, the listed ones must match exactly, and `absent` names fields that must
 * not be read from the message.
 */
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/understanding/index.ts';
import type { Facts } from '../../src/understanding/types.ts';

const NOW = new Date('2026-12-08T03:00:00Z');

interface Row {
  text: string;
  facts: Partial<Facts>;
  absent?: ReadonlyArray<keyof Facts>;
}

const ROWS: readonly Row[] = [
  // Dates with the weekday written after them: the day that fell on that weekday.
  { text: '1日(火)に面接を受けて、次の日に電話がありました。もう遅いですか？', facts: { daysElapsed: 6, asksTooLate: true } },
  { text: '12月1日（火）に面接、翌日に不在着信が2件ありました', facts: { daysElapsed: 6, callCount: 2 } },
  { text: '12/3(木)に着信がありました', facts: { daysElapsed: 5 } },
  { text: '11月28日(土)に面接でした', facts: { daysElapsed: 10 } },
  { text: '5日(土)に面接を受けました', facts: { daysElapsed: 3 } },
  // "The next day", "that day", "two days later" count from the date before them.
  { text: '先週の金曜に面接して、翌日に知らない番号から着信がありました', facts: { daysElapsed: 3, callerNumber: 'unknown' } },
  { text: '3日前に面接して、その2日後に着信がありました', facts: { daysElapsed: 1 } },
  { text: '12月2日に面接して、その日の夕方に電話が来てました', facts: { daysElapsed: 6 } },
  { text: '12月1日に面接、翌々日にお店から電話がありました', facts: { daysElapsed: 5, employerKind: 'shop' } },
  // A promise is not something that happened.
  { text: '5日(土)に面接して、3日後に連絡すると言われました', facts: { daysElapsed: 3 } },
  { text: '次の日に電話します', facts: {}, absent: ['daysElapsed'] },
  // Relative words and times of day.
  { text: '昨日の夜に着信が何十回もありました', facts: { daysElapsed: 1, callCount: 10, callCountIsApprox: true } },
  { text: '今日の18時半に電話がかかってきてたみたいです', facts: { daysElapsed: 0 } },
  { text: 'おとといの夕方、非通知で3回着信がありました', facts: { daysElapsed: 2, callCount: 3, callerNumber: 'hidden' } },
  { text: '6日前に面接したバイト先から電話があったのに、スマホを修理に出していて出られませんでした', facts: { daysElapsed: 6, reasons: ['phoneRepair'], jobKind: 'partTime' } },
  // How many calls.
  { text: '数十件の不在着信が入っていて焦っています', facts: { callCount: 10, callCountIsApprox: true } },
  { text: '十数回かかってきてたみたいです', facts: { callCount: 15, callCountIsApprox: true } },
  { text: '数回着信がありました', facts: { callCount: 3, callCountIsApprox: true } },
  // The caller's number: hidden, toll-free, or unknown but visible.
  { text: '非通知の着信が3回ありました', facts: { callerNumber: 'hidden' } },
  { text: '番号が表示されない電話が何度かありました', facts: { callerNumber: 'hidden' } },
  { text: '公衆電話から着信がありました', facts: { callerNumber: 'hidden' }, absent: ['employerName'] },
  { text: '0800から始まる番号から着信があって、調べたら面接した会社でした', facts: { callerNumber: 'tollFree' } },
  { text: '0120の番号から何度も電話がありました', facts: { callerNumber: 'tollFree', callCount: 3 } },
  { text: 'フリーダイヤルから着信がありました', facts: { callerNumber: 'tollFree' }, absent: ['employerName'] },
  { text: '知らない番号から電話があって出られませんでした', facts: { callerNumber: 'unknown' } },
  { text: '非通知じゃなくて、登録していない番号でした', facts: { callerNumber: 'unknown' } },
  { text: '面接した会社から電話がありました', facts: {}, absent: ['callerNumber'] },
  // A shop's own answering machine is not a message the employer left.
  { text: 'お店に電話したら留守電でした', facts: {}, absent: ['contactLeft'] },
  { text: '折り返し電話をしたけど留守番電話につながりました', facts: {}, absent: ['contactLeft'] },
  { text: 'かけ直してみたら留守電に切り替わりました', facts: {}, absent: ['contactLeft'] },
  { text: '着信が3回あって、留守電も入ってました', facts: { contactLeft: ['voicemail'], callCount: 3 } },
  { text: '電話に出られなかったけど留守電が入ってた', facts: { contactLeft: ['voicemail'] } },
  { text: '留守電には何も残っていませんでした', facts: { contactLeft: ['none'] } },
  // The question they ask.
  { text: '面接から1週間たってしまいました。もう遅いですか？', facts: { daysElapsed: 7, asksTooLate: true } },
  { text: '今さら折り返しても失礼じゃないでしょうか', facts: { asksTooLate: true } },
];

describe('real first messages', () => {
  it.each(ROWS)('$text', ({ text, facts, absent }) => {
    const got = extractFacts(text, { now: NOW });
    expect(got).toMatchObject(facts);
    for (const key of absent ?? []) expect(got[key], key).toBeUndefined();
  });
});
