/**
 * Answers typed instead of tapped, at the steps where Akari offers options: when to call, how the
 * call is going and how it went, the thank-you, and whether the employer has been in touch. People
 * answer in their own words as often as they tap, and LINE shows the option buttons only in its
 * iOS and Android apps, so "不採用でした" or "まだ来ていません" must count.
 *
 * A message counts only when it says one thing: a reply that fits two answers ("連絡を待つことに
 * なったけど、たぶん不採用") is left unread, and the question is asked again with its options.
 */
import { normalize } from './normalize.ts';

/** After the call: the four answers of the outcome question. */
export type CallOutcome = 'continuing' | 'waiting' | 'rejected' | 'unreached';
/** While waiting: heard back (the selection goes on), turned down, or nothing yet. */
export type WaitingNews = 'continuing' | 'rejected' | 'none';
/** During the call script: done, the person was out, nobody answered, or trying again later. */
export type CallBranch = 'finished' | 'absent' | 'noAnswer' | 'retry';
/** At the call-time advice: remind me then, show the script, or I'll give the opening hours. */
export type TimingChoice = 'remind' | 'script' | 'hours';
/** Offered the inquiry after a long wait: see its wording, or wait a little longer. */
export type WaitingChoice = 'inquiry' | 'wait';
/** With the thank-you mail on screen: it has been sent, or the letter is wanted too. */
export type ThanksStep = 'sent' | 'letter';

/** Longer messages tell a story rather than answer the question; they are not read here. */
const MAX_LENGTH = 80;

/**
 * Not a report of what happened: a question, a worry or a condition ("落ちたらどうしよう", "連絡が
 * なければ不採用だそうです", "採用されたらどうすればいい？"). たら/なら also start a past clause
 * ("電話したら、選考が続くことになりました"), so they count only when the message doesn't end in
 * the past tense.
 */
const ASKING = /[?？]|どう(?:しよう|すれば|したら|なる|なり)|ですか|ますか|でしょうか|かな|かも|だろう|(?:^|[^な])のか/;
const CONDITION = /なければ|なかったら|ないと|場合|次第/;
const IF_CLAUSE = /たら|なら|れば/;
const PAST_END = /(?:た|ました|でした|だった|ましたよ|でしたよ|たよ|てた|てました)$/;
function tentative(core: string): boolean {
  return ASKING.test(core) || CONDITION.test(core) || (IF_CLAUSE.test(core) && !PAST_END.test(core));
}

/** Says it didn't happen: "…進めませんでした", "…じゃなかった". */
const NEGATED = /(?:ません|ませんでした|なかった|ない|じゃない|ではない|じゃなかった|ではなかった|ず)(?:です|でした|よ|ね)?$/;

/** Declining the option rather than choosing it: "台本はいらない", "リマインドは大丈夫です". */
const DECLINING = /いらな|いりません|要らな|不要|大丈夫|結構|しないで|しなくて|ほしくな|欲しくな|なくていい|なくても|やめ|しません|しない|いいです/;

/** Turned down, said with a negative ("採用されませんでした", "次に進めなかった"): the negative is the news. */
const REJECTED_AS_NEGATIVE =
  /採用(?:され)?(?:なかった|ませんでした|されず)|(?:ご)?縁が(?:なかった|ありませんでした)|(?:進め|受から|通ら)(?:なかった|ませんでした)|(?:ダメ|だめ|駄目)(?:だった|でした)/;
/** Turned down. */
const REJECTED_WORDS =
  /不採用|不合格|落ち(?:た|ました|てた|てました|ちゃった)|落とされ|見送(?:り|られ)|お祈り|残念ながら|(?:他|ほか)の(?:方|人)に決ま|(?:もう|既に|すでに)(?:決まって|埋まって)|募集(?:を)?(?:終了|締め切)/;
function rejectedIn(core: string): boolean {
  return REJECTED_AS_NEGATIVE.test(core) || (REJECTED_WORDS.test(core) && !NEGATED.test(core));
}

/** The selection goes on: an offer, a next interview, a start date. */
const CONTINUING =
  /選考(?:が|を|に|は)?(?:続|進)|次の(?:面接|選考)|[二2]次(?:面接|選考)|最終面接|面接(?:に|へ)進|内定|(?<!不)採用(?:され(?:た|ました)|が決ま|になりました|になった|です|でした|!)|(?<!不)合格(?:した|しました|です|でした|!)|受かった|受かりました|(?:勤務|出勤|働く|入社)(?:日|開始)?が決ま|(?:初出勤|研修)(?:の日)?が決ま|面接(?:の)?(?:日程|日時|日)が決ま|(?:出勤|勤務|入社)(?:です|します|することに)|働(?:く|ける)ことにな|来てください/;
function continuingIn(core: string): boolean {
  return CONTINUING.test(core) && !NEGATED.test(core);
}

/** Told to wait: the result or a call comes later. */
const WAITING =
  /(?:連絡|結果|返事|お返事|折り返し)(?:を|は)?(?:待つ|待ち|待って)|待つことに|結果は(?:後日|また|追って|あとで|後で|まだ)|後日(?:ご)?連絡|(?:連絡|電話)(?:を)?(?:くれる|くださる|いただける|します|する)(?:と|って)|検討(?:中|して|します)/;

