/**
 * Answers typed instead of tapped, at the steps where Akari offers options: when to call, how the
 * call is going and how it went, the thank-you, and whether the employer has been in touch. People
 * answer in their own words as often as they tap, and LINE shows the option buttons only in its
 * iOS and Android apps, so "不採用でした" or "まだ来ていません" must count.
 *
 * A message counts only when it says one thing: a reply that fits two answers ("連絡を待つことに
 * なったけど、たぶん不採用") is left unread, and the question is asked again with its options.
 */
import { normalize, sentences } from './normalize.ts';
import { AGREE_SENTENCE, LEADING_YES } from './yes-no.ts';

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
 * A sentence that reports nothing: a question, a worry, a wish or a condition ("落ちたらどうしよう",
 * "連絡がなければ不採用だそうです", "採用されたらどうすればいい？", "受かったら嬉しい"). Read one
 * sentence at a time, so that "不採用でした。電話して良かったのかな" still reports the refusal, and
 * たら/れば count only with a worry or wish ("電話したら、選考が続くことになりました" is a report).
 */
const ASKING =
  /[?？]|どう(?:しよう|すれば|したら|なる|なり)|どういう|ってこと|って何|ってなに|って必要|の意味|(?:ですか|ますか|でしょうか|のか|だろうか|の|できる|できるんだ|くれる|くれるの)$/;
const CONDITION = /なければ|なかったら|ないと|場合/;
/** Not a question, but not what happened either: a guess, a wish or a fear ("不採用かなと思います", "採用されたい", "どうせ不採用"). */
const SPECULATING =
  /(?<!な)かな[あぁー〜~]*(?:と|って|$)|かも|だろう|でしょう|と思(?:う|い|った|って)|気がする|みたい|っぽい|たぶん|多分|おそらく|恐らく|らしい|はず|ような|夢|言いたい|ところですが|わけない|羨ま|うらやま|たい(?:です|な|なあ)?$|(?:と|たら|ば)いい(?:な|けど|のに|です)|ますように|(?<!お)祈|願って|願う|嬉し|うれし|心配|不安|怖|こわ|困る|嫌だ|いやだ|覚悟|どうせ|なりそう|されそう|落ちそう/;
const IF_CLAUSE = /たら|なら|れば/;
/** A sentence that asks or sets a condition: it reports nothing at all. */
function tentative(sentence: string): boolean {
  return ASKING.test(sentence) || CONDITION.test(sentence) || (IF_CLAUSE.test(sentence) && SPECULATING.test(sentence));
}
/** A sentence that may say how things stand ("まだ連絡がなくて不安です") but is no news of a result. */
const speculating = (sentence: string): boolean => SPECULATING.test(sentence);

/** Says it didn't happen: "…進めませんでした", "…じゃなかった" (at the end of the sentence). */
const NEGATED = /(?:ません|ませんでした|なかった|ない|じゃない|ではない|じゃなかった|ではなかった|ず)(?:です|でした|よ|ね)?$/;

/**
 * Declining the option rather than choosing it, in one clause: "台本はいらない", "リマインドは大丈夫
 * です", "大丈夫です". ("台本だけ見れればいいです" and "リマインドしてもらえるといいです" choose.)
 */
const DECLINING =
  /(?:オフ|切って|止めて)(?:に)?(?:して)?(?:る|ます|いる|あ)|いらな|いらん|いりません|要らな|不要|必要(?:ない|なし|ありません)|なしで|ないで|結構|より|されても|やっぱ|(?:リマインド|お知らせ|知らせ|台本|手紙|問い合わせ)(?:は|も)?(?:いい|大丈夫|なし)|しないで|しなくて|ほしくな|欲しくな|なくていい|なくても|やめ|しません|(?:は|も)(?:いい|大丈夫)|^(?:大丈夫|いいです)/;

/** Turned down, said with a negative ("採用されませんでした", "次に進めなかった"): the negative is the news. */
const REJECTED_AS_NEGATIVE =
  /採用(?:され)?(?:なかった|ませんでした|されず)|(?:ご)?縁が(?:なかった|ありませんでした)|(?:進め|受から|通ら)(?:なかった|ませんでした)|(?:ダメ|だめ|駄目)(?:だった|でした)|内定(?:が|を)?取り?消/;
/** Turned down. */
const REJECTED_WORDS =
  /不採用|不合格|(?<!(?:電話|通話|回線|充電|電波|電池|バッテリー)(?:が|は|も)?)落ち(?:た|ました|てた|てました|ちゃった)|落とされ|見送(?:り|られ)|お祈り|残念ながら|(?:他|ほか)の(?:方|人)に決ま|(?:もう|既に|すでに)(?:決まって|埋まって)|募集(?:を)?(?:終了|締め切)/;
