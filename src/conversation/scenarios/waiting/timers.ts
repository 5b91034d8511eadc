import { addTokyoDays, atTokyoMinute } from '../../../time/tokyo.ts';
import type { ConversationContext } from '../../kit/context.ts';
import type { KitTools, TimerSpec } from '../../kit/scenario.ts';

const DAY = 86_400_000;
/**
 * Without a promise, a fair time to wait before asking: a shop hiring part-timers usually decides
 * within a few days, a company within a week.
 */
export const defaultWaitDays = (c: Pick<ConversationContext, 'profile'>): number => (c.profile.jobKind === 'partTime' ? 5 : 7);
/** The days to wait: what was promised, or the usual time. */
export const waitDaysOf = (c: Pick<ConversationContext, 'profile'>): number => (c.profile.facts?.promisedDays as number | undefined) || defaultWaitDays(c);

export const interviewDaysOf = (c: Pick<ConversationContext, 'profile'>) => c.profile.facts?.interviewDays as number | undefined;
export const promisedDaysOf = (c: Pick<ConversationContext, 'profile'>) => c.profile.facts?.promisedDays as number | undefined;

/** The waiting scenario's one push: the morning after the promised time has passed. */
export function waitingTimers({ deps, r }: KitTools) {
  /** When it is time to ask: the business morning after the promised day (interview + promised days, or a week). */
  const askFrom = (c: Pick<ConversationContext, 'profile'>, now: Date): Date | undefined => {
    const since = interviewDaysOf(c);
    if (since === undefined) return undefined;
    const deadline = addTokyoDays(now, waitDaysOf(c) - since);
    return deps.calendar.nextBusinessDay(atTokyoMinute(deadline, 10 * 60));
  };

  const timers = {
    promisedDay: {
      due: (c, _e, at) => {
        const dueAt = (askFrom(c, new Date(at)) ?? deps.calendar.addBusinessDays(atTokyoMinute(new Date(at), 600), 3)).getTime();
        return { dueAt, expiresAt: dueAt + 5 * DAY };
      },
      // Only while they are still waiting in this scenario: news, a switch or a stop ends it.
      relevant: (c) => c.scenario === 'waiting' && !c.heardBack && c.notes?.inquired !== true,
      message: (c, at) => r.render([{ say: 'wait.reminder', qr: 'wait.reminder' }], c.profile, at),
    },
  } satisfies Record<string, TimerSpec>;
  return { timers, askFrom };
}
