import { describeWhen } from '../../../time/tokyo.ts';
import { asksWhenToCall, parseBusinessHours } from '../../../understanding/index.ts';
import type { ConversationContext } from '../../kit/context.ts';
import type { ConversationEvent } from '../../kit/events.ts';
import { formatHours, summarizeSituation, type Profile } from '../../kit/profile.ts';
import type { KitTools, ScenarioHooks } from '../../kit/scenario.ts';
import { atOf } from '../../kit/setup.ts';
import { factsOf } from '../../kit/questions.ts';
import { MISSED_CALL_QUESTIONS } from './questions.ts';
import { callProfile, missedCallTimers } from './timers.ts';
import { claimsMissedCall, MISSED_CALL_READERS, sameNews } from './words.ts';

type Ev = ConversationEvent;

/** Whether a profile (or the facts of one message) holds any part of the missed-call story. */
const knowsSomething = (p: Pick<Profile, 'daysElapsed' | 'reasons' | 'callCount' | 'contactLeft' | 'callerNumber'>): boolean =>
  p.daysElapsed !== undefined || (p.reasons?.length ?? 0) > 0 || p.callCount !== undefined || (p.contactLeft?.length ?? 0) > 0 || p.callerNumber !== undefined;
type Ctx = ConversationContext;

/** The replies, updates and conditions of the missed-call scenario, as the kit's hooks. */
export function missedCallHooks(tools: KitTools): ScenarioHooks {
  const { deps, r, intentOf } = tools;
  const { timers, nextCallTime, checkInTime, recapTime } = missedCallTimers(tools);

  function assessment(p: Profile, at: number): unknown[] {
    const days = p.daysElapsed;
    const verdict =
      days === undefined ? 'assessment.verdict.unknown' : days <= 3 ? 'assessment.verdict.fresh' : days <= 10 ? 'assessment.verdict.days' : 'assessment.verdict.late';
    const reason = p.reasons?.[0] ?? 'other';
    const reasonText = deps.content.texts[`assessment.reason.${reason}`]?.[0] ?? '';
    const contact = p.contactLeft?.find((c) => c !== 'none');
    const contactNote = contact ? (deps.content.texts[`assessment.contact.${contact}`]?.[0] ?? '') : '';
    const urgency = days === undefined || days >= 2 ? 'assessment.urgency.high' : 'assessment.urgency.normal';
    return r.render(
      [
        { say: verdict },
        { say: 'assessment.perspective', extra: { reasonAcknowledgement: reasonText } },
        { say: urgency, extra: { contactNote }, qr: 'assessment.next' },
      ],
      p,
      at,
    );
  }

  function timing(p: Profile, at: number): unknown[] {
    const now = new Date(at);
    const check = deps.callWindows.checkNow(now, callProfile(p));
    const rule = p.businessHours ? 'timing.rule.hours' : p.employerKind === 'shop' ? 'timing.rule.shop' : 'timing.rule.office';
    if (check.goodNow && check.currentWindowEnds) {
      return r.render([{ say: rule }, { say: 'timing.goodNow', qr: 'timing.goodNow', extra: { windowEnd: describeWhen(check.currentWindowEnds, now).replace(/^今日 /u, '') } }], p, at);
    }
    if (check.next) {
      return r.render([{ say: rule }, { say: 'timing.later', qr: 'timing.later', extra: { nextWindow: describeWhen(check.next.start, now) } }], p, at);
    }
    return r.render([{ say: 'timing.none', qr: 'timing.none' }], p, at);
  }

  const text = (key: string) => deps.content.texts[key]?.[0] ?? '';
  /** When to call, from the clock and the calendar (evening, weekend, holiday, year-end break, a shop's own hours). */
  function whenToCall(p: Profile, now: Date): string {
    const check = deps.callWindows.checkNow(now, callProfile(p));
    const tokyoMinute = (d: Date) => ((d.getUTCHours() + 9) % 24) * 60 + d.getUTCMinutes();
    let said: string;
    let outside = false;
    if (check.goodNow && check.currentWindowEnds) {
      said = text('assessment.when.now').replace('{{windowEnd}}', describeWhen(check.currentWindowEnds, now).replace(/^今日 /u, ''));
      outside = tokyoMinute(check.currentWindowEnds) > 17 * 60;
    } else if (check.next) {
      const otherDay = describeWhen(check.next.start, now) !== describeWhen(now, now).replace(/ .*/u, '') && !describeWhen(check.next.start, now).startsWith('今日');
      const why = otherDay ? 'assessment.why.otherDay' : p.employerKind === 'shop' ? 'assessment.why.shop' : 'assessment.why.office';
      said = text('assessment.when.later').replace('{{nextWindow}}', describeWhen(check.next.start, now)) + text(why);
      outside = tokyoMinute(check.next.start) < 10 * 60 || tokyoMinute(check.next.end) > 17 * 60;
    } else {
      said = text('assessment.when.none');
    }
    // The article's band is 10–17; a shop's own hours may move it, and then the reply says so.
    return outside ? said + text('assessment.when.outsideBand') : said;
  }

  /** The answer to the question `q` the message gives, if it is one. */
  const answerTo = (q: 'strengths' | 'hours', c: Ctx, e: Ev): Partial<Ctx> => {
    const i = intentOf(e);
    if (!i) return {};
    const result = MISSED_CALL_QUESTIONS[q].interpret(i, c.profile, new Date(atOf(e, c)));
    return result.kind === 'answer' ? { profile: result.profile } : {};
  };

  return {
    placeholders: {
      whenToCall: (p, now) => whenToCall(p, now),
      callerNote: (p) => (p.callerNumber ? text(`assessment.caller.${p.callerNumber}`) : ''),
    },
    composers: {
      assessment: (c, _e, at) => assessment(c.profile, at),
      understood: (c, _e, at) => r.render([{ say: 'situation.understood', extra: { summary: summarizeSituation(c.profile) } }], c.profile, at),
      timing: (c, _e, at) => timing(c.profile, at),
      reminderSet: (c, _e, at) => {
        const now = new Date(at);
        return r.render([{ say: 'timing.reminderSet', qr: 'timing.reminderSet', extra: { reminderAt: describeWhen(nextCallTime(c, now), now) } }], c.profile, at);
      },
      checkInScheduled: (c, e, at) => {
        const now = new Date(at);
        return r.render([{ say: 'waiting.scheduled', qr: 'waiting.status', extra: { checkInAt: describeWhen(checkInTime(e, now), now) } }], c.profile, at);
      },
      recapScheduled: (c, _e, at) => {
        const now = new Date(at);
        return r.render([{ say: 'lessons.recapScheduled', extra: { recapAt: describeWhen(recapTime(now), now) } }, { say: 'lessons.end' }], c.profile, at);
      },
      strengths: (c, _e, at) => {
        const full = (c.profile.strengths?.length ?? 0) >= 3;
        return r.render([full ? { say: 'strengths.full' } : { say: 'strengths.added', qr: 'strengths.added' }], c.profile, at);
      },
      hoursSaved: (c, _e, at) =>
        r.render([{ say: 'timing.hoursSaved', extra: { hours: c.profile.businessHours ? formatHours(c.profile.businessHours) : '' } }], c.profile, at),
    },
    updates: {
      addStrengths: (c, e) => answerTo('strengths', c, e),
      saveHours: (c, e) => answerTo('hours', c, e),
    },
    conditions: {
      // Anything of the story is enough to answer it: the assessment is fitted to what is known.
      knowsSomething: (c) => knowsSomething(c.profile),
      asksWhenToCall: (_c, e) => e.type === 'TEXT' && asksWhenToCall(e.text),
      // What is known, or the message that brought the user here tells the story ("気づいたのが次の日で…").
      hasStory: (c, e) => knowsSomething(c.profile) || (e.type === 'TEXT' && intentOf(e)?.kind === 'other' && claimsMissedCall(e.text)),
      // A typed message that tells part of the story (not a command, not a bare yes).
      tellsStory: (c, e) =>
        c.editing === undefined &&
        !c.confirmingDelete &&
        c.checking === undefined &&
        e.type === 'TEXT' &&
        intentOf(e)?.kind === 'other' &&
        (knowsSomething(factsOf(e.text, new Date(e.at))) || claimsMissedCall(e.text)),
      strengthsFull: (c) => (c.profile.strengths?.length ?? 0) >= 3,
      tellsHours: (c, e) => c.editing === undefined && !c.confirmingDelete && c.checking === undefined && e.type === 'TEXT' && parseBusinessHours(e.text) !== undefined,
      saysThanksSent: (_c, e) => e.type === 'TEXT' && MISSED_CALL_READERS.thanksSent(e.text) !== undefined,
      declinesReminder: (_c, e) => e.type === 'TEXT' && MISSED_CALL_READERS.declinesReminder(e.text) !== undefined,
      // The thank-you reminder makes sense only while the selection goes on or a result is awaited.
      thanksPending: (c) => !c.thanksSent && (c.outcome === 'continuing' || c.outcome === 'waiting'),
      mayBeWaiting: (c) => c.outcome === 'waiting' || c.outcome === undefined,
    },
    questions: MISSED_CALL_QUESTIONS,
    readers: MISSED_CALL_READERS,
    timers,
    checked: {
      outcome: {},
      news: { sameResult: sameNews },
      // Not checked, but a result: "いや、不在でした" says what happened instead of "違います".
      branch: { sameResult: () => false },
    },
  };
}