/** "不採用ではないけど", "見送りじゃなくて", "見送りは撤回": the refusal itself denied. */
const REFUSAL_DENIED = /(?:不採用|不合格|見送り)(?:では|じゃ|は)?(?:な|撤回|取り消)/;
/** The call or the battery dropping ("通話が途中で落ちた"), not a refusal. */
const CALL_DROPPED =
  /(?:(?:電話|通話)(?:が|は|も)?(?:途中で|急に|いきなり)?|(?:電波|充電|電池|バッテリー|回線)[^。]{0,6}|^(?:途中で|急に|いきなり))落ち(?:た|ました|てた|ちゃった)(?!って|と言)/g;
function rejectedIn(core: string): boolean {
  const said = core.replace(CALL_DROPPED, '');
  return REJECTED_AS_NEGATIVE.test(said) || (REJECTED_WORDS.test(said) && !NEGATED.test(said) && !REFUSAL_DENIED.test(said));
}

/** The selection goes on: an offer, a next interview, a start date. */
const CONTINUING =
  /選考(?:が|を|に|は)?(?:続|進)|次の(?:面接|選考)|[二2]次(?:面接|選考)|最終面接|面接(?:に|へ)進|内定|(?<!不)採用(?:され(?:た(?![いら])|ました)|が決ま|になりました|になった|です|でした|!)|(?<!不)合格(?:した|しました|です|でした|!)|受かった|受かりました|(?:勤務|出勤|働く|入社)(?:日|開始)?が決ま|(?:初出勤|研修)(?:の日)?が決ま|面接(?:の)?(?:日程|日時|日)が決ま|(?:出勤|勤務|入社)(?:です|します|することに)|働(?:く|ける)ことにな|来てください/;
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
  /(?:連絡|電話|メール|返事|返信|お返事|ご連絡|折り返し)(?:が|は|を|も)?(?:[来き](?:た(?!ら)|ました|てた|てました|ていた|ていました)|あ(?:った(?!ら)|りました)|(?:もら|貰)(?:った|いました)|(?:いただ|頂)(?:いた|きました))/;
/** News from someone else than the employer: another company, a job centre, family, spam. */
const OTHER_SOURCE = /他社|他の(?:会社|社|お店|店|所)|別の(?:会社|社|お店|店|所)|ハローワーク|派遣会社|母|父|親|家族|友達|友人|知らない番号|迷惑|(?:友達|人)は/;
/**
 * …and missed again, or not read yet: "電話がありましたが出られませんでした", "メール来たけどまだ
 * 開いてない" is a contact, but no news of how things stand.
 */
const MISSED_AGAIN =
  /出(?:られ|れ)(?:なかった|ませんでした|ず|ん)|取れ(?:なかった|ませんでした)|気(?:づ|付)か(?:なかった|ず)|逃し|まだ(?:開|見|読|聞)|(?:開いて|見て|読んで|聞いて)(?:い)?ない|折り返(?:せ|し(?:ます|たい|てない))|かけ直|寝て|非通知|別の件|件名だけ|明日(?:読|見|開)|内容(?:を|は)?(?:忘れ|(?:わ|分)から)/;

/** Nothing yet ("まだ待ちます" is a choice, not news). */
const NOTHING_YET =
  /^まだ(?:$|です|だよ|だ$|来|き|こ|な|連絡|返事|何も)|(?:連絡|返事|返信)(?:は|が)?まだ(?:$|です|だ|来|き|こ|な)|(?:来|こ|き)(?:ない|ていない|てない|ません|ていません)|(?:連絡|返事|電話|返信|音沙汰)(?:が|は)?(?:ない|なし|無い|無し|ありません)|音沙汰|何も(?:ない|来|き)/;

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

/** The message, normalised, if it is short enough to be an answer. */
function message(text: string): string | undefined {
  const all = normalize(text);
  return all.length > 0 && all.length <= MAX_LENGTH ? all : undefined;
}

/** Without the punctuation, laughter and symbols people end a line with. */
const trimEnd = (s: string): string => s.replace(/[\s。、.,!！~…♪w笑\p{Extended_Pictographic}\u{FE0F}]+$/u, '');

/** Quoted words stay one piece: "「不採用です。」と言われたらどうしよう" is one sentence. */
const unquote = (s: string): string => s.replace(/「[^」]*」/g, (q) => q.replace(/[。!！?？]/g, ''));

