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
