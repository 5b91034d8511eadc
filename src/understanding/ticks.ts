/**
 * A checklist item reported done in words: "HPを見直しました", "求人情報は読みました",
 * "全部確認しました". The report must say it is done (a past or completed verb); an item counts when
 * a word of its label or text is in the message. Plans and questions ("HPを見たほうがいい？") tick nothing.
 */
import { normalize } from './normalize.ts';

const DONE = /(?:ました|ました。|した|済み|済んだ|すみ|終わった|終わりました|終えた|できた|できました|見た|読んだ|確認した|やった|OK|ok|オッケー)[。!！\s]*$/u;
const ALL = /全部|ぜんぶ|すべて|全て|一通り|ひととおり/u;
const NOT_DONE = /[?？]|まだ|してない|していない|してません|できてない|できていない|ほうがいい|方がいい|予定|つもり|これから/u;

/** Words of an item that a report would use: "HPを見直す" → HP, 見直; "理念・方針" → 理念, 方針. */
function wordsOf(item: { label: string; text: string }): string[] {
  return `${item.label}・${item.text}`
    .split(/[をのや・、\s（）()]+|する$|す$|読む|確認|見直す|思い出す|を/u)
    .map((w) => w.replace(/(?:する|す|む|る)$/u, ''))
    .filter((w) => [...w].length >= 2 && !/^(?:応募先|お店|ページ|こと)$/u.test(w));
}

export function readTypedTicks(text: string, items: ReadonlyArray<{ id: string; label: string; text: string }>): string[] {
  const t = normalize(text).trim();
  if (!DONE.test(t) || NOT_DONE.test(t)) return [];
  if (ALL.test(t)) return items.map((i) => i.id);
  return items.filter((i) => wordsOf(i).some((w) => t.includes(w))).map((i) => i.id);
}