/** The sentences of a message that report something (not a question or a condition). */
function reports(text: string): string[] {
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
function choices(text: string, named: (clause: string) => boolean): string[] {
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
function oneAnswer<T extends string>(units: string[], hitsIn: (unit: string) => T[]): T | undefined {
  const found = new Set(units.flatMap(hitsIn));
  return found.size === 1 ? [...found][0] : undefined;
}

/** The kinds whose test is true. */
function hits<T extends string>(found: ReadonlyArray<readonly [T, boolean]>): T[] {
  return found.filter(([, hit]) => hit).map(([kind]) => kind);
}

/** "How did the call go?" answered in words. */
export function readCallOutcome(text: string): CallOutcome | undefined {
  return oneAnswer(reports(text).filter((s) => !speculating(s)), (sentence) =>
    hits<CallOutcome>([
      ['rejected', rejectedIn(sentence)],
      ['continuing', !OTHER_SOURCE.test(sentence) && continuingIn(sentence)],
      ['waiting', WAITING.test(sentence)],
      ['unreached', UNREACHED.test(sentence)],
    ]),
  );
}

/** Whether a message reports the selection going on (an offer, a next interview), not just a contact. */
export function mentionsProgress(text: string): boolean {
  return reports(text).some((sentence) => !speculating(sentence) && continuingIn(sentence));
}

/** "Have they been in touch?" answered in words. */
export function readWaitingNews(text: string): WaitingNews | undefined {
  const units = reports(text);
  const found = new Set(
    units.flatMap((sentence) =>
      hits<WaitingNews | 'contacted'>([
        // A guess or a fear is no news ("落ちたかもです"); "まだ連絡がなくて不安です" still says nothing came.
        ['rejected', !speculating(sentence) && rejectedIn(sentence)],
        ['continuing', !speculating(sentence) && !OTHER_SOURCE.test(sentence) && continuingIn(sentence)],
        ['contacted', !speculating(sentence) && !OTHER_SOURCE.test(sentence) && CONTACTED.test(sentence)],
        ['none', NOTHING_YET.test(sentence)],
      ]),
    ),
  );
  if (found.has('contacted')) {
    found.delete('contacted');
    // A refusal usually comes as a call or a mail ("連絡が来て、不採用でした" is one answer), and a
    // call missed again is no news at all.
    if (!found.has('rejected') && !MISSED_AGAIN.test(units.join('。'))) found.add('continuing');
  }
  return found.size === 1 ? [...found][0] as WaitingNews : undefined;
}

/** "How is the call going?" answered in words while the script is on screen. */
export function readCallBranch(text: string): CallBranch | undefined {
  return oneAnswer(reports(text).filter((s) => !speculating(s)), (sentence) => {
    const absent = ABSENT.test(sentence);
    const noAnswer = !absent && NO_ANSWER.test(sentence);
    return hits<CallBranch>([
      ['absent', absent],
      // "担当の方が不在で出られない" is about the person, not the phone.
      ['noAnswer', noAnswer],
      ['finished', FINISHED.test(sentence)],
      // "不在だったので、後でかけ直します": the branch is what they need to hear about.
      ['retry', !absent && !noAnswer && RETRY.test(sentence)],
    ]);
  });
}

/** "Inquire, or wait a little longer?" answered in words. */
const namesWaitingChoice = (clause: string): boolean => INQUIRY.test(clause) || WAIT.test(clause);
export function readWaitingChoice(text: string): WaitingChoice | undefined {
  return oneAnswer(choices(text, namesWaitingChoice), (clause) =>
    hits<WaitingChoice>([
      ['inquiry', INQUIRY.test(clause)],
      ['wait', WAIT.test(clause)],
    ]),
  );
}

/** The whole message, trimmed, if short enough to be an answer. */
function whole(text: string): string | undefined {
  const all = message(text);
  return all === undefined ? undefined : trimEnd(all);
}

/** With the thank-you mail on screen: "送りました", or asking for the letter. */
export function readThanksStep(text: string): ThanksStep | undefined {
  const all = whole(text);
  if (!all) return undefined;
  if (SENT.test(all)) return 'sent';
  return oneAnswer(choices(text, (clause) => LETTER.test(clause)), (clause) => (LETTER.test(clause) ? ['letter' as const] : []));
}

/** "お礼を送りました" and the like: the thank-you has gone out, whatever is on screen. */
export function saysThanksSent(text: string): boolean {
  const all = whole(text);
  return all !== undefined && THANKS_SENT.test(all);
}

/** "When should I call?" answered with what to do next: a reminder, the script, or the hours. */
const namesTimingChoice = (clause: string): boolean => REMIND.test(clause) || SCRIPT.test(clause) || HOURS_OFFER.test(clause);
export function readTimingChoice(text: string): TimingChoice | undefined {
  return oneAnswer(choices(text, namesTimingChoice), (clause) => {
    const hours = HOURS_OFFER.test(clause);
    return hits<TimingChoice>([
      // "営業時間を教えます" offers the hours; it asks for no reminder.
      ['remind', !hours && REMIND.test(clause)],
      ['script', SCRIPT.test(clause)],
      ['hours', hours],
    ]);
  });
}

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

/** Declining the reminder while answering the question: "言われてないけど知らせなくていい". */
const NO_REMINDER =
  /(?:知らせ|お知らせ|リマインド|通知|連絡|声かけ)(?:を|は|も)?(?:し)?(?:なくて(?:いい|大丈夫)|ないで|いらな|いりません|不要|大丈夫|結構|なしで)|知らせなくて|知らせないで/;
export function declinesReminder(text: string): boolean {
  return NO_REMINDER.test(normalize(text));
}
