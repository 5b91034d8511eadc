import { and, or } from 'xstate';
import type { Kit } from '../../kit/setup.ts';
import { askFirst, cancel, compose, ig, nextOn, noteHandlers, say, tg, typedAnswer, vg } from '../../kit/steps.ts';
import { heardStep, newsHandlers, reminderHandlers } from './steps.ts';

const inquired = or([vg('answer', 'inquired'), and([typedAnswer, tg('inquired', 'yes')])]);
const heardTaps = (['continuing', 'rejected'] as const).map((value) => ({ guard: vg('answer', `heard-${value}`), ...heardStep(value) }));

/** 問い合わせ: when to call or write, the phone script and the mail, then waiting again, and a short reflection. */
export const contactInquiryStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), target: '#akari.contactWait' }], POSTBACK: heardTaps },
    initial: 'route',
    states: {
      ...askFirst({ needs: ['employer', 'jobKind', 'userName'], lead: 'wait.inquiry.needs', then: 'timing' }),
      timing: {
        entry: ['clearQuestion', 'resetUnclear', compose('waitTiming')],
        on: {
          POSTBACK: [{ guard: ig('next'), target: 'script' }, ...reminderHandlers],
          TEXT: [
            { guard: ig('next'), target: 'script' },
            { guard: ig('yes'), target: 'script' },
            { guard: and([typedAnswer, tg('waitChoice', 'inquire')]), target: 'script' },
            ...reminderHandlers,
            ...newsHandlers,
            { guard: typedAnswer, actions: ['countUnclear', { type: 'repromptWith', params: { qr: 'wait.timing' } }] },
          ],
        },
      },
      script: {
        entry: [
          'resetUnclear',
          say(
            { say: 'inquiry.intro' },
            { template: 'inquiryPhone' },
            { template: 'waitPhoneFollow' },
            { template: 'inquiryEmail', fill: { inquiryContext: 'wait.inquiry.context' } },
            { say: 'wait.script.tips', qr: 'wait.script' },
          ),
        ],
        on: {
          POSTBACK: [{ guard: or([ig('next'), inquired]), target: 'after' }, ...heardTaps],
          TEXT: [
            { guard: or([ig('next'), inquired]), target: 'after' },
            ...newsHandlers,
            { guard: typedAnswer, actions: ['countUnclear', { type: 'repromptWith', params: { qr: 'wait.script' } }] },
          ],
        },
      },
      // Asked once: no reminder to ask again, only the wait for the answer.
      after: {
        entry: [{ type: 'note', params: { values: { inquired: true } } }, cancel(['promisedDay']), say({ say: 'wait.after', qr: 'wait.news' })],
        on: { POSTBACK: [...nextOn('reflection').POSTBACK, ...heardTaps], TEXT: [...nextOn('reflection').TEXT, ...newsHandlers] },
      },
      reflection: {
        initial: 'wentWell',
        states: {
          wentWell: { entry: [{ type: 'setQuestion', params: { question: 'wentWell' } }, 'askQuestion'], on: noteHandlers('toChange') },
          toChange: { entry: [{ type: 'setQuestion', params: { question: 'toChange' } }, 'askQuestion'], on: noteHandlers('summary') },
          summary: { entry: ['clearQuestion', say({ say: 'wait.reflection.summary' })], always: '#akari.contactInquiry.end' },
        },
      },
      // Done; commands, stage names and news still work.
      end: { on: { POSTBACK: heardTaps, TEXT: newsHandlers } },
    },
  });
