import type { StageWords } from '../../../understanding/commands.ts';
import { normalize } from '../../../understanding/normalize.ts';
import { mentionsProgress, readWaitingChoice, readWaitingNews } from '../../../understanding/index.ts';
import { declinesReminder, readCallBranch, readCallOutcome, readThanksStep, readTimingChoice, saysThanksSent } from './call-words.ts';

const flag = (test: (text: string) => boolean) => (text: string) => (test(text) ? 'yes' : undefined);

/** The typed-answer readers of the missed-call scenario, by the name its guards use. */
export const MISSED_CALL_READERS = {
  outcome: readCallOutcome,
  branch: readCallBranch,
  timing: readTimingChoice,
  choice: readWaitingChoice,
  thanks: readThanksStep,
  news: readWaitingNews,
  thanksSent: flag(saysThanksSent),
  declinesReminder: flag(declinesReminder),
} satisfies Record<string, (text: string) => string | undefined>;

/**
 * Whether a reply to "「不採用の連絡が来た」で合っていますか？" says the same news again. A refusal
 * comes by call or mail, so "はい、メールが来ました" says the same as "the refusal came".
 */
export function sameNews(value: string, again: string | undefined, text: string): boolean {
  return again === value || (value === 'rejected' && again === 'continuing' && !mentionsProgress(text));
}

/** The story of a missed call: a call came (or several) and the user didn't pick up. */
const MISSED_CALL_STORY =
  /着信|電話に出(?:られ|れ)?(?:ず|なかった|ません|ませんでした|てない|ていない|ていません)|(?:電話|通話)(?:を|に)?(?:逃|取り逃|取れなかった|取れず)|出(?:られ|れ)(?:なかった|ませんでした|ず)|折り返し|(?:電話|連絡)(?:が|を)?(?:かかって)?(?:来て(?:い)?た|きて(?:い)?た|あった|ありました|いただいて|もらって)(?!ら)|非通知|留守電|留守番電話|気(?:づ|付)(?:か|け)(?:なかった|ず|ませんでした)/;
export const claimsMissedCall = (text: string): boolean => MISSED_CALL_STORY.test(normalize(text));

/** Said later: a call did come after all ("実は着信があって…", "不在着信に気づきました"). */
const MISSED_CALL_AFTER_ALL =
  /実は[^。]{0,15}(?:着信|電話)(?:が|は)?(?:あっ|あり|来て|きて|入って)|不在着信(?:が|に)?(?:あっ|あり|残って|気(?:づ|付))|電話に出(?:られ|れ)(?:なかった|ませんでした)|(?:電話|着信)を(?:逃し|取り逃し)/;
export const switchesToMissedCall = (text: string): boolean => MISSED_CALL_AFTER_ALL.test(normalize(text));

/** What people call the missed-call scenario's stages (typed instead of tapped from the menu). */
export const MISSED_CALL_STAGE_WORDS: StageWords = [
  ['preparation', ['電話の準備', '準備', '電話準備', '事前準備', 'じゅんび', '準備する', '話す内容', '話すこと']],
  ['situation', ['状況整理', '状況', '状況の整理', '状況を整理', 'じょうきょう', '現状', '現状整理', '整理']],
  ['call', ['電話する', '電話', '通話', '電話をかける', '電話かける', 'でんわ', '折り返し', '折り返す', '折り返し電話', '電話をする', '電話をかけたい', '電話したい', '電話かけたい']],
  ['followUp', ['フォローアップ', 'お礼', 'フォロー', 'お礼メール', 'お礼の連絡', 'おれい', 'アフターフォロー', 'followup', 'follow up', 'お礼状', 'お礼のメール', 'お礼メッセージ', 'お礼の連絡をしたい']],
  ['lessons', ['教訓', '振り返り', '学び', 'ふりかえり', '振り返る', '反省', '次に活かす', '振り返りたい', '振り返ろう']],
];
