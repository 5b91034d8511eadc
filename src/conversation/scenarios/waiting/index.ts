import type { ScenarioDefinition } from '../../kit/scenario.ts';
import type { Kit } from '../../kit/setup.ts';
import { contactInquiryStage } from './contact-inquiry.ts';
import { contactWaitStage } from './contact-wait.ts';
import { waitingHooks } from './hooks.ts';
import { heardStep } from './steps.ts';
import { claimsWaiting, switchesToWaiting, WAITING_STAGE_WORDS } from './words.ts';

/**
 * 連絡待ち: the interview went fine, the employer said it would be in touch (or said nothing), and
 * nothing has come. Whether it is time to ask → the inquiry by phone or mail → a short reflection.
 */
export const waiting: ScenarioDefinition<Kit> = {
  id: 'waiting',
  stages: ['contactWait', 'contactInquiry'],
  stageWords: WAITING_STAGE_WORDS,
  claims: claimsWaiting,
  switchesTo: switchesToWaiting,
  switchText: 'wait.switched',
  menuOption: 'wait.menu',
  content: {
    texts: [
      'wait.verdict.ask', 'wait.verdict.justPast', 'wait.verdict.before', 'wait.verdict.unknown', 'wait.silence', 'wait.question.next', 'wait.reminderSet',
      'wait.timing.now', 'wait.timing.later', 'wait.timing.none', 'wait.timing.rule', 'wait.reminder',
      'typedCheck.employerNews.continuing', 'typedCheck.employerNews.rejected',
    ],
    quickReplies: ['wait.verdict.ask', 'wait.verdict.wait', 'wait.reminderSet', 'wait.timing', 'wait.reminder', 'wait.news'],
  },
  hooks: waitingHooks,
  states: (kit) => ({ contactWait: contactWaitStage(kit), contactInquiry: contactInquiryStage(kit) }),
  confirmed: () =>
    (['continuing', 'rejected'] as const).map((value) => ({
      guard: { type: 'checkConfirmed' as const, params: { reading: 'employerNews', value } },
      target: heardStep(value).target,
      actions: ['endCheck' as const, ...heardStep(value).actions],
    })),
};
