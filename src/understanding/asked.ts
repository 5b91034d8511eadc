/**
 * Questions a user asks in their own words, whatever step they are at: "いつ電話すればいいですか？",
 * "何時ごろかければいい？". The conversation answers them instead of reading them as an answer.
 */
import { normalize } from './normalize.ts';

const WHEN_TO_CALL =
  /(?:いつ|何時|なんじ|何曜日?|どの時間|どのタイミング|何日)(?:ごろ|頃|くらい|ぐらい)?(?:に)?(?:電話|かけ|掛け|連絡|折り返)|(?:電話|かけ|掛け|折り返)(?:る|す|直す)?(?:の)?(?:は)?(?:いつ|何時)|(?:電話|かけ|掛け|折り返)(?:する|る|す)?(?:時間|時間帯|タイミング)(?:は|って)?(?:いつ|何時|どう|どれ|おすすめ|教え)/u;

/** Whether the message asks when to call (a question, not a report: "いつ電話したか忘れた" is none). */
export function asksWhenToCall(text: string): boolean {
  const t = normalize(text);
  if (!WHEN_TO_CALL.test(t)) return false;
  return /[?？]|(?:ですか|ますか|でしょうか|いい|良い|よい|かな|べき|教えて|知りたい)[。!！]*$/u.test(t.trim());
}
