import { isNoNewValue, normalize, parseBusinessHours, type ContactLeft, type MissReason } from '../../../understanding/index.ts';
import type { Intent } from '../../kit/intents.ts';
import { mergeFacts, type Profile } from '../../kit/profile.ts';
import { factsOf, parseWaitDays, type Interpretation } from '../../kit/questions.ts';
import type { QuestionSpec } from '../../kit/scenario.ts';

/** What the situation stage asks, in order (each skippable). */
export const SITUATION_QUESTIONS: readonly string[] = ['days', 'reason', 'count', 'employer', 'jobKind', 'contactLeft'];

/** What each later stage needs before it can fill in its templates (asked first if a user jumps in). */
export const STAGE_NEEDS = {
  preparation: ['reason', 'employer', 'userName', 'contactPerson'],
  call: ['employer', 'userName'],
  followUp: ['employer', 'userName'],
} as const satisfies Record<string, readonly string[]>;

const REASONS: readonly MissReason[] = ['hiddenNumber', 'phoneRepair', 'didNotNotice', 'other'];
const CONTACTS: readonly ContactLeft[] = ['voicemail', 'sms', 'email', 'none'];

function splitStrengths(text: string): string[] {
  if (isNoNewValue(text)) return [];
  return normalize(text)
    .split(/[、,，\n・]|(?:\s{2,})/u)
    .map((s) => s.replace(/^[\s「『]+|[\s」』。]+$/gu, '').trim())
    .filter((s) => s.length > 0 && s.length <= 60);
}

type Own = 'days' | 'reason' | 'count' | 'contactLeft' | 'strengths' | 'hours' | 'waitDays';

/**
 * Reads a tap or typed text as the answer to one of the missed-call questions. Facts the text
 * reveals about other questions are kept too (someone answering "6日" may add "非通知だったので").
 */
function interpret(q: Own, intent: Intent, p: Profile, now: Date): Interpretation {
  if (intent.kind === 'skip' || intent.kind === 'next') return { kind: 'skip' };
  if (intent.kind === 'answer') {
    if (intent.question !== q) return { kind: 'unclear', profile: p };
    const v = intent.value;
    switch (q) {
      case 'days':
        return Number.isFinite(Number(v)) ? { kind: 'answer', profile: { ...p, daysElapsed: Number(v) } } : { kind: 'unclear', profile: p };
      case 'count':
        return Number.isFinite(Number(v)) ? { kind: 'answer', profile: { ...p, callCount: Number(v), callCountApprox: Number(v) >= 3 } } : { kind: 'unclear', profile: p };
      case 'reason':
        return (REASONS as readonly string[]).includes(v)
          ? { kind: 'answer', profile: { ...p, reasons: [...new Set([...(p.reasons ?? []), v as MissReason])] } }
          : { kind: 'unclear', profile: p };
      case 'contactLeft':
        return (CONTACTS as readonly string[]).includes(v) ? { kind: 'answer', profile: { ...p, contactLeft: [v as ContactLeft] } } : { kind: 'unclear', profile: p };
      case 'waitDays':
        return { kind: 'answer', profile: p, value: v };
      default:
        return { kind: 'unclear', profile: p };
    }
  }
  if (intent.kind !== 'other' || intent.text.trim() === '') return { kind: 'unclear', profile: p };
  const text = intent.text;
  const facts = factsOf(text, now);
  const merged = mergeFacts(p, facts);
  switch (q) {
    case 'strengths': {
      const added = splitStrengths(text);
      if (added.length === 0) return { kind: 'unclear', profile: p };
      const strengths = [...(p.strengths ?? []), ...added].slice(0, 3);
      return { kind: 'answer', profile: { ...p, strengths } };
    }
    case 'hours': {
      const hours = parseBusinessHours(text);
      return hours ? { kind: 'answer', profile: { ...merged, businessHours: hours } } : { kind: 'unclear', profile: merged };
    }
    case 'waitDays': {
      const days = parseWaitDays(text, now);
      return days !== undefined ? { kind: 'answer', profile: merged, value: String(days) } : { kind: 'unclear', profile: merged };
    }
    case 'days':
      return facts.daysElapsed !== undefined ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'reason':
      return facts.reasons?.length ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'count':
      return facts.callCount !== undefined ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'contactLeft':
      return facts.contactLeft?.length ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
  }
}

const spec = (q: Own, text: string, qr: string | undefined, isAnswered: (p: Profile) => boolean): QuestionSpec => ({
  text,
  ...(qr ? { qr } : {}),
  isAnswered,
  interpret: (intent, p, now) => interpret(q, intent, p, now),
});

/** The missed-call scenario's own questions: what it asks, with which options, and how it reads the answer. */
export const MISSED_CALL_QUESTIONS: Record<Own, QuestionSpec> = {
  days: spec('days', 'question.days', 'question.days', (p) => p.daysElapsed !== undefined),
  reason: spec('reason', 'question.reason', 'question.reason', (p) => (p.reasons?.length ?? 0) > 0),
  count: spec('count', 'question.count', 'question.count', (p) => p.callCount !== undefined),
  contactLeft: spec('contactLeft', 'question.contactLeft', 'question.contactLeft', (p) => (p.contactLeft?.length ?? 0) > 0),
  strengths: spec('strengths', 'strengths.intro', 'strengths.intro', (p) => (p.strengths?.length ?? 0) >= 3),
  hours: spec('hours', 'timing.askHours', undefined, (p) => p.businessHours !== undefined),
  waitDays: spec('waitDays', 'waiting.askDate', 'waiting.askDate', () => false),
};
