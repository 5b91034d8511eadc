import { and, or } from 'xstate';
import { cancel, compose, holds, ig, say, schedule, tg, typedAnswer, vg } from '../../kit/steps.ts';

/** "期限の日に知らせて": tapped or typed. */
const asksReminder = or([vg('answer', 'remind'), and([typedAnswer, tg('waitChoice', 'remind')])]);

/** The reminder on the promised day: planned once (a second ask replans it), or why not. */
export const reminderHandlers = [
  { guard: and([asksReminder, 'notifications', holds('mayRemind')]), actions: [cancel(['promisedDay']), schedule('promisedDay'), compose('waitReminderSet')] },
  { guard: and([asksReminder, holds('mayRemind')]), actions: [say({ say: 'notificationsRequired' })] },
  { guard: asksReminder, actions: [say({ say: 'wait.remindNotNeeded', qr: 'wait.verdict.ask' })] },
];

/** News from the employer while waiting, typed: checked with the user first (it ends the waiting). */
export const newsHandlers = (['continuing', 'rejected'] as const).map((value) => ({
  guard: and([typedAnswer, tg('employerNews', value)]),
  actions: [{ type: 'askTypedCheck' as const, params: { reading: 'employerNews', value, qr: 'wait.news' } }],
}));

/** Where confirmed news leads: a word for it, the reminder off, and the short reflection. */
export function heardStep(value: 'continuing' | 'rejected') {
  return {
    target: '#akari.contactInquiry.reflection',
    actions: [{ type: 'set' as const, params: { values: { heardBack: true, outcome: value } } }, cancel(['promisedDay']), say({ say: `wait.heard.${value}` })],
  };
}

/** The options of the verdict and of "meanwhile", tapped or typed. */
export function choiceHandlers(retypeWith: string) {
  return {
    POSTBACK: [
      ...reminderHandlers,
      { guard: vg('answer', 'meanwhile'), target: '#akari.contactWait.meanwhile' },
      { guard: ig('next'), target: '#akari.contactInquiry' },
      ...(['continuing', 'rejected'] as const).map((value) => ({ guard: vg('answer', `heard-${value}`), ...heardStep(value) })),
    ],
    TEXT: [
      ...reminderHandlers,
      { guard: and([typedAnswer, tg('waitChoice', 'meanwhile')]), target: '#akari.contactWait.meanwhile' },
      { guard: and([typedAnswer, tg('waitChoice', 'inquire')]), target: '#akari.contactInquiry' },
      { guard: ig('next'), target: '#akari.contactInquiry' },
      ...newsHandlers,
      // "まだ来ません": still nothing, so the answer to "is it time to ask?" again, as it stands today.
      { guard: and([typedAnswer, tg('employerNews', 'none')]), target: '#akari.contactWait.verdict', reenter: true },
      { guard: typedAnswer, actions: ['countUnclear' as const, { type: 'repromptWith' as const, params: { qr: retypeWith } }] },
      // A bare "はい" / "わかりました" chooses no option here: the step's own options again, not the menu.
      { guard: ig('yes'), actions: ['countUnclear' as const, { type: 'repromptWith' as const, params: { qr: retypeWith } }] },
    ],
  };
}
