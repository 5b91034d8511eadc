import { and, not } from 'xstate';
import type { Kit } from '../../kit/setup.ts';
import { STAGE_NEEDS } from './questions.ts';
import { askFirst, compose, holds, ig, say, schedule, stepOn, tg, typedAnswer, vg } from '../../kit/steps.ts';
import { branchHandlers, OUTCOMES, outcomeStep, retypeGuard, typedOutcomeHandlers } from './steps.ts';

const remind = [schedule('callReminder'), compose('reminderSet')];
const needsNotifications = [say({ say: 'notificationsRequired' })];

/** 電話する: when to call, the script step by step with its branches, and how it went. */
export const callStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), target: '#akari.preparation' }] },
    initial: 'route',
    states: {
      ...askFirst({ needs: STAGE_NEEDS.call, lead: 'stageNeedsDetails', then: 'timing', direct: [{ say: 'call.intro' }], afterDetails: [{ say: 'call.intro' }] }),
      timing: {
        entry: ['clearQuestion', compose('timing')],
        on: {
          POSTBACK: [
            { guard: and([vg('remind', 'call'), 'notifications']), actions: remind },
            { guard: vg('remind', 'call'), actions: needsNotifications },
            { guard: ig('askHours'), target: 'hours' },
            { guard: ig('next'), target: 'script' },
          ],
          TEXT: [
            { guard: ig('next'), target: 'script' },
            { guard: ig('yes'), target: 'script' },
            // "11時から21時のお店です" typed here: the windows follow those hours.
            { guard: holds('tellsHours'), target: 'timing', reenter: true, actions: [{ type: 'update', params: { name: 'saveHours' } }, compose('hoursSaved')] },
            // The options in words: "その時間に知らせて", "台本を見たい", "営業時間を伝えます".
            { guard: and([typedAnswer, tg('timing', 'remind'), 'notifications']), actions: remind },
            { guard: and([typedAnswer, tg('timing', 'remind')]), actions: needsNotifications },
            { guard: and([typedAnswer, tg('timing', 'script')]), target: 'script' },
            { guard: and([typedAnswer, tg('timing', 'hours')]), target: 'hours' },
          ],
        },
      },
      hours: {
        entry: [{ type: 'setQuestion', params: { question: 'hours' } }, 'askQuestion'],
        on: {
          TEXT: [
            { guard: and([not('editing'), 'answered', ig('other')]), target: 'timing', actions: [{ type: 'update', params: { name: 'saveHours' } }, compose('hoursSaved')] },
            { guard: ig('skip'), target: 'timing' },
            { guard: and([ig('other'), 'unclearTwice']), target: 'timing', actions: ['giveUpQuestion', say({ say: 'repromptGiveUp' })] },
            { guard: ig('other'), actions: ['countUnclear', 'reprompt'] },
          ],
          POSTBACK: [{ guard: ig('skip'), target: 'timing' }],
        },
      },
      script: {
        initial: 'reception',
        states: {
          reception: {
            entry: [say({ say: 'script.intro' }, { template: 'scriptReception' }, { say: 'script.stepHint', qr: 'script.step' })],
            ...stepOn('manager'),
          },
          manager: { entry: [say({ template: 'scriptManager' }, { say: 'script.stepHint', qr: 'script.step' })], ...stepOn('questions') },
          questions: { entry: [say({ say: 'script.questions', qr: 'script.step' })], ...stepOn('closing') },
          closing: {
            entry: ['resetUnclear', say({ template: 'scriptClosing' }, { say: 'script.branches', qr: 'script.branches' })],
            // The branch options are on screen now: a message that picks none gets them again.
            on: branchHandlers('script.branches'),
          },
        },
        on: branchHandlers(),
      },
      absent: {
        entry: ['resetUnclear', say({ say: 'branch.absent.intro' }, { template: 'absentMessage' }, { say: 'script.branches', qr: 'branch.after' })],
        on: branchHandlers('branch.after'),
      },
      noAnswer: {
        entry: ['resetUnclear', say({ say: 'branch.noAnswer.intro' }, { template: 'voicemail' }, { say: 'script.branches', qr: 'branch.after' })],
        on: branchHandlers('branch.after'),
      },
      outcome: {
        entry: ['resetUnclear', say({ say: 'outcome.question', qr: 'outcome.question' })],
        on: {
          POSTBACK: OUTCOMES.map((outcome) => ({ guard: vg('outcome', outcome), ...outcomeStep(outcome) })),
          // Answered in words ("不採用でした", "誰も出ませんでした"): the same as the tap.
          TEXT: [
            ...typedOutcomeHandlers('outcome.question'),
            { guard: and([typedAnswer, tg('outcome', 'unreached')]), ...outcomeStep('unreached') },
            { guard: retypeGuard, actions: ['countUnclear', { type: 'repromptWith', params: { qr: 'outcome.question' } }] },
          ],
        },
      },
    },
  });
