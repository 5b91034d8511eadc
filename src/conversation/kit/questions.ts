import { extractFacts, isNoNewValue, normalize, parseBusinessHours, parseDays } from '../../understanding/index.ts';
import { parseJaNumber } from '../../understanding/normalize.ts';
import type { ContactLeft, Facts, JobKind, MissReason } from '../../understanding/index.ts';
import type { Intent } from './intents.ts';
import { mergeFacts, type EditableField, type Profile } from './profile.ts';
import type { Part } from './render.ts';
import { rememberInTurn } from '../turn-memo.ts';

/** Every question Akari can ask; each is skippable and never asked again once skipped. */
export type QuestionId =
  | 'days'
  | 'reason'
  | 'count'
  | 'employer'
  | 'jobKind'
  | 'contactLeft'
  | 'userName'
  | 'contactPerson'
  | 'strengths'
  | 'hours'
  | 'waitDays'
  | 'wentWell'
  | 'toChange';


export function isAnswered(q: QuestionId, p: Profile): boolean {
  switch (q) {
    case 'days':
      return p.daysElapsed !== undefined;
    case 'reason':
      return (p.reasons?.length ?? 0) > 0;
    case 'count':
      return p.callCount !== undefined;
    case 'employer':
      return p.employerName !== undefined;
    case 'jobKind':
      return p.jobKind !== undefined;
    case 'contactLeft':
      return (p.contactLeft?.length ?? 0) > 0;
    case 'userName':
      return p.userName !== undefined;
    case 'contactPerson':
      return p.contactPerson !== undefined;
    case 'strengths':
      return (p.strengths?.length ?? 0) >= 3;
    case 'hours':
      return p.businessHours !== undefined;
    case 'wentWell':
      return p.wentWell !== undefined;
    case 'toChange':
      return p.toChange !== undefined;
    case 'waitDays':
      return false;
  }
}

export function nextQuestion(list: readonly QuestionId[], p: Profile, skipped: readonly QuestionId[]): QuestionId | undefined {
  return list.find((q) => !isAnswered(q, p) && !skipped.includes(q));
}

export type Interpretation =
  | { kind: 'answer'; profile: Profile; value?: string }
  | { kind: 'skip' }
  | { kind: 'unclear'; profile: Profile };

const REASONS: readonly MissReason[] = ['hiddenNumber', 'phoneRepair', 'didNotNotice', 'other'];
const JOBS: readonly JobKind[] = ['partTime', 'fullTime', 'other'];
const CONTACTS: readonly ContactLeft[] = ['voicemail', 'sms', 'email', 'none'];

/** A short free answer to a "name" question, cleaned of polite endings. */
function cleanName(text: string, suffixes: RegExp): string | undefined {
  const t = normalize(text)
    .replace(/^(私は|わたしは|僕は|ぼくは|名前は|なまえは)/u, '')
    .replace(suffixes, '')
    .replace(/[。、．.!！?？\s]+$/u, '')
    .trim();
  // "キャンセル", "そのままで", "秘密", "うーん": answers, but no name.
  if (t.length === 0 || t.length > 30 || isNoNewValue(text)) return undefined;
  return t;
}

function splitStrengths(text: string): string[] {
  if (isNoNewValue(text)) return [];
  return normalize(text)
    .split(/[、,，\n・]|(?:\s{2,})/u)
    .map((s) => s.replace(/^[\s「『]+|[\s」』。]+$/gu, '').trim())
    .filter((s) => s.length > 0 && s.length <= 60);
}

/**
 * Reads a tap or typed text as the answer to `q`. Facts the text reveals about other questions are
 * kept too (someone answering "6日" may add "非通知だったので"), so nothing said is lost.
 */
/** Everything a message says, read once per turn however often it is asked. */
export function factsOf(text: string, now: Date): Facts {
  return rememberInTurn(`facts\u0000${now.getTime()}\u0000${text}`, () => extractFacts(text, { now }));
}

