/**
 * What the employer left besides the missed call: voicemail, SMS, e-mail, or nothing.
 * A mention that is negated ("留守電は入っていなかった") does not count; when everything
 * mentioned is negated, or the text says 何も残っていない / 特になし / 着信だけ, the answer is
 * ['none']. Mentions about what the user might send ("メールで連絡してもいい?") are ignored.
 */
import type { ContactLeft } from './types.ts';
import { allMatches } from './normalize.ts';

type Channel = Exclude<ContactLeft, 'none'>;

const CHANNELS: ReadonlyArray<readonly [Channel, RegExp]> = [
  ['voicemail', /留守番電話|留守電|留守録|留守番メッセージ|伝言|ボイスメール|ボイスメッセージ/],
  ['sms', /sms|ショートメール|ショートメッセージ|ショートメ|cメール|\+メッセージ|プラスメッセージ/],
  ['email', /(?<!ショート|ボイス|c|ショート )(?:e-?)?メール(?!アドレス)|(?<![a-z])e-?mail|gmail/],
];

const NONE =
  /何も(?:残って|入って|来て|きて|届いて|残され|な(?:い|かっ|し)|無)|特に(?:なし|無し|何も|ない|ありません)|着信(?:履歴)?(?:だけ|のみ)|(?:メッセージ|連絡)(?:は|も)?(?:なし|無し|残って(?:い)?な|入って(?:い)?な)/;

const CLAUSE_END = /[。!?\n]|けど|けれど|でも|が、|ですが|ましたが/;
/** A negation near the start of the clause after the keyword. */
const NEGATION = /なし|無し|無かっ|なかっ|ない|ません|おらず/;
/** An affirmative "was left / came" that comes before any negation ("入っていたのに気づかなかった"). */
const AFFIRMATIVE =
  /(?:来|き|届い|入っ|入れ|残っ|残され|残し|あっ|もらっ|頂い|いただい)(?:て(?:い|お)?(?:た|ます|る|まし)|た|ました|ます(?!ん))|あり(?:ました|ます(?!ん))|ありです|あり$/;

function isNegated(clause: string): boolean {
  const neg = NEGATION.exec(clause.slice(0, 16));
  if (neg === null) return false;
  const aff = AFFIRMATIVE.exec(clause);
  return aff === null || aff.index >= neg.index;
}

const USER_ACTION =
  /^(?:で|を|に|でも|の)?(?:お礼|お詫び|謝罪|返信|返事|連絡|問い合わせ|送|折り返)[^、]{0,8}?(?:べき|方が|ほうが|いい|良い|よい|たい|よう|ようか|すれば|しても|てみ|か\?|ますか|でしょうか)/;
const RECEIVED = /来|き(?:て|た|ま)|届|入っ|入れ|残(?:って|され|し)|あり|あっ|もらっ|頂|いただ|受信/;

/**
 * The user's own call came before the mention ("お店に電話したら留守電でした"): that answering
 * machine is the shop's, not a message the employer left.
 */
const USER_CALLED_BEFORE =
  /(?:電話|かけ|掛け|折り返|コール)(?:を)?(?:し|直し|なおし|返し)?(?:て(?:み|も))?(?:たら|たところ|たけど|たけれど|ましたが|ましたら|たが|ても|ると|たのに)[^。!?\n]{0,12}$/;

function clauseAfter(t: string, from: number): string {
  const rest = t.slice(from);
  const end = CLAUSE_END.exec(rest);
  return end === null ? rest : rest.slice(0, end.index);
}

export function findContactLeft(t: string): ContactLeft[] | undefined {
  const lower = t.toLowerCase();
  const positive: Array<[Channel, number]> = [];
  let negatedMention = false;
  for (const [channel, re] of CHANNELS) {
    for (const m of allMatches(re, lower)) {
      const clause = clauseAfter(lower, m.index + m[0].length);
      if (isNegated(clause)) {
        negatedMention = true;
        continue;
      }
      if (USER_ACTION.test(clause) && !RECEIVED.test(clause)) continue;
      if (channel === 'voicemail' && USER_CALLED_BEFORE.test(lower.slice(0, m.index))) continue;
      positive.push([channel, m.index]);
      break;
    }
  }
  if (positive.length > 0) {
    return positive.sort((a, b) => a[1] - b[1]).map(([c]) => c);
  }
  if (negatedMention || NONE.test(lower)) return ['none'];
  return undefined;
}
