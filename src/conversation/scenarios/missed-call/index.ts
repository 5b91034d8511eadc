import { and } from 'xstate';
import type { ScenarioDefinition } from '../../kit/scenario.ts';
import type { Kit } from '../../kit/setup.ts';
import { holds, ig, typedAnswer, vg } from '../../kit/steps.ts';
import { callStage } from './call.ts';
import { followUpStage } from './follow-up.ts';
import { missedCallHooks } from './hooks.ts';
import { lessonsStage } from './lessons.ts';
import { preparationStage } from './preparation.ts';
import { situationStage } from './situation.ts';
import { claimsMissedCall, MISSED_CALL_STAGE_WORDS, switchesToMissedCall } from './words.ts';
import { CHECKED_NEWS, CHECKED_OUTCOMES, heardStep, NEWS, outcomeStep, THANKS_SENT_ACTIONS } from './steps.ts';

/**
 * 着信を逃した: the employer called after the interview and the user missed it. Situation →
 * preparation → call → follow-up → lessons.
 */
export const missedCall: ScenarioDefinition<Kit> = {
  id: 'missed-call',
  stages: ['situation', 'preparation', 'call', 'followUp', 'lessons'],
  richMenuStages: ['situation', 'preparation', 'call', 'followUp', 'lessons'],
  checklists: ['research', 'lessons'],
  stageWords: MISSED_CALL_STAGE_WORDS,
  claims: claimsMissedCall,
  switchesTo: switchesToMissedCall,
  switchText: 'missedCall.switched',
  menuOption: 'missedCall.menu',
  // Keys its composed replies and pushes use (the `speak` actions' keys are found in the states).
  content: {
    texts: [
      'situation.understood',
      'assessment.verdict.fresh', 'assessment.verdict.days', 'assessment.verdict.late', 'assessment.verdict.unknown',
      'assessment.perspective', 'assessment.urgency.high', 'assessment.urgency.normal',
      'assessment.reason.hiddenNumber', 'assessment.reason.phoneRepair', 'assessment.reason.didNotNotice', 'assessment.reason.other',
      'assessment.contact.voicemail', 'assessment.contact.sms', 'assessment.contact.email',
      'assessment.why.otherDay', 'assessment.why.shop', 'assessment.why.office', 'assessment.when.now', 'assessment.when.later', 'assessment.when.none', 'assessment.when.outsideBand',
      'assessment.caller.hidden', 'assessment.caller.tollFree', 'assessment.caller.unknown',
      'timing.goodNow', 'timing.later', 'timing.none', 'timing.rule.office', 'timing.rule.shop', 'timing.rule.hours', 'timing.hoursSaved', 'timing.reminderSet',
      'strengths.added', 'strengths.full', 'waiting.scheduled', 'lessons.recapScheduled', 'lessons.end',
      'reminder.call', 'reminder.checkIn', 'reminder.inquiry', 'reminder.thanks', 'reminder.recap',
      'typedCheck.outcome.continuing', 'typedCheck.outcome.waiting', 'typedCheck.outcome.rejected', 'typedCheck.news.continuing', 'typedCheck.news.rejected',
    ],
    quickReplies: ['assessment.next', 'timing.goodNow', 'timing.later', 'timing.none', 'timing.reminderSet', 'strengths.added', 'waiting.status', 'reminder.call', 'reminder.inquiry', 'reminder.thanks'],
  },
  hooks: missedCallHooks,
  states: (kit) => ({
    situation: situationStage(kit),
    preparation: preparationStage(kit),
    call: callStage(kit),
    followUp: followUpStage(kit),
    lessons: lessonsStage(kit),
  }),
  confirmed: () => [
    ...CHECKED_OUTCOMES.map((value) => ({
      guard: { type: 'checkConfirmed' as const, params: { reading: 'outcome', value } },
      target: outcomeStep(value).target,
      actions: ['endCheck' as const, ...outcomeStep(value).actions],
    })),
    ...CHECKED_NEWS.map((value) => ({
      guard: { type: 'checkConfirmed' as const, params: { reading: 'news', value } },
      target: heardStep(value).target,
      actions: ['endCheck' as const, ...heardStep(value).actions],
    })),
  ],
  anywhere: () => [
    // "いつ電話すればいいですか？": the call stage answers it (asking first only what its script needs).
    { guard: and([typedAnswer, { type: 'inScenario' as const, params: { scenario: 'missed-call' } }, holds('asksWhenToCall')]), target: '.call', reenter: true, actions: ['clearQuestion' as const] },
    { guard: ig('thanksSent'), actions: THANKS_SENT_ACTIONS },
    // Typed, wherever the reminder about it finds the user; a question being asked takes it first.
    { guard: and([typedAnswer, holds('saysThanksSent')]), actions: THANKS_SENT_ACTIONS },
    ...NEWS.map((news) => ({ guard: vg('heard', news), ...heardStep(news) })),
    { guard: ig('inquiry'), target: '.followUp.inquiry' },
    { guard: ig('wait'), actions: [{ type: 'speak' as const, params: { parts: [{ say: 'waiting.noReminder' }] } }] },
  ],
};
