import { describeWhen, formatTokyo } from '../../../time/tokyo.ts';
import { readWaitingNews } from '../../../understanding/index.ts';
import type { ConversationContext } from '../../kit/context.ts';
import type { Profile } from '../../kit/profile.ts';
import type { Interpretation } from '../../kit/questions.ts';
import type { KitTools, QuestionSpec, ScenarioHooks } from '../../kit/scenario.ts';
import { defaultWaitDays, interviewDaysOf, promisedDaysOf, waitDaysOf, waitingTimers } from './timers.ts';
import { readDaysAnswer, readInterviewDays, readPromiseAnswer, readPromisedDays, readWaitChoice, saysInquired } from './words.ts';

/** "1週間", "10日", "2〜3日": a number of days as people say it. */
function daysPhrase(days: number): string {
  if (days <= 0) return '今日';
  if (days % 7 === 0 && days <= 28) return `${days / 7}週間`;
  return `${days}日`;
}

/** A fact of this scenario, answered by a tap (`v`) or in words. */
function factQuestion(fact: 'interviewDays' | 'promisedDays', key: string, read: (text: string, now: Date) => number | undefined): QuestionSpec {
  const set = (p: Profile, value: number): Interpretation => ({ kind: 'answer', profile: { ...p, facts: { ...p.facts, [fact]: value } } });
  return {
    text: key,
    qr: key,
    isAnswered: (p) => p.facts?.[fact] !== undefined,
    interpret: (intent, p, now) => {
      if (intent.kind === 'skip' || intent.kind === 'next') return { kind: 'skip' };
      if (intent.kind === 'answer' && intent.question === fact && Number.isFinite(Number(intent.value))) return set(p, Number(intent.value));
      if (intent.kind === 'other') {
        const value = read(intent.text, now);
        if (value !== undefined) return set(p, value);
      }
      return { kind: 'unclear', profile: p };
    },
  };
}

type Verdict = 'ask' | 'justPast' | 'before' | 'unknown';

/** The replies, questions, facts and placeholders of the waiting scenario, as the kit's hooks. */
export function waitingHooks(tools: KitTools): ScenarioHooks {
  const { deps, r } = tools;
  const { timers, askFrom } = waitingTimers(tools);

  /** Whether it is time to ask: past the promised day and a business day on, just past it, or not yet. */
  const verdictOf = (c: Pick<ConversationContext, 'profile'>, now: Date): Verdict => {
    const since = interviewDaysOf(c);
    const from = askFrom(c, now);
    if (since === undefined || !from) return 'unknown';
    if (from.getTime() <= now.getTime()) return 'ask';
    return since >= waitDaysOf(c) ? 'justPast' : 'before';
  };

  return {
    questions: {
      interviewDays: factQuestion('interviewDays', 'wait.question.interviewDays', (text) => readDaysAnswer(text)),
      promisedDays: factQuestion('promisedDays', 'wait.question.promised', readPromiseAnswer),
    },
    readFacts: {
      interviewDays: (text) => readInterviewDays(text),
      promisedDays: readPromisedDays,
    },
    placeholders: {
      interviewDaysPhrase: (p) => (p.facts?.interviewDays !== undefined ? daysPhrase(Number(p.facts.interviewDays)) : '何日か'),
      promisedPhrase: (p) =>
        Number(p.facts?.promisedDays) > 0 ? `${daysPhrase(Number(p.facts!.promisedDays))}以内` : `特になし、目安は${daysPhrase(defaultWaitDays({ profile: p }))}ほど`,
      // In the employer's ear: the promise, if there was one ("1週間ほどでご連絡をいただけると伺っておりましたが、").
      promisedSentence: (p) => (Number(p.facts?.promisedDays) > 0 ? `面接の際に、${daysPhrase(Number(p.facts!.promisedDays))}ほどでご連絡をいただけると伺っておりましたが、` : ''),
      askFromDate: (p, now) => {
        const from = askFrom({ profile: p }, now);
        return from ? formatTokyo(from, 'date') : '期限の翌営業日';
      },
    },
    composers: {
      // On point at once: silence is not yet a no, and whether it is time to ask.
      waitVerdict: (c, _e, at) => {
        const verdict = verdictOf(c, new Date(at));
        const qr = verdict === 'ask' || verdict === 'unknown' ? 'wait.verdict.ask' : 'wait.verdict.wait';
        const silence = c.notes?.silenceSaid ? [] : [{ say: 'wait.silence' }];
        return r.render([{ say: `wait.verdict.${verdict}` }, ...silence, { say: 'wait.question.next', qr }], c.profile, at);
      },
      waitReminderSet: (c, _e, at) => {
        const now = new Date(at);
        const from = askFrom(c, now) ?? deps.calendar.addBusinessDays(now, 3);
        return r.render([{ say: 'wait.reminderSet', qr: 'wait.reminderSet', extra: { reminderAt: describeWhen(from, now) } }], c.profile, at);
      },
      // When to call or write: the same business calendar and call windows as any call to an employer.
      waitTiming: (c, _e, at) => {
        const now = new Date(at);
        const check = deps.callWindows.checkNow(now, { kind: c.profile.employerKind, hours: c.profile.businessHours });
        const parts =
          check.goodNow && check.currentWindowEnds
            ? [{ say: 'wait.timing.now', extra: { windowEnd: describeWhen(check.currentWindowEnds, now).replace(/^今日 /u, '') } }]
            : check.next
              ? [{ say: 'wait.timing.later', extra: { nextWindow: describeWhen(check.next.start, now) } }]
              : [{ say: 'wait.timing.none' }];
        return r.render([...parts, { say: 'wait.timing.rule', qr: 'wait.timing' }], c.profile, at);
      },
    },
    conditions: {
      knowsInterview: (c) => interviewDaysOf(c) !== undefined,
      knowsBoth: (c) => interviewDaysOf(c) !== undefined && promisedDaysOf(c) !== undefined,
      mayRemind: (c, e) => verdictOf(c, new Date(e.type === 'TEXT' || e.type === 'POSTBACK' ? e.at : 0)) !== 'ask',
    },
    readers: {
      waitChoice: readWaitChoice,
      employerNews: readWaitingNews,
      inquired: (text) => (saysInquired(text) ? 'yes' : undefined),
    },
    timers,
    checked: { employerNews: {} },
  };
}
