import { and, assign, emit, enqueueActions, not, raise, setup } from 'xstate';
import type { Content } from '../flows/load-flows.ts';
import type { QuickReplyOption } from '../flows/schema.ts';
import type { BusinessCalendar } from '../time/business-calendar.ts';
import type { CallProfile, CallWindows } from '../time/call-windows.ts';
import { atTokyoMinute, addTokyoDays, describeWhen } from '../time/tokyo.ts';
import {
  confirmsDeletion,
  declinesReminder,
  mentionsProgress,
  normalize,
  parseBusinessHours,
  readCallBranch,
  readCallOutcome,
  readThanksStep,
  readTimingChoice,
  readWaitingChoice,
  readWaitingNews,
  saysThanksSent,
  type CallBranch,
  type ThanksStep,
  type TimingChoice,
  type WaitingChoice,
  type WaitingNews,
} from '../understanding/index.ts';
import { STAGES, type ConversationEvent, type Effect, type StageName } from './kit/events.ts';
import { intentOf, type Intent, type IntentKind } from './kit/intents.ts';
import {
  describeProfile,
  EDITABLE_FIELDS,
  FIELD_LABELS,
  formatHours,
  mergeFacts,
  PLACEHOLDERS,
  summarizeSituation,
  type EditableField,
  type Profile,
} from './kit/profile.ts';
import { EDIT_QUESTION, factsOf, interpretAnswer, nextQuestion, parseWaitDays, SITUATION_QUESTIONS, STAGE_NEEDS, type QuestionId } from './kit/questions.ts';
import { createRenderer, type Part } from './kit/render.ts';
import { rememberInTurn } from './turn-memo.ts';
import { buildTextMessages } from '../messages/build-text.ts';

export type { Profile } from './kit/profile.ts';

/**
 * Bump when a persisted snapshot of the previous machine can no longer be restored (states renamed,
 * context reshaped). Users on an older version restart their current stage politely.
 */
export const MACHINE_VERSION = 1;

export type Outcome = 'continuing' | 'waiting' | 'rejected' | 'unreached';

/** A typed result awaiting the user's yes (see ConversationContext.checking). */
export type TypedCheck =
  | { reading: 'outcome'; value: 'continuing' | 'waiting' | 'rejected'; qr: string }
  | { reading: 'news'; value: 'continuing' | 'rejected'; qr: string };