export function interpretAnswer(q: QuestionId, intent: Intent, p: Profile, now: Date): Interpretation {
  if (intent.kind === 'skip' || intent.kind === 'next' || (intent.kind === 'no' && (q === 'contactPerson' || q === 'employer'))) return { kind: 'skip' };
  if (intent.kind === 'answer') {
    if (intent.question !== q && !(q === 'days' && intent.question === 'days')) {
      return { kind: 'unclear', profile: p };
    }
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
      case 'jobKind':
        return (JOBS as readonly string[]).includes(v) ? { kind: 'answer', profile: { ...p, jobKind: v as JobKind } } : { kind: 'unclear', profile: p };
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
    case 'employer': {
      if (facts.employerName) return { kind: 'answer', profile: merged };
      // "山田です" answers another question; it is not the employer's name.
      if (facts.userName || facts.contactPerson) return { kind: 'unclear', profile: merged };
      // A short reply to "what is the company's name?" is the name itself.
      const name = cleanName(text, /(です|でした|といいます|と言います|という会社|というお店|の面接)$/u);
      return name ? { kind: 'answer', profile: { ...merged, employerName: name } } : { kind: 'unclear', profile: merged };
    }
    case 'userName': {
      if (facts.userName) return { kind: 'answer', profile: merged };
      const name = cleanName(text, /(です|と申します|ともうします|といいます|と言います)$/u);
      return name ? { kind: 'answer', profile: { ...merged, userName: name } } : { kind: 'unclear', profile: merged };
    }
    case 'contactPerson': {
      if (facts.contactPerson) return { kind: 'answer', profile: merged };
      const name = cleanName(text, /(さん|様|さま)?(です|でした)?$/u);
      return name ? { kind: 'answer', profile: { ...merged, contactPerson: name.replace(/(さん|様|さま)$/u, '') } } : { kind: 'unclear', profile: merged };
    }
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
    case 'wentWell':
    case 'toChange': {
      const note = normalize(text).trim().slice(0, 200);
      return note ? { kind: 'answer', profile: { ...p, [q]: note } } : { kind: 'unclear', profile: p };
    }
    case 'days':
      return facts.daysElapsed !== undefined ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'reason':
      return facts.reasons?.length ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'count':
      return facts.callCount !== undefined ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'jobKind':
      return facts.jobKind ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
    case 'contactLeft':
      return facts.contactLeft?.length ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
  }
}

/**
 * "3日以内", "1週間後", "12月5日まで", "来週" → days from now the employer said it would take
 * (0 = not told). Undefined when the text says nothing about it.
 */
export function parseWaitDays(text: string, now: Date): number | undefined {
  const t = normalize(text);
  if (/言われて(?:い)?(?:ない|ません)|聞いて(?:い)?(?:ない|ません)|特に(?:なし|ない|何も)|(?:わ|分)から(?:ない|ません)/u.test(t)) return 0;
  const md = /(\d{1,2})月(\d{1,2})日/u.exec(t);
  if (md) {
    const month = Number(md[1]);
    const day = Number(md[2]);
    const tokyo = new Date(now.getTime() + 9 * 3600_000);
    let year = tokyo.getUTCFullYear();
    let target = Date.UTC(year, month - 1, day);
    const today = Date.UTC(year, tokyo.getUTCMonth(), tokyo.getUTCDate());
    if (target < today) target = Date.UTC(++year, month - 1, day);
    return Math.max(1, Math.round((target - today) / 86_400_000));
  }
  // A deadline, which parseDays (days elapsed) leaves alone: "1週間以内", "2〜3日以内", "3日後".
  const within = /(?:[0-9〇一二三四五六七八九十]+\s*[~〜-]\s*)?([0-9〇一二三四五六七八九十]+)\s*(日|週間|週)(?:間)?(?:以内|後|くらい|ぐらい|ほど|程度|のうち|中|まで)/u.exec(t);
  const n = within ? parseJaNumber(within[1]!) : undefined;
  if (within && n !== undefined && n > 0) return within[2] === '日' ? n : n * 7;
  if (/今週中|今週のうち/u.test(t)) return 3;
  if (/来週/u.test(t)) return 7;
  if (/明日/u.test(t)) return 1;
  if (/明後日|あさって/u.test(t)) return 2;
  return parseDays(t);
}

export const EDIT_QUESTION: Record<EditableField, QuestionId> = {
  userName: 'userName',
  employerName: 'employer',
  contactPerson: 'contactPerson',
  daysElapsed: 'days',
  callCount: 'count',
  reasons: 'reason',
  contactLeft: 'contactLeft',
  businessHours: 'hours',
  jobKind: 'jobKind',
  strengths: 'strengths',
};

/** What Akari says to ask each question, and the options offered with it (always a way to skip). */
export const QUESTIONS: Record<QuestionId, { text: string; qr?: string }> = {
  days: { text: 'question.days', qr: 'question.days' },
  reason: { text: 'question.reason', qr: 'question.reason' },
  count: { text: 'question.count', qr: 'question.count' },
  employer: { text: 'question.employer', qr: 'question.employer' },
  jobKind: { text: 'question.jobKind', qr: 'question.jobKind' },
  contactLeft: { text: 'question.contactLeft', qr: 'question.contactLeft' },
  userName: { text: 'question.userName', qr: 'question.userName' },
  contactPerson: { text: 'question.contactPerson', qr: 'question.contactPerson' },
  strengths: { text: 'strengths.intro', qr: 'strengths.intro' },
  hours: { text: 'timing.askHours' },
  waitDays: { text: 'waiting.askDate', qr: 'waiting.askDate' },
  wentWell: { text: 'reflection.wentWell', qr: 'reflection' },
  toChange: { text: 'reflection.toChange', qr: 'reflection' },
};

/** The part that asks `q`. */
export const askPart = (q: QuestionId): Part => ({ say: QUESTIONS[q].text, ...(QUESTIONS[q].qr ? { qr: QUESTIONS[q].qr } : {}) });

/** The content keys the questions use. */
export const QUESTION_CONTENT = {
  texts: Object.values(QUESTIONS).map((q) => q.text),
  quickReplies: Object.values(QUESTIONS).flatMap((q) => (q.qr ? [q.qr] : [])),
};
