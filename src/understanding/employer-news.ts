/**
 * News from the employer, in the applicant's words: heard back (the selection goes on), turned
 * down, nothing yet; and, offered an inquiry, whether they'd rather ask or wait. Shared by the
 * scenarios that wait for an employer (after a missed call, after an interview).
 */
import { choices, hits, NEGATED, oneAnswer, reports, speculating } from './reading.ts';

/** While waiting: heard back (the selection goes on), turned down, or nothing yet. */
export type WaitingNews = 'continuing' | 'rejected' | 'none';
/** Offered the inquiry after a long wait: see its wording, or wait a little longer. */
export type WaitingChoice = 'inquiry' | 'wait';

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
export function rejectedIn(core: string): boolean {
  const said = core.replace(CALL_DROPPED, '');
  return REJECTED_AS_NEGATIVE.test(said) || (REJECTED_WORDS.test(said) && !NEGATED.test(said) && !REFUSAL_DENIED.test(said));
}

/** The selection goes on: an offer, a next interview, a start date. */
const CONTINUING =
  /選考(?:が|を|に|は)?(?:続|進)|次の(?:面接|選考)|[二2]次(?:面接|選考)|最終面接|面接(?:に|へ)進|内定|(?<!不)採用(?:され(?:た(?![いら])|ました)|が決ま|になりました|になった|です|でした|!)|(?<!不)合格(?:した|しました|です|でした|!)|受かった|受かりました|(?:勤務|出勤|働く|入社)(?:日|開始)?が決ま|(?:初出勤|研修)(?:の日)?が決ま|面接(?:の)?(?:日程|日時|日)が決ま|(?:出勤|勤務|入社)(?:です|します|することに)|働(?:く|ける)ことにな|来てください/;
export function continuingIn(core: string): boolean {
  return CONTINUING.test(core) && !NEGATED.test(core);
}

/** Heard back from them (a call, a mail), without saying how it went. */
const CONTACTED =
  /(?:連絡|電話|メール|返事|返信|お返事|ご連絡|折り返し)(?:が|は|を|も)?(?:[来き](?:た(?!ら)|ました|てた|てました|ていた|ていました)|あ(?:った(?!ら)|りました)|(?:もら|貰)(?:った|いました)|(?:いただ|頂)(?:いた|きました))/;
/** News from someone else than the employer: another company, a job centre, family, spam. */
export const OTHER_SOURCE = /他社|他の(?:会社|社|お店|店|所)|別の(?:会社|社|お店|店|所)|ハローワーク|派遣会社|母|父|親|家族|友達|友人|知らない番号|迷惑|(?:友達|人)は/;
/**
 * …and missed again, or not read yet: "電話がありましたが出られませんでした", "メール来たけどまだ
 * 開いてない" is a contact, but no news of how things stand.
 */
const MISSED_AGAIN =
  /出(?:られ|れ)(?:なかった|ませんでした|ず|ん)|取れ(?:なかった|ませんでした)|気(?:づ|付)か(?:なかった|ず)|逃し|まだ(?:開|見|読|聞)|(?:開いて|見て|読んで|聞いて)(?:い)?ない|折り返(?:せ|し(?:ます|たい|てない))|かけ直|寝て|非通知|別の件|件名だけ|明日(?:読|見|開)|内容(?:を|は)?(?:忘れ|(?:わ|分)から)/;

/** Nothing yet ("まだ待ちます" is a choice, not news). */
const NOTHING_YET =
  /^まだ(?:$|です|だよ|だ$|来|き|こ|な|連絡|返事|何も)|(?:連絡|返事|返信)(?:は|が)?まだ(?:$|です|だ|来|き|こ|な)|(?:来|こ|き)(?:ない|ていない|てない|ません|ていません)|(?:連絡|返事|電話|返信|音沙汰)(?:が|は)?(?:ない|なし|無い|無し|ありません)|音沙汰|何も(?:ない|来|き)/;

const WAIT = /(?:もう少し|もうちょっと|しばらく|まだ|もう)?待(?:ちます|つ$|つことにします|ってみます|ってみる|ちたい|とうと思)/;
const INQUIRY = /問い?合わ?せ|(?:状況|結果)を?(?:聞い|聞き|確認し)(?:て?みたい|て?みます|たい|ます)/;

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
