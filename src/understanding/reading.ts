/**
 * How a short typed answer is read, whatever the question: one sentence (or clause) at a time; a
 * question, a condition, a guess, a wish or a fear reports nothing; a negation at the end of a
 * sentence says it didn't happen; a clause that declines chooses nothing. Scenarios build their
 * readers from these (scenarios/<id>/words.ts), and a reader counts a message only when it says one
 * thing.
 */
import { normalize, sentences } from './normalize.ts';

/** Longer messages tell a story rather than answer the question; they are not read here. */
export const MAX_LENGTH = 80;

/**
 * A sentence that reports nothing: a question, a worry, a wish or a condition ("落ちたらどうしよう",
 * "連絡がなければ不採用だそうです", "採用されたらどうすればいい？", "受かったら嬉しい"). Read one
 * sentence at a time, so that "不採用でした。電話して良かったのかな" still reports the refusal, and
 * たら/れば count only with a worry or wish ("電話したら、選考が続くことになりました" is a report).
 */
export const ASKING =
  /[?？]|どう(?:しよう|すれば|したら|なる|なり)|どういう|ってこと|って何|ってなに|って必要|の意味|(?:ですか|ますか|でしょうか|のか|だろうか|の|できる|できるんだ|くれる|くれるの)$/;
const CONDITION = /なければ|なかったら|ないと|場合/;
/** Not a question, but not what happened either: a guess, a wish or a fear ("不採用かなと思います", "採用されたい", "どうせ不採用"). */
const SPECULATING =
  /(?<!な)かな[あぁー〜~]*(?:と|って|$)|かも|だろう|でしょう|と思(?:う|い|った|って)|気がする|みたい|っぽい|たぶん|多分|おそらく|恐らく|らしい|はず|ような|夢|言いたい|ところですが|わけない|羨ま|うらやま|たい(?:です|な|なあ)?$|(?:と|たら|ば)いい(?:な|けど|のに|です)|ますように|(?<!お)祈|願って|願う|嬉し|うれし|心配|不安|怖|こわ|困る|嫌だ|いやだ|覚悟|どうせ|なりそう|されそう|落ちそう/;
const IF_CLAUSE = /たら|なら|れば/;
/** A sentence that asks or sets a condition: it reports nothing at all. */
export function tentative(sentence: string): boolean {
  return ASKING.test(sentence) || CONDITION.test(sentence) || (IF_CLAUSE.test(sentence) && SPECULATING.test(sentence));
}
/** A sentence that may say how things stand ("まだ連絡がなくて不安です") but is no news of a result. */
export const speculating = (sentence: string): boolean => SPECULATING.test(sentence);

/** Says it didn't happen: "…進めませんでした", "…じゃなかった" (at the end of the sentence). */
export const NEGATED = /(?:ません|ませんでした|なかった|ない|じゃない|ではない|じゃなかった|ではなかった|ず)(?:です|でした|よ|ね)?$/;

/**
 * Declining the option rather than choosing it, in one clause: "台本はいらない", "リマインドは大丈夫
 * です", "大丈夫です". ("台本だけ見れればいいです" and "リマインドしてもらえるといいです" choose.)
 */
export const DECLINING =
  /(?:オフ|切って|止めて)(?:に)?(?:して)?(?:る|ます|いる|あ)|いらな|いらん|いりません|要らな|不要|必要(?:ない|なし|ありません)|なしで|ないで|結構|より|されても|やっぱ|(?:リマインド|お知らせ|知らせ|台本|手紙|問い合わせ)(?:は|も)?(?:いい|大丈夫|なし)|しないで|しなくて|ほしくな|欲しくな|なくていい|なくても|やめ|しません|(?:は|も)(?:いい|大丈夫)|^(?:大丈夫|いいです)/;

/** The message, normalised, if it is short enough to be an answer. */
export function message(text: string): string | undefined {
  const all = normalize(text);
  return all.length > 0 && all.length <= MAX_LENGTH ? all : undefined;
}

/** Without the punctuation, laughter and symbols people end a line with. */
export const trimEnd = (s: string): string => s.replace(/[\s。、.,!！~…♪w笑\p{Extended_Pictographic}\u{FE0F}]+$/u, '');

/** Quoted words stay one piece: "「不採用です。」と言われたらどうしよう" is one sentence. */
export const unquote = (s: string): string => s.replace(/「[^」]*」/g, (q) => q.replace(/[。!！?？]/g, ''));

/** The sentences of a message that report something (not a question or a condition). */
export function reports(text: string): string[] {
  const all = message(text);
  if (!all) return [];
  return sentences(unquote(all))
    .filter((s) => !tentative(trimEnd(s)))
    .map(trimEnd)
    .filter((s) => s.length > 0);
}

/**
 * The clauses of a message that may choose an option. A question chooses nothing, nor does a
 * message that declines after naming something ("リマインド、結構です", "台本は、大丈夫です"); a
 * refusal that comes first and names nothing declines something else ("大丈夫です、台本ください").
 */
export function choices(text: string, named: (clause: string) => boolean): string[] {
  const all = message(text);
  if (!all || /[?？]/.test(all)) return [];
  const clauses = all
    .split(/[、,。!！\n]|けど|けれど|ので/)
    .map(trimEnd)
    .filter((c) => c.length > 0);
  if (clauses.some((c) => ASKING.test(c))) return [];
  const firstNamed = clauses.findIndex(named);
  if (clauses.some((c, i) => DECLINING.test(c) && (named(c) || (firstNamed >= 0 && i > firstNamed)))) return [];
  return clauses.filter((c) => !DECLINING.test(c));
}

/** The one answer the units of a message give between them, or undefined when none or several. */
export function oneAnswer<T extends string>(units: string[], hitsIn: (unit: string) => T[]): T | undefined {
  const found = new Set(units.flatMap(hitsIn));
  return found.size === 1 ? [...found][0] : undefined;
}

/** The kinds whose test is true. */
export function hits<T extends string>(found: ReadonlyArray<readonly [T, boolean]>): T[] {
  return found.filter(([, hit]) => hit).map(([kind]) => kind);
}

/** The whole message, trimmed, if short enough to be an answer. */
export function whole(text: string): string | undefined {
  const all = message(text);
  return all === undefined ? undefined : trimEnd(all);
}
