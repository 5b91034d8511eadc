/**
 * Whether a message tells a story about something Akari doesn't help with ("履歴書の書き方を教えて",
 * "転職しようか迷っています"): long enough to be a story, a request or a question, and without a word
 * of the moment Akari is for (an application, an interview, the employer's call or mail). Greetings
 * and short replies are no story.
 */
import { normalize } from './normalize.ts';

const JOB_CONTACT =
  /面接|応募|選考|採用|不採用|内定|合否|結果|バイト|アルバイト|パート|正社員|派遣|求人|企業|会社|お店|店長|人事|担当|電話|着信|連絡|折り返|留守電|メール|返事|返信|音沙汰|受か|落ち|職場|勤務|出勤|シフト/;
const GREETING = /^(?:[、,。!！\s]|こんにちは|こんばんは|おはよう(?:ございます)?|はじめまして|初めまして|よろしく(?:お願い(?:します|いたします))?|お願いします|ありがとう(?:ございます)?|あかり(?:さん|ちゃん)?|です|ます)+$/;

/** An opener that asks for a hearing without saying about what: "こんにちは、相談があります". */
const OPENER =
  /^(?:(?:こんにちは|こんばんは|はじめまして|初めまして|すみません|すいません|あの|えっと)[、,。!！\s]*)*(?:ちょっと|少し)?(?:相談|質問|聞きたいこと|お聞きしたいこと|お伺いしたいこと)(?:が|を|に)?(?:あります|あって|あるんです(?:が|けど)?|したい(?:です|んです(?:が|けど)?)?|させてください|乗ってください|いいですか|できますか|してもいいですか)[。!！?？\s]*$/;

export function tellsAnotherStory(text: string): boolean {
  const t = normalize(text).trim();
  return [...t].length >= 12 && !JOB_CONTACT.test(t) && !GREETING.test(t) && !OPENER.test(t);
}
