/**
 * The missed-call scenario's own words: how the call is going and how it went, when to call, the
 * thank-you. Built from the generic reading rules in src/understanding/reading.ts.
 */
import { normalize } from '../../../understanding/normalize.ts';
import { continuingIn, OTHER_SOURCE, rejectedIn } from '../../../understanding/employer-news.ts';
import { choices, hits, message, oneAnswer, reports, speculating, trimEnd, whole } from '../../../understanding/reading.ts';

/** After the call: the four answers of the outcome question. */
export type CallOutcome = 'continuing' | 'waiting' | 'rejected' | 'unreached';
/** During the call script: done, the person was out, nobody answered, or trying again later. */
export type CallBranch = 'finished' | 'absent' | 'noAnswer' | 'retry';
/** At the call-time advice: remind me then, show the script, or I'll give the opening hours. */
export type TimingChoice = 'remind' | 'script' | 'hours';
/** With the thank-you mail on screen: it has been sent, or the letter is wanted too. */
export type ThanksStep = 'sent' | 'letter';

/** Told to wait: the result or a call comes later. */
const WAITING =
  /(?:連絡|結果|返事|お返事|折り返し)(?:を|は)?(?:待つ|待ち|待って)|待つことに|結果は(?:後日|また|追って|あとで|後で|まだ)|後日(?:ご)?連絡|(?:連絡|電話)(?:を)?(?:くれる|くださる|いただける|します|する)(?:と|って)|検討(?:中|して|します)/;

/** The call didn't reach the person. */
const UNREACHED =
  /(?:つな|繋)がらな|(?:誰も|だれも|担当(?:の方|者)?(?:が|は)?)(?:出な|出ませ|いな|いませ|不在)|(?:電話|相手)(?:に|が|は)?出(?:な|ませ)|出てもらえな|留守(?:電|番)|不在|話せな(?:かった)|話し中|通話中|圏外/;

/** The person asked for was not there. */
const ABSENT =
  /担当(?:の方|者|の人)?(?:が|は)?(?:不在|いな|いませ|お休み|休み|外出|席を外|留守)|(?:不在|外出中|席を外して)(?:でした|だった|とのこと|と言われ)|(?:さん|様|さま)(?:が|は)?(?:お休み|休み|不在|外出|席を外|いらっしゃらな|いな(?:かった|い)|いませ)/;

/** Nobody picked up. */
const NO_ANSWER = /(?:誰も|だれも)出(?:な|ませ)|(?:電話に)?出(?:なかった|ませんでした|てもらえな)|留守(?:電|番)|(?:つな|繋)がらな|応答が?な|呼び出し(?:音)?だけ/;

/** The call is over (how it went comes next). */
const FINISHED = /(?:電話|通話)?(?:を)?(?:終え|終わ(?:り|っ))|話せ(?:ました|た)|(?:かけ|掛け)(?:ました|た)$|電話(?:しました|した)$|伝えられ(?:ました|た)/;

/** Trying again at another time. */
const RETRY = /(?:時間|日)を(?:改め|あらため|変え|ずらし)|(?:あと|後)で(?:かけ|掛け|電話)|かけ直し(?:ます|たい|てみ)|また(?:かけ|掛け|電話)/;

const REMIND =
  /(?:その時間|時間になったら|時間が(?:来|き)たら|時間に|時間を|時間の前に?).{0,4}(?:知らせ|教え|お知らせ|通知|連絡|声(?:を)?かけ)|リマインド|お知らせ(?:して|ください|お願い|ほしい)/;
const SCRIPT = /台本|スクリプト|(?:話す|言う)(?:内容|こと|セリフ)/;
const HOURS_OFFER = /営業時間(?:を|は)?(?:伝え|教え|送り|言い|入力)/;

/** The thank-you mail has gone out: "送りました" (with the mail on screen, that is all it can mean). */
const SENT_VERB = '(?:送り|送っ|送信し|出し|投函し)(?:ました|た|ておきました|てきました|ときました)';
const SENT = new RegExp(`^(?:もう|さっき|先ほど|今)?(?:お礼の?)?(?:メール|手紙|お礼状|はがき|ハガキ)?(?:を|は|も)?${SENT_VERB}$`);
/** Said anywhere, "お礼(のメール)を送りました" can only mean the thanks. */
const THANKS_SENT = new RegExp(`^(?:もう|さっき|先ほど|今)?お礼(?:の)?(?:メール|状|手紙|はがき|の連絡)?(?:を|は|も)?${SENT_VERB}$`);
const LETTER = /手紙|お礼状|はがき|ハガキ/;

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

/** Declining the reminder while answering the question: "言われてないけど知らせなくていい". */
const NO_REMINDER =
  /(?:知らせ|お知らせ|リマインド|通知|連絡|声かけ)(?:を|は|も)?(?:し)?(?:なくて(?:いい|大丈夫)|ないで|いらな|いりません|不要|大丈夫|結構|なしで)|知らせなくて|知らせないで/;
export function declinesReminder(text: string): boolean {
  return NO_REMINDER.test(normalize(text));
}
