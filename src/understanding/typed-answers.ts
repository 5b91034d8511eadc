/**
 * Typed answers to the kit's own questions: a typed confirmation of "delete everything?", and what
 * is no new value for a detail being edited. (A scenario's readers live in its folder.)
 */
import { sentences } from './normalize.ts';
import { message, trimEnd, whole } from './reading.ts';
import { AGREE_SENTENCE, LEADING_YES } from './yes-no.ts';

/** What may be named as deleted: "全部", "データを", "個人情報を", "アカウントを"… */
const DELETE_WHAT = '(?:(?:全部|すべて|全て|私の|わたしの)?の?(?:全データ|データ|個人情報|情報|記録|アカウント|登録内容|会話)?(?:の|を|も|は)?(?:全部|すべて|全て)?)';
/** The verb, in a request form with nothing after it that could turn it around. */
const DELETE_VERB =
  '(?:(?:削除|消去)(?:する|します|しちゃって|して(?:ください|下さい|ほしい(?:です)?|おいてください|いいです|もいいです|大丈夫です|構いません|かまいません)?|したい(?:です)?|希望(?:です)?|で(?:お願いします|お願いいたします|いいです|大丈夫です)?|を?お願い(?:します|いたします))?|消(?:す|します|して(?:ください|下さい|ほしい(?:です)?|いいです|もいいです|大丈夫です|構いません)?|したい(?:です)?)|退会(?:する|します|したい(?:です)?|で)?)';
/**
 * The answers to "delete everything?" that mean yes: each sentence an optional はい, optionally what,
 * and the verb in a request form, or just はい / お願いします. Whatever else ("削除しません",
 * "削除は大丈夫です", "削除したらどうなりますか") is no yes, and the data stays.
 */
const DELETE_SENTENCE = new RegExp(`^(?:${LEADING_YES}[、,\\s]*)?${DELETE_WHAT}${DELETE_VERB}(?:です)?$`);

/** Asked "delete everything?", whether a typed answer says yes (see DELETE_SENTENCE). */
export function confirmsDeletion(text: string): boolean {
  const all = message(text);
  if (!all) return false;
  const parts = sentences(all).map(trimEnd).filter((p) => p.length > 0);
  return parts.some((p) => DELETE_SENTENCE.test(p)) && parts.every((p) => DELETE_SENTENCE.test(p) || AGREE_SENTENCE.test(p));
}

/**
 * Asked for the new value of a detail, a message that is no value: calling it off ("キャンセル",
 * "佐藤健のままで", "やっぱりいいです"), not knowing ("聞き忘れた"), refusing ("秘密"), hesitating
 * ("うーん、ない"), a question, or only an emoji. Whole phrases only, so that "あやめ", "ミスタードーナツ"
 * or "ミスが少ない" stay values.
 */
const NO_VALUE_PHRASE = new RegExp(
  '^(?:(?:あ|あっ)[、,\\s]+|(?:えっと|すみません|すいません|ごめん(?:なさい)?|やっぱ(?:り)?|ちょっと|まあ)[、,\\s]*)?(?:' +
    [
      // Fillers that come with a cancel: "あ、大丈夫です", "すみません、間違えて押しました".
      'あ', 'あっ', 'えっと', 'すみません', 'すいません', 'ごめん', 'ごめんなさい', 'やっぱ(?:り)?',
      'キャンセル', 'やっぱ(?:り)?(?:いい|いいや|大丈夫|なし|いいです|やめ(?:ます|る|とく|ときます|ておく)?)?', '.*のまま', 'そのまま', 'このまま', '今の(?:で|まま)',
      '元に戻して', '戻して', '戻ります', '戻る', '取り?消し', 'やめ(?:ます|る|とく|ときます|ておく|ておきます)?', '(?:押し)?間違え(?:て押しました|ました|た|です)?', '(?:押し)?間違い',
      'まちがえ(?:ました|た)', 'ミス(?:った|りました)', 'なんでもない', '何でもない',
      '(?:ちょっと)?待って', 'あとで', '後で(?:やります|する|します|にします)?', 'また今度', 'どういうこと',
      '(?:お?名前|会社名|名字|苗字)(?:が|は)?(?:わ|分)か(?:らない|らないです|りません)', '(?:昨日|さっき|前)と同じ', '変更(?:しない|しません|なし|不要)', '変え(?:ない|ません|なくていい)', '直さなくていい', '修正不要',
      '大丈夫', '結構', 'いい', 'いいや', 'もういい', 'ok', 'うそ(?:うそ)?', '嘘', '冗談', 'うーん', 'うーむ', 'えっと', 'えーと', 'なんだっけ', '同じ',
      'さっきと同じ', '(?:さっき|前に|昨日)言った.*', '聞いて(?:い)?(?:ない|ません)', '聞きませんでした', '(?:聞きそびれ|聞き忘れ|忘れ)(?:ました|た|ちゃった|ちゃいました)',
      '名乗(?:らなかった|りませんでした|って(?:い)?なかった)', '(?:わ|分)か(?:らない|らん|らないです|らなかった|らなかったです|りません|りませんでした)', '(?:しら|知ら)(?:ない|ん)', '知りません',
      '覚えて(?:い)?(?:ない|ません)', 'なんて名前だっけ', 'あとで考え(?:ます|る)', 'まだ考え中', '(?:と|飛)ばします', '思いつ(?:かない|きません)', '自信(?:が)?ない', 'なんだろう',
      '言えない', '言えません', '言いたくない', '教えない', '教えません', '.*(?:秘密|ナイショ|内緒)', '匿名', '特に(?:ない|なし|いない|ありません)(?:かな)?', 'ない', '無い', 'なし', 'ありません', 'いない', 'いません',
    ].join('|') +
    ')(?:です|で|でお願いします|にして(?:ください)?|でok|で大丈夫|でいい(?:です)?|いい(?:です)?|ね|よ)?$',
);
const VALUE_PREFIX = /^(?:お?名前|なまえ|担当(?:の方|者)?|会社名?|応募先|お店|強み)(?:は|も)/;
export function isNoNewValue(text: string): boolean {
  const all = whole(text);
  if (all === undefined) return false;
  if (/[?？]/.test(text) || /^[\p{Extended_Pictographic}\u{FE0F}\s]*$/u.test(all)) return true;
  // Every part of it is no value: "うーん、ない", "やっぱり、そのままで".
  const parts = all
    .toLowerCase()
    .split(/[、,。!！…\s]+/)
    .map((p) => p.replace(VALUE_PREFIX, ''))
    .filter((p) => p.length > 0);
  return parts.length > 0 && parts.every((p) => NO_VALUE_PHRASE.test(p));
}