/** The call didn't reach the person. */
const UNREACHED =
  /(?:つな|繋)がらな|(?:誰も|だれも|担当(?:の方|者)?(?:が|は)?)(?:出な|出ませ|いな|いませ|不在)|(?:電話|相手)(?:に|が|は)?出(?:な|ませ)|出てもらえな|留守(?:電|番)|不在|話せな(?:かった)|話し中|通話中|圏外/;

/** The person asked for was not there. */
const ABSENT =
  /担当(?:の方|者|の人)?(?:が|は)?(?:不在|いな|いませ|お休み|休み|外出|席を外|留守)|(?:不在|外出中|席を外して)(?:でした|だった|とのこと|と言われ)/;

/** Nobody picked up. */
const NO_ANSWER = /(?:誰も|だれも)出(?:な|ませ)|(?:電話に)?出(?:なかった|ませんでした|てもらえな)|留守(?:電|番)|(?:つな|繋)がらな|応答が?な|呼び出し(?:音)?だけ/;

/** The call is over (how it went comes next). */
const FINISHED = /(?:電話|通話)?(?:を)?(?:終え|終わ(?:り|っ))|話せ(?:ました|た)|(?:かけ|掛け)(?:ました|た)$|電話(?:しました|した)$|伝えられ(?:ました|た)/;

/** Trying again at another time. */
const RETRY = /(?:時間|日)を(?:改め|あらため|変え|ずらし)|(?:あと|後)で(?:かけ|掛け|電話)|かけ直し(?:ます|たい|てみ)|また(?:かけ|掛け|電話)/;

/** Heard back from them (a call, a mail), without saying how it went. */
const CONTACTED =
  /(?:連絡|電話|メール|返事|返信|お返事|ご連絡|折り返し)(?:が|は|を|も)?(?:[来き](?:た|ました|てた|てました|ていた|ていました)|あ(?:った|りました)|(?:もら|貰)(?:った|いました)|(?:いただ|頂)(?:いた|きました))/;
/** …and missed again: "電話がありましたが出られませんでした" is no news at all. */
const MISSED_AGAIN = /出(?:られ|れ)(?:なかった|ませんでした|ず)|取れ(?:なかった|ませんでした)|気(?:づ|付)か(?:なかった|ず)|逃し/;

/** Nothing yet ("まだ待ちます" is a choice, not news). */
const NOTHING_YET =
  /^まだ(?:$|です|だよ|だ$|来|き|こ|な|連絡|返事|何も)|(?:来|こ|き)(?:ない|ていない|てない|ません|ていません)|(?:連絡|返事|電話|返信|音沙汰)(?:が|は)?(?:ない|なし|無い|無し|ありません)|音沙汰|何も(?:ない|来|き)/;

const REMIND =
  /(?:その時間|時間になったら|時間が(?:来|き)たら|時間に|時間を|時間の前に?).{0,4}(?:知らせ|教え|お知らせ|通知|連絡|声(?:を)?かけ)|リマインド|お知らせ(?:して|ください|お願い|ほしい)/;
const SCRIPT = /台本|スクリプト|(?:話す|言う)(?:内容|こと|セリフ)/;
const HOURS_OFFER = /営業時間(?:を|は)?(?:伝え|教え|送り|言い|入力)/;

const WAIT = /(?:もう少し|もうちょっと|しばらく|まだ|もう)?待(?:ちます|つ$|つことにします|ってみます|ってみる|ちたい|とうと思)/;
const INQUIRY = /問い?合わ?せ|(?:状況|結果)を?(?:聞い|聞き|確認し)(?:て?みたい|て?みます|たい|ます)/;

/** The thank-you mail has gone out: "送りました" (with the mail on screen, that is all it can mean). */
const SENT_VERB = '(?:送り|送っ|送信し|出し|投函し)(?:ました|た|ておきました|てきました|ときました)';
const SENT = new RegExp(`^(?:もう|さっき|先ほど|今)?(?:お礼の?)?(?:メール|手紙|お礼状|はがき|ハガキ)?(?:を|は|も)?${SENT_VERB}$`);
/** Said anywhere, "お礼(のメール)を送りました" can only mean the thanks. */
const THANKS_SENT = new RegExp(`^(?:もう|さっき|先ほど|今)?お礼(?:の)?(?:メール|状|手紙|はがき|の連絡)?(?:を|は|も)?${SENT_VERB}$`);
const LETTER = /手紙|お礼状|はがき|ハガキ/;

/** A report of what happened, short enough to be an answer: what the readers of news read. */
function statement(text: string): string | undefined {
  const core = readable(text);
  return core !== undefined && !tentative(core) && !endsAsking(text) ? core : undefined;
}

/** A choice among options, not declined and not asked about: what the readers of choices read. */
function choice(text: string): string | undefined {
  const core = readable(text);
  return core !== undefined && !ASKING.test(core) && !endsAsking(text) && !DECLINING.test(core) ? core : undefined;
}

