/**
 * The waiting scenario's own words: a story of a promised contact that hasn't come, how long ago
 * the interview was, what was promised, and the options of its steps in words.
 */
import type { StageWords } from '../../../understanding/commands.ts';
import { parseDays } from '../../../understanding/days.ts';
import { normalize } from '../../../understanding/normalize.ts';
import { choices, hits, oneAnswer } from '../../../understanding/reading.ts';
import { parseWaitDays } from '../../kit/questions.ts';

/** Nothing has come yet: "連絡が来ない", "まだ返事がない", "音沙汰なし", "結果待ち". */
const NOT_YET =
  /(?:連絡|電話|返事|返信|結果|お返事|ご連絡|音沙汰)(?:が|は|も)?(?:まだ|いまだに|未だに|全然|なかなか|一向に|一度も)?(?:来|き|こ)(?:ない|なく|ません|ていない|ていなく|てない|てなく|ていません|てこない|ず)|(?:連絡|返事|返信|音沙汰|結果)(?:が|は|も)?(?:まだ)?(?:ない|なし|無い|ありません|出ない|出ていない)|音沙汰|連絡待ち|結果待ち|(?:連絡|返事|結果)を待って/;
/** A contact promised by a time: "1週間以内に連絡すると言われた", "今週中にご連絡しますとのこと". */
const PROMISE =
  /(?:以内|までに|中に|のうち|ほどで|くらいで|ぐらいで|程度で|後に|頃に|ごろに|数日)[^。]{0,8}?(?:連絡|電話|結果|返事|お返事|ご連絡)|(?:連絡|結果|返事)[^。]{0,6}?(?:以内|までに|ほどで|くらいで|後)/;
const NOT_TOLD = /(?:言われて(?:い)?(?:ない|ません)|聞いて(?:い)?(?:ない|ません)|特に(?:何も|なし|ない)|(?:いつ|期限)[^。]{0,8}(?:わから|聞いて|言われて))/;

/** The clauses of a message ("先週面接して" / "1週間以内に連絡すると言われたのに" / "まだ来ません"). */
const clauses = (text: string): string[] =>
  normalize(text)
    .split(/[、,。!！?？\n]|のに|けど|けれど|ですが|ましたが/)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);

/** The first message tells of waiting for a promised contact (and says nothing of a missed call: that scenario is asked first). */
export const claimsWaiting = (text: string): boolean => NOT_YET.test(normalize(text)) || PROMISE.test(normalize(text));

/** Said later, the call never came: "実は電話はまだ来ていなくて…", "着信はなかったんです". */
const WAITING_AFTER_ALL =
  /(?:実は|じつは|そもそも)[^。]{0,15}(?:電話|着信|連絡)(?:は|も|が)?(?:まだ|一度も|全然)?(?:来|き)(?:て)?(?:い)?(?:ない|なく|ません|なかった)|着信(?:は|も)(?:なかった|ありません|ありませんでした|来ていない)|電話を(?:逃した|取り逃した)(?:わけ|の)(?:では|じゃ)|連絡待ちの(?:相談|方)/;
export const switchesToWaiting = (text: string): boolean => WAITING_AFTER_ALL.test(normalize(text));

/** Days the employer said it would take (0 = nothing was said), from the clause that promises it. */
export function readPromisedDays(text: string, now: Date): number | undefined {
  const promise = clauses(text).find((c) => PROMISE.test(c));
  if (promise) return /数日/.test(promise) ? 3 : parseWaitDays(promise, now);
  return clauses(text).some((c) => NOT_TOLD.test(c) && /連絡|いつ|期限|結果/.test(c)) ? 0 : undefined;
}

/** Days since the interview, from a story that names it ("先週面接して", "面接から10日"), not from the promise. */
export function readInterviewDays(text: string): number | undefined {
  // "…1週間以内に電話しますと言われて今日でちょうど1週間です": the promise ends where the elapsed time begins.
  const split = text.replace(/((?:と|って)言われ(?:て(?:から)?|、))/gu, '$1。');
  const told = clauses(split).filter((c) => !PROMISE.test(c) && parseDays(c) !== undefined);
  // The interview named, or time said to have passed ("もう5日経ちました", "今日でちょうど1週間").
  const about = told.find((c) => /面接/.test(c)) ?? told.find((c) => ELAPSED.test(c));
  return about === undefined ? undefined : parseDays(about);
}
const ELAPSED = /経(?:ち|っ|過)|たっ|たち|過ぎ|今日で|になります/;

/** Typed as the answer to "how long ago was the interview?": any way of saying days. */
export const readDaysAnswer = (text: string): number | undefined => parseDays(normalize(text));
/** Typed as the answer to "what did they say?": a deadline, or that nothing was said. */
export const readPromiseAnswer = (text: string, now: Date): number | undefined =>
  NOT_TOLD.test(normalize(text)) ? 0 : /数日/.test(text) ? 3 : parseWaitDays(text, now);

const REMIND = /知らせ|教えて|リマインド|声(?:を)?かけ|通知して/;
const MEANWHILE = /(?:待つ|待って(?:いる)?|それまで)(?:あいだ|間|うち)|できること|何をすれば|何すれば/;
const INQUIRE = /問い?合わ?せ|(?:電話|メール)(?:を)?(?:する|します|したい|してみ|の文面|の台本|を書)|文面|台本/;
/** The verdict's options in words: a reminder, what to do meanwhile, or the inquiry itself. */
export function readWaitChoice(text: string): 'remind' | 'meanwhile' | 'inquire' | undefined {
  return oneAnswer(choices(text, (c) => REMIND.test(c) || MEANWHILE.test(c) || INQUIRE.test(c)), (clause) =>
    hits([
      ['remind', REMIND.test(clause) && !MEANWHILE.test(clause)],
      ['meanwhile', MEANWHILE.test(clause)],
      ['inquire', !REMIND.test(clause) && !MEANWHILE.test(clause) && INQUIRE.test(clause)],
    ] as const),
  );
}

const ASKED = /(?:(?:問い?合わ?せ|電話|メール)(?:を)?(?:し|送り|送っ|かけ)|問い?合わ?せ)(?:ました|た|てみました|ておきました)$/;
/** After the script: "問い合わせました", "メールを送りました". */
export const saysInquired = (text: string): boolean => clauses(text).some((c) => ASKED.test(c.replace(/[。!！…]+$/, '')));

/**
 * Its stage's name, typed: only words no step of another scenario takes as an answer ("連絡待ちです"
 * answers how a call went, "問い合わせ" picks the missed-call inquiry).
 */
export const WAITING_STAGE_WORDS: StageWords = [['contactWait', ['連絡待ちの相談', '連絡待ちについて相談']]];
