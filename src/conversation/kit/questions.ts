import { extractFacts, isNoNewValue, normalize, notADetail, parseDays } from '../../understanding/index.ts';
import { parseJaNumber } from '../../understanding/normalize.ts';
import type { Facts, JobKind } from '../../understanding/index.ts';
import type { Intent } from './intents.ts';
import { mergeFacts, type EditableField, type Profile } from './profile.ts';
import type { Part } from './render.ts';
import { rememberInTurn } from '../turn-memo.ts';

/**
 * The questions every scenario may ask (the application and the reflection); each is skippable and
 * never asked again once skipped. A scenario's own questions are in its hooks (QuestionSpec).
 */
export type QuestionId = 'employer' | 'jobKind' | 'userName' | 'contactPerson' | 'wentWell' | 'toChange';


export function isAnswered(q: QuestionId, p: Profile): boolean {
  switch (q) {
    case 'employer':
      return p.employerName !== undefined;
    case 'jobKind':
      return p.jobKind !== undefined;
    case 'userName':
      return p.userName !== undefined;
    case 'contactPerson':
      return p.contactPerson !== undefined;
    case 'wentWell':
      return p.wentWell !== undefined;
    case 'toChange':
      return p.toChange !== undefined;
  }
}

export type Interpretation =
  | { kind: 'answer'; profile: Profile; value?: string }
  | { kind: 'skip' }
  | { kind: 'unclear'; profile: Profile };

const JOBS: readonly JobKind[] = ['partTime', 'fullTime', 'other'];

/** A short free answer to a "name" question, cleaned of polite endings. */
export function cleanName(text: string, suffixes: RegExp): string | undefined {
  const t = normalize(text)
    .replace(/^(私は|わたしは|僕は|ぼくは|名前は|なまえは)/u, '')
    .replace(suffixes, '')
    .replace(/[。、．.!！?？\s]+$/u, '')
    .trim();
  // "キャンセル", "そのままで", "秘密", "うーん": answers, but no name.
  if (t.length === 0 || t.length > 30 || isNoNewValue(text)) return undefined;
  return t;
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
    if (intent.question !== q) return { kind: 'unclear', profile: p };
    const v = intent.value;
    if (q === 'jobKind') return (JOBS as readonly string[]).includes(v) ? { kind: 'answer', profile: { ...p, jobKind: v as JobKind } } : { kind: 'unclear', profile: p };
    return { kind: 'unclear', profile: p };
  }
  if (intent.kind !== 'other' || intent.text.trim() === '') return { kind: 'unclear', profile: p };
  const text = intent.text;
  const facts = factsOf(text, now);
  const merged = mergeFacts(p, facts);
  const isName = q === 'employer' || q === 'userName' || q === 'contactPerson';
  // At a name question, "山田です" is the name asked for: the reading that it is the user's own
  // name (or the contact's) applies to that question only.
  if (isName) {
    if (q !== 'userName' && merged.userName !== p.userName) {
      if (p.userName === undefined) delete merged.userName;
      else merged.userName = p.userName;
    }
  }
  const notValue = isName ? notADetail(text) : undefined;
  // "教えたくないです", "お店の名前は伏せます": declined, and never asked again.
  if (notValue === 'refusal') return { kind: 'skip' };
  switch (q) {
    case 'employer': {
      if (facts.employerName) return { kind: 'answer', profile: merged };
      // "先に結論を教えてください", "お詫び", "台本": a request, not the employer's name.
      if (notValue) return { kind: 'unclear', profile: merged };
      // "山田です" answers another question; it is not the employer's name.
      if (facts.userName || facts.contactPerson) return { kind: 'unclear', profile: merged };
      // A short reply to "what is the company's name?" is the name itself.
      const name = cleanName(text, /(です|でした|といいます|と言います|という会社|というお店|の面接)$/u);
      return name ? { kind: 'answer', profile: { ...merged, employerName: name } } : { kind: 'unclear', profile: merged };
    }
    case 'userName': {
      if (facts.userName) return { kind: 'answer', profile: merged };
      // "ひまわり食堂です", "担当の佐藤さんはお休みでした": the shop or the contact, not the user's name.
      if (notValue || facts.employerName || facts.contactPerson || facts.employerKind) return { kind: 'unclear', profile: merged };
      const name = cleanName(text, /(です|と申します|ともうします|といいます|と言います)$/u);
      return name ? { kind: 'answer', profile: { ...merged, userName: name } } : { kind: 'unclear', profile: merged };
    }
    case 'contactPerson': {
      if (facts.contactPerson) return { kind: 'answer', profile: merged };
      if (notValue || facts.employerName || facts.employerKind) return { kind: 'unclear', profile: merged };
      if (facts.userName) return { kind: 'answer', profile: { ...merged, contactPerson: facts.userName } };
      const name = cleanName(text, /(さん|様|さま)?(です|でした)?$/u);
      return name ? { kind: 'answer', profile: { ...merged, contactPerson: name.replace(/(さん|様|さま)$/u, '') } } : { kind: 'unclear', profile: merged };
    }
    case 'wentWell':
    case 'toChange': {
      const note = normalize(text).trim().slice(0, 200);
      return note ? { kind: 'answer', profile: { ...p, [q]: note } } : { kind: 'unclear', profile: p };
    }
    case 'jobKind':
      return facts.jobKind ? { kind: 'answer', profile: merged } : { kind: 'unclear', profile: merged };
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

/** The question whose answer is the new value of each detail (a scenario's own, by id, for its details). */
export const EDIT_QUESTION: Record<EditableField, string> = {
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
  employer: { text: 'question.employer', qr: 'question.employer' },
  jobKind: { text: 'question.jobKind', qr: 'question.jobKind' },
  userName: { text: 'question.userName', qr: 'question.userName' },
  contactPerson: { text: 'question.contactPerson', qr: 'question.contactPerson' },
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
