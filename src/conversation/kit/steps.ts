import type { IntentKind } from './intents.ts';
import type { Part } from './render.ts';

/** A parameterised guard: the event's intent is of this kind. */
export const ig = <K extends IntentKind>(kind: K) => ({ type: 'intentIs' as const, params: { kind } });
/** A parameterised guard: the event's intent is of this kind and carries this value. */
export const vg = <K extends IntentKind>(kind: K, value: string) => ({ type: 'valueIs' as const, params: { kind, value } });
/** A typed message that a scenario's reader takes as this option. */
export const tg = (reader: string, value: string) => ({ type: 'typed' as const, params: { reader, value } });
/** A scenario's condition, by name. */
export const holds = (name: string) => ({ type: 'holds' as const, params: { name } });
/** Typed text that is no command, with no exchange at the root waiting (see intentIs). */
export const typedAnswer = ig('other');

/** Say these parts. */
export const say = (...parts: Part[]) => ({ type: 'speak' as const, params: { parts } });
/** Say the reply a scenario composes. */
export const compose = (name: string) => ({ type: 'compose' as const, params: { name } });
/** Plan a push of this kind (its due time comes from the scenario's timer table). */
export const schedule = (kind: string) => ({ type: 'schedule' as const, params: { kind } });
/** Cancel pushes of these kinds (or all). */
export const cancel = (kinds: string[] | 'all') => ({ type: 'cancelTimers' as const, params: { kinds } });

/** Answer handling shared by every question state: answered → `next`; skipped → `next`; unclear → ask again once, then move on. */
export function answerHandlers(next: string) {
  const handlers = [
    { guard: 'canAnswer' as const, target: next, actions: ['applyAnswer' as const] },
    { guard: 'unclearAgain' as const, target: next, actions: ['applyAnswer' as const, 'giveUpQuestion' as const, say({ say: 'repromptGiveUp' })] },
    // Stays put (no re-entry), so the count of unclear replies survives until the second one.
    { guard: 'unclearFirst' as const, actions: ['applyAnswer' as const, 'reprompt' as const] },
  ];
  return { TEXT: handlers, POSTBACK: handlers };
}

/**
 * The first steps of a stage that needs a few details before its templates make sense (a user may
 * jump in from the rich menu): `route` asks the first missing one (after `lead`), `details` takes
 * the answer, `detailsNext` asks the next or moves on to `then`. Each question can be skipped.
 */
export function askFirst(opts: { needs: readonly string[]; lead: string; then: string; direct?: Part[]; afterDetails?: Part[] }) {
  const speak = (parts: Part[] | undefined) => (parts?.length ? [say(...parts)] : []);
  const setNext = { type: 'setNextQuestion' as const, params: { list: opts.needs } };
  return {
    route: {
      entry: [setNext],
      always: [
        { guard: 'hasQuestion' as const, target: 'details', actions: [{ type: 'askWithLead' as const, params: { lead: [{ say: opts.lead }] as Part[] } }] },
        { target: opts.then, actions: speak(opts.direct) },
      ],
    },
    details: { on: answerHandlers('detailsNext') },
    detailsNext: {
      entry: [setNext],
      always: [{ guard: 'hasQuestion' as const, target: 'details', actions: ['askQuestion' as const] }, { target: opts.then, actions: speak(opts.afterDetails) }],
    },
  };
}

/**
 * 次へ (tapped or typed) leads to `target`; so does a plain yes typed where no question waits
 * (「わかりました」「お願いします」「はい」: LINE for PC shows no button to tap).
 */
export function nextOn(target: string) {
  const t = [{ guard: ig('next'), target }, { guard: ig('yes'), target }];
  return { TEXT: t, POSTBACK: t };
}

export function stepOn(target: string) {
  return { on: nextOn(target) };
}

/** A free note (what went well, what to change): taken as it is, or skipped, and on to `next`. */
export function noteHandlers(next: string) {
  const h = [
    { guard: 'canAnswer' as const, target: next, actions: ['applyAnswer' as const] },
    { guard: ig('other'), target: next, actions: ['giveUpQuestion' as const] },
  ];
  return { TEXT: h, POSTBACK: h };
}
