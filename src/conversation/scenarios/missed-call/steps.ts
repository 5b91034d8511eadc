import { and, not } from 'xstate';
import type { Part } from '../../kit/render.ts';
import { cancel, holds, ig, say, tg, typedAnswer, vg } from '../../kit/steps.ts';

export type Outcome = 'continuing' | 'waiting' | 'rejected' | 'unreached';
export type News = 'continuing' | 'rejected' | 'none';
export type Branch = 'finished' | 'absent' | 'noAnswer' | 'retry';

export const OUTCOMES = ['continuing', 'waiting', 'rejected', 'unreached'] as const satisfies readonly Outcome[];
export const NEWS = ['continuing', 'rejected', 'none'] as const satisfies readonly News[];
/** Results that change the course (and cancel reminders) are done only once the user confirms the reading. */
export const CHECKED_OUTCOMES = ['continuing', 'waiting', 'rejected'] as const;
export const CHECKED_NEWS = ['continuing', 'rejected'] as const;

/** The catch-all of a state that asks again: not for what the root understands ("お礼を送りました"). */
export const retypeGuard = and([typedAnswer, not(holds('saysThanksSent'))]);

/** Where each answer to "how did the call go?" leads, tapped or typed. */
export function outcomeStep(outcome: Outcome) {
  const said = say({ say: `outcome.${outcome}` });
  const set = { type: 'set' as const, params: { values: { outcome } } };
  switch (outcome) {
    case 'continuing':
    case 'waiting':
      return { target: '#akari.followUp', actions: [set, cancel(['callReminder']), said] };
    case 'rejected':
      return { target: '#akari.lessons', actions: [set, cancel('all'), said] };
    case 'unreached':
      return { target: '#akari.call.timing', actions: [set, said] };
  }
}

/** Where news from the employer leads, from a tap (a check-in's options, anywhere) or typed while waiting. */
export function heardStep(news: News) {
  switch (news) {
    case 'continuing':
      return {
        target: '#akari.followUp.reflection',
        actions: [{ type: 'set' as const, params: { values: { heardBack: true, outcome: 'continuing' } } }, cancel(['checkIn', 'inquiryOffer']), say({ say: 'heard.continuing' })],
      };
    case 'rejected':
      return { target: '#akari.lessons', actions: [{ type: 'set' as const, params: { values: { heardBack: true, outcome: 'rejected' } } }, cancel('all')] };
    case 'none':
      return { target: '#akari.followUp.inquiry', actions: [] };
  }
}

/** Where each turn of the call leads, tapped or typed. */
export function branchStep(branch: Branch) {
  switch (branch) {
    // Re-entered when already there ("また不在でした"): its advice is said again, not nothing.
    case 'absent':
      return { target: '#akari.call.absent', reenter: true, actions: [] };
    case 'noAnswer':
      return { target: '#akari.call.noAnswer', reenter: true, actions: [] };
    case 'retry':
      return { target: '#akari.call.timing', actions: [say({ say: 'branch.retry' })] };
    case 'finished':
      return { target: '#akari.call.outcome', actions: [] };
  }
}

/** Typed results after the call: checked with the user first (`qr`: the options if the reading is wrong). */
export function typedOutcomeHandlers(qr: string) {
  return CHECKED_OUTCOMES.map((value) => ({
    guard: and([typedAnswer, tg('outcome', value)]),
    actions: [{ type: 'askTypedCheck' as const, params: { reading: 'outcome', value, qr } }],
  }));
}

/** Typed news from the employer: "nothing yet" is acted on; heard back or turned down is checked first. */
export function typedNewsHandlers(kinds: readonly News[], qr: string) {
  return kinds.map((news) =>
    news === 'none'
      ? { guard: and([typedAnswer, tg('news', news)]), ...heardStep(news) }
      : { guard: and([typedAnswer, tg('news', news)]), actions: [{ type: 'askTypedCheck' as const, params: { reading: 'news', value: news, qr } }] },
  );
}

/**
 * While the script is on screen: the branch options, tapped or typed ("担当の方が不在でした"). Typed,
 * the outcome itself may come straight away ("選考が続くことになりました"), and `retypeWith` (the
 * options last shown) asks again when a message says none of it.
 */
export function branchHandlers(retypeWith?: string) {
  const BRANCHES = ['absent', 'noAnswer', 'retry'] as const;
  return {
    // The result buttons too (offered again after "違います" to a typed result), before "the call is over".
    POSTBACK: [
      ...BRANCHES.map((branch) => ({ guard: vg('branch', branch), ...branchStep(branch) })),
      ...OUTCOMES.map((outcome) => ({ guard: vg('outcome', outcome), ...outcomeStep(outcome) })),
      { guard: ig('outcome'), ...branchStep('finished') },
    ],
    // Typed: the branches at any step of the script (the person may be out at the first one already);
    // the result only where the script has ended (`retypeWith`), since before the call "連絡を待ちます"
    // or "採用されたい" is no result.
    TEXT: [
      // The branch first ("残念ながら担当の方はお休みでした" is about the person, not the result), then
      // the result, then "the call is over" ("電話が終わって、選考が続くことに…" gives the result).
      ...BRANCHES.map((branch) => ({ guard: and([typedAnswer, tg('branch', branch)]), ...branchStep(branch) })),
      ...(retypeWith ? typedOutcomeHandlers('outcome.question') : []),
      { guard: and([typedAnswer, tg('branch', 'finished')]), ...branchStep('finished') },
      ...(retypeWith ? [{ guard: retypeGuard, actions: ['countUnclear' as const, { type: 'repromptWith' as const, params: { qr: retypeWith } }] }] : []),
    ],
  };
}

export const THANKS_SENT_ACTIONS = [
  { type: 'set' as const, params: { values: { thanksSent: true } } },
  cancel(['thanksReminder']),
  say({ say: 'thanks.sentAck' }),
];

export function thanksHandlers() {
  const letter = say({ say: 'thanks.letterIntro' }, { template: 'thanksLetter' }, { say: 'thanks.letterTips', qr: 'thanks.letter' } as Part);
  const waiting = '#akari.followUp.waiting';
  const h = [
    { guard: ig('letter'), actions: [letter] },
    { guard: ig('next'), target: waiting },
    // Sent: acknowledged, and on to the next step (waiting for the employer), not left there.
    { guard: ig('thanksSent'), target: waiting, actions: THANKS_SENT_ACTIONS },
  ];
  return {
    POSTBACK: h,
    // With the mail on screen, "送りました" and "手紙も見たい" say which option they mean; a bare
    // "はい" / "お願いします" goes on, as 次へ would.
    TEXT: [
      ...h,
      { guard: ig('yes'), target: waiting },
      { guard: and([typedAnswer, tg('thanks', 'sent')]), target: waiting, actions: THANKS_SENT_ACTIONS },
      { guard: and([typedAnswer, tg('thanks', 'letter')]), actions: [letter] },
    ],
  };
}
