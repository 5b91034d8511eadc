/**
 * Small talk: a whole message that only greets, thanks, or asks for something Akari does not do
 * (finding other jobs). Each gets a short answer in persona instead of "couldn't read", and the
 * question that was waiting is asked again. A message that also tells something is no small talk.
 */
import { normalize } from './normalize.ts';

export type SmallTalk = 'greeting' | 'thanks' | 'otherJobs';

const TAIL = /[\s。、.,!！?？~〜ー…♪☺️😊🙏✨w笑]+$/u;
const GREETING = /^(?:こんにちは|こんにちわ|こんばんは|こんばんわ|おはよう(?:ございます)?|はじめまして|初めまして|どうも|やあ|もしもし|ハロー|hello|hi)(?:[、,\s]*(?:あかり(?:さん|ちゃん)?|よろしく(?:お願い(?:します|いたします|しまーす))?))*$/iu;
const THANKS =
  /^(?:(?:わかりました|分かりました|了解です|なるほど|助かります|助かりました|はい)[、,\s]*)?(?:(?:本当に|ほんとに|本当|ほんと|とても|すごく|色々|いろいろ)[、,\s]*)?(?:ありがとう(?:ございます|ございました)?|ありがと|感謝(?:します|しています)|サンキュー|thanks?(?: you)?)(?:[、,。!！\s]*(?:助かります|助かりました|ございます|あかり(?:さん|ちゃん)?|がんばります|頑張ります))*$/iu;
// "他のバイトも探したいです", "別の求人を紹介してほしい": a job search, which Akari cannot do.
const OTHER_JOBS =
  /(?:他|ほか|別|べつ)の(?:バイト|アルバイト|パート|仕事|求人|会社|お店|職場)(?:も|を)?(?:探し|さがし|探す|紹介|見つけ|教え|応募)|(?:求人|バイト|アルバイト|仕事)(?:を|も)?(?:紹介|探して(?:ほしい|ください|くれ)|見つけて)/u;

export function readSmallTalk(text: string): SmallTalk | undefined {
  const t = normalize(text).trim().replace(TAIL, '');
  if (t.length === 0 || t.length > 60) return undefined;
  if (GREETING.test(t)) return 'greeting';
  if (THANKS.test(t)) return 'thanks';
  if (OTHER_JOBS.test(t)) return 'otherJobs';
  return undefined;
}
