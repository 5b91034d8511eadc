import { addTokyoDays, atTokyoMinute } from '../../../time/tokyo.ts';
import type { ConversationContext } from '../../kit/context.ts';
import type { ConversationEvent } from '../../kit/events.ts';
import type { Profile } from '../../kit/profile.ts';
import { parseWaitDays } from '../../kit/questions.ts';
import type { KitTools, TimerSpec } from '../../kit/scenario.ts';
import type { CallProfile } from '../../../time/call-windows.ts';

const DAY = 86_400_000;
export const tokyoAt = (date: Date, hour: number, minute = 0) => atTokyoMinute(date, hour * 60 + minute);
export const callProfile = (p: Profile): CallProfile => ({ kind: p.employerKind, hours: p.businessHours });

/** Days the employer said it would take, from a tapped option or typed text (0 = not told). */
export const toldDays = (e: ConversationEvent, intentOf: KitTools['intentOf']): number => {
  const i = intentOf(e);
  if (i?.kind === 'answer') return Number(i.value) || 0;
  if (i?.kind === 'other') return parseWaitDays(i.text, new Date(e.at)) ?? 0;
  return 0;
};

/** The missed-call scenario's pushes, one row each: when, whether still relevant, what it says. */
export function missedCallTimers({ deps, r, intentOf }: KitTools) {
  const { calendar, callWindows } = deps;
  /** The next call window, or the next business morning. */
  const nextCallTime = (c: ConversationContext, now: Date) => {
    const next = callWindows.checkNow(now, callProfile(c.profile)).next;
    return next ? next.start : calendar.nextBusinessDay(tokyoAt(now, 10));
  };
  /** After the date the employer gave (the next business morning after it), or 3 business days. */
  const checkInTime = (e: ConversationEvent, now: Date) => {
    const told = toldDays(e, intentOf);
    return told > 0 ? calendar.nextBusinessDay(tokyoAt(addTokyoDays(now, told), 10)) : calendar.addBusinessDays(tokyoAt(now, 10), 3);
  };
  const recapTime = (now: Date) => tokyoAt(addTokyoDays(now, 7), 10);
  const waitingForNews = (c: ConversationContext) => c.outcome === 'waiting' && !c.heardBack;

  const timers = {
    callReminder: {
      due: (c, _e, at) => {
        const dueAt = nextCallTime(c, new Date(at)).getTime();
        return { dueAt, expiresAt: dueAt + 6 * 3600_000 };
      },
      relevant: (c) => c.outcome === undefined || c.outcome === 'unreached',
      message: (c, at) => r.render([{ say: 'reminder.call', qr: 'reminder.call' }], c.profile, at),
    },
    checkIn: {
      due: (_c, e, at) => {
        const dueAt = checkInTime(e, new Date(at)).getTime();
        return { dueAt, expiresAt: dueAt + 7 * DAY };
      },
      relevant: waitingForNews,
      message: (c, at) => r.render([{ say: 'reminder.checkIn', qr: 'waiting.status' }], c.profile, at),
      // A check-in that finds the user still waiting plans the one polite inquiry a few days on.
      then: ['inquiryOffer'],
    },
    inquiryOffer: {
      due: (_c, _e, at) => {
        const dueAt = calendar.addBusinessDays(tokyoAt(new Date(at), 10), 3).getTime();
        return { dueAt, expiresAt: dueAt + 7 * DAY };
      },
      relevant: waitingForNews,
      message: (c, at) => r.render([{ say: 'reminder.inquiry', qr: 'reminder.inquiry' }], c.profile, at),
    },
    thanksReminder: {
      // The next morning, so an evening call still leaves the evening to write it.
      due: (_c, _e, at) => {
        const dueAt = tokyoAt(addTokyoDays(new Date(at), 1), 9, 30).getTime();
        return { dueAt, expiresAt: dueAt + 2 * DAY };
      },
      relevant: (c) => !c.thanksSent && (c.outcome === 'continuing' || c.outcome === 'waiting'),
      message: (c, at) => r.render([{ say: 'reminder.thanks', qr: 'reminder.thanks' }], c.profile, at),
    },
    lessonsRecap: {
      due: (_c, _e, at) => {
        const dueAt = recapTime(new Date(at)).getTime();
        return { dueAt, expiresAt: dueAt + 3 * DAY };
      },
      relevant: (c) => c.recap,
      message: (c, at) => {
        const ticked = c.ticks.lessons ?? [];
        return r.render([{ say: 'reminder.recap' }, { checklist: 'lessons', ticked }], c.profile, at, r.tickOptions('lessons', ticked));
      },
    },
  } satisfies Record<string, TimerSpec>;
  return { timers, nextCallTime, checkInTime, recapTime };
}

