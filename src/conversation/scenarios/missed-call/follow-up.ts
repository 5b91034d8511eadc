import { and, not } from 'xstate';
import type { Kit } from '../../kit/setup.ts';
import { STAGE_NEEDS } from './questions.ts';
import { askFirst, cancel, compose, holds, ig, nextOn, noteHandlers, say, schedule, tg, typedAnswer } from '../../kit/steps.ts';
import { heardStep, NEWS, retypeGuard, thanksHandlers, typedNewsHandlers } from './steps.ts';

/** A check-in, planned only while the outcome is (or may be) "waiting", not after "continuing". */
const planCheckIn = [{ type: 'set' as const, params: { values: { outcome: 'waiting' } } }, cancel(['checkIn', 'inquiryOffer']), schedule('checkIn'), compose('checkInScheduled')];
const noReminder = [say({ say: 'waiting.noReminder' })];

/** フォローアップ: the thank-you, waiting well (with a check-in), the inquiry, and a short reflection. */
export const followUpStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), target: '#akari.call' }] },
    initial: 'route',
    states: {
      ...askFirst({ needs: STAGE_NEEDS.followUp, lead: 'stageNeedsDetails', then: 'thanks' }),
      thanks: {
        entry: ['clearQuestion', say({ say: 'followUp.intro' }, { template: 'thanksEmail' }, { say: 'thanks.fill' }, { say: 'thanks.tips', qr: 'thanks.tips' })],
        always: { guard: and(['notifications', holds('thanksPending')]), target: 'thanksWaiting', actions: [schedule('thanksReminder')] },
        on: thanksHandlers(),
      },
      // The same step, after its reminder was planned (so re-entering doesn't plan another).
      thanksWaiting: { on: thanksHandlers() },
      waiting: {
        entry: [{ type: 'setQuestion', params: { question: 'waitDays' } }, say({ say: 'waiting.advice' }), 'askQuestion'],
        on: {
          POSTBACK: [
            { guard: and([ig('answer'), 'notifications', holds('mayBeWaiting')]), target: 'waitingStatus', actions: planCheckIn },
            { guard: ig('answer'), target: 'waitingStatus', actions: noReminder },
            { guard: ig('next'), target: 'reflection' },
          ],
          TEXT: [
            // "連絡が来ました" before the question is answered: they have already heard back.
            ...typedNewsHandlers(['continuing', 'rejected'], 'waiting.status'),
            // Typed, as tapped.
            { guard: and([not('editing'), 'answered', ig('other'), 'notifications', not(holds('declinesReminder')), holds('mayBeWaiting')]), target: 'waitingStatus', actions: planCheckIn },
            { guard: and([not('editing'), 'answered', ig('other')]), target: 'waitingStatus', actions: noReminder },
            { guard: ig('next'), target: 'reflection' },
          ],
        },
      },
      // Waiting for the employer; the check-in asks how it stands, and the answer may be typed.
      waitingStatus: {
        entry: ['clearQuestion'],
        on: {
          TEXT: [
            { guard: ig('next'), target: 'reflection' },
            ...typedNewsHandlers(NEWS, 'waiting.status'),
            // "いいえ" to "連絡はありましたか？": nothing yet.
            { guard: ig('no'), ...heardStep('none') },
            // The offer of an inquiry (a later push) is answered here too.
            { guard: and([typedAnswer, tg('choice', 'inquiry')]), target: 'inquiry' },
            { guard: and([typedAnswer, tg('choice', 'wait')]), actions: noReminder },
            { guard: retypeGuard, actions: ['countUnclear', { type: 'repromptWith', params: { qr: 'waiting.status' } }] },
          ],
          POSTBACK: [{ guard: ig('next'), target: 'reflection' }],
        },
      },
      inquiry: {
        entry: [say({ say: 'inquiry.intro' }, { template: 'inquiryEmail', fill: { inquiryContext: 'inquiry.context' } }, { template: 'inquiryPhone' }, { say: 'inquiry.tips', qr: 'inquiry.tips' })],
        on: { ...nextOn('reflection'), TEXT: [...nextOn('reflection').TEXT, ...typedNewsHandlers(['continuing', 'rejected'], 'inquiry.tips')] },
      },
      reflection: {
        initial: 'wentWell',
        states: {
          wentWell: {
            entry: [{ type: 'setQuestion', params: { question: 'wentWell' } }, 'askQuestion'],
            on: noteHandlers('toChange'),
          },
          toChange: {
            entry: [{ type: 'setQuestion', params: { question: 'toChange' } }, 'askQuestion'],
            on: noteHandlers('summary'),
          },
          summary: {
            entry: ['clearQuestion', say({ say: 'reflection.summary' })],
            always: '#akari.lessons',
          },
        },
      },
    },
  });