/** Kinds of scheduled pushes. The machine decides, when one fires, whether it still makes sense. */
export const TIMER_KINDS = ['callReminder', 'checkIn', 'inquiryOffer', 'thanksReminder', 'lessonsRecap'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export interface ConversationContext {
  profile: Profile;
  notifications: boolean;
  confirmingDelete: boolean;
  resumeStage?: StageName;
  /** The question being asked, if any. */
  question?: QuestionId;
  skipped: QuestionId[];
  /** Consecutive replies Akari could not read; after two, it moves on instead of asking again. */
  unclear: number;
  editing?: EditableField;
  /**
   * A result read from typed words, waiting for the user to say it is right before anything is
   * done with it ("不採用でした" → "「不採用だった」で合っていますか？"). `qr`: the options to offer again
   * if it isn't.
   */
  checking?: TypedCheck;
  ticks: { research: string[]; lessons: string[] };
  outcome?: Outcome;
  thanksSent: boolean;
  heardBack: boolean;
  recap: boolean;
  /** When the actor was created (ms epoch): the time for what it says on start-up. */
  createdAt: number;
}

export interface ConversationInput {
  /** The time of the event that creates the actor. */
  at?: number;
  /** Restart in this stage (after a machine upgrade) instead of the beginning. */
  resumeStage?: StageName;
  profile?: Profile;
  notifications?: boolean;
}

export interface MachineDeps {
  content: Content;
  calendar: BusinessCalendar;
  callWindows: CallWindows;
}

const NEXT_STAGE: Record<StageName, StageName | undefined> = {
  situation: 'preparation',
  preparation: 'call',
  call: 'followUp',
  followUp: 'lessons',
  lessons: undefined,
};
const PREVIOUS_STAGE: Record<StageName, StageName | undefined> = {
  situation: undefined,
  preparation: 'situation',
  call: 'preparation',
  followUp: 'call',
  lessons: 'followUp',
};

/** Keys the machine refers to: checked against flows/ at start-up. */
export const CONTENT_REQUIREMENTS = {
  texts: [
    'greeting', 'help', 'nonText', 'reprompt', 'repromptGiveUp', 'versionReset', 'restarted', 'deleteConfirm', 'deleted',
    'deleteCancelled', 'notificationsOff', 'notificationsOn', 'notificationsRequired', 'alreadyFirst', 'profileHeader',
    'profileEditPrompt', 'profileUpdated', 'profileUnchanged', 'typedCheck.outcome.continuing', 'typedCheck.outcome.waiting',
    'typedCheck.outcome.rejected', 'typedCheck.news.continuing', 'typedCheck.news.rejected', 'typedCheck.missed', 'stageNeedsDetails',
    'situation.intro', 'situation.understood',
    ...SITUATION_QUESTIONS.map((q) => `question.${q}`), 'question.userName', 'question.contactPerson',
    'assessment.verdict.fresh', 'assessment.verdict.days', 'assessment.verdict.late', 'assessment.verdict.unknown',
    'assessment.perspective', 'assessment.turnaround', 'assessment.urgency.high', 'assessment.urgency.normal',
    'assessment.reason.hiddenNumber', 'assessment.reason.phoneRepair', 'assessment.reason.didNotNotice', 'assessment.reason.other',
    'assessment.contact.voicemail', 'assessment.contact.sms', 'assessment.contact.email',
    'preparation.intro', 'apology.intro', 'apology.tips', 'research.intro', 'research.progress', 'research.done',
    'strengths.intro', 'strengths.added', 'strengths.full', 'strengths.none', 'preparation.done',
    'call.intro', 'timing.goodNow', 'timing.later', 'timing.none', 'timing.rule.office', 'timing.rule.shop', 'timing.rule.hours',
    'timing.askHours', 'timing.hoursSaved', 'timing.reminderSet', 'script.intro', 'script.stepHint', 'script.questions', 'script.branches',
    'branch.absent.intro', 'branch.noAnswer.intro', 'branch.retry', 'outcome.question', 'outcome.continuing', 'outcome.waiting',
    'outcome.rejected', 'outcome.unreached',
    'followUp.intro', 'thanks.fill', 'thanks.tips', 'thanks.letterIntro', 'thanks.letterTips', 'thanks.sentAck', 'waiting.advice', 'waiting.askDate',
    'waiting.scheduled', 'waiting.noReminder', 'inquiry.intro', 'inquiry.tips', 'heard.continuing', 'reflection.wentWell',
    'reflection.toChange', 'reflection.summary',
    'lessons.intro', 'lessons.rejectedIntro', 'lessons.progress', 'lessons.complete', 'lessons.recapOffer',
    'lessons.recapScheduled', 'lessons.recapDeclined', 'lessons.end',
    'reminder.call', 'reminder.checkIn', 'reminder.inquiry', 'reminder.thanks', 'reminder.recap',
  ],
  quickReplies: [
    'deleteConfirm', 'helpMenu', 'typedCheck', ...SITUATION_QUESTIONS.map((q) => `question.${q}`), 'assessment.next', 'apology.tips',
    'research.done', 'strengths.added', 'strengths.intro', 'preparation.done', 'timing.goodNow', 'timing.later', 'timing.none',
    'timing.reminderSet', 'script.step', 'script.branches', 'branch.after', 'outcome.question', 'thanks.tips', 'thanks.letter',
    'waiting.askDate', 'waiting.status', 'inquiry.tips', 'reflection', 'lessons.recapOffer', 'reminder.call', 'reminder.inquiry',
    'reminder.thanks', 'question.userName', 'question.contactPerson',
  ],
  templates: ['apology', 'scriptReception', 'scriptManager', 'scriptClosing', 'absentMessage', 'voicemail', 'thanksEmail', 'thanksLetter', 'inquiryEmail', 'inquiryPhone'],
  checklists: ['research', 'lessons'],
  placeholders: PLACEHOLDERS,
} as const;

/** What Akari says to ask each question, and the options offered with it (always a way to skip). */
const QUESTIONS: Record<QuestionId, { text: string; qr?: string }> = {
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
const askPart = (q: QuestionId): Part => ({ say: QUESTIONS[q].text, ...(QUESTIONS[q].qr ? { qr: QUESTIONS[q].qr } : {}) });

type Ev = ConversationEvent;
/** Days the employer said it would take, from a tapped option or typed text (0 = not told). */
const toldDays = (e: Ev): number => {
  const i = intentOf(e);
  if (i?.kind === 'answer') return Number(i.value) || 0;
  if (i?.kind === 'other') return parseWaitDays(i.text, new Date(e.at)) ?? 0;
  return 0;
};
/** A parameterised guard: the event's intent is of this kind. */
const ig = <K extends IntentKind>(kind: K) => ({ type: 'intentIs' as const, params: { kind } });
/** A parameterised guard: the event's intent is of this kind and carries this value. */
const vg = <K extends IntentKind>(kind: K, value: string) => ({ type: 'valueIs' as const, params: { kind, value } });
/** The event's time; for the start-up event (which has none) the time the actor was created for. */
const atOf = (e: Ev, c?: ConversationContext): number => (typeof (e as { at?: unknown }).at === 'number' ? e.at : (c?.createdAt ?? 0));
const tokyoAt = (date: Date, hour: number, minute = 0) => atTokyoMinute(date, hour * 60 + minute);

export function createConversationMachine(deps: MachineDeps) {
  const r = createRenderer(deps.content);
  const reply = (messages: unknown[]): Effect => ({ type: 'reply', messages });
  const callProfile = (p: Profile): CallProfile => ({ kind: p.employerKind, hours: p.businessHours });

  /** The effects of asking `q`: its text, and its options (always including a way to skip). */
  const ask = (q: QuestionId, p: Profile, at: number, lead: Part[] = []): Effect => reply(r.render([...lead, askPart(q)], p, at));

  function assessment(p: Profile, at: number): Effect {
    const days = p.daysElapsed;
    const verdict =
      days === undefined ? 'assessment.verdict.unknown' : days <= 3 ? 'assessment.verdict.fresh' : days <= 10 ? 'assessment.verdict.days' : 'assessment.verdict.late';
    const reason = p.reasons?.[0] ?? 'other';
    const reasonText = deps.content.texts[`assessment.reason.${reason}`]?.[0] ?? '';
    const contact = p.contactLeft?.find((c) => c !== 'none');
    const contactNote = contact ? (deps.content.texts[`assessment.contact.${contact}`]?.[0] ?? '') : '';
    const urgency = days === undefined || days >= 2 ? 'assessment.urgency.high' : 'assessment.urgency.normal';
    return reply(
      r.render(
        [
          { say: verdict },
          { say: 'assessment.perspective', extra: { reasonAcknowledgement: reasonText } },
          { say: 'assessment.turnaround' },
          { say: urgency, extra: { contactNote }, qr: 'assessment.next' },
        ],
        p,
        at,
      ),
    );
  }

  function timing(p: Profile, at: number): Effect {
    const now = new Date(at);
    const check = deps.callWindows.checkNow(now, callProfile(p));
    const rule = p.businessHours ? 'timing.rule.hours' : p.employerKind === 'shop' ? 'timing.rule.shop' : 'timing.rule.office';
    if (check.goodNow && check.currentWindowEnds) {
      return reply(r.render([{ say: rule }, { say: 'timing.goodNow', qr: 'timing.goodNow', extra: { windowEnd: describeWhen(check.currentWindowEnds, now).replace(/^今日 /u, '') } }], p, at));
    }
    if (check.next) {
      return reply(r.render([{ say: rule }, { say: 'timing.later', qr: 'timing.later', extra: { nextWindow: describeWhen(check.next.start, now) } }], p, at));
    }
    return reply(r.render([{ say: 'timing.none', qr: 'timing.none' }], p, at));
  }

  const help = (p: Profile, at: number) => reply(r.render([{ say: 'help', qr: 'helpMenu' }], p, at));

  const intentIs = (e: Ev, kind: IntentKind) => intentOf(e)?.kind === kind;
  const intent = (e: Ev): Intent | undefined => intentOf(e);

  /**
   * What a typed message answers, by one of the typed-answer readers (undefined for taps). Several
   * guards ask about the same message in one turn (each outcome's check, the correction test):
   * each reader runs once per message and turn.
   */
  const typed = <K extends keyof typeof TYPED_READERS>(kind: K, e: Ev): ReturnType<(typeof TYPED_READERS)[K]> | undefined =>
    e.type === 'TEXT' ? rememberInTurn(`${kind}\u0000${e.text}`, () => TYPED_READERS[kind](e.text) as ReturnType<(typeof TYPED_READERS)[K]>) : undefined;

  /** What a message says as the new value of the detail being edited (an edit replaces, never adds). */
  const editResult = (context: ConversationContext, event: Ev) => {
    const field = context.editing;
    const i = intent(event);
    if (!field || !i) return undefined;
    const base: Profile = { ...context.profile, ...(field === 'strengths' ? { strengths: [] } : {}), ...(field === 'reasons' ? { reasons: [] } : {}) };
    return interpretAnswer(EDIT_QUESTION[field], i, base, new Date(atOf(event, context)));
  };

  return setup({
    types: {
      context: {} as ConversationContext,
      events: {} as ConversationEvent,
      input: {} as ConversationInput,
      emitted: {} as Effect,
    },
    actions: {
      speak: emit(({ context, event }, params: { parts: Part[] }) => reply(r.render(params.parts, context.profile, atOf(event, context)))),
      askQuestion: emit(({ context, event }) => ask(context.question!, context.profile, atOf(event, context))),
      askWithLead: emit(({ context, event }, params: { lead: Part[] }) => ask(context.question!, context.profile, atOf(event, context), params.lead)),
      setQuestion: assign({ question: (_, params: { question: QuestionId | undefined }) => params.question, unclear: 0 }),
      setNextQuestion: assign(({ context }, params: { list: readonly QuestionId[] }) => ({
        question: nextQuestion(params.list, context.profile, context.skipped),
        unclear: 0,
      })),
      clearQuestion: assign({ question: undefined, unclear: 0 }),
      applyAnswer: assign(({ context, event }) => {
        const i = intent(event);
        if (!i || !context.question) return {};
        const result = interpretAnswer(context.question, i, context.profile, new Date(atOf(event, context)));
        if (result.kind === 'skip') return { skipped: [...context.skipped, context.question], question: undefined, unclear: 0 };
        if (result.kind === 'answer') return { profile: result.profile, question: undefined, unclear: 0 };
        return { profile: result.profile, unclear: context.unclear + 1 };
      }),
      giveUpQuestion: assign(({ context }) => ({ skipped: context.question ? [...context.skipped, context.question] : context.skipped, question: undefined, unclear: 0 })),
      reprompt: emit(({ context, event }) =>
        reply(r.render([{ say: 'reprompt' }, askPart(context.question!)], context.profile, atOf(event, context))),
      ),
      repromptGeneral: emit(({ context, event }) =>
        context.unclear >= 2 ? help(context.profile, atOf(event, context)) : reply(r.render([{ say: 'reprompt', qr: 'helpMenu' }], context.profile, atOf(event, context))),
      ),
      // The question of the state the user is in, asked again with its options (help after two misses).
      repromptWith: emit(({ context, event }, params: { qr: string }) =>
        context.unclear >= 2 ? help(context.profile, atOf(event, context)) : reply(r.render([{ say: 'reprompt', qr: params.qr }], context.profile, atOf(event, context))),
      ),
      countUnclear: assign({ unclear: ({ context }) => context.unclear + 1 }),
      resetUnclear: assign({ unclear: 0 }),
      sayHelp: emit(({ context, event }) => help(context.profile, atOf(event, context))),
      sayAssessment: emit(({ context, event }) => assessment(context.profile, atOf(event, context))),
      sayUnderstood: emit(({ context, event }) =>
        reply(r.render([{ say: 'situation.understood', extra: { summary: summarizeSituation(context.profile) } }], context.profile, atOf(event, context))),
      ),
      sayTiming: emit(({ context, event }) => timing(context.profile, atOf(event, context))),
      absorbFacts: assign({
        profile: ({ context, event }) => (event.type === 'TEXT' ? mergeFacts(context.profile, factsOf(event.text, new Date(event.at))) : context.profile),
      }),
      showProfile: emit(({ context, event }) => {
        const options: QuickReplyOption[] = EDITABLE_FIELDS.map((f) => ({ label: `${FIELD_LABELS[f]}を変更`, data: `action=edit&field=${f}`, displayText: `${FIELD_LABELS[f]}を変更` }));
        const header = r.render([{ say: 'profileHeader' }], context.profile, atOf(event, context));
        return reply([...header, ...buildTextMessages(describeProfile(context.profile), options)]);
      }),
      startEdit: assign({
        editing: ({ event }) => {
          const i = intent(event);
          return i?.kind === 'edit' && (EDITABLE_FIELDS as readonly string[]).includes(i.field) ? (i.field as EditableField) : undefined;
        },
      }),
      askEdit: emit(({ context, event }) => {
        const field = context.editing!;
        const q = EDIT_QUESTION[field];
        // Strengths are retyped as a whole, so its "skip / done" options don't belong here.
        const qrKey = q === 'strengths' ? undefined : QUESTIONS[q].qr;
        return reply(r.render([{ say: 'profileEditPrompt', extra: { fieldLabel: FIELD_LABELS[field] }, ...(qrKey ? { qr: qrKey } : {}) }], context.profile, atOf(event, context)));
      }),
      applyEdit: assign(({ context, event }) => {
        const result = editResult(context, event);
        if (result?.kind !== 'answer') return { editing: undefined };
        const field = context.editing!;
        // Only the detail being changed: "昨日結婚して山田になりました" must not move the days elapsed.
        const changed = Object.fromEntries(EDIT_KEYS[field].map((k) => [k, result.profile[k]]));
        return { profile: { ...context.profile, ...changed }, editing: undefined, skipped: context.skipped.filter((s) => s !== EDIT_QUESTION[field]) };
      }),
      endEdit: assign({ editing: undefined }),
      askTypedCheck: enqueueActions(({ enqueue, context, event }, params: TypedCheck) => {
        enqueue.assign({ checking: params });
        enqueue.emit(reply(r.render([{ say: `typedCheck.${params.reading}.${params.value}`, qr: 'typedCheck' }], context.profile, atOf(event, context))));
      }),
      endCheck: assign({ checking: undefined }),
      repeatCheck: emit(({ context, event }) =>
        reply(r.render([{ say: `typedCheck.${context.checking!.reading}.${context.checking!.value}`, qr: 'typedCheck' }], context.profile, atOf(event, context))),
      ),
      // Not what they meant: the step's own options again.
      sayCheckMissed: emit(({ context, event }) => reply(r.render([{ say: 'typedCheck.missed', qr: context.checking?.qr ?? 'helpMenu' }], context.profile, atOf(event, context)))),
      // The message again, now that the exchange it interrupted is over: it goes where it would have.
      reraise: raise(({ event }) => event),
      // A push (or following again) changes the subject: an unanswered "delete everything?", edit
      // prompt or "is this typed result right?" is over.
      endRootExchanges: assign({ confirmingDelete: false, editing: undefined, checking: undefined }),
      sayEdited: emit(({ context, event }) =>
        reply([...r.render([{ say: 'profileUpdated' }], context.profile, atOf(event, context)), ...buildTextMessages(describeProfile(context.profile))]),
      ),
      setConfirmingDelete: assign({ confirmingDelete: (_, params: { value: boolean }) => params.value }),
      setNotifications: assign({ notifications: (_, params: { value: boolean }) => params.value }),
      resetAll: assign(() => ({
        profile: {},
        confirmingDelete: false,
        question: undefined,
        skipped: [],
        unclear: 0,
        editing: undefined,
        checking: undefined,
        ticks: { research: [], lessons: [] },
        outcome: undefined,
        thanksSent: false,
        heardBack: false,
        recap: false,
      })),
      deleteEverything: emit((): Effect => ({ type: 'deleteUserData' })),
      cancelTimers: emit((_, params: { kinds: TimerKind[] | 'all' }): Effect => ({ type: 'cancel', kinds: params.kinds })),
      tick: assign({
        ticks: ({ context, event }) => {
          const i = intent(event);
          if (i?.kind !== 'tick' || (i.list !== 'research' && i.list !== 'lessons')) return context.ticks;
          const list = i.list;
          const items = deps.content.checklists[list]?.items.map((x) => x.id) ?? [];
          if (!items.includes(i.item) || context.ticks[list].includes(i.item)) return context.ticks;
          return { ...context.ticks, [list]: [...context.ticks[list], i.item] };
        },
      }),
      showChecklist: emit(({ context, event }, params: { list: 'research' | 'lessons'; lead: string; next: QuickReplyOption }) =>
        reply(
          r.render(
            [{ say: params.lead }, { checklist: params.list, ticked: context.ticks[params.list] }],
            context.profile,
            atOf(event, context),
            r.tickOptions(params.list, context.ticks[params.list], [params.next]),
          ),
        ),
      ),
      sayProgress: emit(({ context, event }, params: { list: 'research' | 'lessons'; next: QuickReplyOption }) => {
        const { complete: _complete, ...progress } = r.checklistProgress(params.list, context.ticks[params.list]);
        const key = params.list === 'research' ? 'research.progress' : 'lessons.progress';
        return reply(
          r.render([{ say: key, extra: progress }], context.profile, atOf(event, context), r.tickOptions(params.list, context.ticks[params.list], [params.next])),
        );
      }),
      setOutcome: assign({ outcome: (_, params: { outcome: Outcome }) => params.outcome }),
      heardBack: assign((_, params: { outcome: Outcome }) => ({ heardBack: true, outcome: params.outcome })),
      markThanksSent: assign({ thanksSent: true }),
      scheduleCallReminder: emit(({ context, event }): Effect => {
        const now = new Date(atOf(event, context));
        const next = deps.callWindows.checkNow(now, callProfile(context.profile)).next;
        const dueAt = next ? next.start.getTime() : deps.calendar.nextBusinessDay(tokyoAt(now, 10)).getTime();
        return { type: 'schedule', kind: 'callReminder', dueAt, payload: { expiresAt: dueAt + 6 * 3600_000 } };
      }),
      sayReminderSet: emit(({ context, event }) => {
        const now = new Date(atOf(event, context));
        const next = deps.callWindows.checkNow(now, callProfile(context.profile)).next;
        const when = next ? describeWhen(next.start, now) : describeWhen(deps.calendar.nextBusinessDay(tokyoAt(now, 10)), now);
        return reply(r.render([{ say: 'timing.reminderSet', qr: 'timing.reminderSet', extra: { reminderAt: when } }], context.profile, atOf(event, context)));
      }),
      scheduleThanksReminder: emit(({ context, event }): Effect => {
        const now = new Date(atOf(event, context));
        // The next morning, so an evening call still leaves the evening to write it.
        const dueAt = tokyoAt(addTokyoDays(now, 1), 9, 30).getTime();
        return { type: 'schedule', kind: 'thanksReminder', dueAt, payload: { expiresAt: dueAt + 2 * 86_400_000 } };
      }),
      scheduleCheckIn: emit(({ context, event }): Effect => {
        const now = new Date(atOf(event, context));
        const told = toldDays(event);
        // After the date the employer gave (the next business morning after it), or 3 business days.
        const due = told > 0 ? deps.calendar.nextBusinessDay(tokyoAt(addTokyoDays(now, told), 10)) : deps.calendar.addBusinessDays(tokyoAt(now, 10), 3);
        return { type: 'schedule', kind: 'checkIn', dueAt: due.getTime(), payload: { expiresAt: due.getTime() + 7 * 86_400_000 } };
      }),
      sayCheckInScheduled: emit(({ context, event }) => {
        const now = new Date(atOf(event, context));
        const told = toldDays(event);
        const due = told > 0 ? deps.calendar.nextBusinessDay(tokyoAt(addTokyoDays(now, told), 10)) : deps.calendar.addBusinessDays(tokyoAt(now, 10), 3);
        return reply(r.render([{ say: 'waiting.scheduled', qr: 'waiting.status', extra: { checkInAt: describeWhen(due, now) } }], context.profile, atOf(event, context)));
      }),
      scheduleInquiryOffer: emit(({ context, event }): Effect => {
        const due = deps.calendar.addBusinessDays(tokyoAt(new Date(atOf(event, context)), 10), 3);
        return { type: 'schedule', kind: 'inquiryOffer', dueAt: due.getTime(), payload: { expiresAt: due.getTime() + 7 * 86_400_000 } };
      }),
      scheduleRecap: emit(({ context, event }): Effect => {
        const due = tokyoAt(addTokyoDays(new Date(atOf(event, context)), 7), 10);
        return { type: 'schedule', kind: 'lessonsRecap', dueAt: due.getTime(), payload: { expiresAt: due.getTime() + 3 * 86_400_000 } };
      }),
      sayRecapScheduled: emit(({ context, event }) => {
        const now = new Date(atOf(event, context));
        const due = tokyoAt(addTokyoDays(now, 7), 10);
        return reply(r.render([{ say: 'lessons.recapScheduled', extra: { recapAt: describeWhen(due, now) } }, { say: 'lessons.end' }], context.profile, atOf(event, context)));
      }),
      addStrengths: assign(({ context, event }) => {
        const i = intent(event);
        if (!i) return {};
        const result = interpretAnswer('strengths', i, context.profile, new Date(atOf(event, context)));
        return result.kind === 'answer' ? { profile: result.profile } : {};
      }),
      sayStrengths: emit(({ context, event }) => {
        const full = (context.profile.strengths?.length ?? 0) >= 3;
        return reply(r.render([full ? { say: 'strengths.full' } : { say: 'strengths.added', qr: 'strengths.added' }], context.profile, atOf(event, context)));
      }),
      saveHours: assign(({ context, event }) => {
        const i = intent(event);
        if (!i) return {};
        const result = interpretAnswer('hours', i, context.profile, new Date(atOf(event, context)));
        return result.kind === 'answer' ? { profile: result.profile } : {};
      }),
      sayHoursSaved: emit(({ context, event }) =>
        reply(r.render([{ say: 'timing.hoursSaved', extra: { hours: context.profile.businessHours ? formatHours(context.profile.businessHours) : '' } }], context.profile, atOf(event, context))),
      ),
      sayReminderIfAllowed: emit(({ context, event }, params: { kind: TimerKind }) => {
        const at = atOf(event, context);
        const p = context.profile;
        switch (params.kind) {
          case 'callReminder':
            return reply(r.render([{ say: 'reminder.call', qr: 'reminder.call' }], p, at));
          case 'checkIn':
            return reply(r.render([{ say: 'reminder.checkIn', qr: 'waiting.status' }], p, at));
          case 'inquiryOffer':
            return reply(r.render([{ say: 'reminder.inquiry', qr: 'reminder.inquiry' }], p, at));
          case 'thanksReminder':
            return reply(r.render([{ say: 'reminder.thanks', qr: 'reminder.thanks' }], p, at));
          case 'lessonsRecap':
            return reply(r.render([{ say: 'reminder.recap' }, { checklist: 'lessons', ticked: context.ticks.lessons }], p, at, r.tickOptions('lessons', context.ticks.lessons)));
        }
      }),
    },
    guards: {
      // An exchange at the root goes first (see rootDialogPending): no stage takes its message.
      intentIs: ({ context, event }, params: { kind: IntentKind }) => !rootDialogPending(context) && intentIs(event, params.kind),
      stageIs: ({ context, event }, params: { stage: StageName; step?: string }) => {
        if (rootDialogPending(context)) return false;
        const i = intent(event);
        return i?.kind === 'stage' && i.stage === params.stage && (params.step === undefined ? i.step === undefined : i.step === params.step);
      },
      valueIs: ({ context, event }, params: { kind: IntentKind; value: string }) => {
        if (rootDialogPending(context)) return false;
        const i = intent(event);
        if (!i || i.kind !== params.kind) return false;
        const v = 'value' in i ? i.value : 'outcome' in i ? i.outcome : 'branch' in i ? i.branch : 'reminder' in i ? i.reminder : undefined;
        return v === params.value;
      },
      confirmingDelete: ({ context }) => context.confirmingDelete,
      // Deleting everything takes the button, a plain はい, or a typed request ("削除する",
      // "データを削除してください"; see confirmsDeletion): not a casual "うん" or "OK".
      deletionConfirmed: ({ event }) =>
        event.type === 'TEXT' ? PLAIN_YES.test(normalize(event.text)) || confirmsDeletion(event.text) : intentIs(event, 'yes'),
      editing: ({ context }) => context.editing !== undefined,
      checking: ({ context }) => context.checking !== undefined,
      // "合っています", "はい", "そうなんです", or the same result again in words ("はい、不採用でした").
      checkConfirmed: ({ context, event }, params: { reading: TypedCheck['reading']; value: string }) => {
        const c = context.checking;
        if (c?.reading !== params.reading || c.value !== params.value) return false;
        if (event.type !== 'TEXT') return intentIs(event, 'yes');
        const said = normalize(event.text);
        if (/[?？]/.test(said) || denies(said) || CHECK_HEDGED.test(said)) return false;
        // A yes ("はい、そうです", "合ってます", "はい…", "👍"), unless what follows says another result;
        // or the same result said again ("不採用でした"). A refusal comes by call or mail, so "はい、
        // メールが来ました" says the same as "the refusal came".
        const again = c.reading === 'outcome' ? typed('outcome', event) : typed('news', event);
        const sameNews = again === c.value || (c.reading === 'news' && c.value === 'rejected' && again === 'continuing' && !mentionsProgress(event.text));
        if (again !== undefined && !sameNews) return false;
        return sameNews || CHECK_AFFIRMED.test(said);
      },
      acknowledges: ({ event }) => intentIs(event, 'yes'),
      namesAResult: ({ event }) =>
        typed('outcome', event) !== undefined || typed('news', event) !== undefined || typed('branch', event) !== undefined,
      checkDenied: ({ event }) => intentIs(event, 'no') || (event.type === 'TEXT' && denies(normalize(event.text))),
      declinesReminder: ({ event }) => event.type === 'TEXT' && declinesReminder(event.text),
      editAnswered: ({ context, event }) => editResult(context, event)?.kind === 'answer',
      // An answer the edit can't use (free text, skip, yes, no, "ない"): the edit ends there, unchanged.
      editNotUnderstood: ({ context, event }) =>
        EDIT_REPLIES.some((kind) => intentIs(event, kind)) || editResult(context, event)?.kind === 'skip',
      knownField: ({ event }) => {
        const i = intent(event);
        return i?.kind === 'edit' && (EDITABLE_FIELDS as readonly string[]).includes(i.field);
      },
      // While "delete everything?" waits, a command that changes nothing (help, a stage, notifications,
      // the profile): the deletion is off, and the command goes on. Anything else only calls it off.
      passesConfirmation: ({ event }) => CONFIRMATION_PASSES.some((kind) => intentIs(event, kind)),
      notifications: ({ context }) => context.notifications,
      resumeAt: ({ context }, params: { stage: StageName }) => context.resumeStage === params.stage,
      hasQuestion: ({ context }) => context.question !== undefined,
      answered: ({ context, event }) => {
        const i = intent(event);
        if (!i || !context.question) return false;
        return interpretAnswer(context.question, i, context.profile, new Date(atOf(event, context))).kind !== 'unclear';
      },
      unclearTwice: ({ context }) => context.unclear >= 1,
      canAnswer: ({ context, event }) => {
        if (rootDialogPending(context) || !context.question) return false;
        const i = intent(event);
        return i !== undefined && interpretAnswer(context.question, i, context.profile, new Date(atOf(event, context))).kind !== 'unclear';
      },
      unclearAgain: ({ context, event }) => !rootDialogPending(context) && intentIs(event, 'other') && context.unclear >= 1,
      unclearFirst: ({ context, event }) => !rootDialogPending(context) && intentIs(event, 'other'),
      knowsEnough: ({ context }) => context.profile.daysElapsed !== undefined && (context.profile.reasons?.length ?? 0) > 0,
      strengthsFull: ({ context }) => (context.profile.strengths?.length ?? 0) >= 3,
      checklistComplete: ({ context }, params: { list: 'research' | 'lessons' }) => r.checklistProgress(params.list, context.ticks[params.list]).complete,
      tellsHours: ({ context, event }) => !rootDialogPending(context) && event.type === 'TEXT' && parseBusinessHours(event.text) !== undefined,
      typedOutcome: ({ event }, params: { outcome: Outcome }) => typed('outcome', event) === params.outcome,
      typedBranch: ({ event }, params: { branch: CallBranch }) => typed('branch', event) === params.branch,
      typedTiming: ({ event }, params: { choice: TimingChoice }) => typed('timing', event) === params.choice,
      typedChoice: ({ event }, params: { choice: WaitingChoice }) => typed('choice', event) === params.choice,
      typedThanks: ({ event }, params: { step: ThanksStep }) => typed('thanks', event) === params.step,
      saysThanksSent: ({ event }) => event.type === 'TEXT' && saysThanksSent(event.text),
      typedNews: ({ event }, params: { news: WaitingNews }) => typed('news', event) === params.news,
      timerIs: ({ event }, params: { kind: TimerKind }) => event.type === 'TIMER' && event.timer.kind === params.kind,
      timerStillRelevant: ({ context, event }) => {
        if (event.type !== 'TIMER' || !context.notifications) return false;
        switch (event.timer.kind as TimerKind) {
          case 'callReminder':
            return context.outcome === undefined || context.outcome === 'unreached';
          case 'checkIn':
          case 'inquiryOffer':
            return context.outcome === 'waiting' && !context.heardBack;
          case 'thanksReminder':
            return !context.thanksSent && (context.outcome === 'continuing' || context.outcome === 'waiting');
          case 'lessonsRecap':
            return context.recap;
          default:
            return false;
        }
      },
    },
  }).createMachine({
    id: 'akari',
    context: ({ input }) => ({
      profile: input?.profile ?? {},
      notifications: input?.notifications ?? true,
      confirmingDelete: false,
      skipped: [],
      unclear: 0,
      ticks: { research: [], lessons: [] },
      thanksSent: false,
      heardBack: false,
      recap: false,
      createdAt: input?.at ?? 0,
      ...(input?.resumeStage ? { resumeStage: input.resumeStage } : {}),
    }),
    initial: 'new',
    on: {
      UNFOLLOW: { target: '.gone', actions: [{ type: 'cancelTimers', params: { kinds: 'all' } }, 'deleteEverything', 'resetAll'] },
      FOLLOW: { target: '.situation', reenter: true, actions: ['endRootExchanges', { type: 'speak', params: { parts: [{ say: 'greeting' }] } }] },
      NON_TEXT: { actions: [{ type: 'speak', params: { parts: [{ say: 'nonText' }] } }] },
      TIMER: [
        ...TIMER_KINDS.map((kind) => ({
          guard: and([{ type: 'timerIs' as const, params: { kind } }, 'timerStillRelevant']),
          actions: [
            'endRootExchanges' as const,
            { type: 'sayReminderIfAllowed' as const, params: { kind } },
            // A check-in that finds the user still waiting plans the one polite inquiry a few days on.
            ...(kind === 'checkIn' ? ['scheduleInquiryOffer' as const] : []),
          ],
        })),
        // A timer whose reason has passed says nothing.
        { actions: [] },
      ],
      // Taps and texts: commands that work anywhere, in priority order. Stage states handle only
      // what is theirs; whatever they don't claim ends here.
      '*': [
        { guard: and(['confirmingDelete', 'deletionConfirmed']), target: '.new', actions: [{ type: 'cancelTimers', params: { kinds: 'all' } }, 'deleteEverything', 'resetAll', { type: 'speak', params: { parts: [{ say: 'deleted' }] } }] },
        { guard: and(['confirmingDelete', 'passesConfirmation']), actions: [{ type: 'setConfirmingDelete', params: { value: false } }, { type: 'speak', params: { parts: [{ say: 'deleteCancelled' }] } }, 'reraise'] },
        { guard: 'confirmingDelete', actions: [{ type: 'setConfirmingDelete', params: { value: false } }, { type: 'speak', params: { parts: [{ say: 'deleteCancelled' }] } }] },
        // A typed result, confirmed: what its tap would have done. Not confirmed: the options again.
        ...CHECKED_OUTCOMES.map((value) => ({
          guard: { type: 'checkConfirmed' as const, params: { reading: 'outcome' as const, value } },
          target: outcomeStep(value).target,
          actions: ['endCheck' as const, ...outcomeStep(value).actions],
        })),
        ...CHECKED_NEWS.map((value) => ({
          guard: { type: 'checkConfirmed' as const, params: { reading: 'news' as const, value } },
          target: heardStep(value).target,
          actions: ['endCheck' as const, ...heardStep(value).actions],
        })),
        // "違います": the options again; "いや、不在でした" (a denial that says what happened instead) and
        // anything else are read afresh where the user is.
        { guard: and(['checking', 'checkDenied', not('namesAResult')]), actions: ['sayCheckMissed', 'endCheck'] },
        // "わかりました", "OK": an acknowledgement, not an answer to "is this right?": asked once more.
        { guard: and(['checking', 'acknowledges']), actions: ['repeatCheck'] },
        { guard: 'checking', actions: ['endCheck', 'reraise'] },
        { guard: and(['editing', 'editAnswered']), actions: ['applyEdit', 'sayEdited'] },
        { guard: and(['editing', 'editNotUnderstood']), actions: ['endEdit', { type: 'speak', params: { parts: [{ say: 'profileUnchanged' }] } }] },
        // Any other tap or command was meant for something else: the edit ends, and the message goes on.
        { guard: 'editing', actions: ['endEdit', 'reraise'] },
        { guard: ig('help'), actions: ['resetUnclear', 'sayHelp'] },
        { guard: ig('restart'), target: '.situation', reenter: true, actions: [{ type: 'cancelTimers', params: { kinds: 'all' } }, 'resetAll', { type: 'speak', params: { parts: [{ say: 'restarted' }] } }] },
        ...STAGES.map((stage) => ({ guard: { type: 'stageIs' as const, params: { stage } }, target: `.${stage}`, reenter: true, actions: ['clearQuestion' as const] })),
        { guard: ig('stopNotifications'), actions: [{ type: 'cancelTimers', params: { kinds: 'all' } }, { type: 'setNotifications', params: { value: false } }, { type: 'speak', params: { parts: [{ say: 'notificationsOff' }] } }] },
        { guard: ig('resumeNotifications'), actions: [{ type: 'setNotifications', params: { value: true } }, { type: 'speak', params: { parts: [{ say: 'notificationsOn' }] } }] },
        { guard: ig('deleteData'), actions: [{ type: 'setConfirmingDelete', params: { value: true } }, { type: 'speak', params: { parts: [{ say: 'deleteConfirm', qr: 'deleteConfirm' }] } }] },
        { guard: ig('showProfile'), actions: ['showProfile'] },
        { guard: ig('thanksSent'), actions: THANKS_SENT_ACTIONS },
        // Typed, wherever the reminder about it finds the user; a question being asked takes it first.
        { guard: and([typedAnswer, 'saysThanksSent']), actions: THANKS_SENT_ACTIONS },
        ...NEWS.map((news) => ({ guard: vg('heard', news), ...heardStep(news) })),
        { guard: ig('inquiry'), target: '.followUp.inquiry' },
        { guard: ig('wait'), actions: [{ type: 'speak', params: { parts: [{ say: 'waiting.noReminder' }] } }] },
        { guard: and([ig('edit'), 'knownField']), actions: ['startEdit', 'askEdit'] },
        { actions: ['countUnclear', 'repromptGeneral'] },
      ],
    },
    states: {
      // Nobody has talked to Akari yet (or everything was deleted). The first message opens the
      // conversation; if it already tells the story (e.g. the article's question pasted whole),
      // Akari answers it straight away instead of asking again.
      new: {
        always: STAGES.map((stage) => ({
          guard: { type: 'resumeAt' as const, params: { stage } },
          target: stage,
          actions: [{ type: 'speak' as const, params: { parts: [{ say: 'versionReset' }] } }, assign({ resumeStage: undefined })],
        })),
        on: {
          TEXT: [
            { guard: ig('other'), target: 'situation', actions: ['absorbFacts', { type: 'speak', params: { parts: [{ say: 'greeting' }] } }] },
          ],
          POSTBACK: [{ guard: ig('other'), target: 'situation', actions: [{ type: 'speak', params: { parts: [{ say: 'greeting' }] } }] }],
        },
      },

      situation: {
        on: { '*': [{ guard: ig('back'), actions: [{ type: 'speak', params: { parts: [{ say: 'alreadyFirst' }] } }] }] },
        initial: 'route',
        states: {
          route: {
            always: [
              { guard: 'knowsEnough', target: 'assessment', actions: ['sayUnderstood'] },
              { target: 'askingNext', actions: [{ type: 'speak', params: { parts: [{ say: 'situation.intro' }] } }] },
            ],
          },
          asking: {
            entry: ['askQuestion'],
            on: answerHandlers('askingNext'),
          },
          askingNext: {
            entry: [{ type: 'setNextQuestion', params: { list: SITUATION_QUESTIONS } }],
            always: [{ guard: 'hasQuestion', target: 'asking' }, { target: 'assessment', actions: ['sayUnderstood'] }],
          },
          assessment: {
            entry: ['clearQuestion', 'sayAssessment'],
            on: nextOn('#akari.preparation'),
          },
        },
      },

      preparation: {
        on: { '*': [{ guard: ig('back'), target: '#akari.situation' }] },
        initial: 'route',
        states: {
          ...askFirst({ needs: STAGE_NEEDS.preparation, lead: 'preparation.intro', then: 'apology', direct: [{ say: 'preparation.intro' }] }),
          apology: {
            entry: [{ type: 'speak', params: { parts: [{ say: 'apology.intro' }, { template: 'apology' }, { say: 'apology.tips', qr: 'apology.tips' }] } }],
            on: nextOn('research'),
          },
          research: {
            entry: [{ type: 'showChecklist', params: { list: 'research', lead: 'research.intro', next: { label: '次へ（強みの整理）', data: 'action=next', displayText: '次へ' } } }],
            on: {
              POSTBACK: [
                { guard: and([ig('tick')]), actions: ['tick', { type: 'sayProgress', params: { list: 'research', next: { label: '次へ（強みの整理）', data: 'action=next', displayText: '次へ' } } }] },
                { guard: ig('next'), target: 'strengths' },
              ],
              TEXT: [{ guard: ig('next'), target: 'strengths' }],
            },
          },
          strengths: {
            entry: [{ type: 'setQuestion', params: { question: 'strengths' } }, 'askQuestion'],
            on: {
              TEXT: [
                { guard: and([not('editing'), ig('other')]), actions: ['addStrengths', 'sayStrengths'] },
                { guard: ig('done'), target: 'done' },
                { guard: ig('next'), target: 'done' },
                { guard: ig('skip'), target: 'done', actions: [{ type: 'speak', params: { parts: [{ say: 'strengths.none' }] } }] },
              ],
              POSTBACK: [
                { guard: ig('done'), target: 'done' },
                { guard: ig('next'), target: 'done' },
                { guard: ig('skip'), target: 'done', actions: [{ type: 'speak', params: { parts: [{ say: 'strengths.none' }] } }] },
              ],
            },
            always: { guard: 'strengthsFull', target: 'done' },
          },
          done: {
            entry: ['clearQuestion', { type: 'speak', params: { parts: [{ say: 'preparation.done', qr: 'preparation.done' }] } }],
            on: nextOn('#akari.call'),
          },
        },
      },

      call: {
        on: { '*': [{ guard: ig('back'), target: '#akari.preparation' }] },
        initial: 'route',
        states: {
          ...askFirst({ needs: STAGE_NEEDS.call, lead: 'stageNeedsDetails', then: 'timing', direct: [{ say: 'call.intro' }], afterDetails: [{ say: 'call.intro' }] }),
          timing: {
            entry: ['clearQuestion', 'sayTiming'],
            on: {
              POSTBACK: [
                { guard: and([vg('remind', 'call'), 'notifications']), actions: ['scheduleCallReminder', 'sayReminderSet'] },
                { guard: vg('remind', 'call'), actions: [{ type: 'speak', params: { parts: [{ say: 'notificationsRequired' }] } }] },
                { guard: ig('askHours'), target: 'hours' },
                { guard: ig('next'), target: 'script' },
              ],
              TEXT: [
                { guard: ig('next'), target: 'script' },
                { guard: ig('yes'), target: 'script' },
                // "11時から21時のお店です" typed here: the windows follow those hours.
                { guard: 'tellsHours', target: 'timing', reenter: true, actions: ['saveHours', 'sayHoursSaved'] },
                // The options in words: "その時間に知らせて", "台本を見たい", "営業時間を伝えます".
                { guard: and([typedAnswer, { type: 'typedTiming', params: { choice: 'remind' as const } }, 'notifications']), actions: ['scheduleCallReminder', 'sayReminderSet'] },
                { guard: and([typedAnswer, { type: 'typedTiming', params: { choice: 'remind' as const } }]), actions: [{ type: 'speak', params: { parts: [{ say: 'notificationsRequired' }] } }] },
                { guard: and([typedAnswer, { type: 'typedTiming', params: { choice: 'script' as const } }]), target: 'script' },
                { guard: and([typedAnswer, { type: 'typedTiming', params: { choice: 'hours' as const } }]), target: 'hours' },
              ],
            },
          },
          hours: {
            entry: [{ type: 'setQuestion', params: { question: 'hours' } }, 'askQuestion'],
            on: {
              TEXT: [
                { guard: and([not('editing'), 'answered', ig('other')]), target: 'timing', actions: ['saveHours', 'sayHoursSaved'] },
                { guard: ig('skip'), target: 'timing' },
                { guard: and([ig('other'), 'unclearTwice']), target: 'timing', actions: ['giveUpQuestion', { type: 'speak', params: { parts: [{ say: 'repromptGiveUp' }] } }] },
                { guard: ig('other'), actions: ['countUnclear', 'reprompt'] },
              ],
              POSTBACK: [{ guard: ig('skip'), target: 'timing' }],
            },
          },
          script: {
            initial: 'reception',
            states: {
              reception: {
                entry: [{ type: 'speak', params: { parts: [{ say: 'script.intro' }, { template: 'scriptReception' }, { say: 'script.stepHint', qr: 'script.step' }] } }],
                ...stepOn('manager'),
              },
              manager: { entry: [{ type: 'speak', params: { parts: [{ template: 'scriptManager' }, { say: 'script.stepHint', qr: 'script.step' }] } }], ...stepOn('questions') },
              questions: { entry: [{ type: 'speak', params: { parts: [{ say: 'script.questions', qr: 'script.step' }] } }], ...stepOn('closing') },
              closing: {
                entry: ['resetUnclear', { type: 'speak', params: { parts: [{ template: 'scriptClosing' }, { say: 'script.branches', qr: 'script.branches' }] } }],
                // The branch options are on screen now: a message that picks none gets them again.
                on: branchHandlers('script.branches'),
              },
            },
            on: branchHandlers(),
          },
          absent: {
            entry: ['resetUnclear', { type: 'speak', params: { parts: [{ say: 'branch.absent.intro' }, { template: 'absentMessage' }, { say: 'script.branches', qr: 'branch.after' }] } }],
            on: branchHandlers('branch.after'),
          },
          noAnswer: {
            entry: ['resetUnclear', { type: 'speak', params: { parts: [{ say: 'branch.noAnswer.intro' }, { template: 'voicemail' }, { say: 'script.branches', qr: 'branch.after' }] } }],
            on: branchHandlers('branch.after'),
          },
          outcome: {
            entry: ['resetUnclear', { type: 'speak', params: { parts: [{ say: 'outcome.question', qr: 'outcome.question' }] } }],
            on: {
              POSTBACK: OUTCOMES.map((outcome) => ({ guard: vg('outcome', outcome), ...outcomeStep(outcome) })),
              // Answered in words ("不採用でした", "誰も出ませんでした"): the same as the tap.
              TEXT: [
                ...typedOutcomeHandlers('outcome.question'),
                { guard: and([typedAnswer, { type: 'typedOutcome' as const, params: { outcome: 'unreached' as const } }]), ...outcomeStep('unreached') },
                { guard: retypeGuard, actions: ['countUnclear', { type: 'repromptWith', params: { qr: 'outcome.question' } }] },
              ],
            },
          },
        },
      },

      followUp: {
        on: { '*': [{ guard: ig('back'), target: '#akari.call' }] },
        initial: 'route',
        states: {
          ...askFirst({ needs: STAGE_NEEDS.followUp, lead: 'stageNeedsDetails', then: 'thanks' }),
          thanks: {
            entry: [
              'clearQuestion',
              { type: 'speak', params: { parts: [{ say: 'followUp.intro' }, { template: 'thanksEmail' }, { say: 'thanks.fill' }, { say: 'thanks.tips', qr: 'thanks.tips' }] } },
            ],
            always: { guard: and(['notifications', ({ context }) => !context.thanksSent && (context.outcome === 'continuing' || context.outcome === 'waiting')]), target: 'thanksWaiting', actions: ['scheduleThanksReminder'] },
            on: thanksHandlers(),
          },
          // The same step, after its reminder was planned (so re-entering doesn't plan another).
          thanksWaiting: { on: thanksHandlers() },
          waiting: {
            entry: [{ type: 'setQuestion', params: { question: 'waitDays' } }, { type: 'speak', params: { parts: [{ say: 'waiting.advice' }] } }, 'askQuestion'],
            on: {
              POSTBACK: [
                { guard: and([ig('answer'), 'notifications', ({ context }) => context.outcome === 'waiting' || context.outcome === undefined]), target: 'waitingStatus', actions: [assign({ outcome: 'waiting' as Outcome }), { type: 'cancelTimers', params: { kinds: ['checkIn', 'inquiryOffer'] } }, 'scheduleCheckIn', 'sayCheckInScheduled'] },
                { guard: ig('answer'), target: 'waitingStatus', actions: [{ type: 'speak', params: { parts: [{ say: 'waiting.noReminder' }] } }] },
                { guard: ig('next'), target: 'reflection' },
              ],
              TEXT: [
                // "連絡が来ました" before the question is answered: they have already heard back.
                ...typedNewsHandlers(['continuing', 'rejected'], 'waiting.status'),
                // Typed, as tapped: a check-in only while the outcome is (or may be) "waiting", not after "continuing".
                { guard: and([not('editing'), 'answered', ig('other'), 'notifications', not('declinesReminder'), ({ context }) => context.outcome === 'waiting' || context.outcome === undefined]), target: 'waitingStatus', actions: [assign({ outcome: 'waiting' as Outcome }), { type: 'cancelTimers', params: { kinds: ['checkIn', 'inquiryOffer'] } }, 'scheduleCheckIn', 'sayCheckInScheduled'] },
                { guard: and([not('editing'), 'answered', ig('other')]), target: 'waitingStatus', actions: [{ type: 'speak', params: { parts: [{ say: 'waiting.noReminder' }] } }] },
                { guard: ig('next'), target: 'reflection' },
              ],
            },
          },
          // Waiting for the employer; the check-in asks how it stands, and the answer may be typed.
          waitingStatus: {
            entry: ['clearQuestion'],
            on: {
              TEXT: [
                { guard: ig('next'), target: 'reflection' },
                ...typedNewsHandlers(NEWS, 'waiting.status'),
                // "いいえ" to "連絡はありましたか？": nothing yet.
                { guard: ig('no'), ...heardStep('none') },
                // The offer of an inquiry (a later push) is answered here too.
                { guard: and([typedAnswer, { type: 'typedChoice', params: { choice: 'inquiry' as const } }]), target: 'inquiry' },
                { guard: and([typedAnswer, { type: 'typedChoice', params: { choice: 'wait' as const } }]), actions: [{ type: 'speak', params: { parts: [{ say: 'waiting.noReminder' }] } }] },
                { guard: retypeGuard, actions: ['countUnclear', { type: 'repromptWith', params: { qr: 'waiting.status' } }] },
              ],
              POSTBACK: [{ guard: ig('next'), target: 'reflection' }],
            },
          },
          inquiry: {
            entry: [{ type: 'speak', params: { parts: [{ say: 'inquiry.intro' }, { template: 'inquiryEmail' }, { template: 'inquiryPhone' }, { say: 'inquiry.tips', qr: 'inquiry.tips' }] } }],
            on: { ...nextOn('reflection'), TEXT: [...nextOn('reflection').TEXT, ...typedNewsHandlers(['continuing', 'rejected'], 'inquiry.tips')] },
          },
          reflection: {
            initial: 'wentWell',
            states: {
              wentWell: {
                entry: [{ type: 'setQuestion', params: { question: 'wentWell' } }, 'askQuestion'],
                on: reflectionHandlers('toChange'),
              },
              toChange: {
                entry: [{ type: 'setQuestion', params: { question: 'toChange' } }, 'askQuestion'],
                on: reflectionHandlers('summary'),
              },
              summary: {
                entry: ['clearQuestion', { type: 'speak', params: { parts: [{ say: 'reflection.summary' }] } }],
                always: '#akari.lessons',
              },
            },
          },
        },
      },

      lessons: {
        on: { '*': [{ guard: ig('back'), target: '#akari.followUp' }] },
        initial: 'checklist',
        states: {
          checklist: {
            entry: [
              'clearQuestion',
              { type: 'showChecklist', params: { list: 'lessons', lead: 'lessons.intro', next: { label: '次へ', data: 'action=next', displayText: '次へ' } } },
            ],
            on: {
              POSTBACK: [
                { guard: ig('tick'), actions: ['tick', { type: 'sayProgress', params: { list: 'lessons', next: { label: '次へ', data: 'action=next', displayText: '次へ' } } }] },
                { guard: ig('next'), target: 'recapOffer' },
              ],
              TEXT: [
                { guard: ig('next'), target: 'recapOffer' },
                { guard: ig('done'), target: 'recapOffer' },
              ],
            },
            always: { guard: { type: 'checklistComplete', params: { list: 'lessons' } }, target: 'recapOffer', actions: [{ type: 'speak', params: { parts: [{ say: 'lessons.complete' }] } }] },
          },
          recapOffer: {
            entry: [{ type: 'speak', params: { parts: [{ say: 'lessons.recapOffer', qr: 'lessons.recapOffer' }] } }],
            on: {
              POSTBACK: [
                { guard: and([vg('recap', 'yes'), 'notifications']), target: 'end', actions: [assign({ recap: true }), { type: 'cancelTimers', params: { kinds: ['lessonsRecap'] } }, 'scheduleRecap', 'sayRecapScheduled'] },
                { guard: vg('recap', 'yes'), target: 'end', actions: [{ type: 'speak', params: { parts: [{ say: 'notificationsRequired' }, { say: 'lessons.end' }] } }] },
                { guard: vg('recap', 'no'), target: 'end', actions: [{ type: 'speak', params: { parts: [{ say: 'lessons.recapDeclined' }, { say: 'lessons.end' }] } }] },
              ],
              TEXT: [
                { guard: and([ig('yes'), 'notifications']), target: 'end', actions: [assign({ recap: true }), { type: 'cancelTimers', params: { kinds: ['lessonsRecap'] } }, 'scheduleRecap', 'sayRecapScheduled'] },
                { guard: ig('no'), target: 'end', actions: [{ type: 'speak', params: { parts: [{ say: 'lessons.recapDeclined' }, { say: 'lessons.end' }] } }] },
              ],
            },
          },
          // The journey is over; commands, ticks from the recap, and stage names still work.
          end: {
            on: {
              POSTBACK: [{ guard: ig('tick'), actions: ['tick', { type: 'sayProgress', params: { list: 'lessons', next: { label: '状況整理へ', data: 'action=stage&stage=situation', displayText: '状況整理' } } }] }],
            },
          },
        },
      },

      // Unfollowed: everything was deleted; a new follow starts again.
      gone: {},
    },
  });
}

/** Answer handling shared by every question state: answered → `next`; skipped → `next`; unclear → ask again once, then move on. */
function answerHandlers(next: string) {
  const handlers = [
    { guard: 'canAnswer' as const, target: next, actions: ['applyAnswer' as const] },
    { guard: 'unclearAgain' as const, target: next, actions: ['applyAnswer' as const, 'giveUpQuestion' as const, { type: 'speak' as const, params: { parts: [{ say: 'repromptGiveUp' }] as Part[] } }] },
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
function askFirst(opts: { needs: readonly QuestionId[]; lead: string; then: string; direct?: Part[]; afterDetails?: Part[] }) {
  const speak = (parts: Part[] | undefined) => (parts?.length ? [{ type: 'speak' as const, params: { parts } }] : []);
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

function nextOn(target: string) {
  const t = [{ guard: ig('next'), target }];
  return { TEXT: t, POSTBACK: t };
}

function stepOn(target: string) {
  return { on: nextOn(target) };
}

/** Where each turn of the call leads, tapped or typed. */
function branchStep(branch: CallBranch) {
  switch (branch) {
    // Re-entered when already there ("また不在でした"): its advice is said again, not nothing.
    case 'absent':
      return { target: '#akari.call.absent', reenter: true, actions: [] };
    case 'noAnswer':
      return { target: '#akari.call.noAnswer', reenter: true, actions: [] };
    case 'retry':
      return { target: '#akari.call.timing', actions: [{ type: 'speak' as const, params: { parts: [{ say: 'branch.retry' }] as Part[] } }] };
    case 'finished':
      return { target: '#akari.call.outcome', actions: [] };
  }
}

/**
 * While the script is on screen: the branch options, tapped or typed ("担当の方が不在でした"). Typed,
 * the outcome itself may come straight away ("選考が続くことになりました"), and `retypeWith` (the
 * options last shown) asks again when a message says none of it.
 */
function branchHandlers(retypeWith?: string) {
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
      ...BRANCHES.map((branch) => ({ guard: and([typedAnswer, { type: 'typedBranch' as const, params: { branch } }]), ...branchStep(branch) })),
      ...(retypeWith ? typedOutcomeHandlers('outcome.question') : []),
      { guard: and([typedAnswer, { type: 'typedBranch' as const, params: { branch: 'finished' as const } }]), ...branchStep('finished') },
      ...(retypeWith ? [{ guard: retypeGuard, actions: ['countUnclear' as const, { type: 'repromptWith' as const, params: { qr: retypeWith } }] }] : []),
    ],
  };
}

/**
 * Commands carried out after calling off a pending deletion (a pending check passes every message
 * on). Not "delete" or "restart" (a refusal must not turn into a second confirmation or wipe the
 * profile), nor stage moves like 次へ/戻る.
 */
const CONFIRMATION_PASSES = ['help', 'stage', 'stopNotifications', 'resumeNotifications', 'showProfile', 'edit'] as const satisfies readonly IntentKind[];

/** The profile keys an edit of each detail may change. */
const EDIT_KEYS: Record<EditableField, ReadonlyArray<keyof Profile>> = {
  userName: ['userName'],
  employerName: ['employerName', 'employerKind'],
  contactPerson: ['contactPerson'],
  daysElapsed: ['daysElapsed'],
  callCount: ['callCount', 'callCountApprox'],
  reasons: ['reasons'],
  contactLeft: ['contactLeft'],
  businessHours: ['businessHours'],
  jobKind: ['jobKind'],
  strengths: ['strengths'],
};

/** A plain yes to "delete everything?" (a casual うん or OK is not enough for that). */
const PLAIN_YES = /^(?:はい|はーい|そうです|お願い(?:します)?|はい[、,\s]*お願い(?:します)?)[。!！…]*$/;
/** A reply that starts by saying the typed result was read right: "合ってる", "はい、そうです", "👍". */
const CHECK_AFFIRMED =
  /^(?:(?:あ|えっと)[、,\s]*)?(?:はい|ハイ|はーい|はいっ|うん|ええ|そう|合って|あって|それで合って|それです|間違い(?:ない|ありません|なし)|間違ってな|正解|その(?:通り|とおり)|了解|オッケー|おっけ|おけ|ok|yes|👍|👌|🙆)/iu;
/** "間違いありません", "間違ってないです": yes, though 違 is in them. */
const NOT_WRONG = /間違(?:い(?:ない|ありません|なし)|ってな(?:い|いです))/g;
/** …or wrong: "違います", "合っていません", "そうではありません", "いや、不在でした". */
const CHECK_DENIED =
  /違|ちが|いや|いいえ|ううん|(?:合って|あって)(?:い|お)?(?:ない|ません|りません)|そう(?:では|じゃ|でも)(?:ない|ありません)|とは言え|ではな|じゃな/;
const denies = (said: string): boolean => CHECK_DENIED.test(said.replace(NOT_WRONG, ''));
/** …or not sure: "そうかも", "はい、一応", "はい、でも出られなかった". */
const CHECK_HEDGED = /かも|(?<!な)かな(?!り)|一応|ええと|うんと|(?:でも|けど)[^。]*(?:ない|なかった|ません|ませんでした|ず)/;

/** Replies to the edit prompt that are answers, not commands: the edit takes them, usable or not. */
const EDIT_REPLIES = ['other', 'skip', 'yes', 'no', 'done'] as const satisfies readonly IntentKind[];

const THANKS_SENT_ACTIONS = [
  'markThanksSent' as const,
  { type: 'cancelTimers' as const, params: { kinds: ['thanksReminder'] as TimerKind[] } },
  { type: 'speak' as const, params: { parts: [{ say: 'thanks.sentAck' }] as Part[] } },
];

function thanksHandlers() {
  const letter = { type: 'speak' as const, params: { parts: [{ say: 'thanks.letterIntro' }, { template: 'thanksLetter' }, { say: 'thanks.letterTips', qr: 'thanks.letter' }] as Part[] } };
  const h = [
    { guard: ig('letter'), actions: [letter] },
    { guard: ig('next'), target: '#akari.followUp.waiting' },
  ];
  return {
    POSTBACK: h,
    // With the mail on screen, "送りました" and "手紙も見たい" say which option they mean.
    TEXT: [
      ...h,
      { guard: and([typedAnswer, { type: 'typedThanks' as const, params: { step: 'sent' as const } }]), actions: THANKS_SENT_ACTIONS },
      { guard: and([typedAnswer, { type: 'typedThanks' as const, params: { step: 'letter' as const } }]), actions: [letter] },
    ],
  };
}

function reflectionHandlers(next: string) {
  const h = [
    { guard: 'canAnswer' as const, target: next, actions: ['applyAnswer' as const] },
    { guard: ig('other'), target: next, actions: ['giveUpQuestion' as const] },
  ];
  return { TEXT: h, POSTBACK: h };
}

const OUTCOMES = ['continuing', 'waiting', 'rejected', 'unreached'] as const satisfies readonly Outcome[];
const NEWS = ['continuing', 'rejected', 'none'] as const satisfies readonly WaitingNews[];

/** Typed text that is no command, with no exchange at the root waiting (see intentIs). */
const typedAnswer = ig('other');
/** The catch-all of a state that asks again: not for what the root understands ("お礼を送りました"). */
const retypeGuard = and([typedAnswer, not('saysThanksSent')]);

/**
 * An exchange at the root waits for the next message — a deletion being confirmed, a detail being
 * edited, a typed result being checked — and takes it before any stage: "はい" must not answer the
 * stage's own yes/no question instead, nor a typed name become the stage's answer. (An answer the
 * edit can't use leaves the detail unchanged; a command ends the edit and is then carried out.)
 */
const rootDialogPending = (c: ConversationContext): boolean => c.editing !== undefined || c.confirmingDelete || c.checking !== undefined;

/** Where each answer to "how did the call go?" leads, tapped or typed. */
function outcomeStep(outcome: Outcome) {
  const say = { type: 'speak' as const, params: { parts: [{ say: `outcome.${outcome}` }] as Part[] } };
  const set = { type: 'setOutcome' as const, params: { outcome } };
  switch (outcome) {
    case 'continuing':
    case 'waiting':
      return { target: '#akari.followUp', actions: [set, { type: 'cancelTimers' as const, params: { kinds: ['callReminder'] as TimerKind[] } }, say] };
    case 'rejected':
      return { target: '#akari.lessons', actions: [set, { type: 'cancelTimers' as const, params: { kinds: 'all' as const } }, say] };
    case 'unreached':
      return { target: '#akari.call.timing', actions: [set, say] };
  }
}

/** Where news from the employer leads, from a tap (a check-in's options, anywhere) or typed while waiting. */
function heardStep(news: WaitingNews) {
  switch (news) {
    case 'continuing':
      return {
        target: '#akari.followUp.reflection',
        actions: [
          { type: 'heardBack' as const, params: { outcome: 'continuing' as Outcome } },
          { type: 'cancelTimers' as const, params: { kinds: ['checkIn', 'inquiryOffer'] as TimerKind[] } },
          { type: 'speak' as const, params: { parts: [{ say: 'heard.continuing' }] as Part[] } },
        ],
      };
    case 'rejected':
      return {
        target: '#akari.lessons',
        actions: [{ type: 'heardBack' as const, params: { outcome: 'rejected' as Outcome } }, { type: 'cancelTimers' as const, params: { kinds: 'all' as const } }],
      };
    case 'none':
      return { target: '#akari.followUp.inquiry', actions: [] };
  }
}

/** The typed-answer readers the machine's guards use, by the name `typed` memoises them under. */
const TYPED_READERS = {
  outcome: readCallOutcome,
  branch: readCallBranch,
  timing: readTimingChoice,
  choice: readWaitingChoice,
  thanks: readThanksStep,
  news: readWaitingNews,
} as const;

/** Results that change the course (and cancel reminders) are done only once the user confirms the reading. */
const CHECKED_OUTCOMES = ['continuing', 'waiting', 'rejected'] as const;
const CHECKED_NEWS = ['continuing', 'rejected'] as const;

/** Typed results after the call: checked with the user first (`qr`: the options if the reading is wrong). */
function typedOutcomeHandlers(qr: string) {
  return CHECKED_OUTCOMES.map((value) => ({
    guard: and([typedAnswer, { type: 'typedOutcome' as const, params: { outcome: value } }]),
    actions: [{ type: 'askTypedCheck' as const, params: { reading: 'outcome' as const, value, qr } }],
  }));
}

/** Typed news from the employer: "nothing yet" is acted on; heard back or turned down is checked first. */
function typedNewsHandlers(kinds: readonly WaitingNews[], qr: string) {
  return kinds.map((news) =>
    news === 'none'
      ? { guard: and([typedAnswer, { type: 'typedNews' as const, params: { news } }]), ...heardStep(news) }
      : { guard: and([typedAnswer, { type: 'typedNews' as const, params: { news } }]), actions: [{ type: 'askTypedCheck' as const, params: { reading: 'news' as const, value: news, qr } }] },
  );
}

export type ConversationMachine = ReturnType<typeof createConversationMachine>;

/** The stage a snapshot is in (top-level state), or undefined before the conversation starts. */
export function stageOf(value: unknown): StageName | undefined {
  const top = typeof value === 'string' ? value : value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
  return (STAGES as readonly string[]).includes(top ?? '') ? (top as StageName) : undefined;
}
