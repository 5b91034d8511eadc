/**
 * Yes and no in Japanese, in one place: the short answers a command can be ("はい", "いいえ"), the
 * plain yes a deletion needs, and how a reply to "is this right?" says yes, no or "not sure".
 */
import { normalize } from './normalize.ts';

/** Whole messages that say yes (after polite endings are taken off; see detectCommand). */
export const YES_WORDS: readonly string[] = [
  'はい', 'はーい', 'はいはい', 'うん', 'うんうん', 'ok', 'okay', 'おk', 'オッケー', 'おっけー', 'yes', 'ええ', 'そう', 'そうです', '了解', 'りょうかい', 'わかりました', '分かりました', '承知しました', 'お願いします', 'おねがいします', 'お願い', 'おねがい', 'もちろん', 'いいよ', 'はいお願いします', 'うんお願い', 'よろしくお願いします', 'お願いしたいです',
  '合っています', '合ってます', 'あってます', 'あっています', '正解', 'その通り', 'そのとおり',
];

/** Whole messages that say no. */
export const NO_WORDS: readonly string[] = [
  'いいえ', 'いや', 'いやです', 'やめる', 'やめます', 'やめて', 'やめとく', 'やめておく', 'いらない', 'いらないです', '結構です', 'けっこうです', 'no', 'ノー', '違う', 'ちがう', '違います', 'ちがいます', 'だめ', 'ダメ', 'しない', 'しません', 'いいえ結構です',
  // Declining an offer politely ("今回は大丈夫です"); for a deletion, that keeps the data.
  'いりません', '不要', '今回は不要', '今回はいい', '今回は大丈夫', 'なくて大丈夫', 'なしで',
];

/** A plain yes, enough for "delete everything?" (a casual うん or OK is not). */
const PLAIN_YES = /^(?:はい|はーい|そうです|お願い(?:します)?|はい[、,\s]*お願い(?:します)?)[。!！…]*$/;
/** One sentence that only agrees: "はい", "お願いします" (alongside a typed deletion request). */
export const AGREE_SENTENCE = /^(?:はい|ええ|うん|お願いします|お願いいたします|よろしくお願いします)$/;
/** The yes that may open a sentence: "はい、削除してください". */
export const LEADING_YES = '(?:はい|ええ|うん|お願いします)';

/** A reply that starts by saying the reading was right: "合ってる", "はい、そうです", "👍". */
const AFFIRMED =
  /^(?:(?:あ|えっと)[、,\s]*)?(?:はい|ハイ|はーい|はいっ|うん|ええ|そう|合って|あって|それで合って|それです|間違い(?:ない|ありません|なし)|間違ってな|正解|その(?:通り|とおり)|了解|オッケー|おっけ|おけ|ok|yes|👍|👌|🙆)/iu;
/** "間違いありません", "間違ってないです": yes, though 違 is in them. */
const NOT_WRONG = /間違(?:い(?:ない|ありません|なし)|ってな(?:い|いです))/g;
/** …or wrong: "違います", "合っていません", "そうではありません", "いや、不在でした". */
const DENIED = /違|ちが|いや|いいえ|ううん|(?:合って|あって)(?:い|お)?(?:ない|ません|りません)|そう(?:では|じゃ|でも)(?:ない|ありません)|とは言え|ではな|じゃな/;
/** …or not sure: "そうかも", "はい、一応", "はい、でも出られなかった". */
const HEDGED = /かも|(?<!な)かな(?!り)|一応|ええと|うんと|(?:でも|けど)[^。]*(?:ない|なかった|ません|ませんでした|ず)/;

/** A plain yes ("はい", "お願いします"), the whole message. */
export const saysPlainYes = (text: string): boolean => PLAIN_YES.test(normalize(text));
/** Starts by saying yes, it's right (`said` normalised). */
export const affirms = (said: string): boolean => AFFIRMED.test(said);
/** Says it's wrong (`said` normalised). */
export const denies = (said: string): boolean => DENIED.test(said.replace(NOT_WRONG, ''));
/** Says yes but not quite (`said` normalised). */
export const hedges = (said: string): boolean => HEDGED.test(said);