/** "連絡あった？": the question mark that `readable` trims off the end. */
const endsAsking = (text: string): boolean => /[?？]/.test(text);

function readable(text: string): string | undefined {
  const core = normalize(text).replace(/[\s。、.,!?~…♪w笑]+$/u, '');
  return core.length > 0 && core.length <= MAX_LENGTH ? core : undefined;
}

/** The one answer a message gives, or undefined when it gives none or several. */
function single<T extends string>(found: ReadonlyArray<readonly [T, boolean]>): T | undefined {
  const hits = found.filter(([, hit]) => hit);
  return hits.length === 1 ? hits[0]![0] : undefined;
}

/** "How did the call go?" answered in words. */
export function readCallOutcome(text: string): CallOutcome | undefined {
  const core = statement(text);
  if (!core) return undefined;
  return single<CallOutcome>([
    ['rejected', rejectedIn(core)],
    ['continuing', continuingIn(core)],
    ['waiting', WAITING.test(core)],
    ['unreached', UNREACHED.test(core)],
  ]);
}

/** "Have they been in touch?" answered in words. */
export function readWaitingNews(text: string): WaitingNews | undefined {
  const core = statement(text);
  if (!core) return undefined;
  const rejected = rejectedIn(core);
  // A refusal usually comes as a call or a mail: "連絡が来て、不採用でした" is one answer.
  const contacted = !rejected && CONTACTED.test(core) && !MISSED_AGAIN.test(core);
  return single<WaitingNews>([
    ['rejected', rejected],
    ['continuing', continuingIn(core) || contacted],
    ['none', NOTHING_YET.test(core)],
  ]);
}

/** "How is the call going?" answered in words while the end of the script is on screen. */
export function readCallBranch(text: string): CallBranch | undefined {
  const core = statement(text);
  if (!core) return undefined;
  const absent = ABSENT.test(core);
  return single<CallBranch>([
    ['absent', absent],
    // "担当の方が不在で出られない" is about the person, not the phone.
    ['noAnswer', !absent && NO_ANSWER.test(core)],
    ['finished', FINISHED.test(core)],
    // "不在だったので、後でかけ直します": the branch is what they need to hear about.
    ['retry', !absent && !NO_ANSWER.test(core) && RETRY.test(core)],
  ]);
}

/** "Inquire, or wait a little longer?" answered in words. */
export function readWaitingChoice(text: string): WaitingChoice | undefined {
  const core = choice(text);
  if (!core) return undefined;
  return single<WaitingChoice>([
    ['inquiry', INQUIRY.test(core)],
    ['wait', WAIT.test(core)],
  ]);
}

/** With the thank-you mail on screen: "送りました", or asking for the letter. */
export function readThanksStep(text: string): ThanksStep | undefined {
  const core = readable(text);
  if (!core) return undefined;
  const sent = SENT.test(core);
  return single<ThanksStep>([
    ['sent', sent],
    ['letter', !sent && choice(core) !== undefined && LETTER.test(core)],
  ]);
}

/** "お礼を送りました" and the like: the thank-you has gone out, whatever is on screen. */
export function saysThanksSent(text: string): boolean {
  const core = readable(text);
  return core !== undefined && THANKS_SENT.test(core);
}

/** "When should I call?" answered with what to do next: a reminder, the script, or the hours. */
export function readTimingChoice(text: string): TimingChoice | undefined {
  const core = choice(text);
  if (!core) return undefined;
  const hours = HOURS_OFFER.test(core);
  return single<TimingChoice>([
    // "営業時間を教えます" offers the hours; it asks for no reminder.
    ['remind', !hours && REMIND.test(core)],
    ['script', SCRIPT.test(core)],
    ['hours', hours],
  ]);
}

const DELETE_VERB =
  '(?:(?:削除|消去)(?:する|します|しちゃって|して(?:ください|下さい|ほしい(?:です)?)?|で(?:お願いします|いいです|大丈夫です)?|を?お願いします)?|消(?:す|します|して(?:ください|下さい|ほしい(?:です)?)?)|退会(?:する|します|で)?)';
/**
 * The answers to "delete everything?" that mean yes: an optional はい, optionally what ("全部",
 * "データを"), and the verb in a plain or polite request form, nothing after it. Whatever else
 * ("削除しません", "削除は大丈夫です", "削除したらどうなりますか") is no yes, and the data stays.
 */
const DELETE_CONFIRMED = new RegExp(
  `^(?:(?:はい|ええ|うん|お願いします)[、,。!！\\s]*)?(?:(?:全部|すべて|全て|私の|わたしの)?の?(?:データ|情報|記録)?(?:を|も|は)?(?:全部|すべて|全て)?)${DELETE_VERB}(?:です)?$`,
);

/** Asked "delete everything?", whether a typed answer says yes (see DELETE_CONFIRMED). */
export function confirmsDeletion(text: string): boolean {
  const core = readable(text);
  return core !== undefined && DELETE_CONFIRMED.test(core);
}
